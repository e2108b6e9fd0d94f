/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"
#include "lab-worker-pool.h"

/*
 * CPU affinity: a CPU kernel in processes mode, W = the cores this process
 * may use, with each worker pinned to a core of its own (the worker's
 * --cpu: slot i on the i-th allowed CPU) and unpinned, in alternating
 * order. Wall time, and the workers' context switches from their own
 * getrusage() (voluntary: they waited; involuntary: they were preempted).
 */

#define REPEATS       5
#define KERNEL_SPEC   "cpu:matmul"
#define KERNEL_SIZE   1280  /* n: a 6.25 MiB matrix per task, 2.1 G multiply-adds in all */
#define TASKS_PER_WORKER 4

typedef struct
{
  LabOverheadContext *ctx;
  GCancellable       *cancellable;
  const char         *worker_path;
  guint               workers;
  LabWorkload        *workload;
  guint               runs_done;
  guint               runs;
  guint               tasks_done;
  guint               failed;
} Affinity;

static void
on_span (const LabSpan *span,
         gpointer       user_data)
{
  Affinity *self = user_data;

  self->tasks_done++;
  if (span->status != LAB_TASK_OK)
    self->failed++;
  lab_overhead_context_set_progress (self->ctx, (self->runs_done + (double) self->tasks_done / self->workload->tasks) /
                                                self->runs);
}

/* One run of the kernel on a fresh pool of warm workers; @repeat < 0 for
 * the warm-up, which adds no point. */
static gboolean
measure (Affinity  *self,
         gboolean   pinned,
         int        repeat,
         GError   **error)
{
  const char *variant = pinned ? "pinned" : "unpinned";
  g_autoptr(LabWorkerPool) pool = NULL;
  LabPoolUsage usage;
  gint64 start, wall_us;

  pool = pinned ? lab_worker_pool_new_pinned (self->worker_path, self->workers, error)
                : lab_worker_pool_new (self->worker_path, self->workers, 0, 0, error);
  if (pool == NULL)
    return FALSE;

  self->tasks_done = 0;
  self->failed = 0;
  start = g_get_monotonic_time ();
  if (!lab_worker_pool_run (pool, self->workload, 0, start, on_span, self, self->cancellable, error))
    return FALSE;
  wall_us = g_get_monotonic_time () - start;
  lab_worker_pool_take_usage_full (pool, &usage);
  self->runs_done++;

  if (self->failed > 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK,
                   ngettext ("%u task of the kernel failed", "%u tasks of the kernel failed", self->failed),
                   self->failed);
      return FALSE;
    }
  if (repeat < 0)
    return TRUE;

  lab_overhead_context_add_point (self->ctx, variant, "time", "workers", self->workers,
                                  (double) wall_us / G_USEC_PER_SEC, "s", repeat);
  lab_overhead_context_add_point (self->ctx, variant, "voluntary_switches", "workers", self->workers,
                                  usage.voluntary_switches, "switches", repeat);
  lab_overhead_context_add_point (self->ctx, variant, "involuntary_switches", "workers", self->workers,
                                  usage.involuntary_switches, "switches", repeat);
  return TRUE;
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  g_autoptr(LabWorkload) workload = lab_workload_new_from_spec (KERNEL_SPEC, error);
  Affinity self = {
    .ctx = ctx,
    .cancellable = lab_overhead_context_get_cancellable (ctx),
    .worker_path = lab_overhead_context_get_worker_path (ctx),
    .workers = MIN (lab_machine_n_cpus (), LAB_MAX_WORKERS),
    .runs = 1 + 2 * REPEATS,
  };

  if (workload == NULL)
    return FALSE;
  workload->size = KERNEL_SIZE;
  workload->tasks = TASKS_PER_WORKER * self.workers;
  self.workload = workload;

  /* A first run that counts for nothing: the first one pays for the
   * kernel's pages and the CPU's clock ramping up. */
  if (!measure (&self, FALSE, -1, error))
    return FALSE;
  /* Alternating which goes first: a drift in the machine's speed then
   * weighs on both alike. */
  for (int repeat = 0; repeat < REPEATS; repeat++)
    {
      gboolean pinned_first = repeat % 2 == 0;

      if (!measure (&self, pinned_first, repeat, error) || !measure (&self, !pinned_first, repeat, error))
        return FALSE;
    }
  return TRUE;
}

static const char *
variant_title (const char *variant)
{
  return g_str_equal (variant, "pinned") ? _("Pinned") : _("Unpinned");
}

