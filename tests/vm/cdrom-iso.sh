#!/usr/bin/env bash
# cdrom-iso.sh - the Linux sr driver against nexusd's cdrom handler, in a VM.
#
#   tests/vm/cdrom-iso.sh [--build DIR]          # on the host (root): boots the VM
#   tests/vm/cdrom-iso.sh --guest [--build DIR]  # inside the VM (called by the above)
#
# In the guest: builds an ISO 9660 image (genisoimage, or xorriso/mkisofs)
# holding a few random files, starts DIR/bin/nexusd exporting it as a
# `handler: cdrom` LUN over iSCSI on 127.0.0.1:3260, logs in with open-iscsi,
# loads sr_mod, mounts /dev/srN as iso9660 and compares every file with its
# source; then ejects the disc (eject /dev/srN: START STOP UNIT LoEj), checks
# that the drive reports no medium, closes the tray (eject -t: the image is
# loaded again, MEDIUM MAY HAVE CHANGED), mounts and compares once more.
# Exit status 0 = passed.
#
# The ISO tool must exist on the host (the guest's / is the host's, read-only);
# without one the script installs genisoimage. Environment: VM_RUN (path of vm-run.sh,
# default ../shared/vm/vm-run.sh next to the repository), VM_TIMEOUT (900 s).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build guest=0
while [ $# -gt 0 ]; do
  case $1 in
    --guest) guest=1; shift ;;
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# ------------------------------------------------------------------ host side
if [ "$guest" = 0 ]; then
  log() { printf 'cdrom-iso: %s\n' "$*" >&2; }
  vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
  [ -x "$vm_run" ] || { log "vm-run.sh not found at $vm_run (set VM_RUN)"; exit 1; }
  [ -x "$build/bin/nexusd" ] || { log "$build/bin/nexusd not built"; exit 1; }
  for so in dev-cdrom transport-iscsi; do
    [ -f "$build/lib/nexus/$so.so" ] || { log "$build/lib/nexus/$so.so not built"; exit 1; }
  done
  if ! command -v genisoimage >/dev/null && ! command -v xorriso >/dev/null &&
    ! command -v mkisofs >/dev/null; then
    # Not a build dependency: only this test needs it. Root installs it here.
    log "installing genisoimage (the guest uses the host's tools)"
    apt-get install -y --no-install-recommends genisoimage >/dev/null 2>&1 ||
      { log "no ISO tool and apt-get failed: apt-get install -y genisoimage"; exit 1; }
  fi
  vm_dir=${VM_DIR:-/var/tmp/vm}
  if [ ! -s "$vm_dir/kernel.env" ]; then
    "$(dirname "$vm_run")/vm-setup.sh" || { log "vm-setup.sh failed"; exit 1; }
  fi
  start=$SECONDS
  cd "$repo" || exit 1
  VM_SHARE=$repo VM_TIMEOUT=${VM_TIMEOUT:-900} "$vm_run" \
    "exec 2>&1; bash tests/vm/cdrom-iso.sh --guest --build $(printf %q "$build")"
  rc=$?
  if [ "$rc" = 0 ]; then log "PASSED in $((SECONDS - start)) s"; else
    log "FAILED (status $rc$([ "$rc" = 124 ] && echo ', VM timed out')) after $((SECONDS - start)) s"
  fi
  exit "$rc"
fi

