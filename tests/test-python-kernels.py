#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CPython runtime's worker (data/concurrency-lab-kernels.py) against the
native worker: the same W/T lines to both, the same answers expected.

CONCURRENCY_LAB_PYTHON_KERNELS names the script, CONCURRENCY_LAB_WORKER the
native worker; CONCURRENCY_LAB_TEST_PYTHON may name the interpreter that
runs the script (default: this one)."""

import http.server
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import unittest

SCRIPT = os.environ["CONCURRENCY_LAB_PYTHON_KERNELS"]
NATIVE = os.environ["CONCURRENCY_LAB_WORKER"]
PYTHON = os.environ.get("CONCURRENCY_LAB_TEST_PYTHON", sys.executable)

# Both workers talk to the local server directly.
ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}

MODES = {"default": [], "threads": ["--threads", "3"], "asyncio": ["--asyncio", "2"]}

READ_TIMEOUT_S = 60


def now_us():
    return time.monotonic_ns() // 1000


def python_worker(*args):
    return [PYTHON, SCRIPT, *args]


class Reply:
    """One R line."""

    def __init__(self, line):
        f = line.split(" ", 10)
        if f[0] != "R" or len(f) < 10:
            raise AssertionError("not a result: %r" % line)
        self.line = line
        self.id, self.task = int(f[1]), int(f[2])
        self.ok = f[3] == "ok"
        if f[3] not in ("ok", "fail"):
            raise AssertionError("bad status in %r" % line)
        self.checksum, self.start, self.end, self.bytes, self.tid, self.http = map(int, f[4:10])
        self.error = f[10] if len(f) > 10 else None
        if self.ok != (self.error is None):
            raise AssertionError("error text does not match the status: %r" % line)
        if self.end < self.start:
            raise AssertionError("ends before it starts: %r" % line)

    def __repr__(self):
        return self.line


class Peer:
    """A worker process: lines in, lines out, never waiting forever."""

    def __init__(self, argv):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=ENV)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        hello = self.readline().split(" ")
        if hello != ["H", "2", str(self.proc.pid)]:
            raise AssertionError("%s said %r first" % (argv, hello))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode("utf-8").rstrip("\n"))
        self.lines.put(None)

    def send(self, *lines):
        self.proc.stdin.write("".join(line + "\n" for line in lines).encode("utf-8"))
        self.proc.stdin.flush()

    def readline(self):
        try:
            line = self.lines.get(timeout=READ_TIMEOUT_S)
        except queue.Empty:
            raise AssertionError("%s: no answer in %d s" % (self.argv, READ_TIMEOUT_S)) from None
        if line is None:
            raise AssertionError("%s ended: %s" % (self.argv, self.proc.stderr.read().decode()))
        return line

    def results(self, n):
        """The next n R lines, by id."""
        replies = {}
        for _ in range(n):
            reply = Reply(self.readline())
            if reply.id in replies:
                raise AssertionError("id %d answered twice" % reply.id)
            replies[reply.id] = reply
        return replies

    def close(self):
        """Closes stdin; the exit status."""
        self.proc.stdin.close()
        status = self.proc.wait(timeout=READ_TIMEOUT_S)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def run_lines(argv, data):
    """Feeds @data to a fresh worker: its output after H, its exit status."""
    r = subprocess.run(argv, input=data, capture_output=True, env=ENV, timeout=READ_TIMEOUT_S)
    out = r.stdout.decode("utf-8")
    first, _, rest = out.partition("\n")
    if not first.startswith("H 2 "):
        raise AssertionError("%s said %r first (stderr %r)" % (argv, first, r.stderr))
    return rest, r.returncode


# (kernel, size, tasks, the tasks to run or None for all): small sizes,
# edge slices (empty ones, tasks > size), and large indices where the C
# code's 64-bit arithmetic wraps.
KERNEL_CASES = [
    ("sumsq", 1000, 3, None),
    ("sumsq", 7, 10, None),
    ("sumsq", 10**10 + 7, 10**6, [0, 1, 499999, 999999]),       # i² over 2⁶⁴
    ("primes", 100000, 1, None),
    ("primes", 100000, 7, None),
    ("primes", 5000, 3, None),                                  # fewer blocks than tasks
    ("primes", 3, 4, None),
    ("primes", 20000000, 4000, [0, 883, 3999]),
    ("pi", 10000, 3, None),
    ("pi", 17, 20, None),
    ("pi", 10**10, 10**6, [999999]),
    ("mandelbrot", 1024 * 6, 3, None),
    ("mandelbrot", 1000, 7, None),
    ("mandelbrot", 3000, 5, None),                              # a partial last row
    ("mandelbrot", 1 << 32, 10**6, [0, 1, 999999]),
    ("mandelbrot", 1024 * 768, 768, [213, 555]),                # rows where x*x + cx - y*y would differ
    ("hash", 1000, 3, None),
    ("hash", 5, 9, None),
    ("hash", 10**10, 10**6, [0, 999999]),
    ("matmul", 20, 3, None),
    ("matmul", 7, 10, None),
    ("matmul", 50, 4, [3]),
    ("noop", 1, 5, None),
]

# Values known without either worker.
KNOWN = {
    ("sumsq", 1000, 3): sum(i * i for i in range(1000)),
    ("primes", 100000, 1): 9592,
    ("noop", 1, 5): 0 + 1 + 2 + 3 + 4,
}


def kernel_lines():
    """W and T lines for every case; the ids of each case's tasks."""
    lines, ids = [], []
    next_id = 1
    for kernel, size, tasks, which in KERNEL_CASES:
        lines.append("W cpu:%s %d %d 30 0" % (kernel, size, tasks))
        case_ids = []
        for task in (range(tasks) if which is None else which):
            lines.append("T %d %d" % (next_id, task))
            case_ids.append(next_id)
            next_id += 1
        ids.append(case_ids)
    return lines, ids


