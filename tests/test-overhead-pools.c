/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-format.h"
#include "lab-overhead-private.h"
#include "lab-run.h"
#include "lab-task.h"
#include "lab-test-run.h"

/* The gtask mode and the default-pools experiment, with real GTasks on
 * GLib's shared pool, real threads and the real embedded HTTP server. */

/* GLib's shared GTask pool (gio/gtask.c, 2.74 and later): it runs at most
 * G_TASK_POOL_SIZE tasks at once. While that many run and more wait, a
 * timer armed when a task starts (G_TASK_WAIT_TIME_BASE µs, then 3 % more
 * for each thread above the base) raises the limit to one more than are
 * running; a task that starts re-arms it. So the limit grows by at most
 * one per G_TASK_WAIT_TIME_BASE, and a run that starts with the pool at
 * rest may meet one raise left due from earlier work. */
#define G_TASK_POOL_SIZE       10
#define G_TASK_WAIT_TIME_BASE  (100 * 1000)

#define N_TASKS   40
#define DELAY_MS  200

/* The most tasks the shared pool can run at once @elapsed_us after tasks
 * were first queued. */
static guint
pool_limit_after (gint64 elapsed_us)
{
  return G_TASK_POOL_SIZE + 1 + (guint) (MAX (elapsed_us, 0) / G_TASK_WAIT_TIME_BASE);
}

static LabRepetition *
only_repetition (LabRun *run)
{
  GPtrArray *reps = lab_run_get_repetitions (run);

  g_assert_cmpuint (reps->len, ==, 1);
  return reps->pdata[0];
}

/* 40 waits of 200 ms, 40 workers asked for: the pool runs them, never
 * more at once than gtask.c allows at that moment, and every result comes
 * back to the coordinator. Must run first: it needs the pool at rest. */
static void
test_gtask_within_pool_limit (void)
{
  const guint workers[] = { N_TASKS };
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "gtask", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autofree gboolean *seen = g_new0 (gboolean, N_TASKS);
  g_autoptr(GHashTable) lanes = g_hash_table_new (g_int64_hash, g_int64_equal);
  LabRepetition *rep;
  gint64 last_end = 0;
  guint max_running = 0;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, DELAY_MS);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, N_TASKS);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);

  rep = only_repetition (run);
  g_assert_cmpint (rep->mode, ==, LAB_MODE_GTASK);
  g_assert_cmpuint (rep->workers, ==, N_TASKS);
  g_assert_cmpuint (rep->ok_tasks, ==, N_TASKS);
  /* io:sleep: a task's checksum is its index */
  g_assert_cmpuint (rep->checksum, ==, N_TASKS * (N_TASKS - 1) / 2);
  g_assert_cmpuint (rep->spans->len, ==, N_TASKS);
  for (guint i = 0; i < rep->spans->len; i++)
    {
      const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);
      gpointer lane;

      g_assert_cmpint (span->status, ==, LAB_TASK_OK);
      g_assert_false (seen[span->task]);
      seen[span->task] = TRUE;
      /* Run on a pool thread, not the coordinator or this one */
      g_assert_cmpint (span->tid, !=, lab_thread_id ());
      g_assert_cmpint (span->end_us - span->start_us, >=, DELAY_MS * 1000);
      /* One lane per pool thread */
      if (g_hash_table_lookup_extended (lanes, &span->tid, NULL, &lane))
        g_assert_cmpuint (GPOINTER_TO_UINT (lane), ==, span->worker);
      else
        g_hash_table_insert (lanes, (gpointer) &span->tid, GUINT_TO_POINTER (span->worker));
      last_end = MAX (last_end, span->end_us);
    }

  steps = lab_spans_running_steps (rep->spans);
  for (guint i = 0; i < steps->len; i++)
    {
      const LabRunningStep *step = &g_array_index (steps, LabRunningStep, i);

      g_assert_cmpuint (step->running, <=, pool_limit_after (step->time_us));
      max_running = MAX (max_running, step->running);
    }
  g_assert_cmpuint (g_array_index (steps, LabRunningStep, steps->len - 1).running, ==, 0);
  g_assert_cmpuint (max_running, ==, lab_spans_max_running (rep->spans));
  /* A pool: several at once, on as many threads, and fewer than asked */
  g_assert_cmpuint (max_running, >, 1);
  g_assert_cmpuint (g_hash_table_size (lanes), >=, max_running);
  g_assert_cmpuint (pool_limit_after (last_end), <, N_TASKS);
  g_assert_cmpuint (max_running, <, N_TASKS);
}

