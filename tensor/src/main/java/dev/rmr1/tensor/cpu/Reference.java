package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Plain scalar reference kernels of the CPU backend: one generic strided loop per primitive,
 * computing in double. They define the semantics; every optimised kernel is tested against them,
 * and they run whatever the fast kernels do not cover (odd dtypes, strided views). Like llm.c's
 * reference path, they are meant to be read.
 */
public final class Reference {
  private Reference() {}

  /** Visits every multi-index of {@code shape} in row-major order, tracking one offset per tensor. */
  static void forEachIndex(int[] shape, long[][] strides, long[] offsets, OffsetsVisitor visitor) {
    for (int d : shape) if (d == 0) return;
    int n = shape.length;
    int[] idx = new int[n];
    long[] off = offsets.clone();
    while (true) {
      visitor.visit(off);
      int d = n - 1;
      while (d >= 0) {
        idx[d]++;
        for (int t = 0; t < off.length; t++) off[t] += strides[t][d];
        if (idx[d] < shape[d]) break;
        for (int t = 0; t < off.length; t++) off[t] -= strides[t][d] * idx[d];
        idx[d] = 0;
        d--;
      }
      if (d < 0) return;
    }
  }

  @FunctionalInterface
  interface OffsetsVisitor {
    void visit(long[] offsets);
  }

  private static MemorySegment seg(Tensor t) {
    return Elements.segment(t);
  }

  public static void copy(Tensor dst, Tensor src) {
    MemorySegment d = seg(dst), s = seg(src);
    DType dt = dst.dtype(), st = src.dtype();
    boolean integral = !dt.isFloating() && !st.isFloating();
    forEachIndex(dst.shape(), new long[][] {dst.strides(), src.strides()}, new long[] {dst.offset(), src.offset()}, o -> {
      if (integral) Elements.setLong(d, dt, o[0], Elements.getLong(s, st, o[1]));
      else Elements.set(d, dt, o[0], Elements.get(s, st, o[1]));
    });
  }

  public static void fill(Tensor dst, double value) {
    MemorySegment d = seg(dst);
    DType dt = dst.dtype();
    forEachIndex(dst.shape(), new long[][] {dst.strides()}, new long[] {dst.offset()}, o -> Elements.set(d, dt, o[0], value));
  }

  public static void unary(UnaryOp op, Tensor out, Tensor x) {
    MemorySegment d = seg(out), s = seg(x);
    DType dt = out.dtype(), xt = x.dtype();
    forEachIndex(out.shape(), new long[][] {out.strides(), x.strides()}, new long[] {out.offset(), x.offset()},
        o -> Elements.set(d, dt, o[0], op.apply(Elements.get(s, xt, o[1]))));
  }

