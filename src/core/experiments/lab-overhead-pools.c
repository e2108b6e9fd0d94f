/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-format.h"
#include "lab-overhead-private.h"
#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-stats.h"

/*
 * Default pools: 40 downloads of /delay/200 from the embedded server with
 * 40 workers asked for, run by the engine in mode threads (a pool of
 * exactly 40 threads) and in mode gtask (GLib's shared pool, which decides
 * for itself). Each repetition gives its wall time, the most tasks that
 * ran at once, and the number running over time, from the tasks' spans.
 */

#define N_TASKS   40
#define DELAY_MS  200
#define REPEAT    3
/* The running-at-once chart's resolution. */
#define STEP_MS   20

static const LabMode variants[] = { LAB_MODE_THREADS, LAB_MODE_GTASK };

/* Measuring */

static void
on_tasks_done (LabRun             *run,
               GParamSpec         *pspec,
               LabOverheadContext *ctx)
{
  guint total = lab_run_get_tasks_total (run);

  if (total > 0)
    lab_overhead_context_set_progress (ctx, lab_run_get_tasks_done (run) / (double) total);
}

/* A repetition's points, as soon as it is over. */
static void
on_repetition_finished (LabRun             *run,
                        LabRepetition      *rep,
                        LabOverheadContext *ctx)
{
  const char *variant = lab_mode_to_string (rep->mode);
  g_autoptr(GArray) steps = lab_spans_running_steps (rep->spans);
  guint repeat = rep->repeat - 1;

  if (rep->warmup)
    return;
  lab_overhead_context_add_point (ctx, variant, "wall", "workers", rep->workers, rep->wall_s, "s", repeat);
  lab_overhead_context_add_point (ctx, variant, "max_running", "workers", rep->workers,
                                  lab_spans_max_running (rep->spans), "tasks", repeat);
  lab_overhead_context_add_point (ctx, variant, "failed", "workers", rep->workers, rep->failed_tasks,
                                  "tasks", repeat);
  for (guint i = 0; i < steps->len; i++)
    {
      const LabRunningStep *step = &g_array_index (steps, LabRunningStep, i);

      lab_overhead_context_add_point (ctx, variant, "running", "ms", step->time_us / 1000.0, step->running,
                                      "tasks", repeat);
    }
}

static LabRunConfig *
build_config (LabOverheadContext  *ctx,
              GError             **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  const char *server = lab_overhead_context_get_server_url (ctx, error);
  guint workers = N_TASKS;

  if (server == NULL || !lab_run_builder_set_workload (builder, "io:download", error))
    return NULL;
  lab_run_builder_set_server (builder, server);
  lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, DELAY_MS);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, N_TASKS);
  lab_run_builder_set_modes (builder, variants, G_N_ELEMENTS (variants));
  lab_run_builder_set_workers (builder, &workers, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, REPEAT);
  /* No warm-up: GLib's pool is measured as an application first meets it. */
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 0);
  return lab_run_builder_build (builder, error);
}

/* Runs the two cells through the engine, as lab_bench_run() does, with a
 * main context of our own for the run's signals. */
static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  g_autoptr(LabRunConfig) config = build_config (ctx, error);
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(LabRun) lab_run = NULL;
  gboolean ok;

  if (config == NULL)
    return FALSE;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  lab_run = lab_run_new (config);
  g_signal_connect (lab_run, "repetition-finished", G_CALLBACK (on_repetition_finished), ctx);
  g_signal_connect (lab_run, "notify::tasks-done", G_CALLBACK (on_tasks_done), ctx);
  ok = lab_run_execute (lab_run, lab_overhead_context_get_cancellable (ctx), error);
  g_main_context_pop_thread_default (context);
  return ok;
}

/* Tables */

/* The repeats that measured something for @variant. */
static GArray *
repeats_of (GPtrArray  *points,
            const char *variant,
            const char *metric)
{
  GArray *repeats = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];
      gboolean seen = FALSE;

      if (g_strcmp0 (point->variant, variant) != 0 || g_strcmp0 (point->metric, metric) != 0)
        continue;
      for (guint j = 0; j < repeats->len && !seen; j++)
        seen = g_array_index (repeats, guint, j) == point->repeat;
      if (!seen)
        g_array_append_val (repeats, point->repeat);
    }
  return repeats;
}

/* How many tasks of @variant's repeat @repeat were running @ms after the
 * start: the value of the last step at or before it. */
static double
running_at (GPtrArray  *points,
            const char *variant,
            guint       repeat,
            double      ms)
{
  double when = -INFINITY, value = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (point->repeat == repeat && g_strcmp0 (point->metric, "running") == 0 &&
          g_strcmp0 (point->variant, variant) == 0 && point->parameter_value <= ms &&
          point->parameter_value > when)
        {
          when = point->parameter_value;
          value = point->value;
        }
    }
  return value;
}

