#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The sanitizer stages of CI (README, "Sanitizers"), with clang 14:
#   build-aux/sanitize.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer
#                                (LeakSanitizer on) in build-asan/: the non-GUI
#                                tests, suites core and cli but not slow
#   build-aux/sanitize.sh tsan   ThreadSanitizer in build-tsan/: suite core
#                                (every C test without the window)
#   build-aux/sanitize.sh        both
# Installs clang itself (Debian 12); build-aux/dev.sh sanitize installs the
# build dependencies first. A stage fails on a failing test and on any
# sanitizer report, from a test or from a process it started.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# clang-14 and its sanitizer runtimes; llvm-symbolizer for the reports.
packages="clang-14 libclang-rt-14-dev llvm-14"
llvm_bin=/usr/lib/llvm-14/bin

install_clang () {
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  if dpkg-query -W -f='${db:Status-Status}\n' $packages 2>&1 | grep -qv '^installed$'; then
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $packages
  fi
}

# setup DIR OPTION...: configures DIR with clang, or reconfigures it.
setup () {
  dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@"
  else
    CC=$llvm_bin/clang meson setup "$dir" "$@"
  fi
}

# run_tests DIR TIMEOUT_MULTIPLIER MESON_TEST_ARGS...: runs the tests, then
# fails on any report that a process left in DIR/sanitizer-reports
# (tests/meson.build points every sanitizer's log_path there).
run_tests () {
  dir=$1
  multiplier=$2
  shift 2
  rm -rf "$dir/sanitizer-reports"
  mkdir -p "$dir/sanitizer-reports"
  status=0
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "$multiplier" "$@" || status=$?
  for report in "$dir"/sanitizer-reports/*; do
    [ -e "$report" ] || continue
    echo "=== sanitizer report: $report" >&2
    cat "$report" >&2
    status=1
  done
  return $status
}

# timed NAME COMMAND...: runs COMMAND and says how long it took.
timed () {
  name=$1
  shift
  start=$(date +%s)
  status=0
  "$@" || status=$?
  echo "sanitize: $name took $(($(date +%s) - start)) s" >&2
  return $status
}

stage_asan () {
  # The GTK application is left out (-Dgui=disabled): the window's tests
  # are not part of this stage. UndefinedBehaviorSanitizer stops at the
  # first finding (-fno-sanitize-recover). libstdc++ is linked in because
  # libproxy, which GIO loads, throws C++ exceptions, and the ASan runtime
  # can intercept __cxa_throw only if libstdc++ is there when it starts.
  setup build-asan -Dgui=disabled -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args="-fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -Dc_link_args="-fno-sanitize-recover=all -Wl,--no-as-needed,-lstdc++,--as-needed"
  timed "asan build" meson compile -C build-asan
  timed "asan tests" run_tests build-asan 3 --suite core --suite cli --no-suite slow
}

stage_tsan () {
  # src/core/base/lab-tsan-glib.c describes GLib's synchronisation to
  # ThreadSanitizer; tests/sanitizers/tsan.supp holds what remains.
  setup build-tsan -Dgui=disabled -Db_sanitize=thread -Db_lundef=false \
    -Dc_args="-fno-omit-frame-pointer"
  timed "tsan build" meson compile -C build-tsan
  timed "tsan tests" run_tests build-tsan 5 --suite core
}

install_clang
export PATH="$llvm_bin:$PATH"

case "${1:-all}" in
  asan) stage_asan ;;
  tsan) stage_tsan ;;
  all)
    stage_asan
    stage_tsan
    ;;
  *)
    echo "usage: build-aux/sanitize.sh [asan|tsan]" >&2
    exit 2
    ;;
esac
