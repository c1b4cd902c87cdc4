#!/usr/bin/env bash
# Peak resident memory of maha against PyTorch on the same work (issue 12 item 3), one after the other.
#
#   scripts/bench_memory.sh IMAGE_DIR [THREADS] [-- EXTRA MAHA OPTIONS]
#
# maha: `maha embed --backbone efficientnet-b4 --random-init 1` (EfficientNet-B4 built in Java at its native 380 px,
# random weights, nothing downloaded) on the images of IMAGE_DIR, under /usr/bin/time; knobs go in MAHA_JAVA_OPTS
# (default: ./maha's, -XX:MaxRAMPercentage=70 -XX:+UseSerialGC; e.g. -Dmaha.callPixels=0 for calls of --batch
# images whatever their size, -Dmaha.ort.arena=false, -Xmx1g).
# PyTorch: scripts/bench_memory.py on as many images (torchvision EfficientNet-B4, random weights, batch 16, the
# nine level taps pooled), with Debian's python3-torch (/usr/bin/python3), skipped when torch is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: bench_memory.sh IMAGE_DIR [THREADS] [-- MAHA OPTIONS]}"
shift
threads="${1:-2}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
n=$(find "$dir" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' -o -name '*.bmp' \) | wc -l)
"$here/maha" --version >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "load before: $(uptime)"
/usr/bin/time -f "maha embed, $n images: peak RSS %M KB, wall %e s, user %U s, sys %S s" \
  java ${MAHA_JAVA_OPTS:--XX:MaxRAMPercentage=70 -XX:+UseSerialGC} -jar "$here/maha-cli/target/maha.jar" embed \
  --backbone efficientnet-b4 --random-init 1 --backbone-cache "$out/cache" --threads "$threads" -q "$@" \
  -o "$out/embed" "$dir" >/dev/null
if /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  /usr/bin/time -f "pytorch, $n images: peak RSS %M KB, wall %e s" \
    /usr/bin/python3 "$here/scripts/bench_memory.py" --images "$n" --threads "$threads"
else
  echo "(no python3-torch: PyTorch side skipped)"
fi
echo "load after: $(uptime)"