/* The last moment any repetition had a task running, in ms. */
static double
running_horizon_ms (GPtrArray *points)
{
  double horizon = -1;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_strcmp0 (point->metric, "running") == 0)
        horizon = MAX (horizon, point->parameter_value);
    }
  return horizon;
}

/* Tasks running at once over time, every STEP_MS: for each variant the
 * median over its repetitions of how many ran at that moment. */
static LabOverheadTable *
running_table (GPtrArray *points)
{
  double horizon = running_horizon_ms (points);
  LabOverheadTable *table;
  guint n_columns;

  if (horizon < 0)
    return NULL;
  table = lab_overhead_table_new (LAB_OVERHEAD_CHART_STEPS, _("Tasks running at once"),
                                  _("Time since the start (ms)"), _("Tasks running"), "tasks");
  /* Up to the first column at or after the last step, which shows none running. */
  n_columns = (guint) ceil (horizon / STEP_MS) + 1;
  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *label = g_strdup_printf ("%u", c * STEP_MS);

      lab_overhead_table_add_column (table, label, c * STEP_MS);
    }

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      const char *variant = lab_mode_to_string (variants[v]);
      g_autoptr(GArray) repeats = repeats_of (points, variant, "running");
      g_autofree double *values = g_new (double, MAX (repeats->len, 1));
      LabOverheadSeries *series;

      if (repeats->len == 0)
        continue;
      series = lab_overhead_table_add_series (table, lab_mode_title (variants[v]));
      for (guint c = 0; c < n_columns; c++)
        {
          for (guint r = 0; r < repeats->len; r++)
            values[r] = running_at (points, variant, g_array_index (repeats, guint, r), c * STEP_MS);
          lab_overhead_series_set (series, c, lab_stats_median (values, repeats->len));
        }
    }
  return table;
}

/* The wall time of each variant: one group, a bar per variant. */
static LabOverheadTable *
wall_table (GPtrArray *points)
{
  g_autofree char *delay = lab_format_duration_scaled (DELAY_MS / 1000.0, DELAY_MS / 1000.0);
  /* TRANSLATORS: the tasks and how long each waits, "40 × 200 ms" */
  g_autofree char *column = g_strdup_printf (_("%u × %s"), N_TASKS, delay);
  LabOverheadTable *table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, _("Wall time"), _("Downloads"),
                                                    _("Wall time (s)"), "s");
  gboolean any = FALSE;

  lab_overhead_table_add_column (table, column, 0);
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      double wall = lab_overhead_points_median (points, lab_mode_to_string (variants[v]), "wall", N_TASKS);

      if (isnan (wall))
        continue;
      lab_overhead_series_set (lab_overhead_table_add_series (table, lab_mode_title (variants[v])), 0, wall);
      any = TRUE;
    }
  if (!any)
    g_clear_pointer (&table, lab_overhead_table_free);
  return table;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  LabOverheadTable *running = running_table (points);
  LabOverheadTable *wall = wall_table (points);

  if (running != NULL)
    g_ptr_array_add (tables, running);
  if (wall != NULL)
    g_ptr_array_add (tables, wall);
  return tables;
}

/* Reading */

/* What the repetitions of one variant measured. */
typedef struct
{
  guint  n;              /* repetitions with a wall time */
  double wall_s;         /* their median */
  double spread;         /* MAD ÷ median of the wall times */
  guint  max_running;    /* the most at once in any repetition */
  guint  first_running;  /* the median of the most at once in each first half task */
  guint  failed;         /* failed tasks, over the repetitions */
} Figures;

static Figures
figures_of (GPtrArray *points,
            LabMode    mode)
{
  const char *variant = lab_mode_to_string (mode);
  g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) firsts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) repeats = repeats_of (points, variant, "running");
  Figures f = { 0 };

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_strcmp0 (point->variant, variant) != 0)
        continue;
      if (g_strcmp0 (point->metric, "wall") == 0)
        g_array_append_val (walls, point->value);
      else if (g_strcmp0 (point->metric, "max_running") == 0)
        f.max_running = MAX (f.max_running, (guint) point->value);
      else if (g_strcmp0 (point->metric, "failed") == 0)
        f.failed += (guint) point->value;
    }

  /* At first: while the first tasks are not half done, before any pool
   * could have had a reason to grow. */
  for (guint r = 0; r < repeats->len; r++)
    {
      double most = 0;

      for (guint i = 0; i < points->len; i++)
        {
          const LabOverheadPoint *point = points->pdata[i];

          if (point->repeat == g_array_index (repeats, guint, r) && g_strcmp0 (point->variant, variant) == 0 &&
              g_strcmp0 (point->metric, "running") == 0 && point->parameter_value < DELAY_MS / 2.0)
            most = MAX (most, point->value);
        }
      g_array_append_val (firsts, most);
    }

  f.n = walls->len;
  f.wall_s = lab_stats_median ((double *) walls->data, walls->len);
  f.spread = lab_stats_mad ((double *) walls->data, walls->len) / f.wall_s;
  f.first_running = firsts->len > 0 ? (guint) lab_stats_median ((double *) firsts->data, firsts->len) : 0;
  return f;
}

