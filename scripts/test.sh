#!/usr/bin/env bash
# test.sh - README command 2: install dependencies, build, and run every test.
#
#   sudo ./scripts/test.sh
#
# Steps: release build + its unit tests; ASan/UBSan build + its unit tests;
# the iscsi-test-cu conformance run against a live (release) nexusd;
# libFuzzer build + a bounded run of each fuzzer. Ends with the line "N passed, N failed" over
# the steps; the exit status is non-zero when any step failed.
#
# Environment:
#   NEXUS_FUZZ_SECONDS       time per fuzzer                     (default 30)
#   NEXUS_CONFORMANCE_BUILDS build trees to run conformance on   (default "build";
#                            e.g. "build build-asan" adds an ASan nexusd run)
#   NEXUS_BUILD_ROOT         parent of the build dirs            (default: repo root)
#   NEXUS_JOBS               parallel jobs for ninja             (default: nproc)
#   NEXUS_SKIP_DEPS=1        do not run scripts/install-deps.sh
# Logs of the long-running steps go to build-test-logs/ (under NEXUS_BUILD_ROOT).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
root=${NEXUS_BUILD_ROOT:-$repo}
fuzz_secs=${NEXUS_FUZZ_SECONDS:-30}
jobs=${NEXUS_JOBS:-$(nproc)}
ctest_jobs=$(( jobs < 2 ? jobs : 2 ))
logs=$root/build-test-logs   # /build*/ is git-ignored
mkdir -p "$logs"
export NEXUS_BUILD_ROOT=$root NEXUS_JOBS=$jobs

# Sanitizer reports must fail the step that produced them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0
results=()
step_pid=
t0=$SECONDS

# Each step runs as a background job in its own process group (set -m), so a
# TERM/INT to this script can stop the whole step: ninja, ctest, a fuzzer or
# the conformance runner and the nexusd it started.
set -m
on_signal() {
  if [ -n "$step_pid" ]; then
    kill -TERM -- "-$step_pid" 2>/dev/null
    wait "$step_pid" 2>/dev/null
  fi
  echo "test.sh: interrupted" >&2
  exit 130
}
trap on_signal INT TERM HUP

banner() { printf '\n==== %s ====\n' "$*"; }

# step NAME CMD...: run, time and record one step.
step() {
  local name=$1 rc s=$SECONDS
  shift
  banner "$name"
  "$@" </dev/null &
  step_pid=$!
  wait "$step_pid"
  rc=$?
  step_pid=
  record "$name" "$rc" $((SECONDS - s))
  return "$rc"
}

record() { # name rc secs
  if [ "$2" = 0 ]; then
    passed=$((passed + 1)); results+=("PASS  $1 ($3 s)")
  else
    failed=$((failed + 1)); results+=("FAIL  $1 ($3 s, status $2)")
  fi
}

skip_fail() { # name reason: a step that cannot run counts as failed
  banner "$1"
  echo "not run: $2"
  failed=$((failed + 1)); results+=("FAIL  $1 (not run: $2)")
}

run_ctest() { # build dir
  ctest --test-dir "$1" --output-on-failure -j "$ctest_jobs" --timeout 300 --no-tests=error
}

# run_fuzzer NAME: bounded libFuzzer run over a scratch copy of the seeds.
run_fuzzer() {
  local name=$1 bin=$root/build-fuzz/bin/$1 seeds=$repo/tests/fuzz/corpus/$1
  local work=$root/build-fuzz/fuzz-work/$1 log=$logs/fuzz-$1.log rc
  [ -x "$bin" ] || { echo "$bin was not built"; return 1; }
  rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts" "$seeds"
  echo "$name: ${fuzz_secs}s, seeds $seeds, log $log"
  # libFuzzer writes new inputs into the first corpus dir only: the seeds in
  # the repo stay untouched. -timeout: one input taking >10 s is a hang.
  timeout -k 10 $((fuzz_secs + 120)) "$bin" -max_total_time="$fuzz_secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$seeds" >"$log" 2>&1
  rc=$?
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$rc" != 0 ]; then
    echo "$name FAILED (status $rc); crash inputs: $(ls "$work/artifacts" 2>/dev/null | tr '\n' ' ')"
    tail -n 60 "$log"
  fi
  return "$rc"
}

run_conformance() { # build dir
  local tree=$1
  bash "$repo/tests/conformance/run-iscsi-test-cu.sh" "$root/$tree" \
    --out "$logs/conformance-$tree" --label "nexusd ($tree)"
}

step "install dependencies" bash "$repo/scripts/install-deps.sh" ||
  { echo "cannot continue without dependencies"; }

declare -A built=()   # build tree -> 1 when this run built it
if step "build release (build/)" bash "$repo/scripts/build.sh" release; then
  built[build]=1
  step "unit tests, release" run_ctest "$root/build"
else
  skip_fail "unit tests, release" "release build failed"
fi

if step "build asan (build-asan/)" bash "$repo/scripts/build.sh" asan; then
  built[build-asan]=1
  step "unit tests, asan+ubsan" run_ctest "$root/build-asan"
else
  skip_fail "unit tests, asan+ubsan" "asan build failed"
fi

# nexusd (and its plugins) may be complete even when something else in the
# tree failed to compile: then conformance still runs, for the information.
nexusd_current() { # build dir: nexusd and every plugin it has are up to date
  local t=(nexusd) so
  [ -f "$1/build.ninja" ] || return 1
  for so in "$1"/lib/nexus/*.so; do [ -e "$so" ] && t+=("$(basename "$so" .so)"); done
  ninja -C "$1" -n "${t[@]}" 2>/dev/null | grep -q 'no work to do'
}

for tree in ${NEXUS_CONFORMANCE_BUILDS:-build}; do
  if [ -z "${built[$tree]:-}" ] && ! nexusd_current "$root/$tree"; then
    skip_fail "conformance iscsi-test-cu ($tree)" "nexusd in $tree was not built"
  elif [ ! -x "$root/$tree/bin/nexusd" ]; then
    skip_fail "conformance iscsi-test-cu ($tree)" "$root/$tree/bin/nexusd missing"
  else
    step "conformance iscsi-test-cu ($tree)" run_conformance "$tree"
  fi
done

if step "build fuzzers (build-fuzz/)" bash "$repo/scripts/build.sh" fuzz; then
  for f in fuzz_iscsi_pdu fuzz_cdb fuzz_device_sense; do
    step "fuzz $f (${fuzz_secs}s)" run_fuzzer "$f"
  done
else
  skip_fail "fuzzers" "fuzz build failed"
fi

banner "summary ($((SECONDS - t0)) s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
