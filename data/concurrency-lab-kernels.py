#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CPython runtime's worker for Concurrency Lab.

Runs the lab's CPU kernels and I/O tasks in plain Python and speaks the
native worker's line protocol (src/core/engine/private/lab-protocol.h) on
stdin/stdout, so that the engine can drive a real interpreter, GIL and
all, the way it drives concurrency-lab-worker.

    concurrency-lab-kernels.py [--nice N] [--threads N | --asyncio N]
    concurrency-lab-kernels.py --probe

Default: one task at a time in the main thread (sequential mode, and each
process of the processes mode, like a ProcessPoolExecutor worker).
--threads N: N threading workers fed from a queue (ThreadPoolExecutor).
--asyncio N: one thread running an asyncio event loop, at most N tasks at
a time. --probe prints what interpreter this is as one line of JSON.

Standard library only; Python 3.8 or later, free-threaded builds included.
The checksums are bit-identical to the native kernels (src/core/kernels/).
"""

import hashlib
import os
import queue
import re
import resource
import select
import signal
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http import HTTPStatus

PROTOCOL_VERSION = 2
MAX_LINE = 64 * 1024           # LAB_PROTOCOL_MAX_LINE
MAX_TASKS = 1000000            # LAB_MAX_TASKS
MAX_WORKERS = 512              # LAB_MAX_WORKERS
SLEEP_MAX_MS = 3600 * 1000     # LAB_SLEEP_MAX_MS
MAX_TIMEOUT_S = 86400          # LAB_MAX_TIMEOUT_S
MAX_DIGITS = 24                # lab-parse.c
FETCH_CHUNK = 64 * 1024        # LAB_FETCH_CHUNK
MAX_REDIRECTS = 20
U64_MAX = (1 << 64) - 1
I64_MAX = (1 << 63) - 1
I32_MAX = (1 << 31) - 1
U32_MAX = (1 << 32) - 1
MASK64 = U64_MAX               # where C's guint64 wraps, Python reduces modulo 2**64
USER_AGENT = "concurrency-lab-python/%d.%d" % sys.version_info[:2]


# The kernels (src/core/kernels/lab-kernel.c) ---------------------------------
#
# Each takes the whole size, the task's slice [begin, end), the task index and
# the number of tasks, and returns the task's checksum as an unsigned 64-bit
# value.

def kernel_sumsq(size, begin, end, task, tasks):
    """Σ i² over [begin, end), modulo 2**64."""
    return sum(i * i for i in range(begin, end)) & MASK64


def is_prime(n):
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


PRIMES_BLOCK = 4096


def kernel_primes(size, begin, end, task, tasks):
    """Primes below size, over blocks of 4096 numbers dealt round-robin:
    block b goes to task b mod tasks."""
    count = 0
    block = task * PRIMES_BLOCK
    while block < size:
        for n in range(block, min(size, block + PRIMES_BLOCK)):
            if is_prime(n):
                count += 1
        block += tasks * PRIMES_BLOCK
    return count


def splitmix64(x):
    x = (x + 0x9e3779b97f4a7c15) & MASK64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK64
    return x ^ (x >> 31)


LCG_MUL = 6364136223846793005
LCG_ADD = 1442695040888963407
RADIUS2 = 1 << 62


def kernel_pi(size, begin, end, task, tasks):
    """Monte Carlo π: points of the unit square inside the quarter circle,
    drawn by a 64-bit LCG seeded from the task index."""
    state = splitmix64(task + 1)
    hits = 0
    for _ in range(begin, end):
        state = (state * LCG_MUL + LCG_ADD) & MASK64
        x = state >> 33
        state = (state * LCG_MUL + LCG_ADD) & MASK64
        y = state >> 33
        if x * x + y * y < RADIUS2:
            hits += 1
    return hits


MANDELBROT_WIDTH = 1024
MANDELBROT_MAX_ITER = 256


def kernel_mandelbrot(size, begin, end, task, tasks):
    """Escape-time iterations summed over pixels [begin, end) of an image
    1024 wide; the same floating-point operations, in the same order, as
    the C code (Python floats are IEEE doubles)."""
    rows = max(1, ((size + MANDELBROT_WIDTH - 1) & MASK64) // MANDELBROT_WIDTH)
    total = 0
    for p in range(begin, end):
        cx = -2.0 + 3.0 * float(p % MANDELBROT_WIDTH) / MANDELBROT_WIDTH
        cy = -1.5 + 3.0 * float(p // MANDELBROT_WIDTH) / float(rows)
        x = 0.0
        y = 0.0
        it = 0
        while it < MANDELBROT_MAX_ITER and x * x + y * y <= 4.0:
            xt = x * x - y * y + cx
            y = 2.0 * x * y + cy
            x = xt
            it += 1
        total += it
    return total & MASK64


def kernel_hash(size, begin, end, task, tasks):
    """A SHA-256 chain: the digest of the first index (8 bytes, little
    endian), then the digest of each digest; the first 8 bytes of the last
    one, little endian."""
    if begin >= end:
        return 0
    sha256 = hashlib.sha256
    digest = sha256(begin.to_bytes(8, "little")).digest()
    for _ in range(begin + 1, end):
        digest = sha256(digest).digest()
    return int.from_bytes(digest[:8], "little")


def kernel_matmul(size, begin, end, task, tasks):
    """Rows [begin, end) of C = A·B for two generated n×n integer matrices;
    each C[i][j] weighted by its position."""
    n = size
    if n == 0 or begin >= end:
        return 0
    b = [[(k * 5 + j * 11) % 97 for j in range(n)] for k in range(n)]
    checksum = 0
    for i in range(begin, end):
        row = [0] * n
        for k in range(n):
            aik = (i * 7 + k * 3) % 101
            bk = b[k]
            for j in range(n):
                row[j] += aik * bk[j]
        for j in range(n):
            checksum += row[j] * (i * n + j + 1)
    return checksum & MASK64


def kernel_noop(size, begin, end, task, tasks):
    return task


class Kernel:
    __slots__ = ("name", "func", "default_size", "max_size", "hidden")

    def __init__(self, name, func, default_size, max_size, hidden=False):
        self.name = name
        self.func = func
        self.default_size = default_size
        self.max_size = max_size
        self.hidden = hidden


KERNELS = (
    Kernel("sumsq", kernel_sumsq, 400000000, 1000000000000),
    Kernel("primes", kernel_primes, 2000000, 10000000000),
    Kernel("pi", kernel_pi, 60000000, 1000000000000),
    Kernel("mandelbrot", kernel_mandelbrot, 1024 * 768, 1 << 32),
    Kernel("hash", kernel_hash, 400000, 10000000000),
    Kernel("matmul", kernel_matmul, 600, 4096),
    Kernel("noop", kernel_noop, 1, 1000000000000, hidden=True),
)
KERNELS_BY_NAME = {k.name: k for k in KERNELS}
KERNEL_NAMES = ", ".join(k.name for k in KERNELS if not k.hidden)


def task_slice(size, task, tasks):
    """lab_kernel_task_slice: [n·t/T, n·(t+1)/T); n is the matrix rows for
    matmul, which is the size too."""
    return size * task // tasks, size * (task + 1) // tasks


def run_kernel(kernel, size, task, tasks):
    begin, end = task_slice(size, task, tasks)
    return kernel.func(size, begin, end, task, tasks)


# Workloads and the protocol (lab-workload.c, lab-protocol.c) -----------------

CPU, DOWNLOAD, SLEEP = range(3)


class Workload:
    __slots__ = ("kind", "kernel", "size", "tasks", "timeout_s", "max_bytes")

    def __init__(self, kind, kernel, size, tasks, timeout_s, max_bytes):
        self.kind = kind
        self.kernel = kernel
        self.size = size
        self.tasks = tasks
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes


def workload_spec(workload):
    """lab_workload_to_spec"""
    if workload.kind == CPU:
        return "cpu:" + workload.kernel.name
    return "io:download" if workload.kind == DOWNLOAD else "io:sleep"


def check_workload(workload):
    """lab_workload_check: None, or why the workload is out of the limits
    the engine's run builder sets (lab_workload_get_limit)."""
    limits = [("tasks", workload.tasks, 1, MAX_TASKS)]
    if workload.kind == CPU:
        limits.insert(0, ("size", workload.size, 1, workload.kernel.max_size))
    elif workload.kind == SLEEP:
        limits.insert(0, ("size", workload.size, 1, SLEEP_MAX_MS))
    else:
        limits += [("timeout", workload.timeout_s, 1, MAX_TIMEOUT_S),
                   ("max bytes", workload.max_bytes, 1, I64_MAX)]
    for name, value, low, high in limits:
        if not low <= value <= high:
            return "%s %s: “%d” is not a whole number from %d to %d" % (workload_spec(workload), name,
                                                                         value, low, high)
    return None


