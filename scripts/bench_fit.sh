#!/usr/bin/env bash
# Fit time of one level (accumulate N rows of dimension D + Ledoit-Wolf + Cholesky, float64) beside numpy and
# scikit-learn on the same N x D, in one run, the two sides alternating point by point (issue 12, item 4).
#
#   scripts/bench_fit.sh [REPEATS] [N,N,...] [D,D,...]      defaults: 3  1000,10000  320,1280,1792
#
# maha: `./maha bench --fit-only` (native BLAS/LAPACK when the system has one, else pure Java: its "kernels" line).
# Reference (Debian's /usr/bin/python3 with python3-sklearn; its numpy uses the same libblas.so.3):
# scikit-learn LedoitWolf(store_precision=False) + numpy Cholesky, and numpy's scatter Xc.T @ Xc + Cholesky (the
# BLAS bound). Both sides use every core (OpenBLAS's default; set OPENBLAS_NUM_THREADS to change both).
# Median milliseconds over REPEATS runs after one warm-up run; prints one Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
IFS=, read -r -a ns <<<"${2:-1000,10000}"
IFS=, read -r -a ds <<<"${3:-320,1280,1792}"
py=${PYTHON:-/usr/bin/python3}
./maha --version >/dev/null # build the jar once, outside the timings; then run it as ./maha does, without rebuilds
maha() { java ${MAHA_JAVA_OPTS:--XX:MaxRAMPercentage=70 -XX:+UseSerialGC} -jar maha-cli/target/maha.jar "$@"; }
kernels=""
rows=()
for d in "${ds[@]}"; do
  for n in "${ns[@]}"; do
    echo "bench_fit: n = $n, d = $d ..." >&2
    m=$(maha bench --fit-only --fit-n "$n" --fit-dim "$d" --repeats "$repeats" 2>/dev/null)
    kernels=$(sed -n 's/^kernels: //p' <<<"$m")
    mm=$(sed -n 's/.*median \([0-9]*\) ms.*/\1/p' <<<"$m" | head -1)
    r=$("$py" scripts/bench_reference.py --fit-only --fit-n "$n" --fit-dim "$d" --repeats "$repeats")
    sk=$(grep 'store_precision=False' <<<"$r" | sed -n 's/.*median \([0-9]*\) ms.*/\1/p')
    np=$(grep 'numpy scatter' <<<"$r" | sed -n 's/.*median \([0-9]*\) ms.*/\1/p')
    rows+=("$(awk -v n="$n" -v d="$d" -v m="$mm" -v s="$sk" -v p="$np" \
      'BEGIN { printf "| %d | %d | %d | %d | %d | %.2f | %.2f |", n, d, m, s, p, m / s, m / p }')")
  done
done
echo "fit one level, median ms over $repeats runs; $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo "maha kernels: $kernels"
echo
echo "| N | D | maha | sklearn LW + chol | numpy scatter + chol | maha / sklearn | maha / numpy |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
