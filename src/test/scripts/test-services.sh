#!/usr/bin/env bash
# Installs the system services that capsync's integration tests start themselves (Samba, PostgreSQL, Chromium).
# Run by Maven before the tests (see pom.xml), so './mvnw verify' works on a fresh Debian-like machine as root.
# Not root or no apt: says which packages are missing; the tests that need them fail under CI=true, else they skip.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ]; }
have smbd /usr/sbin/smbd || need+=(samba)
have smbclient /usr/bin/smbclient || need+=(smbclient)
have pg_ctl "$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | head -1)" || need+=(postgresql)
have chromium /usr/bin/chromium || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-services: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  if apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "test-services: apt-get install ${need[*]} failed" >&2
else
  echo "test-services: missing packages: ${need[*]} (install them with: sudo apt-get install ${need[*]})" >&2
fi
# Under CI a missing service must fail the run, never skip tests.
[ "${CI:-}" = "true" ] && exit 1
exit 0
