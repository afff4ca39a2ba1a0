#!/usr/bin/env bash
# GEMM/GEMV benchmark of the CPU backend against numpy (OpenBLAS) in the same run, interleaved
# round by round so that both see the same machine load. Prints every round's JSON line, then the
# medians over rounds and our/numpy ratio. Results go to BENCHMARKS.md ("GEMM and GEMV (CPU)").
#
#   scripts/bench-gemm.sh                 # 2048^3 F32 GEMM x 5 rounds, BF16 GEMVs with bandwidth
#   ROUNDS=3 SIZE=1024 scripts/bench-gemm.sh
#
# numpy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (for its command alone): some machines
# set them for old OpenBLAS builds, and they slow a current numpy. The OpenBLAS kernel in use is
# reported (threadpoolctl when installed, else OpenBLAS's own get_corename).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
SIZE="${SIZE:-2048}"
THREADS="${THREADS:-$(nproc)}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

numpy_matmul() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" python3 - "$SIZE" <<'PY'
import ctypes, json, sys, time
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
for _ in range(5):
    a @ b
ts = []
for _ in range(10):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
ts.sort()
med, best = (ts[4] + ts[5]) / 2, ts[0]
kernel = "unknown"
try:
    from threadpoolctl import threadpool_info
    infos = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    if infos:
        kernel = "threadpoolctl: %s, %s threads" % (infos[0].get("architecture"), infos[0].get("num_threads"))
except ImportError:
    pass
if kernel == "unknown":
    # threadpoolctl missing (or too old for numpy's scipy-openblas): ask the loaded OpenBLAS itself.
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if "openblas" in path and path.endswith(".so"):
            lib = ctypes.CDLL(path)
            for sym in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
                if hasattr(lib, sym):
                    f = getattr(lib, sym); f.restype = ctypes.c_char_p
                    kernel = "openblas get_corename: " + f().decode()
                    break
            break
print(json.dumps({"peer": "numpy " + np.__version__, "m": n, "n": n, "k": n, "median_ms": med * 1e3,
                  "min_ms": best * 1e3, "gflops": 2.0 * n ** 3 / med / 1e9, "kernel": kernel}))
PY
}

ours() { "$ROOT/rmr1" bench matmul --threads "$THREADS" --json "$@" 2>/dev/null; }

"$ROOT/rmr1" --version >/dev/null # builds the CLI jar if needed, outside the timed runs
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)  (threads $THREADS, rounds $ROUNDS)"
for r in $(seq 1 "$ROUNDS"); do
  ours --m "$SIZE" --n "$SIZE" --k "$SIZE" --reps 10 --warmup 5 | tee -a "$OUT/gemm_f32"
  numpy_matmul | tee -a "$OUT/numpy"
  ours --m "$SIZE" --n "$SIZE" --k "$SIZE" --dtype bf16 --layout nt --reps 10 --warmup 5 | tee -a "$OUT/gemm_bf16"
  # GEMV (decode): 4864x896 is 8.7 MB, so 8 rotating copies keep it out of the 32 MB L3.
  ours --m 1 --n 4864 --k 896 --dtype bf16 --copies 8 --reps 100 --warmup 200 --bandwidth-mib 256 | tee -a "$OUT/gemv_small"
  ours --m 1 --n 151936 --k 896 --dtype bf16 --reps 20 --warmup 5 --bandwidth-mib 256 | tee -a "$OUT/gemv_vocab"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
def rows(name):
    return [json.loads(l) for l in open(os.path.join(d, name)) if l.strip()]
def med(rs, key):
    return statistics.median(r[key] for r in rs)
def best_gflops(rs):  # from the fastest repetition of each round, then the median over rounds
    return statistics.median(2.0 * r["m"] * r["n"] * r["k"] / (r["min_ms"] * 1e6) for r in rs)
f32, npy, bf16 = rows("gemm_f32"), rows("numpy"), rows("gemm_bf16")
print("\nmedians over %d rounds:" % len(f32))
print("  GEMM F32 %dx%dx%d   ours %.1f GFLOP/s   %s %.1f GFLOP/s   ratio %.2f   (numpy kernel: %s)" % (
    f32[0]["m"], f32[0]["n"], f32[0]["k"], med(f32, "gflops"), npy[0]["peer"], med(npy, "gflops"),
    med(f32, "gflops") / med(npy, "gflops"), npy[0]["kernel"]))
print("  per-round ratios: " + " ".join("%.2f" % (a["gflops"] / b["gflops"]) for a, b in zip(f32, npy)))
print("  fastest repetition (least disturbed):  ours %.1f GFLOP/s   numpy %.1f GFLOP/s   ratio %.2f" % (
    best_gflops(f32), best_gflops(npy), best_gflops(f32) / best_gflops(npy)))
print("  GEMM F32 x BF16 W^T (nt)   ours %.1f GFLOP/s (fastest repetition %.1f)" % (med(bf16, "gflops"), best_gflops(bf16)))
for name in ("gemv_small", "gemv_vocab"):
    g = rows(name)
    wbytes = g[0]["n"] * g[0]["k"] * 2
    fastest = statistics.median(wbytes / (r["min_ms"] * 1e6) for r in g)
    print("  GEMV BF16 %dx%d (copies %d)   %.2f GB/s of weights, streaming read %.2f GB/s, fraction %.2f   (%.3f ms; fastest repetition %.2f GB/s)" % (
        g[0]["n"], g[0]["k"], g[0]["copies"], med(g, "weight_gbps"), med(g, "membw_gbps"), med(g, "membw_fraction"), med(g, "median_ms"), fastest))
PY
