#!/usr/bin/env bash
# Regenerates the PTX shipped with the cuda module from its CUDA C source (needs nvcc).
# The first line records the source's sha256; CudaPtxFreshnessTest fails when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
src=cuda/src/main/cuda/rmr1_kernels.cu
out=cuda/src/main/resources/dev/rmr1/cuda/rmr1_kernels.ptx
# compute_80 (Ampere) PTX runs on sm_80 and newer (A100, H100, H200) through the driver's JIT.
tmp=$(mktemp)
nvcc -ptx -arch=compute_80 --std=c++17 -o "$tmp" "$src"
{ echo "// rmr1-source-sha256: $(sha256sum "$src" | cut -d' ' -f1)"; cat "$tmp"; } > "$out"
rm -f "$tmp"
echo "wrote $out ($(wc -c < "$out") bytes) with $(nvcc --version | tail -1)"
