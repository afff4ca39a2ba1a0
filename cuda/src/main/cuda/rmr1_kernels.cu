// CUDA kernels of the rmr1 tensor backend (dev.rmr1.cuda.CudaBackend).
//
// One generic kernel per primitive of dev.rmr1.tensor.Backend, mirroring the CPU scalar reference
// (tensor/src/main/java/dev/rmr1/tensor/cpu/Reference.java): every tensor argument arrives as a
// TensorDesc (offset, shape, strides in elements) so views, broadcasts (stride 0) and transposes
// need no copies; element types are read and written through load()/store() by dtype code and the
// arithmetic is done in double, which keeps the GPU path numerically aligned with the reference
// (these kernels are memory bound; GEMMs go to cuBLAS). Compiled with fused multiply-add
// contraction off (-fmad=false), so a kernel rounds where the reference rounds.
//
// Compiled at run time by NVRTC when available (libnvrtc.so.13 or .so.12), else loaded from the
// PTX that scripts/build-ptx.sh generates with nvcc. Only built-in CUDA headers are used, because
// NVRTC has no system include path.
//
// Descriptor arguments are __grid_constant__: kernels read them in parameter memory instead of
// copying 112 bytes per thread to the stack (sm_70+, CUDA 11.7+).

#define MAX_DIMS 8

// dtype codes: the ordinal of dev.rmr1.tensor.DType
#define DT_F32 0
#define DT_F64 1
#define DT_BF16 2
#define DT_F16 3
#define DT_I32 4
#define DT_I64 5
#define DT_BOOL 6
#define DT_U8 7

// Written by CudaBackend.desc(): 112 bytes, little endian. `contiguous` is 1 when element i of the
// view (row-major order) sits at offset + i, which skips the index arithmetic.
struct TensorDesc {
  long long offset;
  long long strides[MAX_DIMS];
  int shape[MAX_DIMS];
  int ndim;
  int contiguous;
};

#define DESC const __grid_constant__ TensorDesc

__device__ __forceinline__ float bf16_to_float(unsigned short b) { return __int_as_float(((unsigned int)b) << 16); }

// Round to nearest even; NaN stays a quiet NaN (DType.floatToBf16).
__device__ __forceinline__ unsigned short float_to_bf16(float f) {
  unsigned int bits = __float_as_uint(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((bits >> 16) | 0x40u);
  unsigned int rounding = 0x7fffu + ((bits >> 16) & 1u);
  return (unsigned short)((bits + rounding) >> 16);
}

__device__ __forceinline__ float f16_to_float(unsigned short h) {
  float f;
  asm("{ .reg .f16 t; mov.b16 t, %1; cvt.f32.f16 %0, t; }" : "=f"(f) : "h"(h));
  return f;
}

__device__ __forceinline__ unsigned short float_to_f16(float f) {
  unsigned int bits = __float_as_uint(f);
  // NaN: the sign, the quiet bit and the top 10 payload bits, as Java's Float.floatToFloat16 (x86
  // F16C) gives them; cvt.rn.f16.f32 would give the canonical 0x7fff
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short)(((bits >> 16) & 0x8000u) | 0x7e00u | ((bits >> 13) & 0x3ffu));
  unsigned short h;
  asm("{ .reg .f16 t; cvt.rn.f16.f32 t, %1; mov.b16 %0, t; }" : "=h"(h) : "f"(f));
  return h;
}

// Elements.get: the value as a double.
__device__ __forceinline__ double load(const void* p, int dt, long long i) {
  switch (dt) {
    case DT_F32: return ((const float*)p)[i];
    case DT_F64: return ((const double*)p)[i];
    case DT_BF16: return bf16_to_float(((const unsigned short*)p)[i]);
    case DT_F16: return f16_to_float(((const unsigned short*)p)[i]);
    case DT_I32: return ((const int*)p)[i];
    case DT_I64: return (double)((const long long*)p)[i];
    default: return ((const unsigned char*)p)[i];
  }
}

// Java's (long) v: toward zero, saturating, NaN to 0. The conversion instruction saturates but an
// H100 gives Long.MIN_VALUE for a 64-bit NaN (found by BackendContract.fillWritesOnlyTheView).
__device__ __forceinline__ long long java_d2l(double v) {
  return v != v ? 0 : (long long)v;
}

// Elements.set: float types round to nearest even; integers as Java's (long) v, then wrapped to
// 32 or 8 bits as (int) (long) v and (byte) (long) v.
__device__ __forceinline__ void store(void* p, int dt, long long i, double v) {
  switch (dt) {
    case DT_F32: ((float*)p)[i] = (float)v; break;
    case DT_F64: ((double*)p)[i] = v; break;
    case DT_BF16: ((unsigned short*)p)[i] = float_to_bf16((float)v); break;
    case DT_F16: ((unsigned short*)p)[i] = float_to_f16((float)v); break;
    case DT_I32: ((int*)p)[i] = (int)java_d2l(v); break;
    case DT_I64: ((long long*)p)[i] = java_d2l(v); break;
    case DT_BOOL: ((unsigned char*)p)[i] = v != 0.0 ? 1 : 0; break;
    default: ((unsigned char*)p)[i] = (unsigned char)java_d2l(v); break;
  }
}

// Elements.getLong / setLong for the integer types (I32, I64, BOOL, U8): exact for all 64 bits.
__device__ __forceinline__ long long load_long(const void* p, int dt, long long i) {
  switch (dt) {
    case DT_I32: return ((const int*)p)[i];
    case DT_I64: return ((const long long*)p)[i];
    default: return ((const unsigned char*)p)[i];
  }
}

