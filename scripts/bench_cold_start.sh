#!/usr/bin/env bash
# Cold start of `./maha score -m M IMG` for one image (JVM start, model load, graph load, one inference), with and
# without the class-data-sharing archive ./maha records, runs alternating; and the warm time per image of the same
# command in a running process, for comparison (issue 12, item 5).
#
#   scripts/bench_cold_start.sh [RUNS]          default 5
#   MAHA_BASELINE_JAR=/path/to/old/maha.jar scripts/bench_cold_start.sh [RUNS]
#
# With MAHA_BASELINE_JAR (an executable jar of another maha, e.g. one built from main and kept aside), the same
# command on that jar is timed alternating with this tree's, each with and without its own CDS archive, so that the
# two are compared on one machine under one load. Either way it also times the process CPU of the model load alone
# (scripts/ModelLoadTime.java: FittedModel.load, the first in a fresh JVM) for each jar.
#
# Needs ../shared (the MobileNetV2 9-tap ONNX and the sample images): fits a model on the shared images in a
# temporary folder first. Prints medians of wall and CPU (user + sys) seconds; CPU time is the steadier figure on a
# loaded machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shared=${MAHA_SHARED:-../shared}
onnx="$shared/models/mobilenet_v2_imagenet_9taps.onnx"
[ -f "$onnx" ] || { echo "bench_cold_start: $onnx not found; needs ../shared" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/good"
cp "$shared"/images/*.bmp "$shared"/images/*.jpg "$work/good/"
img="$work/good/owl.jpg"
MAHA_NO_CDS=1 ./maha --version >/dev/null # builds the jar if needed
MAHA_NO_CDS=1 ./maha fit "$work/good" --onnx "$onnx" -o "$work/m.maha" -q >/dev/null
rm -f maha-cli/target/maha.jsa maha-cli/target/maha.jsa.unsupported
timed() { # label, env..., command: appends "wall cpu" to $work/label
  local label=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/t" env "$@" >/dev/null 2>&1
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t" >>"$work/$label"
}
base=${MAHA_BASELINE_JAR:-}
opts=(-XX:MaxRAMPercentage=70 -XX:+UseSerialGC) # ./maha's default for batch commands
quiet=(-Xlog:cds=off -Xlog:cds+dynamic=off)
mkdir "$work/cls" "$work/basecls"
javac -cp maha-cli/target/maha.jar -d "$work/cls" scripts/ModelLoadTime.java
timed first ./maha score -m "$work/m.maha" "$img" # records the archive
if [ -n "$base" ]; then
  javac -cp "$base" -d "$work/basecls" scripts/ModelLoadTime.java
  timed basefirst java "${opts[@]}" -XX:ArchiveClassesAtExit="$work/base.jsa" "${quiet[@]}" -jar "$base" score \
    -m "$work/m.maha" "$img"
fi
for _ in $(seq "$runs"); do
  timed plain MAHA_NO_CDS=1 ./maha score -m "$work/m.maha" "$img"
  timed cds ./maha score -m "$work/m.maha" "$img"
  timed c1 MAHA_JAVA_OPTS="${opts[*]} -XX:TieredStopAtLevel=1" ./maha score -m "$work/m.maha" "$img"
  java "${opts[@]}" -cp "maha-cli/target/maha.jar:$work/cls" ModelLoadTime "$work/m.maha" >>"$work/load"
  if [ -n "$base" ]; then
    timed baseplain java "${opts[@]}" -jar "$base" score -m "$work/m.maha" "$img"
    timed basecds java "${opts[@]}" -XX:SharedArchiveFile="$work/base.jsa" "${quiet[@]}" -jar "$base" score \
      -m "$work/m.maha" "$img"
    java "${opts[@]}" -cp "$base:$work/basecls" ModelLoadTime "$work/m.maha" >>"$work/baseload"
  fi
done
# warm: the scoring stage's own time for 1 and for 21 copies of the image in one process (model and graph loaded)
many=()
for i in $(seq 0 20); do cp "$img" "$work/copy$i.jpg"; many+=("$work/copy$i.jpg"); done
t1=$(./maha score -m "$work/m.maha" "$img" 2>&1 >/dev/null | sed -n 's/.*images\/s, \([0-9.]*\)s$/\1/p' | tail -1)
t21=$(./maha score -m "$work/m.maha" "${many[@]}" 2>&1 >/dev/null | sed -n 's/.*images\/s, \([0-9.]*\)s$/\1/p' | tail -1)
c1opts="${opts[*]} -XX:TieredStopAtLevel=1"
c1t1=$(MAHA_JAVA_OPTS="$c1opts" ./maha score -m "$work/m.maha" "$img" 2>&1 >/dev/null \
  | sed -n 's/.*images\/s, \([0-9.]*\)s$/\1/p' | tail -1)
c1t21=$(MAHA_JAVA_OPTS="$c1opts" ./maha score -m "$work/m.maha" "${many[@]}" 2>&1 >/dev/null \
  | sed -n 's/.*images\/s, \([0-9.]*\)s$/\1/p' | tail -1)
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "cold start, one image, MobileNetV2 9 taps (224 px), median of $runs; $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo
echo "| run | wall s | CPU s (user + sys) |"
echo "|---|---:|---:|"
labels=(plain cds c1 first load)
[ -n "$base" ] && labels+=(baseplain basecds basefirst baseload)
for l in "${labels[@]}"; do
  case $l in
    plain) name="cold, no CDS archive (MAHA_NO_CDS=1)" ;;
    cds) name="cold, with the CDS archive" ;;
    c1) name="cold, CDS archive, C1 JIT only (MAHA_JAVA_OPTS=... -XX:TieredStopAtLevel=1)" ;;
    first) name="first run after a build (records the archive)" ;;
    load) name="model load alone (FittedModel.load, first in a fresh JVM)" ;;
    base*) name="baseline jar: $(sed 's/^base//; s/^plain$/cold, no CDS archive/; s/^cds$/cold, with its CDS archive/;
      s/^first$/first run (records its archive)/; s/^load$/model load alone/' <<<"$l")" ;;
  esac
  echo "| $name | $(cut -d' ' -f1 "$work/$l" | median) | $(cut -d' ' -f2 "$work/$l" | median) |"
done
awk -v a="$t1" -v b="$t21" 'BEGIN { printf "| warm, per image in a running process ((21 images - 1 image) / 20) | %.3f | |\n", (b - a) / 20 }'
awk -v a="$c1t1" -v b="$c1t21" 'BEGIN { printf "| warm, per image, C1 JIT only | %.3f | |\n", (b - a) / 20 }'