/* Steps from spans: overlaps counted, touching spans not, empty spans ignored. */
static void
test_running_steps (void)
{
  const struct { gint64 start, end; } times[] = { { 0, 10 }, { 5, 20 }, { 10, 15 }, { 30, 30 }, { 20, 25 } };
  const LabRunningStep expected[] = { { 0, 1 }, { 5, 2 }, { 15, 1 }, { 25, 0 } };
  g_autoptr(GArray) spans = g_array_new (FALSE, TRUE, sizeof (LabSpan));
  g_autoptr(GArray) steps = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      LabSpan span = { .task = i, .start_us = times[i].start, .end_us = times[i].end };

      g_array_append_val (spans, span);
    }
  steps = lab_spans_running_steps (spans);
  g_assert_cmpuint (steps->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < steps->len; i++)
    {
      g_assert_cmpint (g_array_index (steps, LabRunningStep, i).time_us, ==, expected[i].time_us);
      g_assert_cmpuint (g_array_index (steps, LabRunningStep, i).running, ==, expected[i].running);
    }
  g_assert_cmpuint (lab_spans_max_running (spans), ==, 2);
}

/* gtask waits; it does not compute, and only the native engine has it. */
static void
test_builder_refuses_cpu (void)
{
  const char *cpu[] = { "cpu:primes", "cpu:sumsq", "cpu:noop" };
  const char *io[] = { "io:sleep", "io:download", "io:files" };
  LabMode mode;

  g_assert_true (lab_mode_from_string ("gtask", &mode));
  g_assert_cmpint (mode, ==, LAB_MODE_GTASK);
  g_assert_cmpstr (lab_mode_to_string (LAB_MODE_GTASK), ==, "gtask");
  g_assert_true (lab_runtime_accepts_mode (LAB_RUNTIME_NATIVE, LAB_MODE_GTASK));
  g_assert_false (lab_runtime_accepts_mode (LAB_RUNTIME_CPYTHON, LAB_MODE_GTASK));
  g_assert_false (lab_runtime_accepts_mode (LAB_RUNTIME_CPYTHON_NOGIL, LAB_MODE_GTASK));

  for (guint i = 0; i < G_N_ELEMENTS (cpu); i++)
    {
      g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
      g_autoptr(LabRunConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (lab_run_builder_set_workload (builder, cpu[i], NULL));
      g_assert_false (lab_run_builder_accepts_mode (builder, LAB_MODE_GTASK));
      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, "threads,gtask", NULL));
      config = lab_run_builder_build (builder, &error);
      g_assert_null (config);
      g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "--modes"));
      g_assert_nonnull (strstr (error->message, "“gtask”"));
      g_assert_nonnull (strstr (error->message, cpu[i]));
      g_assert_nonnull (strstr (error->message, "io:sleep, io:download and io:files"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (io); i++)
    {
      g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
      g_autoptr(LabRunConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (lab_run_builder_set_workload (builder, io[i], NULL));
      g_assert_true (lab_run_builder_accepts_mode (builder, LAB_MODE_GTASK));
      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, "gtask", NULL));
      if (lab_run_builder_needs_server (builder))
        lab_run_builder_set_server (builder, "http://127.0.0.1:1/");
      config = lab_run_builder_build (builder, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_array_index (config->modes, LabMode, 0), ==, LAB_MODE_GTASK);
    }
}

/* The mode stops promptly: tasks under way see the cancellable, those
 * still queued come back cancelled at once. */
static void
test_gtask_cancels (void)
{
  const guint workers[] = { N_TASKS };
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "gtask", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 10 * 1000);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, N_TASKS);
  config = lab_test_build (builder);
  lab_test_assert_cancels (config, 200 * G_USEC_PER_SEC / 1000);
}

/* The experiment */

static const LabOverheadPoint *
find_point (GPtrArray  *points,
            const char *variant,
            const char *metric,
            guint       repeat)
{
  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_str_equal (point->variant, variant) && g_str_equal (point->metric, metric) && point->repeat == repeat)
        return point;
    }
  return NULL;
}

/* The running steps of one repetition agree with its max_running, end at
 * zero, and never exceed what the variant allows. */
static void
check_running_points (GPtrArray  *points,
                      const char *variant,
                      guint       repeat,
                      guint       max_running,
                      double      wall_s)
{
  guint most = 0;
  double last_ms = -1, last_value = -1;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (!g_str_equal (point->variant, variant) || !g_str_equal (point->metric, "running") ||
          point->repeat != repeat)
        continue;
      g_assert_cmpstr (point->parameter, ==, "ms");
      g_assert_cmpstr (point->unit, ==, "tasks");
      g_assert_cmpfloat (point->parameter_value, >, last_ms);
      g_assert_cmpfloat (point->parameter_value, <=, wall_s * 1000);
      if (g_str_equal (variant, "gtask"))
        g_assert_cmpfloat (point->value, <=, pool_limit_after (point->parameter_value * 1000));
      last_ms = point->parameter_value;
      last_value = point->value;
      most = MAX (most, (guint) point->value);
    }
  g_assert_cmpfloat (last_value, ==, 0);
  g_assert_cmpuint (most, ==, max_running);
}

