#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Retakes the AppStream screenshots in data/screenshots/ from the real
# window: runs both demos with fixed settings, then captures the window.
#
#   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- build-aux/take-screenshots.sh
#
# Needs a build in ${BUILDDIR:-build}, xdotool and ImageMagick's import.
# Every figure in the pictures is measured on the machine that runs this.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-build}
out="$top/data/screenshots"
schema=io.github.concurrencylab.ConcurrencyLab

for tool in xdotool import gsettings; do
  command -v "$tool" >/dev/null || { echo "take-screenshots: $tool is missing" >&2; exit 1; }
done

config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
export GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config" \
       GSETTINGS_SCHEMA_DIR="$top/$builddir/data" GTK_A11Y=none GSK_RENDERER=cairo \
       LC_ALL=C.UTF-8 GDK_DEBUG=no-portals

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
set_key window-width 1280
set_key window-height 800

"$top/$builddir/src/app/concurrency-lab" &
app=$!
sleep 3
window=$(xdotool search --name '^Concurrency Lab$' | head -1)
xdotool windowfocus --sync "$window"

# Alt+1 / Alt+2 switch pages, Ctrl+Return compares the checked modes.
xdotool key alt+1; sleep 0.5; xdotool key ctrl+Return; sleep 55
import -window "$window" "$out/downloads.png"
xdotool key alt+2; sleep 0.5; xdotool key ctrl+Return; sleep 25
import -window "$window" "$out/cpu-kernels.png"

# Scroll the results down to the speed-up, the timeline and the CPU use.
eval "$(xdotool getwindowgeometry --shell "$window")"
xdotool mousemove $((X + 1000)) $((Y + 500))
for _ in 1 2 3 4 5 6 7 8 9 10; do xdotool click 5; sleep 0.05; done
sleep 1
import -window "$window" "$out/timeline.png"

kill "$app"
echo "Look at every picture in $out before committing it."
