#!/usr/bin/env bash
# tape-drive.sh - Linux st/mt against a nexusd "tape" LUN over iSCSI, in a VM.
#
#   tests/vm/tape-drive.sh [--build DIR] [--plugin-dir DIR]...   # on the host: boots the VM
#   tests/vm/tape-drive.sh --guest [same options]                 # inside the VM
#
# --plugin-dir (repeatable) replaces DIR/lib/nexus, e.g. to combine a nexusd
# and transport-iscsi.so of one build with dev-tape.so of another.
# Starts DIR/bin/nexusd (default: build) with one tape drive holding a fresh
# cartridge on 127.0.0.1:3260, logs in with open-iscsi, loads st + sg, then:
# mt status/rewind; three tar archives separated by filemarks (variable
# blocks), read back byte-identical after rewind + mt fsf; the same in
# fixed-block mode (mt setblk 65536); mt eod/tell/bsf; offline. Exit 0 = passed.
# Needs root and the VM cache of ../shared/vm (vm-setup.sh). Under TCG
# emulation it takes a few minutes.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build guest=0 pdirs=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    --plugin-dir) pdirs+=("$(cd "$2" && pwd)") || exit 2; shift 2 ;;
    --guest) guest=1; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [ "$guest" = 0 ]; then
  vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
  [ -x "$vm_run" ] || { echo "tape-drive: vm-run.sh not found at $vm_run (set VM_RUN)" >&2; exit 1; }
  [ -x "$build/bin/nexusd" ] || { echo "tape-drive: $build/bin/nexusd not built" >&2; exit 1; }
  cd "$repo" || exit 1
  cmd="exec 2>&1; bash tests/vm/tape-drive.sh --guest --build $(printf %q "$build")"
  for d in "${pdirs[@]}"; do cmd+=" --plugin-dir $(printf %q "$d")"; done
  VM_SHARE=$repo VM_TIMEOUT=${VM_TIMEOUT:-1800} "$vm_run" "$cmd"
  rc=$?
  [ "$rc" = 0 ] && echo "tape-drive: PASSED" || echo "tape-drive: FAILED (status $rc)"
  exit $rc
fi

