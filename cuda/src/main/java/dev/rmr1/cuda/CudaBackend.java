package dev.rmr1.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.FusedAdamW;
import dev.rmr1.tensor.FusedAttention;
import dev.rmr1.tensor.FusedRmsNorm;
import dev.rmr1.tensor.FusedSwiGlu;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.KernelTimers.Kernel;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.RaggedAttention;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TopFilter;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA implementation of {@link Backend}: the primitives run as the kernels of
 * {@code src/main/cuda/rmr1_kernels.cu}, matrix products on cuBLAS. Tensors keep their views
 * (offset and strides travel to the kernels in a {@code TensorDesc}), so nothing assumes host memory.
 */
public final class CudaBackend implements Backend, FusedAdamW, FusedAttention, FusedRmsNorm, FusedSwiGlu, RaggedAttention, TopFilter {
  static final int MAX_DIMS = 8;
  private static final int THREADS = 256;
  private static final int MAX_BLOCKS = 65535;
  /** Head dims the attention kernel holds in registers: 8 channels per lane of a warp. */
  static final int MAX_HEAD_DIM = 256;
  /** Warps per query row of the per-row attention kernels, each taking every 8th key: ATT_WARPS in the CUDA source. */
  private static final int ATTENTION_WARPS = 8;
  /** Queries from which {@link #attention} (no gradient) takes the blocked products of {@link CudaAttention} (a prefill, not a decode step). */
  private static final int BLOCKED_ATTENTION_MIN_QUERIES = 16;

  private final Device device;
  final CudaContext ctx;
  final DeviceAllocator allocator;
  private final Kernels kernels;
  private final Cublas cublas;
  /** Kernel launches through java.lang.foreign (JCuda's JNI launch cost 7% of a training step on an H100). */
  private final Launcher launcher;
  private final CudaAttention trainingAttention = new CudaAttention(this, CudaAttention.MAX_SCORES);
  /** Index errors of gather/scatter kernels: {flag, offending index} (two 64-bit words), zero when clean. */
  private final DevicePointer indexError;

  CudaBackend(Device device) {
    this.device = device;
    this.ctx = new CudaContext(device.index());
    this.allocator = new DeviceAllocator(ctx);
    this.kernels = new Kernels(ctx);
    this.launcher = new Launcher();
    ctx.makeCurrent(); // the cuBLAS handle binds to the context current at its creation
    this.cublas = Cublas.load();
    this.indexError = allocator.allocate(16);
    cuMemsetD32(indexError, 0, 4); // device memory starts undefined
  }

  @Override
  public Device device() {
    return device;
  }

  /** Device, kernel origin and cuBLAS library, for logs. */
  public String describe() {
    return ctx + ", kernels from " + kernels.origin + ", " + cublas.library;
  }

  public long liveBytes() {
    return allocator.liveBytes();
  }

  public long peakBytes() {
    return allocator.peakBytes();
  }

  @Override
  public void synchronize() {
    ctx.synchronize();
  }

  @Override
  public Storage allocate(long bytes) {
    ctx.makeCurrent();
    return new CudaStorage(device, allocator, bytes);
  }

  // ------------------------------------------------------------------ helpers

  static DevicePointer ptr(Tensor t) {
    return ((CudaStorage) t.storage()).pointer();
  }

  /** Device address of element 0 of a tensor view. */
  static long address(Tensor t) {
    return ptr(t).address() + t.offset() * t.dtype().byteSize();
  }