__device__ __forceinline__ void store_long(void* p, int dt, long long i, long long v) {
  switch (dt) {
    case DT_I32: ((int*)p)[i] = (int)v; break;
    case DT_I64: ((long long*)p)[i] = v; break;
    case DT_BOOL: ((unsigned char*)p)[i] = v != 0 ? 1 : 0; break;
    default: ((unsigned char*)p)[i] = (unsigned char)v; break;
  }
}

__device__ __forceinline__ long long load_index(const void* p, int dt, long long i) {
  return dt == DT_I32 ? (long long)((const int*)p)[i] : ((const long long*)p)[i];
}

// Storage offset of the element with row-major linear index `linear` (< numel) in the view `d`.
__device__ __forceinline__ long long offset_of(const TensorDesc& d, long long linear) {
  if (d.contiguous) return d.offset + linear;
  long long off = d.offset;
  if (linear <= 0xffffffffLL) {
    // 32-bit unsigned division: a few instructions, where 64-bit division is a long software routine
    unsigned int l = (unsigned int)linear;
    for (int k = d.ndim - 1; k > 0; k--) {
      unsigned int s = (unsigned int)d.shape[k];
      unsigned int q = l / s;
      off += (long long)(l - q * s) * d.strides[k];
      l = q;
    }
    return d.ndim > 0 ? off + (long long)l * d.strides[0] : off;
  }
  for (int k = d.ndim - 1; k > 0; k--) {
    int s = d.shape[k];
    off += (linear % s) * d.strides[k];
    linear /= s;
  }
  return d.ndim > 0 ? off + linear * d.strides[0] : off;
}

#define INF_D __longlong_as_double(0x7ff0000000000000LL)
#define NAN_D __longlong_as_double(0x7ff8000000000000LL)

__device__ __forceinline__ bool is_nan(double x) { return x != x; }
__device__ __forceinline__ bool is_inf(double x) { return fabs(x) == INF_D; }

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// ---------------------------------------------------------------- elementwise

// Op codes: the ordinal of dev.rmr1.tensor.UnaryOp; definitions as UnaryOp.apply.
__device__ double unary_op(int op, double x) {
  switch (op) {
    case 0: return -x;                                   // NEG
    case 1: return fabs(x);                              // ABS
    case 2: return exp(x);                               // EXP
    case 3: return log(x);                               // LOG
    case 4: return sqrt(x);                              // SQRT
    case 5: return 1.0 / sqrt(x);                        // RSQRT
    case 6: return tanh(x);                              // TANH
    case 7: return 1.0 / (1.0 + exp(-x));                // SIGMOID
    case 8: return x / (1.0 + exp(-x));                  // SILU
    case 9: return 0.5 * x * erfc(-x / sqrt(2.0));        // GELU (erfc: no cancellation in the negative tail)
    case 10: return 0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));  // GELU_TANH
    case 11: return x > 0 ? x : (x == x ? 0.0 : x);      // RELU
    case 12: return x * x;                               // SQUARE
    case 13: return 1.0 / x;                             // RECIPROCAL
    case 14: return sin(x);                              // SIN
    default: return cos(x);                              // COS
  }
}

// Java's Math.pow where C's pow differs: a NaN exponent gives NaN (C: pow(1, NaN) = 1), and
// |a| = 1 with an infinite exponent gives NaN (C: 1).
__device__ __forceinline__ double java_pow(double a, double b) {
  if (is_nan(b) || (fabs(a) == 1.0 && is_inf(b))) return NAN_D;
  return pow(a, b);
}

// Op codes: the ordinal of dev.rmr1.tensor.BinaryOp; definitions as BinaryOp.apply.
__device__ double binary_op(int op, double a, double b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return java_pow(a, b);
    case 5: return (is_nan(a) || is_nan(b)) ? NAN_D : fmax(a, b);  // MAXIMUM, NaN propagates
    case 6: return (is_nan(a) || is_nan(b)) ? NAN_D : fmin(a, b);  // MINIMUM
    case 7: return a == b;
    case 8: return a != b;
    case 9: return a < b;
    case 10: return a <= b;
    case 11: return a > b;
    default: return a >= b;
  }
}

extern "C" __global__ void rmr1_fill(DESC out, void* o, int odt, long long n, double value) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), value);
}

// Reference.copy: integer to integer exactly (64 bits), everything else through double.
extern "C" __global__ void rmr1_copy(DESC out, void* o, int odt, DESC x, const void* xp, int xdt, long long n) {
  bool integral = odt >= DT_I32 && xdt >= DT_I32;
  GRID_STRIDE(i, n) {
    if (integral) store_long(o, odt, offset_of(out, i), load_long(xp, xdt, offset_of(x, i)));
    else store(o, odt, offset_of(out, i), load(xp, xdt, offset_of(x, i)));
  }
}

extern "C" __global__ void rmr1_unary(int op, DESC out, void* o, int odt, DESC x, const void* xp, int xdt, long long n) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), unary_op(op, load(xp, xdt, offset_of(x, i))));
}

extern "C" __global__ void rmr1_binary(int op, DESC out, void* o, int odt, DESC a, const void* ap, DESC b, const void* bp, int idt, long long n) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), binary_op(op, load(ap, idt, offset_of(a, i)), load(bp, idt, offset_of(b, i))));
}

extern "C" __global__ void rmr1_where(DESC out, void* o, int dt, DESC c, const unsigned char* cp, DESC a, const void* ap, DESC b, const void* bp,
                                     long long n) {
  GRID_STRIDE(i, n) {
    double v = cp[offset_of(c, i)] ? load(ap, dt, offset_of(a, i)) : load(bp, dt, offset_of(b, i));
    store(o, dt, offset_of(out, i), v);
  }
}

