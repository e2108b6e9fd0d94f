/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lab-overhead-card.h"
#include "lab-overhead-chart.h"

struct _LabOverheadCard
{
  GtkWidget       parent_instance;

  LabOverhead    *overhead;
  GPtrArray      *charts;          /* LabOverheadChart *, one per table */
  GMenu          *export_menu;

  GtkLabel       *title_label;
  GtkLabel       *description_label;
  GtkButton      *run_button;
  GtkProgressBar *progress_bar;
  GtkMenuButton  *export_button;
  GtkFlowBox     *charts_box;
  GtkLabel       *reading_label;
};

G_DEFINE_FINAL_TYPE (LabOverheadCard, lab_overhead_card, GTK_TYPE_WIDGET)

/* One chart per table, created as tables appear; each export menu entry
 * names its chart. */
static void
lab_overhead_card_update_charts (LabOverheadCard *self)
{
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (self->overhead);
  const char *name = lab_overhead_kind_to_string (lab_overhead_get_kind (self->overhead));

  while (self->charts->len < tables->len)
    {
      GtkWidget *chart = lab_overhead_chart_new ();

      gtk_flow_box_append (self->charts_box, chart);
      g_ptr_array_add (self->charts, chart);
    }
  g_menu_remove_all (self->export_menu);
  for (guint i = 0; i < self->charts->len; i++)
    {
      LabOverheadTable *table = i < tables->len ? g_steal_pointer (&tables->pdata[i]) : NULL;
      static const char *formats[] = { "png", "svg" };

      gtk_widget_set_visible (gtk_widget_get_parent (self->charts->pdata[i]), table != NULL);
      if (table != NULL)
        for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
          {
            g_autoptr(GMenuItem) item = NULL;
            /* Translators: a chart's title and a file format, "Cost of one start (PNG)" */
            g_autofree char *label = g_strdup_printf (_("%s (%s)"), table->title, f == 0 ? "PNG" : "SVG");

            item = g_menu_item_new (label, NULL);
            g_menu_item_set_action_and_target_value (item, "overheads.export-chart",
                                                     g_variant_new ("(sus)", name, i, formats[f]));
            g_menu_append_item (self->export_menu, item);
          }
      lab_overhead_chart_set_table (self->charts->pdata[i], table);
    }
  /* One chart takes the card's width; two share it, and stack when narrow. */
  gtk_flow_box_set_max_children_per_line (self->charts_box, CLAMP (tables->len, 1, 2));
  gtk_widget_set_visible (GTK_WIDGET (self->charts_box), tables->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), tables->len > 0);
}

static void
on_point_added (LabOverheadCard *self)
{
  lab_overhead_card_update_charts (self);
}

static void
on_progress (LabOverheadCard *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, lab_overhead_get_progress (self->overhead));
}

static void
on_state (LabOverheadCard *self)
{
  const char *name = lab_overhead_kind_to_string (lab_overhead_get_kind (self->overhead));
  const char *title = lab_overhead_kind_title (lab_overhead_get_kind (self->overhead));
  gboolean running = lab_overhead_get_running (self->overhead);
  g_autofree char *reading = lab_overhead_dup_reading (self->overhead);
  g_autofree char *button_name = NULL;

  if (running)
    {
      gtk_button_set_label (self->run_button, _("_Stop"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "overheads.stop");
      /* Translators: the accessible name of a button, "Stop Start-up" */
      button_name = g_strdup_printf (_("Stop %s"), title);
    }
  else
    {
      gtk_button_set_label (self->run_button, _("_Run"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "overheads.run");
      /* Translators: the accessible name of a button, "Run Start-up" */
      button_name = g_strdup_printf (_("Run %s"), title);
    }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->run_button), "s", name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);

  gtk_label_set_text (self->reading_label, reading != NULL ? reading : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reading_label), reading != NULL);
  if (lab_overhead_get_state (self->overhead) == LAB_OVERHEAD_RUNNING && lab_overhead_get_points (self->overhead)->len == 0)
    lab_overhead_card_update_charts (self);
  on_progress (self);
}

GtkWidget *
lab_overhead_card_new (LabOverhead *overhead)
{
  LabOverheadCard *self;
  const char *title;
  g_autofree char *progress_name = NULL;
  g_autofree char *export_name = NULL;
  g_autofree char *reading_description = NULL;

  g_return_val_if_fail (LAB_IS_OVERHEAD (overhead), NULL);

  self = g_object_new (LAB_TYPE_OVERHEAD_CARD, NULL);
  self->overhead = g_object_ref (overhead);
  title = lab_overhead_kind_title (lab_overhead_get_kind (overhead));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->description_label, lab_overhead_kind_description (lab_overhead_get_kind (overhead)));

  /* Translators: accessible names; %s is an experiment's title, "Start-up" */
  progress_name = g_strdup_printf (_("%s progress"), title);
  export_name = g_strdup_printf (_("Export %s charts"), title);
  reading_description = g_strdup_printf (_("Reading of %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar), GTK_ACCESSIBLE_PROPERTY_LABEL, progress_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->export_button), GTK_ACCESSIBLE_PROPERTY_LABEL, export_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reading_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  reading_description, -1);

  g_signal_connect_object (overhead, "point-added", G_CALLBACK (on_point_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (overhead, "notify::progress", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (overhead, "notify::state", G_CALLBACK (on_state), self, G_CONNECT_SWAPPED);
  on_state (self);
  return GTK_WIDGET (self);
}

LabOverhead *
lab_overhead_card_get_overhead (LabOverheadCard *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD_CARD (self), NULL);
  return self->overhead;
}

LabChart *
lab_overhead_card_get_chart (LabOverheadCard *self,
                             guint            index)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD_CARD (self), NULL);
  if (index >= self->charts->len || lab_overhead_chart_get_table (self->charts->pdata[index]) == NULL)
    return NULL;
  return self->charts->pdata[index];
}

static void
lab_overhead_card_dispose (GObject *object)
{
  LabOverheadCard *self = LAB_OVERHEAD_CARD (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_OVERHEAD_CARD);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  g_clear_object (&self->export_menu);
  g_clear_object (&self->overhead);

  G_OBJECT_CLASS (lab_overhead_card_parent_class)->dispose (object);
}

static void
lab_overhead_card_class_init (LabOverheadCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_overhead_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-overhead-card.ui");
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, description_label);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, run_button);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, export_button);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, charts_box);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadCard, reading_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lab_overhead_card_init (LabOverheadCard *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->charts = g_ptr_array_new ();
  self->export_menu = g_menu_new ();
  gtk_menu_button_set_menu_model (self->export_button, G_MENU_MODEL (self->export_menu));
}
