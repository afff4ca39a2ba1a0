package dev.rmr1.nn.optim;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuStorage;
import dev.rmr1.tensor.cpu.Elements;
import dev.rmr1.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Optimizer state in a small binary format of this package, used through {@link StateWriter} and
 * {@link StateReader} until the project's safetensors writer takes over. Layout (integers
 * little-endian):
 *
 * <pre>
 * magic    8 bytes "RMR1OPTS"
 * version  u32 = 1
 * entries, each introduced by a tag byte:
 *   0x01 string  u32 key length, key (UTF-8), u32 value length, value (UTF-8)
 *   0x02 tensor  u32 key length, key (UTF-8), u8 dtype length, dtype (safetensors name, ASCII),
 *                u32 rank, rank x u64 sizes, u64 data length, zero padding up to the next multiple
 *                of 64 bytes from the start of the file, data (dense, row-major, little-endian)
 *   0x00 end
 * crc      u64: CRC-32 of every preceding byte, zero-extended
 * </pre>
 *
 * Tensor data is 64-byte aligned so that a memory-mapped file is read in place. A file is replaced
 * atomically ({@link AtomicFiles}), so a crash leaves either the previous file or the complete new
 * one, never a torn one.
 */
public final class BinaryStateFile {
  static final byte[] MAGIC = "RMR1OPTS".getBytes(US_ASCII);
  static final int VERSION = 1;
  private static final int ALIGN = 64;
  private static final byte TAG_END = 0, TAG_STRING = 1, TAG_TENSOR = 2;
  /** Tensor data is written in slices of this size (a ByteBuffer addresses at most 2 GiB). */
  private static final long CHUNK = 1L << 26;

  static {
    // Data is copied byte for byte between memory and file; the format is little-endian.
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
      throw new ExceptionInInitializerError("BinaryStateFile needs a little-endian platform, this one is " + ByteOrder.nativeOrder());
  }

  private BinaryStateFile() {}

  /** What to write; called once with a writer into the temporary file. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(StateWriter writer) throws IOException;
  }

  /** Writes {@code path} atomically ({@link AtomicFiles}): the old file (if any) stays until the new one is complete on disk. */
  public static void write(Path path, Contents contents) throws IOException {
    try {
      AtomicFiles.write(path, ch -> {
        FileWriter w = new FileWriter(ch, path.toAbsolutePath().toString());
        w.begin();
        contents.writeTo(w);
        w.finish();
      });
    } catch (UncheckedIOException e) {
      throw e.getCause(); // this API reports I/O failures checked
    }
  }

  /** Opens (memory-maps) a state file and checks its structure and checksum. */
  public static Reader open(Path path) throws IOException {
    return new Reader(path);
  }

  private static final class FileWriter implements StateWriter {
    private final FileChannel ch;
    private final String target;
    private final CRC32 crc = new CRC32();
    private final Set<String> keys = new HashSet<>();
    private long position;

    FileWriter(FileChannel ch, String target) {
      this.ch = ch;
      this.target = target;
    }

    void begin() throws IOException {
      ByteBuffer b = buffer(MAGIC.length + 4);
      b.put(MAGIC).putInt(VERSION);
      write(b.flip());
    }

    void finish() throws IOException {
      write(buffer(1).put(TAG_END).flip());
      ByteBuffer b = buffer(8).putLong(crc.getValue());
      AtomicFiles.writeFully(ch, b.flip());
    }

    @Override
    public void putString(String key, String value) throws IOException {
      byte[] k = claim(key), v = value.getBytes(UTF_8);
      ByteBuffer b = buffer(1 + 4 + k.length + 4 + v.length);
      b.put(TAG_STRING).putInt(k.length).put(k).putInt(v.length).put(v);
      write(b.flip());
    }

    @Override
    public void putTensor(String key, Tensor value) throws IOException {
      byte[] k = claim(key), dt = value.dtype().safetensorsName().getBytes(US_ASCII);
      int[] shape = value.shape();
      ByteBuffer b = buffer(1 + 4 + k.length + 1 + dt.length + 4 + 8 * shape.length + 8);
      b.put(TAG_TENSOR).putInt(k.length).put(k).put((byte) dt.length).put(dt).putInt(shape.length);
      for (int d : shape) b.putLong(d);
      b.putLong(value.byteSize());
      write(b.flip());
      long pad = (ALIGN - position % ALIGN) % ALIGN;
      write(ByteBuffer.allocate((int) pad));
      try (Tensor host = value.to(Device.CPU)) {
        MemorySegment data = Elements.segment(host).asSlice(host.offset() * host.dtype().byteSize(), host.byteSize());
        for (long off = 0; off < data.byteSize(); off += CHUNK)
          write(data.asSlice(off, Math.min(CHUNK, data.byteSize() - off)).asByteBuffer());
      }
    }

    private byte[] claim(String key) {
      if (key == null || key.isEmpty()) throw new IllegalArgumentException(target + ": empty state key");
      if (!keys.add(key)) throw new IllegalArgumentException(target + ": state key '" + key + "' written twice");
      return key.getBytes(UTF_8);
    }

    private void write(ByteBuffer b) throws IOException {
      crc.update(b.duplicate());
      position += b.remaining();
      AtomicFiles.writeFully(ch, b);
    }

