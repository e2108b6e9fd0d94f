/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-result-set.h"

G_BEGIN_DECLS

#define LAB_TYPE_COMPARISON_VIEW (lab_comparison_view_get_type ())

G_DECLARE_FINAL_TYPE (LabComparisonView, lab_comparison_view, LAB, COMPARISON_VIEW, GtkWidget)

void lab_comparison_view_set_results (LabComparisonView *self,
                                      LabResultSet      *older,
                                      const char        *older_name,
                                      const char        *older_caption,
                                      LabResultSet      *newer,
                                      const char        *newer_name,
                                      const char        *newer_caption);

G_END_DECLS
