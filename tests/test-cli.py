#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of concurrency-lab-cli: the real binary, real workers."""

import csv
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

CLI = os.environ["CONCURRENCY_LAB_CLI"]
# Every run is recorded in the history: keep it in a folder of the tests'
# own, never the user's (the History tests each make their own).
DATA_HOME = tempfile.TemporaryDirectory(prefix="lab-cli-data-")
os.environ["XDG_DATA_HOME"] = DATA_HOME.name

RESULTS_COLUMNS = ("run_id,started_at,workload,size,tasks,mode,runtime,workers,repeat,wall_s,user_s,"
                   "sys_s,cpu_util,peak_rss_kib,speedup,efficiency,checksum,ok_tasks,failed_tasks,"
                   "outlier,host_cpus,app_version,ui_max_stall_ms,ui_cpu_s,background_cpu,unstable,"
                   "cpu_model,kernel,runtime_version,startup_ms,fsync,cache,page_cache_resident,"
                   "files_fs,task_busy_s,download_busy_s,analyse_busy_s,store_busy_s").split(",")
SPANS_COLUMNS = ("run_id,mode,workers,repeat,task,worker,pid,tid,queued_us,start_us,end_us,bytes,"
                 "status,error,runtime,stage,interrupted").split(",")
GIL_COLUMNS = "run_id,repeat,worker,tid,state,start_us,end_us,workers".split(",")
OVERHEAD_COLUMNS = ("experiment,variant,metric,parameter,parameter_value,value,unit,repeat,"
                    "host_cpus,cpu_model,kernel").split(",")
OVERHEADS = "startup,memory,communication,crash,race,granularity,affinity,pools".split(",")
CLAIM_COLUMNS = ("id,verdict,rule,values,runtime,extrapolation,reading,host_cpus,cpu_model,kernel,"
                 "duration_s").split(",")
CLAIMS = ["C%02d" % i for i in range(1, 19)]
VERDICTS = {"holds", "does-not-hold", "depends", "inconclusive", "cannot-check", "failed"}
# Every claim checked takes minutes: only the cli-claims test asks for it.
ALL_CLAIMS = "--all-claims" in sys.argv


def cli(*args, env=None, timeout=120):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


