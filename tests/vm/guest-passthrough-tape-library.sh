#!/usr/bin/env bash
# guest-passthrough-tape-library.sh - runs INSIDE the test VM
# (passthrough-tape-library.sh boots the VM and calls this).
#
# A tape library the guest kernel sees as real hardware: tgtd exports an SSC
# drive (LUN 1) and an SMC changer (LUN 2, 4 slots, 3 cartridges) on
# 127.0.0.1:3261, the kernel's open-iscsi logs in (iface "nexus-backend")
# so they appear as /dev/sch*, /dev/nst*, /dev/sg*. nexusd passes both
# through (`handler: passthrough`: changer LUN 0, drive LUN 1) on
# 127.0.0.1:3260, and open-iscsi logs into nexusd as two initiators A and B
# (two ifaces, two initiator names), each getting its own sg/st/ch nodes.
# Checks:
#   - A and B both see the library (mtx status: slots, drive, barcodes);
#   - mtx load through A puts a cartridge into the drive, B's status shows it;
#     mtx unload through A puts it back, B's status shows that too;
#   - tar to A's drive, rewind, tar list + extract, compare;
#   - A's MODE SELECT (mt setblk 512) -> B's next command gets UNIT ATTENTION
#     MODE PARAMETERS CHANGED (2Ah/01h) (on B's sg node: st would eat it);
#   - A's RESERVE(6) on the drive -> B's TEST UNIT READY and READ(6) get
#     RESERVATION CONFLICT, while a third initiator C logged straight into
#     tgtd is not refused (the reservation never reached the device);
#     after A's RELEASE(6) B works again.
#
# Options: --build DIR (nexus build tree), --out DIR (logs, shared with the
# host), --direct (harness self-check: A and B log straight into tgtd, no
# nexusd; the "never reached the device" check is skipped).
set -uo pipefail

BUILD=build OUT=$PWD direct=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --direct) direct=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=/tmp/pt-vtl
VTL=$W/vtl
mkdir -p "$W/state" "$VTL" "$OUT"
# shellcheck source=guest-passthrough-lib.sh
source "$here/guest-passthrough-lib.sh"

TGT_IQN=iqn.2026-11.io.nexus:tgtd-vtl   # the "hardware"
TGT_PORTAL=127.0.0.1:3261
NX_IQN=iqn.2026-11.io.nexus:pt-vtl      # nexusd
NX_PORTAL=127.0.0.1:3260
INIT_T=iqn.2026-11.io.nexus:nexusd-backend
INIT_A=iqn.2026-11.io.nexus:pt-init-a
INIT_B=iqn.2026-11.io.nexus:pt-init-b
INIT_C=iqn.2026-11.io.nexus:tgtd-direct-c
TGTD_PID=

stop_tgtd() {
  [ -n "$TGTD_PID" ] || return 0
  # tgtd ignores SIGTERM: remove the target, then the system.
  tgtadm --lld iscsi --op delete --force --mode target --tid 1 >/dev/null 2>&1 || true
  tgtadm --op delete --mode system >/dev/null 2>&1 || true
  for _ in $(seq 100); do kill -0 "$TGTD_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$TGTD_PID" 2>/dev/null && kill -KILL "$TGTD_PID"
  wait "$TGTD_PID" 2>/dev/null
  TGTD_PID=
}
cleanup() {
  # Initiators of nexusd first, then nexusd, then its own path to tgtd.
  for i in ifA ifB; do iscsiadm -m node -I "$i" --logout >/dev/null 2>&1; done
  stop_nexusd || true
  logout_all
  stop_tgtd
}
trap cleanup EXIT

modprobe -a sg st ch iscsi_tcp

# ------------------------------------------------ the "hardware": tgtd VTL
dd if=/dev/zero of="$VTL/smc" bs=1k count=1 status=none
for t in TAPE0001 TAPE0002 TAPE0003; do
  tgtimg --op new --device-type tape --barcode "$t" --size 64 --type data --file "$VTL/$t" >/dev/null
