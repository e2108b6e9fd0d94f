/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Fits @owner's table to the @width it is shown in. */
typedef void (*LabWidthFunc) (gpointer owner,
                              int      width);

void lab_width_watch_start (gpointer           owner,
                            GtkScrolledWindow *scrolled,
                            LabWidthFunc       fit);
void lab_width_watch_stop  (gpointer           owner);

G_END_DECLS