/* "GLib's default pool ran at most 11 of the 40 requested tasks at once, so 40 × 200 ms took 0.81 s" */
static char *
describe_gtask (const Figures *gtask,
                const char    *delay)
{
  g_autofree char *wall = lab_format_duration_scaled (gtask->wall_s, 1);

  if (gtask->max_running >= N_TASKS)
    /* TRANSLATORS: "GLib's default pool ran all 40 tasks at once: 40 × 200 ms took 0.21 s" */
    return g_strdup_printf (_("GLib’s default pool ran all %u tasks at once: %u × %s took %s"),
                            N_TASKS, N_TASKS, delay, wall);
  if (gtask->first_running < gtask->max_running)
    /* TRANSLATORS: "GLib's default pool ran 10 of the 40 requested tasks at once at first and at
     * most 11 later, so 40 × 200 ms took 0.81 s" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "GLib’s default pool ran %u of the %u requested tasks at once at first "
                                         "and at most %u later, so %u × %s took %s",
                                         "GLib’s default pool ran %u of the %u requested tasks at once at first "
                                         "and at most %u later, so %u × %s took %s", gtask->first_running),
                            gtask->first_running, N_TASKS, gtask->max_running, N_TASKS, delay, wall);
  /* TRANSLATORS: "GLib's default pool ran at most 10 of the 40 requested tasks at once, so 40 × 200 ms
   * took 0.82 s" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "GLib’s default pool ran at most %u of the %u requested tasks at once, "
                                       "so %u × %s took %s",
                                       "GLib’s default pool ran at most %u of the %u requested tasks at once, "
                                       "so %u × %s took %s", gtask->max_running),
                          gtask->max_running, N_TASKS, N_TASKS, delay, wall);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  Figures threads = figures_of (points, LAB_MODE_THREADS);
  Figures gtask = figures_of (points, LAB_MODE_GTASK);
  g_autofree char *delay = lab_format_duration_scaled (DELAY_MS / 1000.0, DELAY_MS / 1000.0);
  g_autofree char *threads_wall = lab_format_duration_scaled (threads.wall_s, 1);
  g_autofree char *pool = NULL;

  if (threads.n == 0 && gtask.n == 0)
    return NULL;
  if (threads.failed + gtask.failed > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u download failed, so these figures do not show what the pools allow.",
                                         "%u downloads failed, so these figures do not show what the pools allow.",
                                         threads.failed + gtask.failed),
                            threads.failed + gtask.failed);
  if ((threads.n > 1 && threads.spread > LAB_UNSTABLE_THRESHOLD) ||
      (gtask.n > 1 && gtask.spread > LAB_UNSTABLE_THRESHOLD))
    return g_strdup (_("The wall times varied too much from one repetition to the next to say what the pools "
                       "allow. Run it again on a quiet machine."));

  if (gtask.n == 0)
    /* TRANSLATORS: "A pool of exactly 40 threads ran 40 tasks at once: 40 × 200 ms took 0.2 s." */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "A pool of exactly %u threads ran %u task at once: %u × %s took %s.",
                                         "A pool of exactly %u threads ran %u tasks at once: %u × %s took %s.",
                                         threads.max_running),
                            N_TASKS, threads.max_running, N_TASKS, delay, threads_wall);
  pool = describe_gtask (&gtask, delay);
  if (threads.n == 0)
    /* TRANSLATORS: %s is what GLib's pool did, "GLib's default pool ran at most 10 … took 0.82 s" */
    return g_strdup_printf (_("%s."), pool);
  /* TRANSLATORS: %s is what GLib's pool did, then the number of threads and their time:
   * "GLib's default pool ran at most 10 … took 0.82 s; a pool of exactly 40 threads took 0.21 s." */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; a pool of exactly %u thread took %s.",
                                       "%s; a pool of exactly %u threads took %s.", N_TASKS),
                          pool, N_TASKS, threads_wall);
}

const LabOverheadExperiment lab_overhead_pools_experiment = {
  .kind = LAB_OVERHEAD_POOLS,
  .name = "pools",
  .title = N_("Default pools"),
  .description = N_("Forty downloads that each wait 200 ms, with 40 workers asked for: a pool of exactly 40 "
                    "threads against GTask on GLib’s shared pool, which decides for itself how many run at "
                    "once. The chart shows how many ran at each moment."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