done
tgtd -f --iscsi "portal=$TGT_PORTAL" >"$OUT/tgtd.log" 2>&1 &
TGTD_PID=$!
for _ in $(seq 100); do tgtadm --op show --mode sys >/dev/null 2>&1 && break; sleep 0.1; done
tga() { tgtadm --lld iscsi "$@"; }
lu() { tga --op update --mode logicalunit --tid 1 "$@"; }
tga --op new --mode target --tid 1 -T "$TGT_IQN"
tga --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$VTL/TAPE0001" --device-type tape
lu --lun 1 --params vendor_id=HP,product_id=Ultrium-3,product_rev=D21W,scsi_sn=TAPEDRV01,removable=1,online=0
tga --op new --mode logicalunit --tid 1 --lun 2 --backing-store "$VTL/smc" --device-type changer
lu --lun 2 --params vendor_id=STK,product_id=L700,product_rev=0010,scsi_sn=CHANGER01,removable=1
lu --lun 2 --params media_home="$VTL"
lu --lun 2 --params element_type=4,start_address=1,quantity=1        # drive
lu --lun 2 --params element_type=4,address=1,tid=1,lun=1
lu --lun 2 --params element_type=1,start_address=16,quantity=1       # picker
lu --lun 2 --params element_type=2,start_address=1024,quantity=4     # slots
a=1024
for t in TAPE0001 TAPE0002 TAPE0003; do
  lu --lun 2 --params element_type=2,address=$a,barcode=$t,sides=1
  a=$((a + 1))
done
tga --op bind --mode target --tid 1 -I ALL
say "tgtd VTL on $TGT_PORTAL"

iscsid
make_iface ifT "$INIT_T"
make_iface ifC "$INIT_C"
make_iface ifA "$INIT_A"
make_iface ifB "$INIT_B"
iscsiadm -m discovery -t sendtargets -p "$TGT_PORTAL" -I ifT -I ifC -I ifA -I ifB >/dev/null
iscsiadm -m node -T "$TGT_IQN" -p "$TGT_PORTAL" -I ifT --login >/dev/null
T_SG_ST=$(lun_node "$INIT_T" "$TGT_IQN" 1 sg) && T_ST=$(lun_node "$INIT_T" "$TGT_IQN" 1 st) &&
  T_CH=$(lun_node "$INIT_T" "$TGT_IQN" 2 ch) && T_SG_CH=$(lun_node "$INIT_T" "$TGT_IQN" 2 sg) ||
  { fail "kernel sees tgtd's library" "device nodes missing"; lsscsi -g; report_checks; exit 1; }
pass "kernel sees tgtd's library as hardware" "changer $T_CH ($T_SG_CH), drive $T_ST ($T_SG_ST)"

# ------------------------------------------------------- nexusd on top
if [ "$direct" = 0 ]; then
  # By the kernel's names: the handler resolves /dev/sch* and /dev/nst* to
  # their sg nodes.
  cat >"$W/nexus.yaml" <<EOF
server:
  state_dir: $W/state
  log_level: info
  reactors: 2
  shutdown_grace: 2s
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: changer0
    handler: passthrough
    options: {path: $T_CH, timeout: 300s}
  - name: drive0
    handler: passthrough
    options: {path: $T_ST, timeout: 300s, long_timeout: 1h}
targets:
  - name: $NX_IQN
    alias: pt-vtl
    transport: iscsi
    portals: ["$NX_PORTAL"]
    luns:
      - {lun: 0, device: changer0}
      - {lun: 1, device: drive0}
EOF
  cat "$W/nexus.yaml"
  start_nexusd "$W/nexus.yaml" "$OUT/nexusd.log" "${NX_PORTAL#*:}" ||
    { fail "nexusd starts" "see $OUT/nexusd.log"; report_checks; exit 1; }
  LUN_CH=0 LUN_ST=1
  iscsiadm -m discovery -t sendtargets -p "$NX_PORTAL" -I ifA -I ifB >/dev/null
else
  say "--direct: A and B log straight into tgtd (harness self-check)"
  NX_IQN=$TGT_IQN NX_PORTAL=$TGT_PORTAL LUN_CH=2 LUN_ST=1
