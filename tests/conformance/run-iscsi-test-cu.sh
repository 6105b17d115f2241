#!/usr/bin/env bash
# run-iscsi-test-cu.sh - libiscsi conformance suite (iscsi-test-cu, Debian
# package libiscsi-bin) against nexusd, checked against expected-pass.txt.
#
#   tests/conformance/run-iscsi-test-cu.sh BUILD_DIR [options]
#   tests/conformance/run-iscsi-test-cu.sh --url URL [options]
#
# Without --url: starts BUILD_DIR/bin/nexusd on nexus-conformance.yaml
# (127.0.0.1:PORT, a file-backed disk in a fresh temporary directory), waits
# for the portal, runs the suites, stops nexusd (SIGTERM, then SIGKILL).
# With --url iscsi://HOST:PORT/IQN/LUN: tests an already running target
# (e.g. tgtd from ../shared/peer/peer-tgt.sh) and starts nothing.
#
# Each suite (SCSI.Read10, iSCSI.iSCSITMF, ...) runs in its own iscsi-test-cu
# process under `timeout`, so one hang cannot take the rest with it and no
# state leaks from one suite into the next (the CompareAndWrite suite leaves a
# hook behind that corrupts later 16-byte CDBs when run together).
# If nexusd dies during a suite the run fails and nexusd is restarted for
# the remaining suites, so the summary still covers everything.
#
# Options:
#   --url URL             test this target instead of starting nexusd
#   --expected FILE       tests that must pass       (default: expected-pass.txt here)
#   --tests LIST          comma-separated FAMILY.SUITE[.TEST] selections
#                         (default: every SCSI.* and iSCSI.* suite)
#   --out DIR             logs and results            (default: a new temp dir)
#   --port N              nexusd portal port           (default 3270)
#   --lun N               LUN to test on nexusd        (default 0)
#   --config FILE         nexusd config template       (default: nexus-conformance.yaml here;
#                         @WORK@ and @PORT@ are replaced)
#   --suite-timeout S     per-suite time limit         (default 300)
#   --deadline S          overall time limit; later suites count as not run (default 1500)
#   --init1 IQN --init2 IQN   initiator names          (default iqn.2026-11.io.nexus:test-init{1,2})
#   --label NAME          name in the summary line     (default nexusd, or the URL's target)
#   --write-passed FILE   write the names of all passing tests (to seed expected-pass.txt)
# Exit status: 0 when every expected test passed, nexusd never died and it
# exited with status 0 on SIGTERM at the end (clean shutdown).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

build='' url='' expected=$here/expected-pass.txt tests='' out='' port=3270 lun=0
config=$here/nexus-conformance.yaml suite_tmo=300 deadline=1500
init1=iqn.2026-11.io.nexus:test-init1 init2=iqn.2026-11.io.nexus:test-init2
label='' write_passed=''
while [ $# -gt 0 ]; do
  case $1 in
    --url) url=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --lun) lun=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --suite-timeout) suite_tmo=$2; shift 2 ;;
    --deadline) deadline=$2; shift 2 ;;
    --init1) init1=$2; shift 2 ;;
    --init2) init2=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --write-passed) write_passed=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) [ -z "$build" ] || { echo "one BUILD_DIR only" >&2; exit 2; }; build=$1; shift ;;
  esac
done
[ -n "$build" ] || [ -n "$url" ] || { usage >&2; exit 2; }

log() { printf 'conformance: %s\n' "$*" >&2; }
command -v iscsi-test-cu >/dev/null || { log "iscsi-test-cu missing (apt-get install libiscsi-bin)"; exit 1; }

