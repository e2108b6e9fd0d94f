/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_PAGE (lab_page_get_type ())

G_DECLARE_INTERFACE (LabPage, lab_page, LAB, PAGE, GtkWidget)

/**
 * LabPageInterface:
 * @start: runs the page's experiment; does nothing while running or
 *   while blocked
 * @stop: stops it, keeping what was measured
 * @get_start_tooltip: what Start does on this page (optional: "Run the
 *   checked modes one after another" otherwise)
 *
 * A page of the window that runs experiments. The window starts and stops
 * the visible page from its header bar, and keeps to one run at a time
 * across pages by blocking the others, with the reason, while one runs.
 *
 * Properties every page implements:
 * - "running" (boolean, read-only, notified)
 * - "blocked-reason" (string, nullable): why the page cannot start now
 * - "server-url" (string, nullable): the embedded HTTP server's base URL
 */
struct _LabPageInterface
{
  GTypeInterface parent_iface;

  void (*start) (LabPage *self);
  void (*stop)  (LabPage *self);
  const char * (*get_start_tooltip) (LabPage *self);
};

void        lab_page_start              (LabPage    *self);
void        lab_page_stop               (LabPage    *self);
gboolean    lab_page_get_running        (LabPage    *self);
const char *lab_page_get_start_tooltip  (LabPage    *self);
char       *lab_page_dup_blocked_reason (LabPage    *self);
void        lab_page_set_blocked_reason (LabPage    *self,
                                         const char *reason);
void        lab_page_set_server_url     (LabPage    *self,
                                         const char *url);

G_END_DECLS
