/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-experiment-page.h"
#include "lab-window.h"

struct _LabWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwViewStack         *stack;
  AdwToastOverlay      *toast_overlay;
};

G_DEFINE_FINAL_TYPE (LabWindow, lab_window, ADW_TYPE_APPLICATION_WINDOW)

/* The stack's child at @index, or %NULL past the last page. */
static GtkWidget *
lab_window_get_child (LabWindow *self,
                      guint      index)
{
  /* adw_view_stack_get_pages() is (transfer full) */
  g_autoptr(GListModel) pages = G_LIST_MODEL (adw_view_stack_get_pages (self->stack));
  g_autoptr(AdwViewStackPage) page = g_list_model_get_item (pages, index);

  return page != NULL ? adw_view_stack_page_get_child (page) : NULL;
}

/**
 * lab_window_new:
 * @server_url: (nullable): the embedded HTTP server's base URL, where the
 *   downloads go when no URL is given; %NULL when it is not running
 */
LabWindow *
lab_window_new (GtkApplication *application,
                const char     *server_url)
{
  LabWindow *self;
  GtkWidget *child;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (LAB_TYPE_WINDOW,
                       "application", application,
                       NULL);
  for (guint i = 0; (child = lab_window_get_child (self, i)) != NULL; i++)
    if (LAB_IS_EXPERIMENT_PAGE (child))
      lab_experiment_page_set_server_url (LAB_EXPERIMENT_PAGE (child), server_url);
  return self;
}

/**
 * lab_window_show_page:
 *
 * Makes the first page of @kind the visible one.
 *
 * Returns: (transfer none) (nullable): that page
 */
LabExperimentPage *
lab_window_show_page (LabWindow         *self,
                      LabExperimentKind  kind)
{
  GtkWidget *child;

  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);

  for (guint i = 0; (child = lab_window_get_child (self, i)) != NULL; i++)
    if (LAB_IS_EXPERIMENT_PAGE (child) && lab_experiment_page_get_kind (LAB_EXPERIMENT_PAGE (child)) == kind)
      {
        adw_view_stack_set_visible_child (self->stack, child);
        return LAB_EXPERIMENT_PAGE (child);
      }
  return NULL;
}

static LabExperimentPage *
lab_window_get_visible_page (LabWindow *self)
{
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);

  return LAB_IS_EXPERIMENT_PAGE (child) ? LAB_EXPERIMENT_PAGE (child) : NULL;
}

static void
lab_window_cancel_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkWidget *child;

  /* Escape stops whatever runs, on any page. */
  for (guint i = 0; (child = lab_window_get_child (self, i)) != NULL; i++)
    if (LAB_IS_EXPERIMENT_PAGE (child))
      lab_experiment_page_cancel (LAB_EXPERIMENT_PAGE (child));
}

static void
lab_window_compare_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  LabExperimentPage *page = lab_window_get_visible_page (LAB_WINDOW (widget));

  if (page != NULL)
    lab_experiment_page_compare (page);
}

static void
lab_window_page_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkWidget *child = lab_window_get_child (self, g_variant_get_uint32 (parameter));

  if (child != NULL)
    adw_view_stack_set_visible_child (self->stack, child);
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

  G_OBJECT_CLASS (lab_window_parent_class)->constructed (object);

  self->settings = g_settings_new (BASE_APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* A page name from a later version that this one does not have is
   * simply not shown; the default page stays. */
  {
    g_autofree char *last_page = g_settings_get_string (self->settings, "last-page");

    if (adw_view_stack_get_child_by_name (self->stack, last_page) != NULL)
      adw_view_stack_set_visible_child_name (self->stack, last_page);
  }
  g_settings_bind (self->settings, "last-page", self->stack, "visible-child-name",
                   G_SETTINGS_BIND_SET);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

static void
lab_window_dispose (GObject *object)
{
  LabWindow *self = LAB_WINDOW (object);

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

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, toast_overlay);

  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, lab_window_cancel_action);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, lab_window_compare_action);
  gtk_widget_class_install_action (widget_class, "win.page", "u", lab_window_page_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
lab_window_init (LabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
