/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-page.h"

G_DEFINE_INTERFACE (LabPage, lab_page, GTK_TYPE_WIDGET)

static void
lab_page_default_init (LabPageInterface *iface)
{
  g_object_interface_install_property (iface,
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_string ("blocked-reason", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

void
lab_page_start (LabPage *self)
{
  g_return_if_fail (LAB_IS_PAGE (self));
  LAB_PAGE_GET_IFACE (self)->start (self);
}

void
lab_page_stop (LabPage *self)
{
  g_return_if_fail (LAB_IS_PAGE (self));
  LAB_PAGE_GET_IFACE (self)->stop (self);
}

/* Translated; includes the shortcut. */
const char *
lab_page_get_start_tooltip (LabPage *self)
{
  LabPageInterface *iface;

  g_return_val_if_fail (LAB_IS_PAGE (self), NULL);
  iface = LAB_PAGE_GET_IFACE (self);
  if (iface->get_start_tooltip != NULL)
    return iface->get_start_tooltip (self);
  return _("Run the checked modes one after another (Ctrl+Enter)");
}

gboolean
lab_page_get_running (LabPage *self)
{
  gboolean running = FALSE;

  g_return_val_if_fail (LAB_IS_PAGE (self), FALSE);
  g_object_get (self, "running", &running, NULL);
  return running;
}

/**
 * lab_page_dup_blocked_reason:
 *
 * Returns: (transfer full) (nullable): why the page cannot start now
 */
char *
lab_page_dup_blocked_reason (LabPage *self)
{
  char *reason = NULL;

  g_return_val_if_fail (LAB_IS_PAGE (self), NULL);
  g_object_get (self, "blocked-reason", &reason, NULL);
  return reason;
}

void
lab_page_set_blocked_reason (LabPage    *self,
                             const char *reason)
{
  g_return_if_fail (LAB_IS_PAGE (self));
  g_object_set (self, "blocked-reason", reason, NULL);
}

void
lab_page_set_server_url (LabPage    *self,
                         const char *url)
{
  g_return_if_fail (LAB_IS_PAGE (self));
  g_object_set (self, "server-url", url, NULL);
}
