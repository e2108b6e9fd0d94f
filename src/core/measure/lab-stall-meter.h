/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LabStallMeter:
 *
 * Measures how late a main context runs a heartbeat timer: while it is
 * started, a timer fires every @interval_ms on the context that was the
 * thread-default one at lab_stall_meter_start(), and each firing records
 * how much later than due it ran. A long lateness is a stall of that main
 * loop: the window could not redraw or react meanwhile.
 */
typedef struct _LabStallMeter LabStallMeter;

LabStallMeter *lab_stall_meter_new          (guint          interval_ms);
void           lab_stall_meter_free         (LabStallMeter *self);
void           lab_stall_meter_start        (LabStallMeter *self);
void           lab_stall_meter_stop         (LabStallMeter *self);
guint          lab_stall_meter_get_n_samples (LabStallMeter *self);
/* Lateness in ms; NAN without samples. */
double         lab_stall_meter_get_max_ms   (LabStallMeter *self);
double         lab_stall_meter_get_p99_ms   (LabStallMeter *self);
/* "max stall 3 ms, p99 1 ms", translated. */
char          *lab_stall_meter_describe     (LabStallMeter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabStallMeter, lab_stall_meter_free)

G_END_DECLS
