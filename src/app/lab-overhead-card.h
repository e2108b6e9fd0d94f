/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-chart.h"
#include "lab-overhead.h"

G_BEGIN_DECLS

#define LAB_TYPE_OVERHEAD_CARD (lab_overhead_card_get_type ())
G_DECLARE_FINAL_TYPE (LabOverheadCard, lab_overhead_card, LAB, OVERHEAD_CARD, GtkWidget)

/* One experiment of the Overheads page: what it does, its Run (Stop)
 * button and progress, its charts and its reading. The buttons activate
 * the page's actions "overheads.run" / "overheads.stop" with the
 * experiment's name, and "overheads.export-chart" with (name, chart, format). */
GtkWidget   *lab_overhead_card_new          (LabOverhead     *overhead);
LabOverhead *lab_overhead_card_get_overhead (LabOverheadCard *self);
/* The @index-th chart (one per table), or NULL. */
LabChart    *lab_overhead_card_get_chart    (LabOverheadCard *self,
                                             guint            index);

G_END_DECLS
