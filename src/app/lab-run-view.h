/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN_VIEW (lab_run_view_get_type ())

G_DECLARE_FINAL_TYPE (LabRunView, lab_run_view, LAB, RUN_VIEW, GtkWidget)

void  lab_run_view_set_status      (LabRunView   *self,
                                    const char   *status);
void  lab_run_view_start           (LabRunView   *self,
                                    LabRun       *run);
void  lab_run_view_finish          (LabRunView   *self,
                                    const GError *error,
                                    double        stop_ms);
void  lab_run_view_show_recorded   (LabRunView   *self,
                                    const char   *status,
                                    guint         repetitions_done,
                                    guint         repetitions_total);
void  lab_run_view_set_reading     (LabRunView   *self,
                                    const char   *warning,
                                    const char   *explanation,
                                    const char   *errors);
void  lab_run_view_set_window_text (LabRunView   *self,
                                    const char   *text);
void  lab_run_view_set_export_menu (LabRunView   *self,
                                    GMenuModel   *menu);

G_END_DECLS
