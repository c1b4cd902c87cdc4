#!/usr/bin/env bash
# What serving anomaly maps costs `maha serve`, in one run on this machine:
#   - start-up: seconds from starting the server to its ready answer (JVM start, model read and verified, backbone);
#   - memory: the Java heap in use after startup and a full collection (jcmd GC.run, then GC.heap_info), for a server
#     serving the model fitted with --maps and for one serving the same training images' model fitted without maps,
#     each under the same -Xmx ($HEAP, default 3g), plus each process's resident memory;
#   - time: POST /v1/models/maps/score without and with ?maps=true on the same test image, alternating, ROUNDS times
#     (default 10) after 2 warm-up requests of each, on the server with maps; the median of curl's time_total, and the
#     response sizes.
# Data: the demo generator's fabric (scripts/bench-maps/MakeSet.java), N_TRAIN training images (default 20: the map
# model's size does not depend on it), every model calibrated on the demo's good fabric test images; default
# backbone (the shared 9-tap MobileNetV2) and map settings. The load average is printed before and after.
#
#   scripts/serve_maps_bench.sh [N_TRAIN] [OUT_DIR]
# Environment: ONNX (default ../shared/models/mobilenet_v2_imagenet_9taps.onnx), HEAP, ROUNDS, PORT (default 18437).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
out=${2:-$(mktemp -d -t maha-serve-maps.XXXXXX)}
onnx=${ONNX:-../shared/models/mobilenet_v2_imagenet_9taps.onnx}
heap=${HEAP:-3g}
rounds=${ROUNDS:-10}
port=${PORT:-18437}
[[ -f "$onnx" ]] || { echo "serve_maps_bench: $onnx not found (set ONNX)" >&2; exit 2; }
./maha --version >/dev/null   # builds the jar when stale, before anything is timed
mkdir -p "$out"
cp maha-cli/target/maha.jar "$out/maha.jar"   # a frozen copy
maha() { java "-Xmx$heap" -jar "$out/maha.jar" "$@"; }
echo "load before: $(uptime)"
[[ -d "$out/data/fabric/train/good" ]] || java -cp "$out/maha.jar" scripts/bench-maps/MakeSet.java "$out/data" "$n"
train="$out/data/fabric/train/good"
cal="$out/data/fabric/test/good"
[[ -f "$out/plain.maha" ]] || maha fit -q --onnx "$onnx" --calibrate "$cal" -o "$out/plain.maha" --force "$train"
[[ -f "$out/maps.maha" ]] || maha fit -q --onnx "$onnx" --calibrate "$cal" --maps -o "$out/maps.maha" --force "$train"
image=$(find "$out/data/fabric/test" -name '*.png' | sort | tail -1)
printf 'models: plain %.1f MB, maps %.1f MB; image %s\n' "$(echo "$(stat -c %s "$out/plain.maha") / 1048576" | bc -l)" \
  "$(echo "$(stat -c %s "$out/maps.maha") / 1048576" | bc -l)" "$image"

pid=
stop() { if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop EXIT
serve() { # model file: starts a server on $port serving it as 'maps', waits until ready
  java "-Xmx$heap" -jar "$out/maha.jar" serve --onnx "$onnx" --model "maps=$1" --port "$port" \
    --access-log "$out/access.log" 2>"$out/serve.err" &
  pid=$!
  local t0=$(date +%s.%N)
  for _ in $(seq 1200); do
    if curl -fs "localhost:$port/v2/health/ready" >/dev/null 2>&1; then
      started=$(echo "$(date +%s.%N) - $t0" | bc -l)
      return 0
    fi
    sleep 0.25
  done
  echo "serve_maps_bench: the server did not start:" >&2; cat "$out/serve.err" >&2; exit 1
}
heap_used() { # the heap in use after a full collection, MB
  jcmd "$pid" GC.run >/dev/null
  jcmd "$pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub("K,?", "", v);
    print int(v / 1024); exit}}'
}
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
post() { # query: prints time_total and size_download
  curl -s -o /dev/null -w '%{time_total} %{size_download}\n' --data-binary "@$image" -H 'Content-Type: image/png' \
    "localhost:$port/v1/models/maps/score$1"
}

for m in plain maps; do
  serve "$out/$m.maha"
  post "" >/dev/null
  printf '%-6s served: ready after %4.1f s; heap in use after a full GC %5d MB, resident %5d MB\n' "$m" "$started" \
    "$(heap_used)" "$(rss)"
  if [[ "$m" == maps ]]; then
    for _ in 1 2; do post "" >/dev/null; post "?maps=true" >/dev/null; done
    : >"$out/plain.t"; : >"$out/maps.t"
    for _ in $(seq "$rounds"); do
      post "" >>"$out/plain.t"
      post "?maps=true" >>"$out/maps.t"
    done
    for q in plain maps; do
      sort -n "$out/$q.t" | awk -v q="$q" '{t[NR] = $1; s = $2} END {printf "POST score %-5s median %6.1f ms (min %6.1f, max %6.1f; %d requests), response %d bytes\n",
        (q == "maps" ? "?maps=true" : "plain"), 1000 * t[int((NR + 1) / 2)], 1000 * t[1], 1000 * t[NR], NR, s}'
    done
    printf 'after the requests: heap in use after a full GC %5d MB, resident %5d MB\n' "$(heap_used)" "$(rss)"
  fi
  stop
done
echo "load after: $(uptime)"
echo "files in $out"
