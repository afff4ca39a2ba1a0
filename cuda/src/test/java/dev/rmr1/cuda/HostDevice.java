package dev.rmr1.cuda;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.UnaryOp;
import dev.rmr1.tensor.cpu.CpuBackend;
import dev.rmr1.tensor.cpu.CpuStorage;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.lang.foreign.MemorySegment;

/**
 * A test device, {@code cuda:99}, whose storage is host memory but not the CPU backend's: a tensor
 * on it can only be read through {@link Backend#copyToHost}, as on a GPU, so any code in the
 * models, autograd or nn that reaches into host memory directly fails on it. The kernels are the
 * CPU backend's, run on CPU views of the same memory. This lets the GPU test suites (the backend
 * contract and the whole-model tests) run, and be checked, on machines without a GPU; only the
 * CUDA kernels themselves need the real device. Registered with ServiceLoader for device type
 * "cuda"; it refuses every index but 99, so real devices go to {@link CudaBackendProvider}.
 */
public final class HostDevice implements Backends.BackendProvider {
  static final Device DEVICE = new Device("cuda", 99);

  @Override
  public String deviceType() {
    return "cuda";
  }

  @Override
  public Backend create(Device device) {
    if (!device.equals(DEVICE)) throw new IllegalStateException("(the host-memory test device is " + DEVICE + " only)");
    return new HostBackend();
  }

  /** Host memory that is deliberately not a {@link CpuStorage}. */
  static final class HostStorage extends Storage {
    private final MemorySegment segment;

    HostStorage(long bytes) {
      super(bytes);
      segment = NativeMemory.allocate(bytes);
    }

    @Override
    public Device device() {
      return DEVICE;
    }

    @Override
    protected void free() {
      NativeMemory.free(segment);
    }
  }

  private static final class HostBackend implements Backend {
    private static final CpuBackend CPU = CpuBackend.instance();

    @Override
    public Device device() {
      return DEVICE;
    }

    @Override
    public Storage allocate(long bytes) {
      return new HostStorage(bytes);
    }

    /** The same view of the same memory as a CPU tensor (closed by the caller). */
    private static Tensor cpu(Tensor t) {
      if (!(t.storage() instanceof HostStorage h)) throw new IllegalArgumentException("not a tensor of " + DEVICE + ": " + t);
      if (h.isFreed()) throw new IllegalStateException("storage of " + DEVICE + " was freed");
      CpuStorage s = CpuStorage.wrap(h.segment, null);
      Tensor view = Tensor.wrap(s, t.dtype(), t.shape(), t.strides(), t.offset());
      s.release(); // the view holds the only reference
      return view;
    }

    @Override
    public void copyFromHost(MemorySegment src, Tensor dst) {
      try (Tensor d = cpu(dst)) {
        CPU.copyFromHost(src, d);
      }
    }

    @Override
    public void copyToHost(Tensor src, MemorySegment dst) {
      try (Tensor s = cpu(src)) {
        CPU.copyToHost(s, dst);
      }
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
      try (Tensor d = cpu(dst); Tensor s = cpu(src)) {
        CPU.copy(d, s);
      }
    }

    @Override
    public void fill(Tensor dst, double value) {
      try (Tensor d = cpu(dst)) {
        CPU.fill(d, value);
      }
    }

    @Override
    public void unary(UnaryOp op, Tensor out, Tensor x) {
      try (Tensor o = cpu(out); Tensor a = cpu(x)) {
        CPU.unary(op, o, a);
      }
    }

    @Override
    public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
      // In place (out == a) must stay in place for the CPU kernels too.
      try (Tensor o = cpu(out); Tensor x = out == a ? null : cpu(a); Tensor y = cpu(b)) {
        CPU.binary(op, o, x == null ? o : x, y);
      }
    }

    @Override
    public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
      try (Tensor o = cpu(out); Tensor c = cpu(cond); Tensor x = cpu(a); Tensor y = cpu(b)) {
        CPU.where(o, c, x, y);
      }
    }

    @Override
    public void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
      try (Tensor o = cpu(out); Tensor a = cpu(x)) {
        CPU.reduce(op, o, a, dims);
      }
    }

    @Override
    public void softmax(Tensor out, Tensor x, boolean log) {
      try (Tensor o = cpu(out); Tensor a = cpu(x)) {
        CPU.softmax(o, a, log);
      }
    }

    @Override
    public void matmul(Tensor out, Tensor a, Tensor b) {
      try (Tensor o = cpu(out); Tensor x = cpu(a); Tensor y = cpu(b)) {
        CPU.matmul(o, x, y);
      }
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps) {
      try (Tensor o = cpu(out); Tensor a = cpu(x); Tensor w = cpu(weight)) {
        CPU.rmsNorm(o, a, w, eps);
      }
    }

    @Override
    public void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
      try (Tensor o = cpu(out); Tensor a = cpu(x); Tensor c = cpu(cos); Tensor s = cpu(sin)) {
        CPU.rope(o, a, c, s);
      }
    }

    @Override
    public void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
      try (Tensor o = cpu(out); Tensor a = cpu(q); Tensor b = cpu(k); Tensor c = cpu(v)) {
        CPU.attention(o, a, b, c, scale, causal, qOffset);
      }
    }

    @Override
    public void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
      try (Tensor o = cpu(out); Tensor a = cpu(x); Tensor i = cpu(index)) {
        CPU.indexSelect(o, a, dim, i);
      }
    }

    @Override
    public void gather(Tensor out, Tensor x, int dim, Tensor index) {
      try (Tensor o = cpu(out); Tensor a = cpu(x); Tensor i = cpu(index)) {
        CPU.gather(o, a, dim, i);
      }
    }

    @Override
    public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
      try (Tensor d = cpu(dst); Tensor i = cpu(index); Tensor s = cpu(src)) {
        CPU.scatterAdd(d, dim, i, s);
      }
    }

    @Override
    public void cumsum(Tensor out, Tensor x, int dim) {
      try (Tensor o = cpu(out); Tensor a = cpu(x)) {
        CPU.cumsum(o, a, dim);
      }
    }

    @Override
    public void topk(Tensor values, Tensor indices, Tensor x, int k) {
      try (Tensor v = cpu(values); Tensor i = cpu(indices); Tensor a = cpu(x)) {
        CPU.topk(v, i, a, k);
      }
    }
  }
}
