/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-width-watch.h"

/*
 * A table that shows as many columns as fit learns here the width it is
 * shown in, the page size of its scrolled window's horizontal adjustment:
 * each time that changes, its fit function runs, in an idle (changing
 * columns while the table is being allocated would resize it again).
 * The watch lasts until lab_width_watch_stop(), which the owner calls in
 * its dispose, or until the owner goes.
 */

#define WATCH_KEY "lab-width-watch"

typedef struct
{
  gpointer       owner;
  LabWidthFunc   fit;
  GtkAdjustment *adjustment;
  gulong         handler_id;
  int            width;
  guint          idle_id;
} WidthWatch;

static void
width_watch_free (gpointer data)
{
  WidthWatch *watch = data;

  g_clear_signal_handler (&watch->handler_id, watch->adjustment);
  g_clear_object (&watch->adjustment);
  g_clear_handle_id (&watch->idle_id, g_source_remove);
  g_free (watch);
}

static void
fit_idle (gpointer data)
{
  WidthWatch *watch = data;

  watch->idle_id = 0;
  watch->fit (watch->owner, watch->width);
}

static void
on_page_size_changed (GtkAdjustment *adjustment,
                      GParamSpec    *pspec,
                      gpointer       data)
{
  WidthWatch *watch = data;
  int width = (int) gtk_adjustment_get_page_size (adjustment);

  if (width == watch->width)
    return;
  watch->width = width;
  if (watch->idle_id == 0)
    watch->idle_id = g_idle_add_once (fit_idle, watch);
}

void
lab_width_watch_start (gpointer           owner,
                       GtkScrolledWindow *scrolled,
                       LabWidthFunc       fit)
{
  WidthWatch *watch;

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (GTK_IS_SCROLLED_WINDOW (scrolled));
  g_return_if_fail (fit != NULL);

  watch = g_new0 (WidthWatch, 1);
  watch->owner = owner;
  watch->fit = fit;
  watch->adjustment = g_object_ref (gtk_scrolled_window_get_hadjustment (scrolled));
  watch->handler_id = g_signal_connect (watch->adjustment, "notify::page-size",
                                        G_CALLBACK (on_page_size_changed), watch);
  g_object_set_data_full (G_OBJECT (owner), WATCH_KEY, watch, width_watch_free);
}

void
lab_width_watch_stop (gpointer owner)
{
  g_return_if_fail (G_IS_OBJECT (owner));

  g_object_set_data (G_OBJECT (owner), WATCH_KEY, NULL);
}
