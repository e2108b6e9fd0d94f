/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* sched_getaffinity() */
#include "config.h"

#include <math.h>
#include <sched.h>
#include <signal.h>
#include <string.h>

#include "lab-overhead-channel.h"
#include "lab-overhead-private.h"
#include "lab-run-config.h"
#include "lab-test-overhead.h"
#include "lab-worker-pool.h"

/* The experiments that use worker processes: communication, crash
 * isolation and CPU affinity, and what they are built on (the channels,
 * the worker's options, the pinned pool). */

#define CRASH_TASKS  20  /* as lab-overhead-crash.c runs them */

/* Helpers ------------------------------------------------------------------ */

static LabOverhead *
run_experiment (LabOverheadKind kind)
{
  g_autoptr(LabOverhead) overhead = lab_overhead_new (kind, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *reading = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (lab_overhead_run (overhead, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_DONE);
  reading = lab_overhead_dup_reading (overhead);
  g_assert_nonnull (reading);
  g_test_message ("%s: %.2f s, %u points. %s", lab_overhead_kind_to_string (kind),
                  (g_get_monotonic_time () - start) / 1e6, lab_overhead_get_points (overhead)->len, reading);
  lab_test_assert_nothing_left ();
  return g_steal_pointer (&overhead);
}

/* The values of the points of @variant and @metric, one per repeat. */
static GArray *
values_of (GPtrArray  *points,
           const char *variant,
           const char *metric)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_str_equal (point->variant, variant) && g_str_equal (point->metric, metric))
        g_array_append_val (values, point->value);
    }
  return values;
}

static void
assert_all_equal (GPtrArray  *points,
                  const char *variant,
                  const char *metric,
                  guint       repeats,
                  double      expected)
{
  g_autoptr(GArray) values = values_of (points, variant, metric);

  g_assert_cmpuint (values->len, ==, repeats);
  for (guint i = 0; i < values->len; i++)
    g_assert_cmpfloat (g_array_index (values, double, i), ==, expected);
}

/* Communication -------------------------------------------------------------- */

/* Every channel brings back exactly the bytes it was given, at every size
 * up to its limit, time after time. */
static void
test_channels (void)
{
  static const gsize sizes[] = { 0, 1, 64, 4096, 65537, 1024 * 1024 + 3 };
  const gsize max_bytes = 2 * 1024 * 1024;
  g_autofree char *worker = lab_worker_path_default ();
  g_autofree guint8 *message = g_malloc (max_bytes);
  g_autofree guint8 *reply = g_malloc (max_bytes);

  for (guint kind = 0; kind < LAB_N_CHANNELS; kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LabChannel) channel = lab_channel_new (kind, worker, max_bytes, &error);

      g_assert_no_error (error);
      for (guint round = 0; round < 2; round++)
        for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
          {
            gsize size = sizes[s];
            g_autofree char *sent = NULL, *received = NULL;

            for (gsize i = 0; i < size; i++)
              message[i] = g_test_rand_int_range (0, 256);
            memset (reply, 0xa5, max_bytes);
            sent = g_compute_checksum_for_data (G_CHECKSUM_SHA256, message, size);
            g_assert_true (lab_channel_round_trip (channel, message, reply, size, &error));
            g_assert_no_error (error);
            received = g_compute_checksum_for_data (G_CHECKSUM_SHA256, reply, size);
            g_assert_cmpstr (received, ==, sent);
            /* Nothing written past the answer. */
            g_assert_cmpuint (reply[size], ==, 0xa5);
          }
      g_clear_pointer (&channel, lab_channel_free);
      lab_test_assert_nothing_left ();
    }
}

static void
test_communication (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_COMMUNICATION);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);

  /* 4 channels × 4 sizes × 3 repeats × (latency, throughput) */
  g_assert_cmpuint (points->len, ==, 4 * 4 * 3 * 2);
  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      g_assert_true (isfinite (point->value));
      g_assert_cmpfloat (point->value, >, 0);
      /* Throughput is both ways over the round trip. */
      if (g_str_equal (point->metric, "throughput"))
        {
          double latency = lab_overhead_points_median (points, point->variant, "latency", point->parameter_value);

          g_assert_cmpstr (point->unit, ==, "GB/s");
          g_assert_true (isfinite (latency));
        }
    }
  g_assert_cmpuint (tables->len, ==, 2);
  for (guint i = 0; i < tables->len; i++)
    {
      LabOverheadTable *table = tables->pdata[i];

      g_assert_cmpint (table->kind, ==, LAB_OVERHEAD_CHART_LINES);
      g_assert_true (table->log_x);
      g_assert_cmpuint (table->columns->len, ==, 4);
      g_assert_cmpuint (table->series->len, ==, 4);
    }
}

/* Crash isolation ------------------------------------------------------------ */

