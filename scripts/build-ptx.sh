#!/usr/bin/env bash
# Regenerates the PTX shipped with the cuda module from its CUDA C source (needs nvcc 12.x or 13.x).
# The first line records the source's sha256; CudaPtxFreshnessTest fails when they differ.
# The options must stay those of Kernels.java's NVRTC compile (C++17, no FMA contraction).
set -euo pipefail
cd "$(dirname "$0")/.."
src=cuda/src/main/cuda/rmr1_kernels.cu
out=cuda/src/main/resources/dev/rmr1/cuda/rmr1_kernels.ptx
# compute_80 (Ampere) PTX runs on sm_80 and newer (A100, H100, H200) through the driver's JIT.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nvcc -ptx -arch=compute_80 --std=c++17 -fmad=false -o "$tmp/k.ptx" "$src"
# The PTX must also assemble for the GPUs it targets (catches what the PTX front end lets through).
if command -v ptxas >/dev/null; then
  for sm in sm_80 sm_90; do ptxas -arch=$sm -o "$tmp/k.cubin" "$tmp/k.ptx"; done
fi
{ echo "// rmr1-source-sha256: $(sha256sum "$src" | cut -d' ' -f1)"; cat "$tmp/k.ptx"; } > "$out"
echo "wrote $out ($(wc -c < "$out") bytes) with $(nvcc --version | tail -1)"