[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/nexus-conformance.XXXXXX")
mkdir -p "$out"
out=$(cd "$out" && pwd)
itc_out=$out/iscsi-test-cu.txt
: >"$itc_out"

nexusd_pid='' work='' nexusd_deaths=0
# Stops nexusd with SIGTERM (SIGKILL after 15 s); fails unless it exited 0.
stop_nexusd() {
  [ -n "$nexusd_pid" ] || return 0
  local st=0 killed=0
  if kill -0 "$nexusd_pid" 2>/dev/null; then
    kill -TERM "$nexusd_pid" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$nexusd_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$nexusd_pid" 2>/dev/null; then
      log "nexusd (pid $nexusd_pid) still running 15 s after SIGTERM: SIGKILL"
      kill -KILL "$nexusd_pid" 2>/dev/null
      killed=1
    fi
  fi
  wait "$nexusd_pid" 2>/dev/null || st=$?
  nexusd_pid=
  [ "$killed" = 0 ] && [ "$st" = 0 ] && return 0
  log "nexusd did not shut down cleanly on SIGTERM (exit status $st)"
  return 1
}
itc_pid=
cleanup() {
  [ -n "$itc_pid" ] && kill -KILL "$itc_pid" 2>/dev/null
  stop_nexusd
  [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

start_nexusd() {
  local bin=$build/bin/nexusd
  [ -x "$bin" ] || { log "$bin not found (build first: scripts/build.sh)"; return 1; }
  if port_open 127.0.0.1 "$port"; then
    log "127.0.0.1:$port is already in use"; return 1
  fi
  rm -rf "$work/state" "$work/disk0.img"
  mkdir -p "$work/state"
  sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$port|g" "$config" >"$work/nexus.yaml"
  "$bin" --config "$work/nexus.yaml" >>"$out/nexusd.log" 2>&1 </dev/null &
  nexusd_pid=$!
  for _ in $(seq 300); do
    if ! kill -0 "$nexusd_pid" 2>/dev/null; then
      wait "$nexusd_pid"; log "nexusd exited with status $? during start-up; log tail:"
      tail -n 20 "$out/nexusd.log" >&2; nexusd_pid=; return 1
    fi
    port_open 127.0.0.1 "$port" && { log "nexusd pid $nexusd_pid serving 127.0.0.1:$port"; return 0; }
    sleep 0.1
  done
  log "nexusd did not open 127.0.0.1:$port within 30 s"; return 1
}

if [ -z "$url" ]; then
  build=$(cd "$build" 2>/dev/null && pwd) || { log "no such build dir"; exit 1; }
  work=$(mktemp -d "${NEXUS_CONFORMANCE_TMP:-/var/tmp}/nexus-conformance-work.XXXXXX")
  iqn=$(sed -n 's/^  - name: \(iqn\.[^ ]*\).*/\1/p' "$config" | head -1)
  url="iscsi://127.0.0.1:$port/$iqn/$lun"
  [ -n "$label" ] || label=nexusd
  start_nexusd || { echo "conformance: nexusd did not start" >"$out/summary.txt"; exit 1; }
else
  [ -n "$label" ] || label=$(echo "$url" | sed -E 's|^iscsi://([^/]*@)?||')
fi

if [ -z "$tests" ]; then
  tests=$(iscsi-test-cu --list 2>/dev/null | grep -E '^(SCSI|iSCSI)\.[^.]+$' | paste -sd, -)
  [ -n "$tests" ] || { log "iscsi-test-cu --list gave no suites"; exit 1; }
fi
log "target $url; results in $out"

start=$SECONDS
IFS=, read -r -a selections <<<"$tests"
for sel in "${selections[@]}"; do
  left=$((deadline - (SECONDS - start)))
  if [ "$left" -le 0 ]; then
    log "overall deadline of ${deadline}s reached: $sel and later selections not run"; break
  fi
  tmo=$(( suite_tmo < left ? suite_tmo : left ))
  echo "### itc-begin $sel" >>"$itc_out"
  # -d/-S allow destructive and SANITIZE tests: the LUN is scratch.
  # stdbuf: line-buffered, so CUnit's stdout and libiscsi's stderr lines
  # (the [SKIPPED]/[FAILED] reasons) stay in order in the log.
  # MultipathIO needs two paths to the LU: the same portal twice gives two
  # sessions (two I_T nexuses), which is what those tests exercise.
  urls=("$url")
  case $sel in SCSI.MultipathIO*) urls+=("$url") ;; esac
  timeout -s INT -k 10 "$tmo" stdbuf -oL -eL iscsi-test-cu -d -S -i "$init1" -I "$init2" -t "$sel" "${urls[@]}" \
    >>"$itc_out" 2>&1 </dev/null &
  itc_pid=$!
  # libiscsi keeps reconnecting to a dead target: stop the suite as soon as
  # nexusd is gone instead of waiting for the timeout.
  while kill -0 "$itc_pid" 2>/dev/null; do
    if [ -n "$nexusd_pid" ] && ! kill -0 "$nexusd_pid" 2>/dev/null; then
      sleep 1; kill -INT "$itc_pid" 2>/dev/null; sleep 1; kill -KILL "$itc_pid" 2>/dev/null
      break
    fi
    sleep 0.2
  done
  wait "$itc_pid"
  rc=$?
  itc_pid=
  echo "### itc-end $sel rc=$rc" >>"$itc_out"
  [ "$rc" = 124 ] && log "$sel timed out after ${tmo}s"
  if [ -n "$nexusd_pid" ] && ! kill -0 "$nexusd_pid" 2>/dev/null; then
    wait "$nexusd_pid"; st=$?
    log "nexusd DIED (status $st) during $sel; log tail:"
    tail -n 20 "$out/nexusd.log" >&2
    nexusd_pid=; nexusd_deaths=$((nexusd_deaths + 1))
    start_nexusd || { log "restart failed: stopping"; break; }
  fi
done
log "suites finished in $((SECONDS - start)) s"

args=("$itc_out" --label "$label")
[ -n "$expected" ] && args+=(--expected "$expected")
[ -n "$write_passed" ] && args+=(--write-passed "$write_passed")
python3 "$here/itc_results.py" "${args[@]}" >"$out/summary.txt"
rc=$?
if [ "$nexusd_deaths" -gt 0 ]; then
  echo "nexusd died $nexusd_deaths time(s) during the run (see $out/nexusd.log)" >>"$out/summary.txt"
  rc=1
fi
if [ -n "$nexusd_pid" ] && ! stop_nexusd; then
  echo "nexusd did not exit with status 0 on SIGTERM (see $out/nexusd.log)" >>"$out/summary.txt"
  rc=1
fi
cat "$out/summary.txt"
exit $rc
