#!/usr/bin/env bash
# One-shot GPU check. Two halves:
#   scripts/gpu-check.sh prepare   (here, with JDK 25 + Maven) builds build/gpu/: a jlink'd JDK 25
#                                  runtime (the GPU machine has no Java), the jars, the CUDA test
#                                  classes and the JUnit console launcher; under 64 MB in all.
#   scripts/gpu-check.sh run       (on the GPU machine) runs the CUDA test suite and the GPU
#                                  benchmarks with that runtime and prints a summary.
# With the workplace's device tool: prepare here, then run with carry=["build/gpu"] and
# command "bash scripts/gpu-check.sh run" (timeout 600 s).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/gpu
case "${1:-}" in
prepare)
  . scripts/find-jdk.sh
  mvn -B -q -ntp -DskipTests package -pl cli,cuda -am
  mvn -B -q -ntp -DskipTests test-compile -pl cuda -am
  rm -rf "$OUT" && mkdir -p "$OUT/lib"
  # Only the modules the jars use: java.desktop (AWT, for plots) stays out to keep the runtime small.
  "$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.incubator.vector,jdk.unsupported,java.xml,jdk.crypto.ec \
    --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$OUT/jre"
  cp cli/target/rmr1.jar "$OUT/lib/"
  cp -r cuda/target/test-classes "$OUT/cuda-test-classes"
  mvn -B -q -ntp dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 -DoutputDirectory="$OUT/lib"
  for a in net.jqwik:jqwik-api:1.10.1 net.jqwik:jqwik-engine:1.10.1 net.jqwik:jqwik-time:1.10.1 net.jqwik:jqwik-web:1.10.1 org.opentest4j:opentest4j:1.3.0; do
    mvn -B -q -ntp dependency:copy -Dartifact=$a -DoutputDirectory="$OUT/lib" || true
  done
  cp scripts/gpu/*.py "$OUT/" 2>/dev/null || true
  du -sh "$OUT"
  ;;
run)
  [ -x "$OUT/jre/bin/java" ] || { echo "build/gpu is missing: run 'scripts/gpu-check.sh prepare' first and carry build/gpu" >&2; exit 1; }
  JAVA="$OUT/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  echo "== CUDA test suite"
  $JAVA -jar "$OUT"/lib/junit-platform-console-standalone-*.jar execute \
    --class-path "$OUT/lib/rmr1.jar:$OUT/cuda-test-classes:$(ls "$OUT"/lib/jqwik-*.jar "$OUT"/lib/opentest4j-*.jar 2>/dev/null | tr '\n' ':')" \
    --select-package dev.rmr1.cuda --details=tree --disable-banner 2>&1 | tail -60
  echo "== GPU benchmarks"
  for dt in f32 bf16; do
    $JAVA -jar "$OUT/lib/rmr1.jar" bench matmul --device cuda --m 8192 --n 8192 --k 8192 --dtype $dt --json || true
  done
  if command -v python3 >/dev/null && [ -f "$OUT/torch_bench.py" ]; then python3 "$OUT/torch_bench.py" || true; fi
  ;;
*)
  echo "usage: scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