fi

iscsiadm -m node -T "$NX_IQN" -p "$NX_PORTAL" -I ifA --login >/dev/null
iscsiadm -m node -T "$NX_IQN" -p "$NX_PORTAL" -I ifB --login >/dev/null
for x in A B; do
  ini=INIT_$x
  eval "${x}_SG_CH=\$(lun_node \"${!ini}\" \"$NX_IQN\" $LUN_CH sg)"
  eval "${x}_CH=\$(lun_node \"${!ini}\" \"$NX_IQN\" $LUN_CH ch)"
  eval "${x}_SG_ST=\$(lun_node \"${!ini}\" \"$NX_IQN\" $LUN_ST sg)"
  eval "${x}_ST=\$(lun_node \"${!ini}\" \"$NX_IQN\" $LUN_ST st)"
done
lsscsi -g
if [ -z "$A_SG_CH" ] || [ -z "$A_SG_ST" ] || [ -z "$A_ST" ] ||
   [ -z "$B_SG_CH" ] || [ -z "$B_SG_ST" ] || [ -z "$B_ST" ]; then
  fail "A and B log in and get changer + drive nodes" \
    "A: ch $A_CH/$A_SG_CH st $A_ST/$A_SG_ST; B: ch $B_CH/$B_SG_CH st $B_ST/$B_SG_ST"
  report_checks; exit 1
fi
pass "A and B log in and get changer + drive nodes" \
  "A: $A_CH $A_SG_CH $A_ST $A_SG_ST; B: $B_CH $B_SG_CH $B_ST $B_SG_ST"
for s in "$A_SG_CH" "$A_SG_ST"; do sg_inq "$s" | grep -E 'Peripheral device type|identification|serial' || true; done

# -------------------------------------------------- both see the library
mtx_status() { mtx -f "$1" status 2>&1 | tee "$W/status.txt"; }
for x in A B; do
  v=${x}_SG_CH
  mtx_status "${!v}" >"$W/status_$x.txt"
  if grep -q 'Data Transfer Element 0:Empty' "$W/status_$x.txt" &&
     grep -Eq 'Storage Element 1:Full *:VolumeTag *= *TAPE0001' "$W/status_$x.txt" &&
     grep -Eq 'Storage Element 3:Full *:VolumeTag *= *TAPE0003' "$W/status_$x.txt" &&
     grep -q 'Storage Element 4:Empty' "$W/status_$x.txt"; then
    pass "$x: mtx status lists the drive and 4 slots"
  else
    fail "$x: mtx status lists the drive and 4 slots" "$(tr '\n' ' ' <"$W/status_$x.txt")"
  fi
done
cat "$W/status_A.txt"

# ------------------------------------------------------ load through A
wait_ready() { for _ in $(seq 100); do mt -f "$1" status >/dev/null 2>&1 && return 0; sleep 0.3; done; return 1; }
if mtx -f "$A_SG_CH" load 1 0 >"$W/load.txt" 2>&1; then
  mtx_status "$B_SG_CH" >"$W/status_B.txt"
  if grep -Eq 'Data Transfer Element 0:Full \(Storage Element 1 Loaded\):VolumeTag *= *TAPE0001' "$W/status_B.txt" &&
     grep -q 'Storage Element 1:Empty' "$W/status_B.txt"; then
    pass "mtx load 1 0 through A; B's status shows TAPE0001 in the drive"
  else
    fail "mtx load 1 0 through A; B's status shows TAPE0001 in the drive" "$(tr '\n' ' ' <"$W/status_B.txt")"
  fi
else
  fail "mtx load 1 0 through A; B's status shows TAPE0001 in the drive" "mtx load: $(tr '\n' ' ' <"$W/load.txt")"
fi

