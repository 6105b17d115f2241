#!/usr/bin/env bash
# passthrough-tape-library.sh - the pass-through handler (dev-passthrough)
# exporting a tape library the VM's kernel sees as real hardware, to two
# initiators at once, in a throw-away VM.
#
#   tests/vm/passthrough-tape-library.sh [--build DIR] [--out DIR] [--direct]
#
# Boots ../shared/vm/vm-run.sh and runs
# tests/vm/guest-passthrough-tape-library.sh there: tgtd exports an SSC drive
# and an SMC changer on 127.0.0.1:3261, open-iscsi logs the kernel in (they
# become /dev/sch*, /dev/nst*, /dev/sg*), nexusd passes both through
# (changer LUN 0, drive LUN 1) on 127.0.0.1:3260 and open-iscsi logs into
# nexusd as two initiators A and B. Checks: both see the library (mtx
# status); mtx load/unload through A moves a cartridge and B sees it; tar to
# A's drive reads back; A's mt setblk (MODE SELECT) gives B MODE PARAMETERS
# CHANGED; A's RESERVE(6) makes B's TUR/READ fail with RESERVATION CONFLICT
# while an initiator logged straight into tgtd is not refused, and B works
# again after A's RELEASE(6). Prints every check PASSED/FAILED; exit 0 = all
# passed.
#
# DIR (default: build) needs bin/nexusd and lib/nexus/{transport-iscsi,
# dev-passthrough}.so. Logs (console.txt, nexusd.log, tgtd.log) go to --out
# (default: a new /var/tmp/nexus-pt-vtl.*). --direct: harness self-check, A
# and B log straight into tgtd (no nexusd). Needs root and the VM cache
# (../shared/vm/vm-setup.sh). Under TCG emulation it takes 5-10 min.
# Environment: VM_RUN, VM_TIMEOUT (default 2400 s).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build out='' direct=0 guest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --direct) direct=1; guest_args+=("$1"); shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf 'passthrough-tape-library: %s\n' "$*" >&2; }
vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
[ -x "$vm_run" ] || { log "FAILED: vm-run.sh not found at $vm_run (set VM_RUN)"; exit 1; }
need=(bin/nexusd lib/nexus/transport-iscsi.so)
[ "$direct" = 1 ] || need+=(lib/nexus/dev-passthrough.so)
for f in "${need[@]}"; do
  [ -e "$build/$f" ] || { log "FAILED: $build/$f not built"; exit 1; }
done
vm_dir=${VM_DIR:-/var/tmp/vm}
[ -s "$vm_dir/kernel.env" ] || { log "FAILED: no VM cache in $vm_dir (run ../shared/vm/vm-setup.sh as root)"; exit 1; }

[ -n "$out" ] || out=$(mktemp -d /var/tmp/nexus-pt-vtl.XXXXXX)
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
log "logs in $out"

start=$SECONDS
# The results dir is the VM's read-write share; the repository and the build
# tree are read through the guest's read-only view of the host's /.
cmd="exec 2>&1; bash $(printf %q "$repo/tests/vm/guest-passthrough-tape-library.sh") --build $(printf %q "$build") --out $(printf %q "$out")"
for a in "${guest_args[@]}"; do cmd+=" $(printf %q "$a")"; done
cd "$out" || exit 1
VM_SHARE=$out VM_TIMEOUT=${VM_TIMEOUT:-2400} "$vm_run" "$cmd" 2>&1 | tee "$out/console.txt"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
  log "PASSED in $((SECONDS - start)) s"
else
  why=$(grep -E 'CHECK FAILED|checks FAILED' "$out/console.txt" | sed 's/^\[vm *[0-9]*s\] //' | paste -sd';' -)
  [ "$rc" = 124 ] && why="VM timed out; $why"
  log "FAILED (status $rc) after $((SECONDS - start)) s: ${why:-see $out/console.txt}"
fi
exit "$rc"
