#!/usr/bin/env bash
# start.sh - README command 1: install dependencies, build the release tree
# and run nexusd in the foreground on the default configuration
# (etc/nexus.yaml: a 1 GiB sparse file disk on 127.0.0.1:3260).
#
#   sudo ./scripts/start.sh [extra nexusd arguments...]
#
# Environment: NEXUS_CONFIG (default etc/nexus.yaml), NEXUS_SKIP_DEPS=1,
# NEXUS_BUILD_ROOT / NEXUS_JOBS (see scripts/build.sh).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
bash scripts/build.sh release
root=${NEXUS_BUILD_ROOT:-$repo}
config=${NEXUS_CONFIG:-etc/nexus.yaml}
# The default config keeps its disk image under /var/tmp/nexus and the tape
# library's cartridges under /var/tmp/nexus/vtl (created here once).
mkdir -p /var/tmp/nexus/vtl /var/tmp/nexus/state
if [ "$config" = etc/nexus.yaml ]; then
  for b in NEX001L8 NEX002L8 NEX003L8 NEX004L8; do
    [ -f "/var/tmp/nexus/vtl/$b.tape" ] ||
      "$root/build/bin/nexus-mktape" --barcode "$b" --capacity 4G "/var/tmp/nexus/vtl/$b.tape"
  done
fi
echo "start: $root/build/bin/nexusd --config $config $*" >&2
exec "$root/build/bin/nexusd" --config "$config" "$@"
