#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine for `make demo` / `make test`:
# system packages (as root, only what is missing), then the virtual
# environment with the pinned Python dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

need=()
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v runuser >/dev/null || need+=(util-linux)
[ -e /usr/share/zoneinfo/America/New_York ] || need+=(tzdata)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: please install as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian package starts a system cluster we do not use; leave it alone
  # but make sure it does not hold our ports (it listens on 5432 only).
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q -e ".[test]"
touch "$VENV/.installed"
echo "bootstrap: ready ($VENV)"
