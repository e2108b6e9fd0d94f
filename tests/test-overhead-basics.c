/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-interpreter.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"

/* The start-up, memory, race and granularity experiments, run for real
 * (threads, concurrency-lab-worker processes from CONCURRENCY_LAB_WORKER,
 * /bin/true, the engine), and their readings computed from made-up
 * points where the arithmetic is what is tested. */

/* Helpers ------------------------------------------------------------------ */

static LabOverhead *
run_experiment (LabOverheadKind kind)
{
  LabOverhead *overhead = lab_overhead_new (kind, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_overhead_run (overhead, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_DONE);
  return overhead;
}

/* The points of @variant and @metric at @parameter_value. */
static guint
count_points (GPtrArray  *points,
              const char *variant,
              const char *metric,
              double      parameter_value)
{
  guint n = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_str_equal (point->variant, variant) && g_str_equal (point->metric, metric) &&
          point->parameter_value == parameter_value)
        n++;
    }
  return n;
}

static const LabOverheadPoint *
find_point (GPtrArray  *points,
            const char *variant,
            const char *metric)
{
  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_str_equal (point->variant, variant) && g_str_equal (point->metric, metric))
        return point;
    }
  return NULL;
}

static void
add_point (GPtrArray  *points,
           const char *variant,
           const char *metric,
           const char *parameter,
           double      parameter_value,
           double      value,
           const char *unit)
{
  /* The experiments' readings do not look at the kind or the repeat. */
  g_ptr_array_add (points, lab_overhead_point_new (LAB_OVERHEAD_STARTUP, variant, metric, parameter, parameter_value,
                                                   value, unit, 0));
}

static GPtrArray *
new_points (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
}

/* Start-up ----------------------------------------------------------------- */

static void
test_startup_points (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_STARTUP);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  g_autofree char *reading = lab_overhead_dup_reading (overhead);
  const LabInterpreter *python = lab_interpreter_find (LAB_RUNTIME_CPYTHON, NULL);
  gboolean have_true = g_file_test ("/bin/true", G_FILE_TEST_IS_EXECUTABLE);
  const double counts[] = { 1, 10, 100 };
  LabOverheadTable *table;

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_assert_cmpuint (count_points (points, "threads", "per_start", counts[c]), ==, 3);
      g_assert_cmpuint (count_points (points, "processes", "per_start", counts[c]), ==, 3);
      g_assert_cmpuint (count_points (points, "posix_spawn", "per_start", counts[c]), ==, have_true ? 3 : 0);
      g_assert_cmpuint (count_points (points, "cpython", "per_start", counts[c]), ==,
                        python != NULL && counts[c] <= 10 ? 3 : 0);
    }
  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      g_assert_cmpstr (point->unit, ==, "us");
      g_assert_cmpstr (point->parameter, ==, "count");
      g_assert_cmpfloat (point->value, >, 0);
    }

  g_assert_cmpuint (tables->len, ==, 1);
  table = tables->pdata[0];
  g_assert_cmpint (table->kind, ==, LAB_OVERHEAD_CHART_BARS);
  g_assert_true (table->log_y);
  g_assert_cmpuint (table->columns->len, ==, 3);
  g_assert_cmpuint (table->series->len, ==, 2 + (have_true ? 1 : 0) + (python != NULL ? 1 : 0));
  g_assert_nonnull (reading);
  g_assert_nonnull (strstr (reading, "Started 100 at a time"));
}

/* The reading's ratio is the worker's median over the thread's. */
static void
test_startup_reading (void)
{
  const LabOverheadExperiment *experiment = lab_overhead_experiment_get (LAB_OVERHEAD_STARTUP);
  g_autoptr(GPtrArray) points = new_points ();
  g_autofree char *partial = NULL;
  g_autofree char *reading = NULL;

  g_assert_null (experiment->reading (points, FALSE));
  add_point (points, "threads", "per_start", "count", 10, 20, "us");
  partial = experiment->reading (points, FALSE);
  g_assert_cmpstr (partial, ==, "Started 10 at a time, a thread cost 20 µs.");

  for (guint r = 0; r < 3; r++)
    {
      add_point (points, "threads", "per_start", "count", 100, 20 + r, "us");
      add_point (points, "processes", "per_start", "count", 100, 1260 - r, "us");
      add_point (points, "posix_spawn", "per_start", "count", 100, 600, "us");
    }
  reading = experiment->reading (points, TRUE);
  g_assert_cmpstr (reading, ==,
                   "Started 100 at a time, a thread cost 21 µs, a worker process 1.26 ms (60× as much) "
                   "and a bare posix_spawn of /bin/true 600 µs.");
}

/* Memory ------------------------------------------------------------------- */

