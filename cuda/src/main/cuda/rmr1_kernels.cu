// CUDA kernels of the rmr1 tensor backend (dev.rmr1.cuda.CudaBackend).
//
// One generic kernel per primitive of dev.rmr1.tensor.Backend, mirroring the CPU scalar reference
// (tensor/src/main/java/dev/rmr1/tensor/cpu/Reference.java): every tensor argument arrives as a
// TensorDesc (offset, shape, strides in elements) so views, broadcasts (stride 0) and transposes
// need no copies; element types are read and written through load()/store() by dtype code and the
// arithmetic is done in double, which keeps the GPU path numerically aligned with the reference
// (these kernels are memory bound; GEMMs go to cuBLAS).
//
// Compiled at run time by NVRTC when available (libnvrtc.so.13 or .so.12), else loaded from the
// PTX that scripts/build-ptx.sh generates with nvcc. Only built-in CUDA headers are used, because
// NVRTC has no system include path.

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

struct TensorDesc {
  long long offset;
  long long strides[MAX_DIMS];
  int shape[MAX_DIMS];
  int ndim;
};

__device__ __forceinline__ float bf16_to_float(unsigned short b) { return __int_as_float(((unsigned int)b) << 16); }

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
  unsigned short h;
  asm("{ .reg .f16 t; cvt.rn.f16.f32 t, %1; mov.b16 %0, t; }" : "=h"(h) : "f"(f));
  return h;
}

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

__device__ __forceinline__ long long load_index(const void* p, int dt, long long i) {
  return dt == DT_I32 ? (long long)((const int*)p)[i] : ((const long long*)p)[i];
}

__device__ __forceinline__ void store(void* p, int dt, long long i, double v) {
  switch (dt) {
    case DT_F32: ((float*)p)[i] = (float)v; break;
    case DT_F64: ((double*)p)[i] = v; break;
    case DT_BF16: ((unsigned short*)p)[i] = float_to_bf16((float)v); break;
    case DT_F16: ((unsigned short*)p)[i] = float_to_f16((float)v); break;
    case DT_I32: ((int*)p)[i] = (int)(long long)v; break;
    case DT_I64: ((long long*)p)[i] = (long long)v; break;
    case DT_BOOL: ((unsigned char*)p)[i] = v != 0.0 ? 1 : 0; break;
    default: ((unsigned char*)p)[i] = (unsigned char)(long long)v; break;
  }
}

// Storage offset of the element with row-major linear index `linear` in the view `d`.
__device__ __forceinline__ long long offset_of(const TensorDesc& d, long long linear) {
  long long off = d.offset;
  for (int k = d.ndim - 1; k >= 0; k--) {
    int s = d.shape[k];
    off += (linear % s) * d.strides[k];
    linear /= s;
  }
  return off;
}

#define INF_D __longlong_as_double(0x7ff0000000000000LL)
#define NAN_D __longlong_as_double(0x7ff8000000000000LL)

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// ---------------------------------------------------------------- elementwise

// Op codes: the ordinal of dev.rmr1.tensor.UnaryOp.
__device__ double erf_d(double x) { return erf(x); }

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
    case 9: return 0.5 * x * (1.0 + erf_d(x / sqrt(2.0)));  // GELU
    case 10: return 0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));  // GELU_TANH
    case 11: return x > 0 ? x : (x == x ? 0.0 : x);      // RELU
    case 12: return x * x;                               // SQUARE
    case 13: return 1.0 / x;                             // RECIPROCAL
    case 14: return sin(x);                              // SIN
    default: return cos(x);                              // COS
  }
}

// Op codes: the ordinal of dev.rmr1.tensor.BinaryOp.
__device__ double binary_op(int op, double a, double b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return pow(a, b);
    case 5: return (a != a || b != b) ? (a + b) : fmax(a, b);  // MAXIMUM, NaN propagates
    case 6: return (a != a || b != b) ? (a + b) : fmin(a, b);  // MINIMUM
    case 7: return a == b;
    case 8: return a != b;
    case 9: return a < b;
    case 10: return a <= b;
    case 11: return a > b;
    default: return a >= b;
  }
}

extern "C" __global__ void rmr1_fill(TensorDesc out, void* o, int odt, long long n, double value) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), value);
}

extern "C" __global__ void rmr1_copy(TensorDesc out, void* o, int odt, TensorDesc x, const void* xp, int xdt, long long n) {
  bool integral = odt >= DT_I32 && xdt >= DT_I32;
  GRID_STRIDE(i, n) {
    if (integral && (odt == DT_I64 || xdt == DT_I64)) {
      long long v = xdt == DT_I64 ? ((const long long*)xp)[offset_of(x, i)] : (long long)load(xp, xdt, offset_of(x, i));
      long long at = offset_of(out, i);
      if (odt == DT_I64) ((long long*)o)[at] = v;
      else store(o, odt, at, (double)v);
    } else {
      store(o, odt, offset_of(out, i), load(xp, xdt, offset_of(x, i)));
    }
  }
}