// SwiGLU (FusedSwiGlu): out = silu(a) * b with silu as UnaryOp.SILU, and its backward; every desc
// has out's shape. dGate / dUp are skipped when their flag is 0.
extern "C" __global__ void rmr1_swiglu(DESC out, void* o, DESC a, const void* ap, DESC b, const void* bp, int dt, long long n) {
  GRID_STRIDE(i, n) {
    double x = load(ap, dt, offset_of(a, i));
    store(o, dt, offset_of(out, i), x / (1.0 + exp(-x)) * load(bp, dt, offset_of(b, i)));
  }
}

extern "C" __global__ void rmr1_swiglu_backward(DESC dga, void* dgp, int haveDGate, DESC dub, void* dup, int haveDUp, DESC g, const void* gp, DESC a,
                                                const void* ap, DESC b, const void* bp, int dt, long long n) {
  GRID_STRIDE(i, n) {
    double x = load(ap, dt, offset_of(a, i)), gg = load(gp, dt, offset_of(g, i));
    double e = 1.0 + exp(-x), s = 1.0 / e;
    if (haveDUp) store(dup, dt, offset_of(dub, i), gg * (x / e));
    if (haveDGate) store(dgp, dt, offset_of(dga, i), gg * load(bp, dt, offset_of(b, i)) * s * (1.0 + x * (1.0 - s)));
  }
}

// ---------------------------------------------------------------- reductions

// Block-wide reduction of (value, index) pairs in shared memory; blockDim.x is a power of two
// <= 1024 and every thread of the block must call it (it synchronises).
template <typename F>
__device__ void block_reduce(double* sv, long long* si, F combine) {
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) combine(sv[threadIdx.x], si[threadIdx.x], sv[threadIdx.x + s], si[threadIdx.x + s]);
    __syncthreads();
  }
}

// One block per output element. `outer` is x viewed with out's shape (reduced dims of size 1),
// `inner` the reduced dims of x (shape and strides, offset 0). Op codes: dev.rmr1.tensor.ReduceOp.
// NaN semantics of Reference.reduce: SUM/MAX/MIN/LOGSUMEXP give NaN when any element is NaN;
// ARGMAX/ARGMIN return the first NaN; ties go to the lower index.
extern "C" __global__ void rmr1_reduce(int op, DESC out, void* o, int odt, DESC outer, DESC inner, const void* xp, int xdt, long long nout,
                                       long long ninner) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < nout; r += gridDim.x) {
    long long base = offset_of(outer, r);
    double init = op == 0 ? 0.0 : (op == 2 || op == 5) ? INF_D : -INF_D;
    double acc = init;
    long long best = -1;
    bool nan = false;
    // pass 1 (all ops): sum / max / min / arg; for LOGSUMEXP this pass finds the max
    for (long long j = threadIdx.x; j < ninner; j += blockDim.x) {
      double v = load(xp, xdt, base + offset_of(inner, j));
      if (is_nan(v)) nan = true;
      switch (op) {
        case 0: acc += v; break;
        case 1: case 3: acc = fmax(acc, v); break;
        case 2: acc = fmin(acc, v); break;
        default:  // ARGMAX / ARGMIN over this thread's increasing j: the first NaN wins, ties keep the earlier index
          if (best < 0 || (!is_nan(acc) && (is_nan(v) || (op == 4 ? v > acc : v < acc)))) {
            acc = v;
            best = j;
          }
          break;
      }
    }
    sv[threadIdx.x] = (nan && op != 4 && op != 5) ? NAN_D : acc;
    si[threadIdx.x] = best;
    __syncthreads();
    block_reduce(sv, si, [op](double& a, long long& ai, double b, long long bi) {
      if (op == 0) a += b;
      else if (op == 1 || op == 3) a = (is_nan(a) || is_nan(b)) ? NAN_D : fmax(a, b);
      else if (op == 2) a = (is_nan(a) || is_nan(b)) ? NAN_D : fmin(a, b);
      else {
        // first NaN wins, else the strictly better value, ties to the lower index
        bool take;
        if (bi < 0) take = false;
        else if (ai < 0) take = true;
        else if (is_nan(a)) take = is_nan(b) && bi < ai;
        else if (is_nan(b)) take = true;
        else if (b == a) take = bi < ai;
        else take = op == 4 ? b > a : b < a;
        if (take) { a = b; ai = bi; }
      }
    });
    double result = sv[0];
    long long arg = si[0];
    __syncthreads();
    if (op == 3) {  // LOGSUMEXP: pass 2 sums exp(x - max)
      double m = result;
      double s = 0;
      if (!is_nan(m) && !is_inf(m))
        for (long long j = threadIdx.x; j < ninner; j += blockDim.x) s += exp(load(xp, xdt, base + offset_of(inner, j)) - m);
      sv[threadIdx.x] = s;
      __syncthreads();
      block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
      result = (is_nan(m) || is_inf(m)) ? m : m + log(sv[0]);
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      long long at = offset_of(out, r);
      if (op == 4 || op == 5) ((long long*)o)[at] = arg;
      else store(o, odt, at, result);
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------- row kernels (last dim)

// rows: x viewed without its last dim; one block per row.
extern "C" __global__ void rmr1_softmax(DESC orows, void* o, long long ostride, DESC xrows, const void* xp, long long xstride, int dt, long long nrows,
                                        int n, int logsm) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    long long xb = offset_of(xrows, r), ob = offset_of(orows, r);
    double m = -INF_D;
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = fmax(m, load(xp, dt, xb + j * xstride));
    sv[threadIdx.x] = m;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long&, double b, long long) { a = fmax(a, b); });
    m = sv[0];
    __syncthreads();
    // A NaN in the row makes s NaN, so the whole row is NaN, as in the reference.
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp(load(xp, dt, xb + j * xstride) - m);
    sv[threadIdx.x] = s;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
    s = sv[0];
    __syncthreads();
    double lse = m + log(s);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
      double v = load(xp, dt, xb + j * xstride);
      store(o, dt, ob + j * ostride, logsm ? v - lse : exp(v - m) / s);
    }
  }
}

