#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The fuzz stage (build-aux/dev.sh fuzz): installs clang and libFuzzer if
# they are missing, builds the fuzz targets of tests/fuzz into build-fuzz/
# (-Dfuzzing=true: libFuzzer, AddressSanitizer, UBSan), and runs each for
# a bounded time, starting from a copy of its seed corpus (the tree is not
# changed). Fails on any crash, failed check, leak, time-out or memory
# over the limit, leaving the input that caused it in
# build-fuzz/fuzz-artifacts/; prints how many inputs each target ran.
#
#   build-aux/fuzz.sh [SECONDS [TARGET...]]    default: 30 s each, all five
#
# FUZZ_RSS_MB (1024) caps the memory of a target, FUZZ_TIMEOUT_S (10) the
# time of one input, FUZZ_BUILDDIR (build-fuzz) is the build directory.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=${FUZZ_BUILDDIR:-build-fuzz}
seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-protocol workload urls csv http-path}
rss_mb=${FUZZ_RSS_MB:-1024}
timeout_s=${FUZZ_TIMEOUT_S:-10}

install_deps () {
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  packages="$(grep -v '^#' build-aux/debian-packages.txt | tr '\n' ' ') clang libclang-rt-14-dev"
  if dpkg-query -W -f='${db:Status-Status}\n' $packages 2>&1 | grep -qv '^installed$'; then
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $packages
  fi
}

install_deps
if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true -Dgui=disabled
fi
# Regenerated first if a meson.build changed, so that new targets exist.
ninja -C "$builddir" build.ninja > /dev/null
meson compile -C "$builddir" $(for t in $targets; do printf 'fuzz-%s ' "$t"; done)

# The seed corpora first, every input once (the reproducers of what was
# found before): a quick failure names the input.
meson test -C "$builddir" --no-rebuild --print-errorlogs --suite fuzz $(for t in $targets; do printf 'fuzz-%s ' "$t"; done)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$builddir/fuzz-artifacts"
# A smaller quarantine than ASan's 256 MiB keeps a long run under the
# memory cap; GLib's slices as plain malloc, so that leaks are seen.
export ASAN_OPTIONS="quarantine_size_mb=64:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1"
export G_SLICE=always-malloc LC_ALL=C.UTF-8 GSETTINGS_BACKEND=memory

start=$(date +%s)
failed=
summary=
for t in $targets; do
  cp -r "tests/fuzz/corpus/$t" "$work/$t"
  dict=
  if [ -f "tests/fuzz/$t.dict" ]; then dict="-dict=tests/fuzz/$t.dict"; fi
  # Inputs of a few KiB explore fastest; the protocol's messages are cut at
  # 8 KiB, so its inputs may be longer. (The seeds over the limit, the
  # reproducers of lines too long, still run whole as tests.)
  case $t in
    protocol) max_len=20000 ;;
    *) max_len=4096 ;;
  esac
  echo "fuzz-$t: $seconds s from $(ls "$work/$t" | wc -l) seeds"
  if "$builddir/tests/fuzz/fuzz-$t" $dict -max_total_time="$seconds" -rss_limit_mb="$rss_mb" \
       -malloc_limit_mb="$rss_mb" -timeout="$timeout_s" -max_len="$max_len" -print_final_stats=1 \
       -artifact_prefix="$builddir/fuzz-artifacts/$t-" "$work/$t" > "$work/$t.log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed="$failed $t"
    tail -n 60 "$work/$t.log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
  corpus=$(ls "$work/$t" | wc -l)
  summary="$summary$(printf '%-16s %-7s %12s inputs %8s/s  corpus %s' "fuzz-$t" "$result" \
    "${runs:-?}" "${speed:-?}" "$corpus")
"
done

printf '\n%s' "$summary"
echo "fuzzing took $(($(date +%s) - start)) s"
if [ -n "$failed" ]; then
  echo "fuzzing failed:$failed (inputs in $builddir/fuzz-artifacts/)" >&2
  exit 1
fi
