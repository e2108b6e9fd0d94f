#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep po/POTFILES.in honest.

  check-potfiles.py SOURCE_ROOT

Fails when
  - a file under src/ or ui/ contains translatable strings (_(", N_(", C_(",
    NC_(", ngettext (, translatable="yes") but is not listed in
    po/POTFILES.in (nor in po/POTFILES.skip),
  - POTFILES.in lists a file that does not exist,
  - POTFILES.in is not sorted or lists a file twice.

Python 3 standard library only.
"""

import os
import re
import sys

SCANNED_DIRS = ('src', 'ui')
SCANNED_SUFFIXES = ('.c', '.h', '.ui', '.blp', '.py', '.in')

# C: _("…"), N_("…"), C_("ctx", "…"), NC_(…), ngettext (…), g_dngettext (…);
# a space before the parenthesis (GNU style) is allowed.
C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_)\s*\(\s*"'
                       r'|(?<![A-Za-z0-9_])(?:g_d?n|d?n)gettext\s*\(')
UI_MARKERS = re.compile(r'translatable\s*=\s*["\']yes["\']')


def read_list(path):
    """Entries of a POTFILES-style file, in order, without comments."""
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            # an optional "[type: gettext/glade]" prefix
            line = re.sub(r'^\[[^\]]*\]\s*', '', line)
            entries.append((number, line))
    return entries


def has_translatable_strings(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        return False
    return bool(C_MARKERS.search(text) or UI_MARKERS.search(text))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    potfiles_path = os.path.join(root, 'po', 'POTFILES.in')
    failures = []

    if not os.path.isfile(potfiles_path):
        print(f'FAIL: {potfiles_path} does not exist', file=sys.stderr)
        return 1

    entries = read_list(potfiles_path)
    listed = [name for _, name in entries]
    skipped = {name for _, name in read_list(os.path.join(root, 'po', 'POTFILES.skip'))}

    for number, name in entries:
        if not os.path.isfile(os.path.join(root, name)):
            failures.append(f'po/POTFILES.in:{number}: {name} does not exist')

    seen = set()
    for number, name in entries:
        if name in seen:
            failures.append(f'po/POTFILES.in:{number}: {name} is listed twice')
        seen.add(name)

    if listed != sorted(listed):
        for (number, a), (_, b) in zip(entries, entries[1:]):
            if a > b:
                failures.append(f'po/POTFILES.in:{number}: not sorted: {a} comes before {b}')
                break

    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                if not filename.endswith(SCANNED_SUFFIXES):
                    continue
                path = os.path.join(dirpath, filename)
                rel = os.path.relpath(path, root).replace(os.sep, '/')
                if rel in seen or rel in skipped:
                    continue
                if has_translatable_strings(path):
                    failures.append(f'{rel} has translatable strings but is missing from po/POTFILES.in')

    for failure in failures:
        print(f'FAIL: {failure}', file=sys.stderr)
    if failures:
        print(f'potfiles: {len(failures)} problem(s); po/POTFILES.in must list, sorted, '
              'every file with translatable strings', file=sys.stderr)
        return 1
    print(f'potfiles: {len(listed)} files listed, sorted, all present; '
          'no file with translatable strings is missing')
    return 0


if __name__ == '__main__':
    sys.exit(main())
