#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the readers of untrusted files. Under `mvn verify` each @FuzzTest only replays
# its committed inputs (src/test/resources/<package>/<Class>Inputs/<method>/); this script fuzzes them for real.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TEST_CLASS[#METHOD] ...]      e.g. scripts/fuzz.sh 600 NpyFuzzTest
# A crash is written under the module's src/test/resources/.../<Class>Inputs/<method>/ as crash-*: fix the bug and
# keep the file there, so that it becomes a regression case of the corpus.
# Duration: Jazzer's JUnit integration takes it from @FuzzTest(maxDuration) only (a -Djazzer.max_duration property
# is ignored), but it appends the libFuzzer arguments given as jazzer.internal.arg.N after its own, and libFuzzer's
# last -max_total_time wins: that is how SECONDS_PER_TARGET takes effect (libFuzzer prints "Done N runs in S
# second(s)" at the end; check it).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # every @FuzzTest method, as CLASS#method (Jazzer fuzzes one method per run)
  mapfile -t targets < <(grep -rl '@FuzzTest' --include='*.java' */src/test/java | sort | while read -r f; do
    awk -v c="$(basename "$f" .java)" '/@FuzzTest/ {f = 1; next} f && match($0, /void [A-Za-z0-9_]+\(/) {
      print c "#" substr($0, RSTART + 5, RLENGTH - 6); f = 0 }' "$f"; done)
fi
for t in "${targets[@]}"; do
  cls="${t%%#*}" # CLASS or CLASS#method: Jazzer fuzzes one @FuzzTest method per run, the first unless named
  module=$(grep -rl "class $cls\b" --include="$cls.java" */src/test/java | head -1 | cut -d/ -f1)
  echo "fuzz: $t ($module) for ${secs}s" >&2
  JAZZER_FUZZ=1 mvn -B -ntp -q -pl "$module" -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
    -DargLine="-Djazzer.instrument=org.maha.** -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=${secs} -Xmx2g"
done
