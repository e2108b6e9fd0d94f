/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-bench.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"
#include "lab-run-builder.h"

/* The articles' Pool.map(square, range(N)): the same sum of squares over
 * N numbers cut into tasks of 1 to 100,000 numbers, run by the engine in
 * each mode, to find the task size below which a pool costs more than it
 * saves. */

#define REPEATS  3
/* N: the largest tasks (100,000 numbers) keep up to four workers busy,
 * twice over on two cores; one number per task stays within a few
 * seconds, and the run's spans (one per task) within about a hundred MB. */
#define NUMBERS  400000
/* Repeats more than this far apart (max − min over the median) near the
 * break-even make it rough. */
#define ROUGH_SPREAD  0.5

static const guint sizes[] = { 1, 10, 100, 1000, 10000, 100000 };

static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES };

/* Runs the sum of NUMBERS squares in tasks of @size numbers once in
 * @mode, through the engine, and returns its wall time (the engine starts
 * the threads or worker processes before it starts the clock). */
static gboolean
measure (LabOverheadContext  *ctx,
         LabMode              mode,
         guint                workers,
         guint                size,
         double              *wall_s,
         GError             **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  guint cell_workers = mode == LAB_MODE_SEQUENTIAL ? 1 : workers;

  if (!lab_run_builder_set_workload (builder, "cpu:sumsq", error))
    return FALSE;
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, NUMBERS);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, NUMBERS / size);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 0);
  lab_run_builder_set_worker_path (builder, lab_overhead_context_get_worker_path (ctx));
  lab_run_builder_set_modes (builder, &mode, 1);
  lab_run_builder_set_workers (builder, &cell_workers, 1);
  config = lab_run_builder_build (builder, error);
  if (config == NULL)
    return FALSE;
  /* One run per measurement: a run keeps every task's span, and one
   * number per task makes hundreds of thousands of them. */
  run = lab_bench_run (config, lab_overhead_context_get_cancellable (ctx), error);
  if (run == NULL)
    return FALSE;
  *wall_s = lab_cell_get_median_s (lab_run_find_cell (run, mode, cell_workers));
  return TRUE;
}

/* The task size at which @mode stops being slower than the sequential
 * loop: after the largest size at which it is slower, interpolated on
 * the log–log scale between that size and the next. The smallest size
 * when it is never slower; NAN when it is still slower at the largest
 * size measured, or nothing was. */
static double
break_even (GPtrArray *points,
            LabMode    mode)
{
  const char *name = lab_mode_to_string (mode);
  double last_slower = NAN, last_slower_log = NAN;
  double first = NAN, next = NAN, next_log = NAN;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      double loop = lab_overhead_points_median (points, "sequential", "wall", sizes[i]);
      double time = lab_overhead_points_median (points, name, "wall", sizes[i]);
      double log_ratio = log (time / loop);

      if (!isfinite (log_ratio))
        continue;
      if (isnan (first))
        first = sizes[i];
      if (log_ratio > 0)
        {
          last_slower = sizes[i];
          last_slower_log = log_ratio;
          next = NAN;
        }
      else if (isnan (next))
        {
          next = sizes[i];
          next_log = log_ratio;
        }
    }
  if (isnan (first))
    return NAN;
  if (isnan (last_slower))
    return first;
  if (isnan (next))
    return NAN;
  return exp (log (last_slower) +
              (log (next) - log (last_slower)) * last_slower_log / (last_slower_log - next_log));
}