class ProtocolError(Exception):
    """The other side broke the protocol: answered with E, then exit."""


def workload_kind_from_spec(spec):
    if spec.startswith("cpu:"):
        kernel = KERNELS_BY_NAME.get(spec[4:])
        if kernel is None:
            raise ProtocolError("Unknown kernel “%s”; known kernels: %s" % (spec[4:], KERNEL_NAMES))
        return CPU, kernel
    if spec == "io:download":
        return DOWNLOAD, None
    if spec == "io:sleep":
        return SLEEP, None
    if spec == "io:files":
        # The engine never asks: its run builder keeps io:files native.
        raise ProtocolError("The CPython runtime does not run io:files")
    if spec == "pipeline":
        raise ProtocolError("The workload “pipeline” runs on the native runtime only")
    raise ProtocolError("Unknown workload “%s”; accepted: cpu:KERNEL (kernels: %s), io:download, "
                        "io:sleep, io:files, pipeline" % (spec, KERNEL_NAMES))


def parse_number(what, text, maximum):
    """lab_parse_uint64_n: plain decimal digits, at most 24 of them, 0..maximum."""
    if len(text) <= MAX_DIGITS and text.isdigit():
        value = int(text)
        if value <= maximum:
            return value
    shown = text[:40].decode("utf-8", "replace")
    raise ProtocolError("%s: “%s%s” is not a whole number from 0 to %d"
                        % (what, shown, "…" if len(text) > 40 else "", maximum))


