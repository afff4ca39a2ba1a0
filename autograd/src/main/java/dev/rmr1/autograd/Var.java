package dev.rmr1.autograd;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor in a differentiable computation: its value ({@link #data()}), whether it requires a
 * gradient, and, for results of operations, the graph node that produced it (PyTorch's dynamic
 * graph, in the spirit of micrograd: a small set of primitive operations with a backward each,
 * everything else composed from them).
 *
 * <p>Memory: every operation allocates its result in the current {@link TensorScope}, as tensor
 * operations do, so a training step runs inside a scope that frees all activations at its end.
 * Leaves ({@link #leaf}) own nothing: their data belongs to whoever created it (a model's
 * parameters live outside any scope). Leaf gradients are created outside every scope on first use,
 * accumulate in place across backward passes, and are closed by {@link #clearGrad()}.
 *
 * <p>Tensors handed to operations besides Vars (index tensors, masks, rope tables, targets) are
 * read again by the backward pass and must stay open until it has run, as they do when created in
 * the step's scope.
 *
 * <p>Shapes and broadcasting follow {@link Tensor}; backward reduces gradients over broadcast dims.
 */
public final class Var {
  private Tensor data;
  private Tensor grad;
  private boolean requiresGrad;
  final Node node;

  private Var(Tensor data, boolean requiresGrad, Node node) {
    this.data = data;
    this.requiresGrad = requiresGrad;
    this.node = node;
  }

  // ------------------------------------------------------------------ creation

  /** A value that needs no gradient (inputs, masks, frozen weights). */
  public static Var constant(Tensor data) {
    return new Var(data, false, null);
  }

  /** A leaf that requires a gradient (a trainable parameter). */
  public static Var leaf(Tensor data) {
    return leaf(data, true);
  }

  public static Var leaf(Tensor data, boolean requiresGrad) {
    Var v = new Var(data, false, null);
    v.setRequiresGrad(requiresGrad);
    return v;
  }

  /** The result of an operation: records a node when gradients are enabled and an input requires one. */
  static Var op(String op, Tensor data, Node.Backward backward, Var... inputs) {
    if (!Grad.needed(inputs)) return constant(data);
    return new Var(data, true, new Node(op, inputs, backward));
  }

  /**
   * Records a node unconditionally (the caller decided that a gradient is needed), with the tensors
   * {@code saved} only for backward, which are closed when the graph is freed.
   */
  static Var recorded(String op, Tensor data, Node.Backward backward, Tensor[] saved, Var... inputs) {
    return new Var(data, true, new Node(op, inputs, backward, saved));
  }

  // ------------------------------------------------------------------ state

  public Tensor data() {
    return data;
  }

  /** The accumulated gradient of a leaf, or null before the first backward (or after {@link #clearGrad}). */
  public Tensor grad() {
    return grad;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** True for values not produced by a recorded operation (parameters, constants). */
  public boolean isLeaf() {
    return node == null;
  }

  /** Name of the operation that produced this value, or null for a leaf. */
  public String op() {
    return node == null ? null : node.op;
  }

  /** PyTorch's {@code requires_grad_()}: only leaves can change it; gradients need a floating dtype. */
  public Var setRequiresGrad(boolean requires) {
    if (node != null) throw new IllegalStateException("requiresGrad can only be changed on a leaf, not on the result of '" + node.op + "'");
    if (requires && !data.dtype().isFloating())
      throw new IllegalArgumentException("only floating tensors can require gradients, got " + data);
    requiresGrad = requires;
    return this;
  }

  /**
   * Replaces a leaf's value (checkpoint loading, merging adapters). The caller keeps ownership of
   * the old tensor. The gradient, if any, must match the new shape or is cleared.
   */
  public void setData(Tensor newData) {
    if (node != null) throw new IllegalStateException("setData on the result of '" + node.op + "': only leaves can be replaced");
    if (requiresGrad && !newData.dtype().isFloating())
      throw new IllegalArgumentException("a leaf requiring grad needs floating data, got " + newData);
    if (grad != null && !Arrays.equals(grad.shape(), newData.shape())) clearGrad();
    data = newData;
  }

  /** Closes and forgets the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
  public void clearGrad() {
    if (grad != null) grad.close();
    grad = null;
  }

  /** Sets an existing gradient to zero, keeping its storage. */
  public void zeroGrad() {
    if (grad != null) grad.fill(0);
  }

  /**
   * Adds {@code g} (owned by the caller of this method, and by this method from now on) to this
   * leaf's gradient. The first gradient is kept as it is when nothing else can see its storage
   * (a fresh dense result in the leaf's dtype), otherwise copied.
   */
  void accumulateGrad(Tensor g) {
    if (!Arrays.equals(g.shape(), data.shape())) {
      g.close();
      throw new IllegalStateException("gradient of shape " + Arrays.toString(g.shape()) + " for a leaf of shape " + Arrays.toString(data.shape()));
    }
    if (grad == null && g.dtype() == data.dtype() && g.offset() == 0 && g.isContiguous() && g.ownsStorage()) {
      grad = TensorScope.escape(g);
      return;
    }
    try (g) {
      if (grad == null) grad = TensorScope.escape(g.to(data.dtype()));
      else grad.addInPlace(g);
    }
  }

  /** The same value without history: no gradient flows through the result. */
  public Var detach() {
    return constant(data);
  }

  public int[] shape() {
    return data.shape();
  }

  public int dim() {
    return data.dim();
  }

  public int size(int d) {
    return data.size(d);
  }

  public long numel() {
    return data.numel();
  }

  public DType dtype() {
    return data.dtype();
  }

  public Device device() {
    return data.device();
  }

  /** The value of a one-element result. */
  public double item() {
    return data.item();
  }

  @Override
  public String toString() {
    return "Var" + Arrays.toString(data.shape()) + " " + data.dtype() + (node != null ? " <" + node.op + ">" : requiresGrad ? " (leaf, requires grad)" : "");
  }

  // ------------------------------------------------------------------ backward

  /** Backpropagates from this scalar (gradient 1) into every leaf that requires a gradient, then frees the graph. */
  public void backward() {
    if (numel() != 1)
      throw new IllegalArgumentException("backward() needs a one-element output (got shape " + Arrays.toString(shape()) + "): pass the output gradient");
    try (Tensor one = Tensor.full(device(), dtype(), 1, shape())) {
      Engine.backward(this, one, false);
    }
  }

  /** Backpropagates {@code gradOutput} (this value's shape; not closed) and frees the graph. */
  public void backward(Tensor gradOutput) {
    Engine.backward(this, gradOutput, false);
  }

  /** As {@link #backward(Tensor)}; with {@code retainGraph} the graph stays usable for another backward. */
  public void backward(Tensor gradOutput, boolean retainGraph) {
    Engine.backward(this, gradOutput, retainGraph);
  }

  // ------------------------------------------------------------------ elementwise

  public Var add(Var o) { return Pointwise.add(this, o); }
  public Var sub(Var o) { return Pointwise.sub(this, o); }
  public Var mul(Var o) { return Pointwise.mul(this, o); }
  public Var div(Var o) { return Pointwise.div(this, o); }
  public Var pow(Var o) { return Pointwise.pow(this, o); }
  /** Elementwise maximum; at ties each side gets half the gradient (PyTorch). */
  public Var maximum(Var o) { return Pointwise.maximum(this, o); }
  public Var minimum(Var o) { return Pointwise.minimum(this, o); }

  public Var add(double s) { return add(scalar(s)); }
  public Var sub(double s) { return sub(scalar(s)); }
  public Var mul(double s) { return mul(scalar(s)); }
  public Var div(double s) { return div(scalar(s)); }
  public Var pow(double s) { return pow(scalar(s)); }
  public Var maximum(double s) { return maximum(scalar(s)); }
  public Var minimum(double s) { return minimum(scalar(s)); }

  /** A constant 0-d value of this dtype and device. */
  private Var scalar(double s) {
    return constant(Tensor.scalar(device(), dtype(), s));
  }

  public Var neg() { return Pointwise.neg(this); }
  public Var exp() { return Pointwise.exp(this); }
  public Var log() { return Pointwise.log(this); }
  public Var sqrt() { return Pointwise.sqrt(this); }
  public Var rsqrt() { return Pointwise.rsqrt(this); }
  public Var tanh() { return Pointwise.tanh(this); }
  public Var sigmoid() { return Pointwise.sigmoid(this); }
  public Var silu() { return Pointwise.silu(this); }
  /** silu(this) * up (SwiGLU), fused where the backend can. */
  public Var swiGlu(Var up) { return Pointwise.swiGlu(this, up); }
  public Var relu() { return Pointwise.relu(this); }
  public Var square() { return Pointwise.square(this); }
  public Var abs() { return Pointwise.abs(this); }

  /** min(max(x, lo), hi); the gradient flows where lo <= x <= hi (PyTorch's clamp). */
  public Var clamp(double lo, double hi) { return Pointwise.clamp(this, lo, hi); }

  /** cond ? a : b with broadcasting; cond is a BOOL tensor. */
  public static Var where(Tensor cond, Var a, Var b) { return Pointwise.where(cond, a, b); }

  /** This value cast to another floating dtype; the gradient is cast back. */
  public Var to(DType dtype) { return Pointwise.cast(this, dtype); }

  // ------------------------------------------------------------------ reductions

  public Var sum() { return Reductions.sum(this, new int[0], false); }
  public Var sum(int dim, boolean keepdim) { return Reductions.sum(this, new int[] {dim}, keepdim); }
  public Var sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
  public Var mean() { return Reductions.mean(this, new int[0], false); }
  public Var mean(int dim, boolean keepdim) { return Reductions.mean(this, new int[] {dim}, keepdim); }
  public Var mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
  /** Maximum along dim; the gradient goes to the first maximal element (PyTorch's {@code max(dim)}). */
  public Var max(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim, false); }
  public Var min(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim, true); }
  public Var logsumexp(int dim, boolean keepdim) { return Reductions.logsumexp(this, dim, keepdim); }
  public Var softmax(int dim) { return Reductions.softmax(this, dim, false); }
  public Var logSoftmax(int dim) { return Reductions.softmax(this, dim, true); }

  // ------------------------------------------------------------------ shapes (views share storage)

  public Var reshape(int... shape) { return Shapes.reshape(this, shape); }
  /** Same as {@link #reshape}; the forward is a view when the data is dense. */
  public Var view(int... shape) { return Shapes.reshape(this, shape); }
  public Var flatten() { return Shapes.reshape(this, -1); }
  public Var permute(int... order) { return Shapes.permute(this, order); }
  public Var transpose(int d0, int d1) { return Shapes.transpose(this, d0, d1); }
  public Var narrow(int dim, int start, int length) { return Shapes.narrow(this, dim, start, length); }
  public Var slice(int dim, int start, int end, int step) { return Shapes.slice(this, dim, start, end, step); }
  public Var select(int dim, int index) { return Shapes.select(this, dim, index); }
  public Var expand(int... shape) { return Shapes.expand(this, shape); }
  public Var unsqueeze(int dim) { return Shapes.unsqueeze(this, dim); }
  public Var squeeze(int dim) { return Shapes.squeeze(this, dim); }
  public Var contiguous() { return Shapes.contiguous(this); }
  public static Var cat(int dim, List<Var> parts) { return Shapes.cat(dim, parts); }
  public static Var stack(int dim, List<Var> parts) { return Shapes.stack(dim, parts); }

  // ------------------------------------------------------------------ indexing

  /** PyTorch's gather; the gradient is scattered (added) back. */
  public Var gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }

  /** Embedding lookup in this (V, C) table: ids of any shape give (ids..., C); backward is a scatter-add into the table's gradient. */
  public Var embedding(Tensor ids) { return Indexing.embedding(this, ids); }

  // ------------------------------------------------------------------ linear algebra and fused NN ops

  /**
   * Batched matrix product with broadcast batch dims, (..., M, K) @ (..., K, N). {@code other} may be
   * a frozen BF16/F16 weight when this is F32: the gradient then flows only to this side.
   */
  public Var matmul(Var other) { return MatMul.matmul(this, other); }

  /** Hugging Face Qwen2RMSNorm over the last dim: x / sqrt(mean(x^2) + eps) * weight, fused with its own backward. */
  public Var rmsNorm(Var weight, double eps) { return RmsNormOp.apply(this, weight, eps); }

  /**
   * Rotary embedding, rotate-half form, x (..., T, D) with constant cos/sin broadcastable to x.
   * The backward is rope with -sin, which holds for the Hugging Face tables whose two halves are
   * equal (cos = cat(cos f, cos f)); see {@link RopeOp}.
   */
  public Var rope(Tensor cos, Tensor sin) { return RopeOp.apply(this, cos, sin); }

  /**
   * Scaled dot-product attention with grouped KV heads: q (B, Hq, Tq, D), k and v (B, Hkv, Tk, D).
   * When causal, query i sits at absolute position {@code qOffset + i}. The backward recomputes the
   * probabilities per query block from q, k and the saved log-sum-exp (FlashAttention-2), so no
   * (Tq, Tk) matrix is kept.
   */
  public static Var attention(Var q, Var k, Var v, double scale, boolean causal, int qOffset) {
    return AttentionOp.apply(q, k, v, scale, causal, qOffset);
  }

  /** Causal self-attention over the same positions (qOffset = Tk - Tq). */
  public static Var attention(Var q, Var k, Var v, double scale) {
    return AttentionOp.apply(q, k, v, scale, true, k.size(2) - q.size(2));
  }

  /**
   * log softmax(logits)[target] per row: this is (..., V), targets (...) I32/I64, the result (...).
   * Needs no vocabulary-sized buffer beyond the gradient itself.
   */
  public Var tokenLogProbs(Tensor targets) { return TokenLogProbs.apply(this, targets); }

  /** Mean cross-entropy over targets different from -100 (Hugging Face / PyTorch semantics). */
  public Var crossEntropy(Tensor targets) { return TokenLogProbs.crossEntropy(this, targets, -100); }

  /** Mean cross-entropy over the targets different from {@code ignoreIndex}; NaN when all are ignored (as PyTorch). */
  public Var crossEntropy(Tensor targets, int ignoreIndex) { return TokenLogProbs.crossEntropy(this, targets, ignoreIndex); }

  /**
   * log_softmax(hidden W^T / temperature)[target] per row for hidden (N, C), an output projection W
   * (V, C) and targets (N), computed in row blocks so the (N, V) logits never exist at once, in the
   * forward nor in the backward (which recomputes each block). W may be a frozen BF16 weight.
   */
  public static Var linearTokenLogProbs(Var hidden, Var weight, Tensor targets, double temperature) {
    return LinearTokenLogProbs.apply(hidden, weight, targets, temperature);
  }

  /** Cross-entropy of {@link #linearTokenLogProbs} (temperature 1) over targets different from {@code ignoreIndex}. */
  public static Var linearCrossEntropy(Var hidden, Var weight, Tensor targets, int ignoreIndex) {
    return TokenLogProbs.maskedMeanNll(targets, ignoreIndex, safe -> LinearTokenLogProbs.apply(hidden, weight, safe, 1));
  }
}
