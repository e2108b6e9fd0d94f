/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-cells-chart.h"

G_BEGIN_DECLS

#define LAB_TYPE_BAR_CHART (lab_bar_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabBarChart, lab_bar_chart, LAB, BAR_CHART, LabCellsChart)

GtkWidget  *lab_bar_chart_new       (void);
GListModel *lab_bar_chart_get_model (LabBarChart *self);
void        lab_bar_chart_set_model (LabBarChart *self,
                                     GListModel  *cells);

G_END_DECLS