static GPtrArray *
tables (GPtrArray *points)
{
  static const char *variants[] = { "pinned", "unpinned" };
  static const char *switches[] = { "voluntary_switches", "involuntary_switches" };
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  g_autoptr(GArray) workers = lab_overhead_points_parameters (points, "time");
  LabOverheadTable *time_table, *switch_table;

  time_table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, _("Wall time of the CPU kernel"),
                                       _("Workers"), _("Wall time (s)"), "s");
  for (guint i = 0; i < workers->len; i++)
    {
      double w = g_array_index (workers, double, i);
      /* TRANSLATORS: %u is a number of worker processes */
      g_autofree char *label = g_strdup_printf (ngettext ("%u worker", "%u workers", (gulong) w), (guint) w);

      lab_overhead_table_add_column (time_table, label, w);
    }
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      LabOverheadSeries *series = lab_overhead_table_add_series (time_table, variant_title (variants[v]));

      for (guint i = 0; i < workers->len; i++)
        lab_overhead_series_set (series, i, lab_overhead_points_median (points, variants[v], "time",
                                                                        g_array_index (workers, double, i)));
    }
  g_ptr_array_add (result, time_table);

  switch_table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, _("Context switches of the workers"),
                                         _("Kind"), _("Context switches"), "switches");
  lab_overhead_table_add_column (switch_table, _("Voluntary (waited)"), 0);
  lab_overhead_table_add_column (switch_table, _("Involuntary (preempted)"), 1);
  for (guint v = 0; v < G_N_ELEMENTS (variants) && workers->len > 0; v++)
    {
      LabOverheadSeries *series = lab_overhead_table_add_series (switch_table, variant_title (variants[v]));
      double w = g_array_index (workers, double, 0);

      for (guint k = 0; k < G_N_ELEMENTS (switches); k++)
        lab_overhead_series_set (series, k, lab_overhead_points_median (points, variants[v], switches[k], w));
    }
  g_ptr_array_add (result, switch_table);
  return result;
}

/* How many repeats of @variant's time there are. */
static guint
count_repeats (GPtrArray  *points,
               const char *variant)
{
  guint n = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      n += g_str_equal (point->variant, variant) && g_str_equal (point->metric, "time");
    }
  return n;
}

/* Faster, slower, or no measurable difference: a difference counts only
 * when it is larger than the spread of either variant's repeats. */
static char *
time_sentence (GPtrArray *points,
               double     workers)
{
  double pinned = lab_overhead_points_median (points, "pinned", "time", workers);
  double unpinned = lab_overhead_points_median (points, "unpinned", "time", workers);
  double pinned_min, pinned_max, unpinned_min, unpinned_max, spread;
  g_autofree char *pinned_text = lab_format_duration (pinned);
  g_autofree char *unpinned_text = lab_format_duration (unpinned);
  g_autofree char *percent = NULL;

  if (!isfinite (pinned) || !isfinite (unpinned))
    return NULL;
  if (workers < 2)
    /* TRANSLATORS: two durations ("1.250 s") */
    return g_strdup_printf (_("With one core, pinning cannot separate the workers: %s pinned, %s unpinned."),
                            pinned_text, unpinned_text);
  if (count_repeats (points, "pinned") < 2 || count_repeats (points, "unpinned") < 2)
    /* TRANSLATORS: two durations ("1.250 s") */
    return g_strdup_printf (_("So far %s pinned and %s unpinned: too few repeats to tell a difference."),
                            pinned_text, unpinned_text);

  lab_overhead_points_range (points, "pinned", "time", workers, &pinned_min, &pinned_max);
  lab_overhead_points_range (points, "unpinned", "time", workers, &unpinned_min, &unpinned_max);
  spread = MAX (pinned_max - pinned_min, unpinned_max - unpinned_min);
  percent = lab_format_number (100 * fabs (unpinned - pinned) / unpinned);
  if (fabs (unpinned - pinned) <= spread)
    /* TRANSLATORS: two durations ("1.250 s"), then a percentage */
    return g_strdup_printf (_("Pinning made no measurable difference on this machine: %s pinned, %s unpinned, "
                              "a gap of %s %% within the spread of the repeats."),
                            pinned_text, unpinned_text, percent);
  if (pinned < unpinned)
    /* TRANSLATORS: a percentage, then two durations ("1.250 s") */
    return g_strdup_printf (_("Pinning each worker to a core of its own made the kernel %s %% faster: %s instead of %s unpinned."),
                            percent, pinned_text, unpinned_text);
  /* TRANSLATORS: a percentage, then two durations ("1.250 s") */
  return g_strdup_printf (_("Pinning each worker to a core of its own made the kernel %s %% slower: %s instead of %s unpinned."),
                          percent, pinned_text, unpinned_text);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  g_autoptr(GArray) workers = lab_overhead_points_parameters (points, "time");
  g_autofree char *verdict = NULL;
  double w, pinned, unpinned;
  g_autofree char *pinned_text = NULL, *unpinned_text = NULL;

  if (workers->len == 0)
    return NULL;
  w = g_array_index (workers, double, 0);
  verdict = time_sentence (points, w);
  if (verdict == NULL)
    return NULL;
  pinned = lab_overhead_points_median (points, "pinned", "involuntary_switches", w);
  unpinned = lab_overhead_points_median (points, "unpinned", "involuntary_switches", w);
  if (!isfinite (pinned) || !isfinite (unpinned))
    return g_steal_pointer (&verdict);
  pinned_text = lab_format_count ((guint64) pinned);
  unpinned_text = lab_format_count ((guint64) unpinned);
  /* TRANSLATORS: the first %s is a sentence, then two counts */
  return g_strdup_printf (_("%s The workers were preempted %s times pinned and %s times unpinned."),
                          verdict, pinned_text, unpinned_text);
}

const LabOverheadExperiment lab_overhead_affinity_experiment = {
  .kind = LAB_OVERHEAD_AFFINITY,
  .name = "affinity",
  .title = N_("CPU affinity"),
  .description = N_("A matrix product in a pool of worker processes, one per core, with each worker pinned to a "
                    "core of its own and unpinned, in alternating order: the wall time, and how often the "
                    "workers waited or were preempted (context switches from getrusage)."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