extern "C" __global__ void rmr1_rmsnorm(DESC orows, void* o, long long ostride, DESC xrows, const void* xp, long long xstride, int dt,
                                        const void* wp, long long woff, long long wstride, int wdt, long long nrows, int n, double eps) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    long long xb = offset_of(xrows, r), ob = offset_of(orows, r);
    double ss = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
      double v = load(xp, dt, xb + j * xstride);
      ss += v * v;
    }
    sv[threadIdx.x] = ss;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
    double inv = 1.0 / sqrt(sv[0] / n + eps);
    __syncthreads();
    for (int j = threadIdx.x; j < n; j += blockDim.x)
      store(o, dt, ob + j * ostride, load(xp, dt, xb + j * xstride) * inv * load(wp, wdt, woff + j * wstride));
  }
}

// RMSNorm's backward (FusedRmsNorm), one block per row: with r = 1 / sqrt(mean(x^2) + eps) and
// n = x r, dx = r (g w - n mean(g w n)) and gn = g n (summed over rows by the caller: the weight's
// gradient). Rows as in rmr1_rmsnorm; dx or gn is skipped when its flag is 0.
extern "C" __global__ void rmr1_rmsnorm_backward(DESC dxrows, void* dxp, long long dxs, int haveDx, DESC gnrows, void* gnp, long long gns, int haveGn,
                                                 DESC grows, const void* gp, long long gs, DESC xrows, const void* xp, long long xs, int dt,
                                                 const void* wp, long long woff, long long wstride, int wdt, long long nrows, int n, double eps) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    long long xb = offset_of(xrows, r), gb = offset_of(grows, r);
    double ss = 0, sgwx = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
      double x = load(xp, dt, xb + j * xs);
      ss += x * x;
      sgwx += load(gp, dt, gb + j * gs) * load(wp, wdt, woff + j * wstride) * x;
    }
    sv[threadIdx.x] = ss;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
    double inv = 1.0 / sqrt(sv[0] / n + eps);
    __syncthreads();
    sv[threadIdx.x] = sgwx;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
    double m = inv * sv[0] / n;  // mean(g w n)
    __syncthreads();
    long long dxb = haveDx ? offset_of(dxrows, r) : 0, gnb = haveGn ? offset_of(gnrows, r) : 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
      double x = load(xp, dt, xb + j * xs), g = load(gp, dt, gb + j * gs), nx = x * inv;
      if (haveDx) store(dxp, dt, dxb + j * dxs, inv * (g * load(wp, wdt, woff + j * wstride) - nx * m));
      if (haveGn) store(gnp, dt, gnb + j * gns, g * nx);
    }
  }
}

// out = x * cos + rotate_half(x) * sin; all descs have out's shape (cos and sin expanded by the
// caller); d is the last dim and xs its stride in x.
extern "C" __global__ void rmr1_rope(DESC out, void* o, DESC x, const void* xp, DESC c, const void* cp, DESC s, const void* sp, int dt, long long n,
                                     int d, long long xs) {
  int half = d / 2;
  GRID_STRIDE(i, n) {
    int j = (int)(i % d);
    long long xo = offset_of(x, i);
    double v = load(xp, dt, xo);
    double rot = j < half ? -load(xp, dt, xo + half * xs) : load(xp, dt, xo - half * xs);
    store(o, dt, offset_of(out, i), v * load(cp, dt, offset_of(c, i)) + rot * load(sp, dt, offset_of(s, i)));
  }
}

// ---------------------------------------------------------------- attention

#define ATT_MAX_PER_LANE 8  // head dims up to 32 * 8 = 256
#define ATT_WARPS 8         // warps per query row (CudaBackend.ATTENTION_WARPS)

