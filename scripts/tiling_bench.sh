#!/usr/bin/env bash
# Tiling measurements for README "Small defects in large images: tiling" (issue 10 items 4 and 6).
#
#   scripts/tiling_bench.sh [OUT]        (default OUT: maha-demo-large)
#
# 1. `maha demo --large -o OUT`: writes the large synthetic set (fabric and granite, 1024 px, defects drawn at the
#    scale of a 256-px image, masks in ground_truth/) once, then per category evaluates mvg on whole images and on
#    224-px tiles with a 32-px overlap, alternating, so both see the same machine load; prints both image-AUROC
#    tables and the time per image of each (fit + score, all images of the set).
# 2. `maha evaluate --maps` on the same set without and with tiling: pixel AUROC and AU-PRO (FPR <= 0.3).
# The load average is printed before and after each step: the machine is shared, timings are only comparable
# within one step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-maha-demo-large}"
# build the jar once, then run it directly: ./maha would rebuild mid-run if a source changed meanwhile
"$here/maha" --version >/dev/null
maha() { java ${MAHA_JAVA_OPTS:--XX:MaxRAMPercentage=70 -XX:+UseSerialGC} -jar "$here/maha-cli/target/maha.jar" "$@"; }
steps="${TILING_BENCH_STEPS:-demo maps}"   # e.g. TILING_BENCH_STEPS=maps to rerun only step 2
load() { echo "load: $(uptime | sed 's/.*load average/load average/')"; }

if [[ " $steps " == *" demo "* ]]; then
echo "== demo --large (image AUROC, time per image, whole vs tiled, alternating by category)"
load
maha demo --large -o "$out" -q
load
fi

if [[ " $steps " == *" maps "* ]]; then
for tiled in no yes; do
  if [ "$tiled" = yes ]; then args=(--tile 224 --tile-overlap 32); else args=(); fi
  echo "== evaluate --maps, tiled: $tiled"
  load
  start=$(date +%s)
  maha evaluate --maps --variants mvg -q "${args[@]}" "$out/data" | sed -n '/pixel AUROC/,$p'
  echo "wall: $(( $(date +%s) - start )) s"
  load
done
fi