# ------------------------------------------------------ tar through A
mkdir -p "$W/src" "$W/dst"
printf 'hello tape through nexus\n' >"$W/src/a.txt"
seq 1 30000 >"$W/src/b.txt"
head -c 300000 /dev/urandom >"$W/src/c.bin"
if wait_ready "$A_ST" && mt -f "$A_ST" status && mt -f "$A_ST" rewind &&
   tar -C "$W/src" -cf "$A_ST" a.txt b.txt c.bin && mt -f "$A_ST" rewind &&
   tar -tvf "$A_ST" && mt -f "$A_ST" rewind && tar -C "$W/dst" -xf "$A_ST" &&
   diff -r "$W/src" "$W/dst"; then
  pass "tar to A's drive and back through nexusd, files identical"
else
  fail "tar to A's drive and back through nexusd, files identical" "see the output above"
  dmesg | grep -iE 'st[0-9]|sg[0-9]' | tail -n 10
fi

# --------------------------------------- A's MODE SELECT -> UA for B
drain_ua "$B_SG_ST"; drain_ua "$A_SG_ST"
if mt -f "$A_ST" setblk 512; then
  pass "A: mt setblk 512 (MODE SELECT block descriptor)"
  tur_verbose "$B_SG_ST" >"$W/turB.txt"
  tur_verbose "$A_SG_ST" >"$W/turA.txt"
  cat "$W/turB.txt"
  if grep -qi 'mode parameters changed' "$W/turB.txt"; then
    pass "B: UNIT ATTENTION MODE PARAMETERS CHANGED after A's MODE SELECT"
  else
    fail "B: UNIT ATTENTION MODE PARAMETERS CHANGED after A's MODE SELECT" "B's TUR: $(tr '\n' ' ' <"$W/turB.txt")"
  fi
  if grep -qi 'mode parameters changed' "$W/turA.txt"; then
    fail "A: no MODE PARAMETERS CHANGED for the MODE SELECT's own nexus" "A's TUR: $(tr '\n' ' ' <"$W/turA.txt")"
  else
    pass "A: no MODE PARAMETERS CHANGED for the MODE SELECT's own nexus"
  fi
  # B's view of the block size follows A's change (MODE SENSE on B).
  if mt -f "$B_ST" status 2>&1 | tee "$W/mtB.txt" | grep -qiE 'block size 512'; then
    pass "B: mt status shows block size 512"
  else
    fail "B: mt status shows block size 512" "$(tr '\n' ' ' <"$W/mtB.txt")"
  fi
  mt -f "$A_ST" setblk 0 || say "mt setblk 0 failed"
  drain_ua "$B_SG_ST"; drain_ua "$A_SG_ST"
else
  fail "A: mt setblk 512 (MODE SELECT block descriptor)" "mt exited $?"
fi

# ------------------------------- A's RESERVE(6): B refused, tgtd untouched
if [ "$direct" = 0 ]; then
  iscsiadm -m node -T "$TGT_IQN" -p "$TGT_PORTAL" -I ifC --login >/dev/null
  C_SG_ST=$(lun_node "$INIT_C" "$TGT_IQN" 1 sg) || C_SG_ST=
  [ -n "$C_SG_ST" ] && drain_ua "$C_SG_ST"
fi
st=$(raw_status "$A_SG_ST" 16 00 00 00 00 00)
[ "$st" = Good ] && pass "A: RESERVE(6) on the drive" || fail "A: RESERVE(6) on the drive" "status $st: $(tr '\n' ' ' <"$W/raw.txt")"
st=$(raw_status "$B_SG_ST" 00 00 00 00 00 00)
[ "$st" = "Reservation Conflict" ] && pass "B: TEST UNIT READY -> RESERVATION CONFLICT" ||
  fail "B: TEST UNIT READY -> RESERVATION CONFLICT" "status $st: $(tr '\n' ' ' <"$W/raw.txt")"
st=$(raw_status "$B_SG_ST" 08 00 00 00 00 00)   # READ(6), variable, 0 bytes
[ "$st" = "Reservation Conflict" ] && pass "B: READ(6) -> RESERVATION CONFLICT" ||
  fail "B: READ(6) -> RESERVATION CONFLICT" "status $st: $(tr '\n' ' ' <"$W/raw.txt")"