  public static void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    MemorySegment d = seg(out), sa = seg(a), sb = seg(b);
    DType dt = out.dtype(), at = a.dtype(), bt = b.dtype();
    forEachIndex(out.shape(), new long[][] {out.strides(), a.strides(), b.strides()}, new long[] {out.offset(), a.offset(), b.offset()},
        o -> Elements.set(d, dt, o[0], op.apply(Elements.get(sa, at, o[1]), Elements.get(sb, bt, o[2]))));
  }

  public static void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    MemorySegment d = seg(out), sc = seg(cond), sa = seg(a), sb = seg(b);
    DType dt = out.dtype();
    forEachIndex(out.shape(), new long[][] {out.strides(), cond.strides(), a.strides(), b.strides()},
        new long[] {out.offset(), cond.offset(), a.offset(), b.offset()},
        o -> Elements.set(d, dt, o[0], Elements.get(sc, DType.BOOL, o[1]) != 0 ? Elements.get(sa, dt, o[2]) : Elements.get(sb, dt, o[3])));
  }

  /** Shape and strides of x restricted to {@code dims} (inner) and to the other dims (outer, size 1 at dims). */
  private static int[] sub(int[] shape, int[] dims, boolean inner) {
    int[] r = inner ? new int[dims.length] : shape.clone();
    for (int i = 0; i < dims.length; i++) {
      if (inner) r[i] = shape[dims[i]];
      else r[dims[i]] = 1;
    }
    return r;
  }

  private static long[] subStrides(long[] strides, int[] dims) {
    long[] r = new long[dims.length];
    for (int i = 0; i < dims.length; i++) r[i] = strides[dims[i]];
    return r;
  }

  public static void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    MemorySegment d = seg(out), s = seg(x);
    DType dt = out.dtype(), xt = x.dtype();
    int[] xs = x.shape();
    int[] inner = sub(xs, dims, true);
    long[] innerStrides = subStrides(x.strides(), dims);
    forEachIndex(sub(xs, dims, false), new long[][] {out.strides(), x.strides()}, new long[] {out.offset(), x.offset()}, o -> {
      double[] acc = {op == ReduceOp.SUM ? 0 : op == ReduceOp.MIN || op == ReduceOp.ARGMIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY};
      long[] best = {-1};
      long[] pos = {0};
      boolean[] nan = {false};
      if (op == ReduceOp.LOGSUMEXP) {
        forEachIndex(inner, new long[][] {innerStrides}, new long[] {o[1]}, i -> acc[0] = Math.max(acc[0], Elements.get(s, xt, i[0])));
        double m = acc[0];
        double[] sum = {0};
        forEachIndex(inner, new long[][] {innerStrides}, new long[] {o[1]}, i -> {
          double v = Elements.get(s, xt, i[0]);
          if (v != v) nan[0] = true;
          sum[0] += Math.exp(v - m);
        });
        acc[0] = nan[0] ? Double.NaN : Double.isInfinite(m) ? m : m + Math.log(sum[0]);
      } else {
        forEachIndex(inner, new long[][] {innerStrides}, new long[] {o[1]}, i -> {
          double v = Elements.get(s, xt, i[0]);
          switch (op) {
            case SUM -> acc[0] += v;
            case MAX -> acc[0] = (v != v || acc[0] != acc[0]) ? Double.NaN : Math.max(acc[0], v);
            case MIN -> acc[0] = (v != v || acc[0] != acc[0]) ? Double.NaN : Math.min(acc[0], v);
            // PyTorch: NaN counts as the maximum (and minimum); the first one wins.
            case ARGMAX -> {
              if (!nan[0] && (best[0] < 0 || v != v || v > acc[0])) {
                acc[0] = v;
                best[0] = pos[0];
                nan[0] = v != v;
              }
            }
            case ARGMIN -> {
              if (!nan[0] && (best[0] < 0 || v != v || v < acc[0])) {
                acc[0] = v;
                best[0] = pos[0];
                nan[0] = v != v;
              }
            }
            default -> throw new AssertionError(op);
          }
          pos[0]++;
        });
      }
      if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) Elements.setLong(d, dt, o[0], best[0]);
      else Elements.set(d, dt, o[0], acc[0]);
    });
  }

  /** Iterates the rows of the last dimension: visitor gets (out row offset, in row offsets...). */
  private static void forEachRow(Tensor out, Tensor[] ins, OffsetsVisitor visitor) {
    int[] s = out.shape();
    if (s.length == 0) {
      long[] o = new long[ins.length + 1];
      o[0] = out.offset();
      for (int i = 0; i < ins.length; i++) o[i + 1] = ins[i].offset();
      visitor.visit(o);
      return;
    }
    int[] rows = Arrays.copyOf(s, s.length - 1);
    long[][] strides = new long[ins.length + 1][];
    long[] offsets = new long[ins.length + 1];
    strides[0] = Arrays.copyOf(out.strides(), s.length - 1);
    offsets[0] = out.offset();
    for (int i = 0; i < ins.length; i++) {
      strides[i + 1] = Arrays.copyOf(ins[i].strides(), s.length - 1);
      offsets[i + 1] = ins[i].offset();
    }
    forEachIndex(rows, strides, offsets, visitor);
  }

  public static void softmax(Tensor out, Tensor x, boolean log) {
    MemorySegment d = seg(out), s = seg(x);
    DType dt = out.dtype(), xt = x.dtype();
    int n = x.dim() == 0 ? 1 : x.size(-1);
    long os = x.dim() == 0 ? 0 : out.stride(-1), xs = x.dim() == 0 ? 0 : x.stride(-1);
    forEachRow(out, new Tensor[] {x}, o -> {
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) m = Math.max(m, Elements.get(s, xt, o[1] + j * xs));
      double sum = 0;
      for (int j = 0; j < n; j++) sum += Math.exp(Elements.get(s, xt, o[1] + j * xs) - m);
      double lse = m + Math.log(sum);
      for (int j = 0; j < n; j++) {
        double v = Elements.get(s, xt, o[1] + j * xs);
        Elements.set(d, dt, o[0] + j * os, log ? v - lse : Math.exp(v - m) / sum);
      }
    });
  }

  public static void matmul(Tensor out, Tensor a, Tensor b) {
    MemorySegment d = seg(out), sa = seg(a), sb = seg(b);
    DType dt = out.dtype(), at = a.dtype(), bt = b.dtype();
    int r = out.dim();
    int m = out.size(-2), n = out.size(-1), k = a.size(-1);
    long oM = out.stride(-2), oN = out.stride(-1), aM = a.stride(-2), aK = a.stride(-1), bK = b.stride(-2), bN = b.stride(-1);
    int[] batch = Arrays.copyOf(out.shape(), r - 2);
    forEachIndex(batch, new long[][] {Arrays.copyOf(out.strides(), r - 2), Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2)},
        new long[] {out.offset(), a.offset(), b.offset()}, o -> {
          for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
              double acc = 0;
              for (int p = 0; p < k; p++) acc += Elements.get(sa, at, o[1] + i * aM + p * aK) * Elements.get(sb, bt, o[2] + p * bK + j * bN);
              Elements.set(d, dt, o[0] + i * oM + j * oN, acc);
            }
        });
  }

  public static void rmsNorm(Tensor out, Tensor x, Tensor w, double eps) {
    MemorySegment d = seg(out), s = seg(x), sw = seg(w);
    DType dt = out.dtype(), xt = x.dtype(), wt = w.dtype();
    int n = x.size(-1);
    long os = out.stride(-1), xs = x.stride(-1), ws = w.stride(0), wo = w.offset();
    forEachRow(out, new Tensor[] {x}, o -> {
      double ss = 0;
      for (int j = 0; j < n; j++) {
        double v = Elements.get(s, xt, o[1] + j * xs);
        ss += v * v;
      }
      double inv = 1.0 / Math.sqrt(ss / n + eps);
      for (int j = 0; j < n; j++)
        Elements.set(d, dt, o[0] + j * os, Elements.get(s, xt, o[1] + j * xs) * inv * Elements.get(sw, wt, wo + j * ws));
    });
  }

  public static void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    MemorySegment d = seg(out), s = seg(x), sc = seg(cos), ss = seg(sin);
    DType dt = out.dtype(), xt = x.dtype();
    int n = x.size(-1), half = n / 2;
    long os = out.stride(-1), xs = x.stride(-1), cs = cos.stride(-1), sns = sin.stride(-1);
    forEachRow(out, new Tensor[] {x, cos, sin}, o -> {
      for (int j = 0; j < n; j++) {
        double v = Elements.get(s, xt, o[1] + j * xs);
        double rot = j < half ? -Elements.get(s, xt, o[1] + (j + half) * xs) : Elements.get(s, xt, o[1] + (j - half) * xs);
        double c = Elements.get(sc, dt, o[2] + j * cs), sn = Elements.get(ss, dt, o[3] + j * sns);
        Elements.set(d, dt, o[0] + j * os, v * c + rot * sn);
      }
    });
  }

  public static void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    attention(out, null, q, k, v, scale, causal, qOffset);
  }

  /**
   * Attention as {@link dev.rmr1.tensor.Backend#attention}; when {@code lse} (B, Hq, Tq) is given it
   * also receives each query's log-sum-exp of its scaled visible scores (-inf when it sees no key),
   * which the backward needs to recompute the probabilities.
   */
  public static void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    MemorySegment d = seg(out), sq = seg(q), sk = seg(k), sv = seg(v), sl = lse == null ? null : seg(lse);
    DType dt = out.dtype();
    int batch = q.size(0), hq = q.size(1), tq = q.size(2), dim = q.size(3), hkv = k.size(1), tk = k.size(2);
    int group = hq / hkv;
    double[] scores = new double[tk];
    for (int b = 0; b < batch; b++)
      for (int h = 0; h < hq; h++) {
        int kh = h / group;
        for (int i = 0; i < tq; i++) {
          int last = causal ? Math.min(tk - 1, qOffset + i) : tk - 1;
          long qo = q.offset() + b * q.stride(0) + h * q.stride(1) + i * q.stride(2);
          double m = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= last; j++) {
            long ko = k.offset() + b * k.stride(0) + kh * k.stride(1) + j * k.stride(2);
            double dot = 0;
            for (int c = 0; c < dim; c++) dot += Elements.get(sq, dt, qo + c * q.stride(3)) * Elements.get(sk, dt, ko + c * k.stride(3));
            scores[j] = dot * scale;
            m = Math.max(m, scores[j]);
          }
          double sum = 0;
          for (int j = 0; j <= last; j++) sum += scores[j] = Math.exp(scores[j] - m);
          long oo = out.offset() + b * out.stride(0) + h * out.stride(1) + i * out.stride(2);
          for (int c = 0; c < dim; c++) {
            double acc = 0;
            for (int j = 0; j <= last; j++)
              acc += scores[j] * Elements.get(sv, dt, v.offset() + b * v.stride(0) + kh * v.stride(1) + j * v.stride(2) + c * v.stride(3));
            Elements.set(d, dt, oo + c * out.stride(3), last < 0 ? 0 : acc / sum);
          }
          if (sl != null)
            Elements.set(sl, lse.dtype(), lse.offset() + b * lse.stride(0) + h * lse.stride(1) + i * lse.stride(2), last < 0 ? Double.NEGATIVE_INFINITY : m + Math.log(sum));
        }
      }
  }

  /**
   * Gradients of {@link #attention} (FlashAttention-2, Dao 2023, algorithm 2), given the output
   * gradient dOut, the forward's output and its log-sum-exp (B, Hq, Tq). With s = scale q.k and
   * p = exp(s - lse) for each visible (query i, key j) pair:
   *
   * <pre>
   *   delta_i = dOut_i . out_i,   ds = p (dOut_i . v_j - delta_i) scale
   *   dq_i = sum_j ds k_j,   dk_j = sum_i ds q_i,   dv_j = sum_i p dOut_i
   * </pre>
   *
   * summed over the query heads that share a KV head. dq, dk and dv are overwritten.
   */
  public static void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse,
      double scale, boolean causal, int qOffset) {
    int batch = q.size(0), hq = q.size(1), tq = q.size(2), dim = q.size(3), hkv = k.size(1), tk = k.size(2);
    int group = hq / hkv;
    double[][][] gq = new double[hq][tq][dim], gk = new double[hkv][tk][dim], gv = new double[hkv][tk][dim];
    for (int b = 0; b < batch; b++) {
      for (double[][][] a : List.of(gq, gk, gv)) for (double[][] m : a) for (double[] r : m) Arrays.fill(r, 0);
      for (int h = 0; h < hq; h++) {
        int kh = h / group;
        for (int i = 0; i < tq; i++) {
          int last = causal ? Math.min(tk - 1, qOffset + i) : tk - 1;
          double l = Elements.get(seg(lse), lse.dtype(), lse.offset() + b * lse.stride(0) + h * lse.stride(1) + i * lse.stride(2));
          double delta = 0;
          for (int c = 0; c < dim; c++) delta += at(dOut, b, h, i, c) * at(out, b, h, i, c);
          for (int j = 0; j <= last; j++) {
            double sc = 0, dp = 0;
            for (int c = 0; c < dim; c++) {
              sc += at(q, b, h, i, c) * at(k, b, kh, j, c);
              dp += at(dOut, b, h, i, c) * at(v, b, kh, j, c);
            }
            double p = Math.exp(sc * scale - l);
            double ds = p * (dp - delta) * scale;
            for (int c = 0; c < dim; c++) {
              gq[h][i][c] += ds * at(k, b, kh, j, c);
              gk[kh][j][c] += ds * at(q, b, h, i, c);
              gv[kh][j][c] += p * at(dOut, b, h, i, c);
            }
          }
        }
      }
      store(dq, b, gq);
      store(dk, b, gk);
      store(dv, b, gv);
    }
  }

  /** Element (b, h, i, c) of a (B, H, T, D) tensor. */
  private static double at(Tensor t, int b, int h, int i, int c) {
    return Elements.get(seg(t), t.dtype(), t.offset() + b * t.stride(0) + h * t.stride(1) + i * t.stride(2) + c * t.stride(3));
  }

  /** Writes values[h][i][c] into batch row b of a (B, H, T, D) tensor. */
  private static void store(Tensor t, int b, double[][][] values) {
    MemorySegment s = seg(t);
    for (int h = 0; h < values.length; h++)
      for (int i = 0; i < values[h].length; i++)
        for (int c = 0; c < values[h][i].length; c++)
          Elements.set(s, t.dtype(), t.offset() + b * t.stride(0) + h * t.stride(1) + i * t.stride(2) + c * t.stride(3), values[h][i][c]);
  }

  static long checkedIndex(String op, MemorySegment s, DType dt, long at, int bound) {
    long i = Elements.getLong(s, dt, at);
    if (i < 0 || i >= bound) throw new IndexOutOfBoundsException(op + ": index " + i + " out of range [0, " + bound + ")");
    return i;
  }

  public static void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
    MemorySegment si = seg(index);
    int n = index.size(0);
    for (int r = 0; r < n; r++) {
      long i = checkedIndex("indexSelect", si, index.dtype(), index.offset() + r * index.stride(0), x.size(dim));
      try (Tensor dst = out.select(dim, r); Tensor src = x.select(dim, (int) i)) {
        copy(dst, src);
      }
    }
  }

  public static void gather(Tensor out, Tensor x, int dim, Tensor index) {
    MemorySegment d = seg(out), s = seg(x), si = seg(index);
    DType dt = out.dtype();
    long xd = x.stride(dim);
    long[] xStrides = x.strides();
    xStrides[dim] = 0;
    int bound = x.size(dim);
    forEachIndex(index.shape(), new long[][] {out.strides(), index.strides(), xStrides}, new long[] {out.offset(), index.offset(), x.offset()}, o -> {
      long i = checkedIndex("gather", si, index.dtype(), o[1], bound);
      Elements.set(d, dt, o[0], Elements.get(s, dt, o[2] + i * xd));
    });
  }

  public static void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    MemorySegment d = seg(dst), s = seg(src), si = seg(index);
    DType dt = dst.dtype();
    long dd = dst.stride(dim);
    long[] dStrides = dst.strides();
    dStrides[dim] = 0;
    int bound = dst.size(dim);
    forEachIndex(index.shape(), new long[][] {src.strides(), index.strides(), dStrides}, new long[] {src.offset(), index.offset(), dst.offset()}, o -> {
      long i = checkedIndex("scatterAdd", si, index.dtype(), o[1], bound);
      long at = o[2] + i * dd;
      Elements.set(d, dt, at, Elements.get(d, dt, at) + Elements.get(s, dt, o[0]));
    });
  }

  public static void cumsum(Tensor out, Tensor x, int dim) {
    MemorySegment d = seg(out), s = seg(x);
    DType dt = out.dtype(), xt = x.dtype();
    int n = x.size(dim);
    long os = out.stride(dim), xs = x.stride(dim);
    int[] outer = x.shape();
    outer[dim] = 1;
    forEachIndex(outer, new long[][] {out.strides(), x.strides()}, new long[] {out.offset(), x.offset()}, o -> {
      double acc = 0;
      for (int j = 0; j < n; j++) {
        acc += Elements.get(s, xt, o[1] + j * xs);
        Elements.set(d, dt, o[0] + j * os, acc);
      }
    });
  }

  public static void topk(Tensor values, Tensor indices, Tensor x, int k) {
    MemorySegment dv = seg(values), di = seg(indices), s = seg(x);
    DType dt = values.dtype(), xt = x.dtype();
    int n = x.size(-1);
    long vs = values.stride(-1), is = indices.stride(-1), xs = x.stride(-1);
    forEachRow(values, new Tensor[] {indices, x}, o -> {
      Integer[] order = new Integer[n];
      double[] row = new double[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
        row[j] = Elements.get(s, xt, o[2] + j * xs);
      }
      // Descending, NaN largest (as PyTorch), ties by lower index (stable sort).
      Arrays.sort(order, (p, q) -> Double.compare(row[q] != row[q] ? Double.POSITIVE_INFINITY : row[q], row[p] != row[p] ? Double.POSITIVE_INFINITY : row[p]));
      for (int j = 0; j < k; j++) {
        Elements.set(dv, dt, o[0] + j * vs, row[order[j]]);
        Elements.setLong(di, DType.I64, o[1] + j * is, order[j]);
      }
    });
  }
}
