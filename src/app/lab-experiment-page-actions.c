/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-experiment-page-private.h"
#include "lab-results-export.h"

/* The page's export actions save the shown results (every run of the
 * set), their task spans, the latest run's trace, and the charts; not
 * while a run goes on (lab_experiment_page_update_actions()). */

static LabResultSet *
get_export (GtkWidget      *widget,
            LabChartsView **charts_view,
            const char    **file_prefix)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);

  *charts_view = self->charts_view;
  *file_prefix = self->file_prefix;
  return self->set;
}

void
lab_experiment_page_class_install_exports (GtkWidgetClass *widget_class)
{
  lab_results_export_install_actions (widget_class, get_export);
}
