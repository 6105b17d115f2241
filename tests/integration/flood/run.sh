#!/usr/bin/env bash
# run.sh NEXUSD PLUGIN_DIR NEXUS_BENCH [RSS_BOUND_MIB]
# 16 sessions x QD64 x 256 KiB writes (256 MiB in flight wanted) against an
# 8 MiB buffer watermark and a per-session queue depth of 32: the excess must
# be answered TASK SET FULL/BUSY, nothing else may fail, and nexusd's peak
# RSS must stay under RSS_BOUND_MIB (default 160: the documented bound for
# this setup, watermark + buffer cache + per-session state).
set -euo pipefail
nexusd=$1 plugins=$2 bench=$3 bound_mib=${4:-160}
dir=$(mktemp -d /tmp/nexus-flood-XXXXXX)
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cat > "$dir/nexus.yaml" <<YAML
server:
  state_dir: $dir/state
  buffer_memory: 8M
  session_queue_depth: 32
devices:
  - name: ram0
    handler: disk
    options: {backend: ram, size: 64M}
targets:
  - name: iqn.2026-11.io.nexus.test:flood
    portals: ["127.0.0.1:$port"]
    luns:
      - {lun: 0, device: ram0}
YAML
"$nexusd" --config "$dir/nexus.yaml" --plugin-dir "$plugins" > "$dir/nexusd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done
out=$("$bench" --url "iscsi://127.0.0.1:$port/iqn.2026-11.io.nexus.test:flood/0" -s 16 -q 64 \
       -b 256k --rw write -t 3 -w 0 --span 48M --format kv --target-pid "$pid") || {
  echo "nexus-bench reported errors other than TASK SET FULL/BUSY:"; echo "$out"; exit 1; }
echo "$out"
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "nexusd peak RSS: $((hwm_kb / 1024)) MiB"
get() { tr ' ' '\n' <<< "$out" | awk -F= -v k="$1" '$1 == k {print $2}'; }
full=$(get err_task_set_full); busy=$(get err_busy)
echo "TASK SET FULL: ${full:-?}  BUSY: ${busy:-?}"
[ "$(( ${full:-0} + ${busy:-0} ))" -gt 0 ] || { echo "FAIL: the flood was never throttled"; exit 1; }
[ "$hwm_kb" -lt $((bound_mib * 1024)) ] || { echo "FAIL: peak RSS above $bound_mib MiB"; exit 1; }
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" -eq 0 ] || { echo "FAIL: nexusd exited $rc"; tail -20 "$dir/nexusd.log"; exit 1; }
echo "flood: PASS"
