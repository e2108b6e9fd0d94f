/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-chart.h"
#include "lab-overhead.h"

G_BEGIN_DECLS

#define LAB_TYPE_OVERHEADS_PAGE (lab_overheads_page_get_type ())
G_DECLARE_FINAL_TYPE (LabOverheadsPage, lab_overheads_page, LAB, OVERHEADS_PAGE, GtkWidget)

/**
 * LabOverheadsPage:
 *
 * The Overheads page: one card per experiment (start-up, memory,
 * communication, crash isolation, races, granularity, affinity, default
 * pools), each runnable alone; Start (the page's Run All) runs them in
 * order. Implements #LabPage.
 *
 * Actions: "overheads.run" and "overheads.stop" (s: an experiment's name),
 * "overheads.run-all", "overheads.export-csv", "overheads.export-json",
 * "overheads.export-chart" ((sus): experiment, chart index, "png" or "svg").
 */
LabOverhead *lab_overheads_page_get_overhead (LabOverheadsPage *self,
                                              LabOverheadKind   kind);
LabChart    *lab_overheads_page_get_chart    (LabOverheadsPage *self,
                                              LabOverheadKind   kind,
                                              guint             index);

G_END_DECLS
