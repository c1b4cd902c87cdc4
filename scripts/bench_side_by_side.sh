#!/usr/bin/env bash
# Java-built backbone graphs (ONNX Runtime through maha) beside PyTorch eager on the same architectures, in one run,
# with the same thread count and batch sizes; prints one table with the ratios (issue 3, item 5).
#
#   scripts/bench_side_by_side.sh [THREADS] [IMAGES]
#
# Needs Debian's python3-torch and python3-torchvision for the PyTorch side. The maha graphs are built from local
# weights so nothing is downloaded: ResNet-18 with random weights (--random-init), EfficientNet-B0 from the shared
# efficientnet_pytorch 0.6.3 checkpoint (random weights, same graph as the official file), MobileNetV2 from the
# shared Coral TFLite file, EfficientNet-B4 (0.6.3, the paper's backbone) at its native 380 px with random weights
# (--random-init). PyTorch runs torchvision's resnet18, efficientnet_b0, mobilenet_v2 and efficientnet_b4 at 380
# (same layers and FLOPs; torchvision's EfficientNet pads symmetrically) with random weights: speed does not depend
# on the values. A third side, ONNX Runtime (through `maha bench --onnx`) on PyTorch's own ONNX export of the same
# torchvision models with every level pooled (`bench_reference.py --export-onnx`), tells the graph maha builds apart
# from the runtime it runs on: maha / export near 1 means the Java-built graph is as fast as PyTorch's.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
images=${2:-64}
shared=${MAHA_SHARED:-../shared}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

declare -A maha
run_maha() { # label, maha options...
  local label=$1; shift
  local out
  out=$(./maha bench --threads "$threads" --images "$images" --fit-n 0 --pipeline-images 0 "$@" 2>/dev/null)
  maha[$label,1]=$(awk -F'|' '$2 ~ /backbone/ && $3+0 == 1 {gsub(/ /,"",$6); print $6; exit}' <<<"$out")
  maha[$label,16]=$(awk -F'|' '$2 ~ /backbone/ && $3+0 == 16 {gsub(/ /,"",$6); print $6; exit}' <<<"$out")
}
run_maha resnet18 --backbone resnet18 --backbone-cache "$cache" --random-init 1
run_maha efficientnet_b0 --backbone efficientnet-b0 --backbone-cache "$cache" --weights "$shared/fixtures/effnet063/b0_legacy.pth"
run_maha mobilenet_v2 --backbone mobilenet_v2 --backbone-cache "$cache" --weights "$shared/models/tf2_mobilenet_v2_1.0_224_ptq.tflite"
run_maha efficientnet_b4 --backbone efficientnet-b4 --backbone-cache "$cache" --random-init 1

declare -A px=([resnet18]=224 [efficientnet_b0]=224 [mobilenet_v2]=224 [efficientnet_b4]=380)
exports=$(/usr/bin/python3 scripts/bench_reference.py --export-onnx "$cache" \
  --archs resnet18,efficientnet_b0,mobilenet_v2,efficientnet_b4@380 2>/dev/null)
while read -r file levels; do
  arch=$(basename "$file" .onnx); arch=${arch%_*}
  run_maha "export_$arch" --onnx "$file" --levels "$levels"
done <<<"$exports"

ref=$(/usr/bin/python3 scripts/bench_reference.py --threads "$threads" --images "$images" --fit-n 0 \
  --archs resnet18,efficientnet_b0,mobilenet_v2,efficientnet_b4@380)
echo "side by side: $threads threads, $images images per measurement, $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo
echo "images/s of the backbone alone; 'export': ONNX Runtime on PyTorch's ONNX export of the torchvision model"
echo
echo "| backbone | maha b1 | export b1 | PyTorch b1 | maha/export b1 | maha/PyTorch b1 | maha b16 | export b16 | PyTorch b16 | maha/export b16 | maha/PyTorch b16 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for a in resnet18 efficientnet_b0 mobilenet_v2 efficientnet_b4; do
  p1=$(awk -F'|' -v a="$a" '$2 ~ ("torchvision " a " ") && $3+0 == 1 {gsub(/ /,"",$6); print $6}' <<<"$ref")
  p16=$(awk -F'|' -v a="$a" '$2 ~ ("torchvision " a " ") && $3+0 == 16 {gsub(/ /,"",$6); print $6}' <<<"$ref")
  awk -v a="$a ${px[$a]} px" -v m1="${maha[$a,1]}" -v e1="${maha[export_$a,1]}" -v p1="$p1" \
    -v m16="${maha[$a,16]}" -v e16="${maha[export_$a,16]}" -v p16="$p16" \
    'BEGIN { printf "| %s | %.1f | %.1f | %.1f | %.2fx | %.1fx | %.1f | %.1f | %.1f | %.2fx | %.1fx |\n",
             a, m1, e1, p1, m1/e1, m1/p1, m16, e16, p16, m16/e16, m16/p16 }'
done
