/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-format.h"
#include "lab-machine.h"
#include "lab-reading.h"
#include "lab-stats.h"

/* Medians closer than this ratio are "about the same". */
#define SAME_RATIO 1.01

/* The doubt about @cell's measurement, contention or instability, and how
 * bad it is (the background share, or the MAD ÷ median), to rank cells
 * by. */
static LabDoubt
cell_doubt (LabCell *cell,
            double  *severity)
{
  double background = lab_cell_get_background_cpu (cell);

  if (isfinite (background) && background > LAB_CONTENTION_THRESHOLD)
    {
      *severity = background;
      return LAB_DOUBT_CONTENTION;
    }
  if (lab_cell_get_unstable (cell))
    {
      *severity = lab_cell_get_mad_s (cell) / lab_cell_get_median_s (cell);
      return LAB_DOUBT_UNSTABLE;
    }
  *severity = 0;
  return LAB_DOUBT_NONE;
}

/* Whether the medians of @a and @b are no further apart than their
 * repetitions vary: the sum of their MADs. */
static gboolean
within_spread (LabCell *a,
               LabCell *b)
{
  return fabs (lab_cell_get_median_s (a) - lab_cell_get_median_s (b)) <=
         lab_cell_get_mad_s (a) + lab_cell_get_mad_s (b);
}

/**
 * lab_reading_comparison_doubt:
 * @cell: a cell whose statistics are up to date (lab_cell_update())
 * @severity: (out): how bad it is, to rank cells by: the failed tasks,
 *   the background share of the CPU, or the MAD ÷ median; 0 otherwise
 *
 * Whether @cell's median can be compared with another measurement's: not
 * when tasks failed (it did less work), nor when lab_reading_trust()
 * doubts it (another program busy, repetitions that disagree), nor with
 * one repetition, whose spread is unknown (a run interrupted early).
 *
 * Returns: the worst doubt about @cell, %LAB_DOUBT_NONE when there is none
 */
LabDoubt
lab_reading_comparison_doubt (LabCell *cell,
                              double  *severity)
{
  LabDoubt doubt;

  g_return_val_if_fail (LAB_IS_CELL (cell), LAB_DOUBT_NONE);
  g_return_val_if_fail (severity != NULL, LAB_DOUBT_NONE);

  if (lab_cell_get_failed_tasks (cell) > 0)
    {
      *severity = lab_cell_get_failed_tasks (cell);
      return LAB_DOUBT_FAILED;
    }
  doubt = cell_doubt (cell, severity);
  if (doubt == LAB_DOUBT_NONE && lab_cell_get_repetitions (cell)->len < 2)
    return LAB_DOUBT_ONE_REPETITION;
  return doubt;
}

/* The cell's median when it has one. */
static double
measured_median (LabCell *cell)
{
  double median;

  if (lab_cell_get_repetitions (cell)->len == 0)
    return NAN;
  median = lab_cell_get_median_s (cell);
  return isfinite (median) && median > 0 ? median : NAN;
}

/**
 * lab_reading_compare_cells:
 * @before: a cell of one measurement
 * @after: the same runtime, mode and workers measured another time
 * @doubt: (out) (optional): with %LAB_CHANGE_DOUBTFUL, the worst
 *   lab_reading_comparison_doubt() of the two; %LAB_DOUBT_NONE otherwise
 * @ratio: (out) (optional): @before's median ÷ @after's: above 1 when
 *   @after was faster; NAN when either has no median
 *
 * How @after did against @before, from their medians and spreads: a
 * change counts only when the medians differ by more than the two cells'
 * repetitions vary (the sum of their MADs) and by at least 1 %, and when
 * both cells can be trusted.
 *
 * Returns: the change
 */
