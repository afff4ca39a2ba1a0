package dev.rmr1.tensor.safetensors;

import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuStorage;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped safetensors file:
 *
 * <pre>{@code
 * try (SafeTensorsFile f = SafeTensors.open(path)) {
 *   TensorInfo info = f.info("model.embed_tokens.weight");  // dtype, shape
 *   Tensor w = f.tensor("model.embed_tokens.weight");       // zero-copy, read-only, CPU
 * }
 * }</pre>
 *
 * The header is validated completely when the file is opened (length limits, UTF-8, JSON, dtypes,
 * shapes, byte ranges that tile the data section exactly), so a bad file fails at {@code open}
 * with a {@link SafeTensorsException} naming it and the tensor at fault.
 *
 * <p>A tensor whose bytes are aligned to its element size in memory (always the case for files
 * written by safetensors or by {@link SafeTensors#write}, whose writer orders tensors so) is a view
 * of the mapping; one that is not (a hand-made file with an odd header length, say) is copied into
 * fresh, aligned native memory, because the CPU kernels read elements with aligned accesses.
 */
public final class SafeTensorsFile implements SafeTensorsReader {
  private final Path path;
  private final MappedFile mapping;
  private final HeaderParser.Header header;
  private volatile boolean closed;

  private SafeTensorsFile(Path path, MappedFile mapping, HeaderParser.Header header) {
    this.path = path;
    this.mapping = mapping;
    this.header = header;
  }

  static SafeTensorsFile open(Path path) {
    MappedFile mapping = MappedFile.map(path);
    try {
      return new SafeTensorsFile(path, mapping, HeaderParser.parse(path, mapping.segment()));
    } catch (RuntimeException e) {
      mapping.release();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public List<String> names() {
    return List.copyOf(header.tensors().keySet());
  }

  @Override
  public boolean contains(String name) {
    return header.tensors().containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo t = header.tensors().get(name);
    if (t == null) throw new IllegalArgumentException(path + ": no tensor '" + name + "' among its " + header.tensors().size()
        + " tensors" + sample());
    return t;
  }

  private String sample() {
    List<String> names = names();
    if (names.isEmpty()) return "";
    return " (" + String.join(", ", names.subList(0, Math.min(8, names.size()))) + (names.size() > 8 ? ", ..." : "") + ")";
  }

  @Override
  public Tensor tensor(String name) {
    if (closed) throw new IllegalStateException(path + " is closed: cannot read tensor '" + name + "'");
    TensorInfo t = info(name);
    mapping.retain(); // throws if a concurrent close() already unmapped the file
    // In bounds: the header was checked against the file size when the file was opened.
    MemorySegment bytes = mapping.segment().asSlice(header.dataStart() + t.begin(), t.byteSize());
    Storage storage;
    if (bytes.address() % t.dtype().byteSize() == 0) {
      storage = CpuStorage.wrap(bytes, mapping::release); // the storage now owns the count
    } else {
      try {
        storage = alignedCopy(bytes);
      } finally {
        mapping.release();
      }
    }
    try {
      int[] shape = t.shape();
      return Tensor.wrap(storage, t.dtype(), shape, Tensor.denseStrides(shape), 0);
    } finally {
      storage.release(); // the tensor holds its own reference now
    }
  }

  private static CpuStorage alignedCopy(MemorySegment bytes) {
    CpuStorage copy = CpuStorage.allocate(bytes.byteSize());
    try {
      MemorySegment.copy(bytes, 0, copy.segment(), 0, bytes.byteSize());
    } catch (RuntimeException e) {
      copy.release();
      throw e;
    }
    return copy;
  }

  @Override
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** Every tensor's info, by name. */
  public Map<String, TensorInfo> infos() {
    return header.tensors();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    mapping.release();
  }

  @Override
  public String toString() {
    return "SafeTensorsFile[" + path + ", " + header.tensors().size() + " tensors" + (closed ? ", closed" : "") + "]";
  }
}
