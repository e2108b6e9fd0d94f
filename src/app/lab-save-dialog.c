/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-save-dialog.h"

typedef struct
{
  GtkWidget      *widget;
  LabSaveFunc     save;
  gpointer        user_data;
  GDestroyNotify  destroy;
} SaveRequest;

static void
save_request_free (SaveRequest *request)
{
  if (request->destroy != NULL)
    request->destroy (request->user_data);
  g_object_unref (request->widget);
  g_free (request);
}

void
lab_toast_show (GtkWidget  *widget,
                const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *markup = NULL;
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_message ("%s", text);
      return;
    }
  /* A toast's title is markup: a file name or an error with "&" or "<"
   * would not show. */
  markup = g_markup_escape_text (text, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
on_response (GtkNativeDialog *dialog,
             int              response,
             gpointer         user_data)
{
  SaveRequest *request = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (file != NULL)
    path = g_file_get_path (file);

  if (path != NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = NULL;

      if (request->save (path, request->user_data, &error))
        text = g_strdup_printf (_("Saved “%s”"), name);
      else
        /* Translators: the first %s is a file name, the second why it failed */
        text = g_strdup_printf (_("Could not save “%s”: %s. Choose another folder and export again."),
                                name, error->message);
      lab_toast_show (request->widget, text);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  save_request_free (request);
}

void
lab_save_dialog_show (GtkWidget      *widget,
                      const char     *title,
                      const char     *name,
                      LabSaveFunc     save,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  SaveRequest *request = g_new0 (SaveRequest, 1);

  request->widget = g_object_ref (widget);
  request->save = save;
  request->user_data = user_data;
  request->destroy = destroy;

  /* GtkFileDialog is GTK 4.10; GtkFileChooserNative works on 4.8 and goes
   * through the portal in Flatpak. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
