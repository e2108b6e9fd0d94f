/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void lab_drop_down_setup_strings (GtkDropDown *drop_down,
                                  const char  *accessible_label);

G_END_DECLS
