#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the build into a temporary DESTDIR and checks that every file a
distribution expects is where it expects it."""

import json
import os
import subprocess
import sys
import tempfile


def main():
    build_dir, app_id = sys.argv[1], sys.argv[2]
    options = json.loads(subprocess.run(["meson", "introspect", "--buildoptions", build_dir],
                                        check=True, capture_output=True, text=True).stdout)
    opt = {o["name"]: o["value"] for o in options}
    prefix = opt["prefix"].lstrip("/")
    datadir = os.path.join(prefix, opt["datadir"])
    expected = [
        os.path.join(prefix, opt["bindir"], "concurrency-lab"),
        os.path.join(prefix, opt["bindir"], "concurrency-lab-cli"),
        os.path.join(prefix, opt["libexecdir"], "concurrency-lab-worker"),
        os.path.join(datadir, "applications", app_id + ".desktop"),
        os.path.join(datadir, "metainfo", app_id + ".metainfo.xml"),
        os.path.join(datadir, "icons/hicolor/scalable/apps", app_id + ".svg"),
        os.path.join(datadir, "icons/hicolor/symbolic/apps", app_id + "-symbolic.svg"),
        os.path.join(datadir, "glib-2.0/schemas/io.github.concurrencylab.ConcurrencyLab.gschema.xml"),
        # The CPython runtime's kernels, where PKGDATADIR says
        os.path.join(datadir, "concurrency-lab", "concurrency-lab-kernels.py"),
    ]
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "po", "LINGUAS")) as f:
        for lang in f.read().split():
            expected.append(os.path.join(prefix, opt["localedir"], lang, "LC_MESSAGES", "concurrency-lab.mo"))

    with tempfile.TemporaryDirectory() as destdir:
        env = dict(os.environ, DESTDIR=destdir)
        r = subprocess.run(["meson", "install", "-C", build_dir, "--no-rebuild", "--quiet",
                            "--destdir", destdir], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            print(r.stdout, r.stderr, file=sys.stderr)
            print("FAIL: meson install into DESTDIR failed", file=sys.stderr)
            return 1
        missing = [p for p in expected if not os.path.isfile(os.path.join(destdir, p))]
        for p in expected:
            print(("missing " if p in missing else "ok      ") + "/" + p)
        if any(not os.access(os.path.join(destdir, p), os.X_OK) for p in expected[:3] if p not in missing):
            print("FAIL: an installed program is not executable", file=sys.stderr)
            return 1
    if missing:
        print(f"FAIL: {len(missing)} file(s) not installed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