class UsageErrors(unittest.TestCase):
    CASES = [
        (["run", "--workers", "0"], "--workers"),
        (["run", "--workers", "1,x"], "--workers"),
        (["run", "--workers", "100000"], "--workers"),
        (["run", "--size", "-5"], "--size"),
        (["run", "--size", "99999999999999999999999"], "--size"),
        (["run", "--tasks", "0"], "--tasks"),
        (["run", "--tasks", "2000000"], "--tasks"),
        (["run", "--repeat", "0"], "--repeat"),
        (["run", "--workload", "cpu:nope"], "nope"),
        (["run", "--workload", "gpu:x"], "accepted"),
        (["run", "--modes", "threads,fibers"], "fibers"),
        (["run", "--modes", ""], "--modes"),
        (["run", "--workload", "cpu:primes", "--modes", "async"], "async"),
        (["run", "--bogus"], "--bogus"),
        (["run", "extra"], "extra"),
        (["frobnicate"], "frobnicate"),
        (["bench", "--only", "nothing"], "nothing"),
        (["overheads", "--only", "race,nothing"], "nothing"),
        (["overheads", "--only", ""], "accepted"),
        (["overheads", "--csv", "/nonexistent-dir/o.csv"], "/nonexistent-dir"),
        (["overheads", "extra"], "extra"),
        (["claims", "--only", "C01,C99"], "C99"),
        (["claims", "--only", "C01,C99"], "accepted: C01, C02"),
        (["claims", "--only", ""], "accepted"),
        (["claims", "--csv", "/nonexistent-dir/c.csv"], "/nonexistent-dir"),
        (["claims", "--quick", "extra"], "extra"),
        (["serve", "--max-connections", "0"], "--max-connections"),
        (["serve", "--idle-timeout-s", "x"], "--idle-timeout-s"),
    ]

    def test_usage_errors(self):
        for args, needle in self.CASES:
            with self.subTest(args=args):
                r = cli(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(needle, r.stderr)
                self.assertEqual(r.stdout.strip(), "")

    def test_help(self):
        for args in (["--help"], ["run", "--help"], ["info", "--help"], ["bench", "--help"],
                     ["overheads", "--help"], ["claims", "--help"], ["history", "--help"]):
            r = cli(*args)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Usage", r.stdout)


class Runs(unittest.TestCase):
    def test_done_when(self):
        """The issue's acceptance command: equal checksums, both CSVs, exact columns."""
        with tempfile.TemporaryDirectory() as d:
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            r = cli("run", "--workload", "cpu:primes", "--size", "2000000", "--tasks", "16",
                    "--modes", "sequential,threads,processes,spawn", "--workers", "1,2",
                    "--repeat", "3", "--csv", r_csv, "--spans-csv", s_csv, timeout=240)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Every mode computed the same checksum.", r.stdout)
            self.assertEqual(r.stdout.count("148933"), 7, r.stdout)

            with open(r_csv, newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], RESULTS_COLUMNS)
            self.assertEqual(len(rows), 1 + 7 * 3)
            body = [dict(zip(rows[0], row)) for row in rows[1:]]
            self.assertEqual({row["checksum"] for row in body}, {"148933"})
            self.assertEqual({row["mode"] for row in body}, {"sequential", "threads", "processes", "spawn"})
            for row in body:
                self.assertEqual(row["runtime"], "native")
                self.assertGreater(float(row["wall_s"]), 0)
                self.assertRegex(row["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
                self.assertEqual(row["failed_tasks"], "0")
                self.assertIn(row["outlier"], ("true", "false"))
                # The window's own cost: nothing to say from the CLI.
                self.assertEqual(row["ui_max_stall_ms"], "")
                self.assertEqual(row["ui_cpu_s"], "")
                self.assertGreaterEqual(float(row["background_cpu"]), 0)
                self.assertLessEqual(float(row["background_cpu"]), 1)
                self.assertIn(row["unstable"], ("true", "false"))
                self.assertTrue(row["cpu_model"])
                self.assertTrue(row["kernel"])
                self.assertRegex(row["runtime_version"], r"^(gcc|clang) \d+\.")
                # Spawn starts its processes inside the measurement: no start-up apart
                if row["mode"] == "spawn":
                    self.assertEqual(row["startup_ms"], "")
                else:
                    self.assertGreaterEqual(float(row["startup_ms"]), 0)

            with open(s_csv, newline="") as f:
                spans = list(csv.reader(f))
            self.assertEqual(spans[0], SPANS_COLUMNS)
            self.assertEqual(len(spans), 1 + 7 * 3 * 16)

    def test_trace(self):
        """--trace writes trace-event JSON: one complete event per task, named lanes."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.json")
            r = cli("run", "--workload", "cpu:sumsq", "--size", "1000000", "--tasks", "6",
                    "--modes", "threads,processes", "--workers", "2", "--repeat", "2", "--trace", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(path) as f:
                doc = json.load(f)
        events = doc["traceEvents"]
        tasks = [e for e in events if e["ph"] == "X" and e.get("cat") != "repetition"]
        reps = [e for e in events if e.get("cat") == "repetition"]
        self.assertEqual(len(tasks), 2 * 2 * 6)
        self.assertEqual(len(reps), 2 * 2)
        for e in tasks:
            self.assertGreaterEqual(e["dur"], 0)
            self.assertGreater(e["pid"], 0)
            self.assertGreater(e["tid"], 0)
            self.assertIn(e["args"]["mode"], ("threads", "processes"))
        # Processes' tasks ran in other processes than threads' tasks.
        self.assertNotEqual({e["pid"] for e in tasks if e["cat"] == "threads"},
                            {e["pid"] for e in tasks if e["cat"] == "processes"})
        names = {(e["pid"], e["tid"]) for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertTrue({(e["pid"], e["tid"]) for e in tasks} <= names)
        # Repetitions come one after another on the run's clock.
        starts = sorted(e["ts"] for e in reps)
        self.assertEqual(starts, [e["ts"] for e in reps])

    def test_gil_csv(self):
        """--gil-csv: each hold of and wait for the emulated GIL; never two holders at once."""
        with tempfile.TemporaryDirectory() as d:
            g_csv, s_csv = os.path.join(d, "g.csv"), os.path.join(d, "s.csv")
            r = cli("run", "--workload", "cpu:primes", "--size", "1000000", "--tasks", "4",
                    "--modes", "sequential,gil", "--workers", "2,3", "--repeat", "2", "--warmup", "0",
                    "--gil-csv", g_csv, "--spans-csv", s_csv)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Every mode computed the same checksum.", r.stdout)
            self.assertIn("emulated GIL", r.stdout)
            with open(g_csv, newline="") as f:
                rows = list(csv.reader(f))
            with open(s_csv, newline="") as f:
                spans = list(csv.DictReader(f))
        self.assertEqual(rows[0], GIL_COLUMNS)
        body = [dict(zip(rows[0], row)) for row in rows[1:]]
        self.assertEqual({row["state"] for row in body}, {"hold", "wait"})
        self.assertEqual({(row["workers"], row["repeat"]) for row in body},
                         {(w, r) for w in ("2", "3") for r in ("1", "2")})
        gil_tids = {row["tid"] for row in spans if row["mode"] == "gil"}
        for workers in ("2", "3"):
            for repeat in ("1", "2"):
                holds = sorted((int(row["start_us"]), int(row["end_us"])) for row in body
                               if row["workers"] == workers and row["repeat"] == repeat
                               and row["state"] == "hold")
                for (_, end), (start, _) in zip(holds, holds[1:]):
                    self.assertLessEqual(end, start)
        for row in body:
            self.assertLess(int(row["worker"]), int(row["workers"]))
            self.assertLessEqual(int(row["start_us"]), int(row["end_us"]))
            self.assertIn(row["tid"], gil_tids)

    def test_json(self):
        r = cli("run", "--workload", "cpu:sumsq", "--size", "1000000", "--tasks", "4",
                "--modes", "sequential,threads", "--workers", "2", "--repeat", "2", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["workload"], "cpu:sumsq")
        self.assertEqual(len(doc["cells"]), 2)
        expected = str(sum(i * i for i in range(1000000)) % 2**64)
        self.assertEqual({c["checksum"] for c in doc["cells"]}, {expected})
        for cell in doc["cells"]:
            self.assertIn(cell["unstable"], (True, False))
            self.assertIn("background_cpu", cell)  # null when too short to tell
            for rep in cell["repetitions"]:
                self.assertGreaterEqual(rep["background_cpu"], 0)
                self.assertLessEqual(rep["background_cpu"], 1)

    def test_contention_warning(self):
        """A busy program next to the run: one warning after the table, saying so."""
        hogs = [subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"])
                for _ in range(max(1, os.cpu_count() // 2))]
        try:
            time.sleep(0.1)
            with tempfile.TemporaryDirectory() as d:
                r_csv = os.path.join(d, "r.csv")
                r = cli("run", "--workload", "io:sleep", "--size", "250", "--tasks", "4",
                        "--modes", "sequential", "--repeat", "1", "--warmup", "0", "--csv", r_csv)
                with open(r_csv, newline="") as f:
                    row = list(csv.DictReader(f))[0]
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()
        self.assertEqual(r.returncode, 0, r.stderr)
        warnings = [line for line in r.stderr.splitlines() if line.startswith("Warning: ")]
        self.assertEqual(len(warnings), 1, r.stderr)
        self.assertIn("Another program used", warnings[0])
        self.assertIn("Close it and run again.", warnings[0])
        self.assertGreaterEqual(float(row["background_cpu"]), 0.25)

    def test_download_embedded_server(self):
        """The issue's command: io:download against the embedded server, no network."""
        r = cli("run", "--workload", "io:download", "--tasks", "40", "--delay-ms", "200",
                "--modes", "sequential,threads,async,processes", "--workers", "1,20",
                "--repeat", "1", "--warmup", "0", "--json", timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        cells = {(c["mode"], c["workers"]): c for c in json.loads(r.stdout)["cells"]}
        self.assertEqual(len(cells), 7)
        self.assertEqual(len({c["checksum"] for c in cells.values()}), 1)
        self.assertGreater(cells[("threads", 20)]["speedup"], 5)
        self.assertGreater(cells[("async", 20)]["speedup"], 5)

    def test_failed_task_exit_1(self):
        env = dict(os.environ, CONCURRENCY_LAB_WORKER_FAULT="crash@2")
        with tempfile.TemporaryDirectory() as d:
            r_csv = os.path.join(d, "r.csv")
            r = cli("run", "--workload", "cpu:sumsq", "--size", "100000", "--tasks", "6",
                    "--modes", "processes", "--workers", "2", "--repeat", "1", "--warmup", "0",
                    "--csv", r_csv, "--worker", os.environ["CONCURRENCY_LAB_FAULT_WORKER"], env=env)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("1 task failed", r.stderr)
            self.assertIn("signal 11", r.stderr)
            with open(r_csv, newline="") as f:
                row = list(csv.DictReader(f))[0]
            self.assertEqual(row["failed_tasks"], "1")
            self.assertEqual(row["ok_tasks"], "5")

    def test_real_worker_ignores_fault(self):
        """The installed worker has no fault injection: the variable changes nothing."""
        env = dict(os.environ, CONCURRENCY_LAB_WORKER_FAULT="crash@2")
        r = cli("run", "--workload", "cpu:sumsq", "--size", "100000", "--tasks", "6",
                "--modes", "processes,spawn", "--workers", "2", "--repeat", "1", "--warmup", "0",
                "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        for cell in json.loads(r.stdout)["cells"]:
            self.assertEqual(cell["failed_tasks"], 0, cell)

    def test_unwritable_outputs_refused_before_measuring(self):
        """Every output path is checked before the run, not found unwritable after it."""
        with tempfile.TemporaryDirectory() as d:
            for option in ("--csv", "--spans-csv", "--gil-csv", "--trace"):
                for path, needle in (("/nonexistent-dir/out", "/nonexistent-dir"), (d, "folder")):
                    with self.subTest(option=option, path=path):
                        r = cli("run", "--workload", "io:sleep", "--size", "3000", "--tasks", "2",
                                "--modes", "sequential", "--repeat", "1", "--warmup", "0", option, path)
                        self.assertEqual(r.returncode, 2, r.stderr)
                        self.assertIn(option + ":", r.stderr)
                        self.assertIn(needle, r.stderr)
                        self.assertEqual(r.stdout, "")  # nothing was measured

    def test_csv_lost_during_run_keeps_results(self):
        """A folder that goes while the run measures: the table is still printed."""
        d = tempfile.mkdtemp()
        p = subprocess.Popen([CLI, "run", "--workload", "io:sleep", "--size", "1500", "--tasks", "2",
                              "--modes", "sequential", "--repeat", "1", "--warmup", "0",
                              "--csv", os.path.join(d, "r.csv")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        os.rmdir(d)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, err)
        self.assertIn(os.path.join(d, "r.csv"), err)
        self.assertIn("sequential", out)  # the table was still printed

    @staticmethod
    def partial_with_data(folder):
        for name in os.listdir(folder):
            try:
                if name != "s.csv" and os.path.getsize(os.path.join(folder, name)) > 0:
                    return True
            except OSError:  # renamed meanwhile
                pass
        return False

    def test_export_killed_leaves_nothing_behind(self):
        """kill -9 while a large spans file is written: the partial file it leaves
        is named after the killed process and removed by the next export there."""
        with tempfile.TemporaryDirectory() as d:
            left = []
            for attempt in range(3):  # the kill may miss the write
                p = subprocess.Popen([CLI, "run", "--workload", "cpu:noop", "--tasks", "1000000",
                                      "--modes", "threads", "--workers", "2", "--repeat", "1", "--warmup", "0",
                                      "--quiet", "--spans-csv", os.path.join(d, "s.csv")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                # Killed once the partial file holds some of the spans.
                while p.poll() is None and not self.partial_with_data(d):
                    time.sleep(0.002)
                p.kill()
                p.wait()
                left = [n for n in os.listdir(d) if n != "s.csv"]
                if left:
                    break
            self.assertTrue(left, "never killed during the export")
            self.assertRegex(left[0], r"^s\.csv\.partial-%d-\w{6}$" % p.pid)
            self.assertGreater(os.path.getsize(os.path.join(d, left[0])), 0)

            r = cli("run", "--workload", "cpu:noop", "--tasks", "4", "--modes", "threads", "--workers", "2",
                    "--repeat", "1", "--warmup", "0", "--csv", os.path.join(d, "r.csv"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sorted(n for n in os.listdir(d) if n != "s.csv"), ["r.csv"])

    def test_sigint_stops_promptly(self):
        # Hours of work in any build (clang computes cpu:sumsq in closed form)
        p = subprocess.Popen([CLI, "run", "--workload", "cpu:primes", "--size", "10000000000",
                              "--tasks", "4", "--modes", "processes", "--workers", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(p.returncode, 1, err)
        self.assertIn("cancel", err.lower())

    def test_interrupted_repetition_spans_kept(self):
        """Ctrl+C in the middle of a repetition: its finished tasks are in the spans,
        marked interrupted, and out of the results and the medians."""
        with tempfile.TemporaryDirectory() as d:
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            # Two waves of 1 s a repetition: the signal comes in the second wave of the second.
            p = subprocess.Popen([CLI, "run", "--workload", "io:sleep", "--size", "1000", "--tasks", "4",
                                  "--modes", "threads", "--workers", "2", "--repeat", "3", "--warmup", "0",
                                  "--json", "--csv", r_csv, "--spans-csv", s_csv],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(3.5)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 1, err)
            with open(r_csv, newline="") as f:
                results = list(csv.DictReader(f))
            with open(s_csv, newline="") as f:
                spans = list(csv.DictReader(f))
        self.assertEqual(list(spans[0].keys()), SPANS_COLUMNS)
        self.assertEqual([row["repeat"] for row in results], ["1"])
        first = [s for s in spans if s["repeat"] == "1"]
        second = [s for s in spans if s["repeat"] == "2"]
        self.assertEqual(len(first), 4)
        self.assertEqual({s["interrupted"] for s in first}, {"false"})
        self.assertEqual({s["interrupted"] for s in second}, {"true"})
        self.assertEqual(sorted(s["task"] for s in second if s["status"] == "ok"), ["0", "1"])
        self.assertEqual(len(spans), len(first) + len(second))

        cell, = json.loads(out)["cells"]
        self.assertEqual([rep["repeat"] for rep in cell["repetitions"]], [1])
        self.assertEqual(cell["median_s"], cell["repetitions"][0]["wall_s"])
        interrupted = cell["interrupted_repetition"]
        self.assertEqual(interrupted["repeat"], 2)
        self.assertEqual(interrupted["ok_tasks"], 2)

    def test_info(self):
        r = cli("info", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.assertEqual(info["logical_cpus"], os.cpu_count())
        for key in ("cpu_model", "kernel", "glib_version", "app_version"):
            self.assertTrue(info[key])

    def test_bench_quick(self):
        r = cli("bench", "--quick", "--json", "--only", "dispatch", "--only", "spawn", "--only", "memory",
                "--only", "downloads", "--only", "cancel", "--only", "history", timeout=240)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        for key in ("thread_dispatch_us", "process_dispatch_us", "spawn_us", "raw_spawn_us", "worker_rss_kib",
                    "download_threads_40x200_w20", "download_bulk_mib_s", "cancel_ms_processes",
                    "history_commit_ms_100_spans", "history_commit_ms_1000_spans", "history_db_mib_1000_runs",
                    "history_list_ms"):
            self.assertGreater(doc[key], 0, key)


def descendants(pid):
    """Every process below @pid, from the parent PID each one has in /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    parents[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, pp in parents.items() if pp == parent and p not in found}
        found |= kids
        todo.extend(kids)
    return found


def running(pid):
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


class History(unittest.TestCase):
    SMALL_RUN = ["run", "--workload", "cpu:sumsq", "--size", "300000", "--tasks", "4",
                 "--modes", "sequential,threads,processes", "--workers", "2", "--repeat", "2", "--warmup", "1"]

    def setUp(self):
        self.data = tempfile.TemporaryDirectory(prefix="lab-history-")
        self.env = dict(os.environ, XDG_DATA_HOME=self.data.name)
        self.db = os.path.join(self.data.name, "concurrency-lab", "history.db")

    def tearDown(self):
        self.data.cleanup()

    def cli(self, *args, timeout=120):
        return cli(*args, env=self.env, timeout=timeout)

    def entries(self):
        r = self.cli("history", "list", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_list_show_export_delete(self):
        with tempfile.TemporaryDirectory() as d:
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            r = self.cli(*self.SMALL_RUN, "--csv", r_csv, "--spans-csv", s_csv)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Recorded in the history as run 1", r.stderr)
            self.assertTrue(os.path.exists(self.db))

            [entry] = self.entries()
            self.assertEqual(entry["id"], 1)
            self.assertEqual(entry["status"], "finished")
            self.assertEqual(entry["workload"], "cpu:sumsq")
            self.assertEqual(entry["modes"], "sequential, threads, processes")
            self.assertEqual(entry["workers"], "2")
            self.assertEqual((entry["repetitions_done"], entry["repetitions_total"]), (9, 9))
            self.assertGreater(entry["best_speedup"], 0)
            self.assertIn(entry["best_variant"], ("threads ×2", "processes ×2"))
            with open(r_csv, newline="") as f:
                self.assertEqual({row["run_id"] for row in csv.DictReader(f)}, {entry["run_id"]})

            r = self.cli("history", "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("finished", r.stdout)
            self.assertIn("cpu:sumsq", r.stdout)

            r = self.cli("history", "show", "1")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("finished", r.stdout)
            self.assertIn("9 of 9 completed", r.stdout)
            self.assertEqual(r.stdout.count("8999955000050000"), 3, r.stdout)  # one row per cell

            r = self.cli("history", "show", "1", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            shown = json.loads(r.stdout)
            self.assertEqual(shown["id"], 1)
            self.assertEqual(len(shown["results"]["cells"]), 3)
            self.assertEqual({c["checksum"] for c in shown["results"]["cells"]}, {"8999955000050000"})

            # The files `run --csv --spans-csv` wrote, byte for byte
            r2_csv, s2_csv = os.path.join(d, "r2.csv"), os.path.join(d, "s2.csv")
            r = self.cli("history", "export", "1", "--csv", r2_csv, "--spans-csv", s2_csv)
            self.assertEqual(r.returncode, 0, r.stderr)
            for live, recorded in ((r_csv, r2_csv), (s_csv, s2_csv)):
                with open(live, "rb") as a, open(recorded, "rb") as b:
                    self.assertEqual(a.read(), b.read(), recorded)

            r = self.cli("history", "delete", "1")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Deleted run 1", r.stdout)
            self.assertEqual(self.entries(), [])
            r = self.cli("history", "show", "1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("no run 1", r.stderr)

    def test_no_history(self):
        r = self.cli(*self.SMALL_RUN, "--no-history")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Recorded", r.stderr)
        self.assertEqual(self.entries(), [])
        r = self.cli(*self.SMALL_RUN, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.entries()), 1)

    def test_bad_ids(self):
        r = self.cli(*self.SMALL_RUN)
        self.assertEqual(r.returncode, 0, r.stderr)
        for args, code, needle in [
            (["show", "x"], 2, "“x” is not the id of a run"),
            (["show", "0"], 2, "“0” is not the id of a run"),
            (["show", "-3"], 2, "-3"),
            (["show"], 2, "give the id of a run"),
            (["delete", "1.5"], 2, "not the id of a run"),
            (["show", "99"], 1, "no run 99; concurrency-lab-cli history list"),
            (["delete", "99"], 1, "no run 99"),
            (["export", "99", "--csv", os.path.join(self.data.name, "r.csv")], 1, "no run 99"),
            (["export", "1"], 2, "--csv FILE"),
            (["delete", "1", "--json"], 2, "does not take --json"),
            (["show", "1", "--csv", "r.csv"], 2, "does not take --csv"),
            (["frobnicate"], 2, "unknown action “frobnicate”"),
            ([], 2, "list, show ID"),
            (["list", "extra"], 2, "extra"),
            (["show", "1", "2"], 2, "“2”"),
        ]:
            with self.subTest(args=args):
                r = self.cli("history", *args)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(needle, r.stderr)
                self.assertEqual(r.stdout.strip(), "")
        self.assertEqual(len(self.entries()), 1)  # nothing deleted

    def test_unwritable_export_path(self):
        r = self.cli(*self.SMALL_RUN)
        self.assertEqual(r.returncode, 0, r.stderr)
        for args in (["--csv", "/nonexistent-dir/r.csv"],
                     ["--csv", os.path.join(self.data.name, "r.csv"), "--spans-csv", "/nonexistent-dir/s.csv"],
                     ["--csv", self.data.name]):
            with self.subTest(args=args):
                r = self.cli("history", "export", "1", *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertTrue("/nonexistent-dir" in r.stderr or "is a folder" in r.stderr, r.stderr)
                self.assertFalse(os.path.exists(os.path.join(self.data.name, "r.csv")))

    def test_history_unavailable_run_goes_on(self):
        """A data folder that cannot hold the history: the run still runs, and says so."""
        blocker = os.path.join(self.data.name, "not-a-folder")
        with open(blocker, "w") as f:
            f.write("a file where the data folder should be\n")
        env = dict(self.env, XDG_DATA_HOME=blocker)
        r = cli(*self.SMALL_RUN, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("not recorded in the history", r.stderr)
        self.assertIn("Every mode computed the same checksum.", r.stdout)
        r = cli("history", "list", env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn(blocker, r.stderr)

    def test_damaged_history_moved_aside(self):
        os.makedirs(os.path.dirname(self.db))
        with open(self.db, "w") as f:
            f.write("not a database\n")
        r = self.cli(*self.SMALL_RUN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("not a database", r.stderr)
        self.assertIn("a new, empty history was started", r.stderr)
        aside = [n for n in os.listdir(os.path.dirname(self.db)) if n.startswith("history.db.corrupt-")]
        self.assertEqual(len(aside), 1, aside)
        self.assertIn(aside[0], r.stderr)
        with open(os.path.join(os.path.dirname(self.db), aside[0])) as f:
            self.assertEqual(f.read(), "not a database\n")
        self.assertIn("Recorded in the history as run 1", r.stderr)
        self.assertEqual(len(self.entries()), 1)

    def test_sigint_keeps_completed_repetitions(self):
        p = subprocess.Popen([CLI, "run", "--workload", "io:sleep", "--size", "100", "--tasks", "2",
                              "--modes", "threads", "--workers", "2", "--repeat", "100", "--warmup", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(e["repetitions_done"] >= 2 for e in self.entries()):
            time.sleep(0.1)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 1, err)
        [entry] = self.entries()
        self.assertEqual(entry["status"], "cancelled")
        self.assertGreaterEqual(entry["repetitions_done"], 2)

    def test_kill_9_keeps_completed_repetitions(self):
        """Crash safety: kill -9 of a long run in processes mode. Every completed
        repetition is in the history with its spans, the run is interrupted, and
        no worker outlives the CLI. The workers' tasks last 8 s: a worker that
        only noticed at the end of its task would still run when checked."""
        p = subprocess.Popen([CLI, "run", "--workload", "io:sleep", "--size", "8000", "--tasks", "2",
                              "--modes", "processes", "--workers", "2", "--repeat", "10", "--warmup", "0"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        workers = set()
        done = 0
        deadline = time.monotonic() + 90
        try:
            while time.monotonic() < deadline and done < 2:
                workers |= descendants(p.pid)
                done = max([e["repetitions_done"] for e in self.entries()] or [0])
                time.sleep(0.2)
            workers |= descendants(p.pid)
            self.assertEqual(done, 2)
            self.assertEqual(len(workers), 2, workers)
            self.assertTrue(all(running(w) for w in workers), workers)
        finally:
            p.kill()
            p.wait(timeout=30)

        # No worker left behind
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(running(w) for w in workers):
            time.sleep(0.1)
        self.assertEqual([w for w in workers if running(w)], [], "workers outlived the killed CLI")

        r = self.cli("history", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("interrupted", r.stdout)
        [entry] = self.entries()
        self.assertEqual(entry["status"], "interrupted")
        self.assertEqual(entry["repetitions_done"], 2)
        self.assertEqual(entry["repetitions_total"], 10)

        with tempfile.TemporaryDirectory() as d:
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            r = self.cli("history", "export", str(entry["id"]), "--csv", r_csv, "--spans-csv", s_csv)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(r_csv, newline="") as f:
                rows = list(csv.DictReader(f))
            with open(s_csv, newline="") as f:
                spans = list(csv.DictReader(f))
        self.assertEqual([row["repeat"] for row in rows], ["1", "2"])
        self.assertEqual({row["ok_tasks"] for row in rows}, {"2"})
        self.assertEqual(sorted((s["repeat"], s["task"], s["status"]) for s in spans),
                         [("1", "0", "ok"), ("1", "1", "ok"), ("2", "0", "ok"), ("2", "1", "ok")])
        self.assertTrue(all(int(s["pid"]) in workers for s in spans), spans)


def fake_python(directory, name, script):
    """An executable @name in @directory that runs the shell @script."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script + "\n")
    os.chmod(path, 0o755)
    return path


class Overheads(unittest.TestCase):
    def test_list(self):
        r = cli("overheads", "--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [line.split()[0] for line in r.stdout.splitlines() if line and not line[0].isspace()]
        self.assertEqual(names, OVERHEADS)

    def test_race_json_and_csv(self):
        """One experiment, printed as JSON and written as CSV: the same points."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "o.csv")
            r = cli("overheads", "--only", "race", "--json", "--csv", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            self.assertEqual(doc["host_cpus"], os.cpu_count())
            self.assertEqual([e["experiment"] for e in doc["experiments"]], ["race"])
            race = doc["experiments"][0]
            self.assertEqual(race["state"], "done")
            self.assertIsNone(race["error"])
            self.assertTrue(race["reading"])
            variants = {p["variant"] for p in race["points"]}
            self.assertEqual(variants, {"none", "mutex", "atomic"})
            for point in race["points"]:
                if point["variant"] != "none" and point["metric"] == "lost":
                    self.assertEqual(point["value"], 0, point)
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], OVERHEAD_COLUMNS)
            self.assertEqual(len(rows) - 1, len(race["points"]))
            first = dict(zip(rows[0], rows[1]))
            self.assertEqual(first["experiment"], "race")
            self.assertEqual(float(first["value"]), race["points"][0]["value"])

    def test_tables_printed(self):
        r = cli("overheads", "--only", "race")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Race condition (race)", r.stdout)
        self.assertIn("Mutex", r.stdout)

    def test_sigint_keeps_what_was_measured(self):
        p = subprocess.Popen([CLI, "overheads", "--only", "race,startup,memory", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(p.returncode, 1, err)
        self.assertIn("stopped", err)
        doc = json.loads(out)
        self.assertGreaterEqual(len(doc["experiments"]), 1)


class Claims(unittest.TestCase):
    def test_list(self):
        r = cli("claims", "--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = [line.split()[0] for line in r.stdout.splitlines() if line and not line[0].isspace()]
        self.assertEqual(ids, CLAIMS)
        self.assertIn("Holds when", r.stdout)

    def test_race_json_and_csv(self):
        """One claim, quick, printed as JSON and written as CSV: the same verdict."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.csv")
            r = cli("claims", "--only", "c12", "--quick", "--json", "--csv", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            self.assertEqual(doc["host_cpus"], os.cpu_count())
            self.assertEqual([c["id"] for c in doc["claims"]], ["C12"])
            claim = doc["claims"][0]
            self.assertIn(claim["verdict"], VERDICTS - {"failed"})
            if os.cpu_count() >= 2:
                self.assertEqual(claim["verdict"], "holds", claim["reading"])
            self.assertTrue(claim["rule"].startswith("Holds when"))
            self.assertEqual(claim["runtime"], "native")
            values = {v["name"]: v for v in claim["values"]}
            self.assertEqual(values["lost_mutex"]["value"], 0)
            self.assertEqual(values["lost_atomic"]["value"], 0)
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], CLAIM_COLUMNS)
            self.assertEqual(len(rows), 2)
            row = dict(zip(rows[0], rows[1]))
            self.assertEqual(row["id"], "C12")
            self.assertEqual(row["verdict"], claim["verdict"])
            self.assertEqual(row["reading"], claim["reading"])
            self.assertIn("lost_mutex=0 updates", row["values"])

    def test_printed(self):
        r = cli("claims", "--only", "C12", "--quick")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("C12  ", r.stdout)
        self.assertIn("Updates lost with a mutex", r.stdout)
        self.assertIn("Runtime: native", r.stdout)

    def test_sigint_keeps_what_was_measured(self):
        """Ctrl+C during C13: C11 keeps its verdict, C13 says it stopped, C18 was not checked."""
        p = subprocess.Popen([CLI, "claims", "--only", "C18,C11,C13", "--quick", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4.0)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(p.returncode, 1, err)
        self.assertIn("stopped", err)
        claims = {c["id"]: c for c in json.loads(out)["claims"]}
        self.assertEqual(list(claims), ["C11", "C13", "C18"])
        self.assertNotIn(claims["C11"]["verdict"], {"failed", "not-run"})
        self.assertEqual(claims["C13"]["verdict"], "failed")
        self.assertTrue(claims["C13"]["reading"].startswith("Stopped before the end"))
        self.assertEqual(claims["C18"]["verdict"], "not-run")
        self.assertTrue(claims["C18"]["reading"].startswith("Not checked"))

    @unittest.skipUnless(ALL_CLAIMS, "takes minutes: run by the cli-claims test (--all-claims)")
    def test_all_quick_json(self):
        """Every claim, quick: 18 entries, each with a verdict or a reason."""
        r = cli("claims", "--quick", "--json", "--quiet", timeout=540)
        doc = json.loads(r.stdout)
        self.assertEqual([c["id"] for c in doc["claims"]], CLAIMS)
        failed = [c["id"] for c in doc["claims"] if c["verdict"] == "failed"]
        self.assertEqual(r.returncode, 1 if failed else 0, r.stderr)
        for claim in doc["claims"]:
            with self.subTest(claim=claim["id"]):
                self.assertIn(claim["verdict"], VERDICTS)
                self.assertGreater(len(claim["reading"]), 20)
                if claim["verdict"] not in ("cannot-check", "failed"):
                    self.assertTrue(claim["values"])


class CPythonRuntime(unittest.TestCase):
    """--runtime cpython with the real python3 on PATH, and with fake interpreters
    that are missing, broken, too old or free-threaded."""

    def env_with_path(self, path):
        env = dict(os.environ)
        env["PATH"] = path
        env.pop("CONCURRENCY_LAB_PYTHON", None)
        env.pop("CONCURRENCY_LAB_PYTHON_NOGIL", None)
        return env

    def assert_refused(self, env, *needles):
        r = cli("run", "--runtime", "cpython", "--workload", "cpu:sumsq", "--size", "1000", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        for needle in needles:
            self.assertIn(needle, r.stderr)
        return r

    def test_missing_python(self):
        with tempfile.TemporaryDirectory() as d:
            self.assert_refused(self.env_with_path(d), "python3", "not available", "install Python 3.8")

    def test_broken_python(self):
        with tempfile.TemporaryDirectory() as d:
            fake_python(d, "python3", "echo 'Traceback (most recent call last):' >&2; "
                                      "echo 'SyntaxError: broken interpreter' >&2; exit 1")
            self.assert_refused(self.env_with_path(d), "cannot run the Python kernels", "exited with status 1",
                                "SyntaxError: broken interpreter")

    def test_garbage_python(self):
        with tempfile.TemporaryDirectory() as d:
            fake_python(d, "python3", "echo 'hello'")
            self.assert_refused(self.env_with_path(d), "did not say which version")

    def test_old_python(self):
        with tempfile.TemporaryDirectory() as d:
            fake_python(d, "python3", """echo '{"implementation": "cpython", "version": "3.6.9", "gil_enabled": true}'""")
            self.assert_refused(self.env_with_path(d), "Python 3.6.9", "3.8 or newer")

    def test_free_threaded_detected(self):
        with tempfile.TemporaryDirectory() as d:
            fake_python(d, "python3", """echo '{"implementation": "cpython", "version": "3.12.1", "gil_enabled": true}'""")
            fake_python(d, "python3.13t", """echo '{"implementation": "cpython", "version": "3.13.1", "gil_enabled": false}'""")
            r = cli("info", "--json", env=self.env_with_path(d))
            self.assertEqual(r.returncode, 0, r.stderr)
            runtimes = {rt["runtime"]: rt for rt in json.loads(r.stdout)["runtimes"]}
            self.assertTrue(runtimes["native"]["available"])
            self.assertTrue(runtimes["cpython"]["available"])
            self.assertEqual(runtimes["cpython"]["version"], "3.12.1")
            self.assertTrue(runtimes["cpython-nogil"]["available"])
            self.assertEqual(runtimes["cpython-nogil"]["version"], "3.13.1")
            self.assertEqual(runtimes["cpython-nogil"]["path"], os.path.join(d, "python3.13t"))

    def test_no_free_threaded(self):
        with tempfile.TemporaryDirectory() as d:
            fake_python(d, "python3", """echo '{"implementation": "cpython", "version": "3.12.1", "gil_enabled": true}'""")
            r = cli("run", "--runtime", "cpython-nogil", "--workload", "cpu:sumsq", env=self.env_with_path(d))
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("No free-threaded Python", r.stderr)
            self.assertIn("has a GIL", r.stderr)

    def test_native_and_cpython_side_by_side(self):
        with tempfile.TemporaryDirectory() as d:
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            r = cli("run", "--runtime", "native,cpython", "--workload", "cpu:primes", "--size", "30000",
                    "--tasks", "6", "--modes", "sequential,threads,processes", "--workers", "2",
                    "--repeat", "1", "--warmup", "0", "--csv", r_csv, "--spans-csv", s_csv, timeout=240)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Every mode computed the same checksum.", r.stdout)
            for name in ("cpython/sequential", "cpython/threads", "cpython/processes"):
                self.assertIn(name, r.stdout)
            self.assertIn("Interpreter start-up", r.stdout)
            with open(r_csv, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 6)
            self.assertEqual({row["checksum"] for row in rows}, {"3245"})
            python = [row for row in rows if row["runtime"] != "native"]
            self.assertEqual(len(python), 3)
            for row in python:
                self.assertRegex(row["runtime"], r"^cpython-3\.\d+\.\d+")
                self.assertRegex(row["runtime_version"], r"^Python 3\.")
                self.assertGreater(float(row["startup_ms"]), 0)
            with open(s_csv, newline="") as f:
                spans = list(csv.DictReader(f))
            self.assertEqual(len(spans), 6 * 6)
            self.assertEqual({s["runtime"] for s in spans} - {"native"}, {python[0]["runtime"]})


class Files(unittest.TestCase):
    """io:files, each test with its own XDG_CACHE_HOME."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = os.path.join(self.tmp.name, "cache")
        self.env = dict(os.environ, XDG_CACHE_HOME=self.cache)

    def tearDown(self):
        self.tmp.cleanup()

    def left(self):
        """What the runs left in the cache: each directory and the files in it."""
        parent = os.path.join(self.cache, "concurrency-lab")
        if not os.path.isdir(parent):
            return {}
        return {name: sorted(os.listdir(os.path.join(parent, name))) for name in os.listdir(parent)}

    def run_files(self, *args, timeout=120):
        return cli("run", "--workload", "io:files", "--repeat", "1", "--warmup", "0", *args,
                   env=self.env, timeout=timeout)

    def rows(self, path):
        with open(path, newline="") as f:
            return list(csv.DictReader(f))

    def start_and_wait_for_files(self, *args):
        p = subprocess.Popen([CLI, "run", "--workload", "io:files", "--tasks", "5000", "--size", "4194304",
                              "--fsync", "--cache", "cold", "--repeat", "1", "--warmup", "0", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        deadline = time.monotonic() + 30
        while not any(self.left().values()):
            self.assertLess(time.monotonic(), deadline, "no file appeared")
            self.assertIsNone(p.poll())
            time.sleep(0.005)
        return p

    def test_warm_and_cold(self):
        """Same checksum in every mode and cache; the notes in the table, the reading and the CSV."""
        r_csv = os.path.join(self.tmp.name, "r.csv")
        r = self.run_files("--tasks", "6", "--size", "300001", "--modes", "sequential,threads,processes",
                           "--workers", "2", "--csv", r_csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Every mode computed the same checksum.", r.stdout)
        self.assertIn("No file was synced (no fsync)", r.stdout)
        self.assertIn("Warm cache: 100 % of the bytes read back", r.stdout)
        self.assertEqual(r.stdout.count("in the page cache before reading: 100 %"), 3, r.stdout)
        warm = self.rows(r_csv)
        self.assertEqual(len(warm), 3)
        self.assertEqual(len({row["checksum"] for row in warm}), 1)
        for row in warm:
            self.assertEqual((row["fsync"], row["cache"], row["page_cache_resident"]), ("false", "warm", "1"))
            self.assertTrue(row["files_fs"])

        r = self.run_files("--tasks", "6", "--size", "300001", "--modes", "sequential,threads",
                           "--workers", "2", "--fsync", "--cache", "cold", "--csv", r_csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Each file was synced to storage (fsync)", r.stdout)
        self.assertIn("Cold cache: each file was dropped from the page cache", r.stdout)
        cold = self.rows(r_csv)
        self.assertEqual({row["checksum"] for row in cold}, {warm[0]["checksum"]})
        for row in cold:
            self.assertEqual((row["fsync"], row["cache"]), ("true", "cold"))
            self.assertGreaterEqual(float(row["page_cache_resident"]), 0)
            self.assertLessEqual(float(row["page_cache_resident"]), 1)
            if row["files_fs"] == "tmpfs":
                self.assertIn("which keeps files only in memory", r.stdout)
        self.assertEqual(self.left(), {})

    def test_json(self):
        r = self.run_files("--tasks", "3", "--size", "65536", "--modes", "threads", "--workers", "2",
                           "--fsync", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["workload"], doc["fsync"], doc["cache"]), ("io:files", True, "warm"))
        self.assertEqual(doc["cells"][0]["page_cache_resident"], 1)
        self.assertTrue(doc["cells"][0]["files_fs"])

    def test_tmpfs_says_so(self):
        with open("/proc/mounts") as f:
            if not any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in f):
                self.skipTest("/dev/shm is not a tmpfs")
        with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
            env = dict(os.environ, XDG_CACHE_HOME=shm)
            r = cli("run", "--workload", "io:files", "--tasks", "2", "--size", "65536", "--modes", "sequential",
                    "--repeat", "1", "--warmup", "0", "--cache", "cold", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("100 % of the bytes were still in the page cache", r.stdout)
            self.assertIn("The files were on tmpfs, which keeps files only in memory", r.stdout)
            self.assertEqual(os.listdir(os.path.join(shm, "concurrency-lab")), [])

    def test_refused(self):
        for args, needle in ((["--cache", "lukewarm"], "--cache"),
                             (["--modes", "async"], "its one thread would stop"),
                             (["--runtime", "cpython"], "does not run io:files"),
                             (["--size", "0"], "--size")):
            with self.subTest(args=args):
                r = self.run_files(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(needle, r.stderr)
        r = cli("run", "--workload", "cpu:primes", "--fsync", env=self.env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--fsync applies only to the workload io:files", r.stderr)
        self.assertEqual(self.left(), {})

    def test_unwritable_cache(self):
        """A file where the cache should be: even root cannot write there."""
        with open(os.path.join(self.tmp.name, "cache"), "w"):
            pass
        r = self.run_files("--tasks", "2", "--modes", "threads")
        self.assertEqual(r.returncode, 1)
        self.assertIn(os.path.join(self.cache, "concurrency-lab"), r.stderr)
        self.assertIn("XDG_CACHE_HOME", r.stderr)

    def test_not_enough_space(self):
        os.makedirs(self.cache)
        st = os.statvfs(self.cache)
        workers = st.f_bavail * st.f_frsize // (1 << 30) + 1
        if workers > 512:
            self.skipTest("more than 512 GiB free")
        r = self.run_files("--tasks", str(workers), "--size", str(1 << 30), "--modes", "threads",
                           "--workers", str(workers))
        self.assertEqual(r.returncode, 1)
        self.assertIn("free in", r.stderr)
        self.assertEqual(self.left(), {})

    def test_sigint_removes_the_files(self):
        for mode in ("threads", "processes"):
            with self.subTest(mode=mode):
                p = self.start_and_wait_for_files("--modes", mode, "--workers", "2")
                p.send_signal(signal.SIGINT)
                out, err = p.communicate(timeout=30)
                self.assertEqual(p.returncode, 1, err)
                self.assertIn("cancel", err.lower())
                self.assertEqual(self.left(), {})

    def test_killed_run_cleaned_by_the_next(self):
        p = self.start_and_wait_for_files("--modes", "threads", "--workers", "2")
        p.kill()
        p.communicate(timeout=30)
        left = self.left()
        self.assertEqual(list(left), [d for d in left if d.startswith("files-%d-" % p.pid)])
        self.assertTrue(any(left.values()))
        r = self.run_files("--tasks", "1", "--size", "4096", "--modes", "sequential")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.left(), {})


class Pipeline(unittest.TestCase):
    SHAPES = ["sequential", "threads", "gil", "processes", "hybrid"]

    def test_five_shapes(self):
        """Every shape stores the same rows and checksum; the CSVs carry the stages."""
        with tempfile.TemporaryDirectory() as d:
            store = os.path.join(d, "rows")
            r_csv, s_csv = os.path.join(d, "r.csv"), os.path.join(d, "s.csv")
            r = cli("run", "--workload", "pipeline", "--modes", ",".join(self.SHAPES), "--workers", "2",
                    "--tasks", "20", "--size", "500", "--server-bytes", "4096", "--server-delay", "5",
                    "--repeat", "1", "--warmup", "0", "--store-dir", store, "--csv", r_csv,
                    "--spans-csv", s_csv, timeout=240)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Every mode computed the same checksum.", r.stdout)
            self.assertEqual(r.stdout.count("busy: download"), 5, r.stdout)
            self.assertTrue("Fastest: " in r.stdout or "too large to tell" in r.stdout, r.stdout)

            rows = None
            for shape in self.SHAPES:
                workers = 1 if shape == "sequential" else 2
                with open(os.path.join(store, f"pipeline-{shape}-w{workers}-rep1.csv")) as f:
                    lines = f.read().splitlines()
                self.assertEqual(lines[0], "doc,bytes,words,word_length_sum,digest")
                self.assertEqual(len(lines), 21)
                self.assertEqual(sorted(int(line.split(",")[0]) for line in lines[1:]), list(range(20)))
                if rows is None:
                    rows = sorted(lines[1:])
                self.assertEqual(sorted(lines[1:]), rows, shape)
            self.assertEqual(len(os.listdir(store)), 5)

            with open(r_csv, newline="") as f:
                results = list(csv.DictReader(f))
            self.assertEqual(list(results[0].keys()), RESULTS_COLUMNS)
            self.assertEqual({row["mode"] for row in results}, set(self.SHAPES))
            self.assertEqual(len({row["checksum"] for row in results}), 1)
            for row in results:
                self.assertEqual(row["tasks"], "20")
                self.assertEqual(row["ok_tasks"], "20")
                self.assertEqual(float(row["task_busy_s"]), 0)
                for stage in ("download", "analyse", "store"):
                    self.assertGreater(float(row[stage + "_busy_s"]), 0)

            with open(s_csv, newline="") as f:
                spans = list(csv.DictReader(f))
            self.assertEqual(len(spans), 3 * 20 * 5)
            self.assertEqual({s["stage"] for s in spans}, {"download", "analyse", "store"})
            hybrid = [s for s in spans if s["mode"] == "hybrid"]
            analysing = {s["pid"] for s in hybrid if s["stage"] == "analyse"}
            others = {s["pid"] for s in hybrid if s["stage"] != "analyse"}
            self.assertEqual(len(others), 1)
            self.assertFalse(analysing & others)

    def test_refusals(self):
        cases = [
            (["--workload", "cpu:primes", "--modes", "hybrid"], "hybrid"),
            (["--workload", "io:sleep", "--modes", "threads,hybrid"], "pipeline"),
            (["--workload", "pipeline", "--modes", "async"], "async"),
            (["--workload", "pipeline", "--modes", "spawn"], "spawn"),
            (["--workload", "pipeline", "--modes", "gtask"], "gtask"),
            (["--workload", "pipeline", "--runtime", "cpython"], "native runtime"),
            (["--workload", "pipeline", "--url", "http://127.0.0.1:1/"], "embedded server"),
            (["--workload", "io:sleep", "--store-dir", "/tmp"], "--store-dir"),
            (["--workload", "pipeline", "--bytes", "1", "--server-bytes", "2"], "--server-bytes"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                r = cli("run", *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(needle, r.stderr)
                self.assertEqual(r.stdout.strip(), "")

    def run_in_cache(self, cache, *args):
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        return subprocess.Popen([CLI, "run", "--workload", "pipeline", "--workers", "2", "--repeat", "1",
                                 "--warmup", "0", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def test_temporary_store_removed(self):
        """Without --store-dir the rows go to a folder in the cache, gone after the run and a cancel."""
        with tempfile.TemporaryDirectory() as cache:
            p = self.run_in_cache(cache, "--modes", "threads,hybrid", "--tasks", "10", "--size", "10",
                                  "--delay-ms", "0")
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(os.listdir(os.path.join(cache, "concurrency-lab")), [])

            p = self.run_in_cache(cache, "--modes", "hybrid", "--tasks", "200", "--delay-ms", "200")
            time.sleep(1.0)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=20)
            self.assertEqual(p.returncode, 1, err)
            self.assertIn("cancel", err.lower())
            self.assertEqual(os.listdir(os.path.join(cache, "concurrency-lab")), [])


class ParentKilled(unittest.TestCase):
    """kill -9 of the CLI in the middle of long tasks: its workers go with it."""

    CASES = {
        "processes": ["--workload", "io:sleep", "--size", "600000", "--modes", "processes"],
        "spawn": ["--workload", "io:sleep", "--size", "600000", "--modes", "spawn"],
        "hybrid": ["--workload", "pipeline", "--size", "4294967296", "--modes", "hybrid",
                   "--delay-ms", "0"],
        "cpu-processes": ["--workload", "cpu:primes", "--size", "10000000000", "--modes", "processes"],
        "cpython-processes": ["--runtime", "cpython", "--workload", "io:sleep", "--size", "600000",
                              "--modes", "processes"],
        "cpython-threads": ["--runtime", "cpython", "--workload", "io:sleep", "--size", "600000",
                            "--modes", "threads"],
    }

    def kill_and_watch(self, args, n_workers):
        p = subprocess.Popen([CLI, "run", "--tasks", "4", "--workers", "2", "--repeat", "1",
                              "--warmup", "0", *args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        workers = set()
        try:
            deadline = time.monotonic() + 30
            while len(workers) < n_workers and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.1)
                workers = {w for w in descendants(p.pid) if running(w)}
            self.assertGreaterEqual(len(workers), n_workers, "the run did not start its workers")
            time.sleep(1.0)  # well into their tasks
            p.kill()
            p.wait(timeout=10)
            t0 = time.monotonic()
            while any(running(w) for w in workers) and time.monotonic() - t0 < 5:
                time.sleep(0.05)
            left = sorted(w for w in workers if running(w))
            self.assertEqual(left, [], "workers still running %.1f s after their parent was killed"
                             % (time.monotonic() - t0))
            return time.monotonic() - t0
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            for w in workers:
                if running(w):
                    os.kill(w, signal.SIGKILL)

    def test_workers_end_with_their_parent(self):
        for name, args in self.CASES.items():
            with self.subTest(mode=name):
                # Persistent pools have both workers at once, spawn starts one per task.
                self.kill_and_watch(args, 1 if name == "cpython-threads" else 2)
def limit_fds(soft, hard):
    """A preexec_fn: the child starts with these limits of open files."""
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class DescriptorLimits(unittest.TestCase):
    """The embedded server and download runs at a low limit of open files."""

    def start_server(self, *args, soft=256, hard=256):
        p = subprocess.Popen([CLI, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=limit_fds(soft, hard))

        def stop():
            p.send_signal(signal.SIGINT)
            err = p.communicate(timeout=20)[1]
            self.assertEqual(p.returncode, 0, err)
        self.addCleanup(stop)
        line = p.stdout.readline()
        if not line.startswith("Serving on http://127.0.0.1:"):
            self.fail(line + p.stderr.read())
        return p, line.split()[-1]

    def test_serve_recovers_after_clients_took_every_descriptor(self):
        """300 idle connections at a limit of 256: once they are gone, the server serves again."""
        p, url = self.start_server()
        port = int(url.rsplit(":", 1)[1])
        idle = []
        for _ in range(300):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(1.0)
        for s in idle:
            s.close()
        time.sleep(0.5)
        with urllib.request.urlopen(url + "/bytes/10", timeout=5) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(len(response.read()), 10)

    def test_serve_closes_idle_connections(self):
        """--idle-timeout-s: a silent client and a kept-alive one are let go, then the port serves on."""
        p, url = self.start_server("--idle-timeout-s", "1", "--max-connections", "2", soft=1024, hard=1024)
        port = int(url.rsplit(":", 1)[1])
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        kept = socket.create_connection(("127.0.0.1", port), timeout=5)
        kept.sendall(b"GET /bytes/5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertTrue(kept.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n"))
        t0 = time.monotonic()
        for s in (silent, kept):
            while s.recv(4096):
                pass
            s.close()
        self.assertLess(time.monotonic() - t0, 4)
        # Both places are free again.
        with urllib.request.urlopen(url + "/bytes/10", timeout=5) as response:
            self.assertEqual(response.status, 200)

    def download_512(self, soft, hard):
        return subprocess.run([CLI, "run", "--workload", "io:download", "--workers", "512",
                               "--tasks", "1024", "--modes", "threads,async", "--delay-ms", "50",
                               "--bytes", "1000", "--repeat", "1", "--warmup", "0", "--json"],
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                              preexec_fn=limit_fds(soft, hard))

    def test_download_512_workers_raises_the_limit(self):
        """The issue's run at ulimit -n 1024 with a higher hard limit: every task succeeds."""
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard != resource.RLIM_INFINITY and hard < 4096:
            self.skipTest("the hard limit of open files here is %d" % hard)
        r = self.download_512(1024, hard)
        self.assertNotIn("Too many open files", r.stderr)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        for cell in json.loads(r.stdout)["cells"]:
            self.assertEqual(cell["failed_tasks"], 0, cell)

    def test_download_512_workers_refused_at_a_hard_limit(self):
        """At a hard limit of 1024 the run is refused before it starts, saying what to do."""
        r = self.download_512(1024, 1024)
        self.assertNotIn("Too many open files", r.stderr)
        self.assertEqual(r.returncode, 2, r.stderr[-2000:])
        self.assertIn("1024", r.stderr)
        self.assertIn("ulimit -n", r.stderr)
        self.assertIn("--workers", r.stderr)
        self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[a for a in sys.argv if a != "--all-claims"])
