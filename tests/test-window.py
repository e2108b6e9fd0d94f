#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end test of the real window, driven through AT-SPI with dogtail.

  test-window.py APP_EXE SCHEMA_DIR [--history]

Runs inside the test suite's `xvfb-run -a dbus-run-session`; exits 77
(skipped) without a display, without dogtail or without the AT-SPI bus
launcher. Set CONCURRENCY_LAB_SCREENSHOTS=DIR to save a screenshot of each
page there (needs ImageMagick's `import`).

With --history, checks the History page instead: runs listed, read back,
compared, exported and deleted, and a run whose window was killed with
SIGKILL listed as interrupted with its completed repetitions, and none
of its workers left running. The history lives in a temporary
XDG_DATA_HOME; the test reads its database with Python's sqlite3.
"""

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

SKIP = 77
BUS_LAUNCHER = '/usr/libexec/at-spi-bus-launcher'
SCHEMA = 'io.github.concurrencylab.ConcurrencyLab'

# Small experiments, so that the test takes seconds.
SETTINGS = {
    'download-tasks': '8',
    'download-delay-ms': '100',
    'download-bytes': '1024',
    'download-repeat': '1',
    'download-urls': '@as []',
    'download-use-server': 'true',
    'download-modes': "['sequential', 'threads', 'processes']",
    'cpu-kernel': "'primes'",
    'cpu-size': '200000',
    'cpu-tasks': '8',
    'cpu-repeat': '1',
    'cpu-worker-sweep': 'false',
    'cpu-modes': "['sequential', 'threads', 'processes']",
    'pipeline-documents': '12',
    'pipeline-bytes': '4096',
    'pipeline-rounds': '2000',
    'pipeline-delay-ms': '20',
    'pipeline-workers': '2',
    'pipeline-repeat': '1',
    'pipeline-modes': "['sequential', 'threads', 'gil', 'processes', 'hybrid']",
    'claims-quick': 'true',
    'window-width': '1280',
    'window-height': '800',
}


def fail(message):
    screenshot('failure')
    print(f'not ok: {message}', file=sys.stderr)
    sys.exit(1)


def wait_for(what, predicate, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # AT-SPI nodes come and go while the UI updates
            value = None
        if value:
            return value
        time.sleep(interval)
    fail(f'timed out after {timeout:.0f} s waiting for {what}')


def gsettings(env, *args):
    subprocess.run(['gsettings', *args], env=env, check=True)


def screenshot(name):
    directory = os.environ.get('CONCURRENCY_LAB_SCREENSHOTS')
    if not directory or shutil.which('import') is None:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name + '.png')
    subprocess.run(['import', '-window', 'root', path], check=True)
    print(f'# screenshot {path}')


def name_of(node):
    """@node's name, or None when it went away meanwhile: GTK removes the
    accessible of a widget it hides or destroys, and libatspi then answers
    for it "The application no longer exists"."""
    from gi.repository import GLib
    try:
        return node.name
    except GLib.GError as error:
        if error.domain == 'atspi_error' and error.message == 'The application no longer exists':
            return None
        raise


def named(node, name):
    """GTK 4.8 names a control by its own label and its labelling row,
    e.g. "C_ompare Compare" or "Workers Workers": match the last words."""
    text = (name_of(node) or '').strip()
    return text == name or text.endswith(' ' + name)


class Window:
    def __init__(self, app):
        from dogtail import predicate
        self.app = app
        self.predicate = predicate
        self.page = app

    def find_all(self, role=None, name=None, contains=None, scope=None):
        # GTK 4.8 reports every node as not showing: search the current
        # page's subtree instead of filtering on "showing".
        scope = scope or self.page
        found = scope.findChildren(self.predicate.GenericPredicate(roleName=role),
                                   showingOnly=False)
        if name is not None:
            found = [n for n in found if named(n, name)]
        if contains is not None:
            found = [n for n in found if contains in (name_of(n) or '')]
        return found

    def find(self, role=None, name=None, contains=None, scope=None):
        found = self.find_all(role, name, contains, scope)
        return found[0] if found else None

    def need(self, what, role=None, name=None, contains=None, timeout=15.0, scope=None):
        return wait_for(what, lambda: self.find(role, name, contains, scope), timeout)

    def click(self, node):
        node.doActionNamed('click')

    def clickable(self, what, role, name, scope=None):
        """GTK 4.8 shows a menu button as two nodes of the same name: the
        one that has an action is the one to click."""
        def find():
            for node in self.find_all(role=role, name=name, scope=scope):
                try:
                    if 'click' in node.actions:
                        return node
                except Exception:
                    pass
            return None
        return wait_for(what, find, timeout=15)

    def export(self, item, path, button='Export'):
        """Chooses an item of the menu button @button and saves through the
        real file chooser (GtkFileChooserDialog: the tests run without portals)."""
        self.click(self.clickable(f'the {button} menu button', 'push button', button))
        time.sleep(0.5)  # the popover opens with an animation
        self.click(self.clickable(f'menu item "{item}"', 'menu item', item))
        name = self.need('the file name field', role='text', name='Name:', scope=self.app)
        name.text = path
        self.click(self.clickable('the Save button', 'push button', 'Save', scope=self.app))
        wait_for('the file chooser to close',
                 lambda: self.find(role='text', name='Name:', scope=self.app) is None, timeout=10)

    def switch_to(self, index, title):
        tab = self.need(f'page tab "{title}"', role='page tab', name=title, scope=self.app)
        self.click(tab)
        pages = self.find_all(role='filler', name='LabExperimentPage', scope=self.app)
        if len(pages) < 2:
            fail(f'expected 2 experiment pages, found {len(pages)}')
        self.page = pages[index]
        time.sleep(0.3)

    def open_page(self, title, name):
        """Opens the page of tab @title, the widget named @name, as the
        one to look in."""
        tab = self.need(f'page tab "{title}"', role='page tab', name=title, scope=self.app)
        self.click(tab)
        self.page = self.need(f'the {title} page', role='filler', name=name, scope=self.app)
        time.sleep(0.3)

    def set_spin(self, name, value):
        spin = self.need(f'spin button "{name}"', role='spin button', name=name)
        spin.value = value
        wait_for(f'"{name}" = {value}', lambda: abs(spin.value - value) < 0.5, timeout=5)

    def status(self, *texts):
        """The status line, e.g. "Finished" or "Cancelled: stopped 3 ms
        after the request": the first of @texts it starts with."""
        for node in self.find_all(role='label'):
            for text in texts:
                if (name_of(node) or '').startswith(text):
                    return text
        return None

    def status_line(self, text):
        return next(n.name for n in self.find_all(role='label') if (n.name or '').startswith(text))

    def start_button(self, label='Start'):
        return self.clickable(f'the header bar\'s {label} button', 'push button', label, scope=self.app)

    def run_and_wait(self, what, click):
        """Clicks @click and waits for the run to end; returns how it ended."""
        self.click(click)
        wait_for(f'{what} to start', lambda: self.status('Running…', 'Finished', 'Run failed'), timeout=10)
        return wait_for(f'{what} to finish', lambda: self.status('Finished', 'Run failed', 'Cancelled'),
                        timeout=120, interval=0.25)

    def table_labels(self, contains=None, endswith=None):
        table = self.need('the results table', role='tree table', name='Results')
        # Not the column headers ("Median ± MAD", "Speed-up"…).
        labels = [name for n, name in ((n, name_of(n)) for n in self.find_all(role='label', scope=table))
                  if name and n.getRoleName() != 'column header' and n.parent.getRoleName() != 'column header'
                  and 'MAD' not in name]
        if contains is not None:
            labels = [t for t in labels if contains in t]
        if endswith is not None:
            labels = [t for t in labels if t.endswith(endswith)]
        return labels

    def label_containing(self, text):
        node = self.find(role='label', contains=text)
        return node.name if node is not None else None

    def compare_and_check(self, page, n_cells):
        result = self.run_and_wait(page, self.start_button())
        if result != 'Finished':
            reasons = [n.name for n in self.find_all(role='label', contains='failed', scope=self.app)]
            fail(f'{page}: run ended as {result!r} {reasons}')
        speedups = wait_for('speed-ups in the results table', lambda: self.table_labels(endswith='×'), timeout=10)
        medians = self.table_labels(contains=' ± ')
        if len(medians) < n_cells:
            fail(f'{page}: expected {n_cells} median cells, found {medians}')
        window_line = self.need('the window line', role='label', contains='The window')
        if ' ms' not in window_line.name or 'of CPU' not in window_line.name:
            fail(f'{page}: the window line gives no figures: {window_line.name!r}')
        explanation = [n.name for n in self.find_all(role='label', contains=' sequential')]
        if not explanation:
            fail(f'{page}: no explanation line')
        if any('1.00× slower' in line for line in explanation):
            fail(f'{page}: "1.00× slower": {explanation}')
        print(f'ok - {page}: medians {medians}; speed-ups {speedups}; {window_line.name!r}; {explanation[0]!r}')


def inside(node, frame):
    """Whether @node is drawn within @frame's bounds, on screen."""
    (x, y), (w, h) = node.position, node.size
    (fx, fy), (fw, fh) = frame.position, frame.size
    return w > 0 and h > 0 and fx <= x and x + w <= fx + fw and fy <= y and y + h <= fy + fh


def check_start_visible(window, frame, size):
    start = window.start_button()
    if not inside(start, frame):
        fail(f'at {size}, the Start button at {start.position} {start.size} is outside '
             f'the window at {frame.position} {frame.size}')
    print(f'ok - at {size}, Start is in view at {start.position}')


def check_exports(window, n_cells, n_tasks):
    """Every export of the CPU page, through the menu and the file chooser;
    a failed one says why and loses nothing."""
    directory = tempfile.mkdtemp(prefix='concurrency-lab-export-')
    try:
        # /proc takes no new files, not even from root.
        window.export('Results as CSV…', '/proc/results.csv')
        toast = window.need('the error toast', role='label', contains='Could not save', scope=window.app)
        print(f'ok - unwritable export path: {toast.name!r}')

        paths = {item: os.path.join(directory, name) for item, name in (
            ('Results as CSV…', 'results.csv'),
            ('Task Spans as CSV…', 'spans.csv'),
            ('Trace for Perfetto…', 'trace.json'),
            ('Wall time as PNG…', 'wall.png'),
            ('Timeline as SVG…', 'timeline.svg'))}
        for item, path in paths.items():
            window.export(item, path)
            wait_for(f'{path} to be written', lambda: os.path.getsize(path) > 0, timeout=10)

        with open(paths['Results as CSV…'], newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        header = rows[0]
        if header[:2] != ['run_id', 'started_at'] or header.index('ui_cpu_s') != header.index('ui_max_stall_ms') + 1:
            fail(f'results CSV header: {header}')
        if len(rows) != 1 + n_cells:
            fail(f'results CSV: expected {n_cells} rows, found {len(rows) - 1}')
        modes = sorted(row[header.index('mode')] for row in rows[1:])
        stalls = [float(row[header.index('ui_max_stall_ms')]) for row in rows[1:]]
        ui_cpu = [float(row[header.index('ui_cpu_s')]) for row in rows[1:]]
        background = [float(row[header.index('background_cpu')]) for row in rows[1:]]
        if modes != ['processes', 'sequential', 'threads'] or min(stalls) < 0 or min(ui_cpu) < 0:
            fail(f'results CSV: modes {modes}, stalls {stalls}, UI CPU {ui_cpu}')
        if not all(0 <= b <= 1 for b in background):
            fail(f'results CSV: background_cpu {background}')

        with open(paths['Task Spans as CSV…'], newline='', encoding='utf-8') as f:
            spans = list(csv.reader(f))
        if len(spans) != 1 + n_cells * n_tasks:
            fail(f'spans CSV: expected {n_cells * n_tasks} rows, found {len(spans) - 1}')

        with open(paths['Trace for Perfetto…'], encoding='utf-8') as f:
            trace = json.load(f)
        events = trace['traceEvents'] if isinstance(trace, dict) else trace
        tasks = [e for e in events if e.get('ph') == 'X' and e.get('cat') != 'repetition']
        if len(tasks) != n_cells * n_tasks:
            fail(f'trace: expected {n_cells * n_tasks} task events, found {len(tasks)}')

        with open(paths['Wall time as PNG…'], 'rb') as f:
            if f.read(8) != b'\x89PNG\r\n\x1a\n':
                fail('the PNG export is not a PNG file')
        with open(paths['Timeline as SVG…'], encoding='utf-8') as f:
            if '<svg' not in f.read(4096):
                fail('the SVG export is not an SVG file')

        # The results are still there after all this.
        table = window.need('the results table', role='tree table', name='Results')
        if len(window.find_all(role='label', contains=' ± ', scope=table)) < n_cells + 1:
            fail('the results table lost rows during the exports')
        print(f'ok - exported results ({len(rows) - 1} rows, with ui_max_stall_ms, ui_cpu_s, background_cpu), '
              f'spans ({len(spans) - 1}), trace ({len(tasks)} tasks), PNG and SVG charts')
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    if len(sys.argv) == 4 and sys.argv[3] == '--history':
        app_exe, schema_dir, _ = sys.argv[1:]
        history = True
    elif len(sys.argv) == 3:
        app_exe, schema_dir = sys.argv[1:]
        history = False
    else:
        print(__doc__, file=sys.stderr)
        return 2

    if not os.environ.get('DISPLAY'):
        print('1..0 # SKIP no X display (run under xvfb-run)')
        return SKIP
    if not os.path.exists(BUS_LAUNCHER):
        print(f'1..0 # SKIP {BUS_LAUNCHER} is missing (install at-spi2-core)')
        return SKIP
    try:
        import dogtail  # noqa: F401
    except ImportError:
        print('1..0 # SKIP dogtail is missing (install python3-dogtail)')
        return SKIP

    config_home = tempfile.mkdtemp(prefix='concurrency-lab-test-')
    # Without a desktop session (Xvfb), GTK would add minimize and maximize
    # buttons to the header bar; GNOME's default layout has only close.
    os.makedirs(os.path.join(config_home, 'gtk-4.0'))
    with open(os.path.join(config_home, 'gtk-4.0', 'settings.ini'), 'w', encoding='utf-8') as f:
        f.write('[Settings]\ngtk-decoration-layout=:close\n')
    env = dict(os.environ)
    env.update({
        'GSETTINGS_BACKEND': 'keyfile',
        'XDG_CONFIG_HOME': config_home,
        # The run history, never the user's
        'XDG_DATA_HOME': os.path.join(config_home, 'data'),
        'GSETTINGS_SCHEMA_DIR': schema_dir,
        'GTK_A11Y': 'atspi',
        'GDK_DEBUG': 'no-portals',
        'GTK_USE_PORTAL': '0',
        'GSK_RENDERER': 'cairo',
        'LC_ALL': 'C.UTF-8',
    })
    env.pop('NO_AT_BRIDGE', None)
    env.pop('G_DEBUG', None)  # AT-SPI warnings must not abort the app
    os.environ.update(env)

    # A session of its own, and not our output: the bus daemon and the
    # registry it starts would otherwise outlive the launcher, holding the
    # test runner's pipes open until its timeout.
    launcher = subprocess.Popen([BUS_LAUNCHER, '--launch-immediately'], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app_process = None
    try:
        time.sleep(0.5)
        gsettings(env, 'set', 'org.gnome.desktop.interface', 'toolkit-accessibility', 'true')
        for key, value in SETTINGS.items():
            gsettings(env, 'set', SCHEMA, key, value)

        from dogtail.config import config
        config.logDebugToFile = False
        config.logDebugToStdOut = False
        config.defaultDelay = 0.1
        config.actionDelay = 0.1
        config.searchCutoffCount = 5

        if history:
            return check_history_page(app_exe, env)

        app_process, window, frame = launch(app_exe, env)
        check_controls_named(window)
        check_start_visible(window, frame, '1280 × 800')
        check_downloads(window, env)
        check_pipeline(window)
        check_cpu(window)
        check_runtimes(window)
        check_overheads(window)
        check_claims(window)
        stop_app(app_process)

        # Narrow: the parameters and the results become two views; and
        # no python3 to be found.
        gsettings(env, 'set', SCHEMA, 'window-width', '360')
        gsettings(env, 'set', SCHEMA, 'window-height', '640')
        app_process, window, frame = launch(app_exe, dict(env, PATH=tempfile.mkdtemp(prefix='no-python-')))
        check_narrow(window, frame)
        check_no_python(window)
        check_claims_narrow(window)
        print('ok - all done')
        return 0
    finally:
        try:
            stop_app(app_process)
        finally:
            stop_group(launcher)
        shutil.rmtree(config_home, ignore_errors=True)


def launch(app_exe, env):
    from dogtail import tree, predicate
    app_process = subprocess.Popen([app_exe], env=env)
    app = wait_for('the application on the AT-SPI bus',
                   lambda: tree.root.findChild(
                       predicate.GenericPredicate(roleName='application', name='concurrency-lab'),
                       recursive=False, retry=False, requireResult=False),
                   timeout=30)
    window = Window(app)
    frame = window.need('the window', role='frame', timeout=30, scope=app)
    time.sleep(1.0)  # the first frame
    return app_process, window, frame


def stop_group(process):
    """Ends @process and everything it started in its session."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def stop_app(app_process):
    if app_process is None or app_process.poll() is not None:
        if app_process is not None and app_process.returncode not in (0, -15):
            fail(f'the application exited with {app_process.returncode}')
        return
    app_process.terminate()
    try:
        app_process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app_process.kill()


def check_controls_named(window, scope=None):
    unnamed = []
    for role in ('push button', 'toggle button', 'check box', 'spin button', 'switch',
                 'combo box', 'text'):
        for node in window.find_all(role=role, scope=scope or window.app):
            if not (node.name or '').strip() or node.name.startswith('Gtk'):
                unnamed.append(f'{role} {node.name!r}')
    if unnamed:
        fail(f'controls without an accessible name: {unnamed}')
    print('ok - every interactive control is named')


def busy_loop(seconds):
    """A bounded CPU hog, as another program on the machine would be."""
    return subprocess.Popen([sys.executable, '-c',
                             f'import time\nend = time.monotonic() + {seconds}\n'
                             'while time.monotonic() < end: pass'])


def check_downloads(window, env):
    window.switch_to(0, 'Downloads')
    window.set_spin('Workers', 4)
    # GTK 4.8 check boxes offer no AT-SPI action: the modes come from the
    # settings; check that the window shows them.
    for name, expected in (('Sequential', True), ('Threads', True), ('Processes', True),
                           ('Event loop', False)):
        check = window.need(f'check box "{name}"', role='check box', name=name)
        if bool(check.checked) != expected:
            fail(f'check box "{name}" is {"" if check.checked else "not "}checked')
    window.compare_and_check('Downloads', 3)
    screenshot('downloads')

    # Another parameter: the results say they were made with other settings.
    window.set_spin('Tasks', 9)
    caption = window.need('the other-settings caption', role='label', contains='Measured with other settings').name
    window.set_spin('Tasks', 8)
    wait_for('the caption to match again', lambda: window.label_containing('Measured with:'), timeout=5)
    print(f'ok - a parameter change marks the results: {caption!r}')

    # Sequential alone, then Threads alone: two rows and a speed-up.
    window.click(window.need('Clear button', role='push button', name='Clear'))
    wait_for('the table to empty', lambda: not window.table_labels(contains=' ± '), timeout=5)
    for mode in ('Sequential', 'Threads'):
        result = window.run_and_wait(f'{mode} alone', window.need(f'Run {mode}', role='push button',
                                                                 name=f'Run “{mode}”'))
        if result != 'Finished':
            fail(f'{mode} alone ended as {result!r}')
    medians = window.table_labels(contains=' ± ')
    speedups = window.table_labels(endswith='×')
    measured = [x for x in speedups if x != '1.00×']
    if len(medians) != 2 or len(speedups) != 2 or not measured:
        fail(f'Sequential then Threads: medians {medians}, speed-ups {speedups}')
    print(f'ok - Sequential then Threads: two rows, Threads {measured[0]}')

    # A program busy beside the run: the figures are said to be unreliable.
    hog = busy_loop(20)
    try:
        time.sleep(0.5)
        window.run_and_wait('Sequential beside a busy program',
                            window.need('Run Sequential', role='push button', name='Run “Sequential”'))
        warning = window.need('the contention warning', role='label', contains='Another program used', timeout=5)
    finally:
        hog.kill()
        hog.wait()
    print(f'ok - beside a CPU hog: {warning.name!r}')

    # A long run: the other page cannot start meanwhile; Stop keeps the results.
    window.set_spin('Server latency', 3000)
    window.set_spin('Tasks', 40)
    window.set_spin('Workers', 2)
    window.click(window.start_button())
    wait_for('the long run to start', lambda: window.status('Running…'), timeout=10)
    window.switch_to(1, 'CPU Kernels')
    blocked = window.need('the waiting line', role='label', contains='Waiting: the “Downloads” page is running')
    start = window.start_button()
    if start.sensitive:
        fail('the CPU page can start while the Downloads page runs')
    print(f'ok - one run at a time: {blocked.name!r}')
    window.switch_to(0, 'Downloads')
    time.sleep(0.5)
    started = time.monotonic()
    window.click(window.start_button('Stop'))
    wait_for('the run to stop', lambda: window.status('Cancelled'), timeout=5, interval=0.05)
    elapsed = time.monotonic() - started
    if elapsed > 2.0:
        fail(f'stopping took {elapsed:.2f} s')
    if window.find(role='label', contains='Run Sequential too') is not None:
        fail('after Stop, the page still asks to run Sequential')
    print(f'ok - stopped in {elapsed * 1000:.0f} ms (through AT-SPI); '
          f'the window says {window.status_line("Cancelled")!r}')

    # The same with Escape, sent as a key press through AT-SPI. (Before
    # any dialog: without a window manager, nothing gives the focus back
    # to the window once a dialog has closed.)
    window.click(window.start_button())
    wait_for('the run to start again', lambda: window.status('Running…'), timeout=10)
    time.sleep(0.5)
    started = time.monotonic()
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(0xff1b, None, Atspi.KeySynthType.SYM)  # GDK_KEY_Escape
    wait_for('Escape to stop the run', lambda: window.status('Cancelled'), timeout=5, interval=0.05)
    print(f'ok - Escape cancelled in {(time.monotonic() - started) * 1000:.0f} ms (through AT-SPI)')

    # Every task fails: no speed-up, and the first error where one looks.
    gsettings(env, 'set', SCHEMA, 'download-urls', "['http://127.0.0.1:9/']")
    gsettings(env, 'set', SCHEMA, 'download-use-server', 'false')
    window.set_spin('Tasks', 8)
    wait_for('the URL to reach the form', lambda: window.label_containing('1 URL; the tasks take it in turn.'),
             timeout=10)
    result = window.run_and_wait('an all-failed run', window.start_button())
    errors = window.need('the first error', role='label', contains='First error:', timeout=5)
    if window.table_labels(endswith='×'):
        fail(f'an all-failed run shows speed-ups: {window.table_labels(endswith="×")}')
    if window.find(role='label', contains='than sequential') is not None:
        fail('an all-failed run gets a speed-up sentence')
    screenshot('downloads-failed')
    # The results of the earlier settings are kept apart, one pick away.
    window.need('the drop-down of kept results', role='combo box', name='Results shown')
    print(f'ok - all tasks failed ({result}): no speed-up; {errors.name!r}')
    gsettings(env, 'set', SCHEMA, 'download-use-server', 'true')
    gsettings(env, 'set', SCHEMA, 'download-urls', '@as []')


PIPELINE_SHAPES = ('Sequential', 'Threads', 'Threads + emulated GIL', 'Processes', 'Hybrid')
PIPELINE_MODES = {'sequential', 'threads', 'gil', 'processes', 'hybrid'}


def chart(window, name_start, *contains):
    """The chart whose accessible name starts with @name_start and whose
    description (its summary) says each of @contains."""
    for node in window.find_all(role='image'):
        description = node.description or ''
        if (node.name or '').startswith(name_start) and all(text in description for text in contains):
            return node
    return None


def check_pipeline(window):
    """The pipeline on the Downloads page: a row per shape, each storing the
    same rows; the timeline's lane groups, the queues and the stages' busy
    times; the reading."""
    started = time.monotonic()
    window.switch_to(0, 'Downloads')
    window.click(window.clickable('the Pipeline button', 'push button', 'Pipeline'))
    window.need('the Hybrid mode row', role='check box', name='Hybrid')
    check_controls_named(window, scope=window.page)
    result = window.run_and_wait('the pipeline', window.start_button())
    if result != 'Finished':
        fail(f'the pipeline ended as {result!r}')
    medians = wait_for('a median per shape', lambda: len(window.table_labels(contains=' ± ')) >= 5 and
                       window.table_labels(contains=' ± '), timeout=10)
    rows = window.table_labels()
    missing = [shape for shape in PIPELINE_SHAPES if shape not in rows]
    if len(medians) != 5 or missing:
        fail(f'the pipeline: medians {medians}, no row for {missing} in {rows}')

    # The latest repetition is the hybrid's: three groups of lanes.
    timeline = wait_for('the hybrid timeline with its lane groups',
                        lambda: chart(window, 'Timeline of Hybrid', 'Download threads: 2 lanes',
                                      'Analysis processes: 2 lanes', 'Storing thread: 1 lane'), timeout=10)
    queues = wait_for('the queue chart of the hybrid',
                      lambda: chart(window, 'Queue lengths of Hybrid', 'Downloaded, waiting for analysis: at most',
                                    'Analysed, waiting to be stored: at most'), timeout=10)
    stages = window.need('the stages chart', role='image', name='Busy time of each stage')
    for shape in ('Sequential:', 'Threads ×2:', 'Threads + emulated GIL ×2:', 'Processes ×2:', 'Hybrid ×2:'):
        if shape not in (stages.description or ''):
            fail(f'the stages chart says nothing of {shape} {stages.description!r}')
    reading = window.need('the pipeline\'s reading', role='label', contains='Every shape stored the same rows')
    if 'Fastest: ' not in reading.name and 'too large to tell which shape won' not in reading.name:
        fail(f'the pipeline\'s reading names no winner: {reading.name!r}')
    screenshot('pipeline')
    print(f'ok - the pipeline: rows {medians}; {reading.name!r}; {timeline.description!r}; {queues.description!r}')

    with tempfile.TemporaryDirectory() as d:
        results, queue_svg = (os.path.join(d, name) for name in ('results.csv', 'queues.svg'))
        window.export('Results as CSV…', results)
        window.export('Queue lengths as SVG…', queue_svg)
        with open(results, newline='', encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
        checksums = {row['mode']: row['checksum'] for row in rows}
        if set(checksums) != PIPELINE_MODES or len(set(checksums.values())) != 1:
            fail(f'the pipeline\'s results CSV: checksums {checksums}')
        if f'(checksum {rows[0]["checksum"]})' not in reading.name:
            fail(f'the reading\'s checksum is not the CSV\'s {rows[0]["checksum"]}: {reading.name!r}')
        with open(queue_svg, encoding='utf-8') as f:
            if '<svg' not in f.read(4096):
                fail('the queue chart\'s SVG is not an SVG file')
    print(f'ok - every shape stored the same rows: checksum {rows[0]["checksum"]}; the queue chart exported')

    # Another shape alone: its own lane groups.
    window.run_and_wait('Processes alone', window.need('Run Processes', role='push button', name='Run “Processes”'))
    timeline = wait_for('the processes\' timeline with its lane groups',
                        lambda: chart(window, 'Timeline of Processes', 'Processes: 2 lanes', 'Storing thread: 1 lane'),
                        timeout=10)
    screenshot('pipeline-processes')
    print(f'ok - the pipeline with processes: {timeline.description!r}')
    window.click(window.clickable('the Downloads button', 'push button', 'Downloads'))
    window.need('the URL list', role='label', contains='URLs, one per line')
    print(f'ok - the pipeline checked in {time.monotonic() - started:.0f} s')


def check_cpu(window):
    window.switch_to(1, 'CPU Kernels')
    window.set_spin('Workers', 2)
    window.compare_and_check('CPU kernels', 3)
    screenshot('cpu-kernels')
    check_exports(window, n_cells=3, n_tasks=8)


def pressed(node):
    import pyatspi
    return node.getState().contains(pyatspi.STATE_PRESSED)


def pick_runtime(window, name):
    # GTK 4.8 shows a toggle button as a push button, pressed when active.
    button = wait_for(f'the runtime button "{name}", sensitive',
                      lambda: next((b for b in window.find_all(role='push button', name=name)
                                    if b.sensitive), None), timeout=30)
    window.click(button)
    wait_for(f'"{name}" chosen', lambda: pressed(button), timeout=5)


def check_runtimes(window):
    """CPython next to native C through Compare, then threads behind the
    emulated GIL; the rows and readings name each runtime."""
    pick_runtime(window, 'CPython')
    window.need('the mode row "CPython threads"', role='label', name='CPython threads')
    compare = window.clickable('the Compare button', 'push button', 'Compare')
    result = window.run_and_wait('Compare', compare)
    if result != 'Finished':
        fail(f'Compare ended as {result!r}')
    rows = window.table_labels(contains='CPython')
    for title in ('CPython, sequential', 'CPython threads', 'CPython processes'):
        if not any(row.startswith(title) for row in rows):
            fail(f'Compare: no row for {title} in {rows}')
    reading = window.need('the reading of CPython threads', role='label', contains='CPython threads ×2 kept')
    if 'cores busy' not in reading.name or 'Starting its interpreters took' not in reading.name:
        fail(f'the CPython reading gives no figures: {reading.name!r}')
    screenshot('compare-cpython')
    print(f'ok - Compare: {rows}; {reading.name!r}')

    pick_runtime(window, 'Emulated GIL')
    window.need('the mode row "Threads + emulated GIL"', role='label', name='Threads + emulated GIL')
    run = window.clickable('the Run button of threads behind the emulated GIL', 'push button',
                           'Run “Threads + emulated GIL”')
    result = window.run_and_wait('threads behind the emulated GIL', run)
    if result != 'Finished':
        fail(f'the emulated GIL run ended as {result!r}')
    rows = window.table_labels(contains='emulated GIL')
    if not rows:
        fail('no row for the emulated GIL')
    reading = window.need('the reading of the emulated GIL', role='label', contains='behind the emulated GIL kept')
    screenshot('emulated-gil')
    print(f'ok - emulated GIL: {rows}; {reading.name!r}')
    pick_runtime(window, 'Native C')


OVERHEADS = ('Start-up', 'Memory', 'Communication', 'Crash isolation', 'Race condition',
             'Granularity', 'CPU affinity', 'Default pools')


def check_overheads(window):
    """Run All on the Overheads page: every experiment ends with a reading
    computed from its figures, and its charts."""
    window.open_page('Overheads', 'LabOverheadsPage')
    run_all = window.clickable('the Run All button', 'push button', 'Run All')
    window.click(run_all)
    window.need('the first experiment under way', role='label', contains='Measuring', timeout=10)
    status = wait_for('Run All to finish',
                      lambda: window.label_containing('experiments measured'), timeout=170, interval=0.5)
    if not status.startswith(f'{len(OVERHEADS)} of {len(OVERHEADS)} experiments measured'):
        fail(f'Run All: {status!r}')
    readings = {}
    for node in window.find_all(role='label'):
        description = node.description or ''
        if description.startswith('Reading of '):
            readings[description[len('Reading of '):]] = node.name
    for title in OVERHEADS:
        reading = readings.get(title)
        if not reading or reading.startswith(('Failed', 'Stopped')):
            fail(f'Overheads: no reading for {title}: {reading!r}')
        if not any(ch.isdigit() for ch in reading):
            fail(f'Overheads: the reading of {title} gives no figure: {reading!r}')
        print(f'ok - {title}: {reading!r}')
    charts = [n for n in window.find_all(role='image') if (n.description or '').strip()]
    if len(charts) < len(OVERHEADS):
        fail(f'Overheads: expected a chart per experiment, found {len(charts)}')
    screenshot('overheads')
    print(f'ok - Overheads: {status!r}; {len(charts)} charts')

    with tempfile.TemporaryDirectory() as d:
        points = os.path.join(d, 'overheads.csv')
        window.export('Points as CSV…', points)
        with open(points, newline='', encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
        experiments = {row['experiment'] for row in rows}
        if len(experiments) != len(OVERHEADS):
            fail(f'Overheads CSV: {len(rows)} rows from {sorted(experiments)}')
        chart = os.path.join(d, 'race.png')
        window.export('Lost updates (PNG)', chart, button='Export Race condition charts')
        with open(chart, 'rb') as f:
            if f.read(8) != b'\x89PNG\r\n\x1a\n':
                fail('the exported race chart is not a PNG')
        print(f'ok - Overheads exported: {len(rows)} points as CSV, a chart as PNG')


CLAIMS = tuple(f'C{i:02d}' for i in range(1, 19))


def described(window, prefix):
    """The labels whose accessible description is "PREFIX ID", by ID."""
    found = {}
    for node in window.find_all(role='label'):
        description = node.description or ''
        if description.startswith(prefix + ' '):
            found[description[len(prefix) + 1:]] = node.name or ''
    return found


def check_claims(window):
    """Run All on the Claims page with quick settings: every claim ends
    with a verdict (or the reason there is none) and a reading, the summary
    counts all eighteen, and the CSV export has a row per claim."""
    import pyatspi
    window.open_page('Claims', 'LabClaimsPage')
    switch = window.need('the Quick settings switch', role='check box', contains='Quick settings')
    if not switch.getState().contains(pyatspi.STATE_CHECKED):
        window.click(switch)
        wait_for('Quick settings on', lambda: switch.getState().contains(pyatspi.STATE_CHECKED), timeout=5)
    python = window.need('the Python fact', role='label', contains=' at /')
    started = time.monotonic()
    window.click(window.clickable('the Run All button', 'push button', 'Run All'))
    window.need('the first claim under way', role='label', contains='checking C01', timeout=10)
    status = wait_for('Run All to finish', lambda: window.label_containing('Run All took'),
                      timeout=330, interval=1.0)
    elapsed = time.monotonic() - started
    if f' of {len(CLAIMS)} claims checked' not in status:
        fail(f'Claims: {status!r}')

    verdicts = described(window, 'Verdict of')
    readings = described(window, 'Reading of')
    for claim in CLAIMS:
        verdict, reading = verdicts.get(claim), readings.get(claim, '').strip()
        if verdict in (None, 'Not run', 'Checking…'):
            fail(f'Claims: {claim} has no verdict: {verdict!r}')
        if not reading:
            fail(f'Claims: {claim} ({verdict}) has no reading')
        if verdict == 'Failed':
            fail(f'Claims: the check of {claim} failed: {reading!r}')
        print(f'ok - {claim}: {verdict}: {reading!r}')

    summary = wait_for('the summary of the verdicts',
                       lambda: next((n.name for n in window.find_all(role='label')
                                     if n.description == 'Summary of the verdicts'), None), timeout=5)
    counts = [int(word) for word in summary.replace(',', ' ').split() if word.isdigit()]
    if sum(counts) != len(CLAIMS) or 'not checked' in summary:
        fail(f'Claims: the summary does not count {len(CLAIMS)} claims: {summary!r}')
    screenshot('claims')
    print(f'ok - Claims: Run All took {elapsed:.0f} s; {status!r}; {summary!r}; {python.name!r}')

    window.export('Claims as CSV…', '/proc/claims.csv')
    toast = window.need('the error toast', role='label', contains='Could not save “claims.csv”', scope=window.app)
    print(f'ok - unwritable claims export: {toast.name!r}')
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'claims.csv')
        window.export('Claims as CSV…', path)
        wait_for(f'{path} to be written', lambda: os.path.getsize(path) > 0, timeout=10)
        with open(path, newline='', encoding='utf-8') as f:
            text = f.read()
        rows = list(csv.reader(text.splitlines(keepends=True)))
        lines = text.count('\n')
        if len(rows) != 1 + len(CLAIMS) or lines != 1 + len(CLAIMS):
            fail(f'Claims CSV: {len(rows)} rows, {lines} lines, expected {1 + len(CLAIMS)}')
        header = rows[0]
        ids = [row[header.index('id')] for row in rows[1:]]
        exported = {row[header.index('id')]: row[header.index('verdict')] for row in rows[1:]}
        if tuple(ids) != CLAIMS or 'not-run' in exported.values():
            fail(f'Claims CSV: ids {ids}, verdicts {exported}')
    print(f'ok - Claims exported as CSV: {lines} lines, verdicts {sorted(set(exported.values()))}')


def check_claims_narrow(window):
    """At 360 px without python3: the Claims page says python3 is missing,
    and its cards fit."""
    window.open_page('Claims', 'LabClaimsPage')
    fact = window.need('the missing Python fact', role='label', contains='Not found:', timeout=30)
    window.need('the card of C18', role='label', name='C18')
    screenshot('claims-narrow')
    print(f'ok - Claims at 360 × 640 without python3: {fact.name!r}')


def check_no_python(window):
    """Without python3 on PATH, CPython cannot be picked, and says why."""
    window.switch_to(1, 'CPU Kernels')
    button = window.need('the CPython runtime button', role='push button', name='CPython')
    wait_for('the search for python3 to end',
             lambda: 'python3' in (button.description or '') and 'Looking' not in button.description, timeout=30)
    if button.sensitive:
        fail('CPython can be picked without python3 on PATH')
    window.need('the reason under the runtime buttons', role='label', contains='No “python3” found on PATH')
    print(f'ok - without python3: CPython is insensitive: {button.description!r}')


def check_narrow(window, frame):
    check_start_visible(window, frame, '360 × 640')
    window.switch_to(1, 'CPU Kernels')
    window.need('the Show Results button', role='push button', name='Show Results')
    result = window.run_and_wait('the CPU run at 360 px', window.start_button())
    if result != 'Finished':
        fail(f'the CPU run at 360 px ended as {result!r}')
    check_start_visible(window, frame, '360 × 640, showing the results')
    screenshot('narrow')
    rows = window.table_labels(endswith='×')
    if len(rows) != 3:
        fail(f'at 360 × 640: expected 3 speed-ups in the table, found {rows}')
    print(f'ok - at 360 × 640: speed-ups {rows}')


# The History page -----------------------------------------------------------

# Two small runs to list, read back, compare and delete.
HISTORY_SETTINGS = {
    'cpu-kernel': "'primes'",
    'cpu-size': '200000',
    'cpu-tasks': '8',
    'cpu-workers': '2',
    'cpu-repeat': '2',
    'cpu-worker-sweep': 'false',
    'cpu-modes': "['sequential', 'threads', 'processes']",
    'window-width': '1280',
    'window-height': '900',
}

# A run long enough to be killed after a few repetitions, whatever the
# machine's speed: many repetitions of tasks that take a while, in worker
# processes.
CRASH_SETTINGS = {
    'cpu-kernel': "'primes'",
    'cpu-size': '5000000',
    'cpu-tasks': '4',
    'cpu-workers': '2',
    'cpu-repeat': '100',
    'cpu-modes': "['processes']",
}


def history_runs(env):
    """The runs in the history's database, newest first: dicts of id,
    status, repetitions_done, repetitions_total and measured repetitions."""
    path = os.path.join(env['XDG_DATA_HOME'], 'concurrency-lab', 'history.db')
    if not os.path.exists(path):
        return []
    db = sqlite3.connect(f'file:{path}?mode=ro', uri=True, timeout=10)
    try:
        db.row_factory = sqlite3.Row
        runs = [dict(row) for row in db.execute(
            'SELECT id, status, repetitions_done, repetitions_total FROM runs ORDER BY id DESC')]
        for run in runs:
            run['repetitions'] = db.execute('SELECT count(*) FROM repetitions WHERE run = ?',
                                            (run['id'],)).fetchone()[0]
            run['spans'] = db.execute('SELECT count(*) FROM spans JOIN repetitions ON spans.repetition = repetitions.id '
                                      'WHERE repetitions.run = ?', (run['id'],)).fetchone()[0]
        return runs
    finally:
        db.close()


def history_rows(window):
    """The rows of the list of runs: (name, description) each, newest first."""
    runs = window.find(role='list', name='Past runs')
    if runs is None:
        return []
    return [(row.name or '', row.description or '') for row in runs.children if row.getRoleName() == 'list item']


def select_history_rows(window, *indexes):
    """Selects the rows at @indexes through AT-SPI, as a click and
    Ctrl+clicks would (GTK 4.8 list rows offer no action)."""
    runs = window.need('the list of runs', role='list', name='Past runs')
    selection = runs.querySelection()
    selection.clearSelection()
    for index in indexes:
        selection.selectChild(index)


def repetitions_of(description):
    match = re.search(r'(\d+) of (\d+) repetitions', description)
    if match is None:
        fail(f'no repetition count in the row {description!r}')
    return int(match.group(1)), int(match.group(2))


def children_of(pid):
    """Every process @pid started, and theirs."""
    found = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f'/proc/{parent}/task')
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f'/proc/{parent}/task/{task}/children', encoding='ascii') as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def alive(pid):
    """Whether @pid runs (a zombie waiting for its reaper does not)."""
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def check_history_page(app_exe, env):
    app_process = None
    try:
        for key, value in HISTORY_SETTINGS.items():
            gsettings(env, 'set', SCHEMA, key, value)
        app_process, window, frame = launch(app_exe, dict(env, XDG_DATA_HOME='/proc/concurrency-lab-none'))
        check_history_unavailable(window)
        stop_app(app_process)

        damaged = os.path.join(env['XDG_DATA_HOME'], 'concurrency-lab', 'history.db')
        os.makedirs(os.path.dirname(damaged))
        with open(damaged, 'wb') as f:
            f.write(b'This is not an SQLite database. ' * 512)
        app_process, window, frame = launch(app_exe, env)
        check_history_recovered(window, damaged)
        check_history_runs(window, env)
        stop_app(app_process)

        crafted = craft_comparison(env)
        app_process, window, frame = launch(app_exe, env)
        check_crafted_comparisons(window, crafted)
        stop_app(app_process)

        gsettings(env, 'set', SCHEMA, 'window-width', '360')
        gsettings(env, 'set', SCHEMA, 'window-height', '640')
        app_process, window, frame = launch(app_exe, env)
        check_history_narrow(window, frame)
        stop_app(app_process)

        gsettings(env, 'set', SCHEMA, 'window-width', '1280')
        gsettings(env, 'set', SCHEMA, 'window-height', '900')
        for key, value in CRASH_SETTINGS.items():
            gsettings(env, 'set', SCHEMA, key, value)
        app_process, window, frame = launch(app_exe, env)
        check_closed_window(app_process, window, frame, env)
        app_process, window, frame = launch(app_exe, env)
        check_killed_window(app_process, window, env)
        app_process, window, frame = launch(app_exe, env)
        check_interrupted_listed(window, env)
        stop_app(app_process)
        print('ok - all done')
        return 0
    except Exception as error:
        # A node that went away, or the whole application: say whether
        # its process still runs, or how it ended.
        if 'The application no longer exists' in str(error) and app_process is not None:
            try:
                app_process.wait(timeout=2)
                state = f'ended with {app_process.returncode}'
            except subprocess.TimeoutExpired:
                state = 'still runs'
            fail(f'an accessible went away, or the application left the accessibility bus; '
                 f'its process {state}: {error}')
        raise
    finally:
        stop_app(app_process)


def check_history_unavailable(window):
    """No history to be had: the page says so, and runs still work."""
    window.open_page('History', 'LabHistoryPage')
    reason = window.need('the reason', role='label', contains='The history could not be opened:')
    screenshot('history-unavailable')
    window.switch_to(1, 'CPU Kernels')
    result = window.run_and_wait('a run without a history', window.start_button())
    if result != 'Finished':
        fail(f'without a history, the run ended as {result!r}')
    print(f'ok - without a history, a run finishes; the History page says {reason.name!r}')


def check_history_recovered(window, damaged):
    """A damaged database moved aside: the page says where, and starts
    empty."""
    window.open_page('History', 'LabHistoryPage')
    message = window.need('the recovery message', role='label', contains='could not be used', timeout=10)
    aside = [name for name in os.listdir(os.path.dirname(damaged)) if name.startswith('history.db.corrupt-')]
    if len(aside) != 1 or aside[0] not in message.name:
        fail(f'the damaged history: moved to {aside}; the page says {message.name!r}')
    window.need('the empty history', role='label', name='No Runs Yet')
    screenshot('history-recovered')
    window.click(window.need('the Dismiss button', role='push button', name='Dismiss'))
    print(f'ok - a damaged history moved aside to {aside[0]}: {message.name!r}')


def check_history_runs(window, env):
    """Two runs on the CPU page: the History page lists them, shows the
    newest with the live run's figures, compares them, exports one and
    deletes one, with Undo."""
    window.open_page('History', 'LabHistoryPage')
    window.need('the empty history', role='label', name='No Runs Yet')
    screenshot('history-empty')
    print('ok - an empty history says so')

    window.switch_to(1, 'CPU Kernels')
    for attempt in ('first', 'second'):
        result = window.run_and_wait(f'the {attempt} run', window.start_button())
        if result != 'Finished':
            fail(f'the {attempt} run ended as {result!r}')
    medians = sorted(window.table_labels(contains=' ± '))
    speedups = sorted(window.table_labels(endswith='×'))
    if len(medians) != 3:
        fail(f'the live table: medians {medians}')
    runs = history_runs(env)
    if [run['status'] for run in runs] != ['finished', 'finished']:
        fail(f'the history after two runs: {runs}')

    window.open_page('History', 'LabHistoryPage')
    # GTK 4.8 leaves hidden widgets out of the accessibility tree.
    if window.find(role='push button', name='Start', scope=window.app) is not None:
        fail('the History page shows Start, which would start nothing there')
    rows = wait_for('two runs listed', lambda: len(history_rows(window)) == 2 and history_rows(window), timeout=30)
    for name, description in rows:
        done, total = repetitions_of(description)
        if done != total or done < 6:
            fail(f'a finished run lists {done} of {total} repetitions: {description!r}')
    if not rows[0][1].startswith(f'#{runs[0]["id"]} ·') or 'Prime count' not in rows[0][0]:
        fail(f'the newest run is not listed first: {rows}')
    if 'best speed-up' not in rows[0][1] or window.find(role='label', name='Interrupted') is not None:
        fail(f'the rows: {rows}')
    print(f'ok - two runs listed, newest first: {rows[0]}')

    # The newest is shown: the table has the live run's figures.
    wait_for(f'the title of run #{runs[0]["id"]}',
             lambda: window.find(role='label', contains=f'Run #{runs[0]["id"]} ·'), timeout=15)
    shown = wait_for('the read-back table', lambda: sorted(window.table_labels(contains=' ± ')) or None, timeout=30)
    shown_speedups = sorted(window.table_labels(endswith='×'))
    if shown != medians or shown_speedups != speedups:
        fail(f'read back: medians {shown}, speed-ups {shown_speedups}; live: {medians}, {speedups}')
    window.need('the run\'s state', role='label', name='Finished')
    screenshot('history-run')
    print(f'ok - run #{runs[0]["id"]} read back with the live figures: {shown} {shown_speedups}')

    # Compare With: the older one beside it.
    window.click(window.clickable('the Compare With button', 'push button', 'Compare With'))
    time.sleep(0.5)
    item = wait_for(f'run #{runs[1]["id"]} in the menu', lambda: next(
        (n for n in window.find_all(role='menu item', scope=window.app)
         if (n.name or '').startswith(f'#{runs[1]["id"]} ·')), None), timeout=10)
    window.click(item)
    table = window.need('the comparison table', role='tree table', name='Comparison')
    labels = [n.name for n in window.find_all(role='label', scope=table) if n.name]
    for mode in ('Sequential', 'Threads ×2', 'Processes ×2'):
        if mode not in labels:
            fail(f'the comparison has no row {mode}: {labels}')
    newer = {median.split(' ± ')[0] for median in medians}
    if not newer <= set(labels):
        fail(f'the comparison does not show the newer run\'s medians {sorted(newer)}: {labels}')
    reading = check_comparison_reading(window, f'#{runs[0]["id"]}', f'#{runs[1]["id"]}')
    screenshot('history-compare')
    print(f'ok - two runs compared: {reading!r}')

    # The Delete key (before any dialog: without a window manager, nothing
    # gives the keyboard back to the window once one has closed). Shown,
    # the page puts the keyboard on the selected run.
    select_history_rows(window, 1)
    wait_for(f'the title of run #{runs[1]["id"]}',
             lambda: window.find(role='label', contains=f'Run #{runs[1]["id"]} ·'), timeout=15)
    window.switch_to(1, 'CPU Kernels')
    window.open_page('History', 'LabHistoryPage')
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(0xffff, None, Atspi.KeySynthType.SYM)  # GDK_KEY_Delete
    wait_for('the Delete key to delete the run', lambda: len(history_rows(window)) == 1, timeout=5)
    if len(history_runs(env)) != 2:
        fail('the run left the history before its Undo had gone')
    window.click(window.need('the Undo button', role='push button', name='Undo', scope=window.app, timeout=30))
    wait_for('the run to come back', lambda: len(history_rows(window)) == 2, timeout=5)
    print('ok - the Delete key took the run from the list, Undo brought it back')

    # The Delete button; the deletion is made when its toast goes.
    select_history_rows(window, 1)
    wait_for(f'the title of run #{runs[1]["id"]}',
             lambda: window.find(role='label', contains=f'Run #{runs[1]["id"]} ·'), timeout=15)
    window.click(window.need('the Delete button', role='push button', name='Delete run'))
    wait_for('the run to leave the list', lambda: len(history_rows(window)) == 1, timeout=5)
    wait_for('the run to leave the history', lambda: [run['id'] for run in history_runs(env)] == [runs[0]['id']],
             timeout=30, interval=0.5)
    wait_for(f'run #{runs[0]["id"]} to be shown again',
             lambda: window.find(role='label', contains=f'Run #{runs[0]["id"]} ·'), timeout=15)
    print(f'ok - run #{runs[1]["id"]} deleted from the history once its toast went')

    check_history_export(window, runs[0])


# The words of the comparison's change column that give no ratio: why a
# row's two medians cannot be told apart, or cannot be compared at all.
COMPARISON_DOUBTS = ('tasks failed', 'machine busy', 'spread too large', 'spread unknown')
COMPARISON_SAME = ('about the same', 'within the spread')


def comparison_rows(window):
    """The comparison table's rows: {mode: change}, in the table's order."""
    table = window.need('the comparison table', role='tree table', name='Comparison')
    labels = [n.name for n in window.find_all(role='label', scope=table)
              if n.name and n.getRoleName() != 'column header' and n.parent.getRoleName() != 'column header']
    rows, mode = {}, None
    for label in labels:
        if re.fullmatch(r'(Sequential|Threads ×\d+|Processes ×\d+)', label):
            mode = label
        elif mode is not None and (label in COMPARISON_DOUBTS + COMPARISON_SAME or
                                   re.fullmatch(r'\d+\.\d\d× (faster|slower)', label)):
            rows[mode] = label
    return rows


def check_comparison_reading(window, newer, older):
    """The comparison's reading agrees with its rows: the rows it counts
    as faster or slower show a ratio that says so, a largest change is
    the largest ratio and named only from figures that can be trusted,
    and a row whose figures cannot be trusted is explained. Returns the
    reading."""
    def find_reading():
        for node in window.find_all(role='label'):
            text = node.name or ''
            if any(part in text for part in (f'{newer} was ', 'measurably different', 'no measurable difference',
                                              'No row can be compared', 'no mode and worker count')):
                return text
        return None

    reading = wait_for('the comparison\'s reading', find_reading, timeout=30)
    rows = comparison_rows(window)
    faster = sorted(m for m, change in rows.items() if change.endswith('× faster'))
    slower = sorted(m for m, change in rows.items() if change.endswith('× slower'))
    doubtful = sorted(m for m, change in rows.items() if change in COMPARISON_DOUBTS)
    if len(rows) < 3:
        fail(f'the comparison shows a change in {len(rows)} rows: {rows}')

    counted = re.search(rf'{newer} was (faster|slower) than {older} in (\d+) of (\d+) rows?'
                        rf'(?: and (faster|slower) in (\d+))?\.', reading)
    said = {'faster': 0, 'slower': 0}
    if counted is not None:
        said[counted.group(1)] = int(counted.group(2))
        if counted.group(4) is not None:
            said[counted.group(4)] = int(counted.group(5))
        if int(counted.group(3)) != len(rows):
            fail(f'the reading counts {counted.group(3)} rows, the table has {len(rows)}: {reading!r} {rows}')
    elif 'not measurably different' not in reading and 'show no measurable difference' not in reading \
            and 'No row can be compared' not in reading:
        fail(f'the reading neither counts the changes nor says there are none: {reading!r}')
    if said['faster'] != len(faster) or said['slower'] != len(slower):
        fail(f'the reading says {said}; the rows show faster {faster}, slower {slower}: {reading!r} {rows}')

    largest = re.search(r'The largest change: (.+), (\d+\.\d\d× (?:faster|slower))\.', reading)
    if largest is not None:
        ratios = {m: float(c.split('×')[0]) for m, c in rows.items() if m in faster + slower}
        if doubtful or rows.get(largest.group(1)) != largest.group(2) or \
                ratios[largest.group(1)] != max(ratios.values()):
            fail(f'the largest change named {largest.groups()}, the rows {rows}: {reading!r}')
    for mode in doubtful:
        if 'not reliable' not in reading and 'cannot be compared' not in reading and 'is unknown' not in reading:
            fail(f'the row {mode} shows {rows[mode]!r}, which the reading does not explain: {reading!r}')
    print(f'ok - the comparison\'s reading agrees with its rows {rows}')
    return reading


# Copies of a measured run with wall times that say, row by row, something
# known (in seconds, a list per copy, oldest first):
# - the second against the first: Sequential of the second varied by
#   ± 41 % around 2.07 times the first's median; Threads ×2 moved less than
#   its repetitions vary; Processes ×2 was 1.20 times faster;
# - the third against the first: Sequential within 1 %, Threads ×2 1.16
#   times slower, Processes ×2 1.49 times faster, all steady;
# - the fourth against the third: nothing beyond the spread or 1 %.
CRAFTED_WALLS = {
    'sequential': ([1.00, 1.02], [2.07 * 1.01 * 1.41, 2.07 * 1.01 * 0.59], [1.00, 1.01], [1.00, 1.02]),
    'threads': ([0.60, 0.62], [0.58, 0.67], [0.70, 0.71], [0.70, 0.72]),
    'processes': ([0.60, 0.61], [0.50, 0.51], [0.40, 0.41], [0.40, 0.43]),
}
N_CRAFTED = 4


def craft_comparison(env):
    """Copies the newest finished run of the history N_CRAFTED times with
    CRAFTED_WALLS and a quiet machine; returns the copies' ids, oldest
    first."""
    path = os.path.join(env['XDG_DATA_HOME'], 'concurrency-lab', 'history.db')
    db = sqlite3.connect(path, timeout=10)
    try:
        run_columns = [row[1] for row in db.execute('PRAGMA table_info(runs)') if row[1] not in ('id', 'started_at')]
        rep_columns = [row[1] for row in db.execute('PRAGMA table_info(repetitions)') if row[1] not in ('id', 'run')]
        span_columns = [row[1] for row in db.execute('PRAGMA table_info(spans)') if row[1] != 'repetition']
        source = db.execute("SELECT id FROM runs WHERE status = 'finished' ORDER BY id DESC").fetchone()[0]
        ids = []
        for copy in range(N_CRAFTED):
            started = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(time.time() + copy)) + '.000000Z'
            cursor = db.execute(f'INSERT INTO runs (started_at, {", ".join(run_columns)}) '
                                f'SELECT ?, {", ".join(run_columns)} FROM runs WHERE id = ?', (started, source))
            run = cursor.lastrowid
            ids.append(run)
            seen = {}
            reps = db.execute('SELECT id, mode, warmup FROM repetitions WHERE run = ? ORDER BY seq', (source,))
            for rep, mode, warmup in reps.fetchall():
                cursor = db.execute(f'INSERT INTO repetitions (run, {", ".join(rep_columns)}) '
                                    f'SELECT ?, {", ".join(rep_columns)} FROM repetitions WHERE id = ?', (run, rep))
                new_rep = cursor.lastrowid
                db.execute(f'INSERT INTO spans (repetition, {", ".join(span_columns)}) '
                           f'SELECT ?, {", ".join(span_columns)} FROM spans WHERE repetition = ?', (new_rep, rep))
                if warmup:
                    continue
                index = seen[mode] = seen.get(mode, -1) + 1
                db.execute('UPDATE repetitions SET wall_s = ?, background_busy_s = 0, background_cpu = 0, '
                           'failed_tasks = 0 WHERE id = ?', (CRAFTED_WALLS[mode][copy][index], new_rep))
        db.commit()
    finally:
        db.close()
    print(f'# runs {ids} copied from #{source} with the wall times {CRAFTED_WALLS}')
    return ids


def compare_crafted(window, ids, newer, older):
    """Selects the crafted copies @newer and @older (indexes into @ids) and
    waits for their comparison; returns its rows and reading."""
    # The list is newest first, and the copies are the newest runs.
    select_history_rows(window, N_CRAFTED - 1 - newer, N_CRAFTED - 1 - older)
    window.need('the comparison table', role='tree table', name='Comparison', timeout=15)
    wait_for(f'the comparison of #{ids[newer]} with #{ids[older]}',
             lambda: window.find(role='label', contains=f'#{ids[newer]} vs #{ids[older]}'), timeout=10)
    wait_for('the comparison\'s rows', lambda: len(comparison_rows(window)) == 3, timeout=30)
    return comparison_rows(window), check_comparison_reading(window, f'#{ids[newer]}', f'#{ids[older]}')


def check_crafted_comparisons(window, ids):
    """The crafted runs compared: a row whose repetitions disagree gives no
    ratio, nor does a row whose change is within its spread, and the reading
    says which run cannot be trusted and why, and names no largest change;
    steady runs get their changes counted and the largest named; runs
    within each other's spread are not measurably different."""
    window.open_page('History', 'LabHistoryPage')
    wait_for('the crafted runs listed', lambda: len(history_rows(window)) >= N_CRAFTED + 1, timeout=10)
    a, b, c, d = (f'#{i}' for i in ids)
    cases = [
        (1, 0, {'Sequential': 'spread too large', 'Threads ×2': 'within the spread', 'Processes ×2': '1.20× faster'},
         [f'In {b}, the repetitions of Sequential varied by ± 41 % around their median: its figures are not reliable.',
          f'{b} was faster than {a} in 1 of 3 rows.'], ['largest change', f'In {a}']),
        (2, 0, {'Sequential': 'about the same', 'Threads ×2': '1.16× slower', 'Processes ×2': '1.49× faster'},
         [f'{c} was faster than {a} in 1 of 3 rows and slower in 1. The largest change: Processes ×2, 1.49× faster.'],
         ['not reliable']),
        (3, 2, {'Sequential': 'about the same', 'Threads ×2': 'about the same', 'Processes ×2': 'within the spread'},
         [f'{d} and {c} are not measurably different'], ['not reliable', 'largest change']),
    ]
    for newer, older, expected, parts, absent in cases:
        rows, reading = compare_crafted(window, ids, newer, older)
        if rows != expected:
            fail(f'#{ids[newer]} vs #{ids[older]} shows {rows}, expected {expected}')
        for part in parts:
            if part not in reading:
                fail(f'the reading of #{ids[newer]} vs #{ids[older]} lacks {part!r}: {reading!r}')
        for part in absent:
            if part in reading:
                fail(f'the reading of #{ids[newer]} vs #{ids[older]} says {part!r}: {reading!r}')
        screenshot(f'history-compare-{ids[newer]}-{ids[older]}')
        print(f'ok - #{ids[newer]} vs #{ids[older]}: {rows}; {reading!r}')


def check_history_export(window, run):
    """Results and spans of a run read back, through the file chooser;
    an unwritable path says why."""
    window.export('Results as CSV…', '/proc/results.csv')
    toast = window.need('the error toast', role='label', contains='Could not save', scope=window.app)
    print(f'ok - unwritable export path: {toast.name!r}')
    with tempfile.TemporaryDirectory() as d:
        results, spans = os.path.join(d, 'results.csv'), os.path.join(d, 'spans.csv')
        window.export('Results as CSV…', results)
        window.export('Task Spans as CSV…', spans)
        wait_for('the exports to be written', lambda: os.path.getsize(results) > 0 and os.path.getsize(spans) > 0,
                 timeout=10)
        with open(results, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        header = rows[0]
        if header[:2] != ['run_id', 'started_at']:
            fail(f'the exported results\' header: {header}')
        if len(rows) - 1 != 6:
            fail(f'the exported results: {len(rows) - 1} rows for 3 cells × 2 repetitions')
        modes = sorted({row[header.index('mode')] for row in rows[1:]})
        if modes != ['processes', 'sequential', 'threads']:
            fail(f'the exported results\' modes: {modes}')
        with open(spans, newline='', encoding='utf-8') as f:
            n_spans = len(list(csv.reader(f))) - 1
        if n_spans != 6 * 8:
            fail(f'the exported spans: {n_spans} rows for 6 repetitions of 8 tasks')
    print(f'ok - run #{run["id"]} exported: {len(rows) - 1} results, {n_spans} spans')


def check_history_narrow(window, frame):
    """At 360 px, the list and the run are two views."""
    window.open_page('History', 'LabHistoryPage')
    rows = wait_for('the run listed', lambda: history_rows(window), timeout=10)
    (fx, fy), (fw, fh) = frame.position, frame.size
    runs_list = window.need('the list of runs', role='list', name='Past runs')
    (x, y), (w, h) = runs_list.position, runs_list.size
    if w <= 0 or x < fx or x + w > fx + fw:
        fail(f'at 360 px, the list at {runs_list.position} {runs_list.size} is outside the window {frame.position} {frame.size}')
    screenshot('history-narrow')
    # The page put the keyboard on the selected run: Enter opens it.
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(0xff0d, None, Atspi.KeySynthType.SYM)  # GDK_KEY_Return
    back = window.need('the back button', role='push button', contains='Back to the runs', timeout=10)
    window.need('the results table', role='tree table', name='Results')
    screenshot('history-narrow-run')
    check_controls_named(window)
    window.click(back)
    print(f'ok - at 360 × 640: {len(rows)} run listed, opened and back')


def wait_for_workers_to_end(workers, what):
    ended = time.monotonic()
    wait_for(f'the workers {workers} to end', lambda: not any(alive(pid) for pid in workers), timeout=5, interval=0.1)
    print(f'ok - {what}: its {len(workers)} workers ended {(time.monotonic() - ended) * 1000:.0f} ms later')


def check_closed_window(app_process, window, frame, env):
    """The window closed during a run: the run ends cancelled or
    interrupted, with the repetitions it completed, and no worker stays."""
    window.switch_to(1, 'CPU Kernels')
    known = {run['id'] for run in history_runs(env)}
    window.click(window.start_button())
    run = wait_for('two repetitions in the history',
                   lambda: next((r for r in history_runs(env) if r['id'] not in known and r['repetitions'] >= 2),
                                None), timeout=120, interval=0.2)
    workers = [pid for pid in children_of(app_process.pid) if alive(pid)]
    if len(workers) < 2:
        fail(f'the run has {len(workers)} worker processes: {workers}')
    from gi.repository import GLib
    try:
        frame.doActionNamed('window.close')
    except GLib.GError as error:
        # The application may end, as wanted, before its answer to the
        # close has left: that end is checked below.
        if error.domain != 'atspi_error' or \
                error.message != 'Message recipient disconnected from message bus without replying':
            raise
    try:
        app_process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        fail('the application did not end when its window closed during a run')
    wait_for_workers_to_end(workers, 'the window closed during a run')
    after = next(r for r in history_runs(env) if r['id'] == run['id'])
    if after['status'] not in ('running', 'cancelled', 'interrupted') or after['repetitions'] < run['repetitions']:
        fail(f'the run of a closed window: {after}, before the close {run}')
    print(f'ok - the window closed during a run: {after["repetitions"]} repetitions kept, {after["status"]}')


def check_killed_window(app_process, window, env):
    """A long run in worker processes; the window killed with SIGKILL once
    a few repetitions are kept: none of its workers stays."""
    window.switch_to(1, 'CPU Kernels')
    window.click(window.start_button())
    wait_for('the long run to start', lambda: window.status('Running…'), timeout=10)
    started = time.monotonic()

    # The History page follows the run, and offers to stop it.
    window.open_page('History', 'LabHistoryPage')
    window.need('the Running badge', role='label', name='Running', timeout=10)
    window.need('the header bar\'s Stop button', role='push button', name='Stop', scope=window.app)
    first = repetitions_of(wait_for('the run listed', lambda: history_rows(window), timeout=10)[0][1])[0]
    wait_for('the list to follow the run', lambda: repetitions_of(history_rows(window)[0][1])[0] > first, timeout=60)
    print(f'ok - the History page follows the run: {history_rows(window)[0][1]!r}')

    run = wait_for('three repetitions in the history',
                   lambda: next((r for r in history_runs(env) if r['status'] == 'running' and r['repetitions'] >= 3),
                                None), timeout=120, interval=0.2)
    workers = [pid for pid in children_of(app_process.pid) if alive(pid)]
    if len(workers) < 2:
        fail(f'the long run has {len(workers)} worker processes: {workers}')
    os.kill(app_process.pid, signal.SIGKILL)
    app_process.wait()
    wait_for_workers_to_end(workers, f'killed after {time.monotonic() - started:.1f} s with '
                                     f'{run["repetitions"]} repetitions kept')


def check_interrupted_listed(window, env):
    """After the kill: the run listed as interrupted, with the repetitions
    it completed, which the page shows."""
    kept = history_runs(env)[0]
    window.open_page('History', 'LabHistoryPage')
    rows = wait_for('the interrupted run listed', lambda: history_rows(window), timeout=10)
    window.need('the Interrupted badge', role='label', name='Interrupted')
    done, total = repetitions_of(rows[0][1])
    if done < 3 or done != kept['repetitions_done'] or total <= done:
        fail(f'the interrupted run lists {done} of {total} repetitions; the history kept {kept}')
    status = window.need('the interrupted state', role='label', contains='Interrupted:')
    medians = wait_for('the kept repetitions\' median', lambda: window.table_labels(contains=' ± '), timeout=10)
    runs = history_runs(env)
    if runs[0]['status'] != 'interrupted' or runs[0]['spans'] < 3 * 4:
        fail(f'the history after the restart: {runs[0]}')
    if any(run['status'] == 'running' for run in runs):
        fail(f'a run of a window that is gone is still listed as running: {runs}')
    screenshot('history-interrupted')
    print(f'ok - listed as interrupted with {done} of {total} repetitions: {status.name!r}; medians {medians}; '
          f'{runs[0]["spans"]} spans kept')


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception:
        # dogtail replaces sys.excepthook; say what went wrong ourselves.
        import traceback
        traceback.print_exc()
        sys.exit(1)
