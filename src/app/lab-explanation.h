/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-result-set.h"
#include "lab-stall-meter.h"

G_BEGIN_DECLS

/* A main loop that never ran a heartbeat later than this (one frame at
 * 60 Hz), and rarely later than the p99 figure, stayed responsive. */
#define LAB_RESPONSIVE_MAX_STALL_MS 16.0
#define LAB_RESPONSIVE_P99_STALL_MS 5.0

char *lab_explanation_describe_results (LabResultSet  *set,
                                        gboolean       running);
char *lab_explanation_describe_trust   (LabResultSet  *set);
char *lab_explanation_describe_errors  (LabResultSet  *set);
char *lab_explanation_describe_window  (LabStallMeter *meter,
                                        double         ui_cpu_s);

G_END_DECLS
