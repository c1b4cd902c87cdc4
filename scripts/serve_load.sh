#!/usr/bin/env bash
# Load test of `maha serve` on loopback with Debian's `hey` (apt-get install hey), beside `maha bench` for the same
# backbone in the same run (issue 9, item 8). Not run in CI: it takes minutes and measures this machine.
#
#   scripts/serve_load.sh MODEL.maha IMAGE.png [ONNX] [SECONDS_PER_LEVEL] [MAX_BATCH]
#
# Starts `maha serve` on a free port with MODEL (fitted on ONNX, default the shared MobileNetV2), posts IMAGE to
# /v1/models/m/score for SECONDS_PER_LEVEL (default 10) at 1, 4, 16 and 64 concurrent clients, and prints per level:
# requests/s, p50/p95/p99 latency, the status codes (errors must be 0 below the queue limit) and the server's resident
# memory; then `maha bench` at batch 1 and MAX_BATCH (default 16). SOAK_SECONDS=600 adds a soak at 16 clients
# sampling the resident memory every 10 s (it must stay flat). Loopback only; the server is stopped with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/serve_load.sh MODEL.maha IMAGE.png [ONNX] [SECONDS] [MAX_BATCH]}
image=${2:?usage: scripts/serve_load.sh MODEL.maha IMAGE.png [ONNX] [SECONDS] [MAX_BATCH]}
onnx=${3:-${MAHA_SHARED:-../shared}/models/mobilenet_v2_imagenet_9taps.onnx}
seconds=${4:-10}
batch=${5:-16}
command -v hey >/dev/null || { echo "serve_load.sh: needs hey (apt-get install hey)" >&2; exit 2; }

log=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$log"' EXIT
./maha serve --onnx "$onnx" --model "m=$model" --port 0 --max-batch "$batch" --max-delay-ms 5 \
  --max-concurrent 4 --max-queue 64 --access-log /dev/null 2>"$log/err" &
pid=$!
for _ in $(seq 600); do
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$log/err")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log/err" >&2; exit 1; }
  sleep 0.1
done
url="http://127.0.0.1:$port/v1/models/m/score"
rss() { ps -o rss= -p "$pid" | awk '{printf "%.0f MB", $1/1024}'; }

echo "maha serve --max-batch $batch on $(basename "$onnx"), $(nproc) cores, ${seconds} s per level, image $(basename "$image")"
printf '%-8s %10s %9s %9s %9s  %-28s %s\n' clients "req/s" "p50 ms" "p95 ms" "p99 ms" "status codes" "RSS"
for c in 1 4 16 64; do
  out=$(hey -z "${seconds}s" -c "$c" -m POST -T image/png -D "$image" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  pct() { awk -v p="$1" '$1 == p"%" && $2 == "in" {printf "%.1f", $3 * 1000}' <<<"$out"; }
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s ", $1, $2} /^$/ {f=0}' <<<"$out")
  errors=$(awk '/Error distribution/ {f=1; next} f && /\[/ {n += substr($1, 2, length($1) - 2)} END {print n + 0}' <<<"$out")
  printf '%-8s %10s %9s %9s %9s  %-28s %s\n' "$c" "$rps" "$(pct 50)" "$(pct 95)" "$(pct 99)" \
    "${codes}errors:$errors" "$(rss)"
done
if [ -n "${SOAK_SECONDS:-}" ]; then
  echo "soak: 16 clients for $SOAK_SECONDS s, resident memory every 10 s"
  hey -z "${SOAK_SECONDS}s" -c 16 -m POST -T image/png -D "$image" "$url" >"$log/soak" &
  soak=$!
  while kill -0 "$soak" 2>/dev/null; do echo "  $(date -u +%T) $(rss)"; sleep 10; done
  awk '/Requests\/sec|Status code distribution|\[[0-9]+\]/' "$log/soak"
fi
echo "maha bench, same backbone:"
./maha bench --onnx "$onnx" --batches "1,$batch" --fit-n 0 2>/dev/null