static void
test_memory_growth (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_MEMORY);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  g_autofree char *reading = lab_overhead_dup_reading (overhead);
  LabProcessMemory self;
  const char *metrics[] = { "rss", "uss" };

  g_assert_true (lab_machine_process_memory (0, &self));
  for (guint m = 0; m < (self.detailed ? 2 : 1); m++)
    {
      double per_10 = lab_overhead_points_median (points, "processes", metrics[m], 10);
      double per_100 = lab_overhead_points_median (points, "processes", metrics[m], 100);

      /* Each worker has memory of its own: ten times the workers, more in all. */
      g_assert_cmpfloat (per_10, >, 0);
      g_assert_cmpfloat (100 * per_100, >, 10 * per_10);
      g_assert_cmpuint (count_points (points, "processes", metrics[m], 300), ==, 3);
      g_assert_cmpuint (count_points (points, "threads", metrics[m], 300), ==, 3);
    }
  /* A worker process is a whole program, a thread a stack. */
  g_assert_cmpfloat (lab_overhead_points_median (points, "processes", "rss", 300), >,
                     lab_overhead_points_median (points, "threads", "rss", 300));

  g_assert_cmpuint (tables->len, ==, 1);
  g_assert_cmpint (((LabOverheadTable *) tables->pdata[0])->kind, ==, LAB_OVERHEAD_CHART_LINES);
  g_assert_nonnull (reading);
  g_assert_nonnull (strstr (reading, "(300 of each)"));
}

static void
test_memory_reading (void)
{
  const LabOverheadExperiment *experiment = lab_overhead_experiment_get (LAB_OVERHEAD_MEMORY);
  g_autoptr(GPtrArray) points = new_points ();
  g_autofree char *reading = NULL;

  add_point (points, "threads", "rss", "count", 300, 12, "KiB");
  add_point (points, "threads", "uss", "count", 300, 12, "KiB");
  add_point (points, "processes", "rss", "count", 300, 3.5 * 1024, "KiB");
  add_point (points, "processes", "uss", "count", 300, 1920, "KiB");
  reading = experiment->reading (points, TRUE);
  g_assert_cmpstr (reading, ==,
                   "A parked thread added 12 KiB; a worker process 1.88 MiB of its own memory (USS) "
                   "and 3.5 MiB RSS, 160× a thread (300 of each).");
}

/* Race condition ----------------------------------------------------------- */

static void
test_race (void)
{
  double lost = 0;

  if (lab_machine_n_cpus () < 2)
    {
      g_test_skip ("one core: threads only take turns, updates are seldom lost");
      return;
    }

  /* Overlap depends on the scheduler: a few tries, three races each. */
  for (guint attempt = 0; attempt < 3 && !(lost > 0); attempt++)
    {
      g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_RACE);
      GPtrArray *points = lab_overhead_get_points (overhead);
      const LabOverheadPoint *expected = find_point (points, "none", "expected");

      g_assert_nonnull (expected);
      g_assert_cmpfloat (expected->parameter_value, ==, MAX (2, lab_machine_n_cpus ()));
      for (guint i = 0; i < points->len; i++)
        {
          const LabOverheadPoint *point = points->pdata[i];

          if (!g_str_equal (point->metric, "lost"))
            continue;
          if (g_str_equal (point->variant, "none"))
            lost = MAX (lost, point->value);
          else
            g_assert_cmpfloat (point->value, ==, 0);
        }
      g_assert_cmpfloat (lost, <=, expected->value);
    }
  g_assert_cmpfloat (lost, >, 0);
}

static void
test_race_reading (void)
{
  const LabOverheadExperiment *experiment = lab_overhead_experiment_get (LAB_OVERHEAD_RACE);
  g_autoptr(GPtrArray) points = new_points ();
  g_autofree char *reading = NULL;
  g_autoptr(GPtrArray) tables = NULL;

  add_point (points, "none", "expected", "threads", 2, 4000000, "updates");
  add_point (points, "none", "lost", "threads", 2, 1000000, "updates");
  add_point (points, "none", "per_increment", "threads", 2, 0.5, "ns");
  add_point (points, "mutex", "expected", "threads", 2, 4000000, "updates");
  add_point (points, "mutex", "lost", "threads", 2, 0, "updates");
  add_point (points, "mutex", "per_increment", "threads", 2, 30, "ns");
  add_point (points, "atomic", "expected", "threads", 2, 4000000, "updates");
  add_point (points, "atomic", "lost", "threads", 2, 0, "updates");
  add_point (points, "atomic", "per_increment", "threads", 2, 12, "ns");
  reading = experiment->reading (points, TRUE);
  g_assert_nonnull (strstr (reading, "2 threads lost 1000000 of 4000000 updates (25 %)"));
  g_assert_nonnull (strstr (reading, "none were lost"));
  g_assert_nonnull (strstr (reading, "0.5 ns unsynchronised, 30 ns with the mutex and 12 ns"));

  tables = experiment->tables (points);
  g_assert_cmpuint (tables->len, ==, 2);
  g_assert_cmpuint (((LabOverheadTable *) tables->pdata[0])->series->len, ==, 3);
}

