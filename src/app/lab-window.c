/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-claims-page.h"
#include "lab-cpu-form.h"
#include "lab-downloads-form.h"
#include "lab-experiment-page.h"
#include "lab-history-page.h"
#include "lab-overheads-page.h"
#include "lab-window.h"

/**
 * LabWindow:
 *
 * The main window: a view switcher over pages (each a #LabPage), and a
 * Start/Stop button in the header bar that acts on the visible page and
 * stays in view at any width. One experiment runs at a time: while a page
 * runs, the others are blocked with the reason, so that no run skews
 * another's measurement. The History page runs nothing: there, the
 * button is Stop while another page runs, and hidden otherwise.
 */
struct _LabWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  GPtrArray            *pages;   /* LabPage, the stack's, in its order */

  AdwViewStack         *stack;
  AdwToastOverlay      *toast_overlay;
  LabHistoryPage       *history_page;
  GtkStack             *start_stack;
  GtkWidget            *start_button;
  GtkWidget            *stop_button;
};

G_DEFINE_FINAL_TYPE (LabWindow, lab_window, ADW_TYPE_APPLICATION_WINDOW)

/* The stack's page at @index, or %NULL past the last page. */
static AdwViewStackPage *
lab_window_get_stack_page (LabWindow *self,
                           guint      index)
{
  /* adw_view_stack_get_pages() is (transfer full) */
  g_autoptr(GListModel) pages = G_LIST_MODEL (adw_view_stack_get_pages (self->stack));

  return g_list_model_get_item (pages, index);
}

/* The position of @child in the stack, as win.page takes it. */
static guint
lab_window_get_position (LabWindow *self,
                         GtkWidget *child)
{
  /* adw_view_stack_get_pages() is (transfer full) */
  g_autoptr(GListModel) pages = G_LIST_MODEL (adw_view_stack_get_pages (self->stack));
  guint n = g_list_model_get_n_items (pages);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (pages, i);

      if (adw_view_stack_page_get_child (page) == child)
        return i;
    }
  return 0;
}

/* The stack's children that are a #LabPage; the stack keeps them. */
static GPtrArray *
lab_window_find_pages (LabWindow *self)
{
  /* adw_view_stack_get_pages() is (transfer full) */
  g_autoptr(GListModel) stack_pages = G_LIST_MODEL (adw_view_stack_get_pages (self->stack));
  GPtrArray *pages = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (stack_pages); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (stack_pages, i);
      GtkWidget *child = adw_view_stack_page_get_child (page);

      if (LAB_IS_PAGE (child))
        g_ptr_array_add (pages, child);
    }
  return pages;
}

static LabPage *
lab_window_get_visible_page (LabWindow *self)
{
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);

  return LAB_IS_PAGE (child) ? LAB_PAGE (child) : NULL;
}

static LabPage *
lab_window_get_running_page (LabWindow *self)
{
  for (guint i = 0; i < self->pages->len; i++)
    if (lab_page_get_running (g_ptr_array_index (self->pages, i)))
      return g_ptr_array_index (self->pages, i);
  return NULL;
}

/* The title of @page, without its mnemonic. */
static char *
lab_window_dup_page_title (LabWindow *self,
                           LabPage   *page)
{
  AdwViewStackPage *stack_page = adw_view_stack_get_page (self->stack, GTK_WIDGET (page));
  g_autofree char *title = g_strdup (adw_view_stack_page_get_title (stack_page));
  g_auto(GStrv) parts = g_strsplit (title != NULL ? title : "", "_", -1);

  return g_strjoinv ("", parts);
}

/* Start becomes Stop while the visible page runs, and is insensitive,
 * with the reason as its tooltip, while another page runs. */
static void
lab_window_update_start_button (LabWindow *self)
{
  LabPage *visible = lab_window_get_visible_page (self);
  g_autofree char *blocked = visible != NULL ? lab_page_dup_blocked_reason (visible) : NULL;

  if (visible == NULL)
    {
      gboolean running = self->pages != NULL && lab_window_get_running_page (self) != NULL;

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start", FALSE);
      gtk_stack_set_visible_child (self->start_stack, self->stop_button);
      gtk_widget_set_visible (GTK_WIDGET (self->start_stack), running);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->start_stack), TRUE);

  if (lab_page_get_running (visible))
    {
      gtk_stack_set_visible_child (self->start_stack, self->stop_button);
      return;
    }

  gtk_stack_set_visible_child (self->start_stack, self->start_button);
  gtk_widget_set_tooltip_text (self->start_button,
                               blocked != NULL ? blocked
                                               : visible != NULL ? lab_page_get_start_tooltip (visible) : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start", visible != NULL && blocked == NULL);
}

static void
on_page_running (LabWindow  *self,
                 GParamSpec *pspec,
                 LabPage    *changed)
{
  LabPage *running;
  g_autofree char *reason = NULL;

  /* A page that stops while the window goes away. */
  if (self->pages == NULL)
    return;
  running = lab_window_get_running_page (self);
  if (running != NULL)
    {
      g_autofree char *title = lab_window_dup_page_title (self, running);

      /* Translators: %s is the title of a page, e.g. "CPU Kernels" */
      reason = g_strdup_printf (_("Waiting: the “%s” page is running an experiment. One at a time keeps the measurements fair."), title);
    }
  for (guint i = 0; i < self->pages->len; i++)
    if (g_ptr_array_index (self->pages, i) != running)
      lab_page_set_blocked_reason (g_ptr_array_index (self->pages, i), reason);
  lab_window_update_start_button (self);
}

