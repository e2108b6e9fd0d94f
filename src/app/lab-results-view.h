/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_RESULTS_VIEW (lab_results_view_get_type ())

G_DECLARE_FINAL_TYPE (LabResultsView, lab_results_view, LAB, RESULTS_VIEW, GtkWidget)

void  lab_results_view_set_model   (LabResultsView *self,
                                    GListModel     *cells);
void  lab_results_view_set_caption (LabResultsView *self,
                                    const char     *caption,
                                    gboolean        other_settings);
void  lab_results_view_set_io      (LabResultsView *self,
                                    gboolean        io);
void  lab_results_view_set_sets    (LabResultsView *self,
                                    GListModel     *captions,
                                    guint           shown);
void  lab_results_view_set_clearable (LabResultsView *self,
                                      gboolean        clearable);

G_END_DECLS
