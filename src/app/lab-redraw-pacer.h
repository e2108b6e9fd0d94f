/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The shortest time between two paced updates: at most 10 a second. */
#define LAB_REDRAW_PACER_MIN_INTERVAL_MS 100
/* The longest: a slow renderer still sees its data once a second. */
#define LAB_REDRAW_PACER_MAX_INTERVAL_MS 1000
/* Frames may take at most 1/DUTY of the time between updates (2 %). */
#define LAB_REDRAW_PACER_DUTY 50

typedef void (*LabRedrawFunc) (gpointer object);

void   lab_redraw_pacer_request         (GtkWidget     *widget,
                                         LabRedrawFunc  func,
                                         gpointer       object);
void   lab_redraw_pacer_cancel          (gpointer       object);
guint  lab_redraw_pacer_get_interval_ms (void);
double lab_redraw_pacer_get_frame_ms    (void);

G_END_DECLS
