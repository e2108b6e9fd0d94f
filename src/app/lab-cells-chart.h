/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"

G_BEGIN_DECLS

#define LAB_TYPE_CELLS_CHART (lab_cells_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (LabCellsChart, lab_cells_chart, LAB, CELLS_CHART, LabChart)

/**
 * LabCellsChartClass:
 *
 * A chart of a #GListModel of #LabCell, the `model` property: it watches
 * the model and each of its cells, and tells the subclass when to
 * recompute.
 */
struct _LabCellsChartClass
{
  LabChartClass parent_class;

  /* Called at once when the model was set, and at most every
   * LAB_CHART_UPDATE_INTERVAL_MS when items were added or removed or
   * cells notified since. The chart is redrawn afterwards. */
  void (*cells_changed) (LabCellsChart *self);

  /*< private >*/
  gpointer padding[8];
};

GListModel *lab_cells_chart_get_model (LabCellsChart *self);
void        lab_cells_chart_set_model (LabCellsChart *self,
                                       GListModel    *model);

G_END_DECLS
