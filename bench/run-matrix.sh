#!/usr/bin/env bash
# run-matrix.sh - nexusd against tgtd on loopback: the same benchmark matrix
# against each, alternating (A B A B ...), medians over --runs repetitions,
# printed as ONE table with both targets and their ratio (docs/benchmarks.md).
#
# Usage:
#   bench/run-matrix.sh [--secs 10] [--runs 3] [--warmup 2] [--quick] [--only nexusd|tgtd]
#                       [--build DIR] [--port 3270] [--tgt-port 3262] [--out DIR]
#                       [--cases NAME,NAME] [--no-syscalls] [--no-malloc-count]
#                       [--quiet-wait S] [--iscsi-perf] [--flood] [--spinner]
#
#   --secs S        measured seconds per run (default 10); --warmup S before it (default 2)
#   --runs N        repetitions per case and target; the median is reported (default 3)
#   --quick         CI smoke: nexusd only, 1 run x 1 s per case (~10 s in all), no syscall
#                   runs; exits 1 if any case saw an error (TASK SET FULL/BUSY included)
#   --only T        measure only nexusd or only tgtd
#   --build DIR     build tree with bin/nexusd, bin/nexus-bench, bin/tcp-pingpong,
#                   lib/bench/malloc-count.so (default: $NEXUS_BUILD_DIR or <repo>/build;
#                   build them with `ninja -C DIR nexusd dev-disk transport-iscsi bench`)
#   --port N        nexusd portal 127.0.0.1:N (default 3270)
#   --tgt-port N    tgtd portal and control port (default 3262; the next free port in
#                   3263..3279 is used when another process already listens there)
#   --out DIR       raw results, configs and logs (default /var/tmp/nexus-bench/<time>)
#   --cases LIST    subset of the matrix by case name (see CASES below)
#   --no-syscalls   skip the separate syscall-counting runs
#   --no-malloc-count  do not LD_PRELOAD malloc-count.so into the targets
#   --quiet-wait S  before each run, wait up to S s for the host to be <15% busy (default 0)
#   --iscsi-perf    cross-check: one extra run per read case and target with libiscsi's
#                   iscsi-perf instead of nexus-bench's own engine (IOPS only)
#   --flood         add the case flood-64x128 (64 sessions x QD128, 4 KiB random read):
#                   only TASK SET FULL/BUSY are acceptable errors; reports peak RSS
#   --spinner       keep one busy-looping process running during every run: in a VM an
#                   idle vCPU's wake-up costs tens of us, which dominates QD1 latency
#
# Per run nexus-bench charges the target process over the measured window
# only: CPU-seconds per million commands (/proc/PID/stat utime+stime),
# context switches per command (all threads' /proc/PID/task/*/status) and
# heap allocations per command (malloc-count.so's counters). Syscalls per
# command come from one extra short run per case and target, counted with the
# perf tracepoint raw_syscalls:sys_enter (strace -c -f as a fallback).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_DIR=${PEER_DIR:-/work/shared/peer}
BUILD=${NEXUS_BUILD_DIR:-$repo/build}
SECS=10; RUNS=3; WARMUP=2; QUICK=0; ONLY=""; NEXUS_PORT=3270; TGT_PORT=3262
OUT=""; CASE_FILTER=""; SYSCALLS=1; MALLOC=1; QWAIT=0; CROSS=0; SPIN=0

# name:io-size:queue-depth:sessions:pattern:direction
CASES=(
  4k-randread-qd1:4k:1:1:rand:read
  4k-randread-qd32:4k:32:1:rand:read
  4k-randread-qd128:4k:128:1:rand:read
  4k-randwrite-qd32:4k:32:1:rand:write
  128k-seqread-qd8:128k:8:1:seq:read
  128k-seqwrite-qd8:128k:8:1:seq:write
  4k-randread-4x32:4k:32:4:rand:read
)