# ---------------------------------------------------------------- in the VM
set -eE
IQN=iqn.2026-11.io.nexus:vm-tape
PORTAL=127.0.0.1:3260
W=/tmp/tape-drive
TAPE=/dev/nst0
mkdir -p "$W/state"
t0=$(date +%s)
say() { printf '[vm %4ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
pid=
fail() {
  say "FAILED (line $1); nexusd log tail:"
  tail -n 40 "$W/nexusd.log" 2>/dev/null || true
  dmesg | grep -iE 'st[0-9]|iscsi|scsi' | tail -n 30 || true
}
trap 'fail $LINENO' ERR

cat >"$W/nexus.yaml" <<EOF
server:
  state_dir: $W/state
  log_level: info
  reactors: 2
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: tape0
    handler: tape
    options:
      medium: $W/T00001L8.tape
      create_medium: {barcode: T00001L8, capacity: 256M}
      serial: VTAPE0001
targets:
  - name: $IQN
    transport: iscsi
    portals: ["$PORTAL"]
    luns:
      - {lun: 0, device: tape0}
EOF

[ ${#pdirs[@]} -gt 0 ] || pdirs=("$build/lib/nexus")
pargs=()
for d in "${pdirs[@]}"; do pargs+=(-p "$d"); done
modprobe -a sg st iscsi_tcp
"$build/bin/nexusd" --config "$W/nexus.yaml" "${pargs[@]}" >"$W/nexusd.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  kill -0 "$pid" || { say "nexusd exited"; false; }
  (exec 3<>"/dev/tcp/${PORTAL%:*}/${PORTAL#*:}") 2>/dev/null && break
  sleep 0.1
done
say "nexusd up"
iscsid
iscsiadm -m discovery -t sendtargets -p "$PORTAL"
iscsiadm -m node -T "$IQN" -p "$PORTAL" --login
for _ in $(seq 300); do [ -c "$TAPE" ] && break; sleep 0.2; done
lsscsi -g
sg_inq "$(lsscsi -g | awk '$2 == "tape" {print $NF; exit}')" | grep -E 'Peripheral device type|identification|revision'
for _ in $(seq 50); do mt -f "$TAPE" status >/dev/null 2>&1 && break; sleep 0.2; done
mt -f "$TAPE" status
mt -f "$TAPE" rewind

# Three source trees, three archives (tar's default 10240-byte records).
for i in 1 2 3; do
  mkdir -p "$W/src$i/d"
  head -c $(( i * 300000 + 12345 )) /dev/urandom >"$W/src$i/d/random.bin"
  seq 1 $(( i * 20000 )) >"$W/src$i/numbers.txt"
  echo "archive $i" >"$W/src$i/README"
  tar -C "$W/src$i" -cf "$W/a$i.tar" .
done

check_archives() { # block-size label: write 3 archives, read them back
  local bs=$1 i
  mt -f "$TAPE" rewind
  for i in 1 2 3; do   # closing /dev/nst0 after writing writes a filemark
    dd if="$W/a$i.tar" of="$TAPE" bs="$bs" status=none
  done
  mt -f "$TAPE" status
  mt -f "$TAPE" tell
  for i in 3 1 2; do
    mt -f "$TAPE" rewind
    [ "$i" -gt 1 ] && mt -f "$TAPE" fsf $(( i - 1 ))
    dd if="$TAPE" of="$W/b$i.tar" bs="$bs" status=none
    cmp "$W/a$i.tar" "$W/b$i.tar"
    rm -rf "$W/dst$i"; mkdir -p "$W/dst$i"
    tar -C "$W/dst$i" -xf "$W/b$i.tar"
    diff -r "$W/src$i" "$W/dst$i"
  done
  say "three archives byte-identical (bs $bs)"
  # Straight tar to and from the tape, then positioning.
  mt -f "$TAPE" rewind
  mt -f "$TAPE" fsf 2
  rm -rf "$W/x"; mkdir -p "$W/x"
  tar -b $(( bs / 512 )) -C "$W/x" -xf "$TAPE"
  diff -r "$W/src3" "$W/x"
  mt -f "$TAPE" eod
  mt -f "$TAPE" tell
  mt -f "$TAPE" bsf 2    # back over two filemarks: in front of the 2nd
  mt -f "$TAPE" fsf 1
  dd if="$TAPE" of="$W/c3.tar" bs="$bs" status=none
  cmp "$W/a3.tar" "$W/c3.tar"
}

# Variable-block mode (st's default with block size 0).
mt -f "$TAPE" setblk 0
check_archives 10240

# Fixed-block mode: archives padded to whole 64 KiB blocks (tar -b 128).
for i in 1 2 3; do tar -C "$W/src$i" -b 128 -cf "$W/a$i.tar" .; done
mt -f "$TAPE" setblk 65536
mt -f "$TAPE" status | grep -i 'block size 65536'
check_archives 65536
mt -f "$TAPE" setblk 0

mt -f "$TAPE" rewind
mt -f "$TAPE" offline
if mt -f "$TAPE" status 2>/dev/null | grep -q ONLINE; then say "still online after offline"; false; fi
# mt load needs the drive to open without a cartridge threaded; fall back
# to START STOP UNIT (LOAD UNLOAD on a tape) through sg.
mt -f "$TAPE" load || sg_start --load "$(lsscsi -g | awk '$2 == "tape" {print $NF; exit}')"
for _ in $(seq 50); do mt -f "$TAPE" status >/dev/null 2>&1 && break; sleep 0.2; done
mt -f "$TAPE" status | grep -q ONLINE

iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout
kill -TERM "$pid"
wait "$pid"
pid=
[ -x "$build/bin/nexus-mktape" ] && "$build/bin/nexus-mktape" --info "$W/T00001L8.tape"
say "PASSED"
