# guest-passthrough-lib.sh - helpers sourced INSIDE the test VM by
# guest-passthrough-disk.sh and guest-passthrough-tape-library.sh (the
# pass-through handler's VM tests, issue #6). Not meant to be run by itself.
#
# Expects before sourcing: W (scratch dir in the guest), OUT (results dir,
# shared with the host), BUILD (nexus build tree).

t0=$(date +%s)
say() { printf '[vm %4ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }

# ------------------------------------------------------------ check results
# Every assertion is a named check; the run goes on after a failed check so
# one report lists them all. The guest script ends with `report_checks`.
declare -a CHECK_NAMES=() CHECK_RESULTS=()
pass() { CHECK_NAMES+=("$1"); CHECK_RESULTS+=("PASSED${2:+ ($2)}"); say "CHECK PASSED: $1${2:+ ($2)}"; }
fail() { CHECK_NAMES+=("$1"); CHECK_RESULTS+=("FAILED: $2"); say "CHECK FAILED: $1: $2"; }
# check NAME CMD...: passes when CMD exits 0.
check() {
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name" "'$*' exited $?"; fi
}
report_checks() {
  local i bad=0
  echo "================ checks ================"
  for i in "${!CHECK_NAMES[@]}"; do
    printf '%-60s %s\n' "${CHECK_NAMES[$i]}" "${CHECK_RESULTS[$i]}"
    case ${CHECK_RESULTS[$i]} in FAILED*) bad=$((bad + 1)) ;; esac
  done
  echo "========================================"
  [ "${#CHECK_NAMES[@]}" -gt 0 ] || { echo "no checks ran"; return 1; }
  [ "$bad" = 0 ] || { echo "$bad of ${#CHECK_NAMES[@]} checks FAILED"; return 1; }
  echo "all ${#CHECK_NAMES[@]} checks passed"
}

# ------------------------------------------------------------------ nexusd
NEXUSD_PID=
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# start_nexusd CONFIG LOG PORT: starts $BUILD/bin/nexusd, waits for the portal.
start_nexusd() {
  local cfg=$1 log=$2 port=$3
  "$BUILD/bin/nexusd" --config "$cfg" -p "$BUILD/lib/nexus" >>"$log" 2>&1 </dev/null &
  NEXUSD_PID=$!
  for _ in $(seq 600); do
    kill -0 "$NEXUSD_PID" 2>/dev/null || {
      wait "$NEXUSD_PID"; say "nexusd exited with status $? during start-up"; tail -n 30 "$log"
      NEXUSD_PID=; return 1
    }
    port_open 127.0.0.1 "$port" && { say "nexusd (pid $NEXUSD_PID) serves 127.0.0.1:$port"; return 0; }
    sleep 0.2
  done
  say "nexusd did not listen on 127.0.0.1:$port within 120 s"; tail -n 30 "$log"; return 1
}

nexusd_alive() { [ -n "$NEXUSD_PID" ] && kill -0 "$NEXUSD_PID" 2>/dev/null; }

# stop_nexusd: SIGTERM, SIGKILL after 60 s; fails unless it exited 0.
stop_nexusd() {
  [ -n "$NEXUSD_PID" ] || return 0
  local st=0
  kill -TERM "$NEXUSD_PID" 2>/dev/null
  for _ in $(seq 300); do kill -0 "$NEXUSD_PID" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$NEXUSD_PID" 2>/dev/null; then
    say "nexusd still running 60 s after SIGTERM: SIGKILL"; kill -KILL "$NEXUSD_PID"; st=137
  fi
  wait "$NEXUSD_PID" || st=$?
  NEXUSD_PID=
  return "$st"
}

# ------------------------------------------------------- open-iscsi, ifaces
# make_iface NAME INITIATOR_IQN: an open-iscsi iface (tcp) with its own
# initiator name, so one host logs into a target as several initiators
# (several I_T nexuses).
make_iface() {
  iscsiadm -m iface -I "$1" -o new >/dev/null
  iscsiadm -m iface -I "$1" -o update -n iface.transport_name -v tcp >/dev/null
  iscsiadm -m iface -I "$1" -o update -n iface.initiatorname -v "$2" >/dev/null
}

# login_as IFACE IQN PORTAL: discovery + login through IFACE.
login_as() {
  iscsiadm -m discovery -t sendtargets -p "$3" -I "$1" >/dev/null
  iscsiadm -m node -T "$2" -p "$3" -I "$1" --login >/dev/null
}
logout_all() { iscsiadm -m node --logoutall=all >/dev/null 2>&1 || true; }

# session_dir INITIATOR_IQN TARGET_IQN: the sysfs device directory of that
# logged-in session (…/hostH/sessionN), or nothing.
session_dir() {
  local s
  for s in /sys/class/iscsi_session/session*; do
    [ -e "$s" ] || continue
    [ "$(cat "$s/initiatorname" 2>/dev/null)" = "$1" ] || continue
    [ "$(cat "$s/targetname" 2>/dev/null)" = "$2" ] || continue
    readlink -f "$s/device"; return 0
  done
}

# lun_node INITIATOR_IQN TARGET_IQN LUN CLASS: /dev node of that LUN of that
# session; CLASS = sg | st (non-rewinding nst) | ch. Waits up to 60 s for the
# kernel's asynchronous scan.
lun_node() {
  local ini=$1 tgt=$2 lun=$3 cls=$4 sd d n
  for _ in $(seq 300); do
    sd=$(session_dir "$ini" "$tgt")
    if [ -n "$sd" ]; then
      for d in "$sd"/target*/*:*:*:"$lun"; do
        [ -d "$d" ] || continue
        case $cls in
          sg) n=$(ls "$d/scsi_generic" 2>/dev/null | head -1); [ -n "$n" ] && [ -c "/dev/$n" ] && { echo "/dev/$n"; return 0; } ;;
          st) n=$(ls "$d/scsi_tape" 2>/dev/null | grep -E '^st[0-9]+$' | head -1)
              [ -n "$n" ] && [ -c "/dev/n$n" ] && { echo "/dev/n$n"; return 0; } ;;
          ch) n=$(ls "$d/scsi_changer" 2>/dev/null | head -1); [ -n "$n" ] && [ -c "/dev/$n" ] && { echo "/dev/$n"; return 0; } ;;
        esac
      done
    fi
    sleep 0.2
  done
  say "no $cls node for LUN $lun of $ini -> $tgt"; return 1
}

# ------------------------------------------------------------------ sg_raw
# raw_status SG CDB-BYTES...: runs sg_raw, prints its output to $W/raw.txt and
# echoes the SCSI status as sg_raw names it ("Good", "Reservation Conflict",
# "Check Condition", ...).
raw_status() {
  local sg=$1; shift
  sg_raw -v "$sg" "$@" >"$W/raw.txt" 2>&1
  local st
  st=$(sed -n 's/^SCSI Status: \(.*\)$/\1/p' "$W/raw.txt" | head -1 | sed 's/ *$//')
  [ -n "$st" ] || { grep -q 'command completed' "$W/raw.txt" 2>/dev/null && st=Good; }
  echo "${st:-unknown}"
}

# sense_of SG: TEST UNIT READY on SG; prints sg_turs's verbose output (sense
# decoded) to stdout.
tur_verbose() { sg_turs -v "$1" 2>&1 || true; }

# drain_ua SG: TEST UNIT READY until no UNIT ATTENTION is reported (max 10).
drain_ua() {
  for _ in $(seq 10); do
    tur_verbose "$1" | grep -qi 'unit attention' || return 0
  done
}
