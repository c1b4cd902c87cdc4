#!/usr/bin/env bash
# Whole pipeline against the bare graph (issue 12 item 2), side by side in one run.
#
#   scripts/bench_pipeline.sh [THREADS] [JAR...]
#
# For each backbone (ResNet-18 built in Java from --random-init 1; the shared 9-tap MobileNetV2 ONNX, levels pooled
# inside the graph) and each jar (default: this worktree's, built by ./maha), alternating jar by jar:
#   graph:    `maha bench --batches 16 --images 128 --fit-n 0` (preprocessed input, backbone.extract only)
#   pipeline: `maha evaluate` on 300x300 PNGs (272 train + 32 test, MVTec layout; decode + resize + normalise +
#             graph + pooling + statistics), the images/s of its train extraction (progress line on stderr).
# Prints images/s of both and pipeline/graph. Several jars (e.g. a build of main before the change) are measured in
# the same run, one after the other per backbone, so machine load hits both alike; `uptime` is printed around it.
# The 300-px set is written once by SyntheticInspectionSet (jshell, JDK 17) to $MAHA_BENCH_DATA
# (default /tmp/maha-bench-pipeline).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"
shift || true
jars=("$@")
if [ ${#jars[@]} -eq 0 ]; then
  "$here/maha" --version >/dev/null
  jars=("$here/maha-cli/target/maha.jar")
fi
data="${MAHA_BENCH_DATA:-/tmp/maha-bench-pipeline}"
shared="$here/../shared/models/mobilenet_v2_imagenet_9taps.onnx"
if [ ! -d "$data/data" ]; then
  mkdir -p "$data"
  cat > "$data/gen.jsh" <<JSH
var spec = new org.maha.data.SyntheticInspectionSet.Spec(java.util.List.of("fabric"), 300, 256, 16, 4, 7L);
org.maha.data.SyntheticInspectionSet.write(java.nio.file.Path.of("$data/data"), spec);
/exit
JSH
  jshell --class-path "${jars[0]}" "$data/gen.jsh" >/dev/null
fi
java_opts=(${MAHA_JAVA_OPTS:--XX:MaxRAMPercentage=70 -XX:+UseSerialGC})
backbones=("resnet18|--backbone resnet18 --random-init 1 --backbone-cache $data/cache")
if [ -f "$shared" ]; then
  backbones+=("mobilenet_v2 9 taps|--onnx $shared")
else
  echo "($shared absent: MobileNetV2 skipped)" >&2
fi
echo "load before: $(uptime)"
printf '| backbone | jar | graph images/s (bench, batch 16) | pipeline images/s (evaluate, train) | pipeline / graph |\n'
printf '|---|---|---:|---:|---:|\n'
for entry in "${backbones[@]}"; do
  label="${entry%%|*}"
  opts="${entry#*|}"
  for jar in "${jars[@]}"; do
    # shellcheck disable=SC2086
    graph=$(java "${java_opts[@]}" -jar "$jar" bench $opts --threads "$threads" --batches 16 --images 128 \
      --fit-n 0 2>/dev/null | awk -F'|' 'NF == 8 && $2 ~ /backbone/ && $3+0 == 16 {gsub(/ /, "", $6); print $6; exit}')
    out="$(mktemp -d)"
    # shellcheck disable=SC2086
    pipe=$(java "${java_opts[@]}" -jar "$jar" evaluate "$data/data" $opts --threads "$threads" --variants mvg \
      -o "$out/report" 2>&1 >/dev/null | grep -E 'train.*[0-9]+/[0-9]+ images, .* images/s, ' | tail -1 \
      | sed -E 's/.* images, ([0-9.]+) images\/s.*/\1/')
    rm -rf "$out"
    ratio=$(awk -v p="$pipe" -v g="$graph" 'BEGIN { if (g > 0) printf "%.0f %%", 100 * p / g; else print "?" }')
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$(basename "$jar")" \
      "$graph" "$pipe" "$ratio"
  done
done
echo "load after: $(uptime)"