extern "C" __global__ void rmr1_unary(int op, TensorDesc out, void* o, int odt, TensorDesc x, const void* xp, int xdt, long long n) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), unary_op(op, load(xp, xdt, offset_of(x, i))));
}

extern "C" __global__ void rmr1_binary(int op, TensorDesc out, void* o, int odt, TensorDesc a, const void* ap, TensorDesc b, const void* bp,
                                       int idt, long long n) {
  GRID_STRIDE(i, n) store(o, odt, offset_of(out, i), binary_op(op, load(ap, idt, offset_of(a, i)), load(bp, idt, offset_of(b, i))));
}

extern "C" __global__ void rmr1_where(TensorDesc out, void* o, int dt, TensorDesc c, const unsigned char* cp, TensorDesc a, const void* ap,
                                     TensorDesc b, const void* bp, long long n) {
  GRID_STRIDE(i, n) {
    double v = cp[offset_of(c, i)] ? load(ap, dt, offset_of(a, i)) : load(bp, dt, offset_of(b, i));
    store(o, dt, offset_of(out, i), v);
  }
}

// ---------------------------------------------------------------- reductions

// Block-wide reduction of (value, index) pairs in shared memory; blockDim.x is a power of two <= 1024.
template <typename F>
__device__ void block_reduce(double* sv, long long* si, F combine) {
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) combine(sv[threadIdx.x], si[threadIdx.x], sv[threadIdx.x + s], si[threadIdx.x + s]);
    __syncthreads();
  }
}

