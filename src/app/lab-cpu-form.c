/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-cpu-form.h"
#include "lab-kernel.h"

/**
 * LabCpuForm:
 *
 * The parameters of a CPU-kernel experiment: kernel, problem size,
 * tasks, and the shared run options. Settings: "cpu-*".
 */
struct _LabCpuForm
{
  GtkWidget      parent_instance;

  GSettings     *settings;
  gboolean       initializing;

  /* Template children */
  AdwComboRow   *kernel_row;
  GtkAdjustment *size_adjustment;
  GtkAdjustment *tasks_adjustment;
  LabRunOptions *options;
};

static void lab_cpu_form_form_init (LabFormInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabCpuForm, lab_cpu_form, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_FORM, lab_cpu_form_form_init))

/* The modes this family offers, in the order they are shown. */
static const LabModeChoice cpu_modes[] = {
  { LAB_MODE_SEQUENTIAL, N_("One task after another on one core") },
  { LAB_MODE_THREADS, N_("A pool of native threads sharing the cores") },
  { LAB_MODE_PROCESSES, N_("A pool of persistent worker processes") },
  { LAB_MODE_SPAWN, N_("A fresh process for every task") },
};

static char *
kernel_title (GtkStringObject *item,
              gpointer         user_data)
{
  const LabKernel *kernel = lab_kernel_lookup (gtk_string_object_get_string (item));

  return g_strdup (kernel != NULL ? g_dgettext (GETTEXT_PACKAGE, kernel->title) : "");
}

static void
kernel_item_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *description = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 40);
  gtk_widget_add_css_class (description, "dim-label");
  gtk_widget_add_css_class (description, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), description);
  gtk_list_item_set_child (item, box);
}

static void
kernel_item_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *description = gtk_widget_get_next_sibling (title);
  const LabKernel *kernel = lab_kernel_lookup (gtk_string_object_get_string (gtk_list_item_get_item (item)));

  if (kernel == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (title), g_dgettext (GETTEXT_PACKAGE, kernel->title));
  gtk_label_set_text (GTK_LABEL (description), g_dgettext (GETTEXT_PACKAGE, kernel->description));
}

static const LabKernel *
lab_cpu_form_get_kernel (LabCpuForm *self)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (self->kernel_row);

  return item != NULL ? lab_kernel_lookup (gtk_string_object_get_string (item)) : NULL;
}

static void
on_kernel_selected (LabCpuForm *self)
{
  const LabKernel *kernel = lab_cpu_form_get_kernel (self);

  if (kernel == NULL)
    return;

  /* The row shows the kernel's title as its subtitle; what it computes
   * is in the list and the tooltip. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kernel_row), g_dgettext (GETTEXT_PACKAGE, kernel->description));
  gtk_adjustment_set_upper (self->size_adjustment, (double) kernel->max_size);

  /* A size means something else for each kernel: a new kernel starts from
   * its own default. */
  if (!self->initializing)
    gtk_adjustment_set_value (self->size_adjustment, (double) kernel->default_size);
}

static gboolean
kernel_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (user_data));
  const char *name = g_variant_get_string (variant, NULL);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  /* A hidden kernel (noop) or an unknown name: keep the first one. */
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
kernel_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (user_data));
  g_autoptr(GtkStringObject) item = g_list_model_get_item (model, g_value_get_uint (value));

  if (item == NULL)
    return NULL;
  return g_variant_new_string (gtk_string_object_get_string (item));
}

static void
lab_cpu_form_setup_kernels (LabCpuForm *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkExpression) expression = NULL;
  const LabKernel **kernels;
  guint n_kernels = 0;

  kernels = lab_kernel_list (&n_kernels);
  for (guint i = 0; i < n_kernels; i++)
    if (!kernels[i]->hidden)
      gtk_string_list_append (names, kernels[i]->name);

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (kernel_title), NULL, NULL);
  adw_combo_row_set_expression (self->kernel_row, expression);
  g_signal_connect (factory, "setup", G_CALLBACK (kernel_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (kernel_item_bind), NULL);
  adw_combo_row_set_list_factory (self->kernel_row, factory);
  adw_combo_row_set_model (self->kernel_row, G_LIST_MODEL (names));

  g_signal_connect_object (self->kernel_row, "notify::selected", G_CALLBACK (on_kernel_selected), self, G_CONNECT_SWAPPED);
  g_settings_bind_with_mapping (self->settings, "cpu-kernel", self->kernel_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, kernel_get_mapping, kernel_set_mapping,
                                self->kernel_row, NULL);
  on_kernel_selected (self);
}

static void
on_settings_changed (LabCpuForm *self,
                     const char *key)
{
  if (g_str_has_prefix (key, "cpu-"))
    lab_form_emit_changed (LAB_FORM (self));
}

static void
lab_cpu_form_fill_builder (LabForm       *form,
                           LabRunBuilder *builder)
{
  LabCpuForm *self = LAB_CPU_FORM (form);
  const LabKernel *kernel = lab_cpu_form_get_kernel (self);
  g_autofree char *spec = g_strconcat ("cpu:", kernel != NULL ? kernel->name : "primes", NULL);

  lab_run_builder_set_workload (builder, spec, NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, (guint64) gtk_adjustment_get_value (self->size_adjustment));
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, (guint64) gtk_adjustment_get_value (self->tasks_adjustment));
}

static LabRunOptions *
lab_cpu_form_get_options (LabForm *form)
{
  return LAB_CPU_FORM (form)->options;
}

static void
lab_cpu_form_form_init (LabFormInterface *iface)
{
  iface->fill_builder = lab_cpu_form_fill_builder;
  iface->get_options = lab_cpu_form_get_options;
}

static void
lab_cpu_form_dispose (GObject *object)
{
  LabCpuForm *self = LAB_CPU_FORM (object);
  GtkWidget *child;

  /* The kernel row goes with the template's children: it must not call
   * back into the form meanwhile. */
  if (self->kernel_row != NULL)
    g_signal_handlers_disconnect_by_data (self->kernel_row, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_CPU_FORM);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_cpu_form_parent_class)->dispose (object);
}

static void
lab_cpu_form_class_init (LabCpuFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_cpu_form_dispose;

  g_type_ensure (LAB_TYPE_RUN_OPTIONS);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-cpu-form.ui");
  gtk_widget_class_bind_template_child (widget_class, LabCpuForm, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, LabCpuForm, size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabCpuForm, tasks_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabCpuForm, options);
}

static void
lab_cpu_form_init (LabCpuForm *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 18);

  self->initializing = TRUE;
  self->settings = g_settings_new (BASE_APP_ID);
  lab_cpu_form_setup_kernels (self);
  g_settings_bind (self->settings, "cpu-size", self->size_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cpu-tasks", self->tasks_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  lab_run_options_setup (self->options, self->settings, "cpu",
                         _("Threads or processes computing at once"), LAB_RUN_OPTIONS_SWEEP, "cpu:primes",
                         cpu_modes, G_N_ELEMENTS (cpu_modes));
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  self->initializing = FALSE;
}
