/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-drop-down.h"

static void
item_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
item_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkStringObject *text = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (text));
}

/**
 * lab_drop_down_setup_strings:
 * @drop_down: a drop-down of #GtkStringObject items
 * @accessible_label: what it chooses
 *
 * Makes the items ellipsize, so that a long one does not widen a narrow
 * window, and names the drop-down's button for assistive technologies
 * (GTK 4.8 exposes it, unnamed, beside the drop-down).
 */
void
lab_drop_down_setup_strings (GtkDropDown *drop_down,
                             const char  *accessible_label)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (item_bind), NULL);
  gtk_drop_down_set_factory (drop_down, factory);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
}
