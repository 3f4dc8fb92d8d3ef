#!/usr/bin/env bash
# Benchmark of the history commands on a big repository (issue 3): 1,000 runs x 1,000 CAPs = 1M outcome rows.
#   src/test/bench/history.sh [WORKDIR] [RUNS] [CAPS]      (defaults: target/bench 1000 1000)
# Generates the repository with org.capsync.bench.HistoryBenchmarkRepository (direct batched SQL), then measures:
#   - 'capsync history' and 'capsync caps JOB --stale' from process start to exit (median of 5), and the queries alone;
#   - a new 'capsync run' of a 1,000-CAP job on that repository against the same run on an empty one (median of 5).
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
# "WALL ms, CPU ms": medians over N runs of a command, wall-clock and user+system CPU time (the CPU time is less
# disturbed by other processes on a shared machine); output discarded, exit codes 0 and 3 accepted
median() {
  local n=$1; shift
  local walls=() cpus=()
  for _ in $(seq "$n"); do
    local t0; t0=$(millis)
    /usr/bin/time -f '%U %S' -o "$work/time.txt" "$@" >/dev/null 2>&1 || [ $? -eq 3 ]
    walls+=($(( $(millis) - t0 )))
    cpus+=($(awk '{printf "%d", ($1 + $2) * 1000}' "$work/time.txt"))
  done
  local mid=$(( (n + 1) / 2 ))
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${mid}p") ms wall, $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p") ms CPU"
}

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== generating $runs runs x $caps CAPs into $work/filled"
rm -rf "$work/filled" "$work/empty" "$work/empty-schema" "$work/warmup" "$work/site" "$work/cds"
java -cp "$cp" org.capsync.bench.HistoryBenchmarkRepository "$work/filled" "$runs" "$caps" "$job"
du -sh "$work/filled/repository"

echo "== the queries alone (one JVM, repository already open)"
java -cp "$cp" org.capsync.bench.HistoryQueryTimer "$work/filled" "$job"

echo "== process start to exit (median of 5)"
export CAPSYNC_HOME="$work/filled"
echo "capsync history               $(median 5 "${capsync[@]}" history)"
echo "capsync history $job          $(median 5 "${capsync[@]}" history "$job")"
echo "capsync caps $job --stale     $(median 5 "${capsync[@]}" caps "$job" --stale)"
echo "capsync --version (JVM floor) $(median 5 "${capsync[@]}" --version)"
"${capsync[@]}" caps "$job" --stale | tail -3

echo "== the same from an extracted jar with an AppCDS archive (class loading is most of a short command's start)"
rm -rf "$work/cds"
java -Djarmode=tools -jar target/capsync.jar extract --destination "$work/cds" >/dev/null
java -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit="$work/cds/capsync.jsa" -jar "$work/cds/capsync.jar" caps "$job" >/dev/null 2>&1
cds=(java -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile="$work/cds/capsync.jsa" -jar "$work/cds/capsync.jar")
echo "capsync history               $(median 5 "${cds[@]}" history)"
echo "capsync caps $job --stale     $(median 5 "${cds[@]}" caps "$job" --stale)"
echo "capsync --version (JVM floor) $(median 5 "${cds[@]}" --version)"

echo "== a new run of a $caps-CAP job: empty repository vs the filled one (median of 5)"
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
# The empty repository has the schema but no run, so both sides skip the schema's creation; it is made anew for each
# run (a copy of the empty schema), while the filled one gains a run each time (1,001, 1,002, ...).
java -cp "$cp" org.capsync.bench.HistoryBenchmarkRepository "$work/empty-schema" 0 0 "$job" >/dev/null
# one timed run: prints "WALL CPU" in ms
timed_run() {
  local t0; t0=$(millis)
  CAPSYNC_HOME="$1" /usr/bin/time -f '%U %S' -o "$work/time.txt" "${capsync[@]}" run "$work/site/job.yml" >/dev/null 2>&1
  echo "$(( $(millis) - t0 )) $(awk '{printf "%d", ($1 + $2) * 1000}' "$work/time.txt")"
}
mid() { sort -n | sed -n 3p; }
: > "$work/runs.txt"
for _ in 1 2 3 4 5; do   # alternating, so that a busy moment of the machine hits both alike
  rm -rf "$work/empty" && cp -r "$work/empty-schema" "$work/empty"
  echo "empty $(timed_run "$work/empty")" >> "$work/runs.txt"
  echo "filled $(timed_run "$work/filled")" >> "$work/runs.txt"
done
ew=$(awk '$1=="empty"{print $2}' "$work/runs.txt" | mid); ec=$(awk '$1=="empty"{print $3}' "$work/runs.txt" | mid)
fw=$(awk '$1=="filled"{print $2}' "$work/runs.txt" | mid); fc=$(awk '$1=="filled"{print $3}' "$work/runs.txt" | mid)
echo "run on an empty repository    $ew ms wall, $ec ms CPU"
echo "run on the filled repository  $fw ms wall, $fc ms CPU"
echo "slower by                     $(( (fw - ew) * 100 / ew )) % wall, $(( (fc - ec) * 100 / ec )) % CPU"
echo "== machine: load average $(cut -d' ' -f1-3 /proc/loadavg)"