static void
check_tables (GPtrArray *points)
{
  g_autoptr(GPtrArray) tables = lab_overhead_pools_experiment.tables (points);
  const LabOverheadTable *running, *wall;

  g_assert_cmpuint (tables->len, ==, 2);
  running = tables->pdata[0];
  wall = tables->pdata[1];

  g_assert_cmpint (running->kind, ==, LAB_OVERHEAD_CHART_STEPS);
  g_assert_cmpuint (running->series->len, ==, 2);
  g_assert_cmpstr (((LabOverheadSeries *) running->series->pdata[0])->name, ==, lab_mode_title (LAB_MODE_THREADS));
  g_assert_cmpstr (((LabOverheadSeries *) running->series->pdata[1])->name, ==, lab_mode_title (LAB_MODE_GTASK));
  g_assert_cmpfloat (g_array_index (running->x, double, 0), ==, 0);
  for (guint s = 0; s < running->series->len; s++)
    {
      GArray *values = ((LabOverheadSeries *) running->series->pdata[s])->values;
      double most = 0;

      g_assert_cmpuint (values->len, ==, running->columns->len);
      /* Nothing runs before the start or after the end */
      g_assert_cmpfloat (g_array_index (values, double, 0), ==, 0);
      g_assert_cmpfloat (g_array_index (values, double, values->len - 1), ==, 0);
      for (guint c = 0; c < values->len; c++)
        most = MAX (most, g_array_index (values, double, c));
      /* Each moment is the median of the repetitions: at most the most at once */
      g_assert_cmpfloat (most, >, 1);
      g_assert_cmpfloat (most, <=, lab_overhead_points_median (points, s == 0 ? "threads" : "gtask",
                                                               "max_running", N_TASKS));
    }

  g_assert_cmpint (wall->kind, ==, LAB_OVERHEAD_CHART_BARS);
  g_assert_cmpstr (wall->unit, ==, "s");
  g_assert_cmpuint (wall->columns->len, ==, 1);
  g_assert_cmpuint (wall->series->len, ==, 2);
  g_assert_cmpfloat (g_array_index (((LabOverheadSeries *) wall->series->pdata[0])->values, double, 0), ==,
                     lab_overhead_points_median (points, "threads", "wall", N_TASKS));
  g_assert_cmpfloat (g_array_index (((LabOverheadSeries *) wall->series->pdata[1])->values, double, 0), ==,
                     lab_overhead_points_median (points, "gtask", "wall", N_TASKS));
}

/* The whole experiment: threads ran all 40 at once, GLib's pool fewer,
 * and the reading names the limit measured. */
