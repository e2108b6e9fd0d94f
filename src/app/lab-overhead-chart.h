/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"
#include "lab-overhead.h"

G_BEGIN_DECLS

#define LAB_TYPE_OVERHEAD_CHART (lab_overhead_chart_get_type ())
G_DECLARE_FINAL_TYPE (LabOverheadChart, lab_overhead_chart, LAB, OVERHEAD_CHART, LabChart)

GtkWidget              *lab_overhead_chart_new       (void);
const LabOverheadTable *lab_overhead_chart_get_table (LabOverheadChart *self);
/* Takes @table (nullable: the chart goes empty). */
void                    lab_overhead_chart_set_table (LabOverheadChart *self,
                                                      LabOverheadTable *table);

G_END_DECLS
