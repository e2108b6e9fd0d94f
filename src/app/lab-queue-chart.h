/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"
#include "lab-result.h"

G_BEGIN_DECLS

#define LAB_TYPE_QUEUE_CHART (lab_queue_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabQueueChart, lab_queue_chart, LAB, QUEUE_CHART, LabChart)

GtkWidget *lab_queue_chart_new            (void);
void       lab_queue_chart_set_repetition (LabQueueChart *self,
                                           LabRepetition *rep,
                                           const char    *caption);
void       lab_queue_chart_samples_added  (LabQueueChart *self);

G_END_DECLS