LabChange
lab_reading_compare_cells (LabCell  *before,
                           LabCell  *after,
                           LabDoubt *doubt,
                           double   *ratio)
{
  double before_s, after_s, severity;
  LabDoubt before_doubt, after_doubt;

  g_return_val_if_fail (LAB_IS_CELL (before), LAB_CHANGE_UNKNOWN);
  g_return_val_if_fail (LAB_IS_CELL (after), LAB_CHANGE_UNKNOWN);

  if (doubt != NULL)
    *doubt = LAB_DOUBT_NONE;
  before_s = measured_median (before);
  after_s = measured_median (after);
  if (ratio != NULL)
    *ratio = before_s / after_s;
  if (!isfinite (before_s) || !isfinite (after_s))
    return LAB_CHANGE_UNKNOWN;

  before_doubt = lab_reading_comparison_doubt (before, &severity);
  after_doubt = lab_reading_comparison_doubt (after, &severity);
  if (before_doubt != LAB_DOUBT_NONE || after_doubt != LAB_DOUBT_NONE)
    {
      if (doubt != NULL)
        *doubt = MAX (before_doubt, after_doubt);
      return LAB_CHANGE_DOUBTFUL;
    }
  if (before_s / after_s < SAME_RATIO && before_s / after_s > 1.0 / SAME_RATIO)
    return LAB_CHANGE_SAME;
  if (within_spread (before, after))
    return LAB_CHANGE_WITHIN_SPREAD;
  return before_s > after_s ? LAB_CHANGE_FASTER : LAB_CHANGE_SLOWER;
}

/**
 * lab_reading_trust:
 * @cell: a cell whose statistics are up to date (lab_cell_update())
 *
 * Says whether the cell's figures can be trusted, and if not why and what
 * to do: another program used more than %LAB_CONTENTION_THRESHOLD of the
 * CPU while it was measured (this takes precedence), or its repetitions
 * varied by more than %LAB_UNSTABLE_THRESHOLD of their median.
 *
 * Returns: (transfer full) (nullable): one translated sentence, or %NULL
 *   when the figures can be trusted
 */
