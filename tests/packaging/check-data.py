#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Packaging checks that the stock validators do not make.

  check-data.py --source-root DIR icons --metainfo FILE [--desktop FILE]
      Every icon the metainfo (and the desktop file) names exists in the
      repository as a scalable SVG, and its symbolic variant exists too.

  check-data.py --source-root DIR screenshots --metainfo FILE
      Every screenshot URL points into this repository
      (raw.githubusercontent.com/<owner>/<repo>/<branch>/PATH) and PATH is
      a PNG file in the checkout.

  check-data.py --source-root DIR manifest --manifest FILE --app-id ID
                [--development]
      flatpak-builder parses the manifest, and it names the app ID, command,
      runtime, SDK and least-privilege finish-args we expect, with the
      project as the last module built by meson.  Exits 77 (skipped for
      meson) when flatpak-builder is not installed.

Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77

REPO_RAW_PREFIX = 'https://raw.githubusercontent.com/concurrencylab/concurrency-lab/main/'
SCREENSHOT_DIR = 'data/screenshots/'
ICON_DIR = 'data/icons/hicolor'
DEVEL_SUFFIX = '.Devel'

EXPECTED_COMMAND = 'concurrency-lab'
EXPECTED_RUNTIME = 'org.gnome.Platform'
EXPECTED_SDK = 'org.gnome.Sdk'
EXPECTED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
]
EXPECTED_CLEANUP = ['/include', '/lib/pkgconfig', '*.a', '*.la']


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def fail(self, message):
        self.failures.append(message)
        print(f'FAIL: {message}', file=sys.stderr)

    def ok(self, message):
        print(f'ok: {message}')

    def finish(self):
        if self.failures:
            print(f'{self.name}: {len(self.failures)} problem(s)', file=sys.stderr)
            return 1
        print(f'{self.name}: all checks passed')
        return 0


def parse_xml(path, checker):
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        checker.fail(f'cannot parse {path}: {e}')
        return None


def desktop_icon(path, checker):
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        checker.fail(f'cannot read {path}: {e}')
        return None
    in_entry = False
    for line in lines:
        line = line.strip()
        if line.startswith('['):
            in_entry = line == '[Desktop Entry]'
        elif in_entry and line.startswith('Icon='):
            return line[len('Icon='):].strip()
    checker.fail(f'{path} has no Icon= key in [Desktop Entry]')
    return None


def icon_source_name(name):
    # The installed icon of the development build is renamed at install time;
    # the repository holds only the file named after the base app ID.
    if name.endswith(DEVEL_SUFFIX):
        return name[:-len(DEVEL_SUFFIX)]
    return name


def check_svg(path, checker):
    root = parse_xml(path, checker)
    if root is None:
        return
    if root.tag not in ('svg', '{http://www.w3.org/2000/svg}svg'):
        checker.fail(f'{path} is not an SVG document (root <{root.tag}>)')
        return
    checker.ok(f'{os.path.relpath(path)} is an SVG')