class Fields:
    """A cursor over the space-separated fields of one line (bytes)."""
    __slots__ = ("line", "p", "end")

    def __init__(self, line):
        self.line = line
        self.p = 1
        self.end = len(line)

    def next(self):
        line, p = self.line, self.p
        if p >= self.end or line[p] != 0x20:
            return None
        p += 1
        q = line.find(b" ", p)
        if q < 0:
            q = self.end
        self.p = q
        return line[p:q] if q > p else None

    def number(self, what, maximum):
        text = self.next()
        if text is None:
            raise ProtocolError("missing " + what)
        return parse_number(what, text, maximum)

    def rest(self, required, what):
        if self.p >= self.end:
            if required:
                raise ProtocolError("missing " + what)
            return None
        if self.line[self.p] != 0x20 or self.p + 1 >= self.end:
            raise ProtocolError("malformed " + what)
        text = self.line[self.p + 1:].decode("utf-8")
        self.p = self.end
        return text

    def expect_end(self):
        if self.p != self.end:
            raise ProtocolError("trailing data")


CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def parse_message(line):
    """lab_message_parse, on one line without its newline. Returns
    ("W", workload), ("T", id, task, argument or None) or ("U",); a valid
    message of another type, or an invalid line, raises ProtocolError."""
    if not line:
        raise ProtocolError("empty line")
    if len(line) > MAX_LINE:
        raise ProtocolError("line longer than %d bytes" % MAX_LINE)
    if b"\0" in line:
        raise ProtocolError("line is not valid UTF-8")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("line is not valid UTF-8") from None
    bad = CONTROL.search(line)
    if bad is not None:
        raise ProtocolError("control character 0x%02x in line" % line[bad.start()])

    kind = line[0]
    fields = Fields(line)
    if kind == 0x54:  # T
        msg_id = fields.number("id", U64_MAX)
        task = fields.number("task", MAX_TASKS)
        return ("T", msg_id, task, fields.rest(False, "argument"))
    if kind == 0x57:  # W
        spec = fields.next()
        if spec is None:
            raise ProtocolError("missing workload")
        wkind, kernel = workload_kind_from_spec(spec.decode("utf-8"))
        size = fields.number("size", U64_MAX)
        tasks = fields.number("tasks", MAX_TASKS)
        timeout_s = fields.number("timeout", U32_MAX)
        max_bytes = fields.number("max bytes", U64_MAX)
        fields.expect_end()
        return ("W", Workload(wkind, kernel, size, tasks, timeout_s, max_bytes))
    if kind == 0x55:  # U
        if fields.p != fields.end:
            fields.number("user time", I64_MAX)
            fields.number("system time", I64_MAX)
            fields.number("max RSS", I64_MAX)
            if fields.p != fields.end:
                fields.number("voluntary switches", I64_MAX)
                fields.number("involuntary switches", I64_MAX)
            fields.expect_end()
        return ("U",)
    if kind == 0x48:  # H
        fields.number("protocol version", U32_MAX)
        fields.number("pid", I32_MAX)
        fields.expect_end()
    elif kind == 0x52:  # R
        parse_result(fields)
    elif kind == 0x41:  # A: the pipeline's, which this runtime never has
        fields.number("id", U64_MAX)
        fields.number("task", MAX_TASKS)
        fields.number("length", I64_MAX)
        fields.expect_end()
        raise ProtocolError("analysis without a pipeline workload")
    elif kind == 0x50:  # P
        fields.number("id", U64_MAX)
        fields.number("task", MAX_TASKS)
        fields.expect_end()
    elif kind == 0x45:  # E
        fields.rest(True, "message")
    else:
        raise ProtocolError("unknown message type 0x%02x" % kind)
    # A well-formed message that only a worker sends.
    raise ProtocolError("unexpected message type")