usage() { awk 'NR>1 && !/^#/{exit} NR>1' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) SECS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --port) NEXUS_PORT=$2; shift 2 ;;
    --tgt-port) TGT_PORT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --cases) CASE_FILTER=$2; shift 2 ;;
    --no-syscalls) SYSCALLS=0; shift ;;
    --no-malloc-count) MALLOC=0; shift ;;
    --quiet-wait) QWAIT=$2; shift 2 ;;
    --iscsi-perf) CROSS=1; shift ;;
    --flood) CASES+=(flood-64x128:4k:128:64:rand:read); shift ;;
    --spinner) SPIN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-matrix: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$ONLY" in ""|nexusd|tgtd) ;; *) echo "run-matrix: --only nexusd|tgtd" >&2; exit 2 ;; esac
if [ "$QUICK" = 1 ]; then
  ONLY=nexusd; RUNS=1; SECS=1; WARMUP=0.2; SYSCALLS=0
fi
BUILD=$(cd "$BUILD" && pwd)
BENCH=$BUILD/bin/nexus-bench
PINGPONG=$BUILD/bin/tcp-pingpong
NEXUSD=$BUILD/bin/nexusd
SHIM=$BUILD/lib/bench/malloc-count.so
for f in "$BENCH" "$PINGPONG"; do
  [ -x "$f" ] || { echo "run-matrix: missing $f (ninja -C $BUILD bench)" >&2; exit 1; }
done
if [ "$MALLOC" = 1 ] && [ ! -f "$SHIM" ]; then
  echo "run-matrix: no $SHIM: allocations per command not measured" >&2; MALLOC=0
fi

SIDES=()
[ "$ONLY" != tgtd ] && SIDES+=(nexusd)
[ "$ONLY" != nexusd ] && SIDES+=(tgtd)
if [[ " ${SIDES[*]} " == *" nexusd "* ]]; then
  [ -x "$NEXUSD" ] || { echo "run-matrix: missing $NEXUSD" >&2; exit 1; }
  [ -f "$BUILD/lib/nexus/transport-iscsi.so" ] && [ -f "$BUILD/lib/nexus/dev-disk.so" ] ||
    { echo "run-matrix: $BUILD/lib/nexus lacks transport-iscsi.so or dev-disk.so" >&2; exit 1; }
fi
if [[ " ${SIDES[*]} " == *" tgtd "* ]]; then
  command -v tgtd >/dev/null || { echo "run-matrix: tgtd missing (apt-get install tgt)" >&2; exit 1; }
fi
if [ "$SYSCALLS" = 1 ] && ! command -v perf >/dev/null && ! command -v strace >/dev/null; then
  echo "run-matrix: installing strace for the syscall runs" >&2
  apt-get install -y --no-install-recommends strace >/dev/null 2>&1 ||
    { echo "run-matrix: no perf and no strace: syscalls not measured" >&2; SYSCALLS=0; }
fi