static void
test_crash (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_CRASH);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GArray) finished = values_of (points, "threads", "finished_before_crash");
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  g_autofree char *reading = lab_overhead_dup_reading (overhead);

  /* We are still here: the crashes happened in other processes. In the
   * pool one task is lost and the rest completes; in one helper process
   * every result is lost. */
  assert_all_equal (points, "processes", "completed", 3, CRASH_TASKS - 1);
  assert_all_equal (points, "processes", "lost", 3, 1);
  assert_all_equal (points, "processes", "signal", 3, SIGSEGV);
  assert_all_equal (points, "threads", "completed", 3, 0);
  assert_all_equal (points, "threads", "lost", 3, CRASH_TASKS);
  assert_all_equal (points, "threads", "signal", 3, SIGSEGV);
  for (guint i = 0; i < finished->len; i++)
    g_assert_cmpfloat (g_array_index (finished, double, i), <, CRASH_TASKS);

  g_assert_cmpuint (tables->len, ==, 1);
  g_assert_cmpint (((LabOverheadTable *) tables->pdata[0])->kind, ==, LAB_OVERHEAD_CHART_BARS);
  g_assert_nonnull (strstr (reading, "SIGSEGV"));
}

/* The installed worker with --map-threads but nothing crashing answers
 * every task once all are done, after a progress line for each. */
static void
test_map_threads (void)
{
  g_autofree char *worker = lab_worker_path_default ();
  const char *argv[] = { worker, "--map-threads", "2", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  static const char requests[] = "W cpu:primes 100000 4 10 0\nT 1 0\nT 2 1\nT 3 2\nT 4 3\n";
  g_autoptr(GBytes) input = g_bytes_new_static (requests, sizeof requests - 1);
  g_autoptr(GBytes) output = NULL;
  g_auto(GStrv) lines = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (process, input, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  lines = g_strsplit (g_bytes_get_data (output, NULL), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 4 + 4 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "H "));
  for (guint i = 1; i <= 4; i++)
    g_assert_true (g_str_has_prefix (lines[i], "P "));
  for (guint i = 5; i <= 8; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("R %u %u ok ", i - 4, i - 5);

      g_assert_true (g_str_has_prefix (lines[i], prefix));
    }
}

/* CPU affinity --------------------------------------------------------------- */

static char *
cpus_allowed (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  line = strstr (contents, "Cpus_allowed_list:");
  g_assert_nonnull (line);
  line += strlen ("Cpus_allowed_list:");
  return g_strstrip (g_strndup (line, strcspn (line, "\n")));
}

static void
count_ok (const LabSpan *span,
          gpointer       user_data)
{
  guint *ok = user_data;

  *ok += span->status == LAB_TASK_OK;
}

static void
test_pinned_pool (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabWorkerPool) pinned = lab_worker_pool_new_pinned (NULL, 3, &error);
  g_autoptr(LabWorkerPool) unpinned = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(LabWorkload) workload = lab_workload_new_from_spec ("cpu:noop", NULL);
  g_autofree char *own = cpus_allowed ("self");
  LabPoolUsage usage;
  cpu_set_t set;
  guint ok = 0;

  g_assert_no_error (error);
  g_assert_cmpint (sched_getaffinity (0, sizeof set, &set), ==, 0);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, &set))
      g_array_append_val (cpus, cpu);

  /* Slot i on the i-th CPU this process may use, round the list. */
  pids = lab_worker_pool_get_pids (pinned);
  g_assert_cmpuint (pids->len, ==, 3);
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *pid = g_strdup_printf ("%d", g_array_index (pids, gint, i));
      g_autofree char *allowed = cpus_allowed (pid);
      g_autofree char *expected = g_strdup_printf ("%d", g_array_index (cpus, int, i % cpus->len));

      g_assert_cmpstr (allowed, ==, expected);
    }

  /* The workers report their context switches: they wait on their pipes. */
  workload->size = 1;
  workload->tasks = 30;
  g_assert_true (lab_worker_pool_run (pinned, workload, 0, g_get_monotonic_time (), count_ok, &ok,
                                      NULL, &error));
  g_assert_cmpuint (ok, ==, 30);
  g_assert_no_error (error);
  lab_worker_pool_take_usage_full (pinned, &usage);
  g_assert_cmpuint (usage.voluntary_switches, >, 0);

  /* Unpinned workers may run wherever this process may. */
  unpinned = lab_worker_pool_new (NULL, 1, 0, 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&pids, g_array_unref);
  pids = lab_worker_pool_get_pids (unpinned);
  {
    g_autofree char *pid = g_strdup_printf ("%d", g_array_index (pids, gint, 0));
    g_autofree char *allowed = cpus_allowed (pid);

    g_assert_cmpstr (allowed, ==, own);
  }
}