def parse_result(fields):
    fields.number("id", U64_MAX)
    fields.number("task", MAX_TASKS)
    status = fields.next()
    if status is None:
        raise ProtocolError("missing status")
    if status not in (b"ok", b"fail"):
        raise ProtocolError("bad status “%s”" % status[:32].decode("utf-8", "replace"))
    ok = status == b"ok"
    fields.number("checksum", U64_MAX)
    start = fields.number("start", I64_MAX)
    end = fields.number("end", I64_MAX)
    if end < start:
        raise ProtocolError("task ends before it starts")
    nbytes = fields.number("bytes", U64_MAX)
    fields.number("tid", I32_MAX)
    fields.number("http status", 999)
    if not ok:
        fields.rest(True, "error message")
    elif fields.p != fields.end:
        # One more figure: how many of io:files' bytes were cached; four:
        # the pipeline's analysis.
        first = fields.number("cached bytes or analysis start", I64_MAX)
        if fields.p != fields.end:
            parse_analysis(fields, first, start, end, nbytes)
        elif first > nbytes:
            raise ProtocolError("more bytes cached than read")
    fields.expect_end()


def parse_analysis(fields, analysis_start, start, end, size):
    """The pipeline's analysis at the end of a successful R, whose first
    field, analysis_start, has been read."""
    if analysis_start < start or analysis_start > end:
        raise ProtocolError("analysis outside its task")
    words = fields.number("words", size)
    if fields.number("word length sum", size) < words:
        raise ProtocolError("more words than letters")
    digest = fields.next()
    if digest is None or len(digest) != 64 or not all(c in b"0123456789abcdefABCDEF" for c in digest):
        raise ProtocolError("missing or malformed digest")


class LineReader:
    """Splits a byte stream into lines, refusing one longer than MAX_LINE."""

    def __init__(self):
        self.pending = b""

    def feed(self, data):
        """Yields the complete lines in pending + data; raises ProtocolError
        (after the lines before it) at a line over the limit."""
        parts = (self.pending + data).split(b"\n")
        self.pending = parts.pop()
        for line in parts:
            if len(line) > MAX_LINE:
                raise ProtocolError("line longer than %d bytes" % MAX_LINE)
            yield line
        if len(self.pending) > MAX_LINE:
            raise ProtocolError("line longer than %d bytes" % MAX_LINE)


class Output:
    """Replies on stdout: whole lines, flushed at once, one writer at a time."""

    def __init__(self):
        self.stream = sys.stdout.buffer
        self.lock = threading.Lock()

    def write(self, data):
        with self.lock:
            try:
                self.stream.write(data)
                self.stream.flush()
            except (OSError, ValueError):
                os._exit(3)  # the parent is gone

    def hello(self):
        """H: ready, every import done."""
        self.write(b"H %d %d\n" % (PROTOCOL_VERSION, os.getpid()))

    def fatal(self, message):
        """E: the worker exits, with the native worker's status."""
        self.write(b"E " + one_line(message or "-") + b"\n")
        os._exit(2)


def one_line(text):
    """Free text stays on one line."""
    return CONTROL.sub(b" ", text.encode("utf-8", "replace"))


def now_us():
    return time.monotonic_ns() // 1000


def format_result(msg_id, task, ok, checksum, start_us, end_us, nbytes, tid, http, error):
    line = "R %d %d %s %d %d %d %d %d %d" % (msg_id, task, "ok" if ok else "fail", checksum,
                                            start_us, end_us, nbytes, tid, http)
    if ok:
        return line.encode("ascii") + b"\n"
    return line.encode("ascii") + b" " + one_line(error or "failed") + b"\n"


def usage_reply():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ("U %d %d %d %d %d\n" % (round(ru.ru_utime * 1e6), round(ru.ru_stime * 1e6),
                                    ru.ru_maxrss, ru.ru_nvcsw, ru.ru_nivcsw)).encode("ascii")


# Downloads (src/core/io/lab-fetch.c) ----------------------------------------

class TaskError(Exception):
    """The task failed with this message."""