// One query row attended by one block of ATT_WARPS warps; warp w takes keys w, w + ATT_WARPS, ...
// (flash-decoding's split of the keys). Lane l holds channels l, l + 32, ... of q and of its warp's
// output accumulator; scores are warp-shuffle dot products, and an online softmax (running max and
// sum, Milakov & Gimelshein 2018) keeps O(D) state per warp: no (T, T) score matrix. The warps'
// states merge in shared memory, each rescaled to the common maximum. (One warp walking all keys
// in order was latency-bound: about 0.2 ms per layer for 200 cached positions on an H100.)
// Keys j = 0 .. keys - 1 sit at kb0 + j * ksj + c * ksc (values alike); the row (attention weights
// summing to 1, or 0 without keys) is written at ob + c * osc. Every thread of the block calls it.
__device__ void block_attend(int dim, int dt, double scale, const void* qp, long long qb, long long qsc, const void* kp, long long kb0,
                             long long ksj, long long ksc, const void* vp, long long vb0, long long vsj, long long vsc, int keys, void* o,
                             long long ob, long long osc) {
  __shared__ double wm[ATT_WARPS], wl[ATT_WARPS], wacc[ATT_WARPS][32 * ATT_MAX_PER_LANE];
  int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  double qv[ATT_MAX_PER_LANE], acc[ATT_MAX_PER_LANE];
#pragma unroll
  for (int t = 0; t < ATT_MAX_PER_LANE; t++) {
    int c = lane + 32 * t;
    qv[t] = c < dim ? load(qp, dt, qb + c * qsc) : 0.0;
    acc[t] = 0.0;
  }
  double m = -INF_D, l = 0.0;
  for (int j = w; j < keys; j += ATT_WARPS) {
    long long kb = kb0 + j * ksj, vb = vb0 + j * vsj;
    double dot = 0.0;
#pragma unroll
    for (int t = 0; t < ATT_MAX_PER_LANE; t++) {
      int c = lane + 32 * t;
      if (c < dim) dot += qv[t] * load(kp, dt, kb + c * ksc);
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, off);
    double score = dot * scale;
    double mnew = fmax(m, score);
    double corr = exp(m - mnew), p = exp(score - mnew);
    l = l * corr + p;
#pragma unroll
    for (int t = 0; t < ATT_MAX_PER_LANE; t++) {
      int c = lane + 32 * t;
      if (c < dim) acc[t] = acc[t] * corr + p * load(vp, dt, vb + c * vsc);
    }
    m = mnew;
  }
  if (lane == 0) {
    wm[w] = m;
    wl[w] = l;
  }
#pragma unroll
  for (int t = 0; t < ATT_MAX_PER_LANE; t++) {
    int c = lane + 32 * t;
    if (c < dim) wacc[w][c] = acc[t];
  }
  __syncthreads();
  // a warp without keys has max -inf and weight 0; a NaN in a warp's sum or accumulator still
  // reaches the output (0 * NaN)
  double mx = -INF_D;
  for (int u = 0; u < ATT_WARPS; u++) mx = fmax(mx, wm[u]);
  double sum = 0.0, weight[ATT_WARPS];
  for (int u = 0; u < ATT_WARPS; u++) {
    weight[u] = wm[u] == -INF_D ? 0.0 : exp(wm[u] - mx);
    sum += wl[u] * weight[u];
  }
  for (int c = threadIdx.x; c < dim; c += blockDim.x) {
    double a = 0.0;
    for (int u = 0; u < ATT_WARPS; u++) a += wacc[u][c] * weight[u];
    store(o, dt, ob + c * osc, keys <= 0 ? 0.0 : a / sum);
  }
  __syncthreads();  // the shared state is reused by the block's next row
}

// One block per (b, h, i) query row (block_attend). All descs are the raw 4-d (B, H, T, D) views.
extern "C" __global__ void rmr1_attention(DESC out, void* o, DESC q, const void* qp, DESC k, const void* kp, DESC v, const void* vp, int dt,
                                          double scale, int causal, int qoffset) {
  int batch = q.shape[0], hq = q.shape[1], tq = q.shape[2], dim = q.shape[3], hkv = k.shape[1], tk = k.shape[2];
  int group = hq / hkv;
  long long rows = (long long)batch * hq * tq;
  for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
    int i = (int)(r % tq), h = (int)((r / tq) % hq), b = (int)(r / ((long long)tq * hq));
    int kh = h / group;
    int last = causal ? qoffset + i : tk - 1;
    block_attend(dim, dt, scale, qp, q.offset + b * q.strides[0] + h * q.strides[1] + i * q.strides[2], q.strides[3], kp,
                k.offset + b * k.strides[0] + kh * k.strides[1], k.strides[2], k.strides[3], vp, v.offset + b * v.strides[0] + kh * v.strides[1],
                v.strides[2], v.strides[3], last + 1, o, out.offset + b * out.strides[0] + h * out.strides[1] + i * out.strides[2], out.strides[3]);
  }
}

// ---------------------------------------------------------------- indexing

// An out-of-range index sets error[0] (first writer wins) and records the index in error[1].
__device__ __forceinline__ void report_index(unsigned long long* error, long long j) {
  if (atomicCAS(error, 0ull, 1ull) == 0ull) error[1] = (unsigned long long)j;
}

// out (desc over out's shape) = x[..., index[i], ...] along dim; xsel = x's desc over out's shape
// with dim's stride 0.
extern "C" __global__ void rmr1_gather(DESC out, void* o, int dt, DESC xsel, const void* xp, long long xdimstride, int bound, DESC idx,
                                       const void* ip, int idt, long long n, unsigned long long* error) {
  GRID_STRIDE(e, n) {
    long long j = load_index(ip, idt, offset_of(idx, e));
    if (j < 0 || j >= bound) {
      report_index(error, j);
      continue;
    }
    store(o, dt, offset_of(out, e), load(xp, dt, offset_of(xsel, e) + j * xdimstride));
  }
}

// p[at] += v atomically, with the rounding of Reference.scatterAdd (set(get(dst) + get(src))).
// 16- and 8-bit types update the aligned 32-bit word that holds the element with compare-and-swap
// (device blocks are 512-byte aligned, so that word lies inside the allocation).
__device__ void atomic_add(void* p, int dt, long long at, double v) {
  switch (dt) {
    case DT_F64: atomicAdd((double*)p + at, v); return;
    case DT_F32: atomicAdd((float*)p + at, (float)v); return;
    case DT_I32: atomicAdd((int*)p + at, (int)java_d2l(v)); return;
    case DT_I64: atomicAdd((unsigned long long*)p + at, (unsigned long long)java_d2l(v)); return;
    default: {
      int size = (dt == DT_BF16 || dt == DT_F16) ? 2 : 1;
      unsigned long long addr = (unsigned long long)((char*)p + at * size);
      unsigned int* word = (unsigned int*)(addr & ~3ull);
      int shift = (int)(addr & 3ull) * 8;
      unsigned int mask = (size == 2 ? 0xffffu : 0xffu) << shift;
      unsigned int old = *word, assumed;
      do {
        assumed = old;
        unsigned int bits = (assumed & mask) >> shift;
        unsigned short half = (unsigned short)bits;
        unsigned char byte = (unsigned char)bits;
        double cur = size == 2 ? load(&half, dt, 0) : load(&byte, dt, 0);
        if (size == 2) store(&half, dt, 0, cur + v);
        else store(&byte, dt, 0, cur + v);
        unsigned int nbits = size == 2 ? half : byte;
        old = atomicCAS(word, assumed, (assumed & ~mask) | (nbits << shift));
      } while (old != assumed);
    }
  }
}