char *
lab_reading_trust (LabCell *cell)
{
  double severity;

  g_return_val_if_fail (LAB_IS_CELL (cell), NULL);

  switch (cell_doubt (cell, &severity))
    {
    case LAB_DOUBT_CONTENTION:
      /* Translators: the number is the share of the machine's CPU, "45 %". */
      return g_strdup_printf (_("Another program used %.0f %% of the CPU during this run: "
                                "the figures are not reliable. Close it and run again."),
                              100 * severity);
    case LAB_DOUBT_UNSTABLE:
      {
        g_autofree char *mad = lab_format_duration (lab_cell_get_mad_s (cell));
        g_autofree char *median = lab_format_duration (lab_cell_get_median_s (cell));

        /* Translators: the first two are durations ("106.0 ms"), then a share, "33 %". */
        return g_strdup_printf (_("The repetitions varied by ± %s around a median of %s (%.0f %%): "
                                  "the figures are not reliable. Run again with more repetitions "
                                  "on a quiet machine."),
                                mad, median, 100 * severity);
      }
    case LAB_DOUBT_NONE:
      return NULL;
    case LAB_DOUBT_ONE_REPETITION:
    case LAB_DOUBT_FAILED:
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * lab_reading_cells_trust:
 * @cells: a #GListModel of #LabCell
 *
 * The worst of lab_reading_trust() over @cells: contention before
 * instability, and the most of either.
 *
 * Returns: (transfer full) (nullable): one translated sentence, or %NULL
 *   when the figures of every cell can be trusted
 */
char *
lab_reading_cells_trust (GListModel *cells)
{
  g_autoptr(LabCell) worst = NULL;
  LabDoubt worst_doubt = LAB_DOUBT_NONE;
  double worst_severity = 0;

  g_return_val_if_fail (G_IS_LIST_MODEL (cells), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      double severity;
      LabDoubt doubt = cell_doubt (cell, &severity);

      if (doubt > worst_doubt || (doubt == worst_doubt && doubt != LAB_DOUBT_NONE && severity > worst_severity))
        {
          g_set_object (&worst, cell);
          worst_doubt = doubt;
          worst_severity = severity;
        }
    }
  return worst != NULL ? lab_reading_trust (worst) : NULL;
}

/**
 * lab_reading_run_trust:
 * @run: a run
 *
 * lab_reading_cells_trust() over the run's cells.
 *
 * Returns: (transfer full) (nullable): one translated sentence, or %NULL
 *   when the figures of every cell can be trusted
 */
char *
lab_reading_run_trust (LabRun *run)
{
  g_return_val_if_fail (LAB_IS_RUN (run), NULL);
  return lab_reading_cells_trust (lab_run_get_cells (run));
}

/* Whether files on a file system of type @fs live only in memory. */
static gboolean
is_memory_fs (const char *fs)
{
  return g_strcmp0 (fs, "tmpfs") == 0 || g_strcmp0 (fs, "ramfs") == 0;
}

/* Where the reads of io:files came from, from the share that was cached
 * (@lo to @hi over the cells) and the file system: two sentences. */
static void
add_cache_reading (GPtrArray         *sentences,
                   const LabWorkload *workload,
                   double             lo,
                   double             hi,
                   const char        *fs)
{
  g_autofree char *share = NULL;
  gboolean cold = workload->cache == LAB_FILES_CACHE_COLD;

  if (round (100 * lo) == round (100 * hi))
    share = g_strdup_printf ("%.0f %%", 100 * lo);
  else
    share = g_strdup_printf ("%.0f–%.0f %%", 100 * lo, 100 * hi);

  if (cold)
    /* Translators: %s is a share, "0 %" or "0–3 %" */
    g_ptr_array_add (sentences, g_strdup_printf (_("Cold cache: each file was dropped from the page cache "
                                                   "(POSIX_FADV_DONTNEED) before it was read back; %s of the "
                                                   "bytes were still in the page cache just before they were "
                                                   "read (mincore)."), share));
  else
    /* Translators: %s is a share, "100 %" or "97–100 %" */
    g_ptr_array_add (sentences, g_strdup_printf (_("Warm cache: %s of the bytes read back were in the page "
                                                   "cache just before they were read (mincore)."), share));

  if (fs == NULL)
    fs = _("unknown");
  if (is_memory_fs (fs))
    /* Translators: %s is a file system type, "tmpfs" */
    g_ptr_array_add (sentences, g_strdup_printf (_("The files were on %s, which keeps files only in memory: "
                                                   "every read came from memory, not from storage, whatever "
                                                   "the cache setting."), fs));
  else if (cold && hi > 0.5)
    g_ptr_array_add (sentences, g_strdup (_("The kernel kept most pages despite the request: those reads "
                                            "came from memory, not from storage.")));
  else if (cold)
    /* Translators: %s is a file system type, "ext4" */
    g_ptr_array_add (sentences, g_strdup_printf (_("The reads went to storage (file system %s), though a "
                                                   "disk’s or a virtual machine host’s own cache may have "
                                                   "answered them."), fs));
  else if (lo < 0.99)
    g_ptr_array_add (sentences, g_strdup (_("Some pages had left the page cache (memory was short): those "
                                            "reads went to storage.")));
  else
    /* Translators: %s is a file system type, "ext4" */
    g_ptr_array_add (sentences, g_strdup_printf (_("The reads came from memory, not from storage (file "
                                                   "system %s)."), fs));
}

/**
 * lab_reading_files:
 * @workload: the workload of @cells
 * @cells: a #GListModel of #LabCell
 *
 * What the figures of io:files rest on: whether each file was synced to
 * storage, and how much of what the tasks read back was in the page cache
 * before (a file system that lives in memory, such as tmpfs, has every
 * byte cached, cold or not).
 *
 * Returns: (transfer full) (nullable): translated sentences, or %NULL for
 *   another workload or when nothing was measured
 */
char *
lab_reading_files (const LabWorkload *workload,
                   GListModel        *cells)
{
  g_autoptr(GPtrArray) sentences = NULL;
  double lo = INFINITY, hi = -INFINITY;
  const char *fs = NULL;
  guint measured = 0;

  g_return_val_if_fail (workload != NULL, NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (cells), NULL);

  if (workload->kind != LAB_WORKLOAD_FILES)
    return NULL;

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      double cached = lab_cell_get_cached_fraction (cell);

      measured += lab_cell_get_repetitions (cell)->len;

      if (isfinite (cached))
        {
          lo = MIN (lo, cached);
          hi = MAX (hi, cached);
        }
      if (fs == NULL)
        fs = lab_cell_get_files_fs (cell);
    }
  if (measured == 0)
    return NULL;

  sentences = g_ptr_array_new_with_free_func (g_free);
  if (workload->fsync)
    g_ptr_array_add (sentences, g_strdup (_("Each file was synced to storage (fsync) after it was written, "
                                            "within the measured time.")));
  else if (workload->cache == LAB_FILES_CACHE_COLD)
    g_ptr_array_add (sentences, g_strdup (_("No fsync was asked for, but a cold cache needs each file "
                                            "written out first (fdatasync), within the measured time.")));
  else
    g_ptr_array_add (sentences, g_strdup (_("No file was synced (no fsync): what was written may have "
                                            "stayed in the page cache, as it does for a program that does "
                                            "not sync.")));
  if (isfinite (lo))
    add_cache_reading (sentences, workload, lo, hi, fs);
  else
    g_ptr_array_add (sentences, g_strdup (_("No file was read back: how much would have come from the page "
                                            "cache is unknown.")));
  g_ptr_array_add (sentences, NULL);
  return g_strjoinv (" ", (char **) sentences->pdata);
}

/* How many of a stage's spans ran at once on average over @cell's
 * repetitions: the stage's busy time ÷ the wall time. */
static double
stage_concurrency (LabCell  *cell,
                   LabStage  stage)
{
  return lab_cell_get_stage_busy_s (cell, stage) / lab_cell_get_median_s (cell);
}

/* How many cores' worth of computing the emulated GIL let through in
 * @cell: the time its lock was held ÷ the wall time, the median over the
 * repetitions; at most 1, as one thread holds it at a time. */
static double
gil_held_share (LabCell *cell)
{
  GPtrArray *reps = lab_cell_get_repetitions (cell);
  g_autofree double *shares = g_new (double, MAX (reps->len, 1));

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);
      gint64 held_us = 0;

      for (guint i = 0; i < rep->gil_intervals->len; i++)
        {
          const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);

          if (interval->state == LAB_GIL_HOLD)
            held_us += interval->end_us - interval->start_us;
        }
      shares[r] = held_us / (rep->wall_s * G_USEC_PER_SEC);
    }
  return lab_stats_median (shares, reps->len);
}

