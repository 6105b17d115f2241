#!/usr/bin/env bash
# changer-library.sh - the virtual tape library against the real Linux
# initiator, in a throw-away VM (../shared/vm/vm-run.sh).
#
#   tests/vm/changer-library.sh [--build DIR]     # on the host: boots the VM
#   tests/vm/changer-library.sh --guest [--build DIR]   # inside the VM
#
# In the guest: makes 4 cartridges with nexus-mktape, starts DIR/bin/nexusd
# (default: build) with a library (2 drives, 6 slots, 1 import/export slot)
# on 127.0.0.1:3260, logs in with open-iscsi and checks that
#   - ch/st/sg attach (mediumx + 2 tapes), `mtx status` shows the barcodes,
#     READ ELEMENT STATUS with DVCID names each drive (sg_raw);
#   - `mtx load` puts a cartridge into a drive, `mt status` sees it, tar
#     data written to it reads back;
#   - `mtx unload` of a drive that was not unloaded fails, after
#     `mt offline` it works; `mtx transfer` moves between slots and to the
#     import/export slot; a load into the second drive works;
#   - after a nexusd restart the library holds the same cartridges in the
#     same places (state_dir persistence) and the drive got its tape back.
# Needs nexusd, nexus-mktape, dev-tape.so, dev-changer.so, transport-iscsi.so
# in DIR. Exit status 0 = passed. Environment: VM_RUN, VM_TIMEOUT (1800 s).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$repo/build guest=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
    --guest) guest=1; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [ "$guest" = 0 ]; then
  vm_run=${VM_RUN:-$repo/../shared/vm/vm-run.sh}
  [ -x "$vm_run" ] || { echo "vm-run.sh not found at $vm_run (set VM_RUN)" >&2; exit 1; }
  for f in bin/nexusd bin/nexus-mktape lib/nexus/dev-tape.so lib/nexus/dev-changer.so \
           lib/nexus/transport-iscsi.so; do
    [ -e "$build/$f" ] || { echo "missing $build/$f" >&2; exit 1; }
  done
  cd "$repo" || exit 1
  cmd="exec 2>&1; bash tests/vm/changer-library.sh --guest --build $(printf %q "$build")"
  VM_SHARE=$repo VM_TIMEOUT=${VM_TIMEOUT:-1800} "$vm_run" "$cmd"
  rc=$?
  echo "changer-library: $([ $rc = 0 ] && echo PASSED || echo "FAILED (status $rc)")" >&2
  exit $rc
fi

# ------------------------------------------------------------------ guest
set -e
IQN=iqn.2026-11.io.nexus:vtl
W=/tmp/vtl
mkdir -p "$W/media" "$W/state"
t0=$(date +%s)
say() { printf '[vm %4ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
nexusd_pid=
dump() {
  say "FAILED at line ${1:-?}; nexusd log tail:"
  tail -n 40 "$W/nexusd.log" 2>/dev/null || true
  dmesg | grep -iE 'iscsi|scsi|st[0-9]|ch[0-9]' | tail -n 20 || true
}
trap 'dump $LINENO' ERR
cleanup() {
  iscsiadm -m node -T "$IQN" -p 127.0.0.1 --logout > /dev/null 2>&1 || true
  [ -n "$nexusd_pid" ] && kill "$nexusd_pid" 2> /dev/null && wait "$nexusd_pid" 2> /dev/null
  return 0
}
trap cleanup EXIT
expect_fail() { if "$@"; then say "UNEXPECTED SUCCESS: $*"; return 1; fi; say "refused as expected: $*"; }

modprobe -a sg st ch iscsi_tcp

for b in A00001L8 A00002L8 A00003L8 A00004L8; do
  "$build/bin/nexus-mktape" --barcode "$b" --capacity 64M "$W/media/$b.tape"
done

cat > "$W/nexus.yaml" <<EOF
server:
  plugin_dirs: [$build/lib/nexus]
  state_dir: $W/state
  log_level: info
  reactors: 2
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: library0
    handler: changer
    options:
      drives: [tape0, tape1]
      slots: 6
      import_export: 1
      media_dir: $W/media
      cartridges:
        - {barcode: A00001L8, slot: 1}
        - {barcode: A00002L8, slot: 2}
        - {barcode: A00003L8, slot: 3}
        - {barcode: A00004L8, slot: 4}
  - name: tape0
    handler: tape
    options: {serial: VMTAPE0}
  - name: tape1
    handler: tape
    options: {serial: VMTAPE1}
targets:
  - name: $IQN
    transport: iscsi
    portals: ["127.0.0.1:3260"]
    luns:
      - {lun: 0, device: library0}
      - {lun: 1, device: tape0}
      - {lun: 2, device: tape1}
EOF

start_nexusd() {
  "$build/bin/nexusd" --config "$W/nexus.yaml" >> "$W/nexusd.log" 2>&1 &
  nexusd_pid=$!
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/3260) 2> /dev/null && return 0
    sleep 0.2
  done
  say "nexusd did not listen"; return 1
}
stop_nexusd() { kill "$nexusd_pid"; wait "$nexusd_pid" || true; nexusd_pid=; }

