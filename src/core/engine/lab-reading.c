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