def body_hash_words(h, data):
    """Mixes the 8-byte little-endian words of data (a multiple of 8 bytes
    long) into h."""
    if sys.byteorder == "little":
        words = memoryview(data).cast("Q")
    else:
        words = [w for (w,) in struct.iter_unpack("<Q", data)]
    mask = MASK64
    for word in words:
        h = ((h ^ word) * 0x9e3779b97f4a7c15) & mask
        h ^= h >> 29
    return h


def body_hash_mix(h, word):
    h = ((h ^ word) * 0x9e3779b97f4a7c15) & MASK64
    return h ^ (h >> 29)


class Fetch:
    """The bookkeeping of one download, as LabFetch: the body cap, the body
    hash (the same however the body arrives in pieces), and what the status
    means for the task."""
    __slots__ = ("max_bytes", "nbytes", "http", "hash", "tail", "checksum")

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.nbytes = 0
        self.http = 0
        self.hash = 0
        self.tail = b""
        self.checksum = 0   # set by finish(): a body cut short has none

    def add(self, data):
        """For each piece of the body; TaskError over the cap."""
        n = len(data)
        if n > self.max_bytes - self.nbytes:
            self.nbytes += n
            raise TaskError("body larger than the cap of %d bytes" % self.max_bytes)
        self.nbytes += n
        if self.tail:
            data = self.tail + data
        whole = len(data) & ~7
        if whole:
            self.hash = body_hash_words(self.hash, memoryview(data)[:whole])
        self.tail = bytes(data[whole:])

    def finish(self):
        """At the end of the body: the checksum, and an HTTP error status as
        the task's error."""
        word = int.from_bytes(self.tail, "little")
        self.checksum = body_hash_mix(body_hash_mix(self.hash, word), self.nbytes)
        if self.http >= 400:
            try:
                phrase = HTTPStatus(self.http).phrase
            except ValueError:
                phrase = "Unknown Error"
            raise TaskError("HTTP %d %s" % (self.http, phrase))


