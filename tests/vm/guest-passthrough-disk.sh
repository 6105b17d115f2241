#!/usr/bin/env bash
# guest-passthrough-disk.sh - runs INSIDE the test VM (passthrough-disk.sh
# boots the VM and calls this). A scsi_debug disk, seen by the guest kernel
# as real hardware (/dev/sgN, no sd driver bound), is exported by nexusd with
# the `passthrough` handler on 127.0.0.1:3260 and checked from two initiators:
#   1. libiscsi iscsi-test-cu (two initiator names) on the Reserve6, PR
#      IN/OUT, MultipathIO (UA after a LU reset seen on both paths), iSCSITMF
#      and basic Inquiry/TUR/Read10/Write10/RSOC suites, against the
#      expected-pass list of the disk handler restricted to those suites;
#   2. open-iscsi logged in twice (ifaces with different initiator names):
#      A's RESERVE(6) makes B's WRITE(10) fail with RESERVATION CONFLICT and
#      scsi_debug's command counter (iorequest_cnt) does not move, B's data
#      never lands; after A's RELEASE(6) B's WRITE works;
#   3. A's MODE SELECT (control page written back unchanged) gives B a
#      UNIT ATTENTION, MODE PARAMETERS CHANGED (2Ah/01h).
#
# Options: --build DIR (nexus build tree), --out DIR (logs, shared with the
# host), --handler passthrough|disk (disk = nexus's own file-backed disk in
# place of the pass-through, to check the harness itself), --tests LIST
# (iscsi-test-cu selections; "all" = every suite, checked against the whole
# expected-pass.txt of the disk handler), --suite-timeout S, --deadline S,
# --log-level LEVEL (nexusd's, default info).
set -uo pipefail

BUILD=build OUT=$PWD handler=passthrough suite_tmo=900 deadline=3600 log_level=info
tests=SCSI.Inquiry,SCSI.TestUnitReady,SCSI.Read10,SCSI.Write10,SCSI.ReportSupportedOpcodes
tests+=,SCSI.Reserve6,SCSI.PrinReadKeys,SCSI.PrinServiceactionRange,SCSI.PrinReportCapabilities
tests+=,SCSI.ProutRegister,SCSI.ProutReserve,SCSI.ProutClear,SCSI.ProutPreempt
tests+=,SCSI.MultipathIO,iSCSI.iSCSITMF
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --handler) handler=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --suite-timeout) suite_tmo=$2; shift 2 ;;
    --deadline) deadline=$2; shift 2 ;;
    --log-level) log_level=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conf=$here/../conformance
W=/tmp/pt-disk
mkdir -p "$W/state" "$OUT"
# shellcheck source=guest-passthrough-lib.sh
source "$here/guest-passthrough-lib.sh"

IQN=iqn.2026-11.io.nexus:pt-disk
PORT=3260
INIT_A=iqn.2026-11.io.nexus:pt-init-a
INIT_B=iqn.2026-11.io.nexus:pt-init-b

cleanup() {
  logout_all
  stop_nexusd || true
}
trap cleanup EXIT

# ---------------------------------------------------------- backing device
modprobe -a sg iscsi_tcp
# sd_mod is deliberately not loaded: nothing but nexusd talks to the disk, so
# its command counter counts exactly what nexusd forwarded.
# lbpu=1: thin-provisioned, so the Block Limits VPD test is not skipped.
modprobe scsi_debug dev_size_mb=64 lbpu=1
BACK_SG=
for _ in $(seq 100); do
  BACK_SG=$(lsscsi -g | awk '/scsi_debug/ {print $NF; exit}')
  [ -c "$BACK_SG" ] && break; sleep 0.1