class Kernels(unittest.TestCase):
    """Every kernel's checksums equal the native ones, in every mode."""

    @classmethod
    def setUpClass(cls):
        cls.lines, cls.ids = kernel_lines()
        native = Peer([NATIVE])
        try:
            native.send(*cls.lines)
            cls.native = native.results(sum(len(i) for i in cls.ids))
            assert native.close() == 0
        finally:
            native.kill()

    def check_mode(self, mode):
        peer = Peer(python_worker(*MODES[mode]))
        try:
            peer.send(*self.lines)
            got = peer.results(len(self.native))
            self.assertEqual(peer.close(), 0)
        finally:
            peer.kill()

        for case, case_ids in zip(KERNEL_CASES, self.ids):
            for i in case_ids:
                with self.subTest(mode=mode, case=case, id=i):
                    mine, theirs = got[i], self.native[i]
                    self.assertTrue(mine.ok, mine)
                    self.assertEqual(mine.task, theirs.task)
                    self.assertEqual(mine.checksum, theirs.checksum, "%s vs native %s" % (mine, theirs))
                    self.assertEqual((mine.bytes, mine.http), (0, 0))
            known = KNOWN.get(case[:3])
            if known is not None:
                self.assertEqual(sum(got[i].checksum for i in case_ids), known, case)

        tids = {r.tid for r in got.values()}
        if mode == "default":
            self.assertEqual(tids, {peer.proc.pid})
        elif mode == "asyncio":
            self.assertEqual(len(tids), 1)
        else:
            self.assertLessEqual(len(tids), 3)
            self.assertNotIn(peer.proc.pid, tids)  # not the reader thread

    def test_default(self):
        self.check_mode("default")

    def test_threads(self):
        self.check_mode("threads")

    def test_asyncio(self):
        self.check_mode("asyncio")

    def test_known_by_both(self):
        for (kernel, size, tasks), value in KNOWN.items():
            i = KERNEL_CASES.index(next(c for c in KERNEL_CASES if c[:3] == (kernel, size, tasks)))
            self.assertEqual(sum(self.native[j].checksum for j in self.ids[i]), value)


