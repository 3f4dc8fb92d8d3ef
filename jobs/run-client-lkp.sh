#!/bin/sh
# Runs the client-lkp job for a scheduler (cron, systemd) and passes capsync's exit code through:
#   0  every CAP holds the source's bytes
#   1  the run failed as a whole; the next run restarts it and resumes
#   2  bad input or usage (job file, CAP list, source, settings); nothing was copied
#   3  the run completed but some CAPs are not current (skipped: in use; or failed)
#   4  another run of this job is in progress
# CAPSYNC_HOME (repository, logs, locks) defaults to /var/lib/capsync here; set it in the scheduler's environment
# to change it. CAPSYNC_JOB_FILE runs another job file with the same wrapper. Extra arguments go to `capsync run`.
set -u
jobs_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 2
CAPSYNC_HOME=${CAPSYNC_HOME:-/var/lib/capsync}
export CAPSYNC_HOME
app=$(dirname -- "$jobs_dir")
if [ -x "$app/bin/capsync" ]; then
  capsync="$app/bin/capsync"   # an installation: the release archive, or the Debian package (jobs -> /etc/capsync)
elif [ -x "$app/capsync" ]; then
  capsync="$app/capsync"       # the source tree
else
  capsync=capsync              # e.g. /etc/capsync/run-client-lkp.sh run by hand: capsync on the PATH
fi
# exec: the scheduler's signals reach capsync itself, and its exit code is the wrapper's.
exec "$capsync" run "${CAPSYNC_JOB_FILE:-$jobs_dir/client-lkp.yml}" "$@"