/* The pipeline's cell of each shape: the one with the most workers. */
static void
find_shapes (GListModel *cells,
             LabCell    *shapes[LAB_N_MODES])
{
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      LabMode mode = lab_cell_get_mode (cell);

      if (lab_cell_get_repetitions (cell)->len == 0 || !isfinite (lab_cell_get_median_s (cell)))
        continue;
      if (shapes[mode] == NULL || lab_cell_get_workers (cell) > lab_cell_get_workers (shapes[mode]))
        shapes[mode] = cell;
    }
}

/* Why @winner won, from the stages' figures. */
static char *
explain_winner (LabCell *winner,
                LabCell *shapes[LAB_N_MODES])
{
  LabCell *threads = shapes[LAB_MODE_THREADS], *gil = shapes[LAB_MODE_GIL];
  double analyses = stage_concurrency (winner, LAB_STAGE_ANALYSE);
  double downloads = stage_concurrency (winner, LAB_STAGE_DOWNLOAD);

  switch (lab_cell_get_mode (winner))
    {
    case LAB_MODE_HYBRID:
      if (threads == NULL)
        /* Translators: "1.6 analyses and 2.0 downloads" */
        return g_strdup_printf (_("Its download threads and analysis processes worked at the same time: "
                                  "on average %.1f analyses and %.1f downloads were under way at once."),
                                analyses, downloads);
      /* Translators: averages of how many ran at once, "1.6 … 2.0 … 0.9 … 1.1" */
      return g_strdup_printf (_("Its download threads and analysis processes worked at the same time: "
                                "on average %.1f analyses and %.1f downloads were under way at once, where "
                                "the threads, each downloading then analysing, had %.1f and %.1f."),
                              analyses, downloads, stage_concurrency (threads, LAB_STAGE_ANALYSE),
                              stage_concurrency (threads, LAB_STAGE_DOWNLOAD));
    case LAB_MODE_THREADS:
    case LAB_MODE_PROCESSES:
      if (analyses > 1.2)
        return g_strdup_printf (lab_cell_get_mode (winner) == LAB_MODE_THREADS
                                /* Translators: "1.8 cores" */
                                ? _("Native threads have no GIL: the analysis ran on %.1f cores at once "
                                    "while other threads waited for their downloads.")
                                : _("The worker processes analysed on %.1f cores at once while others "
                                    "waited for their downloads."),
                                analyses);
      return g_strdup_printf (_("On average %.1f downloads were under way at once: the shape won by "
                                "overlapping the waiting more than by computing in parallel."),
                              downloads);
    case LAB_MODE_GIL:
      /* Translators: "1.9 downloads" */
      return g_strdup_printf (_("The emulated GIL is released while waiting: its threads overlapped "
                                "%.1f downloads at once, and the analysis was short enough not to matter."),
                              downloads);
    case LAB_MODE_SEQUENTIAL:
      if (gil != NULL || threads != NULL)
        return g_strdup (_("No other shape beat doing one document after another: with so little "
                           "waiting and computing per document, their threads and processes cost more "
                           "than they gained."));
      return NULL;
    default:
      return NULL;
    }
}

