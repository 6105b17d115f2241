#!/usr/bin/env bash
# kernel-initiator.sh - the real Linux initiator against nexusd, in a VM.
#
#   tests/vm/kernel-initiator.sh [--peer nexusd|tgtd] [--build DIR]
#                                [--data-mib N] [--disk-mib N] [--phases plain,chap]
#
# Boots a throw-away VM with ../shared/vm/vm-run.sh (the host's / read-only,
# this repository read-write at the same path), starts build/bin/nexusd in it
# (or tgtd with --peer tgtd, to check the harness itself), and runs
# tests/vm/guest-kernel-initiator.sh there: open-iscsi discovery + login,
# mkfs.ext4, write DATA MiB of random files, checksum, unmount, log out and
# in again, remount, verify, e2fsck, log out; then the same with CHAP (and a
# wrong secret must be refused). Exit status 0 = passed.
#
# The VM usually runs under TCG emulation (slow): ~3-6 min for the default
# 200 MiB per phase. Needs root. Prepares the VM cache with vm-setup.sh when
# missing.
#
# Environment: VM_RUN (path of vm-run.sh; default ../shared/vm/vm-run.sh next
# to the repository), VM_TIMEOUT (default 2400 s), VM_MEM, VM_SMP (see vm-run.sh).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
peer=nexusd build=$repo/build guest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --peer) peer=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    --data-mib|--disk-mib|--phases) guest_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case $peer in nexusd|tgtd) ;; *) echo "--peer must be nexusd or tgtd" >&2; exit 2 ;; esac

log() { printf 'kernel-initiator: %s\n' "$*" >&2; }
[ -x "$vm_run" ] || { log "vm-run.sh not found at $vm_run (set VM_RUN)"; exit 1; }
if [ "$peer" = nexusd ] && [ ! -x "$build/bin/nexusd" ]; then
  log "$build/bin/nexusd not built (scripts/build.sh release)"; exit 1
fi
case $build in "$repo"/*|"$repo") ;; *) log "note: $build is outside the repo; the guest sees it read-only" ;; esac

vm_dir=${VM_DIR:-/var/tmp/vm}
if [ ! -s "$vm_dir/kernel.env" ]; then
  log "VM cache $vm_dir missing: running vm-setup.sh"
  "$(dirname "$vm_run")/vm-setup.sh" || { log "vm-setup.sh failed"; exit 1; }
fi

start=$SECONDS
cmd="exec 2>&1; bash tests/vm/guest-kernel-initiator.sh --peer $peer --build $(printf %q "$build")"
for a in "${guest_args[@]}"; do cmd+=" $(printf %q "$a")"; done
log "booting VM: $cmd"
cd "$repo" || exit 1
VM_SHARE=$repo VM_TIMEOUT=${VM_TIMEOUT:-2400} "$vm_run" "$cmd"
rc=$?
if [ "$rc" = 0 ]; then
  log "PASSED against $peer in $((SECONDS - start)) s"
else
  log "FAILED against $peer (status $rc$([ "$rc" = 124 ] && echo ', VM timed out')) after $((SECONDS - start)) s"
fi
exit $rc
