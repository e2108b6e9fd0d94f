#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when a translation is incomplete.

  check-po-complete.py FILE.po [FILE.po …] [--pot TEMPLATE.pot]

Fails when a .po file has
  - an entry (other than the header) whose msgstr, or any of whose
    msgstr[N] plural forms, is empty,
  - an entry flagged "#, fuzzy" (the header included: a fuzzy header is
    ignored by msgfmt, which loses the charset and the plural forms),
  - with --pot: a msgid of the template that the .po file does not have
    (the .po needs a msgmerge).

Obsolete entries ("#~") are ignored.  Python 3 standard library only.
"""

import argparse
import sys


def unquote(text):
    """The value of a PO string literal (without the quotes)."""
    out = []
    i = 0
    escapes = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', 'a': '\a',
               'b': '\b', 'f': '\f', 'v': '\v'}
    while i < len(text):
        c = text[i]
        if c == '\\' and i + 1 < len(text):
            out.append(escapes.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def parse(path):
    """Entries of a .po file: dicts with 'line', 'flags', 'msgctxt',
    'msgid', 'msgid_plural' and 'msgstr' (a list: one item, or one per
    plural form)."""
    entries = []
    entry = None
    field = None

    def finish():
        nonlocal entry
        if entry is not None and 'msgid' in entry:
            entries.append(entry)
        entry = None

    with open(path, encoding='utf-8') as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                finish()
                field = None
                continue
            if line.startswith('#~'):
                continue
            if entry is None:
                entry = {'line': number, 'flags': set(), 'msgctxt': None,
                         'msgid_plural': None, 'msgstr': {}}
            if line.startswith('#,'):
                entry['flags'].update(flag.strip() for flag in line[2:].split(','))
                continue
            if line.startswith('#'):
                continue
            if line.startswith('"'):
                value = unquote(line[1:-1])
                if field is None:
                    raise ValueError(f'{path}:{number}: string continuation without a keyword')
                if isinstance(field, int):
                    entry['msgstr'][field] += value
                else:
                    entry[field] += value
                continue
            keyword, _, rest = line.partition(' ')
            rest = rest.strip()
            if not (rest.startswith('"') and rest.endswith('"')):
                raise ValueError(f'{path}:{number}: cannot parse: {line}')
            value = unquote(rest[1:-1])
            if keyword in ('msgctxt', 'msgid', 'msgid_plural'):
                if keyword in ('msgctxt', 'msgid') and 'msgid' in entry and entry['msgstr']:
                    # a new entry without a blank line in between
                    flags = set()
                    finish()
                    entry = {'line': number, 'flags': flags, 'msgctxt': None,
                             'msgid_plural': None, 'msgstr': {}}
                entry[keyword] = value
                field = keyword
            elif keyword == 'msgstr':
                entry['msgstr'][0] = value
                field = 0
            elif keyword.startswith('msgstr[') and keyword.endswith(']'):
                index = int(keyword[len('msgstr['):-1])
                entry['msgstr'][index] = value
                field = index
            else:
                raise ValueError(f'{path}:{number}: unknown keyword {keyword}')
    finish()
    return entries


def key(entry):
    return (entry['msgctxt'], entry['msgid'])


def check(path, pot_keys):
    problems = []
    entries = parse(path)
    translated = 0
    for entry in entries:
        is_header = entry['msgid'] == '' and entry['msgctxt'] is None
        where = f'{path}:{entry["line"]}'
        label = 'the header' if is_header else repr(entry['msgid'][:60])
        if 'fuzzy' in entry['flags']:
            problems.append(f'{where}: {label} is fuzzy')
        if is_header:
            continue
        forms = [entry['msgstr'][i] for i in sorted(entry['msgstr'])]
        if not forms or any(form == '' for form in forms):
            problems.append(f'{where}: {label} is untranslated')
        elif 'fuzzy' not in entry['flags']:
            translated += 1
    if pot_keys is not None:
        have = {key(entry) for entry in entries}
        for missing in sorted(k for k in pot_keys if k not in have):
            problems.append(f'{path}: {missing[1][:60]!r} from the template is missing (run msgmerge)')
    return translated, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('po', nargs='+')
    parser.add_argument('--pot', help='template whose every msgid the .po files must have')
    args = parser.parse_args()

    pot_keys = None
    if args.pot:
        pot_keys = {key(e) for e in parse(args.pot) if not (e['msgid'] == '' and e['msgctxt'] is None)}

    failed = False
    for path in args.po:
        try:
            translated, problems = check(path, pot_keys)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            print(f'FAIL: {e}', file=sys.stderr)
            failed = True
            continue
        for problem in problems:
            print(f'FAIL: {problem}', file=sys.stderr)
        if problems:
            print(f'{path}: {len(problems)} problem(s), {translated} complete entries', file=sys.stderr)
            failed = True
        else:
            print(f'{path}: {translated} entries, all translated, none fuzzy')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