class Sleep(unittest.TestCase):
    def run_sleeps(self, mode, ms, n):
        peer = Peer(python_worker(*MODES[mode]))
        try:
            before = now_us()
            peer.send("W io:sleep %d %d 30 0" % (ms, n), *("T %d %d" % (10 + t, t) for t in range(n)), "U")
            replies = peer.results(n)
            usage = peer.readline().split(" ")  # after every R sent before it
            after = now_us()
            self.assertEqual(peer.close(), 0)
        finally:
            peer.kill()
        self.assertEqual(usage[0], "U", usage)
        self.assertEqual(len(usage), 6, usage)  # with the context switches
        self.assertGreater(int(usage[3]), 0)
        spans = sorted(replies.values(), key=lambda r: r.start)
        for r in spans:
            self.assertTrue(r.ok, r)
            self.assertEqual(r.checksum, r.task)
            self.assertEqual(r.id, 10 + r.task)
            # The engine's clock: within what this process saw.
            self.assertGreaterEqual(r.start, before)
            self.assertLessEqual(r.end, after)
            self.assertGreaterEqual(r.end - r.start, ms * 1000 - 1000, r)
        return spans, peer.proc.pid

    def test_default_runs_one_at_a_time(self):
        spans, pid = self.run_sleeps("default", 60, 3)
        for a, b in zip(spans, spans[1:]):
            self.assertGreaterEqual(b.start, a.end)
        self.assertEqual({r.tid for r in spans}, {pid})

    def test_threads_overlap(self):
        spans, pid = self.run_sleeps("threads", 300, 3)
        self.assertLess(max(r.start for r in spans), min(r.end for r in spans))
        self.assertEqual(len({r.tid for r in spans}), 3)
        self.assertNotIn(pid, {r.tid for r in spans})

    def test_asyncio_at_most_n(self):
        spans, pid = self.run_sleeps("asyncio", 200, 5)
        events = sorted([(r.start, 1) for r in spans] + [(r.end, -1) for r in spans])
        running = peak = 0
        for _, step in events:
            running += step
            peak = max(peak, running)
        self.assertEqual(peak, 2)
        self.assertEqual({r.tid for r in spans}, {pid})