/* Adds a point, and keeps a copy in @measured for the break-even. */
static void
add_point (LabOverheadContext *ctx,
           GPtrArray          *measured,
           const char         *variant,
           const char         *metric,
           const char         *parameter,
           double              parameter_value,
           double              value,
           const char         *unit,
           guint               repeat)
{
  lab_overhead_context_add_point (ctx, variant, metric, parameter, parameter_value, value, unit, repeat);
  g_ptr_array_add (measured, lab_overhead_point_new (LAB_OVERHEAD_GRANULARITY, variant, metric, parameter,
                                                     parameter_value, value, unit, repeat));
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  g_autoptr(GPtrArray) measured = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
  guint workers = lab_machine_n_cpus ();
  double total = 0, done = 0;

  /* Progress counts tasks, plus some for each run's own cost. */
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    total += REPEATS * G_N_ELEMENTS (modes) * (NUMBERS / sizes[s] + 1000.0);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < REPEATS; r++)
      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          double wall_s;

          if (!measure (ctx, modes[m], workers, sizes[s], &wall_s, error))
            return FALSE;
          add_point (ctx, measured, lab_mode_to_string (modes[m]), "wall", "task_size", sizes[s], wall_s, "s", r);
          done += NUMBERS / sizes[s] + 1000.0;
          lab_overhead_context_set_progress (ctx, done / total);
        }

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    if (modes[m] != LAB_MODE_SEQUENTIAL)
      {
        double size = break_even (measured, modes[m]);

        if (isfinite (size))
          add_point (ctx, measured, lab_mode_to_string (modes[m]), "break_even", "workers", workers,
                     size, "numbers", 0);
      }
  return TRUE;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  g_autoptr(GArray) task_sizes = lab_overhead_points_parameters (points, "wall");
  LabOverheadTable *table;

  if (task_sizes->len == 0)
    return tables;

  table = lab_overhead_table_new (LAB_OVERHEAD_CHART_LINES, _("Time against task size"),
                                  _("Numbers per task"), _("Wall time"), "s");
  table->log_x = TRUE;
  table->log_y = TRUE;
  for (guint i = 0; i < task_sizes->len; i++)
    {
      g_autofree char *label = lab_format_count (g_array_index (task_sizes, double, i));

      lab_overhead_table_add_column (table, label, g_array_index (task_sizes, double, i));
    }
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      LabOverheadSeries *series = NULL;

      for (guint i = 0; i < task_sizes->len; i++)
        {
          double value = lab_overhead_points_median (points, lab_mode_to_string (modes[m]), "wall",
                                                     g_array_index (task_sizes, double, i));

          if (!isfinite (value))
            continue;
          if (series == NULL)
            series = lab_overhead_table_add_series (table, lab_mode_title (modes[m]));
          lab_overhead_series_set (series, i, value);
        }
    }
  g_ptr_array_add (tables, table);
  return tables;
}

/* @value to two significant digits: "about 4,000", not "about 3,947". */
static guint64
round_roughly (double value)
{
  double scale = pow (10, MAX (floor (log10 (value)) - 1, 0));

  return (guint64) (round (value / scale) * scale);
}

/* The largest task size at which @mode and the loop were both measured,
 * or 0. */
static guint
largest_size (GPtrArray *points,
              LabMode    mode)
{
  for (guint i = G_N_ELEMENTS (sizes); i > 0; i--)
    if (isfinite (lab_overhead_points_median (points, "sequential", "wall", sizes[i - 1])) &&
        isfinite (lab_overhead_points_median (points, lab_mode_to_string (mode), "wall", sizes[i - 1])))
      return sizes[i - 1];
  return 0;
}

/* Where @mode breaks even with the loop, in a sentence; NULL when it was
 * not measured. */
static char *
break_even_sentence (GPtrArray *points,
                     LabMode    mode)
{
  gboolean threads = mode == LAB_MODE_THREADS;
  guint largest = largest_size (points, mode);
  double size = break_even (points, mode);
  g_autofree char *text = NULL;

  if (largest == 0)
    return NULL;
  if (size == sizes[0])
    return g_strdup (threads ? _("Threads were not slower than the loop even with one number per task.")
                             : _("Processes were not slower than the loop even with one number per task."));
  if (isfinite (size))
    {
      text = lab_format_count (round_roughly (size));
      /* TRANSLATORS: %s is a number of numbers */
      return g_strdup_printf (threads ? _("Threads are slower than the loop until tasks hold about %s numbers.")
                                      : _("Processes are slower than the loop until tasks hold about %s numbers."),
                              text);
    }
  text = lab_format_count (largest);
  /* TRANSLATORS: %s is a number of numbers */
  return g_strdup_printf (threads ? _("Threads stay slower than the loop up to %s numbers per task.")
                                  : _("Processes stay slower than the loop up to %s numbers per task."),
                          text);
}

