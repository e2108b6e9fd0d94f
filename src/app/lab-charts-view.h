/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"
#include "lab-result-set.h"

G_BEGIN_DECLS

#define LAB_TYPE_CHARTS_VIEW (lab_charts_view_get_type ())

G_DECLARE_FINAL_TYPE (LabChartsView, lab_charts_view, LAB, CHARTS_VIEW, GtkWidget)

void        lab_charts_view_set_results     (LabChartsView *self,
                                             LabResultSet  *set);
void        lab_charts_view_follow_run      (LabChartsView *self,
                                             LabRun        *run);
void        lab_charts_view_set_running     (LabChartsView *self,
                                             gboolean       running);
void        lab_charts_view_set_live        (LabChartsView *self,
                                             gboolean       live);
LabChart   *lab_charts_view_find_chart      (LabChartsView *self,
                                             const char    *id);
GMenuModel *lab_charts_view_get_export_menu (LabChartsView *self);

G_END_DECLS