login() {
  iscsiadm -m discovery -t st -p 127.0.0.1 > /dev/null
  iscsiadm -m node -T "$IQN" -p 127.0.0.1 --login > /dev/null
  for _ in $(seq 150); do [ -c /dev/sch0 ] && [ -c /dev/nst1 ] && break; sleep 0.2; done
  lsscsi -g
  CHG=$(lsscsi -g | awk '$2 == "mediumx" {print $NF; exit}')
  # st device of the tape at LUN 1 (tape0 = drive 0) and LUN 2 (tape1).
  NST0=/dev/n$(basename "$(lsscsi | awk '$1 ~ /:1\]$/ && $2 == "tape" {print $NF}')")
  NST1=/dev/n$(basename "$(lsscsi | awk '$1 ~ /:2\]$/ && $2 == "tape" {print $NF}')")
  say "changer $CHG, drive 0 $NST0, drive 1 $NST1"
}
logout() { iscsiadm -m node -T "$IQN" -p 127.0.0.1 --logout > /dev/null; sleep 1; }

wait_ready() { for _ in $(seq 50); do mt -f "$1" status > /dev/null 2>&1 && return 0; sleep 0.2; done; mt -f "$1" status; }

# slot_of BARCODE: the "Storage Element N" / "Data Transfer Element N" line of mtx status.
status_has() { mtx -f "$CHG" status | tee "$W/status.txt" | grep -Eq "$1"; }

iscsid
start_nexusd
login
mtx -f "$CHG" inquiry
mtx -f "$CHG" status
for b in A00001L8 A00002L8 A00003L8 A00004L8; do grep -q "VolumeTag *= *$b" <(mtx -f "$CHG" status); done
status_has 'Storage Element 1:Full :VolumeTag=A00001L8'
status_has 'Storage Element 7 IMPORT/EXPORT:Empty'
say "status shows the barcodes"
# READ ELEMENT STATUS, data transfer elements, DVCID=1: each drive element
# carries its drive's identity, so the initiator can match drives to LUNs.
sg_raw -r 512 -o "$W/dvcid.bin" "$CHG" b8 04 01 00 00 02 01 00 02 00 00 00
grep -aq 'NEXUS   VTAPE-LTO       VMTAPE0' "$W/dvcid.bin"
grep -aq 'NEXUS   VTAPE-LTO       VMTAPE1' "$W/dvcid.bin"
say "DVCID shows the drive identities"

mtx -f "$CHG" load 1 0
wait_ready "$NST0"
mt -f "$NST0" status
mtx -f "$CHG" status
status_has 'Data Transfer Element 0:Full \(Storage Element 1 Loaded\):VolumeTag = A00001L8'
mkdir -p "$W/src" "$W/dst"
seq 1 50000 > "$W/src/numbers.txt"
tar -C "$W/src" -cf "$NST0" numbers.txt
mt -f "$NST0" rewind
tar -C "$W/dst" -xf "$NST0"
cmp "$W/src/numbers.txt" "$W/dst/numbers.txt"
say "tape data OK"

expect_fail mtx -f "$CHG" unload 1 0         # still loaded: MEDIUM REMOVAL PREVENTED
mt -f "$NST0" offline
mtx -f "$CHG" unload 1 0
status_has 'Storage Element 1:Full :VolumeTag=A00001L8'
expect_fail mtx -f "$CHG" transfer 5 6      # source empty
expect_fail mtx -f "$CHG" transfer 1 2      # destination full
mtx -f "$CHG" transfer 2 5
mtx -f "$CHG" transfer 4 7                   # into the import/export slot
status_has 'Storage Element 5:Full :VolumeTag=A00002L8'
status_has 'Storage Element 7 IMPORT/EXPORT:Full :VolumeTag=A00004L8'
mtx -f "$CHG" load 3 1
wait_ready "$NST1"
mt -f "$NST1" status
say "moves OK"

# Persistence: restart the server, the library must look the same and
# drive 1 must have its tape again.
mtx -f "$CHG" status | tee "$W/before.txt"
logout
stop_nexusd
start_nexusd
login
mtx -f "$CHG" status > "$W/after.txt"
diff "$W/before.txt" "$W/after.txt"
wait_ready "$NST1"
mt -f "$NST1" offline
mtx -f "$CHG" unload 3 1
say "persistence OK"
logout
say "PASSED"
