#!/usr/bin/env bash
# Images side by side (`--parallel`) against one call at a time, in one run, with the other runtimes given the same
# chance (issue 12): images/s of the backbone alone (input already preprocessed) on every core.
#
#   scripts/bench_parallel.sh [CORES] [IMAGES]
#
# Per backbone (ResNet-18 and EfficientNet-B4 at 380 px from --random-init 1, EfficientNet-B0 from the shared
# 0.6.3 checkpoint, MobileNetV2 from the shared TFLite file; nothing downloaded), one after the other:
#   maha:      `maha bench --threads CORES --batches 1,16` (one call at a time, its operators split over the cores)
#              and `maha bench --parallel CORES --batches 1` (CORES calls at once, one thread each, batch 1);
#   export:    the same two layouts on PyTorch's own ONNX export of the torchvision model (bench_reference.py
#              --export-onnx), so the graph maha builds is compared with another graph in the same layout;
#   PyTorch:   bench_reference.py with --threads CORES (batch 1 and 16), and CORES processes with --threads 1 run at
#              once, their images/s summed: PyTorch eager laid out side by side too (Debian's python3-torch).
# Prints one table. Speed does not depend on the weights' values.
set -euo pipefail
cd "$(dirname "$0")/.."
cores=${1:-2}
images=${2:-64}
shared=${MAHA_SHARED:-../shared}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
./maha --version >/dev/null

declare -A r
col() { # field 6 (images/s) of the first backbone row at batch $1
  awk -F'|' -v b="$1" '$2 ~ /backbone/ && $2 !~ /int8/ && $3+0 == b {gsub(/ /,"",$6); print $6; exit}'
}
run_maha() { # label, maha options...
  local label=$1; shift
  local seq par
  seq=$(./maha bench --threads "$cores" --batches 1,16 --images "$images" --fit-n 0 --pipeline-images 0 "$@" \
    2>/dev/null)
  par=$(./maha bench --parallel "$cores" --batches 1 --images "$images" --fit-n 0 --pipeline-images 0 "$@" \
    2>/dev/null)
  r[$label,1]=$(col 1 <<<"$seq"); r[$label,16]=$(col 16 <<<"$seq"); r[$label,p]=$(col 1 <<<"$par")
}
run_maha resnet18 --backbone resnet18 --backbone-cache "$cache" --random-init 1
run_maha efficientnet_b0 --backbone efficientnet-b0 --backbone-cache "$cache" \
  --weights "$shared/fixtures/effnet063/b0_legacy.pth"
run_maha mobilenet_v2 --backbone mobilenet_v2 --backbone-cache "$cache" \
  --weights "$shared/models/tf2_mobilenet_v2_1.0_224_ptq.tflite"
run_maha efficientnet_b4 --backbone efficientnet-b4 --backbone-cache "$cache" --random-init 1
archs=resnet18,efficientnet_b0,mobilenet_v2,efficientnet_b4@380
exports=$(/usr/bin/python3 scripts/bench_reference.py --export-onnx "$cache" --archs "$archs" 2>/dev/null)
while read -r file levels; do
  arch=$(basename "$file" .onnx); arch=${arch%_*}
  run_maha "export_$arch" --onnx "$file" --levels "$levels"
done <<<"$exports"

pt() { # arch, batch, output of bench_reference.py
  awk -F'|' -v a="$1" -v b="$2" '$2 ~ ("torchvision " a " ") && $3+0 == b {gsub(/ /,"",$6); print $6}' <<<"$3"
}
for a in resnet18 efficientnet_b0 mobilenet_v2 efficientnet_b4; do
  arch=$a; [ $a = efficientnet_b4 ] && arch=efficientnet_b4@380
  ref=$(/usr/bin/python3 scripts/bench_reference.py --threads "$cores" --images "$images" --fit-n 0 --archs "$arch")
  r[pt_$a,1]=$(pt $a 1 "$ref"); r[pt_$a,16]=$(pt $a 16 "$ref")
  outs=()
  for i in $(seq "$cores"); do
    outs+=("$cache/pt_$a.$i")
    /usr/bin/python3 scripts/bench_reference.py --threads 1 --images "$images" --fit-n 0 --archs "$arch" \
      > "$cache/pt_$a.$i" &
  done
  wait
  r[pt_$a,p]=$(for f in "${outs[@]}"; do pt $a 1 "$(cat "$f")"; done | awk '{s += $1} END {print s}')
done
echo "images/s of the backbone alone, $cores cores, $images images per measurement, $(uptime | sed 's/.*load/load/')"
echo "seq: one call at a time on $cores threads (batch 1 / 16); par: $cores calls at once, one thread each, batch 1"
echo "(PyTorch par: $cores processes with one thread each, summed)"
echo
echo "| backbone | maha seq b1 | maha seq b16 | maha par | export seq b16 | export par | PyTorch b1 | PyTorch b16 | PyTorch par | maha par / maha best seq | maha par / PyTorch best |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for a in resnet18 efficientnet_b0 mobilenet_v2 efficientnet_b4; do
  awk -v a="$a" -v m1="${r[$a,1]}" -v m16="${r[$a,16]}" -v mp="${r[$a,p]}" -v e16="${r[export_$a,16]}" \
    -v ep="${r[export_$a,p]}" -v p1="${r[pt_$a,1]}" -v p16="${r[pt_$a,16]}" -v pp="${r[pt_$a,p]}" \
    'function max(x, y) { return x > y ? x : y }
     BEGIN { printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx |\n",
             a, m1, m16, mp, e16, ep, p1, p16, pp, mp / max(m1, m16), mp / max(max(p1, p16), pp) }'
done
