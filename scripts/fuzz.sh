#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the readers of untrusted files. Under `mvn verify` each @FuzzTest only replays
# its committed inputs (src/test/resources/<package>/<Class>Inputs/<method>/); this script fuzzes them for real.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TEST_CLASS[#METHOD] ...]   e.g. scripts/fuzz.sh 600 NpyFuzzTest
# Without names it fuzzes every @FuzzTest method of the project, one after the other (Jazzer fuzzes one per JVM).
# A crash (or timeout / out-of-memory input) is saved as <module>/src/test/resources/<package>/<Class>Inputs/<method>/
# crash-<sha1>: fix the bug and commit the file, so that `mvn verify` replays it from then on. The inputs libFuzzer
# found interesting stay in <module>/.cifuzz-corpus/ (gitignored) and make the next run start where this one stopped.
# Exit status: 0 when no target found anything; 1 otherwise, after all targets ran.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS_PER_TARGET must be a positive integer, got '$secs'" >&2; exit 2; }

# Every @FuzzTest method as Class#method (the method is the first `void name(` after the annotation).
all_targets() {
  grep -rl '@FuzzTest' --include='*.java' */src/test/java | sort | while read -r f; do
    awk -v c="$(basename "$f" .java)" '/@FuzzTest/ {want = 1; next}
      want && match($0, /void [A-Za-z0-9_]+\(/) {print c "#" substr($0, RSTART + 5, RLENGTH - 6); want = 0}' "$f"
  done
}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(all_targets)
elif [ ${#targets[@]} -gt 0 ]; then  # a bare class name stands for each of its @FuzzTest methods
  mapfile -t targets < <(for t in "${targets[@]}"; do
    if [[ "$t" == *"#"* ]]; then echo "$t"; else all_targets | grep "^$t#" || echo "$t#?"; fi
  done)
fi

failed=()
for t in "${targets[@]}"; do
  class="${t%%#*}" method="${t#*#}"
  src=$(grep -rl "class $class\b" --include="$class.java" */src/test/java | head -1 || true)
  if [ -z "$src" ] || [ "$method" = "?" ]; then
    echo "fuzz: no @FuzzTest method found for '$t'" >&2; failed+=("$t"); continue
  fi
  module="${src%%/*}"
  pkg_dir="$(dirname "${src#*/src/test/java/}")"
  inputs="$module/src/test/resources/$pkg_dir/${class}Inputs/$method"
  echo "fuzz: $t ($module) for ${secs}s" >&2
  # inputs already there (committed findings, replayed by `mvn verify`) are not news: remember them
  shopt -s nullglob
  known=" $(cd "$inputs" 2>/dev/null && echo crash-* timeout-* oom-*) "
  shopt -u nullglob
  # Jazzer 0.24 has no setting for the duration: @FuzzTest(maxDuration) becomes libFuzzer's -max_total_time, and
  # the libFuzzer arguments given as jazzer.internal.arg.N (arg.0 is argv[0]) come after it, so this one wins.
  # (-Djazzer.max_duration is read by nothing in 0.24; see CodeIntelligenceTesting/jazzer#951.)
  if ! JAZZER_FUZZ=1 mvn -B -ntp -q -pl "$module" -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -DargLine="-Xmx2g -Djazzer.instrument=org.maha.** -Djazzer.internal.arg.0=fuzz \
-Djazzer.internal.arg.1=-max_total_time=${secs}"; then
    failed+=("$t")
  fi
  # Jazzer writes findings into the inputs folder only when it already holds a file; otherwise into the module's
  # root: move them where `mvn verify` replays them.
  shopt -s nullglob
  found=("$module"/crash-* "$module"/timeout-* "$module"/oom-* "$module"/slow-unit-* "$inputs"/crash-* \
    "$inputs"/timeout-* "$inputs"/oom-*)
  shopt -u nullglob
  for f in "${found[@]}"; do
    if [ "$(dirname "$f")" = "$inputs" ] && [[ "$known" == *" $(basename "$f") "* ]]; then
      continue
    fi
    if [ "$(dirname "$f")" = "$module" ]; then
      mkdir -p "$inputs" && mv "$f" "$inputs/" && f="$inputs/$(basename "$f")"
    fi
    echo "fuzz: $t: finding saved as $f (commit it once the bug is fixed)" >&2
  done
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings or failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${secs}s each, nothing found" >&2
