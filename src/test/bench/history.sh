#!/usr/bin/env bash
# Benchmark of the history commands on a big repository (issue 3): 1,000 runs x 1,000 CAPs = 1M outcome rows.
#   src/test/bench/history.sh [WORKDIR] [RUNS] [CAPS]      (defaults: target/bench 1000 1000)
# Generates the repository with org.capsync.bench.HistoryBenchmarkRepository (direct batched SQL), then measures:
#   - 'capsync history' and 'capsync caps JOB --stale' from process start to exit (median of 5), and the queries alone;
#   - a new 'capsync run' of a 1,000-CAP job on that repository against the same run on an empty one (median of 3).
# The generated repository is compacted (as one written by nightly runs is, a little at each close); BENCH_COMPACT=no
# leaves it as written in one go, the worst case for opening and closing it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
work="$(mkdir -p "${1:-target/bench}" && cd "${1:-target/bench}" && pwd)"
runs="${2:-1000}"
caps="${3:-1000}"
job=bench

echo "== building (jar and test classes)"
./mvnw -q -B -DskipTests package test-compile >/dev/null
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null
cp="target/test-classes:target/classes:$(cat "$work/classpath.txt")"
capsync=(java -XX:TieredStopAtLevel=1 -jar target/capsync.jar)

millis() { date +%s%3N; }
# median of N timings (ms) of a command; output discarded, exit codes 0 and 3 accepted
median() {
  local n=$1; shift
  local times=()
  for _ in $(seq "$n"); do
    local t0; t0=$(millis)
    "$@" >/dev/null 2>&1 || [ $? -eq 3 ]
    times+=($(( $(millis) - t0 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}

echo "== generating $runs runs x $caps CAPs into $work/filled"
rm -rf "$work/filled" "$work/empty" "$work/empty-schema" "$work/warmup" "$work/site" "$work/cds"
java -cp "$cp" org.capsync.bench.HistoryBenchmarkRepository "$work/filled" "$runs" "$caps" "$job"
du -sh "$work/filled/repository"

echo "== the queries alone (one JVM, repository already open)"
java -cp "$cp" org.capsync.bench.HistoryQueryTimer "$work/filled" "$job"

echo "== process start to exit (median of 5)"
export CAPSYNC_HOME="$work/filled"
echo "capsync history               $(median 5 "${capsync[@]}" history) ms"
echo "capsync history $job          $(median 5 "${capsync[@]}" history "$job") ms"
echo "capsync caps $job --stale     $(median 5 "${capsync[@]}" caps "$job" --stale) ms"
echo "capsync --version (JVM floor) $(median 5 "${capsync[@]}" --version) ms"
"${capsync[@]}" caps "$job" --stale | tail -3

echo "== the same from an extracted jar with an AppCDS archive (class loading is most of a short command's start)"
rm -rf "$work/cds"
java -Djarmode=tools -jar target/capsync.jar extract --destination "$work/cds" >/dev/null
java -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit="$work/cds/capsync.jsa" -jar "$work/cds/capsync.jar" caps "$job" >/dev/null 2>&1
cds=(java -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile="$work/cds/capsync.jsa" -jar "$work/cds/capsync.jar")
echo "capsync history               $(median 5 "${cds[@]}" history) ms"
echo "capsync caps $job --stale     $(median 5 "${cds[@]}" caps "$job" --stale) ms"
echo "capsync --version (JVM floor) $(median 5 "${cds[@]}" --version) ms"

echo "== a new run of a $caps-CAP job: empty repository vs the filled one (median of 3, alternating)"
mkdir -p "$work/site/inbox"
head -c 20000 /dev/urandom > "$work/site/inbox/client.lkp"
echo "name,path" > "$work/site/caps.csv"
for i in $(seq -f '%04g' 1 "$caps"); do
  mkdir -p "$work/site/caps/CAP_$i/clidata.box"
  echo "CAP_$i,$work/site/caps/CAP_$i" >> "$work/site/caps.csv"
done
printf 'name: %s\nsource: inbox\nfiles: [client.lkp]\ncaps: caps.csv\ntarget: clidata.box\nthreads: 4\n' "$job" > "$work/site/job.yml"
# Bring every CAP up to date once, so that every measured run does the same work: 1,000 UNCHANGED.
CAPSYNC_HOME="$work/warmup" "${capsync[@]}" run "$work/site/job.yml" | tail -1
# The empty repository has the schema but no run, so both sides skip the schema's creation.
java -cp "$cp" org.capsync.bench.HistoryBenchmarkRepository "$work/empty-schema" 0 0 "$job" >/dev/null
empty=() filled=()
for _ in 1 2 3; do
  rm -rf "$work/empty" && cp -r "$work/empty-schema" "$work/empty"
  t0=$(millis); CAPSYNC_HOME="$work/empty" "${capsync[@]}" run "$work/site/job.yml" >/dev/null; empty+=($(( $(millis) - t0 )))
  t0=$(millis); CAPSYNC_HOME="$work/filled" "${capsync[@]}" run "$work/site/job.yml" >/dev/null; filled+=($(( $(millis) - t0 )))
done
e=$(printf '%s\n' "${empty[@]}" | sort -n | sed -n 2p)
f=$(printf '%s\n' "${filled[@]}" | sort -n | sed -n 2p)
echo "run on an empty repository    $e ms   (${empty[*]})"
echo "run on the filled repository  $f ms   (${filled[*]})"
echo "slower by                     $(( (f - e) * 100 / e )) %"