if mt -f "$B_ST" status >"$W/mtB.txt" 2>&1; then
  fail "B: mt status refused while A holds the reservation" "mt succeeded: $(tr '\n' ' ' <"$W/mtB.txt")"
else
  pass "B: mt status refused while A holds the reservation"
fi
st=$(raw_status "$A_SG_ST" 00 00 00 00 00 00)
[ "$st" = Good ] && pass "A: TEST UNIT READY still works for the holder" || fail "A: TEST UNIT READY still works for the holder" "status $st"
if [ "$direct" = 0 ]; then
  if [ -z "$C_SG_ST" ]; then
    fail "tgtd holds no reservation (initiator C straight to tgtd)" "C's drive node missing"
  else
    st=$(raw_status "$C_SG_ST" 00 00 00 00 00 00)
    if [ "$st" != "Reservation Conflict" ] && [ "$st" != unknown ]; then
      pass "tgtd holds no reservation (initiator C straight to tgtd)" "C's TUR: $st"
    else
      fail "tgtd holds no reservation (initiator C straight to tgtd)" "C's TUR: $st: $(tr '\n' ' ' <"$W/raw.txt")"
    fi
  fi
  iscsiadm -m node -T "$TGT_IQN" -p "$TGT_PORTAL" -I ifC --logout >/dev/null 2>&1
fi
st=$(raw_status "$A_SG_ST" 17 00 00 00 00 00)
[ "$st" = Good ] && pass "A: RELEASE(6)" || fail "A: RELEASE(6)" "status $st"
drain_ua "$B_SG_ST"
st=$(raw_status "$B_SG_ST" 00 00 00 00 00 00)
[ "$st" = Good ] && pass "B: TEST UNIT READY works after A's RELEASE" ||
  fail "B: TEST UNIT READY works after A's RELEASE" "status $st: $(tr '\n' ' ' <"$W/raw.txt")"

# ------------------------------------------------------ unload through A
mt -f "$A_ST" rewind >/dev/null 2>&1
mt -f "$A_ST" offline >/dev/null 2>&1 || true
if mtx -f "$A_SG_CH" unload 1 0 >"$W/unload.txt" 2>&1; then
  mtx_status "$B_SG_CH" >"$W/status_B.txt"
  if grep -q 'Data Transfer Element 0:Empty' "$W/status_B.txt" &&
     grep -Eq 'Storage Element 1:Full *:VolumeTag *= *TAPE0001' "$W/status_B.txt"; then
    pass "mtx unload 1 0 through A; B's status shows TAPE0001 back in slot 1"
  else
    fail "mtx unload 1 0 through A; B's status shows TAPE0001 back in slot 1" "$(tr '\n' ' ' <"$W/status_B.txt")"
  fi
else
  fail "mtx unload 1 0 through A; B's status shows TAPE0001 back in slot 1" "$(tr '\n' ' ' <"$W/unload.txt")"
fi
# B can move media too (the library is shared, not owned by A).
if mtx -f "$B_SG_CH" transfer 2 4 >"$W/transfer.txt" 2>&1 &&
   mtx_status "$A_SG_CH" | grep -Eq 'Storage Element 4:Full *:VolumeTag *= *TAPE0002'; then
  pass "mtx transfer 2 4 through B; A's status shows it"
else
  fail "mtx transfer 2 4 through B; A's status shows it" "$(tr '\n' ' ' <"$W/transfer.txt")"
fi

# ---------------------------------------------------------------- finish
for i in ifA ifB; do iscsiadm -m node -T "$NX_IQN" -p "$NX_PORTAL" -I "$i" --logout >/dev/null 2>&1; done
if [ "$direct" = 0 ]; then
  check "nexusd alive at the end" nexusd_alive
  if stop_nexusd; then pass "nexusd exits 0 on SIGTERM"; else fail "nexusd exits 0 on SIGTERM" "status $?"; fi
  grep -iE '\b(warn|error|critical)\b' "$OUT/nexusd.log" | tail -n 20 || true
fi
trap - EXIT
cleanup
report_checks