/**
 * lab_window_new:
 * @server_url: (nullable): the embedded HTTP server's base URL, where the
 *   downloads go when no URL is given; %NULL when it is not running
 * @history: (nullable): where the runs the window starts are kept;
 *   %NULL when it could not be opened
 * @history_error: (nullable): why it could not
 */
LabWindow *
lab_window_new (GtkApplication *application,
                const char     *server_url,
                LabHistory     *history,
                const char     *history_error)
{
  LabWindow *self;
  const char *recovery;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (history == NULL || LAB_IS_HISTORY (history), NULL);

  self = g_object_new (LAB_TYPE_WINDOW, "application", application, NULL);
  for (guint i = 0; i < self->pages->len; i++)
    {
      LabPage *page = g_ptr_array_index (self->pages, i);

      lab_page_set_server_url (page, server_url);
      if (LAB_IS_EXPERIMENT_PAGE (page))
        lab_experiment_page_set_history (LAB_EXPERIMENT_PAGE (page), history);
    }
  lab_history_page_set_history (self->history_page, history, history_error);

  /* A damaged history was replaced: say so now, briefly (a toast shows
   * one line); the History page says it in full until dismissed. */
  recovery = history != NULL ? lab_history_get_recovery_message (history) : NULL;
  if (recovery != NULL)
    {
      AdwToast *toast = adw_toast_new (_("The run history could not be used and a new one was started; "
                                         "the History page says where the old one went"));

      adw_toast_set_timeout (toast, 10);
      adw_toast_set_button_label (toast, _("_Show"));
      adw_toast_set_action_name (toast, "win.page");
      adw_toast_set_action_target_value (toast, g_variant_new_uint32 (lab_window_get_position (self, GTK_WIDGET (self->history_page))));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  return self;
}

/**
 * lab_window_show_page:
 * @name: the page's name in the view stack, e.g. "cpu-kernels"
 *
 * Returns: (transfer none) (nullable): that page, now the visible one
 */
LabPage *
lab_window_show_page (LabWindow  *self,
                      const char *name)
{
  GtkWidget *child;

  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);

  child = adw_view_stack_get_child_by_name (self->stack, name);
  if (!LAB_IS_PAGE (child))
    return NULL;
  adw_view_stack_set_visible_child (self->stack, child);
  return LAB_PAGE (child);
}

static void
lab_window_cancel_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LabPage *running = lab_window_get_running_page (LAB_WINDOW (widget));

  /* Escape stops whatever runs, on any page. */
  if (running != NULL)
    lab_page_stop (running);
}

static void
lab_window_start_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LabPage *page = lab_window_get_visible_page (LAB_WINDOW (widget));

  if (page != NULL)
    lab_page_start (page);
}

static void
lab_window_page_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LabWindow *self = LAB_WINDOW (widget);
  g_autoptr(AdwViewStackPage) page = lab_window_get_stack_page (self, g_variant_get_uint32 (parameter));

  if (page != NULL)
    adw_view_stack_set_visible_child (self->stack, adw_view_stack_page_get_child (page));
}

static gboolean
lab_window_close_request (GtkWindow *window)
{
  LabWindow *self = LAB_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (lab_window_parent_class)->close_request (window);
}

static void
lab_window_constructed (GObject *object)
{
  LabWindow *self = LAB_WINDOW (object);
  g_autofree char *last_page = NULL;

  G_OBJECT_CLASS (lab_window_parent_class)->constructed (object);

  self->settings = g_settings_new (BASE_APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* A page name from a later version that this one does not have is
   * simply not shown; the default page stays. */
  last_page = g_settings_get_string (self->settings, "last-page");
  if (adw_view_stack_get_child_by_name (self->stack, last_page) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, last_page);
  g_settings_bind (self->settings, "last-page", self->stack, "visible-child-name",
                   G_SETTINGS_BIND_SET);

  self->pages = lab_window_find_pages (self);
  for (guint i = 0; i < self->pages->len; i++)
    {
      LabPage *page = g_ptr_array_index (self->pages, i);

      g_signal_connect_object (page, "notify::running", G_CALLBACK (on_page_running), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (page, "notify::blocked-reason", G_CALLBACK (lab_window_update_start_button),
                               self, G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (lab_window_update_start_button),
                           self, G_CONNECT_SWAPPED);
  lab_window_update_start_button (self);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

static void
lab_window_dispose (GObject *object)
{
  LabWindow *self = LAB_WINDOW (object);

  g_clear_pointer (&self->pages, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_window_parent_class)->dispose (object);
}

static void
lab_window_class_init (LabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = lab_window_constructed;
  object_class->dispose = lab_window_dispose;

  window_class->close_request = lab_window_close_request;

  g_type_ensure (LAB_TYPE_EXPERIMENT_PAGE);
  g_type_ensure (LAB_TYPE_OVERHEADS_PAGE);
  g_type_ensure (LAB_TYPE_CLAIMS_PAGE);
  g_type_ensure (LAB_TYPE_HISTORY_PAGE);
  g_type_ensure (LAB_TYPE_CPU_FORM);
  g_type_ensure (LAB_TYPE_DOWNLOADS_FORM);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, start_stack);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, stop_button);

  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, lab_window_cancel_action);
  gtk_widget_class_install_action (widget_class, "win.start", NULL, lab_window_start_action);
  gtk_widget_class_install_action (widget_class, "win.page", "u", lab_window_page_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
lab_window_init (LabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