/* What one number per task cost in each mode, or NULL. */
static char *
finest_sentence (GPtrArray *points)
{
  double loop = lab_overhead_points_median (points, "sequential", "wall", sizes[0]);
  double threads = lab_overhead_points_median (points, "threads", "wall", sizes[0]);
  double processes = lab_overhead_points_median (points, "processes", "wall", sizes[0]);
  g_autofree char *loop_text = lab_format_duration_scaled (loop, loop);
  g_autofree char *threads_text = lab_format_duration_scaled (threads, threads);
  g_autofree char *processes_text = lab_format_duration_scaled (processes, processes);

  if (!isfinite (loop) || !isfinite (threads) || !isfinite (processes))
    return NULL;
  /* TRANSLATORS: the %s are durations */
  return g_strdup_printf (_("With one number per task the loop took %s, threads %s and processes %s."),
                          loop_text, threads_text, processes_text);
}

/* Whether the break-even hinges on figures whose repetitions differ by
 * more than half: those of sizes where a mode is within a factor of two
 * of the loop, where such noise could turn the verdict. */
static gboolean
rough (GPtrArray *points)
{
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        const char *name = lab_mode_to_string (modes[m]);
        double ratio = lab_overhead_points_median (points, name, "wall", sizes[i]) /
                       lab_overhead_points_median (points, "sequential", "wall", sizes[i]);

        if (modes[m] != LAB_MODE_SEQUENTIAL && fabs (log (ratio)) < G_LN2 &&
            (lab_overhead_points_spread (points, name, "wall", sizes[i]) > ROUGH_SPREAD ||
             lab_overhead_points_spread (points, "sequential", "wall", sizes[i]) > ROUGH_SPREAD))
          return TRUE;
      }
  return FALSE;
}

/* Why processes never caught up, when they did not: the whole job is
 * smaller than what handing out tasks and collecting answers costs at
 * best. NULL otherwise. */
static char *
why_sentence (GPtrArray *points)
{
  guint largest = largest_size (points, LAB_MODE_PROCESSES);
  double loop = lab_overhead_points_median (points, "sequential", "wall", largest);
  double best = INFINITY;
  g_autofree char *number = NULL;
  g_autofree char *job = NULL;
  g_autofree char *best_text = NULL;

  if (largest == 0 || isfinite (break_even (points, LAB_MODE_PROCESSES)) || !isfinite (loop))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      double processes = lab_overhead_points_median (points, "processes", "wall", sizes[i]);

      if (isfinite (processes))
        best = MIN (best, processes);
    }
  if (!isfinite (best))
    return NULL;
  number = lab_format_number (loop * 1e9 / NUMBERS);
  job = lab_format_duration_scaled (loop, loop);
  best_text = lab_format_duration_scaled (best, best);
  /* TRANSLATORS: "A square costs 0.39 ns here: the whole sum takes 154 µs in the loop, less than processes
   * needed at best (251 µs) …" */
  return g_strdup_printf (_("A square costs %s ns here: the whole sum takes %s in the loop, less than processes "
                            "needed at best (%s) to hand out the tasks and collect the answers."),
                          number, job, best_text);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  g_autofree char *finest = finest_sentence (points);
  g_autofree char *threads = break_even_sentence (points, LAB_MODE_THREADS);
  g_autofree char *processes = break_even_sentence (points, LAB_MODE_PROCESSES);
  g_autofree char *why = why_sentence (points);
  g_autoptr(GStrvBuilder) sentences = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  if (finest == NULL && threads == NULL && processes == NULL)
    return NULL;

  if (lab_machine_n_cpus () < 2)
    g_strv_builder_add (sentences, _("With one core, threads and processes cannot run tasks in parallel: "
                                     "they can only add their cost."));
  else if (finest != NULL)
    g_strv_builder_add (sentences, finest);
  if (processes != NULL)
    g_strv_builder_add (sentences, processes);
  if (why != NULL)
    g_strv_builder_add (sentences, why);
  if (threads != NULL)
    g_strv_builder_add (sentences, threads);
  if (rough (points))
    g_strv_builder_add (sentences, _("Some repetitions differed by more than half: the break-even is rough."));
  parts = g_strv_builder_end (sentences);
  return g_strjoinv (" ", parts);
}

const LabOverheadExperiment lab_overhead_granularity_experiment = {
  .kind = LAB_OVERHEAD_GRANULARITY,
  .name = "granularity",
  .title = N_("Granularity"),
  .description = N_("Sums the squares of 400,000 numbers in tasks of 1 to 100,000 numbers, "
                    "sequentially and with as many threads or worker processes as cores, through the "
                    "engine, which starts the threads and processes before it starts the clock. The "
                    "break-even is the task size from which a mode is no longer slower than the loop."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