done
lsscsi -g
[ -c "$BACK_SG" ] || { say "no scsi_debug sg node"; exit 1; }
CNT=/sys/class/scsi_generic/${BACK_SG#/dev/}/device/iorequest_cnt
sg_turs "$BACK_SG" >/dev/null 2>&1 || true   # consume scsi_debug's power-on UA
say "scsi_debug disk at $BACK_SG ($(sg_readcap "$BACK_SG" 2>/dev/null | grep -i 'device size' | head -1))"
dev_counter() { echo $(( $(cat "$CNT") )); }

if [ "$handler" = passthrough ]; then
  devopts="{path: $BACK_SG, timeout: 120s}"
else
  devopts="{backend: file, path: $W/disk.img, create: true, size: 64M}"
fi
cat >"$W/nexus.yaml" <<EOF
server:
  state_dir: $W/state
  log_level: $log_level
  reactors: 2
  shutdown_grace: 2s
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: pt0
    handler: $handler
    options: $devopts
targets:
  - name: $IQN
    alias: pt-disk
    transport: iscsi
    portals: ["127.0.0.1:$PORT"]
    luns:
      - {lun: 0, device: pt0}
EOF
cat "$W/nexus.yaml"
start_nexusd "$W/nexus.yaml" "$OUT/nexusd.log" "$PORT" || { report_checks; exit 1; }
sg_inq "$BACK_SG" | grep -E 'identification|revision' || true
iscsi-inq "iscsi://127.0.0.1:$PORT/$IQN/0" | grep -Ei 'vendor|product|peripheral' || true

# ------------------------------------------------------ 1. iscsi-test-cu
# The disk handler's expected-pass list, restricted to the selected suites.
# --tests all: every SCSI.* and iSCSI.* suite against the whole list.
# SCSI.GetLBAStatus.BeyondEol is never run: GET LBA STATUS at LBA 2^64-1
# oopses scsi_debug (resp_get_lba_status, kernel 6.1: lba + 1 wraps in its
# range check) and the command never completes.
if [ "$tests" = all ]; then
  tests=$(iscsi-test-cu --list 2>/dev/null | grep -E '^(SCSI|iSCSI)\.[^.]+$' |
          sed 's/^SCSI\.GetLBAStatus$/SCSI.GetLBAStatus.Simple/' | paste -sd, -)
  grep -vE '^\s*(#|$)|^SCSI\.GetLBAStatus\.BeyondEol' "$conf/expected-pass.txt" >"$W/expected.txt"
else
  pat=$(echo "$tests" | sed 's/,/\\.|^/g; s/^/^/; s/$/\\./')
  grep -E "$pat" "$conf/expected-pass.txt" >"$W/expected.txt" || true
fi
say "iscsi-test-cu: $tests ($(wc -l <"$W/expected.txt") tests expected to pass)"
itc_start=$SECONDS
bash "$conf/run-iscsi-test-cu.sh" --url "iscsi://127.0.0.1:$PORT/$IQN/0" \
  --tests "$tests" --expected "$W/expected.txt" --out "$OUT/itc" \
  --suite-timeout "$suite_tmo" --deadline "$deadline" --label "passthrough(scsi_debug)"
itc_rc=$?
say "iscsi-test-cu took $((SECONDS - itc_start)) s (log: $OUT/itc/iscsi-test-cu.txt)"
if [ "$itc_rc" = 0 ]; then
  pass "iscsi-test-cu expected tests pass" "$(tail -1 "$OUT/itc/summary.txt")"
else
  fail "iscsi-test-cu expected tests pass" "$(grep -A40 'EXPECTED TO PASS' "$OUT/itc/summary.txt" | sed -n '2,40p' | grep -E '^  ' | tr -s ' ' | paste -sd';' -)"
fi
check "nexusd alive after iscsi-test-cu" nexusd_alive
nexusd_alive || { tail -n 40 "$OUT/nexusd.log"; report_checks; exit 1; }

# ------------------------------------------- 2. RESERVE(6) never forwarded
iscsid
make_iface ifA "$INIT_A"
make_iface ifB "$INIT_B"
iscsiadm -m discovery -t sendtargets -p "127.0.0.1:$PORT" -I ifA -I ifB >/dev/null
iscsiadm -m node -T "$IQN" -p "127.0.0.1:$PORT" -I ifA --login >/dev/null
iscsiadm -m node -T "$IQN" -p "127.0.0.1:$PORT" -I ifB --login >/dev/null
SG_A=$(lun_node "$INIT_A" "$IQN" 0 sg) && SG_B=$(lun_node "$INIT_B" "$IQN" 0 sg)
lsscsi -g
if [ -z "${SG_A:-}" ] || [ -z "${SG_B:-}" ]; then
  fail "two kernel initiators logged in" "no sg nodes (A=${SG_A:-} B=${SG_B:-})"
  report_checks; exit 1
fi
say "initiator A: $SG_A, initiator B: $SG_B"
drain_ua "$SG_A"; drain_ua "$SG_B"

# 512 bytes of a pattern B tries to write to LBA 100; the LBA gets zeros first.
head -c 512 /dev/zero >"$W/zero.bin"
printf 'B-was-here-%0501d' 0 >"$W/pattern.bin"
st=$(raw_status "$SG_A" -s 512 -i "$W/zero.bin" 2a 00 00 00 00 64 00 00 01 00)
[ "$st" = Good ] || fail "A writes LBA 100" "status $st"

st=$(raw_status "$SG_A" 16 00 00 00 00 00)
[ "$st" = Good ] && pass "A: RESERVE(6)" || fail "A: RESERVE(6)" "status $st"
c0=$(dev_counter)
conflicts=0
for _ in 1 2 3 4 5; do
  st=$(raw_status "$SG_B" -s 512 -i "$W/pattern.bin" 2a 00 00 00 00 64 00 00 01 00)
  [ "$st" = "Reservation Conflict" ] && conflicts=$((conflicts + 1))
done
st_tur=$(raw_status "$SG_B" 00 00 00 00 00 00)
c1=$(dev_counter)
[ "$conflicts" = 5 ] && pass "B: WRITE(10) under A's RESERVE -> RESERVATION CONFLICT" \
  || fail "B: WRITE(10) under A's RESERVE -> RESERVATION CONFLICT" "$conflicts of 5 conflicts, last: $(cat "$W/raw.txt" | tr '\n' ' ')"
[ "$st_tur" = "Reservation Conflict" ] && pass "B: TEST UNIT READY under A's RESERVE -> RESERVATION CONFLICT" \
  || fail "B: TEST UNIT READY under A's RESERVE -> RESERVATION CONFLICT" "status $st_tur"
# A's own READ must still reach the device: proves the counter counts.
st=$(raw_status "$SG_A" -r 512 -o "$W/lba100.bin" 28 00 00 00 00 64 00 00 01 00)
c2=$(dev_counter)
say "scsi_debug iorequest_cnt: $c0 before B's 6 commands, $c1 after, $c2 after A's READ"
if [ "$handler" != passthrough ]; then
  say "(--handler $handler: device counter check skipped)"
elif [ "$c1" = "$c0" ] && [ "$c2" -gt "$c1" ]; then
  pass "scsi_debug never saw B's conflicting commands" "iorequest_cnt $c0 -> $c1, A's READ -> $c2"
else
  fail "scsi_debug never saw B's conflicting commands" "iorequest_cnt $c0 -> $c1 during B's 6 refused commands, $c2 after A's READ"
fi
if [ "$st" = Good ] && cmp -s "$W/lba100.bin" "$W/zero.bin"; then
  pass "B's refused WRITE did not land on the device"
else
  fail "B's refused WRITE did not land on the device" "A's READ status $st, data $(head -c 16 "$W/lba100.bin" | od -An -c | tr -s ' ')"
fi
st=$(raw_status "$SG_A" 17 00 00 00 00 00)
[ "$st" = Good ] && pass "A: RELEASE(6)" || fail "A: RELEASE(6)" "status $st"
st=$(raw_status "$SG_B" -s 512 -i "$W/pattern.bin" 2a 00 00 00 00 64 00 00 01 00)
st2=$(raw_status "$SG_A" -r 512 -o "$W/lba100.bin" 28 00 00 00 00 64 00 00 01 00)
if [ "$st" = Good ] && [ "$st2" = Good ] && cmp -s "$W/lba100.bin" "$W/pattern.bin"; then
  pass "after RELEASE: B's WRITE works, A reads B's data"
else
  fail "after RELEASE: B's WRITE works, A reads B's data" "B WRITE $st, A READ $st2"
fi

# ---------------------------------------- 3. MODE SELECT -> UA for others
# A changeable bit of the control mode page (0Ah) toggled through A: every
# other nexus must then get MODE PARAMETERS CHANGED (2Ah/01h), A must not
# (SPC-4 5.14 / 6.11: only a MODE SELECT that changes a value raises it).
# The bit is restored afterwards.
mode_select_ctrl() { # SG FILE: MODE SELECT(6), PF=1
  local len
  len=$(stat -c %s "$2")
  raw_status "$1" -s "$len" -i "$2" 15 10 00 00 "$(printf %02x "$len")" 00
}
drain_ua "$SG_A"; drain_ua "$SG_B"
st=$(raw_status "$SG_A" -r 252 -o "$W/ms_cur.bin" 1a 08 0a 00 fc 00)
st_ch=$(raw_status "$SG_A" -r 252 -o "$W/ms_chg.bin" 1a 08 4a 00 fc 00)
if [ "$st" = Good ] && [ "$st_ch" = Good ] &&
   python3 - "$W/ms_cur.bin" "$W/ms_chg.bin" "$W/msel_toggle.bin" "$W/msel_restore.bin" <<'PY'
import sys
def page(path):
    d = open(path, 'rb').read()
    p = bytearray(d[4 + d[3]:d[0] + 1])   # after header + block descriptors
    if len(p) < 2 or p[0] & 0x3f != 0x0a:
        sys.exit('no control page in MODE SENSE data: %s' % d.hex())
    p[0] &= 0x3f                           # PS is reserved in MODE SELECT
    return p[:2 + p[1]]
cur, chg = page(sys.argv[1]), page(sys.argv[2])
# Prefer bits that change nothing the test relies on: not D_SENSE (byte 2
# bit 2, sense format), not SWP (byte 4 bit 3, write protect).
avoid = {(2, 0x04), (4, 0x08)}
for i in range(2, min(len(cur), len(chg))):
    for b in (0x02, 0x01, 0x10, 0x20, 0x40, 0x80, 0x08, 0x04):
        if chg[i] & b and (i, b) not in avoid:
            t = bytearray(cur); t[i] ^= b
            open(sys.argv[3], 'wb').write(bytes(4) + bytes(t))
            open(sys.argv[4], 'wb').write(bytes(4) + bytes(cur))
            print('toggling control page byte %d bit 0x%02x' % (i, b))
            sys.exit(0)
sys.exit('no changeable bit in the control page: changeable %s' % chg.hex())
PY
then
  st=$(mode_select_ctrl "$SG_A" "$W/msel_toggle.bin")
  if [ "$st" = Good ]; then
    pass "A: MODE SELECT(6) control page"
    tur_verbose "$SG_B" >"$W/turB.txt"
    tur_verbose "$SG_A" >"$W/turA.txt"
    cat "$W/turB.txt"
    if grep -qi 'mode parameters changed' "$W/turB.txt"; then
      pass "B: UNIT ATTENTION MODE PARAMETERS CHANGED after A's MODE SELECT"
    else
      fail "B: UNIT ATTENTION MODE PARAMETERS CHANGED after A's MODE SELECT" "B's TUR: $(tr '\n' ' ' <"$W/turB.txt")"
    fi
    # scsi_debug raises this UA for its one nexus (nexusd) too; forwarded
    # as-is it would reach A as well.
    if grep -qi 'mode parameters changed' "$W/turA.txt"; then
      fail "A: no MODE PARAMETERS CHANGED for the MODE SELECT's own nexus" "A's TUR: $(tr '\n' ' ' <"$W/turA.txt")"
    else
      pass "A: no MODE PARAMETERS CHANGED for the MODE SELECT's own nexus"
    fi
    st=$(mode_select_ctrl "$SG_A" "$W/msel_restore.bin")
    [ "$st" = Good ] || say "restoring the control page failed: status $st"
    drain_ua "$SG_A"; drain_ua "$SG_B"
  else
    fail "A: MODE SELECT(6) control page" "status $st: $(tr '\n' ' ' <"$W/raw.txt")"
  fi
else
  fail "A: MODE SENSE(6) control page (current + changeable)" "status $st / $st_ch"
fi

logout_all
check "nexusd alive at the end" nexusd_alive
if stop_nexusd; then pass "nexusd exits 0 on SIGTERM"; else fail "nexusd exits 0 on SIGTERM" "status $?"; fi
grep -iE '\b(error|critical)\b' "$OUT/nexusd.log" | tail -n 20 || true
trap - EXIT
report_checks
