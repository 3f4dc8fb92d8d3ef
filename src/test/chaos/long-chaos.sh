#!/usr/bin/env bash
# The long kill -9 chaos run (issue: crash, overlap and bad input). The suite runs a small version on every build;
# this one distributes to a few thousand CAPs and kills the run with SIGKILL at random points many times, then runs it
# to the end and checks: every CAP holds the source's bytes, no temp file, no execution left STARTED, a reader polling
# the CAPs throughout never saw a missing or partial file, and no pair finished before a kill was written again.
#
#   src/test/chaos/long-chaos.sh [CAPS] [KILLS] [SEED]      (defaults: 3000 CAPs, 10 kills, a random seed)
set -euo pipefail
cd "$(dirname "$0")/../../.."
caps="${1:-3000}"; kills="${2:-10}"; seed="${3:-$RANDOM$RANDOM}"
echo "chaos: $caps CAPs, $kills kills, seed $seed"
./mvnw -q -B test -Dtest=KillChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dchaos.caps="$caps" -Dchaos.kills="$kills" -Dchaos.seed="$seed" -DtrimStackTrace=false
grep -h "Tests run" target/surefire-reports/org.capsync.reliability.KillChaosTest.txt
grep -h "chaos:" target/surefire-reports/org.capsync.reliability.KillChaosTest-output.txt 2>/dev/null || true