# ----------------------------------------------------------------- guest side
set -e
IQN=iqn.2026-11.io.nexus:vm-cdrom
PORTAL=127.0.0.1:3260
W=/tmp/cdrom-iso
MNT=/mnt/nexus-cd
mkdir -p "$W/src/docs/deep" "$W/state" "$MNT"
t0=$(date +%s)
target_pid=
say() { printf '[vm %4ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
dump_logs() {
  say "FAILED (line ${1:-?}); target log tail:"
  tail -n 40 "$W/target.log" 2>/dev/null || true
  dmesg | grep -iE 'iscsi|sr[0-9]|scsi|cdrom|isofs|I/O error' | tail -n 30 || true
}
trap 'dump_logs $LINENO' ERR

# The disc: a few files of different sizes, in subdirectories.
head -c 3000000 /dev/urandom >"$W/src/big.bin"
head -c 70000 /dev/urandom >"$W/src/docs/medium.bin"
echo "hello from nexus" >"$W/src/docs/deep/hello.txt"
: >"$W/src/empty"
if command -v genisoimage >/dev/null; then
  genisoimage -quiet -R -J -V NEXUSCD -o "$W/disc.iso" "$W/src"
elif command -v xorriso >/dev/null; then
  xorriso -as mkisofs -quiet -R -J -V NEXUSCD -o "$W/disc.iso" "$W/src"
else
  mkisofs -quiet -R -J -V NEXUSCD -o "$W/disc.iso" "$W/src"
fi
say "ISO: $(stat -c %s "$W/disc.iso") bytes"

cat >"$W/nexus.yaml" <<YAML
server:
  state_dir: $W/state
  log_level: info
  reactors: 2
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: cd0
    handler: cdrom
    options: {image: $W/disc.iso, product: VM-CDROM}
targets:
  - name: $IQN
    transport: iscsi
    portals: ["$PORTAL"]
    luns:
      - {lun: 0, device: cd0}
YAML
"$build/bin/nexusd" --config "$W/nexus.yaml" >"$W/target.log" 2>&1 &
target_pid=$!
for _ in $(seq 600); do
  kill -0 "$target_pid" 2>/dev/null || { say "nexusd exited during start-up"; false; }
  (exec 3<>"/dev/tcp/${PORTAL%:*}/${PORTAL#*:}") 2>/dev/null && break
  sleep 0.1
done
say "nexusd up (pid $target_pid)"

modprobe -a sr_mod sg iscsi_tcp isofs cdrom
iscsid
iscsiadm -m node -o delete >/dev/null 2>&1 || true
iscsiadm -m discovery -t sendtargets -p "$PORTAL"
iscsiadm -m node -T "$IQN" -p "$PORTAL" --login

# The sr device of the session.
dev=
for _ in $(seq 300); do
  for b in /sys/class/iscsi_session/session*/device/target*/*/block/*; do
    [ -e "$b" ] || continue
    n=$(basename "$b"); [ -b "/dev/$n" ] && dev=/dev/$n
  done
  [ -n "$dev" ] && break
  sleep 0.2
done
[ -n "$dev" ] || { say "no block device appeared"; false; }
case $dev in /dev/sr*) ;; *) say "expected /dev/srN, got $dev"; false ;; esac
say "logged in; drive $dev"
dmesg | grep -F "[$(basename "$dev")]" | sed 's/^/    /' || true

compare() {
  mount -t iso9660 -o ro "$dev" "$MNT"
  diff -r "$W/src" "$MNT"
  say "mounted $dev: $(find "$MNT" -type f | wc -l) files identical to the source"
  umount "$MNT"
}
compare

# Eject and close the tray: START STOP UNIT LoEj=1 with Start=0, then 1
# (eject(1) when installed, else sg_raw).
tray() { # open|close
  if command -v eject >/dev/null; then
    if [ "$1" = open ]; then eject "$dev"; else eject -t "$dev"; fi
  else
    sg_raw -n "$dev" 1b 00 00 00 "$([ "$1" = open ] && echo 02 || echo 03)" 00 >/dev/null 2>&1
  fi
}
tray open
if dd if="$dev" of=/dev/null bs=2048 count=1 2>/dev/null; then
  say "read succeeded with the tray open"; false
fi
say "ejected: reads fail as they must"
tray close
sleep 1
compare
say "tray closed: disc reloaded and readable"

iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout
iscsiadm -m node -o delete >/dev/null 2>&1 || true
kill -TERM "$target_pid"
wait "$target_pid" || { say "nexusd exit status $? after SIGTERM"; false; }
trap - ERR
grep -E ' (warn|error) ' "$W/target.log" | sed 's/^/    target: /' || true
say "CDROM ISO TEST PASSED"
