#!/usr/bin/env bash
# maha-spark beside one process, in one run (issue 11, item 5; numbers in the README's Spark section):
#
#   scripts/spark_bench.sh [WORK_DIR]        (default /tmp/maha-spark-bench)
#
# 1. fit and score throughput on the demo set (`./maha demo`, 180 training and 180 test images of 256 px, the
#    shared 9-tap MobileNetV2): per round, alternating, `maha fit` and `maha score` as processes (wall time, JVM start
#    included), then one JVM (org.maha.spark.SparkBench pipeline) that times, after its Spark session has started,
#    the API's single-process fit (what `maha fit` runs), the Spark fit in local[2], the single-process score and
#    the Spark score (Parquet written and counted);
# 2. the aggregation alone at the real feature size (SparkBench aggregate): AGG_ROWS synthetic vectors (default
#    32000; 10^6 takes hours on 2 shared cores, see the README for the extrapolation) of D = 1792 in 16 partitions:
#    per-partition accumulation, treeAggregate of the 25.7 MB partials, the driver's Ledoit-Wolf + Cholesky fit,
#    and the heap's peak.
#
# Spark runs as spark-submit would run it (the shaded jar, Spark's own jars, Java 17's --add-opens), from the
# Spark jars in Maven's cache, so no Spark installation is needed. The load average is printed before and after:
# on a shared machine, compare only numbers of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${1:-/tmp/maha-spark-bench}
rounds=${ROUNDS:-2}
agg_rows=${AGG_ROWS:-32000}
agg_parts=${AGG_PARTITIONS:-16}
agg_dim=${AGG_DIM:-1792}
spark_threads=${SPARK_THREADS:-0} # ONNX Runtime threads of the Spark executor's session (0: all cores)
graph=${MAHA_SHARED:-../shared}/models/mobilenet_v2_imagenet_9taps.onnx
[ -f "$graph" ] || { echo "spark_bench: $graph is missing (the shared MobileNetV2)" >&2; exit 2; }
mkdir -p "$work"

jar=$(ls maha-spark/target/maha-spark-*-all.jar 2>/dev/null | head -1 || true)
if [ -z "$jar" ] || [ -n "$(find pom.xml maha-core/pom.xml maha-spark/pom.xml maha-core/src/main maha-spark/src/main \
    -newer "$jar" -print -quit)" ]; then
  echo "spark_bench: building the shaded maha-spark jar (mvn package, tests skipped) ..." >&2
  mvn -B -ntp -o -q -pl maha-spark -am -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package >&2
  jar=$(ls maha-spark/target/maha-spark-*-all.jar | head -1)
fi
# Spark's jars (maha-spark's provided dependencies) from Maven's cache; maha's own classes come from the shaded jar
mvn -B -ntp -o -q -pl maha-spark dependency:build-classpath -Dmdep.includeScope=provided \
  -Dmdep.outputFile="$work/classpath.txt" >&2
cp="$root/$jar:$(tr ':' '\n' <"$work/classpath.txt" | grep -v '/org/maha/' | paste -sd:)"
opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
spark() { # SparkBench MODE OPTIONS...: one JVM as spark-submit --master local[2] would start it
  # shellcheck disable=SC2086
  java -Xmx3g $opens -Dspark.master="local[2]" -cp "$cp" org.maha.spark.SparkBench "$@" 2>"$work/spark.log" \
    | grep -v " WARN "
}

if [ ! -d "$work/demo/data" ]; then
  echo "spark_bench: making the demo set (./maha demo) ..." >&2
  ./maha demo -o "$work/demo" >/dev/null
fi
# the three categories' good training images and all test images, flat, as one table each
rm -rf "$work/train" "$work/test"
mkdir -p "$work/train" "$work/test"
for c in fabric granite weave; do
  for f in "$work/demo/data/$c/train/good/"*.png; do cp "$f" "$work/train/${c}_$(basename "$f")"; done
  for d in "$work/demo/data/$c/test/"*/; do
    for f in "$d"*.png; do cp "$f" "$work/test/${c}_$(basename "$d")_$(basename "$f")"; done
  done
done
ntrain=$(ls "$work/train" | wc -l)
ntest=$(ls "$work/test" | wc -l)

echo "== $(date -u +%FT%TZ), $(nproc) cores, Java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "== load before: $(uptime | sed 's/.*load average: //')"
for r in $(seq 1 "$rounds"); do
  t0=$(date +%s.%N)
  ./maha fit -q --onnx "$graph" -o "$work/cli-$r.maha" "$work/train" >/dev/null
  t1=$(date +%s.%N)
  ./maha score -q --onnx "$graph" -m "$work/cli-$r.maha" --format csv -o "$work/cli-$r.csv" "$work/test" >/dev/null
  t2=$(date +%s.%N)
  awk -v r="$r" -v n="$ntrain" -v a="$t0" -v b="$t1" \
    'BEGIN { printf "round %d  %-34s %6d images %8.2f s %8.1f images/s\n", r, "maha fit (process)", n, b - a, n / (b - a) }'
  awk -v r="$r" -v n="$ntest" -v a="$t1" -v b="$t2" \
    'BEGIN { printf "round %d  %-34s %6d images %8.2f s %8.1f images/s\n", r, "maha score (process)", n, b - a, n / (b - a) }'
  rm -rf "$work/spark-work"
  spark pipeline --onnx "$graph" --train "$work/train" --test "$work/test" --work "$work/spark-work" --rounds 1 \
    --spark-threads "$spark_threads" \
    | sed "s/^round 1/round $r/"
done
echo "== load between: $(uptime | sed 's/.*load average: //')"
spark aggregate --rows "$agg_rows" --dim "$agg_dim" --partitions "$agg_parts"
echo "== load after: $(uptime | sed 's/.*load average: //')"