static void
test_affinity (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_AFFINITY);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  const char *variants[] = { "pinned", "unpinned" };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(GArray) times = values_of (points, variants[v], "time");
      g_autoptr(GArray) waits = values_of (points, variants[v], "voluntary_switches");
      g_autoptr(GArray) preemptions = values_of (points, variants[v], "involuntary_switches");

      g_assert_cmpuint (times->len, ==, 5);
      g_assert_cmpuint (waits->len, ==, 5);
      g_assert_cmpuint (preemptions->len, ==, 5);
      for (guint i = 0; i < times->len; i++)
        {
          g_assert_cmpfloat (g_array_index (times, double, i), >, 0);
          /* Each worker at least waited for its first task. */
          g_assert_cmpfloat (g_array_index (waits, double, i), >, 0);
        }
    }
  g_assert_cmpuint (tables->len, ==, 2);
  for (guint i = 0; i < tables->len; i++)
    {
      LabOverheadTable *table = tables->pdata[i];

      g_assert_cmpint (table->kind, ==, LAB_OVERHEAD_CHART_BARS);
      g_assert_cmpuint (table->series->len, ==, 2);
    }
}

static void
add_point (GPtrArray       *points,
           LabOverheadKind  kind,
           const char      *variant,
           const char      *metric,
           double           parameter_value,
           double           value,
           guint            repeat)
{
  g_ptr_array_add (points, lab_overhead_point_new (kind, variant, metric, "workers", parameter_value, value, "s",
                                                   repeat));
}

static char *
affinity_reading (guint         workers,
                  const double *pinned,
                  const double *unpinned,
                  guint         repeats)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);

  for (guint r = 0; r < repeats; r++)
    {
      add_point (points, LAB_OVERHEAD_AFFINITY, "pinned", "time", workers, pinned[r], r);
      add_point (points, LAB_OVERHEAD_AFFINITY, "unpinned", "time", workers, unpinned[r], r);
    }
  return lab_overhead_experiment_get (LAB_OVERHEAD_AFFINITY)->reading (points, TRUE);
}

/* The verdict follows the numbers: a gap counts only beyond the spread of
 * the repeats, and one core or one repeat gives none. */
static void
test_affinity_reading (void)
{
  static const double fast[] = { 1.00, 1.01, 1.02 }, slow[] = { 1.20, 1.21, 1.19 };
  static const double wide[] = { 1.00, 1.30, 1.10 }, narrow[] = { 1.05, 1.20, 1.12 };
  g_autofree char *faster = affinity_reading (2, fast, slow, 3);
  g_autofree char *slower = affinity_reading (2, slow, fast, 3);
  g_autofree char *same = affinity_reading (2, wide, narrow, 3);
  g_autofree char *one_core = affinity_reading (1, fast, slow, 3);
  g_autofree char *one_repeat = affinity_reading (2, fast, slow, 1);

  g_assert_nonnull (strstr (faster, "faster"));
  g_assert_null (strstr (faster, "slower"));
  g_assert_nonnull (strstr (slower, "slower"));
  g_assert_nonnull (strstr (same, "no measurable difference"));
  g_assert_nonnull (strstr (one_core, "one core"));
  g_assert_nonnull (strstr (one_repeat, "too few repeats"));
}

/* Stopped before the helper ran: the reading tells of the pool only, and
 * does not claim the application's survival of a run that did not end. */
static void
test_crash_reading_partial (void)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
  const LabOverheadExperiment *crash = lab_overhead_experiment_get (LAB_OVERHEAD_CRASH);
  g_autofree char *nothing = crash->reading (points, FALSE);
  g_autofree char *partial = NULL;

  g_assert_null (nothing);
  add_point (points, LAB_OVERHEAD_CRASH, "processes", "completed", CRASH_TASKS, CRASH_TASKS - 1, 0);
  add_point (points, LAB_OVERHEAD_CRASH, "processes", "lost", CRASH_TASKS, 1, 0);
  add_point (points, LAB_OVERHEAD_CRASH, "processes", "signal", CRASH_TASKS, SIGBUS, 0);
  partial = crash->reading (points, FALSE);
  g_assert_nonnull (strstr (partial, "SIGBUS"));
  g_assert_nonnull (strstr (partial, "19 of 20"));
  g_assert_null (strstr (partial, "helper"));
  g_assert_null (strstr (partial, "kept running"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/overhead-process/channels", test_channels);
  g_test_add_func ("/overhead-process/communication", test_communication);
  g_test_add_func ("/overhead-process/map-threads", test_map_threads);
  g_test_add_func ("/overhead-process/crash", test_crash);
  g_test_add_func ("/overhead-process/pinned-pool", test_pinned_pool);
  g_test_add_func ("/overhead-process/affinity", test_affinity);
  g_test_add_func ("/overhead-process/affinity-reading", test_affinity_reading);
  g_test_add_func ("/overhead-process/crash-reading-partial", test_crash_reading_partial);
  return g_test_run ();
}
