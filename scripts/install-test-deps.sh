#!/usr/bin/env bash
# Installs the real programs the tests run against: CNCF distribution (docker-registry), skopeo (the peer the
# benchmark compares with), promtool (Debian package prometheus: checks the /metrics exposition), Chromium (Playwright
# drives the system browser; it cannot download its own here) and PostgreSQL (the several-nodes storage; the tests
# start throwaway servers of their own, never the system's).
set -euo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus) # promtool checks the /metrics exposition
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
