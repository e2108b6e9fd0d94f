/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-charts-view.h"
#include "lab-experiment-page.h"
#include "lab-form.h"
#include "lab-result-set.h"
#include "lab-results-view.h"
#include "lab-run-view.h"

G_BEGIN_DECLS

/*
 * The page is split in two files: lab-experiment-page.c runs experiments
 * and keeps the results; lab-experiment-page-actions.c holds the actions
 * that save them.
 */
struct _LabExperimentPage
{
  GtkWidget       parent_instance;

  LabForm        *form;
  char           *file_prefix;
  char           *idle_status;
  char           *server_url;
  char           *blocked_reason;

  /* The sets of results kept (LabResultSet, oldest first) and their
   * captions; the one shown; the current or last run */
  GPtrArray      *sets;
  GtkStringList  *set_captions;
  LabResultSet   *set;
  LabRun         *run;
  GCancellable   *cancellable;
  LabHistory     *history;       /* where its runs are kept, or NULL */
  gint64          cancel_requested_us;

  /* What the window costs during a run */
  LabStallMeter  *stall_meter;
  double          ui_cpu_start_s;

  /* Template children */
  AdwLeaflet     *leaflet;
  GtkWidget      *parameters_pane;
  GtkWidget      *separator;
  GtkWidget      *results_pane;
  GtkBox         *form_box;
  GtkWidget      *show_results_button;
  GtkWidget      *back_button;
  LabRunView     *run_view;
  LabResultsView *results_view;
  LabChartsView  *charts_view;
  GMenu          *export_menu;
  GMenu          *chart_export_section;
};

void lab_experiment_page_update_actions       (LabExperimentPage *self);
void lab_experiment_page_class_install_exports (GtkWidgetClass   *widget_class);

G_END_DECLS