/* What the emulated GIL did to the analysis, next to native threads: how
 * many cores native threads analysed on, against the share of the time
 * the lock was held (one thread computing at a time). */
static char *
explain_gil (LabCell *shapes[LAB_N_MODES])
{
  LabCell *threads = shapes[LAB_MODE_THREADS], *gil = shapes[LAB_MODE_GIL], *hybrid = shapes[LAB_MODE_HYBRID];
  double native, locked;

  if (threads == NULL || gil == NULL)
    return NULL;
  native = stage_concurrency (threads, LAB_STAGE_ANALYSE);
  locked = gil_held_share (gil);
  if (native < locked + 0.2)
    /* Translators: "1.2 cores … 0.9 cores" */
    return g_strdup_printf (_("The emulated GIL had little analysis to serialise here: native threads "
                              "analysed on only %.1f cores at once, hardly more than the %.1f that computed "
                              "behind the lock."),
                            native, locked);
  if (hybrid != NULL && lab_cell_get_median_s (hybrid) < lab_cell_get_median_s (gil))
    {
      g_autofree char *gil_wall = lab_format_duration (lab_cell_get_median_s (gil));
      g_autofree char *hybrid_wall = lab_format_duration (lab_cell_get_median_s (hybrid));

      /* Translators: "0.9 … 1.8 … 2.10 s … 1.20 s" */
      return g_strdup_printf (_("Behind the emulated GIL the analysis was serialised: one thread computed at "
                                "a time (%.1f cores’ worth), where native threads analysed on %.1f; the "
                                "hybrid, which analyses in processes, took %s where those threads took %s."),
                              locked, native, hybrid_wall, gil_wall);
    }
  return g_strdup_printf (_("Behind the emulated GIL the analysis was serialised: one thread computed at a "
                            "time (%.1f cores’ worth), where native threads analysed on %.1f."),
                          locked, native);
}

