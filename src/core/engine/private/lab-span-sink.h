/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-result.h"

G_BEGIN_DECLS

/*
 * LabSpanSink: spans finished in any thread, on their way to the one
 * thread that runs the executor (the run's coordinator), which alone may
 * call the run's LabSpanFunc. Threads add spans without waiting on the
 * coordinator; it takes them in batches (one wake-up per task would cost
 * more than a no-op task itself).
 */
typedef struct _LabSpanSink LabSpanSink;

LabSpanSink *lab_span_sink_new     (void);
void         lab_span_sink_free    (LabSpanSink *self);
/* From any thread: takes @span, its error included. The coordinator is
 * woken when a batch is full, or at once when @urgent. */
void         lab_span_sink_add     (LabSpanSink *self,
                                    LabSpan     *span,
                                    gboolean     urgent);
/* From the coordinator: waits up to @timeout_us for spans (0: does not
 * wait), hands each to @func, and returns how many of them ended their
 * task (lab_span_ends_task()). */
guint        lab_span_sink_deliver (LabSpanSink *self,
                                    gint64       timeout_us,
                                    LabSpanFunc  func,
                                    gpointer     user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabSpanSink, lab_span_sink_free)

G_END_DECLS
