/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"

G_BEGIN_DECLS

#define LAB_TYPE_CPU_CHART (lab_cpu_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabCpuChart, lab_cpu_chart, LAB, CPU_CHART, LabChart)

/* How often /proc/stat is read while running: slower than the chart's
 * redraw limit, and cheap enough not to show in what it measures. */
#define LAB_CPU_CHART_SAMPLE_INTERVAL_MS 250

GtkWidget *lab_cpu_chart_new           (void);
gboolean   lab_cpu_chart_get_running   (LabCpuChart  *self);
void       lab_cpu_chart_set_running   (LabCpuChart  *self,
                                        gboolean      running);
void       lab_cpu_chart_add_sample    (LabCpuChart  *self,
                                        const double *utilisation,
                                        guint         n_cpus);
void       lab_cpu_chart_add_sample_at (LabCpuChart  *self,
                                        double        time_s,
                                        const double *utilisation,
                                        guint         n_cpus);
void       lab_cpu_chart_clear         (LabCpuChart  *self);
guint      lab_cpu_chart_get_n_samples (LabCpuChart  *self);

G_END_DECLS