def cmd_icons(args):
    c = Checker('metainfo-icons')
    names = []
    root = parse_xml(args.metainfo, c)
    if root is not None:
        for icon in root.findall('icon'):
            kind = icon.get('type')
            value = (icon.text or '').strip()
            if kind == 'stock':
                names.append(value)
            elif kind == 'local':
                # an absolute path where the icon gets installed; we only ship
                # stock (themed) icons, so a local one must be a mistake
                c.fail(f'metainfo names a local icon {value!r}; use a stock icon')
            elif kind == 'remote':
                c.fail(f'metainfo names a remote icon {value!r}; use a stock icon')
            else:
                c.fail(f'metainfo <icon> of unknown type {kind!r}')
        launchable_ids = [(l.text or '').strip() for l in root.findall('launchable')
                          if l.get('type') == 'desktop-id']
        cid = (root.findtext('id') or '').strip()
        if not launchable_ids:
            c.fail('metainfo has no <launchable type="desktop-id">')
        for lid in launchable_ids:
            if lid != cid + '.desktop':
                c.fail(f'launchable {lid!r} does not match the component ID {cid!r}')
    if args.desktop:
        icon = desktop_icon(args.desktop, c)
        if icon is not None:
            names.append(icon)
            if root is not None:
                cid = (root.findtext('id') or '').strip()
                if icon != cid:
                    c.fail(f'desktop file Icon={icon} differs from the component ID {cid}')
            if os.path.basename(args.desktop) != icon + '.desktop':
                c.fail(f'desktop file {os.path.basename(args.desktop)} is not named after Icon={icon}')
    if not names:
        c.fail('no icon is named by the metainfo or the desktop file')
    for name in sorted(set(names)):
        if '/' in name or name.endswith('.svg') or name.endswith('.png'):
            c.fail(f'icon {name!r} must be a theme icon name, not a path')
            continue
        base = icon_source_name(name)
        scalable = os.path.join(args.source_root, ICON_DIR, 'scalable', 'apps', base + '.svg')
        symbolic = os.path.join(args.source_root, ICON_DIR, 'symbolic', 'apps', base + '-symbolic.svg')
        for path in (scalable, symbolic):
            if os.path.isfile(path):
                check_svg(path, c)
            else:
                c.fail(f'icon {name!r}: {os.path.relpath(path, args.source_root)} does not exist')
    return c.finish()


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def cmd_screenshots(args):
    c = Checker('metainfo-screenshots')
    root = parse_xml(args.metainfo, c)
    if root is None:
        return c.finish()
    shots = root.findall('screenshots/screenshot')
    if len(shots) < 3:
        c.fail(f'metainfo has {len(shots)} screenshot(s); at least 3 are expected')
    defaults = [s for s in shots if s.get('type') == 'default']
    if len(defaults) != 1:
        c.fail(f'{len(defaults)} screenshots are marked type="default"; exactly one must be')
    for shot in shots:
        images = shot.findall('image')
        if not images:
            c.fail('a <screenshot> has no <image>')
        if not (shot.findtext('caption') or '').strip():
            c.fail('a <screenshot> has no <caption>')
        for image in images:
            url = (image.text or '').strip()
            if not url.startswith(REPO_RAW_PREFIX):
                c.fail(f'screenshot URL {url!r} does not start with {REPO_RAW_PREFIX}')
                continue
            rel = url[len(REPO_RAW_PREFIX):]
            if not rel.startswith(SCREENSHOT_DIR) or '..' in rel.split('/'):
                c.fail(f'screenshot URL {url!r} does not point into {SCREENSHOT_DIR}')
                continue
            path = os.path.join(args.source_root, *rel.split('/'))
            if not os.path.isfile(path):
                c.fail(f'screenshot {rel} (named by {url}) does not exist in the repository')
                continue
            size = png_size(path)
            if size is None:
                c.fail(f'screenshot {rel} is not a PNG file')
                continue
            width, height = size
            for attr, actual in (('width', width), ('height', height)):
                declared = image.get(attr)
                if declared is not None and declared != str(actual):
                    c.fail(f'screenshot {rel}: {attr}="{declared}" but the PNG is {actual}')
            c.ok(f'{rel} exists ({width}×{height})')
    return c.finish()


def show_manifest(flatpak_builder, manifest, c):
    # --show-manifest only parses the file (and its included modules) and
    # prints the result as JSON: no runtime or network needed.  Run it in a
    # scratch directory so that nothing is left in the checkout.
    with tempfile.TemporaryDirectory(prefix='check-manifest-') as scratch:
        proc = subprocess.run([flatpak_builder, '--show-manifest', os.path.abspath(manifest)],
                              cwd=scratch, capture_output=True, text=True)
    if proc.returncode != 0:
        c.fail(f'flatpak-builder --show-manifest failed ({proc.returncode}): {proc.stderr.strip()}')
        return None
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        c.fail(f'flatpak-builder --show-manifest printed no JSON: {e}')
        return None


