/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lab-history.h"
#include "lab-page.h"

G_BEGIN_DECLS

#define LAB_TYPE_WINDOW (lab_window_get_type ())

G_DECLARE_FINAL_TYPE (LabWindow, lab_window, LAB, WINDOW, AdwApplicationWindow)

LabWindow *lab_window_new       (GtkApplication *application,
                                 const char     *server_url,
                                 LabHistory     *history,
                                 const char     *history_error);
LabPage   *lab_window_show_page (LabWindow      *self,
                                 const char     *name);

G_END_DECLS
