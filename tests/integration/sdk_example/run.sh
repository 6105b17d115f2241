#!/usr/bin/env bash
# Proves that a third party can build a Nexus plugin out of tree:
#   1. installs the build's SDK (headers, CMake package, pkg-config file) into
#      a temporary prefix,
#   2. builds examples/out-of-tree-plugin against it with find_package(NexusSDK),
#      and once more with only pkg-config and the compiler,
#   3. loads both results through the plugin loader and runs I/O through them
#      (test_plugin_loader's ExamplePlugin tests),
#   4. if nexusd exists, runs `nexusd --config CFG --check-config` on a config using the
#      plugin and checks that nexusd loaded it.
# Usage: run.sh BUILD_DIR
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
SRC_DIR=$(cd "$(dirname "$0")/../../.." && pwd)
EXAMPLE="$SRC_DIR/examples/out-of-tree-plugin"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nexus-sdk-example.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "install the SDK from $BUILD_DIR into $TMP/prefix"
cmake --install "$BUILD_DIR" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log"; fail "cmake --install failed"; }
[ -f "$TMP/prefix/include/nexus/plugin.h" ] || fail "SDK headers were not installed"
PC_FILE=$(find "$TMP/prefix" -name nexus-sdk.pc | head -n1)
[ -n "$PC_FILE" ] || fail "nexus-sdk.pc was not installed"

step "configure + build the example with find_package(NexusSDK)"
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$EXAMPLE" -B "$TMP/build" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TMP/prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >"$TMP/configure.log" 2>&1 ||
  { cat "$TMP/configure.log"; fail "configuring the example failed"; }
grep -q "$TMP/prefix" "$TMP/build/CMakeCache.txt" ||
  fail "the example did not use the installed SDK"
cmake --build "$TMP/build" >"$TMP/build.log" 2>&1 ||
  { cat "$TMP/build.log"; fail "building the example failed"; }
SO="$TMP/build/example_ramdisk.so"
[ -f "$SO" ] || fail "example_ramdisk.so was not built"

step "build the example with pkg-config only"
mkdir -p "$TMP/pc"
# The .pc file names the configure-time prefix; point it at where we installed.
PC_FLAGS=$(PKG_CONFIG_PATH=$(dirname "$PC_FILE") \
  pkg-config --define-variable=prefix="$TMP/prefix" --cflags nexus-sdk)
# shellcheck disable=SC2086
c++ $PC_FLAGS -O1 -fPIC -shared \
  -Wall -Wextra -Werror -o "$TMP/pc/example_ramdisk.so" "$EXAMPLE/src/example_ramdisk.cpp" ||
  fail "building the example with pkg-config flags failed"

LOADER_TEST="$BUILD_DIR/bin/test_plugin_loader"
[ -x "$LOADER_TEST" ] || fail "$LOADER_TEST not built"
for so in "$SO" "$TMP/pc/example_ramdisk.so"; do
  step "load $so and run I/O through it"
  NEXUS_EXAMPLE_PLUGIN="$so" "$LOADER_TEST" --gtest_filter='ExamplePlugin.*' >"$TMP/load.log" 2>&1 ||
    { cat "$TMP/load.log"; fail "the plugin loader tests failed for $so"; }
  grep -q '\[  PASSED  \] 4 tests' "$TMP/load.log" ||
    { cat "$TMP/load.log"; fail "expected 4 ExamplePlugin tests to pass"; }
done

NEXUSD="$BUILD_DIR/bin/nexusd"
if [ -x "$NEXUSD" ]; then
  step "nexusd --config CFG --check-config with the example plugin"
  cat >"$TMP/nexus.yaml" <<YAML
server:
  plugin_dirs: ["$TMP/build", "$BUILD_DIR/lib/nexus"]
  log_level: debug
devices:
  - name: ram0
    handler: example-ramdisk
    options: {size: 1M}
YAML
  set +e
  timeout 60 "$NEXUSD" --config "$TMP/nexus.yaml" --check-config >"$TMP/nexusd.log" 2>&1
  rc=$?
  set -e
  cat "$TMP/nexusd.log"
  [ "$rc" -eq 0 ] || fail "nexusd --check-config exited with $rc"
  grep -q "example-ramdisk" "$TMP/nexusd.log" || fail "nexusd did not mention example-ramdisk"
else
  step "skip nexusd --check-config: $NEXUSD not built"
fi
echo "PASS: out-of-tree SDK example"
