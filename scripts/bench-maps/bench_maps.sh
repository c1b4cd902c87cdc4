#!/usr/bin/env bash
# Measures anomaly maps at a realistic size (issue 10, item 6), all in one run on this machine:
#   - fit memory: peak RSS (GNU time) of `maha fit` without and with --maps on N training images (default 1000,
#     the demo generator's fabric), each process under the same fixed heap (-Xmx, $HEAP, default 3g);
#   - model size: the .maha file without maps, with maps, and with --map-float32 (FLOAT32=0 skips that third fit),
#     and the maps' share of it; every fit calibrates on the demo's good fabric test images;
#   - time per image: `maha score` without maps and `maha score --maps DIR` (overlay PNG + .npy per image) on the
#     demo's 60 fabric test images, alternating ROUNDS times (default 3); per image = (time on all images - time on
#     one image) / (images - 1), so JVM start-up and model loading cancel; the fastest round counts.
# The load average is printed before and after: this machine is shared, so times are only comparable within a run.
#
#   scripts/bench-maps/bench_maps.sh [N_TRAIN] [OUT_DIR]
# Environment: ONNX (default ../shared/models/mobilenet_v2_imagenet_9taps.onnx), MAP_LEVELS (default L2,L3,L4:
# strides 4, 8 and 16 on a 56 x 56 grid, PaDiM's three layers), HEAP, ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
out=${2:-$(mktemp -d -t maha-bench-maps.XXXXXX)}
onnx=${ONNX:-../shared/models/mobilenet_v2_imagenet_9taps.onnx}
levels=${MAP_LEVELS:-L2,L3,L4}
heap=${HEAP:-3g}
rounds=${ROUNDS:-3}
[[ -f "$onnx" ]] || { echo "bench_maps: $onnx not found (set ONNX)" >&2; exit 2; }
./maha --version >/dev/null   # builds the jar when stale, before anything is timed
mkdir -p "$out"
# a frozen copy: ./maha would rebuild the jar mid-run if a source changed (and time the build)
cp maha-cli/target/maha.jar "$out/maha.jar"
maha() { java "-Xmx$heap" -jar "$out/maha.jar" "$@"; }
echo "load before: $(uptime)"
if [[ ! -d "$out/data/fabric/train/good" ]]; then
  java -cp "$out/maha.jar" scripts/bench-maps/MakeSet.java "$out/data" "$n"
fi
train="$out/data/fabric/train/good"
test="$out/data/fabric/test"
echo "training images: $(ls "$train" | wc -l); test images: $(find "$test" -name '*.png' | wc -l)"

rss() { # label, maha arguments...: runs maha under GNU time (java itself: no wrapper), prints wall time and peak RSS
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/time.txt" java "-Xmx$heap" -jar "$out/maha.jar" "$@" >"$out/$label.log" 2>&1
  read -r wall kb <"$out/time.txt"
  printf '%-28s wall %7.1f s   peak RSS %6d MB\n' "$label" "$wall" $((kb / 1024))
}
# the good test images calibrate every model (and give the map scale without a second, held-out map fit)
cal="$test/good"
rss "fit (no maps)" fit -q --onnx "$onnx" --calibrate "$cal" -o "$out/plain.maha" --force "$train"
rss "fit --maps" fit -q --onnx "$onnx" --calibrate "$cal" --maps --map-levels "$levels" -o "$out/maps.maha" \
  --force "$train"
models=(plain maps)
if [[ "${FLOAT32:-1}" == 1 ]]; then
  rss "fit --maps --map-float32" fit -q --onnx "$onnx" --calibrate "$cal" --maps --map-levels "$levels" \
    --map-float32 -o "$out/maps32.maha" --force "$train"
  models+=(maps32)
fi
grep -h "anomaly maps" "$out/fit --maps.log" || true
for m in "${models[@]}"; do
  maps=$(python3 -c 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(sum(i.compress_size for i in z.infolist() if i.filename.startswith("maps/")))' "$out/$m.maha")
  printf '%-8s model %7.1f MB, of which maps %7.1f MB\n' "$m" "$(echo "$(stat -c %s "$out/$m.maha") / 1048576" | bc -l)" \
    "$(echo "$maps / 1048576" | bc -l)"
done

one=$(find "$test" -name '*.png' | sort | head -1)
images=$(find "$test" -name '*.png' | wc -l)
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc -l; }
best_plain=999999 best_maps=999999  # (bc has no 1e9)
for r in $(seq "$rounds"); do
  p_all=$(secs maha score -q -m "$out/plain.maha" --onnx "$onnx" --format csv --recursive "$test")
  p_one=$(secs maha score -q -m "$out/plain.maha" --onnx "$onnx" --format csv "$one")
  rm -rf "$out/maps-out"
  m_all=$(secs maha score -q -m "$out/maps.maha" --onnx "$onnx" --format csv --maps "$out/maps-out" --recursive "$test")
  rm -rf "$out/maps-one"
  m_one=$(secs maha score -q -m "$out/maps.maha" --onnx "$onnx" --format csv --maps "$out/maps-one" "$one")
  p=$(echo "1000 * ($p_all - $p_one) / ($images - 1)" | bc -l)
  m=$(echo "1000 * ($m_all - $m_one) / ($images - 1)" | bc -l)
  printf 'round %d: per image %6.1f ms without maps, %6.1f ms with maps (runs: %.1f/%.1f s, %.1f/%.1f s)\n' \
    "$r" "$p" "$m" "$p_all" "$p_one" "$m_all" "$m_one"
  best_plain=$(awk -v a="$p" -v b="$best_plain" 'BEGIN {print (a < b ? a : b)}')
  best_maps=$(awk -v a="$m" -v b="$best_maps" 'BEGIN {print (a < b ? a : b)}')
done
printf 'fastest of %d rounds: %.1f ms per image without maps, %.1f ms with maps (%d test images)\n' "$rounds" \
  "$best_plain" "$best_maps" "$images"
echo "load after: $(uptime)"
echo "files in $out"