extern "C" __global__ void rmr1_scatter_add(DESC src, const void* sp, int dt, DESC dsel, void* dp, long long ddimstride, int bound, DESC idx,
                                            const void* ip, int idt, long long n, unsigned long long* error) {
  GRID_STRIDE(e, n) {
    long long j = load_index(ip, idt, offset_of(idx, e));
    if (j < 0 || j >= bound) {
      report_index(error, j);
      continue;
    }
    atomic_add(dp, dt, offset_of(dsel, e) + j * ddimstride, load(sp, dt, offset_of(src, e)));
  }
}

// One block per row along dim (rows: x viewed without dim), a contiguous chunk of the row per
// thread: the chunks' sums, their inclusive scan in shared memory, then each chunk again from its
// prefix. A sampling step's (16, 151936) probabilities took milliseconds with a thread per row.
// Sums in double, stored per element, as Reference.cumsum (only the order of the additions differs).
extern "C" __global__ void rmr1_cumsum(DESC orows, void* o, long long ostride, DESC xrows, const void* xp, long long xstride, int dt,
                                       long long nrows, int n) {
  __shared__ double part[1024];
  int chunk = (n + blockDim.x - 1) / blockDim.x;
  int j0 = min(n, (int)threadIdx.x * chunk), j1 = min(n, j0 + chunk);
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    long long xb = offset_of(xrows, r), ob = offset_of(orows, r);
    double s = 0;
    for (int j = j0; j < j1; j++) s += load(xp, dt, xb + j * xstride);
    part[threadIdx.x] = s;
    __syncthreads();
    for (int d = 1; d < blockDim.x; d <<= 1) {  // Hillis-Steele inclusive scan of the chunk sums
      double add = threadIdx.x >= d ? part[threadIdx.x - d] : 0;
      __syncthreads();
      part[threadIdx.x] += add;
      __syncthreads();
    }
    double acc = threadIdx.x > 0 ? part[threadIdx.x - 1] : 0;
    for (int j = j0; j < j1; j++) {  // reads x[j] before writing out[j]: in place is safe
      acc += load(xp, dt, xb + j * xstride);
      store(o, dt, ob + j * ostride, acc);
    }
    __syncthreads();  // part is reused by the block's next row
  }
}

// The order of Reference.topk: descending by Double.compare with NaN taken as +infinity (so NaN
// ties with +inf, and 0.0 ranks before -0.0), ties by lower index (a stable sort).
__device__ __forceinline__ bool ranks_before(double a, long long ai, double b, long long bi) {
  double ka = is_nan(a) ? INF_D : a, kb = is_nan(b) ? INF_D : b;
  if (ka != kb) return ka > kb;
  bool na = __double_as_longlong(ka) < 0, nb = __double_as_longlong(kb) < 0;  // sign bits: only differ for 0.0 vs -0.0
  if (na != nb) return nb;
  return ai < bi;
}

// One block per row: k passes of a block argmax, each excluding what earlier passes took by the
// (total) ranking order, so no per-row scratch is needed. O(k n) per row: meant for small k.
extern "C" __global__ void rmr1_topk(DESC vrows, void* vo, long long vstride, DESC irows, long long* io, long long istride, DESC xrows,
                                     const void* xp, long long xstride, int dt, long long nrows, int n, int k) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    long long xb = offset_of(xrows, r);
    double prev = 0;
    long long prevIdx = -1;
    for (int t = 0; t < k; t++) {
      double best = 0;
      long long bestIdx = -1;
      for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double v = load(xp, dt, xb + j * xstride);
        if (prevIdx >= 0 && !ranks_before(prev, prevIdx, v, j)) continue;
        if (bestIdx < 0 || ranks_before(v, j, best, bestIdx)) {
          best = v;
          bestIdx = j;
        }
      }
      sv[threadIdx.x] = best;
      si[threadIdx.x] = bestIdx;
      __syncthreads();
      block_reduce(sv, si, [](double& a, long long& ai, double b, long long bi) {
        if (bi >= 0 && (ai < 0 || ranks_before(b, bi, a, ai))) { a = b; ai = bi; }
      });
      prev = sv[0];
      prevIdx = si[0];
      __syncthreads();
      if (threadIdx.x == 0) {
        store(vo, dt, offset_of(vrows, r) + t * vstride, prev);
        io[offset_of(irows, r) + t * istride] = prevIdx;
      }
    }
  }
}

// ---------------------------------------------------------------- sampling filters

// TopFilters' order as one integer per token, larger first: the bits of the probability rounded to
// float (non-negative, so they order like the values), then the lower index. 0 is below every key.
__device__ __forceinline__ unsigned long long top_key(double p, int j) {
  return ((unsigned long long)__float_as_uint(__double2float_rn(p)) << 32) | (0xffffffffu - (unsigned)j);
}

// Over the row's tokens with key >= at: their count (si[0]) and mass (sv[0]), for every thread.
__device__ void keys_at_least(const double* row, int n, unsigned long long at, double* sv, long long* si, double& mass, long long& count) {
  double m = 0.0;
  long long c = 0;
  for (int j = threadIdx.x; j < n; j += blockDim.x) {
    double p = row[j];
    if (top_key(p, j) >= at) {
      m += p;
      c++;
    }
  }
  sv[threadIdx.x] = m;
  si[threadIdx.x] = c;
  __syncthreads();
  block_reduce(sv, si, [](double& a, long long& ai, double b, long long bi) { a += b; ai += bi; });
  mass = sv[0];
  count = si[0];
  __syncthreads();
}

