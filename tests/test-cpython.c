/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab-interpreter.h"
#include "lab-kernel.h"
#include "lab-test-run.h"

/*
 * The CPython runtime, run for real: python3 from PATH on the kernels
 * script named by CONCURRENCY_LAB_PYTHON_KERNELS. No interpreter is
 * mocked; a machine without python3 fails these tests rather than
 * passing them.
 */

static LabRun *
run_python (const char  *spec,
            guint64      size,
            guint        tasks,
            const char  *runtimes,
            const char  *modes,
            guint        workers)
{
  LabRunBuilder *builder = lab_test_builder (spec, modes, &workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_RUNTIME, runtimes, NULL));
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, size);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  return run;
}

static void
test_interpreter_found (void)
{
  g_autoptr(GError) error = NULL;
  const LabInterpreter *python = lab_interpreter_find (LAB_RUNTIME_CPYTHON, &error);
  g_autofree char *label = NULL;
  guint major = 0, minor = 0;

  g_assert_no_error (error);
  g_assert_nonnull (python);
  g_assert_true (g_path_is_absolute (python->path));
  g_assert_true (python->gil_enabled);
  g_assert_cmpint (sscanf (python->version, "%u.%u", &major, &minor), ==, 2);
  g_assert_true (major == 3 && minor >= 8);
  label = lab_interpreter_dup_label (python);
  g_assert_true (g_str_has_prefix (label, "cpython-3."));
  /* Found once: the same answer, at once */
  g_assert_true (lab_interpreter_find (LAB_RUNTIME_CPYTHON, NULL) == python);
}

/* Every kernel computes in Python what it computes in C, in every mode. */
static void
test_checksums_equal_native (void)
{
  static const struct { const char *spec; guint64 size; } cases[] = {
    { "cpu:sumsq", 200003 },
    { "cpu:primes", 60000 },
    { "cpu:pi", 50000 },
    { "cpu:mandelbrot", 1024 * 24 },
    { "cpu:hash", 3000 },
    { "cpu:matmul", 24 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabRun) run = run_python (cases[i].spec, cases[i].size, 7, "native,cpython",
                                          "sequential,threads,processes", 3);
      GListModel *cells = lab_run_get_cells (run);
      g_autoptr(LabCell) first = g_list_model_get_item (cells, 0);

      g_test_message ("%s: %" G_GUINT64_FORMAT, cases[i].spec, lab_cell_get_checksum (first));
      g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 6);
      for (guint c = 0; c < g_list_model_get_n_items (cells); c++)
        {
          g_autoptr(LabCell) cell = g_list_model_get_item (cells, c);

          g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 0);
          if (lab_cell_get_checksum (cell) != lab_cell_get_checksum (first))
            g_error ("%s: %s computed %" G_GUINT64_FORMAT ", native sequential %" G_GUINT64_FORMAT,
                     cases[i].spec, lab_cell_get_title (cell), lab_cell_get_checksum (cell),
                     lab_cell_get_checksum (first));
        }
      g_assert_nonnull (lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, LAB_MODE_THREADS, 3));
    }
}

/* Spans come back on the engine's clock, from the interpreter's own
 * threads and processes, and the interpreters' start-up is measured
 * apart. */
static void
test_spans_and_startup (void)
{
  g_autoptr(LabRun) run = run_python ("cpu:sumsq", 300000, 8, "cpython", "threads,processes", 2);
  LabCell *threads = lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, LAB_MODE_THREADS, 2);
  LabCell *processes = lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, LAB_MODE_PROCESSES, 2);
  GPtrArray *reps = lab_run_get_repetitions (run);

  g_assert_nonnull (threads);
  g_assert_nonnull (processes);
  /* An interpreter takes milliseconds to start, and not seconds */
  g_assert_cmpfloat (lab_cell_get_startup_s (threads), >, 0.001);
  g_assert_cmpfloat (lab_cell_get_startup_s (threads), <, 10.0);
  g_assert_cmpfloat (lab_cell_get_startup_s (processes), >, 0.001);

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);
      g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) tids = g_hash_table_new (NULL, NULL);
      guint max_worker = 0;

      g_assert_cmpint (rep->runtime, ==, LAB_RUNTIME_CPYTHON);
      g_assert_cmpuint (rep->spans->len, ==, 8);
      for (guint s = 0; s < rep->spans->len; s++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, s);

          g_assert_cmpint (span->status, ==, LAB_TASK_OK);
          /* Relative to the repetition's start on CLOCK_MONOTONIC: inside it */
          g_assert_cmpint (span->start_us, >=, 0);
          g_assert_cmpint (span->end_us, >=, span->start_us);
          g_assert_cmpint (span->end_us, <=, (gint64) (rep->wall_s * G_USEC_PER_SEC) + 1000);
          g_assert_cmpint (span->pid, !=, getpid ());
          g_hash_table_add (pids, GINT_TO_POINTER (span->pid));
          g_hash_table_add (tids, GINT_TO_POINTER ((gint) span->tid));
          max_worker = MAX (max_worker, span->worker);
        }
      g_assert_cmpuint (max_worker, <, 2);
      if (rep->mode == LAB_MODE_THREADS)
        {
          /* One interpreter, its threads as lanes */
          g_assert_cmpuint (g_hash_table_size (pids), ==, 1);
          g_assert_cmpuint (g_hash_table_size (tids), ==, max_worker + 1);
        }
      else
        g_assert_cmpuint (g_hash_table_size (pids), ==, 2);
      g_assert_cmpfloat (rep->user_s + rep->sys_s, >, 0.0);
      g_assert_cmpuint (rep->peak_rss_kib, >, 1024);
    }
}

