#!/usr/bin/env bash
# Starts Replication Admin with the demo: two local registries with sample images and a sample rule, so you can sign in
# and click Replicate right away. Options: --no-demo runs the app alone; anything else goes to the app
# (e.g. --urls http://0.0.0.0:5080, --Admin:InitialPassword=...).
set -euo pipefail
cd "$(dirname "$0")/.."

demo=true
args=()
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=false ;;
    *) args+=("$arg") ;;
  esac
done

# The demo needs CNCF distribution (Debian package docker-registry); install it when missing and the machine allows.
if [ "$demo" = true ] && ! command -v docker-registry >/dev/null 2>&1 && [ ! -x /usr/bin/docker-registry ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo); else sudo_cmd=(); fi
    fi
    if [ "$(id -u)" -eq 0 ] || [ ${#sudo_cmd[@]} -gt 0 ]; then
      echo "Installing docker-registry for the demo..."
      "${sudo_cmd[@]}" apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends docker-registry ||
        echo "Could not install docker-registry; the app starts without the demo registries."
    else
      echo "docker-registry is missing and cannot be installed without root (sudo apt-get install docker-registry);"
      echo "the app starts without the demo registries."
    fi
  else
    echo "docker-registry is missing (no apt-get here); the app starts without the demo registries."
  fi
fi

# Production, as the app runs for real: the app's own error page, no detailed errors, no launch profile (which says Development).
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
exec dotnet run --project src/Replication.Admin -c Release --no-launch-profile -- "--Demo:Enabled=$demo" ${args[@]+"${args[@]}"}