// The largest key k in [lo, hi] whose tokens with key >= k (counted by count when byCount, else
// weighed by mass) reach target; lo when none does. A bisection over the 64-bit keys: no sort.
__device__ unsigned long long largest_key_reaching(const double* row, int n, unsigned long long lo, unsigned long long hi, bool byCount,
                                                   double target, double* sv, long long* si) {
  while (lo < hi) {
    unsigned long long mid = lo + (hi - lo + 1) / 2;
    double mass;
    long long count;
    keys_at_least(row, n, mid, sv, si, mass, count);
    if ((byCount ? (double)count : mass) >= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// TopFilter (TopFilters' top-k, then top-p renormalised over what top-k kept, then min-p) on dense
// F64 rows, one block per row: the kept tokens are those with key >= a threshold found by
// bisection. params: (rows, 3) F64 of top-k (0: off), top-p (1: off), min-p (0: off).
extern "C" __global__ void rmr1_top_filter(double* out, const double* probs, const double* params, long long rows, int n) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
    const double* row = probs + r * n;
    double* orow = out + r * n;
    int topK = (int)params[3 * r];
    double topP = params[3 * r + 1], minP = params[3 * r + 2];
    // the most likely token's key and probability (si holds keys as signed: they are below 2^63)
    long long best = 0;
    double top = 0.0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
      long long k = (long long)top_key(row[j], j);
      if (k > best) {
        best = k;
        top = row[j];
      }
    }
    sv[threadIdx.x] = top;
    si[threadIdx.x] = best;
    __syncthreads();
    block_reduce(sv, si, [](double& a, long long& ai, double b, long long bi) {
      if (bi > ai) { a = b; ai = bi; }
    });
    top = sv[0];
    unsigned long long hi = (unsigned long long)si[0], threshold = 0;
    __syncthreads();
    double total = 1.0;  // the mass top-p is relative to: all, or what top-k kept
    if (topK > 0 && topK < n) {
      threshold = largest_key_reaching(row, n, 0, hi, true, topK, sv, si);
      long long count;
      keys_at_least(row, n, threshold, sv, si, total, count);
    }
    if (topP < 1.0) threshold = largest_key_reaching(row, n, threshold, hi, false, topP * total, sv, si);
    if (minP > 0.0) {
      // up to the first token (in key order) below the cutoff: above the largest such key
      double cutoff = minP * top;
      long long below = 0;
      for (int j = threadIdx.x; j < n; j += blockDim.x) {
        long long k = (long long)top_key(row[j], j);
        if (row[j] < cutoff && (unsigned long long)k >= threshold && k > below) below = k;
      }
      sv[threadIdx.x] = 0.0;
      si[threadIdx.x] = below;
      __syncthreads();
      block_reduce(sv, si, [](double& a, long long& ai, double b, long long bi) {
        if (bi > ai) ai = bi;
      });
      if (si[0] > 0) threshold = (unsigned long long)si[0] + 1;
      __syncthreads();
    }
    for (int j = threadIdx.x; j < n; j += blockDim.x) orow[j] = top_key(row[j], j) >= threshold ? row[j] : 0.0;
  }
}

// ---------------------------------------------------------------- optimizer

// One AdamW update of dense F32 tensors (torch.optim.AdamW, single-tensor path), with the float
// operations, in the order, of dev.rmr1.nn.optim.AdamW.composedUpdate and of the CPU fused kernel
// (nn/optim/CpuKernels.adamW), so all three give the same bits. The _rn intrinsics are never
// contracted into FMAs. The coefficients are computed on the host in double, as PyTorch does.
extern "C" __global__ void rmr1_adamw(float* p, const float* g, float* m, float* v, long long n, int decay, float decayFactor, int smallWeight,
                                      float w, float oneMinusW, float beta2, float gradSqWeight, float bc2Sqrt, float eps, float negStepSize) {
  GRID_STRIDE(i, n) {
    float pv = p[i], gv = g[i], mv = m[i], vv = v[i];
    if (decay) pv = __fmul_rn(pv, decayFactor);
    float diff = __fsub_rn(gv, mv);
    mv = smallWeight ? __fadd_rn(mv, __fmul_rn(diff, w)) : __fsub_rn(gv, __fmul_rn(diff, oneMinusW));
    vv = __fadd_rn(__fmul_rn(vv, beta2), __fmul_rn(__fmul_rn(gv, gradSqWeight), gv));
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vv), bc2Sqrt), eps);
    pv = __fadd_rn(pv, __fmul_rn(__fdiv_rn(mv, denom), negStepSize));
    p[i] = pv;
    m[i] = mv;
    v[i] = vv;
  }
}

// ---------------------------------------------------------------- training attention (CudaAttention)

#define INF_F __int_as_float(0x7f800000)