def cmd_manifest(args):
    c = Checker(f'flatpak-manifest {os.path.basename(args.manifest)}')
    flatpak_builder = shutil.which('flatpak-builder')
    if flatpak_builder is None:
        print('flatpak-builder is not installed: skipping', file=sys.stderr)
        return SKIP
    if not os.path.isfile(args.manifest):
        c.fail(f'{args.manifest} does not exist')
        return c.finish()
    if os.path.basename(args.manifest) != args.app_id + '.json':
        c.fail(f'manifest file name {os.path.basename(args.manifest)} is not {args.app_id}.json')
    m = show_manifest(flatpak_builder, args.manifest, c)
    if m is None:
        return c.finish()

    def expect(key, want):
        got = m.get(key)
        if got != want:
            c.fail(f'{key} is {got!r}, expected {want!r}')
        else:
            c.ok(f'{key} = {got!r}')

    app_id = m.get('app-id', m.get('id'))
    if app_id != args.app_id:
        c.fail(f'app-id is {app_id!r}, expected {args.app_id!r}')
    else:
        c.ok(f'app-id = {app_id!r}')
    expect('command', EXPECTED_COMMAND)
    expect('runtime', EXPECTED_RUNTIME)
    expect('sdk', EXPECTED_SDK)
    if not str(m.get('runtime-version', '')).strip():
        c.fail('runtime-version is missing')

    finish_args = m.get('finish-args', [])
    if sorted(finish_args) != sorted(EXPECTED_FINISH_ARGS) or len(set(finish_args)) != len(finish_args):
        c.fail(f'finish-args are {finish_args}, expected exactly {EXPECTED_FINISH_ARGS}')
    else:
        c.ok('finish-args are the expected least-privilege set')
    for arg in finish_args:
        if arg.startswith('--filesystem'):
            c.fail(f'finish-args grant file system access ({arg}); exports go through the portal')

    cleanup = m.get('cleanup', [])
    for item in EXPECTED_CLEANUP:
        if item not in cleanup:
            c.fail(f'cleanup does not remove {item!r}')

    modules = m.get('modules', [])
    if not modules:
        c.fail('manifest has no modules')
        return c.finish()
    last = modules[-1]
    if not isinstance(last, dict):
        c.fail(f'the last module is {last!r}, not an inline module')
        return c.finish()
    if last.get('buildsystem') != 'meson':
        c.fail(f'the last module builds with {last.get("buildsystem")!r}, expected meson')
    else:
        c.ok(f'last module {last.get("name")!r} builds with meson')
    dir_sources = [s for s in last.get('sources', [])
                   if isinstance(s, dict) and s.get('type') == 'dir']
    if not dir_sources:
        c.fail('the last module has no "dir" source pointing at the checkout')
    else:
        manifest_dir = os.path.dirname(os.path.abspath(args.manifest))
        for s in dir_sources:
            target = os.path.normpath(os.path.join(manifest_dir, s.get('path', '')))
            if target != os.path.normpath(os.path.abspath(args.source_root)):
                c.fail(f'the dir source {s.get("path")!r} is not the checkout')
            else:
                c.ok('the last module is built from the checkout')
    opts = last.get('config-opts', [])
    if args.development and '-Ddevelopment=true' not in opts:
        c.fail(f'config-opts {opts} lack -Ddevelopment=true')
    if not args.development and any(o.startswith('-Ddevelopment=true') for o in opts):
        c.fail('the stable manifest builds with -Ddevelopment=true')
    return c.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source-root', required=True)
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('icons')
    p.add_argument('--metainfo', required=True)
    p.add_argument('--desktop')

    p = sub.add_parser('screenshots')
    p.add_argument('--metainfo', required=True)

    p = sub.add_parser('manifest')
    p.add_argument('--manifest', required=True)
    p.add_argument('--app-id', required=True)
    p.add_argument('--development', action='store_true')

    args = parser.parse_args()
    commands = {'icons': cmd_icons, 'screenshots': cmd_screenshots, 'manifest': cmd_manifest}
    return commands[args.command](args)


if __name__ == '__main__':
    sys.exit(main())
