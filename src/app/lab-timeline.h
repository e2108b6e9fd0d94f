/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"
#include "lab-result.h"

G_BEGIN_DECLS

#define LAB_TYPE_TIMELINE (lab_timeline_get_type ())

G_DECLARE_FINAL_TYPE (LabTimeline, lab_timeline, LAB, TIMELINE, LabChart)

GtkWidget     *lab_timeline_new            (void);
LabRepetition *lab_timeline_get_repetition (LabTimeline   *self);
void           lab_timeline_set_repetition (LabTimeline   *self,
                                            LabRepetition *rep);
void           lab_timeline_spans_added    (LabTimeline   *self,
                                            guint          first,
                                            guint          n);
void           lab_timeline_repetition_finished (LabTimeline *self);
guint          lab_timeline_get_repetition_total (LabTimeline *self);
void           lab_timeline_set_repetition_total (LabTimeline *self,
                                            guint          n_repetitions);
guint          lab_timeline_get_n_lanes    (LabTimeline   *self);
void           lab_timeline_reset_zoom     (LabTimeline   *self);
void           lab_timeline_set_visible_range (LabTimeline *self,
                                            double         start_us,
                                            double         end_us);
gboolean       lab_timeline_get_span_at    (LabTimeline   *self,
                                            double         x,
                                            double         y,
                                            guint         *index);

G_END_DECLS