/**
 * lab_reading_pipeline:
 * @cells: a #GListModel of the #LabCell of a pipeline run
 *
 * Which shape of the pipeline was fastest and why, from the stages' busy
 * times (how many analyses and downloads were under way at once in each
 * shape) and the emulated GIL's holds. Says instead when it cannot tell:
 * failed documents, a winner within the spread of the next shape,
 * measurements disturbed by another program or unstable, or one CPU.
 *
 * Returns: (transfer full) (nullable): translated sentences, or %NULL
 *   without two measured shapes
 */
char *
lab_reading_pipeline (GListModel *cells)
{
  LabCell *shapes[LAB_N_MODES] = { NULL };
  LabCell *best = NULL, *next = NULL;
  g_autofree char *best_wall = NULL, *next_wall = NULL, *why = NULL, *gil = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  double severity;

  g_return_val_if_fail (G_IS_LIST_MODEL (cells), NULL);

  find_shapes (cells, shapes);
  for (guint m = 0; m < LAB_N_MODES; m++)
    {
      if (shapes[m] == NULL)
        continue;
      if (lab_cell_get_failed_tasks (shapes[m]) > 0)
        return g_strdup (_("Some documents failed: the shapes did not all do the same work, so their "
                           "times cannot be compared. See the errors, and run again."));
      if (best == NULL || lab_cell_get_median_s (shapes[m]) < lab_cell_get_median_s (best))
        {
          next = best;
          best = shapes[m];
        }
      else if (next == NULL || lab_cell_get_median_s (shapes[m]) < lab_cell_get_median_s (next))
        next = shapes[m];
    }
  if (next == NULL)
    return NULL;

  best_wall = lab_format_duration (lab_cell_get_median_s (best));
  next_wall = lab_format_duration (lab_cell_get_median_s (next));
  if (within_spread (best, next))
    /* Translators: "Hybrid (745.4 ms) … Processes (760.1 ms)" */
    return g_strdup_printf (_("The spread is too large to tell which shape won: %s (%s) and %s (%s) are "
                              "within each other’s variation. Run again with more repetitions on a quiet "
                              "machine."),
                            lab_cell_get_title (best), best_wall, lab_cell_get_title (next), next_wall);

  /* Translators: "Fastest: Hybrid, 745.4 ms; next Processes, 1.182 s." */
  g_string_printf (text, _("Fastest: %s, %s; next %s, %s."), lab_cell_get_title (best), best_wall,
                   lab_cell_get_title (next), next_wall);
  if (cell_doubt (best, &severity) != LAB_DOUBT_NONE || cell_doubt (next, &severity) != LAB_DOUBT_NONE)
    g_string_append_printf (text, " %s", _("The measurements were disturbed (by another program, or "
                                           "repetitions that disagree), so this reading gives no reason: "
                                           "run again on a quiet machine."));
  else if (lab_machine_n_cpus () < 2)
    g_string_append_printf (text, " %s", _("This machine has one CPU: no shape can analyse on several "
                                           "cores, only overlap the analysis with the waiting."));
  else if ((why = explain_winner (best, shapes)) != NULL)
    g_string_append_printf (text, " %s", why);
  if (cell_doubt (best, &severity) == LAB_DOUBT_NONE && cell_doubt (next, &severity) == LAB_DOUBT_NONE &&
      (gil = explain_gil (shapes)) != NULL)
    g_string_append_printf (text, " %s", gil);
  if (lab_cell_get_repetitions (best)->len < 2 || lab_cell_get_repetitions (next)->len < 2)
    g_string_append_printf (text, " %s", _("With one repetition each the spread is unknown: run with "
                                           "more repetitions to be sure."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}
