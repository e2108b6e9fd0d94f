/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-charts-view.h"
#include "lab-result-set.h"

G_BEGIN_DECLS

/**
 * LabResultsExportFunc:
 * @widget: the widget whose export action was activated
 * @charts_view: (out): where the charts of the results are drawn
 * @file_prefix: (out): what the proposed file names begin with
 *
 * What a widget shows that its export actions save.
 *
 * Returns: (transfer none) (nullable): the results shown, %NULL when
 *   there are none
 */
typedef LabResultSet *(*LabResultsExportFunc) (GtkWidget      *widget,
                                               LabChartsView **charts_view,
                                               const char    **file_prefix);

void lab_results_export_install_actions (GtkWidgetClass       *widget_class,
                                         LabResultsExportFunc  func);

G_END_DECLS
