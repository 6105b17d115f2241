#!/usr/bin/env bash
# guest-kernel-initiator.sh - runs INSIDE the test VM (see kernel-initiator.sh,
# which boots the VM and calls this). Exercises the Linux kernel initiator
# (open-iscsi) against a target started here on 127.0.0.1:3260:
#   phase "plain": discovery, login, mkfs.ext4, mount, write files, record
#     sha256sums, umount, log out + in again (fresh session, nothing cached),
#     mount, verify checksums, e2fsck, log out;
#   phase "chap":  the same with CHAP required by the target, after checking
#     that a login with a wrong secret is refused.
#
# Options (all passed by kernel-initiator.sh):
#   --peer nexusd|tgtd   target implementation          (default nexusd)
#   --build DIR          nexus build tree (bin/nexusd)   (default build)
#   --data-mib N         MiB of file data per phase      (default 200)
#   --disk-mib N         size of the disk                (default 512)
#   --phases LIST        comma list of plain,chap        (default plain,chap)
set -euo pipefail

peer=nexusd build=build data_mib=200 disk_mib=512 phases=plain,chap
while [ $# -gt 0 ]; do
  case $1 in
    --peer) peer=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --data-mib) data_mib=$2; shift 2 ;;
    --disk-mib) disk_mib=$2; shift 2 ;;
    --phases) phases=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

IQN=iqn.2026-11.io.nexus:vm-disk
PORTAL=127.0.0.1:3260
CHAP_USER=vm-initiator
CHAP_SECRET=vm-chap-secret-0123   # 12..16+ chars: RFC 7143 section 9.2.1 wants >= 96 bits
W=/tmp/kernel-initiator
MNT=/mnt/nexus-vm
mkdir -p "$W" "$MNT"
target_pid=

