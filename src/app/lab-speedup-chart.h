/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-cells-chart.h"

G_BEGIN_DECLS

#define LAB_TYPE_SPEEDUP_CHART (lab_speedup_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabSpeedupChart, lab_speedup_chart, LAB, SPEEDUP_CHART, LabCellsChart)

GtkWidget  *lab_speedup_chart_new       (void);
GListModel *lab_speedup_chart_get_model (LabSpeedupChart *self);
void        lab_speedup_chart_set_model (LabSpeedupChart *self,
                                         GListModel      *cells);
guint       lab_speedup_chart_get_n_cpus (LabSpeedupChart *self);
void        lab_speedup_chart_set_n_cpus (LabSpeedupChart *self,
                                          guint            n_cpus);

G_END_DECLS
