/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-format.h"
#include "lab-reading.h"

/* What is wrong with a cell's figures, worst first. */
typedef enum
{
  DOUBT_NONE,
  DOUBT_UNSTABLE,
  DOUBT_CONTENTION,
} Doubt;

/* The doubt about @cell and how bad it is (the background share, or the
 * MAD ÷ median), to rank cells by. */
static Doubt
cell_doubt (LabCell *cell,
            double  *severity)
{
  double background = lab_cell_get_background_cpu (cell);

  if (isfinite (background) && background > LAB_CONTENTION_THRESHOLD)
    {
      *severity = background;
      return DOUBT_CONTENTION;
    }
  if (lab_cell_get_unstable (cell))
    {
      *severity = lab_cell_get_mad_s (cell) / lab_cell_get_median_s (cell);
      return DOUBT_UNSTABLE;
    }
  *severity = 0;
  return DOUBT_NONE;
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
    case DOUBT_CONTENTION:
      /* Translators: the number is the share of the machine's CPU, "45 %". */
      return g_strdup_printf (_("Another program used %.0f %% of the CPU during this run: "
                                "the figures are not reliable. Close it and run again."),
                              100 * severity);
    case DOUBT_UNSTABLE:
      {
        g_autofree char *mad = lab_format_duration (lab_cell_get_mad_s (cell));
        g_autofree char *median = lab_format_duration (lab_cell_get_median_s (cell));

        /* Translators: the first two are durations ("106.0 ms"), then a share, "33 %". */
        return g_strdup_printf (_("The repetitions varied by ± %s around a median of %s (%.0f %%): "
                                  "the figures are not reliable. Run again with more repetitions "
                                  "on a quiet machine."),
                                mad, median, 100 * severity);
      }
    case DOUBT_NONE:
      return NULL;
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
  Doubt worst_doubt = DOUBT_NONE;
  double worst_severity = 0;

  g_return_val_if_fail (G_IS_LIST_MODEL (cells), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      double severity;
      Doubt doubt = cell_doubt (cell, &severity);

      if (doubt > worst_doubt || (doubt == worst_doubt && doubt != DOUBT_NONE && severity > worst_severity))
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