    private static ByteBuffer buffer(int n) {
      return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** A mapped state file; tensors are copied out of the mapping by {@link #read}. Close to unmap. */
  public static final class Reader implements StateReader, AutoCloseable {
    private record Entry(DType dtype, int[] shape, long dataOffset, long byteLength) {}

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment file;
    private final Map<String, String> strings = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private long pos;

    private Reader(Path path) throws IOException {
      this.source = path.toString();
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        parse();
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
    }

    private void parse() throws IOException {
      if (file.byteSize() < MAGIC.length + 4 || !Arrays.equals(bytes(MAGIC.length), MAGIC))
        throw new IOException(source + " is not an RM-R1 optimizer state file (magic " + new String(MAGIC, US_ASCII) + " missing)");
      int version = u32();
      if (version != VERSION) throw new IOException(source + ": unsupported state file version " + version + " (expected " + VERSION + ")");
      while (true) {
        byte tag = bytes(1)[0];
        if (tag == TAG_END) break;
        String key = new String(bytes(length(u32(), "key")), UTF_8);
        if (strings.containsKey(key) || tensors.containsKey(key)) throw corrupt("duplicate key '" + key + "'");
        if (tag == TAG_STRING) {
          strings.put(key, new String(bytes(length(u32(), "value of '" + key + "'")), UTF_8));
        } else if (tag == TAG_TENSOR) {
          tensors.put(key, tensorEntry(key));
        } else {
          throw corrupt("unknown entry tag " + tag);
        }
      }
      long crcAt = pos;
      long stored = u64();
      if (pos != file.byteSize()) throw corrupt((file.byteSize() - pos) + " trailing bytes after the checksum");
      CRC32 crc = new CRC32();
      for (long off = 0; off < crcAt; off += CHUNK) crc.update(file.asSlice(off, Math.min(CHUNK, crcAt - off)).asByteBuffer());
      if (crc.getValue() != stored)
        throw new IOException(source + ": checksum mismatch (stored " + Long.toHexString(stored) + ", computed "
            + Long.toHexString(crc.getValue()) + "): the file is corrupt");
    }

    private Entry tensorEntry(String key) throws IOException {
      String dtName = new String(bytes(bytes(1)[0] & 0xff), US_ASCII);
      DType dtype = DType.fromSafetensorsName(dtName);
      if (dtype == null) throw corrupt("tensor '" + key + "' has unknown dtype '" + dtName + "'");
      int rank = u32();
      if (rank < 0 || rank > 64) throw corrupt("tensor '" + key + "' has rank " + rank);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) {
        long d = u64();
        if (d < 0 || d > Integer.MAX_VALUE) throw corrupt("tensor '" + key + "' has size " + Long.toUnsignedString(d) + " in dim " + i);
        shape[i] = (int) d;
      }
      long byteLength = u64();
      long expected = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
      if (byteLength != expected)
        throw corrupt("tensor '" + key + "' " + Arrays.toString(shape) + " " + dtype + " needs " + expected + " bytes, header says " + byteLength);
      pos += (ALIGN - pos % ALIGN) % ALIGN;
      long offset = pos;
      skip(byteLength);
      return new Entry(dtype, shape, offset, byteLength);
    }

    private int length(int u32, String what) throws IOException {
      if (u32 < 0) throw corrupt("length of " + what + " is " + Integer.toUnsignedString(u32));
      return u32;
    }

    private byte[] bytes(int n) throws IOException {
      skip(n);
      return file.asSlice(pos - n, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private int u32() throws IOException {
      skip(4);
      return file.get(U32, pos - 4);
    }

    private long u64() throws IOException {
      skip(8);
      return file.get(U64, pos - 8);
    }

    private void skip(long n) throws IOException {
      if (n < 0 || n > file.byteSize() - pos) throw corrupt("truncated (needs " + n + " more bytes at offset " + pos + ", file has " + file.byteSize() + ")");
      pos += n;
    }

    private IOException corrupt(String why) {
      return new IOException(source + ": corrupt optimizer state file: " + why);
    }

    @Override
    public String source() {
      return source;
    }

    @Override
    public Set<String> stringKeys() {
      return Collections.unmodifiableSet(strings.keySet());
    }

    @Override
    public Set<String> tensorKeys() {
      return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public String string(String key) {
      String v = strings.get(key);
      if (v == null) throw new IllegalArgumentException(source + ": no entry '" + key + "' in the optimizer state");
      return v;
    }

    @Override
    public DType dtype(String tensorKey) {
      return entry(tensorKey).dtype;
    }

    @Override
    public int[] shape(String tensorKey) {
      return entry(tensorKey).shape.clone();
    }

    @Override
    public void read(String tensorKey, Tensor dst) {
      Entry e = entry(tensorKey);
      if (dst.dtype() != e.dtype || !Arrays.equals(dst.shape(), e.shape))
        throw new IllegalArgumentException(source + ": tensor '" + tensorKey + "' is " + Arrays.toString(e.shape) + " " + e.dtype
            + " but the destination is " + Arrays.toString(dst.shape()) + " " + dst.dtype());
      CpuStorage storage = CpuStorage.wrap(file.asSlice(e.dataOffset, e.byteLength), null);
      try (Tensor stored = Tensor.wrap(storage, e.dtype, e.shape, Tensor.denseStrides(e.shape), 0)) {
        if (dst.device().isCpu()) {
          dst.copyFrom(stored);
        } else {
          try (Tensor moved = stored.to(dst.device())) {
            dst.copyFrom(moved);
          }
        }
      } finally {
        storage.release();
      }
    }

    private Entry entry(String key) {
      Entry e = tensors.get(key);
      if (e == null) throw new IllegalArgumentException(source + ": no tensor '" + key + "' in the optimizer state");
      return e;
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
