#!/usr/bin/env bash
# Opens a maha report.html or experiments.html in headless Chromium as a reader would (issue 4, item 6): takes a screenshot, dumps
# the DOM after load, and asserts that the page has its tables and that every <img> decoded.
#
#   scripts/report-check/check_report.sh REPORT.html [OUT_DIR]
#   scripts/report-check/check_report.sh EXPERIMENT_DIR/experiments.html [OUT_DIR]
#
# For experiments.html (`maha experiment`, recognised by data-page="experiments") it also checks the header, the
# table of contents, Table I and every section's table that the page announces, and that each figure decoded.
#
# Needs Debian's Chromium, which this script does not install:
#   apt-get update && apt-get install -y chromium chromium-driver
# (set CHROMIUM=/path/to/chrome to use another build). Writes OUT_DIR/screenshot.png (1280 x 2400, the top of
# the page), OUT_DIR/dom.html and OUT_DIR/chromium.log; OUT_DIR defaults to a new temporary folder.
# A sample report to check is written by `mvn -pl maha-core test -Dtest=HtmlReportTest` to
# maha-core/target/report-sample/report.html.
# Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or no browser.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || ! -f "$1" ]]; then
  echo "usage: $0 REPORT.html [OUT_DIR]  (report file not found: ${1:-none})" >&2
  exit 2
fi
report=$(realpath "$1")
out=${2:-$(mktemp -d -t report-check.XXXXXX)}
mkdir -p "$out"
out=$(realpath "$out")
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$browser" ]]; then
  echo "chromium not found: apt-get install -y chromium chromium-driver (or set CHROMIUM)" >&2
  exit 2
fi

work=$(mktemp -d -t report-check-work.XXXXXX)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$work/profile")

# 1. What a reader sees: the top of the page.
"$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$out/screenshot.png" "file://$report" \
  >"$out/chromium.log" 2>&1 || true

# 2. What the browser made of it: a copy of the page with a probe that, once everything has loaded, records on
#    <html> how many images there are and how many decoded, the tables, and any request that left the file.
probe='<script>window.addEventListener("load",function(){var d=document.documentElement,i=Array.from(document.images);'
probe+='d.setAttribute("data-check-images",i.length);'
probe+='d.setAttribute("data-check-decoded",i.filter(function(x){return x.complete&&x.naturalWidth>0&&x.naturalWidth==x.getAttribute("width");}).length);'
probe+='d.setAttribute("data-check-tables",document.querySelectorAll("table").length);'
probe+='d.setAttribute("data-check-rows",document.querySelectorAll("table tbody tr").length);'
probe+='d.setAttribute("data-check-external",performance.getEntriesByType("resource").filter(function(e){return !/^(data|file):/.test(e.name);}).length);'
probe+='d.setAttribute("data-check","done");});</script>'
# (after </html> the parser puts the script at the end of <body>; the page itself stays untouched)
{ cat "$report"; printf '%s\n' "$probe"; } >"$work/probe.html"
"$browser" "${flags[@]}" --virtual-time-budget=15000 --dump-dom "file://$work/probe.html" >"$out/dom.html" \
  2>>"$out/chromium.log" || true

fail=0
check() { # name, condition result (0 = ok), detail
  if [[ $2 -eq 0 ]]; then echo "ok    $1 ($3)"; else echo "FAIL  $1 ($3)"; fail=1; fi
}
attr() { grep -o "data-check-$1=\"[0-9]*\"" "$out/dom.html" | head -1 | grep -o '[0-9]*' || echo -1; }

size=$(stat -c %s "$out/screenshot.png" 2>/dev/null || echo 0)
dims=$(python3 -c 'import struct,sys;b=open(sys.argv[1],"rb").read(24);print("%dx%d"%struct.unpack(">II",b[16:24]))' \
  "$out/screenshot.png" 2>/dev/null || echo none)
check "screenshot written" $([[ $size -gt 20000 && $dims == 1280x2400 ]]; echo $?) "$dims, $size bytes"
check "page loaded and probe ran" $(grep -q 'data-check="done"' "$out/dom.html"; echo $?) "$out/dom.html"
expected_imgs=$(grep -o '<img ' "$report" | wc -l)
imgs=$(attr images)
decoded=$(attr decoded)
check "all <img> present" $([[ $imgs -eq $expected_imgs && $imgs -gt 0 ]]; echo $?) "$imgs in DOM, $expected_imgs in file"
check "all images decoded at their declared size" $([[ $imgs -gt 0 && $decoded -eq $imgs ]]; echo $?) "$decoded of $imgs"
tables=$(attr tables)
rows=$(attr rows)
check "tables present" $([[ $tables -ge 2 && $rows -ge 2 ]]; echo $?) "$tables tables, $rows body rows"
if grep -q 'data-page="experiments"' "$report"; then
  ids=(setup categories-table toc table-i-table roc files)
  # each optional section present in the file must keep its table in the DOM
  for s in table-ii:table-ii-table pca-table:pca-npca-table variance-sweep:variance-sweep-table sigma-table:sigma-table-table \
      pixel-metrics:pixel-metrics-table; do
    grep -q "<section id=\"${s%%:*}\"" "$report" && ids+=("${s##*:}")
  done
  figs=$(grep -o '<img src="data:image/png;base64,' "$report" | wc -l)
  check "experiment figures embedded as PNG data URIs" $([[ $figs -eq $expected_imgs && $figs -ge 2 ]]; echo $?) "$figs"
else
  ids=(summary-table how-to-read)
  # evaluate --maps: the anomaly-map section keeps its table of pixel metrics
  grep -q '<section id="maps">' "$report" && ids+=(maps pixel-table)
fi
for id in "${ids[@]}"; do
  check "element #$id" $(grep -q "id=\"$id\"" "$out/dom.html"; echo $?) "in DOM"
done
check "no AUROC cell lost" $(grep -q '<td class="num[^"]*">[0-9.]* ± [0-9.]*</td>\|<td class="num[^"]*">[0-9.]*</td>' \
  "$out/dom.html"; echo $?) "numeric cells in DOM"
ext=$(attr external)
check "no external requests" $([[ $ext -eq 0 ]]; echo $?) "$ext"

echo "screenshot: $out/screenshot.png"
exit $fail
