#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of concurrency-lab-cli: the real binary, real workers."""

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

CLI = os.environ["CONCURRENCY_LAB_CLI"]

RESULTS_COLUMNS = ("run_id,started_at,workload,size,tasks,mode,runtime,workers,repeat,wall_s,user_s,"
                   "sys_s,cpu_util,peak_rss_kib,speedup,efficiency,checksum,ok_tasks,failed_tasks,"
                   "outlier,host_cpus,app_version,ui_max_stall_ms,ui_cpu_s,background_cpu,unstable,"
                   "cpu_model,kernel,runtime_version,startup_ms,fsync,cache,page_cache_resident,"
                   "files_fs,task_busy_s,download_busy_s,analyse_busy_s,store_busy_s").split(",")
SPANS_COLUMNS = ("run_id,mode,workers,repeat,task,worker,pid,tid,queued_us,start_us,end_us,bytes,"
                 "status,error,runtime,stage").split(",")
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
                     ["overheads", "--help"], ["claims", "--help"]):
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

    def test_unwritable_csv_keeps_results(self):
        r = cli("run", "--workload", "cpu:noop", "--tasks", "4", "--modes", "threads",
                "--workers", "2", "--repeat", "1", "--csv", "/nonexistent-dir/r.csv")
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent-dir/r.csv", r.stderr)
        self.assertIn("threads", r.stdout)  # the table was still printed

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

    def test_info(self):
        r = cli("info", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.assertEqual(info["logical_cpus"], os.cpu_count())
        for key in ("cpu_model", "kernel", "glib_version", "app_version"):
            self.assertTrue(info[key])

    def test_bench_quick(self):
        r = cli("bench", "--quick", "--json", "--only", "dispatch", "--only", "spawn", "--only", "memory",
                "--only", "downloads", "--only", "cancel", timeout=240)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        for key in ("thread_dispatch_us", "process_dispatch_us", "spawn_us", "raw_spawn_us", "worker_rss_kib",
                    "download_threads_40x200_w20", "download_bulk_mib_s", "cancel_ms_processes"):
            self.assertGreater(doc[key], 0, key)


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


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[a for a in sys.argv if a != "--all-claims"])
