#!/usr/bin/env bash
# API compatibility check: the public API (org.maha.api) of the
# working tree against the last release, the newest tag `v*` in version order. japicmp (maha-core/pom.xml) fails
# on any binary- or source-incompatible change: removed or changed public methods, fields, classes; added abstract
# methods; narrowed types. Additions pass.
#   scripts/api-check.sh [TAG]     TAG: the baseline, default the newest v* tag, else the newest release listed in
#                                  scripts/api-baseline.txt (a clone does not always carry tags)
# With neither it prints "no release yet: API check skipped" and exits 0.
# How: the tag's tree (git archive, so neither the repository nor its worktrees change) is built in a temporary
# folder into a maha-core jar (no tests, no install: nothing enters the local Maven repository, so the baseline
# cannot be mistaken for the current version, which usually has the same number); then the current maha-core is
# packaged and japicmp compares the two jar files. Report: maha-core/target/japicmp/.
set -euo pipefail
cd "$(dirname "$0")/.."

label=""
tag="${1:-$(git tag --list 'v*' --sort=-v:refname | head -1)}"
if [ -z "$tag" ]; then
  # name and commit of the newest release recorded in the repository
  read -r name tag < <(grep -v '^#' scripts/api-baseline.txt | grep -v '^[[:space:]]*$' | tail -1) || true
  if [ -z "${tag:-}" ]; then
    echo "api-check: no release yet: API check skipped"
    exit 0
  fi
  label="$name"
  echo "api-check: no v* tag in this clone; baseline: release $name at ${tag:0:10} (scripts/api-baseline.txt)"
fi
git rev-parse --verify --quiet "$tag^{commit}" >/dev/null || {
  echo "api-check: the baseline $tag is not in this clone (a shallow clone? fetch it, or pass a TAG)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
[ -n "$label" ] && tag_name="$label" || tag_name="$tag"
echo "api-check: building the baseline maha-core of $tag_name ($(git rev-parse --short "$tag^{commit}"))"
git archive --format=tar "$tag" | tar -x -C "$tmp"
quick=(-B -ntp -q -Dstyle.color=never -Dmaven.test.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true)
(cd "$tmp" && mvn "${quick[@]}" -pl maha-core -am package)
baseline="$(find "$tmp/maha-core/target" -maxdepth 1 -name 'maha-core-*.jar' \
  ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar' | head -1)"
[ -n "$baseline" ] || { echo "api-check: the build of $tag made no maha-core jar" >&2; exit 1; }

echo "api-check: comparing the public API with $tag_name"
mvn "${quick[@]}" -pl maha-core package
if ! mvn "${quick[@]}" -pl maha-core com.github.siom79.japicmp:japicmp-maven-plugin:cmp \
    -Dmaha.api.baseline="$baseline"; then
  echo "api-check: FAILED: the public API changed incompatibly since $tag_name (the change is named above; report:" \
    "maha-core/target/japicmp/)" >&2
  exit 1
fi
echo "api-check: no incompatible change to the public API since $tag_name (report: maha-core/target/japicmp/)"
