/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-history.h"

G_BEGIN_DECLS

#define LAB_TYPE_HISTORY_PAGE (lab_history_page_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryPage, lab_history_page, LAB, HISTORY_PAGE, GtkWidget)

void lab_history_page_set_history (LabHistoryPage *self,
                                   LabHistory     *history,
                                   const char     *unavailable_reason);

G_END_DECLS