def pattern(n):
    block = Handler.BLOCK * (n // len(Handler.BLOCK) + 1)
    return block[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    BLOCK = bytes((i * 31 + (i >> 8) * 7) & 0xff for i in range(65536 + 13))

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        n = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if parts[0] == "bytes":
            body = pattern(n)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif parts[0] == "chunked":
            body = pattern(n)
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sizes = [1, 7, 4096, 65535, 3]
            i = k = 0
            while i < len(body):
                piece = body[i:i + sizes[k % len(sizes)]]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                i += len(piece)
                k += 1
            self.wfile.write(b"0\r\n\r\n")
        elif parts[0] == "close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(pattern(n))
            self.close_connection = True
        elif parts[0] == "redirect":
            self.send_response(302)
            self.send_header("Location", "/bytes/%d" % n)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts[0] == "slow":
            time.sleep(n / 1000)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        else:
            body = b"not here\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that stops reading (over the cap, timed out)


class Downloads(unittest.TestCase):
    CAP = 150000

    @classmethod
    def setUpClass(cls):
        cls.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]
        # (argument, how to compare): "same" the whole answer but times and
        # tid; "cap" failed over the cap; "refused" a failed connection.
        cls.cases = [
            (base + "/bytes/0", "same"),
            (base + "/bytes/1", "same"),
            (base + "/bytes/12345", "same"),
            (base + "/bytes/140001", "same"),
            (base + "/chunked/100003", "same"),
            (base + "/close/70001", "same"),
            (base + "/redirect/999", "same"),
            (base + "/missing", "same"),                 # 404: its body counts
            (base + "/bytes/400000", "cap"),
            ("", "same"),                                # no URL
            ("ftp://127.0.0.1/x", "same"),
            ("http:///x", "same"),
            ("nothing", "same"),
            ("http://127.0.0.1:%d/" % closed_port, "refused"),
        ]
        cls.slow = base + "/slow/3000"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def lines(self):
        lines = ["W io:download 0 %d 20 %d" % (len(self.cases), self.CAP)]
        for i, (url, _) in enumerate(self.cases):
            lines.append(("T %d %d %s" % (i, i, url)).rstrip())
        lines += ["W io:download 0 1 1 %d" % self.CAP, "T 100 0 " + self.slow]
        return lines

    def check_mode(self, mode):
        peers = [Peer([NATIVE]), Peer(python_worker(*MODES[mode]))]
        try:
            for peer in peers:  # both at once: the slow ones overlap
                peer.send(*self.lines())
            native, mine = (peer.results(len(self.cases) + 1) for peer in peers)
            for peer in peers:
                self.assertEqual(peer.close(), 0)
        finally:
            for peer in peers:
                peer.kill()

        for i, (url, how) in enumerate(self.cases):
            a, b = mine[i], native[i]
            with self.subTest(mode=mode, url=url):
                if how == "same":
                    self.assertEqual((a.ok, a.checksum, a.bytes, a.http, a.error),
                                     (b.ok, b.checksum, b.bytes, b.http, b.error), "%s vs native %s" % (a, b))
                elif how == "cap":
                    self.assertEqual((a.ok, a.checksum, a.http, a.error),
                                     (False, 0, 200, "body larger than the cap of %d bytes" % self.CAP))
                    self.assertEqual((b.ok, b.checksum, b.http, b.error), (a.ok, a.checksum, a.http, a.error))
                    self.assertGreater(a.bytes, self.CAP)
                else:
                    self.assertEqual((a.ok, a.checksum, a.bytes, a.http), (False, 0, 0, 0), a)
                    self.assertEqual((b.ok, b.checksum, b.bytes, b.http), (False, 0, 0, 0), b)
                    self.assertTrue(a.error.startswith("request failed: "), a)
        self.assertEqual(mine[7].error, "HTTP 404 Not Found")
        self.assertTrue(mine[3].ok and mine[3].bytes == 140001, mine[3])

        slow = mine[100]
        self.assertEqual((slow.ok, slow.http, slow.bytes), (False, 0, 0), slow)
        self.assertIn("timed out", slow.error)
        self.assertLess(slow.end - slow.start, 2500000, slow)
        self.assertFalse(native[100].ok, native[100])

    def test_default(self):
        self.check_mode("default")

    def test_threads(self):
        self.check_mode("threads")

    def test_asyncio(self):
        self.check_mode("asyncio")


# Lines that end a worker: what it answers must be the native worker's,
# word for word, and so must its exit status.
BAD_INPUT = [
    b"X\n",
    b"\n",
    b"W cpu:nope 1 1 1 1\n",
    b"W gpu:x 1 1 1 1\n",
    b"W cpu: 1 1 1 1\n",
    b"W  cpu:sumsq 1 1 1 1\n",
    b"W cpu:sumsq 1 1 1\n",
    b"W cpu:sumsq 1 1 1 1 2\n",
    b"W cpu:sumsq 1 1 1 1 \n",
    b"W cpu:sumsq -1 1 1 1\n",
    b"W cpu:sumsq 1 1000001 1 1\n",
    b"W cpu:sumsq 18446744073709551616 1 1 1\n",
    b"W cpu:sumsq " + b"9" * 50 + b" 1 1 1\n",
    b"W io:sleep 1 1 4294967296 1\n",
    b"T 1 0\n",
    b"W cpu:sumsq 10 2 1 1\nT 1 2\n",
    b"W cpu:sumsq 10 2 1 1\nT 1 0 \n",
    b"W cpu:sumsq 10 2 1 1\nT 1\n",
    b"W cpu:sumsq 10 2 1 1\nT x 0\n",
    b"H 2 1\n",
    b"H 2\n",
    b"R 1 0 ok 0 5 4 0 0 0\n",
    b"R 1 0 maybe 0 5 4 0 0 0\n",
    b"R 1 0 fail 0 4 5 0 0 0\n",
    b"R 1 0 ok 0 4 5 0 0 0 oops\n",
    b"E\n",
    b"E bye\n",
    b"U 1 2\n",
    b"U 1 2 3 4\n",
    b"P 1 0\n",
    b"Ux\n",
    b"T 1 0\x01\n",
    b"T 1 0\r\n",
    b"T \xff\n",
    b"T 1 \x00\n",
    b"W cpu:noop 1 1 1 1\nT 1 0 " + b"a" * 70000 + b"\n",
    b"W cpu:noop 1 1 1 1\nT 1 0 " + b"a" * 70000,
]

# Input that ends without an error.
GOOD_INPUT = [
    b"",
    b"W cpu:noop 1 2 1 1\nT 1 1\nT 2 0",           # a last line without newline is dropped
    b"W cpu:noop 1 1 1 1\nT 7 0 extra argument\n",
]

# Workloads out of the run builder's limits (lab_workload_get_limit): each
# task answered with an error, the worker going on to the next workload.
REFUSED_INPUT = [
    b"W cpu:matmul 5000 1 1 1\nT 1 0\nW io:sleep 0 1 0 0\nT 2 0\nW cpu:noop 1 1 1 1\nT 3 0\n",
    b"W cpu:matmul 65536 2 30 0\nT 1 0\nT 2 1\n",
    b"W cpu:matmul 4294967296 2 30 0\nT 1 1\n",
    b"W cpu:sumsq 1000000000001 1 30 0\nT 1 0\n",
    b"W io:sleep 3600001 1 30 0\nT 1 0\n",
    b"W cpu:sumsq 100 0 30 0\nT 1 0\nT 2 5\n",
    b"W io:download 0 1 0 1000\nT 1 0 http://127.0.0.1:9/\n",
    b"W io:download 0 1 86401 1000\nT 1 0 http://127.0.0.1:9/\n",
    b"W io:download 0 1 30 0\nT 1 0 http://127.0.0.1:9/\n",
]


class Protocol(unittest.TestCase):
    def compare(self, data, modes):
        native = run_lines([NATIVE], data)
        for mode in modes:
            with self.subTest(data=data[:80], mode=mode):
                out, status = run_lines(python_worker(*MODES[mode]), data)
                self.assertEqual(status, native[1])
                # R lines carry times and tids: compare the rest.
                strip = lambda text: [" ".join(line.split(" ")[:5]) if line.startswith("R ") else line
                                      for line in text.splitlines()]
                self.assertEqual(strip(out), strip(native[0]))
        return native

    def test_bad_input(self):
        for data in BAD_INPUT:
            out, status = self.compare(data, ["default"])
            self.assertNotEqual(status, 0)
            self.assertTrue(out.splitlines()[-1].startswith("E "), out)
        for data in BAD_INPUT[:3] + BAD_INPUT[14:16]:
            self.compare(data, ["threads", "asyncio"])

    def test_good_input(self):
        for data in GOOD_INPUT:
            out, status = self.compare(data, MODES)
            self.assertEqual(status, 0)

    def test_refused_workloads(self):
        for data in REFUSED_INPUT:
            out, status = self.compare(data, MODES)
            self.assertEqual(status, 0)
            replies = [Reply(line) for line in out.splitlines()]
            refused = [r for r in replies if not r.ok]
            self.assertTrue(refused, out)
            for reply in refused:
                self.assertTrue(reply.error.startswith("workload refused: "), reply)
                self.assertIn("is not a whole number from", reply.error)

    def test_usage_request_with_fields(self):
        out, status = run_lines(python_worker(), b"U 1 2 3\n")
        self.assertEqual(status, 0)
        self.assertRegex(out, r"^U \d+ \d+ \d+ \d+ \d+\n$")

    def test_command_line(self):
        for args in (["--threads", "0"], ["--threads", "513"], ["--asyncio", "x"], ["--bogus"],
                     ["--threads", "2", "--asyncio", "2"], ["--threads"], ["--probe", "--threads", "2"]):
            with self.subTest(args=args):
                r = subprocess.run(python_worker(*args), capture_output=True, env=ENV, timeout=30,
                                   stdin=subprocess.DEVNULL)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stdout, b"")
                self.assertIn(b"Usage", r.stderr)

    def test_nice(self):
        peer = Peer(python_worker("--nice", "3", "--threads", "2"))
        try:
            niceness = os.getpriority(os.PRIO_PROCESS, peer.proc.pid)
            self.assertEqual(peer.close(), 0)
        finally:
            peer.kill()
        if os.getpriority(os.PRIO_PROCESS, 0) <= 3:
            self.assertEqual(niceness, 3)

    def test_probe(self):
        r = subprocess.run(python_worker("--probe"), capture_output=True, env=ENV, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        info = json.loads(lines[0])
        self.assertEqual(sorted(info), ["executable", "gil_enabled", "implementation", "version"])
        self.assertEqual(info["implementation"], "cpython")
        self.assertIsInstance(info["gil_enabled"], bool)
        self.assertEqual(os.path.realpath(info["executable"]), os.path.realpath(PYTHON))
        if PYTHON == sys.executable:
            import platform
            self.assertEqual(info["version"], platform.python_version())
            is_gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)
            self.assertEqual(info["gil_enabled"], is_gil_enabled())
        else:
            self.assertRegex(info["version"], r"^3\.\d+\.\d+")


