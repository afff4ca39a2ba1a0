package dev.rmr1.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array: a {@link Storage} plus dtype, shape, strides and offset (both in
 * elements). Views (reshape of a dense tensor, permute, transpose, narrow, expand, squeeze,
 * unsqueeze, select) share the storage and copy nothing; every other operation allocates its result
 * on the same device and calls one primitive of that device's {@link Backend}.
 *
 * <p>Memory is released deterministically: {@link #close()} drops this handle's reference to the
 * storage, and {@link TensorScope} closes everything created inside a block. Using a closed tensor
 * is an error, never a read of freed memory.
 */
public class Tensor implements AutoCloseable {
  private final Storage storage;
  private final DType dtype;
  private final int[] shape;
  private final long[] strides;
  private final long offset;
  private volatile boolean closed;
  TensorScope owner;

  /** Wraps storage that this handle now owns one reference of (the caller has retained it). */
  protected Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
    this.storage = storage;
    this.dtype = dtype;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    TensorScope scope = TensorScope.current();
    if (scope != null) scope.register(this);
  }

  /** A tensor over {@code storage} (the new tensor takes its own reference). */
  public static Tensor wrap(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
    long need = offset;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
      if (shape[i] == 0) need = -1;
      else if (need >= 0) need += (long) (shape[i] - 1) * strides[i];
    }
    if (need >= 0 && (need + 1) * dtype.byteSize() > storage.byteSize())
      throw new IllegalArgumentException("view " + Arrays.toString(shape) + " " + dtype + " at offset " + offset
          + " needs " + (need + 1) * dtype.byteSize() + " bytes but storage has " + storage.byteSize());
    storage.retain();
    return new Tensor(storage, dtype, shape.clone(), strides.clone(), offset);
  }

  // ------------------------------------------------------------------ creation

  public static Tensor empty(Device device, DType dtype, int... shape) {
    for (int d : shape) if (d < 0) throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
    long n = numel(shape);
    Storage s = Backends.of(device).allocate(Math.max(1, n) * dtype.byteSize());
    return new Tensor(s, dtype, shape.clone(), denseStrides(shape), 0);
  }

  public static Tensor empty(DType dtype, int... shape) {
    return empty(Device.CPU, dtype, shape);
  }

  public static Tensor full(Device device, DType dtype, double value, int... shape) {
    Tensor t = empty(device, dtype, shape);
    t.backend().fill(t, value);
    return t;
  }

  public static Tensor zeros(DType dtype, int... shape) {
    return full(Device.CPU, dtype, 0, shape);
  }

  public static Tensor zeros(Device device, DType dtype, int... shape) {
    return full(device, dtype, 0, shape);
  }

  public static Tensor ones(DType dtype, int... shape) {
    return full(Device.CPU, dtype, 1, shape);
  }

  public static Tensor ones(Device device, DType dtype, int... shape) {
    return full(device, dtype, 1, shape);
  }

  /** A 0-d tensor holding {@code value}. */
  public static Tensor scalar(Device device, DType dtype, double value) {
    return full(device, dtype, value, new int[0]);
  }

  public static Tensor of(float[] data, int... shape) {
    return fromHost(Device.CPU, DType.F32, MemorySegment.ofArray(data), data.length, shape);
  }

  public static Tensor of(double[] data, int... shape) {
    return fromHost(Device.CPU, DType.F64, MemorySegment.ofArray(data), data.length, shape);
  }

  public static Tensor ofLongs(long[] data, int... shape) {
    return fromHost(Device.CPU, DType.I64, MemorySegment.ofArray(data), data.length, shape);
  }

  public static Tensor ofInts(int[] data, int... shape) {
    return fromHost(Device.CPU, DType.I32, MemorySegment.ofArray(data), data.length, shape);
  }

  /** Builds a tensor of any dtype from doubles (rounded to nearest even for BF16/F16). */
  public static Tensor of(Device device, DType dtype, double[] data, int... shape) {
    try (Tensor f64 = of(data, shape)) {
      Tensor t = empty(device, dtype, shape);
      if (device.isCpu()) t.backend().copy(t, f64);
      else {
        try (Tensor cast = f64.to(dtype)) {
          t.backend().copyFromHost(((dev.rmr1.tensor.cpu.CpuStorage) cast.storage).segment(), t);
        }
      }
      return t;
    }
  }

  /** A dense tensor whose bytes are copied from host memory laid out row-major in {@code dtype}. */
  public static Tensor fromHost(Device device, DType dtype, MemorySegment bytes, long count, int... shape) {
    if (count != numel(shape))
      throw new IllegalArgumentException(count + " values cannot fill shape " + Arrays.toString(shape) + " (" + numel(shape) + " elements)");
    Tensor t = empty(device, dtype, shape);
    t.backend().copyFromHost(bytes.asSlice(0, count * dtype.byteSize()), t);
    return t;
  }

  /** 0, 1, ..., n-1. */
  public static Tensor arange(Device device, DType dtype, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = i;
    return of(device, dtype, v, n);
  }

  /** Uniform in [low, high), drawn from {@code rng} in row-major order. */
  public static Tensor uniform(Device device, DType dtype, Rng rng, double low, double high, int... shape) {
    double[] v = new double[Math.toIntExact(numel(shape))];
    for (int i = 0; i < v.length; i++) v[i] = low + (high - low) * rng.nextDouble();
    return of(device, dtype, v, shape);
  }

  /** Normal(mean, std), drawn from {@code rng} in row-major order. */
  public static Tensor normal(Device device, DType dtype, Rng rng, double mean, double std, int... shape) {
    double[] v = new double[Math.toIntExact(numel(shape))];
    for (int i = 0; i < v.length; i++) v[i] = mean + std * rng.nextGaussian();
    return of(device, dtype, v, shape);
  }

  /**
   * PyTorch's {@code kaiming_uniform_(w, a)} for a weight of shape (out, in, ...): bound =
   * gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + a^2)); {@code a = sqrt(5)} is nn.Linear's and
   * PEFT's LoRA-A initialiser, giving bound = 1/sqrt(fan_in).
   */
  public static Tensor kaimingUniform(Device device, DType dtype, Rng rng, double a, int... shape) {
    if (shape.length < 2) throw new IllegalArgumentException("kaimingUniform needs at least 2 dims, got " + Arrays.toString(shape));
    long fanIn = numel(shape) / shape[0];
    double bound = Math.sqrt(2.0 / (1 + a * a)) * Math.sqrt(3.0 / fanIn);
    return uniform(device, dtype, rng, -bound, bound, shape);
  }

  // ------------------------------------------------------------------ metadata

  public final DType dtype() {
    return dtype;
  }

  public final Device device() {
    return storage.device();
  }

  public final Backend backend() {
    return Backends.of(storage.device());
  }

  /** The storage, for backends and I/O; not part of the everyday API. */
  public final Storage storage() {
    checkAlive();
    return storage;
  }

  public final int[] shape() {
    return shape.clone();
  }

  public final long[] strides() {
    return strides.clone();
  }

  /** Offset of element (0,...,0) in the storage, in elements. */
  public final long offset() {
    return offset;
  }

  public final int dim() {
    return shape.length;
  }

  /** Size of dimension {@code d}; negative d counts from the end. */
  public final int size(int d) {
    return shape[axis(d)];
  }

  public final long stride(int d) {
    return strides[axis(d)];
  }

  public final long numel() {
    return numel(shape);
  }

  public final long byteSize() {
    return numel() * dtype.byteSize();
  }

  public final boolean isClosed() {
    return closed || storage.isFreed();
  }

  /** Row-major dense (size-1 dims may have any stride; an empty tensor is contiguous, as in PyTorch). */
  public final boolean isContiguous() {
    for (int d : shape) if (d == 0) return true;
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] == 1) continue;
      if (strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape) + " " + dtype + (device().isCpu() ? "" : " " + device()) + (isClosed() ? " (closed)" : "");
  }

  /**
   * True when this handle holds the only reference to its storage: no other tensor or view can see
   * the values, so the storage may be kept (taken over) or updated in place by whoever owns this
   * handle. Autograd uses it to keep fresh gradients instead of copying them.
   */
  public final boolean ownsStorage() {
    checkAlive();
    return !storage.isShared();
  }

  final void checkAlive() {
    if (isClosed())
      throw new IllegalStateException("use of a released tensor " + Arrays.toString(shape) + " " + dtype
          + ": it was closed (directly or by its TensorScope) and its memory may be freed");
  }

  final int axis(int d) {
    int r = d < 0 ? d + shape.length : d;
    if (r < 0 || r >= shape.length)
      throw new IndexOutOfBoundsException("dimension " + d + " out of range for a " + shape.length + "-d tensor " + Arrays.toString(shape));
    return r;
  }

  // ------------------------------------------------------------------ lifetime

  /** Drops this handle's reference; the storage is freed when no view uses it any more. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    storage.release();
  }

  // ------------------------------------------------------------------ views

  private Tensor view(int[] newShape, long[] newStrides, long newOffset) {
    checkAlive();
    storage.retain();
    return new Tensor(storage, dtype, newShape, newStrides, newOffset);
  }

  /** Same data, new shape (one dim may be -1). Needs a dense tensor; see {@link #reshape}. */
  public Tensor view(int... newShape) {
    int[] s = inferShape(newShape);
    if (!isContiguous())
      throw new IllegalArgumentException("view" + Arrays.toString(newShape) + " of non-contiguous " + this + ": use reshape() or contiguous()");
    return view(s, denseStrides(s), offset);
  }

  /** Like {@link #view} when possible, otherwise a dense copy with the new shape. */
  public Tensor reshape(int... newShape) {
    if (isContiguous()) return view(newShape);
    try (Tensor c = contiguous()) {
      return c.view(newShape);
    }
  }

  private int[] inferShape(int[] newShape) {
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
        infer = i;
      } else if (s[i] < 0) throw new IllegalArgumentException("reshape: negative size in " + Arrays.toString(newShape));
      else known *= s[i];
    }
    if (infer >= 0) {
      if (known == 0 || numel() % known != 0)
        throw new IllegalArgumentException("reshape: cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
      s[infer] = Math.toIntExact(numel() / known);
    }
    if (numel(s) != numel())
      throw new IllegalArgumentException("reshape: shape " + Arrays.toString(newShape) + " (" + numel(s)
          + " elements) is invalid for a tensor of shape " + Arrays.toString(shape) + " (" + numel() + " elements)");
    return s;
  }

  public Tensor flatten() {
    return reshape(-1);
  }

  /** Reorders dimensions: result dim i is this tensor's dim {@code order[i]}. */
  public Tensor permute(int... order) {
    if (order.length != shape.length)
      throw new IllegalArgumentException("permute" + Arrays.toString(order) + " of a " + shape.length + "-d tensor");
    int[] s = new int[order.length];
    long[] st = new long[order.length];
    boolean[] seen = new boolean[order.length];
    for (int i = 0; i < order.length; i++) {
      int a = axis(order[i]);
      if (seen[a]) throw new IllegalArgumentException("permute: repeated dim in " + Arrays.toString(order));
      seen[a] = true;
      s[i] = shape[a];
      st[i] = strides[a];
    }
    return view(s, st, offset);
  }

  public Tensor transpose(int d0, int d1) {
    int a = axis(d0), b = axis(d1);
    int[] order = new int[shape.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    order[a] = b;
    order[b] = a;
    return permute(order);
  }

  /** Elements {@code start .. start+length-1} of dim {@code d}. */
  public Tensor narrow(int d, int start, int length) {
    int a = axis(d);
    if (start < 0 || length < 0 || start + length > shape[a])
      throw new IndexOutOfBoundsException("narrow(dim " + d + ", start " + start + ", length " + length + ") of " + this);
    int[] s = shape.clone();
    s[a] = length;
    return view(s, strides.clone(), offset + (length == 0 ? 0 : start * strides[a]));
  }

  /** Python's {@code x[start:end:step]} along dim d (0 <= start <= end <= size, step >= 1). */
  public Tensor slice(int d, int start, int end, int step) {
    int a = axis(d);
    if (step < 1 || start < 0 || end > shape[a] || start > end)
      throw new IndexOutOfBoundsException("slice(dim " + d + ", " + start + ":" + end + ":" + step + ") of " + this);
    int[] s = shape.clone();
    s[a] = (end - start + step - 1) / step;
    long[] st = strides.clone();
    st[a] = strides[a] * step;
    return view(s, st, offset + (s[a] == 0 ? 0 : start * strides[a]));
  }

  /** Index {@code i} of dim d, removing that dim. */
  public Tensor select(int d, int i) {
    int a = axis(d);
    if (i < 0) i += shape[a];
    if (i < 0 || i >= shape[a]) throw new IndexOutOfBoundsException("select(dim " + d + ", index " + i + ") of " + this);
    int[] s = new int[shape.length - 1];
    long[] st = new long[shape.length - 1];
    for (int j = 0, k = 0; j < shape.length; j++) {
      if (j == a) continue;
      s[k] = shape[j];
      st[k++] = strides[j];
    }
    return view(s, st, offset + i * strides[a]);
  }

  /** Broadcasts size-1 dims (and new leading dims) to {@code target} with stride 0; -1 keeps a size. */
  public Tensor expand(int... target) {
    if (target.length < shape.length)
      throw new IllegalArgumentException("expand: cannot expand " + Arrays.toString(shape) + " to fewer dims " + Arrays.toString(target));
    int lead = target.length - shape.length;
    int[] s = new int[target.length];
    long[] st = new long[target.length];
    for (int i = 0; i < target.length; i++) {
      int src = i - lead;
      int want = target[i];
      if (src < 0) {
        if (want < 0) throw new IllegalArgumentException("expand: -1 not allowed for a new leading dim: " + Arrays.toString(target));
        s[i] = want;
        st[i] = 0;
      } else if (want == -1 || want == shape[src]) {
        s[i] = shape[src];
        st[i] = strides[src];
      } else if (shape[src] == 1) {
        s[i] = want;
        st[i] = 0;
      } else {
        throw new IllegalArgumentException("expand: size " + shape[src] + " of dim " + src + " of " + Arrays.toString(shape)
            + " cannot be expanded to " + Arrays.toString(target));
      }
    }
    return view(s, st, offset);
  }

  public Tensor unsqueeze(int d) {
    int a = d < 0 ? d + shape.length + 1 : d;
    if (a < 0 || a > shape.length) throw new IndexOutOfBoundsException("unsqueeze(" + d + ") of " + this);
    int[] s = new int[shape.length + 1];
    long[] st = new long[shape.length + 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i == a) {
        s[i] = 1;
        st[i] = a < shape.length ? strides[a] * shape[a] : 1;
      } else {
        s[i] = shape[j];
        st[i] = strides[j++];
      }
    }
    return view(s, st, offset);
  }

  /** Removes dim d, which must have size 1. */
  public Tensor squeeze(int d) {
    int a = axis(d);
    if (shape[a] != 1) throw new IllegalArgumentException("squeeze(" + d + "): dim has size " + shape[a] + " in " + this);
    return select(a, 0);
  }

  /** A dense tensor with the same values (a new view of this one when already dense). */
  public Tensor contiguous() {
    if (isContiguous()) return view(shape.clone(), strides.clone(), offset);
    return copy();
  }

  /** A dense copy. */
  public Tensor copy() {
    return to(dtype);
  }

  /** A dense copy cast to {@code target} (round to nearest even for BF16/F16; floats truncate toward zero to integers). */
  public Tensor to(DType target) {
    checkAlive();
    Tensor out = empty(device(), target, shape);
    backend().copy(out, this);
    return out;
  }

  /** This tensor's values on another device (a view of this one when it is already there). */
  public Tensor to(Device target) {
    checkAlive();
    if (target.equals(device())) return contiguous();
    try (Tensor dense = contiguous(); Arena arena = Arena.ofConfined()) {
      MemorySegment host = arena.allocate(Math.max(1, byteSize()), 64);
      dense.backend().copyToHost(dense, host);
      return fromHost(target, dtype, host, numel(), shape);
    }
  }

  /** Copies {@code src} (broadcast to this shape, cast to this dtype) into this tensor, in place. */
  public Tensor copyFrom(Tensor src) {
    checkSameDevice("copyFrom", src);
    try (Tensor b = src.expand(shape)) {
      backend().copy(this, b);
    }
    return this;
  }

  /** Sets every element, in place. */
  public Tensor fill(double value) {
    checkAlive();
    backend().fill(this, value);
    return this;
  }

  // ------------------------------------------------------------------ elementwise

  public Tensor apply(UnaryOp op) {
    checkAlive();
    requireFloating(op.name().toLowerCase(), this);
    Tensor out = empty(device(), dtype, shape);
    backend().unary(op, out, this);
    return out;
  }

  public Tensor neg() { return apply(UnaryOp.NEG); }
  public Tensor abs() { return apply(UnaryOp.ABS); }
  public Tensor exp() { return apply(UnaryOp.EXP); }
  public Tensor log() { return apply(UnaryOp.LOG); }
  public Tensor sqrt() { return apply(UnaryOp.SQRT); }
  public Tensor rsqrt() { return apply(UnaryOp.RSQRT); }
  public Tensor tanh() { return apply(UnaryOp.TANH); }
  public Tensor sigmoid() { return apply(UnaryOp.SIGMOID); }
  public Tensor silu() { return apply(UnaryOp.SILU); }
  public Tensor gelu() { return apply(UnaryOp.GELU); }
  public Tensor relu() { return apply(UnaryOp.RELU); }
  public Tensor square() { return apply(UnaryOp.SQUARE); }

  /** op(this, other) with broadcasting; both operands must have the same dtype. */
  public Tensor apply(BinaryOp op, Tensor other) {
    checkAlive();
    other.checkAlive();
    checkSameDevice(op.name().toLowerCase(), other);
    if (dtype != other.dtype)
      throw new IllegalArgumentException(op.name().toLowerCase() + ": dtype mismatch " + dtype + " vs " + other.dtype
          + " (cast one side with to(DType) first)");
    int[] s = broadcastShapes(op.name().toLowerCase(), shape, other.shape);
    Tensor out = empty(device(), op.isComparison() ? DType.BOOL : dtype, s);
    try (Tensor a = expand(s); Tensor b = other.expand(s)) {
      backend().binary(op, out, a, b);
    }
    return out;
  }

  /**
   * In place: this = op(this, other), other broadcast to this shape (this is not broadcast). Used for
   * gradient accumulation and optimizer updates, where results must live in long-lived storage.
   */
  public Tensor applyInPlace(BinaryOp op, Tensor other) {
    checkAlive();
    other.checkAlive();
    checkSameDevice(op.name().toLowerCase() + "_", other);
    if (op.isComparison()) throw new IllegalArgumentException("in-place " + op + " would change the dtype");
    if (dtype != other.dtype)
      throw new IllegalArgumentException(op.name().toLowerCase() + "_: dtype mismatch " + dtype + " vs " + other.dtype);
    int[] s = broadcastShapes(op.name().toLowerCase() + "_", shape, other.shape);
    if (!Arrays.equals(s, shape))
      throw new IllegalArgumentException(op.name().toLowerCase() + "_: in-place result " + Arrays.toString(shape)
          + " cannot take the broadcast shape " + Arrays.toString(s));
    try (Tensor b = other.expand(shape)) {
      backend().binary(op, this, this, b);
    }
    return this;
  }

  public Tensor applyInPlace(BinaryOp op, double scalar) {
    try (Tensor s = scalar(device(), dtype, scalar)) {
      return applyInPlace(op, s);
    }
  }

  public Tensor addInPlace(Tensor o) { return applyInPlace(BinaryOp.ADD, o); }
  public Tensor subInPlace(Tensor o) { return applyInPlace(BinaryOp.SUB, o); }
  public Tensor mulInPlace(Tensor o) { return applyInPlace(BinaryOp.MUL, o); }
  public Tensor mulInPlace(double s) { return applyInPlace(BinaryOp.MUL, s); }

  /** op(this, scalar), the scalar taking this tensor's dtype. */
  public Tensor apply(BinaryOp op, double scalar) {
    try (Tensor s = scalar(device(), dtype, scalar)) {
      return apply(op, s);
    }
  }

  public Tensor add(Tensor o) { return apply(BinaryOp.ADD, o); }
  public Tensor sub(Tensor o) { return apply(BinaryOp.SUB, o); }
  public Tensor mul(Tensor o) { return apply(BinaryOp.MUL, o); }
  public Tensor div(Tensor o) { return apply(BinaryOp.DIV, o); }
  public Tensor pow(Tensor o) { return apply(BinaryOp.POW, o); }
  public Tensor maximum(Tensor o) { return apply(BinaryOp.MAXIMUM, o); }
  public Tensor minimum(Tensor o) { return apply(BinaryOp.MINIMUM, o); }
  public Tensor eq(Tensor o) { return apply(BinaryOp.EQ, o); }
  public Tensor ne(Tensor o) { return apply(BinaryOp.NE, o); }
  public Tensor lt(Tensor o) { return apply(BinaryOp.LT, o); }
  public Tensor le(Tensor o) { return apply(BinaryOp.LE, o); }
  public Tensor gt(Tensor o) { return apply(BinaryOp.GT, o); }
  public Tensor ge(Tensor o) { return apply(BinaryOp.GE, o); }

  public Tensor add(double s) { return apply(BinaryOp.ADD, s); }
  public Tensor sub(double s) { return apply(BinaryOp.SUB, s); }
  public Tensor mul(double s) { return apply(BinaryOp.MUL, s); }
  public Tensor div(double s) { return apply(BinaryOp.DIV, s); }
  public Tensor pow(double s) { return apply(BinaryOp.POW, s); }
  public Tensor maximum(double s) { return apply(BinaryOp.MAXIMUM, s); }
  public Tensor minimum(double s) { return apply(BinaryOp.MINIMUM, s); }
  public Tensor eq(double s) { return apply(BinaryOp.EQ, s); }
  public Tensor lt(double s) { return apply(BinaryOp.LT, s); }
  public Tensor gt(double s) { return apply(BinaryOp.GT, s); }

  /** min(max(this, lo), hi), PyTorch's clamp. */
  public Tensor clamp(double lo, double hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " > max " + hi);
    try (Tensor t = maximum(lo)) {
      return t.minimum(hi);
    }
  }

  /** cond ? a : b with broadcasting; cond is BOOL, a and b share a dtype. */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    cond.checkAlive();
    a.checkAlive();
    b.checkAlive();
    a.checkSameDevice("where", b);
    a.checkSameDevice("where", cond);
    if (cond.dtype != DType.BOOL) throw new IllegalArgumentException("where: condition must be BOOL, got " + cond.dtype);
    if (a.dtype != b.dtype) throw new IllegalArgumentException("where: dtype mismatch " + a.dtype + " vs " + b.dtype);
    int[] s = broadcastShapes("where", broadcastShapes("where", cond.shape, a.shape), b.shape);
    Tensor out = empty(a.device(), a.dtype, s);
    try (Tensor c = cond.expand(s); Tensor x = a.expand(s); Tensor y = b.expand(s)) {
      a.backend().where(out, c, x, y);
    }
    return out;
  }

  // ------------------------------------------------------------------ reductions

  /** Reduces over {@code dims} (negative allowed; empty = all dims). */
  public Tensor reduce(ReduceOp op, int[] dims, boolean keepdim) {
    checkAlive();
    boolean[] red = new boolean[shape.length];
    if (dims.length == 0) Arrays.fill(red, true);
    for (int d : dims) {
      int a = axis(d);
      if (red[a] && dims.length > 0) throw new IllegalArgumentException(op + ": repeated dim " + d);
      red[a] = true;
    }
    int count = 0;
    for (boolean r : red) if (r) count++;
    int[] sorted = new int[count];
    for (int i = 0, k = 0; i < red.length; i++) if (red[i]) sorted[k++] = i;
    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
    if (arg) {
      if (sorted.length != 1 && shape.length != 0) throw new IllegalArgumentException(op + " needs exactly one dim, got " + Arrays.toString(dims));
      for (int d : sorted)
        if (shape[d] == 0) throw new IllegalArgumentException(op + " of an empty dim " + d + " of " + this);
    } else {
      requireFloating(op.name().toLowerCase(), this);
    }
    int[] kept = shape.clone();
    for (int d : sorted) kept[d] = 1;
    Tensor out = empty(device(), arg ? DType.I64 : dtype, kept);
    backend().reduce(op, out, this, sorted);
    if (keepdim) return out;
    int[] squeezed = new int[shape.length - sorted.length];
    for (int i = 0, k = 0; i < shape.length; i++) if (!red[i]) squeezed[k++] = shape[i];
    try (out) {
      return out.view(squeezed);
    }
  }

  public Tensor sum() { return reduce(ReduceOp.SUM, new int[0], false); }
  public Tensor sum(int dim, boolean keepdim) { return reduce(ReduceOp.SUM, new int[] {dim}, keepdim); }
  public Tensor sum(int[] dims, boolean keepdim) { return reduce(ReduceOp.SUM, dims, keepdim); }
  public Tensor max(int dim, boolean keepdim) { return reduce(ReduceOp.MAX, new int[] {dim}, keepdim); }
  public Tensor min(int dim, boolean keepdim) { return reduce(ReduceOp.MIN, new int[] {dim}, keepdim); }
  public Tensor max() { return reduce(ReduceOp.MAX, new int[0], false); }
  public Tensor logsumexp(int dim, boolean keepdim) { return reduce(ReduceOp.LOGSUMEXP, new int[] {dim}, keepdim); }
  public Tensor argmax(int dim, boolean keepdim) { return reduce(ReduceOp.ARGMAX, new int[] {dim}, keepdim); }
  public Tensor argmin(int dim, boolean keepdim) { return reduce(ReduceOp.ARGMIN, new int[] {dim}, keepdim); }

  public Tensor mean() {
    return mean(new int[0], false);
  }

  public Tensor mean(int dim, boolean keepdim) {
    return mean(new int[] {dim}, keepdim);
  }

  public Tensor mean(int[] dims, boolean keepdim) {
    long n = reducedCount(dims);
    try (Tensor s = sum(dims, keepdim)) {
      return s.div(n);
    }
  }

  /** Variance over dims; {@code unbiased} divides by n-1 (PyTorch's default correction=1). */
  public Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
    long n = reducedCount(dims);
    try (Tensor m = mean(dims, true); Tensor d = sub(m); Tensor d2 = d.square(); Tensor s = d2.sum(dims, keepdim)) {
      return s.div(unbiased ? n - 1 : n);
    }
  }

  private long reducedCount(int[] dims) {
    if (dims.length == 0) return numel();
    long n = 1;
    for (int d : dims) n *= shape[axis(d)];
    return n;
  }

  public Tensor softmax(int dim) {
    return softmax(dim, false);
  }

  public Tensor logSoftmax(int dim) {
    return softmax(dim, true);
  }

  private Tensor softmax(int dim, boolean log) {
    checkAlive();
    requireFloating(log ? "logSoftmax" : "softmax", this);
    int a = axis(dim);
    if (a != shape.length - 1) {
      // a dense copy with dim last puts the rows on the vector kernel
      try (Tensor t = transpose(a, -1); Tensor dense = t.contiguous(); Tensor r = dense.softmax(-1, log); Tensor back = r.transpose(a, -1)) {
        return back.contiguous();
      }
    }
    Tensor out = empty(device(), dtype, shape);
    backend().softmax(out, this, log);
    return out;
  }

  // ------------------------------------------------------------------ linear algebra and NN kernels

  /**
   * Matrix product with broadcast batch dims: (..., M, K) @ (..., K, N) -> (..., M, N). {@code other}
   * may be BF16/F16 when this is F32 (frozen weights are used in their stored type).
   */
  public Tensor matmul(Tensor other) {
    checkAlive();
    other.checkAlive();
    checkSameDevice("matmul", other);
    if (dim() < 2 || other.dim() < 2)
      throw new IllegalArgumentException("matmul needs at least 2-d operands, got " + Arrays.toString(shape) + " @ " + Arrays.toString(other.shape));
    int m = size(-2), k = size(-1), k2 = other.size(-2), n = other.size(-1);
    if (k != k2)
      throw new IllegalArgumentException("matmul: inner dims differ: " + Arrays.toString(shape) + " @ " + Arrays.toString(other.shape));
    if (!dtype.isFloating() || (other.dtype != dtype && !(dtype == DType.F32 && (other.dtype == DType.BF16 || other.dtype == DType.F16))))
      throw new IllegalArgumentException("matmul: unsupported dtypes " + dtype + " @ " + other.dtype
          + " (same floating dtype, or F32 @ BF16/F16 weights)");
    int[] batch = broadcastShapes("matmul", Arrays.copyOf(shape, dim() - 2), Arrays.copyOf(other.shape, other.dim() - 2));
    int[] as = Arrays.copyOf(batch, batch.length + 2), bs = Arrays.copyOf(batch, batch.length + 2), os = Arrays.copyOf(batch, batch.length + 2);
    as[batch.length] = m; as[batch.length + 1] = k;
    bs[batch.length] = k; bs[batch.length + 1] = n;
    os[batch.length] = m; os[batch.length + 1] = n;
    Tensor out = empty(device(), dtype, os);
    try (Tensor a = expand(as); Tensor b = other.expand(bs)) {
      backend().matmul(out, a, b);
    }
    return out;
  }

  /** RMSNorm over the last dim: x / sqrt(mean(x^2) + eps) * weight (Hugging Face Qwen2RMSNorm). */
  public Tensor rmsNorm(Tensor weight, double eps) {
    checkAlive();
    weight.checkAlive();
    checkSameDevice("rmsNorm", weight);
    if (weight.dim() != 1 || weight.size(0) != size(-1))
      throw new IllegalArgumentException("rmsNorm: weight shape " + Arrays.toString(weight.shape) + " does not match last dim of " + Arrays.toString(shape));
    requireFloating("rmsNorm", this);
    Tensor out = empty(device(), dtype, shape);
    backend().rmsNorm(out, this, weight, eps);
    return out;
  }

  /** Rotary embedding, rotate-half form; x (..., T, D), cos and sin broadcastable to x (typically (T, D)). */
  public Tensor rope(Tensor cos, Tensor sin) {
    checkAlive();
    checkSameDevice("rope", cos);
    checkSameDevice("rope", sin);
    if (size(-1) % 2 != 0) throw new IllegalArgumentException("rope: head dim " + size(-1) + " is odd in " + this);
    if (cos.dtype != dtype || sin.dtype != dtype) throw new IllegalArgumentException("rope: cos/sin dtype " + cos.dtype + "/" + sin.dtype + " differ from x " + dtype);
    broadcastShapes("rope", shape, cos.shape);
    try (Tensor c = cos.expand(shape); Tensor s = sin.expand(shape)) {
      Tensor out = empty(device(), dtype, shape);
      backend().rope(out, this, c, s);
      return out;
    }
  }

  /**
   * Scaled dot-product attention with grouped KV heads; q (B, Hq, Tq, D), k and v (B, Hkv, Tk, D).
   * {@code qOffset} is the absolute position of the first query (Tk - Tq for a KV-cache step).
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    q.checkAlive();
    k.checkAlive();
    v.checkAlive();
    q.checkSameDevice("attention", k);
    q.checkSameDevice("attention", v);
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4)
      throw new IllegalArgumentException("attention expects (B, H, T, D) tensors, got q " + Arrays.toString(q.shape)
          + " k " + Arrays.toString(k.shape) + " v " + Arrays.toString(v.shape));
    if (!Arrays.equals(k.shape, v.shape) || q.size(0) != k.size(0) || q.size(3) != k.size(3) || k.size(1) == 0 || q.size(1) % k.size(1) != 0)
      throw new IllegalArgumentException("attention: incompatible shapes q " + Arrays.toString(q.shape)
          + " k " + Arrays.toString(k.shape) + " v " + Arrays.toString(v.shape) + " (need equal B and D, Hq a multiple of Hkv)");
    if (q.dtype != k.dtype || q.dtype != v.dtype) throw new IllegalArgumentException("attention: dtypes " + q.dtype + "/" + k.dtype + "/" + v.dtype + " differ");
    if (causal && (qOffset < 0 || qOffset + q.size(2) > k.size(2)))
      throw new IllegalArgumentException("attention: qOffset " + qOffset + " with " + q.size(2) + " queries exceeds " + k.size(2) + " keys");
    Tensor out = empty(q.device(), q.dtype, q.shape);
    q.backend().attention(out, q, k, v, scale, causal, qOffset);
    return out;
  }

  /** Rows of this tensor picked along dim by an I32/I64 index vector (embedding lookup for dim 0). */
  public Tensor indexSelect(int dim, Tensor index) {
    checkAlive();
    checkSameDevice("indexSelect", index);
    requireIndex("indexSelect", index);
    if (index.dim() != 1) throw new IllegalArgumentException("indexSelect: index must be 1-d, got " + Arrays.toString(index.shape));
    int a = axis(dim);
    int[] s = shape.clone();
    s[a] = index.size(0);
    Tensor out = empty(device(), dtype, s);
    backend().indexSelect(out, this, a, index);
    return out;
  }

  /** Embedding lookup: this (V, C) table, ids of any shape -> (ids..., C). */
  public Tensor embedding(Tensor ids) {
    try (Tensor flat = ids.reshape(-1); Tensor rows = indexSelect(0, flat)) {
      int[] s = Arrays.copyOf(ids.shape, ids.dim() + 1);
      s[ids.dim()] = size(1);
      return rows.view(s);
    }
  }

  /** out[i][j] = this[i][index[i][j]] along dim (PyTorch's gather). */
  public Tensor gather(int dim, Tensor index) {
    checkAlive();
    checkSameDevice("gather", index);
    requireIndex("gather", index);
    int a = axis(dim);
    if (index.dim() != dim())
      throw new IllegalArgumentException("gather: index " + Arrays.toString(index.shape) + " has rank " + index.dim() + " but input "
          + Arrays.toString(shape) + " has rank " + dim());
    for (int i = 0; i < shape.length; i++)
      if (i != a && index.shape[i] > shape[i])
        throw new IllegalArgumentException("gather: index shape " + Arrays.toString(index.shape) + " exceeds input " + Arrays.toString(shape) + " at dim " + i);
    Tensor out = empty(device(), dtype, index.shape);
    backend().gather(out, this, a, index);
    return out;
  }

  /** In place: this[index[i][j]][j] += src[i][j] along dim (PyTorch's scatter_add_). */
  public Tensor scatterAddInPlace(int dim, Tensor index, Tensor src) {
    checkAlive();
    checkSameDevice("scatterAdd", index);
    checkSameDevice("scatterAdd", src);
    requireIndex("scatterAdd", index);
    int a = axis(dim);
    if (!Arrays.equals(index.shape, src.shape) || index.dim() != dim())
      throw new IllegalArgumentException("scatterAdd: index " + Arrays.toString(index.shape) + " and src " + Arrays.toString(src.shape)
          + " must have equal shapes of rank " + dim());
    if (src.dtype != dtype) throw new IllegalArgumentException("scatterAdd: src dtype " + src.dtype + " differs from " + dtype);
    for (int i = 0; i < shape.length; i++)
      if (i != a && index.shape[i] > shape[i])
        throw new IllegalArgumentException("scatterAdd: index shape " + Arrays.toString(index.shape) + " exceeds destination " + Arrays.toString(shape) + " at dim " + i);
    backend().scatterAdd(this, a, index, src);
    return this;
  }

  public Tensor cumsum(int dim) {
    checkAlive();
    Tensor out = empty(device(), dtype, shape);
    backend().cumsum(out, this, axis(dim));
    return out;
  }

  /** The k largest values along the last dim (descending) and their I64 indices: {values, indices}. */
  public Tensor[] topk(int k) {
    checkAlive();
    if (dim() == 0 || k < 0 || k > size(-1)) throw new IllegalArgumentException("topk: k=" + k + " for " + this);
    int[] s = shape.clone();
    s[s.length - 1] = k;
    Tensor values = empty(device(), dtype, s);
    Tensor indices = empty(device(), DType.I64, s);
    backend().topk(values, indices, this, k);
    return new Tensor[] {values, indices};
  }

  /** Joins tensors of equal shape except along dim. */
  public static Tensor cat(int dim, List<Tensor> parts) {
    if (parts.isEmpty()) throw new IllegalArgumentException("cat of no tensors");
    Tensor first = parts.get(0);
    int a = first.axis(dim);
    int total = 0;
    for (Tensor p : parts) {
      p.checkAlive();
      first.checkSameDevice("cat", p);
      if (p.dim() != first.dim() || p.dtype != first.dtype)
        throw new IllegalArgumentException("cat: " + p + " does not match " + first);
      for (int i = 0; i < p.dim(); i++)
        if (i != a && p.shape[i] != first.shape[i])
          throw new IllegalArgumentException("cat along dim " + dim + ": shapes " + Arrays.toString(first.shape) + " and " + Arrays.toString(p.shape) + " differ at dim " + i);
      total += p.shape[a];
    }
    int[] s = first.shape.clone();
    s[a] = total;
    Tensor out = empty(first.device(), first.dtype, s);
    int at = 0;
    for (Tensor p : parts) {
      try (Tensor dst = out.narrow(a, at, p.shape[a])) {
        out.backend().copy(dst, p);
      }
      at += p.shape[a];
    }
    return out;
  }

  /** Stacks tensors of equal shape along a new dim. */
  public static Tensor stack(int dim, List<Tensor> parts) {
    if (parts.isEmpty()) throw new IllegalArgumentException("stack of no tensors");
    Tensor[] u = new Tensor[parts.size()];
    try {
      for (int i = 0; i < u.length; i++) {
        if (!Arrays.equals(parts.get(i).shape, parts.get(0).shape))
          throw new IllegalArgumentException("stack: shapes " + Arrays.toString(parts.get(0).shape) + " and " + Arrays.toString(parts.get(i).shape) + " differ");
        u[i] = parts.get(i).unsqueeze(dim);
      }
      return cat(dim, Arrays.asList(u));
    } finally {
      for (Tensor t : u) if (t != null) t.close();
    }
  }

  // ------------------------------------------------------------------ data access

  /** Row-major values as doubles (copied to the host, cast). */
  public double[] toDoubleArray() {
    try (Tensor d = to(DType.F64); Tensor host = d.to(Device.CPU)) {
      double[] r = new double[Math.toIntExact(numel())];
      MemorySegment.copy(((dev.rmr1.tensor.cpu.CpuStorage) host.storage).segment(), ValueLayout.JAVA_DOUBLE, host.offset * 8, r, 0, r.length);
      return r;
    }
  }

  public float[] toFloatArray() {
    try (Tensor d = to(DType.F32); Tensor host = d.to(Device.CPU)) {
      float[] r = new float[Math.toIntExact(numel())];
      MemorySegment.copy(((dev.rmr1.tensor.cpu.CpuStorage) host.storage).segment(), ValueLayout.JAVA_FLOAT, host.offset * 4, r, 0, r.length);
      return r;
    }
  }

  public long[] toLongArray() {
    try (Tensor d = to(DType.I64); Tensor host = d.to(Device.CPU)) {
      long[] r = new long[Math.toIntExact(numel())];
      MemorySegment.copy(((dev.rmr1.tensor.cpu.CpuStorage) host.storage).segment(), ValueLayout.JAVA_LONG, host.offset * 8, r, 0, r.length);
      return r;
    }
  }

  /** The value of a one-element tensor. */
  public double item() {
    if (numel() != 1) throw new IllegalStateException("item() of " + this + " with " + numel() + " elements");
    return toDoubleArray()[0];
  }

  /** One element, by index. */
  public double get(int... index) {
    if (index.length != shape.length) throw new IllegalArgumentException("get: " + index.length + " indices for " + this);
    Tensor t = this;
    Tensor owned = null;
    try {
      for (int i = 0; i < index.length; i++) {
        Tensor next = t.select(0, index[i]);
        if (owned != null) owned.close();
        owned = next;
        t = next;
      }
      return t.item();
    } finally {
      if (owned != null) owned.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  public static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  public static long[] denseStrides(int[] shape) {
    long[] st = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= Math.max(1, shape[i]);
    }
    return st;
  }

  /** NumPy broadcasting of two shapes; the error names the operation and both shapes. */
  public static int[] broadcastShapes(String op, int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      int x = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
      int y = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
      if (x != y && x != 1 && y != 1)
        throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " cannot be broadcast");
      r[i] = x == 1 ? y : x;
    }
    return r;
  }

  final void checkSameDevice(String op, Tensor other) {
    if (!device().equals(other.device()))
      throw new IllegalArgumentException(op + ": tensors on different devices " + device() + " and " + other.device());
  }

  private static void requireFloating(String op, Tensor t) {
    if (!t.dtype.isFloating()) throw new IllegalArgumentException(op + " needs a floating dtype, got " + t.dtype);
  }

  private static void requireIndex(String op, Tensor index) {
    if (index.dtype != DType.I64 && index.dtype != DType.I32)
      throw new IllegalArgumentException(op + ": index must be I32 or I64, got " + index.dtype);
  }
}