static void
test_experiment (void)
{
  g_autoptr(LabOverhead) overhead = lab_overhead_new (LAB_OVERHEAD_POOLS, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *reading = NULL;
  g_autofree char *limit = NULL;
  GPtrArray *points;
  guint gtask_max = 0;

  g_assert_true (lab_overhead_run (overhead, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_DONE);
  points = lab_overhead_get_points (overhead);

  for (guint r = 0; r < 3; r++)
    {
      const char *variants[] = { "threads", "gtask" };

      for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
        {
          const LabOverheadPoint *wall = find_point (points, variants[v], "wall", r);
          const LabOverheadPoint *most = find_point (points, variants[v], "max_running", r);
          const LabOverheadPoint *failed = find_point (points, variants[v], "failed", r);

          g_assert_nonnull (wall);
          g_assert_nonnull (most);
          g_assert_nonnull (failed);
          g_assert_cmpstr (wall->unit, ==, "s");
          g_assert_cmpstr (wall->parameter, ==, "workers");
          g_assert_cmpfloat (wall->parameter_value, ==, N_TASKS);
          /* Every download waited 200 ms on the server */
          g_assert_cmpfloat (wall->value, >=, DELAY_MS / 1000.0);
          g_assert_cmpstr (most->unit, ==, "tasks");
          g_assert_cmpfloat (failed->value, ==, 0);
          check_running_points (points, variants[v], r, (guint) most->value, wall->value);
          if (v == 0)
            /* 40 threads of its own: all 40 waited together */
            g_assert_cmpfloat (most->value, ==, N_TASKS);
          else
            {
              g_assert_cmpfloat (most->value, <=, pool_limit_after (wall->value * G_USEC_PER_SEC));
              g_assert_cmpfloat (most->value, <, N_TASKS);
              gtask_max = MAX (gtask_max, (guint) most->value);
            }
        }
    }
  g_assert_null (find_point (points, "threads", "wall", 3));

  check_tables (points);

  reading = lab_overhead_dup_reading (overhead);
  g_test_message ("%s", reading);
  g_assert_nonnull (reading);
  limit = g_strdup_printf ("at most %u", gtask_max);
  g_assert_nonnull (strstr (reading, limit));
  g_assert_nonnull (strstr (reading, "of the 40 requested tasks at once"));
  g_assert_nonnull (strstr (reading, "a pool of exactly 40 threads took"));
}

/* The reading from points made up for the purpose: it says what they say. */
static void
add_point (GPtrArray  *points,
           const char *variant,
           const char *metric,
           double      parameter_value,
           double      value,
           guint       repeat)
{
  g_ptr_array_add (points, lab_overhead_point_new (LAB_OVERHEAD_POOLS, variant, metric,
                                                   g_str_equal (metric, "running") ? "ms" : "workers",
                                                   parameter_value, value,
                                                   g_str_equal (metric, "wall") ? "s" : "tasks", repeat));
}

/* One repetition: @first at once from 1 ms, @most from 150 ms, none at @wall_s. */
static void
add_repetition (GPtrArray  *points,
                const char *variant,
                guint       repeat,
                double      wall_s,
                guint       first,
                guint       most,
                guint       failed)
{
  add_point (points, variant, "wall", N_TASKS, wall_s, repeat);
  add_point (points, variant, "max_running", N_TASKS, most, repeat);
  add_point (points, variant, "failed", N_TASKS, failed, repeat);
  add_point (points, variant, "running", 1, first, repeat);
  if (most != first)
    add_point (points, variant, "running", 150, most, repeat);
  add_point (points, variant, "running", wall_s * 1000, 0, repeat);
}

static char *
reading_of (GPtrArray *points,
            gboolean   complete)
{
  char *reading = lab_overhead_pools_experiment.reading (points, complete);

  g_test_message ("%s", reading != NULL ? reading : "(none)");
  return reading;
}

static void
test_reading (void)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
  g_autofree char *none = reading_of (points, FALSE);
  g_autofree char *threads_only = NULL;
  g_autofree char *grew = NULL;
  g_autofree char *all = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *unstable = NULL;

  g_assert_null (none);

  /* Stopped after the threads */
  add_repetition (points, "threads", 0, 0.21, 40, 40, 0);
  threads_only = reading_of (points, FALSE);
  g_assert_cmpstr (threads_only, ==, "A pool of exactly 40 threads ran 40 tasks at once: 40 × 200 ms took 0.21 s.");

  /* The pool started 10 and grew to 12 */
  add_repetition (points, "gtask", 0, 0.81, 10, 12, 0);
  add_repetition (points, "gtask", 1, 0.83, 10, 11, 0);
  grew = reading_of (points, FALSE);
  g_assert_cmpstr (grew, ==, "GLib’s default pool ran 10 of the 40 requested tasks at once at first and at most 12 "
                             "later, so 40 × 200 ms took 0.82 s; a pool of exactly 40 threads took 0.21 s.");

  /* A GLib that runs them all */
  g_ptr_array_set_size (points, 0);
  add_repetition (points, "threads", 0, 0.21, 40, 40, 0);
  add_repetition (points, "gtask", 0, 0.22, 40, 40, 0);
  all = reading_of (points, TRUE);
  g_assert_cmpstr (all, ==, "GLib’s default pool ran all 40 tasks at once: 40 × 200 ms took 0.22 s; "
                            "a pool of exactly 40 threads took 0.21 s.");

  /* Failures: no verdict */
  add_repetition (points, "gtask", 1, 0.5, 40, 40, 3);
  failed = reading_of (points, TRUE);
  g_assert_cmpstr (failed, ==, "3 downloads failed, so these figures do not show what the pools allow.");

  /* Repetitions that disagree: no verdict */
  g_ptr_array_set_size (points, 0);
  add_repetition (points, "threads", 0, 0.21, 40, 40, 0);
  add_repetition (points, "gtask", 0, 0.8, 10, 11, 0);
  add_repetition (points, "gtask", 1, 1.6, 10, 11, 0);
  add_repetition (points, "gtask", 2, 0.4, 10, 11, 0);
  unstable = reading_of (points, TRUE);
  g_assert_nonnull (strstr (unstable, "varied too much"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* First: it needs GLib's pool as no task has left it. */
  g_test_add_func ("/overhead-pools/gtask-pool-limit", test_gtask_within_pool_limit);
  g_test_add_func ("/overhead-pools/running-steps", test_running_steps);
  g_test_add_func ("/overhead-pools/builder", test_builder_refuses_cpu);
  g_test_add_func ("/overhead-pools/gtask-cancel", test_gtask_cancels);
  g_test_add_func ("/overhead-pools/experiment", test_experiment);
  g_test_add_func ("/overhead-pools/reading", test_reading);
  return g_test_run ();
}