  /**
   * The kernels' {@code TensorDesc {offset; strides[8]; shape[8]; ndim; contiguous}} of a view, 112
   * bytes little endian, exactly as given (kernels that read dims by position, like attention).
   */
  static byte[] rawDesc(long offset, int[] shape, long[] strides) {
    if (shape.length > MAX_DIMS)
      throw new IllegalArgumentException("the CUDA backend supports views of at most " + MAX_DIMS + " dims, got " + Arrays.toString(shape));
    ByteBuffer b = ByteBuffer.allocate(112).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, offset);
    boolean dense = true;
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      b.putLong(8 + 8 * i, strides[i]);
      b.putInt(72 + 4 * i, shape[i]);
      if (shape[i] != 1 && strides[i] != expected) dense = false;
      expected *= shape[i];
    }
    b.putInt(104, shape.length);
    b.putInt(108, dense ? 1 : 0);
    return b.array();
  }

  /**
   * The desc of a view for kernels that only map row-major linear indices to offsets: size-1 dims
   * are dropped and neighbours that step like one dim are merged, which keeps the mapping (each
   * desc of a launch is mapped on its own) and lets dense views take the kernels' contiguous path.
   */
  static byte[] desc(long offset, int[] shape, long[] strides) {
    int[] s = new int[shape.length];
    long[] st = new long[shape.length];
    int n = 0;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 0) return rawDesc(offset, shape, strides); // empty: no element is ever addressed
      if (shape[i] == 1) continue;
      if (n > 0 && st[n - 1] == strides[i] * shape[i] && (long) s[n - 1] * shape[i] <= Integer.MAX_VALUE) {
        s[n - 1] *= shape[i];
        st[n - 1] = strides[i];
      } else {
        s[n] = shape[i];
        st[n++] = strides[i];
      }
    }
    return rawDesc(offset, Arrays.copyOf(s, n), Arrays.copyOf(st, n));
  }

  static byte[] desc(Tensor t) {
    return desc(t.offset(), t.shape(), t.strides());
  }

  /** Desc of t without its dim {@code d} (the rows of a row kernel). */
  static byte[] descWithout(Tensor t, int d) {
    int[] s = t.shape();
    long[] st = t.strides();
    int[] s2 = new int[s.length - 1];
    long[] st2 = new long[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i == d) continue;
      s2[j] = s[i];
      st2[j++] = st[i];
    }
    return desc(t.offset(), s2, st2);
  }

  private static int code(DType t) {
    return t.ordinal();
  }

  private void launch(String name, long work, int block, Object... args) {
    if (work <= 0) return;
    int grid = (int) Math.min(MAX_BLOCKS, Math.max(1, (work + block - 1) / block));
    launchGrid(name, grid, block, args);
  }

  void launchGrid(String name, int grid, int block, Object... args) {
    ctx.makeCurrent();
    launcher.launch(name, kernels.function(name), grid, block, 0, args);
  }

  /** A kernel that gives each of {@code rows} query rows a block of {@link #ATTENTION_WARPS} warps (block_attend). */
  private void launchAttentionRows(String name, long rows, Object... args) {
    launchGrid(name, rowBlocks(rows), 32 * ATTENTION_WARPS, args);
  }

  static int blockFor(long n) {
    int b = 32;
    while (b < n && b < 1024) b <<= 1;
    return b;
  }

  static int rowBlocks(long rows) {
    return (int) Math.min(MAX_BLOCKS, Math.max(1, rows));
  }

  /** Throws what {@link dev.rmr1.tensor.cpu.Reference} throws when a kernel met an index outside [0, bound). */
  private void checkIndexError(String op, int bound) {
    long[] flag = new long[2];
    ctx.makeCurrent();
    cuMemcpyDtoH(Pointer.to(flag), indexError, 16);
    if (flag[0] != 0) {
      cuMemsetD32(indexError, 0, 4);
      throw new IndexOutOfBoundsException(op + ": index " + flag[1] + " out of range [0, " + bound + ")");
    }
  }

  // ------------------------------------------------------------------ transfers

  /** Largest single transfer (a ByteBuffer view is limited to 2 GiB). */
  private static final long CHUNK = 1L << 30;
  /** Staging buffer for heap segments, which JCuda cannot address (it needs a direct buffer or an offset-free array). */
  private static final long STAGE = 1L << 24;

  private static CUdeviceptr deviceAddress(Tensor t) {
    return ptr(t).withByteOffset(t.offset() * t.dtype().byteSize());
  }

  @Override
  public void copyFromHost(MemorySegment src, Tensor dst) {
    long bytes = dst.byteSize();
    if (bytes == 0) return;
    ctx.makeCurrent();
    CUdeviceptr base = deviceAddress(dst);
    if (src.isNative()) {
      for (long at = 0; at < bytes; at += CHUNK) {
        long n = Math.min(CHUNK, bytes - at);
        cuMemcpyHtoD(base.withByteOffset(at), Pointer.to(src.asSlice(at, n).asByteBuffer()), n);
      }
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stage = arena.allocate(Math.min(bytes, STAGE), 64);
      for (long at = 0; at < bytes; at += STAGE) {
        long n = Math.min(STAGE, bytes - at);
        MemorySegment.copy(src, at, stage, 0, n);
        cuMemcpyHtoD(base.withByteOffset(at), Pointer.to(stage.asSlice(0, n).asByteBuffer()), n);
      }
    }
  }

  @Override
  public void copyToHost(Tensor src, MemorySegment dst) {
    long bytes = src.byteSize();
    if (bytes == 0) return;
    ctx.makeCurrent();
    CUdeviceptr base = deviceAddress(src);
    if (dst.isNative()) {
      for (long at = 0; at < bytes; at += CHUNK) {
        long n = Math.min(CHUNK, bytes - at);
        cuMemcpyDtoH(Pointer.to(dst.asSlice(at, n).asByteBuffer()), base.withByteOffset(at), n);
      }
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stage = arena.allocate(Math.min(bytes, STAGE), 64);
      for (long at = 0; at < bytes; at += STAGE) {
        long n = Math.min(STAGE, bytes - at);
        cuMemcpyDtoH(Pointer.to(stage.asSlice(0, n).asByteBuffer()), base.withByteOffset(at), n);
        MemorySegment.copy(stage, 0, dst, at, n);
      }
    }
  }

  // ------------------------------------------------------------------ primitives

  @Override
  public void copy(Tensor dst, Tensor src) {
    KernelTimers.time(Kernel.COPY, this, () -> copyKernel(dst, src));
  }

  void copyKernel(Tensor dst, Tensor src) {
    if (dst.dtype() == src.dtype() && dst.isContiguous() && src.isContiguous()) {
      if (dst.byteSize() > 0) {
        ctx.makeCurrent();
        cuMemcpyDtoDAsync(deviceAddress(dst), deviceAddress(src), dst.byteSize(), null);
      }
      return;
    }
    launch("rmr1_copy", dst.numel(), THREADS, desc(dst), ptr(dst), code(dst.dtype()), desc(src), ptr(src), code(src.dtype()), dst.numel());
  }

  @Override
  public void fill(Tensor dst, double value) {
    KernelTimers.time(Kernel.FILL, this, () -> fillKernel(dst, value));
  }

  void fillKernel(Tensor dst, double value) {
    launch("rmr1_fill", dst.numel(), THREADS, desc(dst), ptr(dst), code(dst.dtype()), dst.numel(), value);
  }

  @Override
  public void unary(UnaryOp op, Tensor out, Tensor x) {
    KernelTimers.time(Kernel.UNARY, this, () -> {
      launch("rmr1_unary", out.numel(), THREADS, op.ordinal(), desc(out), ptr(out), code(out.dtype()), desc(x), ptr(x), code(x.dtype()), out.numel());
    });
  }

  @Override
  public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.BINARY, this, () -> binaryKernel(op, out, a, b));
  }

  void binaryKernel(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    launch("rmr1_binary", out.numel(), THREADS, op.ordinal(), desc(out), ptr(out), code(out.dtype()), desc(a), ptr(a), desc(b), ptr(b),
        code(a.dtype()), out.numel());
  }

  @Override
  public void swiGlu(Tensor out, Tensor gate, Tensor up) {
    KernelTimers.time(Kernel.UNARY, this, () -> launch("rmr1_swiglu", out.numel(), THREADS, desc(out), ptr(out), desc(gate), ptr(gate), desc(up), ptr(up),
        code(out.dtype()), out.numel()));
  }

  @Override
  public void swiGluBackward(Tensor dGate, Tensor dUp, Tensor g, Tensor gate, Tensor up) {
    Tensor any = dGate != null ? dGate : dUp; // stands in for a missing output (its flag tells the kernel to skip it)
    if (any == null) return;
    Tensor dg = dGate != null ? dGate : any, du = dUp != null ? dUp : any;
    KernelTimers.time(Kernel.BINARY, this, () -> launch("rmr1_swiglu_backward", any.numel(), THREADS, desc(dg), ptr(dg), dGate != null ? 1 : 0, desc(du), ptr(du),
        dUp != null ? 1 : 0, desc(g), ptr(g), desc(gate), ptr(gate), desc(up), ptr(up), code(gate.dtype()), any.numel()));
  }

  @Override
  public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.WHERE, this, () -> {
      launch("rmr1_where", out.numel(), THREADS, desc(out), ptr(out), code(out.dtype()), desc(cond), ptr(cond), desc(a), ptr(a), desc(b), ptr(b),
          out.numel());
    });
  }

  @Override
  public void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    KernelTimers.time(Kernel.REDUCE, this, () -> {
      int[] xs = x.shape();
      long[] xst = x.strides();
      int[] innerShape = new int[dims.length];
      long[] innerStrides = new long[dims.length];
      long ninner = 1;
      for (int i = 0; i < dims.length; i++) {
        innerShape[i] = xs[dims[i]];
        innerStrides[i] = xst[dims[i]];
        ninner *= xs[dims[i]];
      }
      byte[] outer = desc(x.offset(), out.shape(), xst);
      byte[] inner = desc(0, innerShape, innerStrides);
      long nout = out.numel();
      if (nout == 0) return;
      launchGrid("rmr1_reduce", rowBlocks(nout), blockFor(Math.min(ninner, 256)), op.ordinal(), desc(out), ptr(out), code(out.dtype()), outer, inner,
          ptr(x), code(x.dtype()), nout, ninner);
    });
  }

  @Override
  public void softmax(Tensor out, Tensor x, boolean log) {
    KernelTimers.time(Kernel.SOFTMAX, this, () -> {
      int n = x.dim() == 0 ? 1 : x.size(-1);
      long rows = n == 0 ? 0 : x.numel() / n;
      if (rows == 0) return;
      byte[] orows = x.dim() == 0 ? desc(out) : descWithout(out, out.dim() - 1);
      byte[] xrows = x.dim() == 0 ? desc(x) : descWithout(x, x.dim() - 1);
      long os = x.dim() == 0 ? 0 : out.stride(-1), xs = x.dim() == 0 ? 0 : x.stride(-1);
      launchGrid("rmr1_softmax", rowBlocks(rows), blockFor(Math.min(n, 256)), orows, ptr(out), os, xrows, ptr(x), xs, code(x.dtype()), rows, n, log ? 1 : 0);
    });
  }

  @Override
  public void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps) {
    KernelTimers.time(Kernel.RMS_NORM, this, () -> {
      int n = x.size(-1);
      long rows = n == 0 ? 0 : x.numel() / n;
      if (rows == 0) return;
      launchGrid("rmr1_rmsnorm", rowBlocks(rows), blockFor(Math.min(n, 256)), descWithout(out, out.dim() - 1), ptr(out), out.stride(-1),
          descWithout(x, x.dim() - 1), ptr(x), x.stride(-1), code(x.dtype()), ptr(weight), weight.offset(), weight.stride(0), code(weight.dtype()),
          rows, n, eps);
    });
  }

  @Override
  public void rmsNormBackward(Tensor dx, Tensor gn, Tensor g, Tensor x, Tensor weight, double eps) {
    KernelTimers.time(Kernel.RMS_NORM, this, () -> {
      int n = x.size(-1), last = x.dim() - 1;
      long rows = n == 0 ? 0 : x.numel() / n;
      if (rows == 0) return;
      Tensor any = dx != null ? dx : gn; // stands in for a missing output (its flag tells the kernel to skip it)
      if (any == null) return;
      Tensor d = dx != null ? dx : any, o = gn != null ? gn : any;
      launchGrid("rmr1_rmsnorm_backward", rowBlocks(rows), blockFor(Math.min(n, 256)), descWithout(d, last), ptr(d), d.stride(-1), dx != null ? 1 : 0,
          descWithout(o, last), ptr(o), o.stride(-1), gn != null ? 1 : 0, descWithout(g, last), ptr(g), g.stride(-1), descWithout(x, last), ptr(x),
          x.stride(-1), code(x.dtype()), ptr(weight), weight.offset(), weight.stride(0), code(weight.dtype()), rows, n, eps);
    });
  }

  @Override
  public void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    KernelTimers.time(Kernel.ROPE, this, () -> {
      launch("rmr1_rope", out.numel(), THREADS, desc(out), ptr(out), desc(x), ptr(x), desc(cos), ptr(cos), desc(sin), ptr(sin), code(x.dtype()),
          out.numel(), x.size(-1), x.stride(-1));
    });
  }

  @Override
  public void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION, this, () -> {
      if (q.size(2) >= BLOCKED_ATTENTION_MIN_QUERIES && trainingAttention.supports(q, k, v)) {
        // a prefill: the blocked products on cuBLAS; the per-row kernel is for a few queries (decode)
        try (Tensor lse = Tensor.empty(device, DType.F32, q.size(0), q.size(1), q.size(2))) {
          trainingAttention.forward(out, lse, q, k, v, scale, causal, qOffset);
        }
        return;
      }
      int d = q.size(3);
      if (d > MAX_HEAD_DIM) throw new IllegalArgumentException("CUDA attention supports head dims up to " + MAX_HEAD_DIM + ", got " + d + " in q " + q);
      long rows = (long) q.size(0) * q.size(1) * q.size(2);
      if (rows == 0) return;
      launchAttentionRows("rmr1_attention", rows, raw(out), ptr(out), raw(q), ptr(q), raw(k), ptr(k), raw(v), ptr(v), code(q.dtype()), scale,
          causal ? 1 : 0, qOffset);
    });
  }

  @Override
  public boolean fusedAttentionSupports(Tensor q, Tensor k, Tensor v) {
    return trainingAttention.supports(q, k, v);
  }

  @Override
  public void attentionForward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION, this, () -> trainingAttention.forward(out, lse, q, k, v, scale, causal, qOffset));
  }

  @Override
  public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale,
      boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION_BACKWARD, this, () -> trainingAttention.backward(dq, dk, dv, dOut, q, k, v, out, lse, scale, causal, qOffset));
  }

  /** Sequences per launch of the batched decoding kernels: the size of their SeqTable argument. */
  static final int MAX_SEQS = 64;
  /** The kernels' {@code struct SeqTable}: two address and three int arrays of MAX_SEQS, the count and padding. */
  private static final int SEQ_TABLE_BYTES = 28 * MAX_SEQS + 8;

  @Override
  public boolean raggedAttentionSupports(Tensor q, List<Tensor> keyCaches, List<Tensor> valueCaches, int[] counts) {
    if (q.size(3) > MAX_HEAD_DIM) return false;
    for (int c : counts) if (c != 1) return false; // decoding steps only; a prefill attends per sequence
    for (List<Tensor> caches : List.of(keyCaches, valueCaches))
      for (Tensor t : caches) if (t == null || !t.isContiguous() || !t.device().equals(device) || t.dtype() != q.dtype()) return false;
    return true;
  }

  @Override
  public void appendAndAttend(Tensor out, Tensor q, Tensor k, Tensor v, List<Tensor> keyCaches, List<Tensor> valueCaches, int[] pasts, int[] offsets,
      double scale) {
    KernelTimers.time(Kernel.ATTENTION, this, () -> {
      int n = pasts.length, hkv = k.size(1);
      for (int s0 = 0; s0 < n; s0 += MAX_SEQS) {
        int count = Math.min(MAX_SEQS, n - s0);
        byte[] table = seqTable(keyCaches, valueCaches, pasts, offsets, s0, count);
        launch("rmr1_cache_append", (long) count * hkv * k.size(3), THREADS, table, raw(k), ptr(k), raw(v), ptr(v), code(k.dtype()));
        long rows = (long) count * q.size(1);
        launchAttentionRows("rmr1_decode_attention", rows, table, raw(out), ptr(out), raw(q), ptr(q), code(q.dtype()), hkv, scale);
      }
    });
  }

  /** The kernels' {@code SeqTable} of sequences [s0, s0 + count): cache addresses, past lengths, packed offsets, capacities. */
  static byte[] seqTable(List<Tensor> keyCaches, List<Tensor> valueCaches, int[] pasts, int[] offsets, int s0, int count) {
    ByteBuffer b = ByteBuffer.allocate(SEQ_TABLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      Tensor kc = keyCaches.get(s0 + i), vc = valueCaches.get(s0 + i);
      if (pasts[s0 + i] >= kc.size(2))
        throw new IllegalArgumentException("sequence " + (s0 + i) + ": cache of " + kc.size(2) + " positions has no room at position " + pasts[s0 + i]);
      b.putLong(8 * i, address(kc));
      b.putLong(8 * MAX_SEQS + 8 * i, address(vc));
      b.putInt(16 * MAX_SEQS + 4 * i, pasts[s0 + i]);
      b.putInt(20 * MAX_SEQS + 4 * i, offsets[s0 + i]);
      b.putInt(24 * MAX_SEQS + 4 * i, kc.size(2));
    }
    b.putInt(28 * MAX_SEQS, count);
    return b.array();
  }

  private static byte[] raw(Tensor t) {
    return rawDesc(t.offset(), t.shape(), t.strides());
  }

  @Override
  public void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
    KernelTimers.time(Kernel.INDEX_SELECT, this, () -> {
      // index (n) broadcast over out's shape: stride 0 everywhere but along dim.
      long[] ist = new long[out.dim()];
      ist[dim] = index.stride(0);
      gatherKernel("indexSelect", out, x, dim, desc(index.offset(), out.shape(), ist), index);
    });
  }

  @Override
  public void gather(Tensor out, Tensor x, int dim, Tensor index) {
    KernelTimers.time(Kernel.GATHER, this, () -> {
      gatherKernel("gather", out, x, dim, desc(index), index);
    });
  }

  private void gatherKernel(String op, Tensor out, Tensor x, int dim, byte[] idxDesc, Tensor index) {
    long[] xst = x.strides();
    long dimStride = xst[dim];
    xst[dim] = 0;
    launch("rmr1_gather", out.numel(), THREADS, desc(out), ptr(out), code(out.dtype()), desc(x.offset(), out.shape(), xst), ptr(x), dimStride,
        x.size(dim), idxDesc, ptr(index), code(index.dtype()), out.numel(), indexError);
    if (out.numel() > 0) checkIndexError(op, x.size(dim));
  }

  @Override
  public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    KernelTimers.time(Kernel.SCATTER_ADD, this, () -> {
      long[] dst2 = dst.strides();
      long dimStride = dst2[dim];
      dst2[dim] = 0;
      launch("rmr1_scatter_add", index.numel(), THREADS, desc(src), ptr(src), code(dst.dtype()), desc(dst.offset(), index.shape(), dst2), ptr(dst),
          dimStride, dst.size(dim), desc(index), ptr(index), code(index.dtype()), index.numel(), indexError);
      if (index.numel() > 0) checkIndexError("scatterAdd", dst.size(dim));
    });
  }

  @Override
  public void cumsum(Tensor out, Tensor x, int dim) {
    KernelTimers.time(Kernel.CUMSUM, this, () -> {
      int n = x.size(dim);
      long rows = n == 0 ? 0 : x.numel() / n;
      // a block per row, about 16 elements per thread
      if (rows > 0) launchGrid("rmr1_cumsum", rowBlocks(rows), blockFor((n + 15) / 16), descWithout(out, dim), ptr(out), out.stride(dim),
          descWithout(x, dim), ptr(x), x.stride(dim), code(x.dtype()), rows, n);
    });
  }

  @Override
  public void topFilter(Tensor out, Tensor probs, int[] topK, double[] topP, double[] minP) {
    KernelTimers.time(Kernel.TOP_FILTER, this, () -> {
      for (Tensor t : new Tensor[] {out, probs})
        if (!t.device().equals(device) || t.dtype() != DType.F64 || t.dim() != 2 || !t.isContiguous() || !Arrays.equals(t.shape(), probs.shape()))
          throw new IllegalArgumentException("topFilter needs dense (S, V) F64 tensors of one shape on " + device + ", got " + t + " and " + probs);
      int rows = probs.size(0), vocab = probs.size(1);
      if (topK.length != rows || topP.length != rows || minP.length != rows)
        throw new IllegalArgumentException("topFilter: " + rows + " rows but " + topK.length + " top-k, " + topP.length + " top-p and " + minP.length
            + " min-p values");
      if (rows == 0 || vocab == 0) return;
      double[] params = new double[3 * rows]; // (S, 3): top-k, top-p, min-p
      for (int i = 0; i < rows; i++) {
        params[3 * i] = topK[i];
        params[3 * i + 1] = topP[i];
        params[3 * i + 2] = minP[i];
      }
      try (Tensor p = Tensor.of(device, DType.F64, params, rows, 3)) {
        launchGrid("rmr1_top_filter", rowBlocks(rows), 1024, address(out), address(probs), address(p), (long) rows, vocab);
      }
    });
  }

  @Override
  public void topk(Tensor values, Tensor indices, Tensor x, int k) {
    KernelTimers.time(Kernel.TOPK, this, () -> {
      int n = x.size(-1);
      long rows = n == 0 ? 0 : x.numel() / n;
      if (rows == 0 || k == 0) return;
      int last = x.dim() - 1;
      launchGrid("rmr1_topk", rowBlocks(rows), blockFor(Math.min(n, 256)), descWithout(values, last), ptr(values), values.stride(-1),
          descWithout(indices, last), ptr(indices), indices.stride(-1), descWithout(x, last), ptr(x), x.stride(-1), code(x.dtype()), rows, n, k);
    });
  }

  // ------------------------------------------------------------------ optimizer

  /**
   * One fused AdamW update of dense F32 tensors of this device, in place: param {@code p}, gradient
   * {@code g}, first and second moments {@code m} and {@code v}. The arguments are the scalars of
   * {@code dev.rmr1.nn.optim.AdamW.Coefficients} for this step, computed in double as PyTorch does;
   * the float operations are those of {@code AdamW.composedUpdate}, so the result has the same bits
   * (one pass over four buffers instead of a dozen kernels and temporaries).
   */
  @Override
  public void adamW(Tensor p, Tensor g, Tensor m, Tensor v, boolean decay, double decayFactor, double lerpWeight, double beta2, double gradSqWeight,
      double biasCorrection2Sqrt, double eps, double negStepSize) {
    for (Tensor t : new Tensor[] {p, g, m, v}) {
      if (!t.device().equals(device) || t.dtype() != DType.F32 || !t.isContiguous())
        throw new IllegalArgumentException("adamW needs dense F32 tensors on " + device + ", got " + t);
      if (!Arrays.equals(t.shape(), p.shape()))
        throw new IllegalArgumentException("adamW: shape " + Arrays.toString(t.shape()) + " differs from the parameter's " + Arrays.toString(p.shape()));
    }
    // element 0 of each view as a raw 64-bit device address (a pointer parameter's bytes)
    launch("rmr1_adamw", p.numel(), THREADS, address(p), address(g), address(m), address(v), p.numel(), decay ? 1 : 0, (float) decayFactor, Math.abs(lerpWeight) < 0.5 ? 1 : 0, (float) lerpWeight,
        (float) (1 - lerpWeight), (float) beta2, (float) gradSqWeight, (float) biasCorrection2Sqrt, (float) eps, (float) negStepSize);
  }

  // ------------------------------------------------------------------ matmul on cuBLAS

  @Override
  public void matmul(Tensor out, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.MATMUL, this, () -> gemm(out, a, b));
  }

  /** The product of {@link #matmul}, untimed (also for {@link CudaAttention}'s blocks). */
  void gemm(Tensor out, Tensor a, Tensor b) {
    int m = a.size(-2), k = a.size(-1), n = b.size(-1);
    long batch = out.numel() / Math.max(1, (long) m * n);
    if (out.numel() == 0) return;
    if (k == 0) {
      fillKernel(out, 0);
      return;
    }
    List<Tensor> temps = new ArrayList<>();
    try {
      Tensor c = out.isContiguous() ? out : track(temps, Tensor.empty(device, out.dtype(), out.shape()));
      Tensor aa = a, bb = b;
      MatmulPrecision precision = MatmulPrecision.current();
      if (a.dtype() == DType.F32 && b.dtype() == DType.F32 && precision == MatmulPrecision.MEDIUM) {
        // both operands rounded to BF16, products accumulated in F32 (PyTorch autocast's BF16 matmul)
        aa = track(temps, rounded(a, DType.BF16));
        bb = track(temps, rounded(b, DType.BF16));
      } else if (a.dtype() == DType.F32 && (b.dtype() == DType.BF16 || b.dtype() == DType.F16)) {
        // cuBLAS has no F32 x BF16 product: the activation is rounded to the weight type and the
        // product accumulates in F32 (what PyTorch autocast does for BF16 training).
        aa = track(temps, rounded(a, b.dtype()));
      }
      DType bt = bb.dtype();
      Operand pa = operand(aa, temps), pb = operand(bb, temps);
      int type = cudaType(bt);
      int compute = a.dtype() == DType.F64 ? Cublas.COMPUTE_64F
          : precision == MatmulPrecision.HIGH && bt == DType.F32 ? Cublas.COMPUTE_32F_FAST_TF32 : Cublas.COMPUTE_32F;
      // Row-major C = A B is column-major C^T = B^T A^T: cuBLAS gets (B, A) and sizes (n, m).
      ctx.makeCurrent();
      cublas.gemmStridedBatched(pb.op, pa.op, n, m, k, pb.address, type, pb.ld, pb.batchStride, pa.address, type, pa.ld, pa.batchStride,
          address(c), cudaType(out.dtype()), n, (long) m * n, (int) batch, compute);
      if (c != out) copyKernel(out, c);
    } finally {
      for (Tensor t : temps) t.close();
    }
  }

  /**
   * x in dtype {@code to} (rounded to nearest even), made by the copy kernel itself (untimed inside a
   * product). When x's elements fill one storage span in some dim order (a dense tensor or a
   * transpose of one, as a weight read transposed) the span is cast in memory order and the result
   * keeps x's strides: casting through the view would gather a transposed 151k x 896 LM head
   * element by element. Anything else becomes a dense copy.
   */
  private Tensor rounded(Tensor x, DType to) {
    long n = x.numel();
    if (n > 0 && n <= Integer.MAX_VALUE && fillsSpan(x)) {
      try (Tensor flat = Tensor.wrap(x.storage(), x.dtype(), new int[] {(int) n}, new long[] {1}, x.offset());
          Tensor cast = Tensor.empty(device, to, (int) n)) {
        copyKernel(cast, flat);
        return Tensor.wrap(cast.storage(), to, x.shape(), x.strides(), 0);
      }
    }
    Tensor t = Tensor.empty(device, to, x.shape());
    copyKernel(t, x);
    return t;
  }

  /** Whether x's elements are exactly storage positions offset .. offset + numel - 1 (strides a permutation of dense ones). */
  static boolean fillsSpan(Tensor x) {
    int[] shape = x.shape();
    long[] strides = x.strides();
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 1) continue;
      if (strides[i] <= 0) return false;
      dims.add(i);
    }
    dims.sort((a, b) -> Long.compare(strides[a], strides[b]));
    long expected = 1;
    for (int d : dims) {
      if (strides[d] != expected) return false;
      expected *= shape[d];
    }
    return true;
  }

  private static Tensor track(List<Tensor> temps, Tensor t) {
    temps.add(t);
    return t;
  }

  private record Operand(long address, int op, int ld, long batchStride) {}

  /**
   * How cuBLAS reads a row-major (..., R, C) operand: its last two dims must be row-major (unit
   * column stride) or column-major (unit row stride) with a leading dimension that fits an int, and
   * its batch dims must collapse into one stride; anything else is copied dense first.
   */
  private Operand operand(Tensor t, List<Tensor> temps) {
    int r = t.size(-2), c = t.size(-1);
    long sr = t.stride(-2), sc = t.stride(-1);
    long batchStride = collapsedBatchStride(t);
    boolean rowMajor = (c == 1 || sc == 1) && (r == 1 || sr >= c);
    boolean colMajor = !rowMajor && (r == 1 || sr == 1) && (c == 1 || sc >= r);
    // Column-major reading of row-major memory is the transpose: op N gives t^T, which is what
    // the swapped product needs; column-major memory needs op T.
    long ld = rowMajor ? Math.max(Math.max(1, c), r == 1 ? c : sr) : Math.max(Math.max(1, r), c == 1 ? r : sc);
    if (batchStride < 0 || !(rowMajor || colMajor) || ld > Integer.MAX_VALUE) {
      Tensor dense = track(temps, t.copy());
      return new Operand(address(dense), Cublas.OP_N, Math.max(1, c), (long) r * c);
    }
    return new Operand(address(t), rowMajor ? Cublas.OP_N : Cublas.OP_T, (int) ld, batchStride);
  }

  /** One stride that walks all batch dims of t in row-major order (0 when broadcast), or -1 if none does. */
  private static long collapsedBatchStride(Tensor t) {
    int nb = t.dim() - 2;
    long stride = -1;
    long expected = -1;
    for (int i = nb - 1; i >= 0; i--) {
      if (t.size(i) == 1) continue;
      long s = t.stride(i);
      if (stride < 0) {
        stride = s;
        expected = s * t.size(i);
      } else if (stride == 0 ? s != 0 : s != expected) {
        return -1;
      } else {
        expected = s * t.size(i);
      }
    }
    return stride < 0 ? 0 : stride;
  }

  private static int cudaType(DType t) {
    return switch (t) {
      case F32 -> Cublas.R_32F;
      case F64 -> Cublas.R_64F;
      case BF16 -> Cublas.R_16BF;
      case F16 -> Cublas.R_16F;
      default -> throw new IllegalArgumentException("cuBLAS matmul does not support " + t);
    };
  }
}