t0=$(date +%s)
say() { printf '[vm %4ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }

dump_logs() {
  say "FAILED (line ${1:-?}); target log tail:"
  tail -n 40 "$W/target.log" 2>/dev/null || true
  dmesg | grep -iE 'iscsi|sd |scsi|ext4|I/O error' | tail -n 30 || true
}
trap 'dump_logs $LINENO' ERR

# ---------------------------------------------------------------- target
start_nexusd() { # chap:0|1
  local bin=$build/bin/nexusd chap=""
  [ -x "$bin" ] || { say "$bin not found"; return 1; }
  [ "$1" = 1 ] && chap="    chap: {user: $CHAP_USER, secret: $CHAP_SECRET}"
  rm -f "$W/disk.img"
  cat >"$W/nexus.yaml" <<EOF
server:
  state_dir: $W/state
  log_level: info
  reactors: 2
transports:
  - plugin: iscsi
    options: {}
devices:
  - name: disk0
    handler: disk
    options: {backend: file, path: $W/disk.img, create: true, size: ${disk_mib}M}
targets:
  - name: $IQN
    alias: vm-disk
    transport: iscsi
    portals: ["$PORTAL"]
$chap
    luns:
      - {lun: 0, device: disk0}
EOF
  mkdir -p "$W/state"
  "$bin" --config "$W/nexus.yaml" >"$W/target.log" 2>&1 &
  target_pid=$!
}

start_tgtd() { # chap:0|1
  rm -f "$W/disk.img"
  truncate -s "${disk_mib}M" "$W/disk.img"
  tgtd -f --iscsi "portal=$PORTAL" >"$W/target.log" 2>&1 &
  target_pid=$!
  for _ in $(seq 100); do tgtadm --lld iscsi --op show --mode sys >/dev/null 2>&1 && break; sleep 0.1; done
  tgtadm --lld iscsi --op new --mode target --tid 1 -T "$IQN"
  tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$W/disk.img"
  tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL
  if [ "$1" = 1 ]; then
    tgtadm --lld iscsi --op new --mode account --user "$CHAP_USER" --password "$CHAP_SECRET"
    tgtadm --lld iscsi --op bind --mode account --tid 1 --user "$CHAP_USER"
  fi
}

wait_port() {
  for _ in $(seq 600); do
    kill -0 "$target_pid" 2>/dev/null || { say "target exited during start-up"; return 1; }
    (exec 3<>"/dev/tcp/${PORTAL%:*}/${PORTAL#*:}") 2>/dev/null && return 0
    sleep 0.1
  done
  say "target did not listen on $PORTAL"; return 1
}

stop_target() {
  [ -n "$target_pid" ] || return 0
  if [ "$peer" = tgtd ]; then
    # tgtd ignores SIGTERM: remove the target, then the system.
    tgtadm --lld iscsi --op delete --force --mode target --tid 1 || true
    tgtadm --op delete --mode system || true
    wait "$target_pid" || true
  else
    # nexusd must drain and exit cleanly on SIGTERM.
    kill -TERM "$target_pid"
    local st=0
    for _ in $(seq 300); do kill -0 "$target_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$target_pid" 2>/dev/null; then
      say "nexusd still running 30 s after SIGTERM"; kill -KILL "$target_pid"; st=1
    fi
    wait "$target_pid" || st=$?
    [ "$st" = 0 ] || { say "nexusd exit status $st after SIGTERM"; target_pid=; return 1; }
  fi
  target_pid=
}

# ------------------------------------------------------------- initiator
node_set() { iscsiadm -m node -T "$IQN" -p "$PORTAL" --op update -n "$1" -v "$2" >/dev/null; }

# Prints the /dev/sdX of the (single) logged-in session once it appears.
session_disk() {
  local d
  for _ in $(seq 300); do
    d=$(iscsiadm -m session -P 3 2>/dev/null | awk '/Attached scsi disk/ {print $4; exit}')
    if [ -n "$d" ] && [ -b "/dev/$d" ]; then echo "/dev/$d"; return 0; fi
    sleep 0.2
  done
  say "no disk appeared for the session"; return 1
}

login() { iscsiadm -m node -T "$IQN" -p "$PORTAL" --login; }
logout() { iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout; }

# ------------------------------------------------------------------ data
write_files() { # dir: half the data in 4 big files, half in 1 MiB files
  local dir=$1 big=$(( data_mib / 8 )) small=$(( data_mib / 2 )) i
  mkdir -p "$dir/big" "$dir/small/a" "$dir/small/b"
  for i in 1 2 3 4; do
    head -c "$(( big << 20 ))" /dev/urandom >"$dir/big/file$i.bin"
  done
  for i in $(seq "$small"); do
    head -c 1048576 /dev/urandom >"$dir/small/$([ $((i % 2)) = 0 ] && echo a || echo b)/f$i.bin"
  done
  echo "phase data" >"$dir/README"
}

run_phase() { # plain|chap
  local phase=$1 chap=0 dev
  [ "$phase" = chap ] && chap=1
  say "=== phase $phase: target $peer, disk ${disk_mib} MiB, data ${data_mib} MiB"
  "start_$peer" "$chap"
  wait_port
  say "target up (pid $target_pid)"

  iscsiadm -m node -o delete >/dev/null 2>&1 || true
  iscsiadm -m discovery -t sendtargets -p "$PORTAL"
  if [ "$chap" = 1 ]; then
    node_set node.session.auth.authmethod CHAP
    node_set node.session.auth.username "$CHAP_USER"
    node_set node.session.auth.password "wrong-secret-9876"
    if login; then say "login with a WRONG CHAP secret succeeded"; return 1; fi
    say "login with a wrong CHAP secret refused, as it must be"
    node_set node.session.auth.password "$CHAP_SECRET"
  fi
  login
  dev=$(session_disk)
  say "logged in; disk $dev ($(($(blockdev --getsize64 "$dev") >> 20)) MiB)"

  mkfs.ext4 -q -F "$dev"
  mount "$dev" "$MNT"
  write_files "$MNT/data"
  sync
  (cd "$MNT" && find data -type f -print0 | sort -z | xargs -0 sha256sum) >"$W/sums"
  say "wrote $(wc -l <"$W/sums") files, $(du -sm "$MNT/data" | cut -f1) MiB; sums recorded"
  umount "$MNT"

  # A new session and dropped caches: the verify reads what the target stored.
  logout
  echo 3 >/proc/sys/vm/drop_caches
  login
  dev=$(session_disk)
  e2fsck -fn "$dev" >"$W/fsck.log" 2>&1 || { cat "$W/fsck.log"; say "e2fsck found errors"; return 1; }
  mount "$dev" "$MNT"
  (cd "$MNT" && sha256sum --quiet -c "$W/sums")
  say "remounted on a new session: all $(wc -l <"$W/sums") checksums match"
  umount "$MNT"
  logout
  iscsiadm -m node -o delete >/dev/null 2>&1 || true
  stop_target
  say "=== phase $phase PASSED"
}

modprobe -a sd_mod sg iscsi_tcp
modprobe -a ext4 crc32c_generic 2>/dev/null || true
iscsid
say "iscsid started; initiator $(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi)"

IFS=, read -r -a plist <<<"$phases"
for p in "${plist[@]}"; do
  run_phase "$p"
done
trap - ERR
say "KERNEL INITIATOR TEST PASSED against $peer (phases: $phases)"
