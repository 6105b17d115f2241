#!/usr/bin/env bash
# install-deps.sh - install everything needed to build and test Nexus on
# Debian 12 (run as root). Idempotent: when every package is already
# installed it returns at once without touching apt.
#
# Services shipped by these packages (tgt listens on :3260, the port nexusd
# uses) are never started by the installation, and a tgt we installed is
# disabled so it does not grab :3260 at the next boot either.
#
# Environment: NEXUS_SKIP_DEPS=1 skips this script entirely (e.g. non-root
# developers who installed the packages themselves).
set -euo pipefail

log() { printf 'install-deps: %s\n' "$*" >&2; }

[ "${NEXUS_SKIP_DEPS:-0}" = 1 ] && { log "NEXUS_SKIP_DEPS=1: skipped"; exit 0; }

PKGS=(
  # toolchain
  cmake ninja-build g++ ccache pkg-config clang libclang-rt-14-dev
  # libraries
  libboost-dev libboost-filesystem-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libsgutils2-dev liburing-dev libiscsi-dev libssl-dev libgtest-dev libgmock-dev
  # test tools: iscsi-test-cu / iscsi-ls, the tgtd reference peer, sg_* tools
  libiscsi-bin tgt sg3-utils
  # used by the scripts themselves
  python3 procps iproute2 coreutils
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#PKGS[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "missing packages: ${missing[*]}"
  log "run as root (sudo $0) or install them yourself and set NEXUS_SKIP_DEPS=1"
  exit 1
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

# Keep maintainer scripts from starting services (tgtd would take :3260).
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
[ $rc = 0 ] || { log "apt-get install failed ($rc)"; exit $rc; }

if printf '%s\n' "${missing[@]}" | grep -qx tgt && command -v systemctl >/dev/null &&
   [ -d /run/systemd/system ]; then
  systemctl disable --now tgt.service >/dev/null 2>&1 || true
  log "disabled tgt.service (it would listen on :3260)"
fi
log "done"
