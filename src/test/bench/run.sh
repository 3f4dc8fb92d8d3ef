#!/usr/bin/env bash
# capsync benchmark (issue 6): prints every figure next to the same work done by a plain Java loop in the same run.
#   src/test/bench/run.sh            all figures (about 15 minutes on 2 cores)
#   src/test/bench/run.sh 1 3        only figures 1 and 3
#   src/test/bench/run.sh 7          start-up of an installation (target/capsync-VERSION.tar.gz unpacked) next to ./capsync
#   src/test/bench/run.sh 8          200 CAPs on 1 worker vs 3 workers of one region (needs target/artemis from a test build)
#   src/test/bench/run.sh 9          --version, history, show, caps, verify --help on 1,000 runs next to a bare JVM
# Environment: BENCH_DIR scratch folder (default target/bench; keep it on the disk you want to measure),
#              BENCH_REPS runs per measurement (default 3), BENCH_SCALE sizes factor (e.g. 0.1 for a quick check).
set -euo pipefail
app="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$app"
echo "bench: building capsync and the benchmark..." >&2
./mvnw -q -B -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.capsync.bench.Benchmark "$app" "$@"
