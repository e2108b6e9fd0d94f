/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Writes the file at @path; FALSE with @error set when it cannot. */
typedef gboolean (*LabSaveFunc) (const char  *path,
                                 gpointer     user_data,
                                 GError     **error);

/* Asks where to save (GtkFileChooserNative: the portal in Flatpak),
 * proposing @name, then calls @save with the chosen path and says in a
 * toast what happened: "Saved …", or the error and what to do. @destroy
 * frees @user_data once the dialog is closed. */
void lab_save_dialog_show (GtkWidget      *widget,
                           const char     *title,
                           const char     *name,
                           LabSaveFunc     save,
                           gpointer        user_data,
                           GDestroyNotify  destroy);

/* Shows @text as a toast in @widget's window, or logs it without one. */
void lab_toast_show       (GtkWidget      *widget,
                           const char     *text);

G_END_DECLS