/* time.sleep() lets other threads run: threads and asyncio overlap the waiting. */
static void
test_sleep_overlaps (void)
{
  g_autoptr(LabRun) run = run_python ("io:sleep", 100, 12, "cpython", "sequential,threads,async,processes", 6);
  const LabMode overlapping[] = { LAB_MODE_THREADS, LAB_MODE_ASYNC, LAB_MODE_PROCESSES };

  for (guint i = 0; i < G_N_ELEMENTS (overlapping); i++)
    {
      LabCell *cell = lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, overlapping[i], 6);

      g_assert_nonnull (cell);
      g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 0);
      /* 12 sleeps of 100 ms over 6 workers: 0.2 s ideal, 1.2 s in a row */
      g_test_message ("%s: %.3f s", lab_cell_get_title (cell), lab_cell_get_median_s (cell));
      g_assert_cmpfloat (lab_cell_get_median_s (cell), <, 0.6);
      g_assert_cmpfloat (lab_cell_get_speedup (cell), >, 2.0);
    }
}

/* The real GIL: CPU work in CPython threads does not run in parallel.
 * With one core the claim cannot be checked; with more, the threads keep
 * about one core busy while processes keep more. */
static void
test_gil_serialises_threads (void)
{
  g_autoptr(LabRun) run = NULL;
  LabCell *threads, *processes;

  if (sysconf (_SC_NPROCESSORS_ONLN) < 2)
    {
      g_test_skip ("one core: parallelism cannot be seen");
      return;
    }
  run = run_python ("cpu:sumsq", 3000000, 8, "cpython", "threads,processes", 2);
  threads = lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, LAB_MODE_THREADS, 2);
  processes = lab_run_find_variant_cell (run, LAB_RUNTIME_CPYTHON, LAB_MODE_PROCESSES, 2);
  g_test_message ("busy cores: threads %.2f, processes %.2f",
                  lab_cell_get_cpu_util (threads) * sysconf (_SC_NPROCESSORS_ONLN),
                  lab_cell_get_cpu_util (processes) * sysconf (_SC_NPROCESSORS_ONLN));
  /* CPU time over wall time: the GIL keeps threads near one core,
   * whatever else the machine does */
  g_assert_cmpfloat (lab_cell_get_cpu_util (threads) * sysconf (_SC_NPROCESSORS_ONLN), <, 1.35);
  /* Processes use more only when the cores are free for them */
  if (lab_cell_get_background_cpu (processes) < 0.15)
    g_assert_cmpfloat (lab_cell_get_cpu_util (processes) * sysconf (_SC_NPROCESSORS_ONLN), >, 1.4);
  else
    g_test_message ("other programs used %.0f %% of the CPU: processes' parallelism not checked",
                    100 * lab_cell_get_background_cpu (processes));
}

/* A run that has only CPython cells names it in every CSV row. */
static void
test_runtime_label (void)
{
  g_autoptr(LabRun) run = run_python ("cpu:noop", 1, 4, "cpython", "sequential", 1);
  const LabRunConfig *config = lab_run_get_config (run);
  g_autofree char *label = lab_run_config_dup_runtime_label (config, LAB_RUNTIME_CPYTHON);
  g_autofree char *version = lab_run_config_dup_runtime_version (config, LAB_RUNTIME_CPYTHON);
  const LabInterpreter *python = lab_interpreter_find (LAB_RUNTIME_CPYTHON, NULL);
  g_autofree char *expected = g_strdup_printf ("cpython-%s", python->version);

  g_assert_cmpstr (label, ==, expected);
  g_assert_nonnull (strstr (version, python->path));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpython/interpreter-found", test_interpreter_found);
  g_test_add_func ("/cpython/checksums-equal-native", test_checksums_equal_native);
  g_test_add_func ("/cpython/spans-and-startup", test_spans_and_startup);
  g_test_add_func ("/cpython/sleep-overlaps", test_sleep_overlaps);
  g_test_add_func ("/cpython/gil-serialises-threads", test_gil_serialises_threads);
  g_test_add_func ("/cpython/runtime-label", test_runtime_label);

  return g_test_run ();
}
