/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-cells-chart.h"

G_BEGIN_DECLS

#define LAB_TYPE_STAGES_CHART (lab_stages_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabStagesChart, lab_stages_chart, LAB, STAGES_CHART, LabCellsChart)

GtkWidget *lab_stages_chart_new (void);

G_END_DECLS