OUT=${OUT:-/var/tmp/nexus-bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS=$OUT/runs.txt
: >"$RESULTS"

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
alive() { [ -r "/proc/$1/stat" ] && ! awk '{exit !($3=="Z")}' "/proc/$1/stat"; }

# ---- targets -------------------------------------------------------------
NEXUS_PID=""; TGT_STARTED=0
NEXUS_IQN=iqn.2026-11.io.nexus:bench
TGT_IQN=iqn.2024-01.org.example.peer-tgt:disk

cleanup() {
  [ -n "${SPIN_PID:-}" ] && kill "$SPIN_PID" 2>/dev/null
  if [ -n "$NEXUS_PID" ] && alive "$NEXUS_PID"; then
    kill -TERM "$NEXUS_PID" 2>/dev/null || true
    for _ in $(seq 50); do alive "$NEXUS_PID" || break; sleep 0.1; done
    alive "$NEXUS_PID" && kill -KILL "$NEXUS_PID" 2>/dev/null || true
  fi
  if [ "$TGT_STARTED" = 1 ]; then
    PATH=$OUT/wrap:$PATH "$PEER_DIR/peer-tgt.sh" stop --ctl "$TGT_PORT" --dir "$OUT/peer-tgt" >/dev/null 2>&1 || true
    # tgtd's media (a 1 GiB sparse disk, tapes) are of no use after the run.
    rm -rf "$OUT/peer-tgt/media" "$OUT/peer-tgt/"*.img "$OUT/peer-tgt/smc"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

preload_env() { # environment that puts malloc-count.so into a target
  [ "$MALLOC" = 1 ] && printf 'LD_PRELOAD=%s NEXUS_MALLOC_COUNT_FILE=%s/malloc.%%p' "$SHIM" "$OUT"
}

start_nexusd() {
  if listening "$NEXUS_PORT"; then
    echo "run-matrix: port $NEXUS_PORT is taken (use --port)" >&2; exit 1
  fi
  cat >"$OUT/nexusd.yaml" <<EOF
# generated by bench/run-matrix.sh: a null 1 GiB disk on loopback
server:
  plugin_dirs: [$BUILD/lib/nexus]
  log_level: warn
  reactors: 0
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: null0
    handler: disk
    options: {backend: "null", size: 1G}   # quoted: bare null is YAML null
targets:
  - name: $NEXUS_IQN
    transport: iscsi
    portals: ["127.0.0.1:$NEXUS_PORT"]
    portal_group_tag: 1
    luns:
      - {lun: 0, device: null0}
EOF
  # shellcheck disable=SC2046
  env $(preload_env) "$NEXUSD" --config "$OUT/nexusd.yaml" >"$OUT/nexusd.log" 2>&1 </dev/null &
  NEXUS_PID=$!
  NEXUS_URL=iscsi://127.0.0.1:$NEXUS_PORT/$NEXUS_IQN/0
  for _ in $(seq 100); do
    alive "$NEXUS_PID" || { echo "run-matrix: nexusd exited; log:" >&2; cat "$OUT/nexusd.log" >&2; exit 1; }
    if listening "$NEXUS_PORT" && timeout 5 iscsi-inq "$NEXUS_URL" >/dev/null 2>&1; then
      echo "nexusd pid $NEXUS_PID  $NEXUS_URL"; return 0
    fi
    sleep 0.1
  done
  echo "run-matrix: nexusd does not answer INQUIRY on $NEXUS_URL; log:" >&2; cat "$OUT/nexusd.log" >&2; exit 1
}

start_tgtd() {
  local p
  if listening "$TGT_PORT"; then
    for p in $(seq 3263 3279); do
      # A running tgtd -C N listens on /var/run/tgtd/socket.N; a stale file is reusable.
      listening "$p" || ss -Hxl | grep -q "/var/run/tgtd/socket\.$p " || { TGT_PORT=$p; break; }
    done
    listening "$TGT_PORT" && { echo "run-matrix: no free port for tgtd (--tgt-port)" >&2; exit 1; }
    echo "run-matrix: tgtd port taken, using $TGT_PORT" >&2
  fi
  # peer-tgt.sh runs `tgtd` from PATH: a wrapper puts malloc-count.so into
  # tgtd alone (not into tgtadm & co.). exec keeps the PID peer-tgt.sh records.
  mkdir -p "$OUT/wrap"
  printf '#!/bin/sh\nexec env %s %s "$@"\n' "$(preload_env)" "$(command -v tgtd)" >"$OUT/wrap/tgtd"
  chmod +x "$OUT/wrap/tgtd"
  TGT_STARTED=1
  PATH=$OUT/wrap:$PATH "$PEER_DIR/peer-tgt.sh" start --port "$TGT_PORT" --ctl "$TGT_PORT" \
    --dir "$OUT/peer-tgt" >"$OUT/peer-tgt.log" 2>&1 ||
    { echo "run-matrix: peer-tgt.sh start failed:" >&2; cat "$OUT/peer-tgt.log" >&2; exit 1; }
  TGT_PID=$(cat "$OUT/peer-tgt/tgtd.pid")
  TGT_URL=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/2   # LUN 2 = bstype null
  echo "tgtd   pid $TGT_PID  $TGT_URL"
}

# ---- runs ----------------------------------------------------------------
NCPU=$(nproc)
host_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
wait_quiet() {
  [ "$QWAIT" = 0 ] && return 0
  local t0=$SECONDS a b c d
  while :; do
    read -r a b < <(host_busy); sleep 1; read -r c d < <(host_busy)
    awk -v x=$((c - a)) -v y=$((d - b)) 'BEGIN{exit !(100 * x / y < 15)}' && return 0
    [ $((SECONDS - t0)) -ge "$QWAIT" ] && return 1
  done
}

SPIN_PID=""
spin_start() {
  [ "$SPIN" = 1 ] || return 0
  timeout 600 sh -c 'while :; do :; done' &
  SPIN_PID=$!
}
spin_stop() {
  [ -n "$SPIN_PID" ] || return 0
  kill "$SPIN_PID" 2>/dev/null || true; wait "$SPIN_PID" 2>/dev/null || true; SPIN_PID=""
}

side_url() { if [ "$1" = nexusd ]; then echo "$NEXUS_URL"; else echo "$TGT_URL"; fi; }
side_pid() { if [ "$1" = nexusd ]; then echo "$NEXUS_PID"; else echo "$TGT_PID"; fi; }

# bench_run SIDE CASE-SPEC REP PHASE [extra nexus-bench args...]
bench_run() {
  local side=$1 spec=$2 rep=$3 phase=$4; shift 4
  local name bs qd sess pat rw pid url b0 t0 b1 t1 line rc busy_mark=""
  IFS=: read -r name bs qd sess pat rw <<<"$spec"
  pid=$(side_pid "$side"); url=$(side_url "$side")
  alive "$pid" || { echo "run-matrix: $side (pid $pid) is gone" >&2; exit 1; }
  wait_quiet || busy_mark="*"
  local args=(--url "$url" --sessions "$sess" --qd "$qd" --bs "$bs" --pattern "$pat" --rw "$rw"
              --secs "$SECS" --warmup "$WARMUP" --span 1G --target-pid "$pid" --format kv
              --label "$name")
  [ "$MALLOC" = 1 ] && args+=(--malloc-count "$OUT/malloc.$pid")
  spin_start
  read -r b0 t0 < <(host_busy)
  set +e
  line=$("$BENCH" "${args[@]}" "$@" 2>>"$OUT/bench-stderr.log"); rc=$?
  set -e
  read -r b1 t1 < <(host_busy)
  spin_stop
  # Host CPU in % of one core over the run (the "other%" column is what is
  # left after the target and the initiator: loopback softirq, other users).
  local host_pct
  host_pct=$(awk -v x=$((b1 - b0)) -v y=$((t1 - t0)) -v n="$NCPU" 'BEGIN{printf "%.1f", y ? 100*n*x/y : 0}')
  [ -n "$line" ] || line="status=failed errors=0 iops=0 last_error=nexus-bench_exit_$rc"
  echo "side=$side case=$name rep=$rep phase=$phase rc=$rc host_pct=$host_pct busy_start=${busy_mark:--} $line" >>"$RESULTS"
  printf '  %-7s %-20s rep %s %-8s %s\n' "$side" "$name" "$rep" "$phase" \
    "$(echo "$line" | tr ' ' '\n' | grep -E '^(iops|lat_p50_us|tgt_cpu_s_per_mcmd|errors|tgt_syscalls_per_cmd)=' | tr '\n' ' ')$busy_mark"
}

# Syscalls per command in a separate short run: perf's tracepoint counter
# (nexus-bench --count-syscalls) when the kernel allows it, else strace -c -f.
syscall_run() {
  local side=$1 spec=$2 pid
  pid=$(side_pid "$side")
  local saved=$SECS; SECS=$(awk -v s="$SECS" 'BEGIN{print (s < 3 ? s : 3)}')
  if [ "$PERF_OK" != 0 ]; then
    bench_run "$side" "$spec" 1 syscalls --count-syscalls
    if tail -1 "$RESULTS" | grep -q 'tgt_syscalls_per_cmd=[0-9]'; then PERF_OK=1; else PERF_OK=0; fi
  fi
  if [ "$PERF_OK" = 0 ] && command -v strace >/dev/null; then
    local log=$OUT/strace-$side-${spec%%:*}.txt spid calls
    strace -c -f -p "$pid" -o "$log" 2>/dev/null &
    spid=$!
    sleep 0.5
    bench_run "$side" "$spec" 1 syscalls-strace
    kill -INT "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
    # strace sees the whole run (login and warm-up too): matrix_table.py
    # divides by all the commands of that run (cmds_total).
    calls=$(awk '$NF=="total"{print $4}' "$log" 2>/dev/null | tail -1)
    echo "side=$side case=${spec%%:*} rep=1 phase=strace strace_calls=${calls:-0}" >>"$RESULTS"
  fi
  SECS=$saved
}
PERF_OK=""  # unknown until the first syscall run

pingpong_run() {
  local rep=$1 line
  spin_start
  line=$("$PINGPONG" --secs "$SECS" --warmup "$WARMUP" --format kv 2>>"$OUT/bench-stderr.log") || line=""
  spin_stop
  echo "side=floor case=tcp-pingpong rep=$rep phase=main $line" >>"$RESULTS"
  printf '  %-7s %-20s rep %s %-8s %s\n' floor tcp-pingpong "$rep" main \
    "$(echo "$line" | tr ' ' '\n' | grep -E '^rtt_(p50|mean)_us=' | tr '\n' ' ')"
}

selected() { [ -z "$CASE_FILTER" ] || [[ ",$CASE_FILTER," == *",${1%%:*},"* ]]; }

echo "run-matrix: ${SIDES[*]}; $RUNS run(s)$([ "$SPIN" = 1 ] && echo ', spinner on') x ${SECS}s (+${WARMUP}s warm-up); results in $OUT"
[[ " ${SIDES[*]} " == *" nexusd "* ]] && start_nexusd
[[ " ${SIDES[*]} " == *" tgtd "* ]] && start_tgtd

for spec in "${CASES[@]}"; do
  selected "$spec" || continue
  for rep in $(seq "$RUNS"); do
    # Alternate which target goes first so neither always runs on a warmer host.
    order=("${SIDES[@]}")
    if [ $((rep % 2)) = 0 ] && [ ${#SIDES[@]} = 2 ]; then order=("${SIDES[1]}" "${SIDES[0]}"); fi
    for side in "${order[@]}"; do bench_run "$side" "$spec" "$rep" main; done
    if [ "${spec%%:*}" = 4k-randread-qd1 ]; then pingpong_run "$rep"; fi
  done
  if [ "$SYSCALLS" = 1 ]; then
    for side in "${SIDES[@]}"; do syscall_run "$side" "$spec"; done
  fi
  if [ "$CROSS" = 1 ] && [ "${spec##*:}" = read ]; then
    for side in "${SIDES[@]}"; do bench_run "$side" "$spec" 1 iscsi-perf --iscsi-perf; done
  fi
done

echo
python3 "$repo/bench/matrix_table.py" "$RESULTS" --secs "$SECS" --warmup "$WARMUP" --runs "$RUNS" \
  --note "$([ "$SPIN" = 1 ] && echo 'spinner on (other% includes it)')" \
  --summary "$OUT/summary.tsv" | tee "$OUT/table.txt"

if [ "$QUICK" = 1 ]; then
  # CI smoke: every case must have run and seen no error of any kind.
  if grep -E 'phase=main' "$RESULTS" | grep -v 'side=floor' | grep -vE ' status=ok .* errors=0 ' | grep -q .; then
    echo "run-matrix --quick: FAILED (errors above; raw lines in $RESULTS)" >&2; exit 1
  fi
  if grep -E 'phase=main' "$RESULTS" | grep -v 'side=floor' | grep -E ' iops=0 ' | grep -q .; then
    echo "run-matrix --quick: FAILED (a case completed no command)" >&2; exit 1
  fi
  echo "run-matrix --quick: OK"
fi