class Parent(unittest.TestCase):
    """Both workers end with their parent, in the middle of a task too."""

    WORKERS = {"native": [NATIVE], "python": python_worker(), "python-threads": python_worker("--threads", "2"),
               "python-asyncio": python_worker("--asyncio", "2")}

    def test_parent_gone_before_start(self):
        """Told of a parent it does not have, as when its own died before it asked to be told."""
        env = dict(ENV, CONCURRENCY_LAB_PARENT_PID=str(os.getppid()))
        for name, argv in self.WORKERS.items():
            with self.subTest(worker=name):
                r = subprocess.run(argv, stdin=subprocess.PIPE, capture_output=True, env=env, timeout=30)
                self.assertEqual((r.returncode, r.stdout), (3, b""), r.stderr)

    def test_ends_when_nobody_reads(self):
        for name, argv in self.WORKERS.items():
            with self.subTest(worker=name):
                proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV)
                try:
                    self.assertTrue(proc.stdout.readline().startswith(b"H "))
                    proc.stdin.write(b"W io:sleep 3600000 1 30 1\nT 1 0\n")
                    proc.stdin.flush()
                    time.sleep(0.3)
                    proc.stdout.close()
                    self.assertEqual(proc.wait(timeout=5), 3)
                finally:
                    proc.kill()
                    proc.wait()
                    proc.stdin.close()

    def test_answers_after_stdin_closed(self):
        """A parent that closes stdin after its requests still gets the answers."""
        for name, argv in self.WORKERS.items():
            with self.subTest(worker=name):
                out, status = run_lines(argv, b"W io:sleep 300 2 30 1\nT 1 0\nT 2 1\n")
                self.assertEqual(status, 0)
                self.assertEqual(sorted(Reply(line).id for line in out.splitlines()), [1, 2])


if __name__ == "__main__":
    unittest.main(verbosity=2)
