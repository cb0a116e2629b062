#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine for `make demo` / `make test`:
# system packages (as root, only what is missing), then the virtual
# environment with the pinned Python dependencies.
#
#   tools/bootstrap.sh [--test]     (or P88_TEST_DEPS=1 tools/bootstrap.sh)
#
# --test also installs what only the tests use: Debian's Chromium (the
# browser tests drive it headless through Playwright, which downloads no
# browser of its own), Apache (the tests run a private instance as the
# display's reverse proxy), systemd-analyze (it scores the units) and what
# the deployment test needs to build and boot a Debian 12 machine
# (debootstrap, systemd-nspawn, nftables for its NAT, rsync and ssh for
# Ansible, curl for the checks made from outside).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
TEST_DEPS=${P88_TEST_DEPS:-0}
for arg in "$@"; do
  case "$arg" in
    --test) TEST_DEPS=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

need=()
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v runuser >/dev/null || need+=(util-linux)
[ -e /usr/share/zoneinfo/America/New_York ] || need+=(tzdata)
if [ "$TEST_DEPS" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium)
  [ -x /usr/sbin/apache2 ] || need+=(apache2)
  command -v systemd-analyze >/dev/null || need+=(systemd)  # scores the units' hardening
  command -v systemd-nspawn >/dev/null || need+=(systemd-container)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
  command -v nft >/dev/null || need+=(nftables)
  command -v zstd >/dev/null || need+=(zstd)
  command -v ip >/dev/null || need+=(iproute2)
  command -v ssh >/dev/null || need+=(openssh-client)
  command -v rsync >/dev/null || need+=(rsync)
  command -v curl >/dev/null || need+=(curl)
  command -v pkill >/dev/null || need+=(procps)
fi

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
  if [[ " ${need[*]} " == *" apache2 "* ]]; then
    # Its postinst starts (and, under systemd, enables) a system Apache on
    # port 80 that nothing here uses: the tests start their own on a free
    # loopback port. Stop the one we just installed; nothing else is touched.
    if [ -d /run/systemd/system ]; then
      systemctl disable --now apache2.service apache-htcacheclean.service >/dev/null 2>&1 || true
    else
      service apache2 stop >/dev/null 2>&1 || true
    fi
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q -e ".[test]"
touch "$VENV/.installed"
if [ "$TEST_DEPS" = 1 ]; then
  touch "$VENV/.test-deps"
fi
echo "bootstrap: ready ($VENV)"
