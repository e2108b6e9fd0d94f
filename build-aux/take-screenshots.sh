#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Retakes the AppStream screenshots in data/screenshots/ from the real
# window: runs a demo with fixed settings at each size, in the light and the
# dark style, then captures the window.
#
#   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- build-aux/take-screenshots.sh [OUT]
#
# Needs a build in ${BUILDDIR:-build}, xdotool and ImageMagick's import.
# Every figure in the pictures is measured on the machine that runs this.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-build}
out=${1:-"$top/data/screenshots"}
schema=io.github.concurrencylab.ConcurrencyLab

for tool in xdotool import gsettings; do
  command -v "$tool" >/dev/null || { echo "take-screenshots: $tool is missing" >&2; exit 1; }
done
mkdir -p "$out"

config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
# GNOME's header bar buttons (without a desktop session GTK adds minimize
# and maximize).
mkdir -p "$config/gtk-4.0"
printf '[Settings]\ngtk-decoration-layout=:close\n' > "$config/gtk-4.0/settings.ini"
export GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config" \
       GSETTINGS_SCHEMA_DIR="$top/$builddir/data" GTK_A11Y=none GSK_RENDERER=cairo \
       LC_ALL=C.UTF-8 GDK_DEBUG=no-portals \
       CONCURRENCY_LAB_ICON_DIR="$top/data/icons/hicolor/scalable/apps"

set_key () { gsettings set "$schema" "$1" "$2"; }
set_key download-tasks 40
set_key download-delay-ms 200
set_key download-bytes 16384
set_key download-workers 20
set_key download-repeat 3
set_key download-modes "['sequential', 'threads', 'processes', 'async']"
set_key cpu-kernel "'primes'"
set_key cpu-size 4000000
set_key cpu-tasks 16
set_key cpu-repeat 3
set_key cpu-worker-sweep true
set_key cpu-modes "['sequential', 'threads', 'processes']"

# shoot NAME WIDTH HEIGHT STYLE PAGE SECONDS [SCROLL]: starts the window at
# WIDTH × HEIGHT in STYLE (light or dark), shows PAGE (Alt+1 or Alt+2),
# presses Start (Ctrl+Return), waits, scrolls the results down SCROLL
# steps, captures the window as NAME.png.
shoot () {
  set_key window-width "$2"
  set_key window-height "$3"
  ADW_DEBUG_COLOR_SCHEME=prefer-$4 "$top/$builddir/src/app/concurrency-lab" &
  app=$!
  sleep 3
  window=$(xdotool search --name '^Concurrency Lab$' | head -1)
  xdotool windowfocus --sync "$window"
  xdotool key "alt+$5"; sleep 0.5; xdotool key ctrl+Return; sleep "$6"
  if [ "${7:-0}" -gt 0 ]; then
    eval "$(xdotool getwindowgeometry --shell "$window")"
    xdotool mousemove $((X + WIDTH * 3 / 4)) $((Y + HEIGHT * 7 / 8))
    i=0
    while [ "$i" -lt "$7" ]; do xdotool click 5; sleep 0.05; i=$((i + 1)); done
    sleep 1
  fi
  import -window "$window" "$out/$1.png"
  kill "$app"; wait "$app" 2>/dev/null || true
}

shoot downloads 1280 800 light 1 55
shoot cpu-kernels 1280 800 dark 2 25
shoot timeline 1280 800 light 2 25 15
shoot cpu-kernels-800x600 800 600 light 2 25
shoot downloads-800x600 800 600 dark 1 55
shoot cpu-kernels-360x640 360 640 light 2 25
shoot downloads-360x640 360 640 dark 1 55

echo "Look at every picture in $out before committing it."