// One block per output element. `outer` is x viewed with out's shape (reduced dims of size 1),
// `inner` the reduced dims of x (shape and strides, offset 0). Op codes: dev.rmr1.tensor.ReduceOp.
extern "C" __global__ void rmr1_reduce(int op, TensorDesc out, void* o, int odt, TensorDesc outer, TensorDesc inner, const void* xp, int xdt,
                                       long long nout, long long ninner) {
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
      if (v != v) nan = true;
      switch (op) {
        case 0: acc += v; break;
        case 1: case 3: acc = fmax(acc, v); break;
        case 2: acc = fmin(acc, v); break;
        default:  // ARGMAX / ARGMIN: the first NaN wins, ties keep the lower (earlier) index
          if (best < 0 || (acc == acc && (v != v || (op == 4 ? v > acc : v < acc)))) {
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
      else if (op == 1 || op == 3) a = (a != a || b != b) ? a + b : fmax(a, b);
      else if (op == 2) a = (a != a || b != b) ? a + b : fmin(a, b);
      else {
        // first NaN wins, else the strictly better value, ties to the lower index
        bool take;
        if (bi < 0) take = false;
        else if (ai < 0) take = true;
        else if (a != a) take = (b != b) && bi < ai;
        else if (b != b) take = true;
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
      if (m == m && !isinf(m))
        for (long long j = threadIdx.x; j < ninner; j += blockDim.x) s += exp(load(xp, xdt, base + offset_of(inner, j)) - m);
      sv[threadIdx.x] = s;
      __syncthreads();
      block_reduce(sv, si, [](double& a, long long&, double b, long long) { a += b; });
      result = (m != m || isinf(m)) ? m : m + log(sv[0]);
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
extern "C" __global__ void rmr1_softmax(TensorDesc orows, void* o, long long ostride, TensorDesc xrows, const void* xp, long long xstride,
                                        int dt, long long nrows, int n, int logsm) {
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

extern "C" __global__ void rmr1_rmsnorm(TensorDesc orows, void* o, long long ostride, TensorDesc xrows, const void* xp, long long xstride, int dt,
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

// out = x * cos + rotate_half(x) * sin over the whole tensor; all descs have out's shape.
extern "C" __global__ void rmr1_rope(TensorDesc out, void* o, TensorDesc x, const void* xp, TensorDesc c, const void* cp, TensorDesc s,
                                     const void* sp, int dt, long long n) {
  int d = x.shape[x.ndim - 1], half = d / 2;
  long long xs = x.strides[x.ndim - 1];
  GRID_STRIDE(i, n) {
    int j = (int)(i % d);
    long long xo = offset_of(x, i);
    double v = load(xp, dt, xo);
    double rot = j < half ? -load(xp, dt, xo + half * xs) : load(xp, dt, xo - half * xs);
    store(o, dt, offset_of(out, i), v * load(cp, dt, offset_of(c, i)) + rot * load(sp, dt, offset_of(s, i)));
  }
}

// ---------------------------------------------------------------- attention

// One block per (b, h, i) query row, one thread per channel (blockDim.x >= D, power of two):
// an online softmax over the keys keeps memory at O(D) per row (no (T, T) score matrix).
extern "C" __global__ void rmr1_attention(TensorDesc out, void* o, TensorDesc q, const void* qp, TensorDesc k, const void* kp, TensorDesc v,
                                          const void* vp, int dt, double scale, int causal, int qoffset) {
  __shared__ double sv[1024];
  __shared__ long long si[1024];
  int batch = q.shape[0], hq = q.shape[1], tq = q.shape[2], dim = q.shape[3], hkv = k.shape[1], tk = k.shape[2];
  int group = hq / hkv;
  long long rows = (long long)batch * hq * tq;
  int c = threadIdx.x;
  for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
    int i = (int)(r % tq), h = (int)((r / tq) % hq), b = (int)(r / ((long long)tq * hq));
    int kh = h / group;
    int last = causal ? qoffset + i : tk - 1;
    double qc = c < dim ? load(qp, dt, q.offset + b * q.strides[0] + h * q.strides[1] + i * q.strides[2] + c * q.strides[3]) : 0.0;
    double m = -INF_D, l = 0.0, acc = 0.0;
    for (int j = 0; j <= last; j++) {
      long long kb = k.offset + b * k.strides[0] + kh * k.strides[1] + j * k.strides[2];
      sv[c] = c < dim ? qc * load(kp, dt, kb + c * k.strides[3]) : 0.0;
      __syncthreads();
      block_reduce(sv, si, [](double& a, long long&, double bb, long long) { a += bb; });
      double score = sv[0] * scale;
      __syncthreads();
      double mnew = fmax(m, score);
      double corr = exp(m - mnew), p = exp(score - mnew);
      l = l * corr + p;
      if (c < dim) acc = acc * corr + p * load(vp, dt, v.offset + b * v.strides[0] + kh * v.strides[1] + j * v.strides[2] + c * v.strides[3]);
      m = mnew;
    }
    if (c < dim) store(o, dt, out.offset + b * out.strides[0] + h * out.strides[1] + i * out.strides[2] + c * out.strides[3], last < 0 ? 0.0 : acc / l);
  }
}

// ---------------------------------------------------------------- indexing

// out (desc over out's shape) = x[..., index[i], ...] along dim; xsel = x's desc with dim's stride 0.
extern "C" __global__ void rmr1_gather(TensorDesc out, void* o, int dt, TensorDesc xsel, const void* xp, long long xdimstride, int bound,
                                       TensorDesc idx, const void* ip, int idt, long long n, int* error) {
  GRID_STRIDE(e, n) {
    long long j = load_index(ip, idt, offset_of(idx, e));
    if (j < 0 || j >= bound) {
      atomicExch(error, 1);
      continue;
    }
    store(o, dt, offset_of(out, e), load(xp, dt, offset_of(xsel, e) + j * xdimstride));
  }
}

extern "C" __global__ void rmr1_scatter_add(TensorDesc src, const void* sp, int dt, TensorDesc dsel, void* dp, long long ddimstride, int bound,
                                            TensorDesc idx, const void* ip, int idt, long long n, int* error) {
  GRID_STRIDE(e, n) {
    long long j = load_index(ip, idt, offset_of(idx, e));
    if (j < 0 || j >= bound) {
      atomicExch(error, 1);
      continue;
    }
    long long at = offset_of(dsel, e) + j * ddimstride;
    double v = load(sp, dt, offset_of(src, e));
    if (dt == DT_F64) atomicAdd(((double*)dp) + at, v);
    else atomicAdd(((float*)dp) + at, (float)v);
  }
}

// One thread per row along dim; rows: x viewed with dim of size 1.
extern "C" __global__ void rmr1_cumsum(TensorDesc orows, void* o, long long ostride, TensorDesc xrows, const void* xp, long long xstride, int dt,
                                       long long nrows, int n) {
  GRID_STRIDE(r, nrows) {
    long long xb = offset_of(xrows, r), ob = offset_of(orows, r);
    double acc = 0;
    for (int j = 0; j < n; j++) {
      acc += load(xp, dt, xb + j * xstride);
      store(o, dt, ob + j * ostride, acc);
    }
  }
}

// One block per row: k passes of a block argmax, each excluding what earlier passes took by the
// ordering (value descending, NaN largest, then index ascending), so no per-row scratch is needed.
__device__ __forceinline__ bool ranks_before(double a, long long ai, double b, long long bi) {
  bool an = a != a, bn = b != b;
  if (an != bn) return an;
  if (!an && a != b) return a > b;
  return ai < bi;
}

extern "C" __global__ void rmr1_topk(TensorDesc vrows, void* vo, long long vstride, TensorDesc irows, long long* io, long long istride,
                                     TensorDesc xrows, const void* xp, long long xstride, int dt, long long nrows, int n, int k) {
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
