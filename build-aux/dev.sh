#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The developer commands:
#   build-aux/dev.sh run    install the build dependencies, build, start the main job
#   build-aux/dev.sh test   install the dependencies, build, run the whole test suite
#   build-aux/dev.sh sanitize [asan|tsan]   the sanitizer stages (build-aux/sanitize.sh)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=${BUILDDIR:-build}

install_deps () {
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  packages=$(grep -v '^#' build-aux/debian-packages.txt | tr '\n' ' ')
  # Skip apt when everything is installed already (each package says "installed").
  if dpkg-query -W -f='${db:Status-Status}\n' $packages 2>&1 | grep -qv '^installed$'; then
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $packages
  fi
}

build () {
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir"
  fi
  meson compile -C "$builddir"
}

case "${1:-}" in
  run)
    install_deps
    build
    # The main job: the window (downloads go to its embedded server by
    # default). Without a display, a CPU experiment in the terminal instead.
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      exec meson devenv -C "$builddir" concurrency-lab
    fi
    echo "No display: running the CPU demo in the terminal instead of the window." >&2
    exec meson devenv -C "$builddir" concurrency-lab-cli run --workload cpu:primes --csv "$top/results.csv"
    ;;
  test)
    install_deps
    build
    exec xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
      meson test -C "$builddir" --print-errorlogs --num-processes 2
    ;;
  fuzz) shift; exec "$top/build-aux/fuzz.sh" "$@" ;;  # build-fuzz/, each fuzz target 30 s
  sanitize)
    install_deps
    exec ./build-aux/sanitize.sh "${2:-all}"
    ;;
  *)
    echo "usage: build-aux/dev.sh run|test|fuzz [SECONDS [TARGET…]]|sanitize [asan|tsan|all]" >&2
    exit 2
    ;;
esac
