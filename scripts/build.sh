#!/usr/bin/env bash
# build.sh - configure (once) and build one Nexus build tree with Ninja.
#
#   scripts/build.sh [release|asan|fuzz] [ninja targets...]
#
#   release  build/       RelWithDebInfo, everything      (default)
#   asan     build-asan/  Debug, -DNEXUS_SANITIZE=ON (ASan+UBSan), everything
#   fuzz     build-fuzz/  clang, -DNEXUS_FUZZ=ON, only the libFuzzer targets
#
# Environment:
#   NEXUS_BUILD_ROOT  parent of the build dirs          (default: the repo root)
#   NEXUS_JOBS        ninja -j                          (default: nproc)
#   CCACHE_DIR        ccache cache                      (default: ccache's own, ~/.cache/ccache)
#   NEXUS_CMAKE_ARGS  extra cmake arguments (word-split)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kind=${1:-release}
[ $# -gt 0 ] && shift
root=${NEXUS_BUILD_ROOT:-$repo}
jobs=${NEXUS_JOBS:-$(nproc)}

log() { printf 'build[%s]: %s\n' "$kind" "$*" >&2; }

# ccache hits across checkouts in different directories (a CI clone reuses
# what a developer built): paths below the repository are hashed relative to it.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

env_cc=()
targets=("$@")
case $kind in
  release)
    dir=$root/build
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
    ;;
  asan)
    dir=$root/build-asan
    args=(-DCMAKE_BUILD_TYPE=Debug -DNEXUS_SANITIZE=ON)
    ;;
  fuzz)
    dir=$root/build-fuzz
    # Everything compiled here gets coverage instrumentation for libFuzzer;
    # the fuzz executables themselves link -fsanitize=fuzzer (tests/fuzz).
    # -O1 -g without NDEBUG: asserts stay active while fuzzing.
    inst="-fsanitize=fuzzer-no-link -fno-omit-frame-pointer"
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEXUS_FUZZ=ON -DNEXUS_SANITIZE=ON
          "-DCMAKE_C_FLAGS=$inst" "-DCMAKE_CXX_FLAGS=$inst"
          "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g")
    env_cc=(CC=clang CXX=clang++)
    [ ${#targets[@]} -eq 0 ] && targets=(nexus_fuzzers)
    ;;
  -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [release|asan|fuzz] [targets...]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206
args+=(${NEXUS_CMAKE_ARGS:-})

# Configure when the tree is new (or a previous configure failed half-way);
# afterwards ninja re-runs cmake by itself whenever a CMakeLists.txt changes.
if [ ! -f "$dir/build.ninja" ]; then
  log "configuring $dir"
  mkdir -p "$dir"
  env "${env_cc[@]}" cmake -S "$repo" -B "$dir" -G Ninja "${args[@]}"
fi
log "building ${targets[*]:-all} in $dir (-j$jobs)"
start=$SECONDS
# -k 0: report every compile error of the tree at once, not just the first.
ninja -C "$dir" -j "$jobs" -k 0 "${targets[@]}"
log "done in $((SECONDS - start)) s"