def check_url(url):
    """Anything but an absolute http or https URL with a host is refused
    before any request is made."""
    if not url:
        raise TaskError("no URL to download")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # raises ValueError for a bad port
    except ValueError as e:
        raise TaskError("malformed URL “%s”: %s" % (url, e)) from None
    if not parts.scheme:
        raise TaskError("malformed URL “%s”: URI is not absolute, and no base URI was provided" % url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TaskError("unsupported scheme “%s”: only http and https URLs can be downloaded"
                        % parts.scheme)
    if not parts.hostname:
        raise TaskError("URL “%s” has no host" % url)
    return parts


def describe(error):
    """A short text for an exception from the network stack."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        error = error.reason
    if isinstance(error, BaseException):
        if isinstance(error, TimeoutError) or type(error).__name__ in ("timeout", "TimeoutError"):
            return "timed out"
        text = str(error)
        return text if text else type(error).__name__
    return str(error)


URL_OPENER = urllib.request.build_opener()


def download_blocking(workload, url, fetch):
    """io:download the articles' way, with urllib.request."""
    check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    timeout = workload.timeout_s if workload.timeout_s > 0 else None
    try:
        response = URL_OPENER.open(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        response = e  # an error status: its body still counts
    except Exception as e:
        raise TaskError("request failed: " + describe(e)) from None
    with response:  # closing early (over the cap) drops the connection
        fetch.http = response.getcode()
        while True:
            try:
                data = response.read(FETCH_CHUNK)
            except Exception as e:
                raise TaskError("reading the body failed: " + describe(e)) from None
            if not data:
                break
            fetch.add(data)
    fetch.finish()


# Running one task ------------------------------------------------------------

def run_task(workload, msg_id, task, argument):
    """Runs one task in the calling thread and returns its R line."""
    tid = threading.get_native_id()
    ok, checksum, nbytes, http, error = True, 0, 0, 0, None
    start = now_us()
    try:
        kind = workload.kind
        if kind == CPU:
            checksum = run_kernel(workload.kernel, workload.size, task, workload.tasks)
        elif kind == SLEEP:
            time.sleep(workload.size / 1000)
            checksum = task
        else:
            fetch = Fetch(workload.max_bytes)
            try:
                download_blocking(workload, argument, fetch)
            except TaskError as e:
                ok, error = False, str(e)
            checksum, nbytes, http = fetch.checksum, fetch.nbytes, fetch.http
    except Exception as e:
        ok, error = False, describe(e)
    end = now_us()
    return format_result(msg_id, task, ok, checksum, start, end, nbytes, tid, http, error)


# The three ways to run tasks -------------------------------------------------

class Worker:
    """Reads requests, keeps the workload, checks tasks, answers U; how the
    tasks run is up to the subclass."""

    def __init__(self, output):
        self.output = output
        self.workload = None
        self.refused = None  # why the workload is not run

    def handle(self, line):
        msg = parse_message(line)
        what = msg[0]
        if what == "T":
            workload = self.workload
            if workload is None:
                raise ProtocolError("task before workload")
            if self.refused is not None:
                # An error for that task, at once, and on to the next.
                now = now_us()
                self.output.write(format_result(msg[1], msg[2], False, 0, now, now, 0, threading.get_native_id(),
                                                0, "workload refused: " + self.refused))
                return
            if msg[2] >= workload.tasks:
                raise ProtocolError("task index out of range")
            self.submit(workload, msg[1], msg[2], msg[3])
        elif what == "W":
            self.workload = msg[1]
            self.refused = check_workload(msg[1])
        else:
            self.usage()

    def usage(self):
        """U: answered once every task received before it has been."""
        self.drain()
        self.output.write(usage_reply())

    def run(self):
        reader = LineReader()
        try:
            while True:
                try:
                    data = os.read(0, 65536)
                except InterruptedError:
                    continue
                if not data:
                    break
                for line in reader.feed(data):
                    self.handle(line)
        except ProtocolError as e:
            self.output.fatal(str(e))
        self.drain()
        return 0


class SequentialWorker(Worker):
    def submit(self, workload, msg_id, task, argument):
        self.output.write(run_task(workload, msg_id, task, argument))

    def drain(self):
        pass


class ThreadsWorker(Worker):
    """N threading workers take tasks from a queue, as ThreadPoolExecutor's
    do; this thread keeps reading."""

    def __init__(self, output, n_threads):
        super().__init__(output)
        self.queue = queue.SimpleQueue()
        self.idle = threading.Condition()
        self.outstanding = 0
        for i in range(n_threads):
            threading.Thread(target=self.work, name="worker-%d" % i, daemon=True).start()

    def submit(self, workload, msg_id, task, argument):
        with self.idle:
            self.outstanding += 1
        self.queue.put((workload, msg_id, task, argument))

    def work(self):
        get = self.queue.get
        write = self.output.write
        while True:
            workload, msg_id, task, argument = get()
            try:
                write(run_task(workload, msg_id, task, argument))
            finally:
                with self.idle:
                    self.outstanding -= 1
                    if self.outstanding == 0:
                        self.idle.notify_all()

    def drain(self):
        """Returns once every task received so far has been answered."""
        with self.idle:
            while self.outstanding > 0:
                self.idle.wait()


# asyncio ----------------------------------------------------------------------

def run_asyncio(output, n_tasks):
    import asyncio
    import ssl

    ssl_context = ssl.create_default_context()

    class AsyncioWorker(Worker):
        def __init__(self):
            super().__init__(output)
            self.loop = asyncio.get_running_loop()
            self.semaphore = asyncio.Semaphore(n_tasks)
            self.idle = asyncio.Event()
            self.idle.set()
            self.outstanding = 0
            self.tasks = set()
            self.usage_wanted = False

        def submit(self, workload, msg_id, task, argument):
            self.outstanding += 1
            self.idle.clear()
            t = self.loop.create_task(self.run_one(workload, msg_id, task, argument))
            self.tasks.add(t)
            t.add_done_callback(self.tasks.discard)

        def usage(self):
            # Answered by read_loop(), once the tasks before it are.
            self.usage_wanted = True

        async def run_one(self, workload, msg_id, task, argument):
            try:
                async with self.semaphore:
                    reply = await self.run_task_async(workload, msg_id, task, argument)
                output.write(reply)
            finally:
                self.outstanding -= 1
                if self.outstanding == 0:
                    self.idle.set()

        async def run_task_async(self, workload, msg_id, task, argument):
            tid = threading.get_native_id()
            ok, checksum, nbytes, http, error = True, 0, 0, 0, None
            start = now_us()
            try:
                kind = workload.kind
                if kind == CPU:
                    # Blocks the loop, as it would in any asyncio program.
                    checksum = run_kernel(workload.kernel, workload.size, task, workload.tasks)
                elif kind == SLEEP:
                    await asyncio.sleep(workload.size / 1000)
                    checksum = task
                else:
                    fetch = Fetch(workload.max_bytes)
                    try:
                        await self.download(workload, argument, fetch)
                        fetch.finish()
                    except TaskError as e:
                        ok, error = False, str(e)
                    checksum, nbytes, http = fetch.checksum, fetch.nbytes, fetch.http
            except Exception as e:
                ok, error = False, describe(e)
            end = now_us()
            return format_result(msg_id, task, ok, checksum, start, end, nbytes, tid, http, error)

        async def download(self, workload, url, fetch):
            """A small HTTP/1.1 GET client on asyncio streams."""
            timeout = workload.timeout_s if workload.timeout_s > 0 else None
            parts = check_url(url)
            for _ in range(MAX_REDIRECTS + 1):
                https = parts.scheme.lower() == "https"
                host = parts.hostname
                port = parts.port or (443 if https else 80)
                target = parts.path or "/"
                if parts.query:
                    target += "?" + parts.query
                try:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port, ssl=ssl_context if https else None,
                                                server_hostname=host if https else None),
                        timeout)
                except (asyncio.TimeoutError, TimeoutError):
                    raise TaskError("request failed: timed out") from None
                except Exception as e:
                    raise TaskError("request failed: " + describe(e)) from None
                try:
                    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                               "Accept-Encoding: identity\r\nConnection: close\r\n\r\n"
                               % (target, parts.netloc.rpartition("@")[2], USER_AGENT))
                    writer.write(request.encode("utf-8"))
                    try:
                        status, headers = await asyncio.wait_for(read_head(reader), timeout)
                    except (asyncio.TimeoutError, TimeoutError):
                        raise TaskError("request failed: timed out") from None
                    except TaskError:
                        raise
                    except Exception as e:
                        raise TaskError("request failed: " + describe(e)) from None
                    location = headers.get("location")
                    if status in (301, 302, 303, 307, 308) and location:
                        try:
                            parts = check_url(urllib.parse.urljoin(urllib.parse.urlunsplit(parts), location))
                        except TaskError as e:
                            raise TaskError("request failed: " + str(e)) from None
                        continue
                    fetch.http = status
                    await read_body(reader, status, headers, fetch, timeout)
                    return
                finally:
                    writer.transport.abort()
            raise TaskError("request failed: too many redirects")

        async def read_loop(self):
            read = await stdin_reader(self.loop)
            reader = LineReader()
            try:
                while True:
                    data = await read()
                    if not data:
                        break
                    for line in reader.feed(data):
                        self.handle(line)
                        if self.usage_wanted:
                            self.usage_wanted = False
                            await self.idle.wait()
                            output.write(usage_reply())
            except ProtocolError as e:
                output.fatal(str(e))
            await self.idle.wait()

    async def read_head(reader):
        while True:
            line = await reader.readline()
            if not line:
                raise TaskError("request failed: connection closed before the response")
            fields = line.split(None, 2)
            if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
                raise TaskError("request failed: malformed status line")
            status = int(fields[1])
            headers = {}
            while True:
                line = await reader.readline()
                if not line:
                    raise TaskError("request failed: connection closed in the headers")
                if line in (b"\r\n", b"\n"):
                    break
                name, sep, value = line.decode("latin-1").partition(":")
                if not sep:
                    raise TaskError("request failed: malformed header")
                name = name.strip().lower()
                value = value.strip()
                headers[name] = headers[name] + ", " + value if name in headers else value
            if 100 <= status < 200 and status != 101:
                continue  # an interim response
            return status, headers

    async def read_body(reader, status, headers, fetch, timeout):
        async def read(n):
            try:
                return await asyncio.wait_for(reader.read(n), timeout)
            except (asyncio.TimeoutError, TimeoutError):
                raise TaskError("reading the body failed: timed out") from None
            except Exception as e:
                raise TaskError("reading the body failed: " + describe(e)) from None

        async def readline():
            try:
                return await asyncio.wait_for(reader.readline(), timeout)
            except (asyncio.TimeoutError, TimeoutError):
                raise TaskError("reading the body failed: timed out") from None
            except Exception as e:
                raise TaskError("reading the body failed: " + describe(e)) from None

        async def read_exactly(n):
            while n > 0:
                data = await read(min(n, FETCH_CHUNK))
                if not data:
                    raise TaskError("reading the body failed: connection terminated unexpectedly")
                fetch.add(data)
                n -= len(data)

        if status in (204, 304) or 100 <= status < 200:
            return
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                line = await readline()
                size_text = line.split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise TaskError("reading the body failed: malformed chunk size") from None
                if size == 0:
                    while True:  # trailers
                        line = await readline()
                        if line in (b"\r\n", b"\n", b""):
                            return
                await read_exactly(size)
                if (await readline()) not in (b"\r\n", b"\n"):
                    raise TaskError("reading the body failed: malformed chunk")
        length = headers.get("content-length")
        if length is not None:
            try:
                n = int(length.split(",")[0])
            except ValueError:
                raise TaskError("reading the body failed: malformed Content-Length") from None
            await read_exactly(n)
            return
        while True:  # delimited by the end of the connection
            data = await read(FETCH_CHUNK)
            if not data:
                return
            fetch.add(data)

    async def stdin_reader(loop):
        """stdin on the event loop; a thread reads it when it is not a pipe
        or a socket (a regular file, say)."""
        stream = asyncio.StreamReader(limit=2 * MAX_LINE)
        try:
            pipe = os.fdopen(0, "rb", buffering=0, closefd=False)
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), pipe)
        except (ValueError, OSError):
            return lambda: loop.run_in_executor(None, os.read, 0, 65536)
        return lambda: stream.read(65536)

    async def main():
        worker = AsyncioWorker()
        await worker.read_loop()

    output.hello()
    asyncio.run(main())
    return 0


