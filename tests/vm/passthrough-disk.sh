#!/usr/bin/env bash
# passthrough-disk.sh - the pass-through handler (dev-passthrough) exporting
# a scsi_debug disk, checked from two initiators, in a throw-away VM.
#
#   tests/vm/passthrough-disk.sh [--build DIR] [--out DIR] [guest options]
#
# Boots ../shared/vm/vm-run.sh and runs tests/vm/guest-passthrough-disk.sh
# there: scsi_debug disk (64 MiB) -> nexusd `handler: passthrough` on
# 127.0.0.1:3260 -> libiscsi iscsi-test-cu with two initiator names
# (Reserve6, PR IN/OUT, MultipathIO, iSCSITMF, Inquiry, TUR, Read10,
# Write10, ReportSupportedOpcodes) + open-iscsi as two initiators: A's
# RESERVE(6) refuses B's WRITE with RESERVATION CONFLICT without the command
# reaching scsi_debug (its iorequest_cnt), A's MODE SELECT gives B MODE
# PARAMETERS CHANGED. Prints every check PASSED/FAILED; exit 0 = all passed.
#
# DIR (default: build) needs bin/nexusd and lib/nexus/{transport-iscsi,
# dev-passthrough}.so. Logs (nexusd.log, itc/iscsi-test-cu.txt,
# itc/summary.txt) go to --out (default: a new /var/tmp/nexus-pt-disk.*).
# Guest options passed on: --handler disk (harness self-check with nexus's own
# disk handler), --tests LIST|all, --suite-timeout S, --deadline S,
# --log-level LEVEL (nexusd).
# Needs root and the VM cache (../shared/vm/vm-setup.sh). Under TCG emulation
# it takes 20-40 min. Environment: VM_RUN, VM_TIMEOUT (default 5400 s).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build out='' handler=passthrough guest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --handler) handler=$2; guest_args+=("$1" "$2"); shift 2 ;;
    --tests|--suite-timeout|--deadline|--log-level) guest_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf 'passthrough-disk: %s\n' "$*" >&2; }
vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
[ -x "$vm_run" ] || { log "FAILED: vm-run.sh not found at $vm_run (set VM_RUN)"; exit 1; }
need=(bin/nexusd lib/nexus/transport-iscsi.so)
[ "$handler" = passthrough ] && need+=(lib/nexus/dev-passthrough.so) || need+=(lib/nexus/dev-$handler.so)
for f in "${need[@]}"; do
  [ -e "$build/$f" ] || { log "FAILED: $build/$f not built"; exit 1; }
done
vm_dir=${VM_DIR:-/var/tmp/vm}
[ -s "$vm_dir/kernel.env" ] || { log "FAILED: no VM cache in $vm_dir (run ../shared/vm/vm-setup.sh as root)"; exit 1; }

[ -n "$out" ] || out=$(mktemp -d /var/tmp/nexus-pt-disk.XXXXXX)
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
log "logs in $out"

start=$SECONDS
# The results dir is the VM's read-write share; the repository and the build
# tree are read through the guest's read-only view of the host's /.
cmd="exec 2>&1; bash $(printf %q "$repo/tests/vm/guest-passthrough-disk.sh") --build $(printf %q "$build") --out $(printf %q "$out")"
for a in "${guest_args[@]}"; do cmd+=" $(printf %q "$a")"; done
cd "$out" || exit 1
VM_SHARE=$out VM_TIMEOUT=${VM_TIMEOUT:-5400} "$vm_run" "$cmd" 2>&1 | tee "$out/console.txt"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
  log "PASSED in $((SECONDS - start)) s"
else
  why=$(grep -E 'CHECK FAILED|checks FAILED' "$out/console.txt" | sed 's/^\[vm *[0-9]*s\] //' | paste -sd';' -)
  [ "$rc" = 124 ] && why="VM timed out; $why"
  log "FAILED (status $rc) after $((SECONDS - start)) s: ${why:-see $out/console.txt}"
fi
exit "$rc"