/* Granularity -------------------------------------------------------------- */

static void
test_granularity_points (void)
{
  g_autoptr(LabOverhead) overhead = run_experiment (LAB_OVERHEAD_GRANULARITY);
  GPtrArray *points = lab_overhead_get_points (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  g_autofree char *reading = lab_overhead_dup_reading (overhead);
  const char *modes[] = { "sequential", "threads", "processes" };
  const double sizes[] = { 1, 10, 100, 1000, 10000, 100000 };
  LabOverheadTable *table;

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        g_assert_cmpuint (count_points (points, modes[m], "wall", sizes[s]), ==, 3);
        g_assert_cmpfloat (lab_overhead_points_median (points, modes[m], "wall", sizes[s]), >, 0);
      }
  /* A break-even is measured or absent, never made up. */
  g_assert_null (find_point (points, "sequential", "break_even"));
  for (guint m = 1; m < G_N_ELEMENTS (modes); m++)
    {
      const LabOverheadPoint *point = find_point (points, modes[m], "break_even");

      if (point == NULL)
        continue;
      g_assert_cmpstr (point->unit, ==, "numbers");
      g_assert_cmpfloat (point->parameter_value, ==, lab_machine_n_cpus ());
      g_assert_cmpfloat (point->value, >=, 1);
      g_assert_cmpfloat (point->value, <=, 100000);
    }

  g_assert_cmpuint (tables->len, ==, 1);
  table = tables->pdata[0];
  g_assert_true (table->log_x && table->log_y);
  g_assert_cmpuint (table->columns->len, ==, G_N_ELEMENTS (sizes));
  g_assert_cmpuint (table->series->len, ==, 3);
  g_assert_nonnull (reading);
}

/* Walls for the loop and @mode at each size: @ratios[i] times the loop's. */
static void
add_walls (GPtrArray    *points,
           const char   *mode,
           const double *ratios)
{
  const double sizes[] = { 1, 10, 100, 1000, 10000, 100000 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      if (count_points (points, "sequential", "wall", sizes[s]) == 0)
        add_point (points, "sequential", "wall", "task_size", sizes[s], 0.001, "s");
      add_point (points, mode, "wall", "task_size", sizes[s], 0.001 * ratios[s], "s");
    }
}

static void
test_granularity_break_even (void)
{
  const LabOverheadExperiment *experiment = lab_overhead_experiment_get (LAB_OVERHEAD_GRANULARITY);
  /* Processes: twice slower at 1,000, twice faster at 10,000, so even at
   * √(1,000 × 10,000) ≈ 3,162 on the log scale; slower again nowhere. */
  const double processes[] = { 50, 10, 4, 2, 0.5, 0.4 };
  /* Threads: never slower. */
  const double threads[] = { 0.9, 0.8, 0.7, 0.6, 0.5, 0.5 };
  g_autoptr(GPtrArray) points = new_points ();
  g_autoptr(GPtrArray) slow = new_points ();
  const double always_slower[] = { 9, 8, 7, 6, 5, 4 };
  g_autofree char *reading = NULL;
  g_autofree char *slow_reading = NULL;

  add_walls (points, "processes", processes);
  add_walls (points, "threads", threads);
  reading = experiment->reading (points, TRUE);
  g_assert_nonnull (strstr (reading, "Processes are slower than the loop until tasks hold about 3200 numbers."));
  g_assert_nonnull (strstr (reading, "Threads were not slower than the loop even with one number per task."));

  add_walls (slow, "processes", always_slower);
  slow_reading = experiment->reading (slow, FALSE);
  g_assert_nonnull (strstr (slow_reading, "Processes stay slower than the loop up to 100000 numbers per task."));
  g_assert_null (strstr (slow_reading, "Threads"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/overhead/startup/points", test_startup_points);
  g_test_add_func ("/overhead/startup/reading", test_startup_reading);
  g_test_add_func ("/overhead/memory/growth", test_memory_growth);
  g_test_add_func ("/overhead/memory/reading", test_memory_reading);
  g_test_add_func ("/overhead/race/lost-updates", test_race);
  g_test_add_func ("/overhead/race/reading", test_race_reading);
  g_test_add_func ("/overhead/granularity/points", test_granularity_points);
  g_test_add_func ("/overhead/granularity/break-even", test_granularity_break_even);

  return g_test_run ();
}