# The parent ---------------------------------------------------------------------
#
# As the native worker (src/worker/lab-worker-parent.c): end as soon as the
# parent process is gone, even in the middle of a task. The kernel's
# parent-death signal comes when the thread that started us ends too, so
# it only makes us look; the pipes tell when the process is gone.

PARENT_ENV = "CONCURRENCY_LAB_PARENT_PID"   # LAB_WORKER_PARENT_ENV
PARENT_GONE = 3                            # the status when nobody reads us
PR_SET_PDEATHSIG = 1


def expected_parent():
    text = os.environ.get(PARENT_ENV, "")
    if text.isdigit() and 1 <= int(text) <= I32_MAX:
        return int(text)
    return os.getppid()


def ask_for_parent_death_signal():
    """prctl(PR_SET_PDEATHSIG, SIGHUP) where there is one (Linux)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0)
    except (ImportError, OSError, AttributeError):
        pass


def watch_pipes(parent_gone):
    """stdin hung up and the parent gone, or nobody reading stdout: exit.
    A live parent that closed stdin still gets its answers."""
    poll = select.poll()
    poll.register(0, 0)
    poll.register(1, 0)
    watched = 2
    while watched:
        try:
            events = poll.poll()
        except InterruptedError:
            continue
        for fd, revents in events:
            if fd == 1 and revents & (select.POLLERR | select.POLLHUP):
                os._exit(PARENT_GONE)
            if fd == 0 and not revents & select.POLLNVAL and parent_gone():
                os._exit(PARENT_GONE)
            poll.unregister(fd)
            watched -= 1


def watch_parent():
    parent = expected_parent()

    def parent_gone():
        return os.getppid() != parent

    def on_parent_death_signal(signum, frame):
        if parent_gone():
            os._exit(PARENT_GONE)

    signal.signal(signal.SIGHUP, on_parent_death_signal)
    ask_for_parent_death_signal()
    if parent_gone():  # before it could ask to be told
        os._exit(PARENT_GONE)
    threading.Thread(target=watch_pipes, args=(parent_gone,), name="parent-watch", daemon=True).start()


# Start -----------------------------------------------------------------------

def probe():
    import json
    import platform

    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    print(json.dumps({
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "executable": sys.executable,
        "gil_enabled": bool(is_gil_enabled()) if is_gil_enabled is not None else True,
    }))
    return 0


USAGE = ("%s is started by Concurrency Lab and speaks its worker protocol on stdin/stdout.\n"
         "Usage: %s [--nice 0..19] [--threads N | --asyncio N]\n"
         "       %s --probe\n")


def main(argv):
    nice = 0
    threads = asyncio_tasks = 0
    args = argv[1:]
    try:
        while args:
            option = args.pop(0)
            if option == "--probe" and len(argv) == 2:
                return probe()
            if option == "--nice":
                value = args.pop(0)
                # As the native worker: a bad value is ignored.
                if value.isdigit() and int(value) <= 19:
                    nice = int(value)
            elif option in ("--threads", "--asyncio") and not (threads or asyncio_tasks):
                value = args.pop(0)
                if not (value.isdigit() and 1 <= int(value) <= MAX_WORKERS):
                    raise ValueError(option)
                if option == "--threads":
                    threads = int(value)
                else:
                    asyncio_tasks = int(value)
            else:
                raise ValueError(option)
    except (ValueError, IndexError):
        sys.stderr.write(USAGE % (argv[0], argv[0], argv[0]))
        return 2

    if nice > 0:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        except OSError:
            pass

    watch_parent()
    output = Output()
    if asyncio_tasks:
        return run_asyncio(output, asyncio_tasks)
    output.hello()
    if threads:
        return ThreadsWorker(output, threads).run()
    return SequentialWorker(output).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