// Scores -> probabilities, in place, for blocks of stacked query rows against keys 0..ncols-1 (the
// matrix products around them run on cuBLAS). Row r of the block (row stride ncols) is the query
// at absolute position firstPos + r % period, which sees keys 0..position when causal. Without
// `haveLse`, lse[r] = log-sum-exp of the row's scaled visible scores is written first (forward);
// with it, lse is read (backward). Then s = exp(s * scale - lse) where visible, else 0. One block
// per row; the arithmetic is F32 as in the CPU's training kernels.
extern "C" __global__ void rmr1_attn_probs(float* s, float* lse, long long nrows, int ncols, float scale, int causal, long long firstPos,
                                           long long period, int haveLse) {
  __shared__ float red[32];
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    float* row = s + r * ncols;
    long long pos = firstPos + r % period;
    int visible = causal ? (int)min((long long)ncols, pos + 1) : ncols;
    float l;
    if (haveLse) {
      l = lse[r];
    } else {
      float m = -INF_F;
      for (int j = threadIdx.x; j < visible; j += blockDim.x) m = fmaxf(m, __fmul_rn(row[j], scale));
      for (int off = 16; off > 0; off >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, off));
      if (lane == 0) red[warp] = m;
      __syncthreads();
      m = -INF_F;
      for (int w = 0; w < warps; w++) m = fmaxf(m, red[w]);
      __syncthreads();
      float sum = 0.f;
      if (m != -INF_F)
        for (int j = threadIdx.x; j < visible; j += blockDim.x) sum += expf(__fmul_rn(row[j], scale) - m);
      for (int off = 16; off > 0; off >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, off);
      if (lane == 0) red[warp] = sum;
      __syncthreads();
      sum = 0.f;
      for (int w = 0; w < warps; w++) sum += red[w];
      __syncthreads();
      l = m == -INF_F ? -INF_F : m + logf(sum);
      if (threadIdx.x == 0) lse[r] = l;
    }
    for (int j = threadIdx.x; j < ncols; j += blockDim.x)
      row[j] = (j < visible && l != -INF_F) ? expf(__fmul_rn(row[j], scale) - l) : 0.f;
  }
}

// dS = P * (dP - delta[r]) * scale, in place over dP; rows of ncols as in rmr1_attn_probs, delta[r]
// = rowsum(dO * O) of the row's query.
extern "C" __global__ void rmr1_attn_dscores(float* dp, const float* p, const float* delta, long long nrows, int ncols, float scale) {
  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {
    float d = delta[r];
    const float* prow = p + r * ncols;
    float* row = dp + r * ncols;
    for (int j = threadIdx.x; j < ncols; j += blockDim.x) row[j] = __fmul_rn(__fmul_rn(prow[j], __fsub_rn(row[j], d)), scale);
  }
}

// delta[r] = sum_c dO[r][c] * O[r][c] over dense rows of d channels: one warp per row.
extern "C" __global__ void rmr1_attn_delta(float* delta, const float* dout, const float* out, long long nrows, int d) {
  int lane = threadIdx.x & 31, warps = blockDim.x >> 5;
  for (long long r = (long long)blockIdx.x * warps + (threadIdx.x >> 5); r < nrows; r += (long long)gridDim.x * warps) {
    float acc = 0.f;
    for (int c = lane; c < d; c += 32) acc += dout[r * d + c] * out[r * d + c];
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if (lane == 0) delta[r] = acc;
  }
}

// ---------------------------------------------------------------- batched decoding (RaggedAttention)

#define MAX_SEQS 64

// Sequences of one decoding step (CudaBackend.seqTable, 1800 bytes little endian): sequence s has
// caches at device addresses k[s], v[s], dense (1, Hkv, capacity[s], D) holding past[s] positions,
// and its new token at packed position offset[s] of q, k, v and out.
struct SeqTable {
  unsigned long long k[MAX_SEQS];
  unsigned long long v[MAX_SEQS];
  int past[MAX_SEQS];
  int offset[MAX_SEQS];
  int capacity[MAX_SEQS];
  int n;
  int pad;
};

__device__ __forceinline__ void copy_element(void* dst, long long di, const void* src, long long si, int dt) {
  switch (dt) {
    case DT_F64: case DT_I64: ((long long*)dst)[di] = ((const long long*)src)[si]; break;
    case DT_F32: case DT_I32: ((int*)dst)[di] = ((const int*)src)[si]; break;
    case DT_BF16: case DT_F16: ((unsigned short*)dst)[di] = ((const unsigned short*)src)[si]; break;
    default: ((unsigned char*)dst)[di] = ((const unsigned char*)src)[si]; break;
  }
}

// Each sequence's new key and value (raw (1, Hkv, N, D) descs) into its caches at position past[s]:
// one thread per element, bits copied (the caches have the dtype of k and v).
extern "C" __global__ void rmr1_cache_append(const __grid_constant__ SeqTable t, DESC k, const void* kp, DESC v, const void* vp, int dt) {
  int hkv = k.shape[1], d = k.shape[3];
  long long total = (long long)t.n * hkv * d;
  GRID_STRIDE(e, total) {
    int c = (int)(e % d), h = (int)((e / d) % hkv), s = (int)(e / ((long long)d * hkv));
    int pos = t.offset[s];
    long long dst = ((long long)h * t.capacity[s] + t.past[s]) * d + c;
    copy_element((void*)t.k[s], dst, kp, k.offset + h * k.strides[1] + pos * k.strides[2] + c * k.strides[3], dt);
    copy_element((void*)t.v[s], dst, vp, v.offset + h * v.strides[1] + pos * v.strides[2] + c * v.strides[3], dt);
  }
}

// One block per (sequence, query head): the query at packed position offset[s] attends to cache
// positions 0 .. past[s] of KV head h / G (block_attend). q and out: raw (1, Hq, N, D) descs.
extern "C" __global__ void rmr1_decode_attention(const __grid_constant__ SeqTable t, DESC out, void* o, DESC q, const void* qp, int dt, int hkv,
                                                 double scale) {
  int hq = q.shape[1], dim = q.shape[3];
  int group = hq / hkv;
  long long rows = (long long)t.n * hq;
  for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
    int s = (int)(r / hq), h = (int)(r % hq);
    int pos = t.offset[s];
    long long kb0 = (long long)(h / group) * t.capacity[s] * dim;  // dense (1, Hkv, capacity, D) caches
    block_attend(dim, dt, scale, qp, q.offset + h * q.strides[1] + pos * q.strides[2], q.strides[3], (const void*)t.k[s], kb0, dim, 1,
                 (const void*)t.v[s], kb0, dim, 1, t.past[s] + 1, o, out.offset + h * out.strides[1] + pos * out.strides[2], out.strides[3]);
  }
}
