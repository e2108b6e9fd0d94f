/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* All functions take unsorted samples and do not modify them. NAN for n = 0. */
double   lab_stats_median      (const double *values,
                                gsize         n);
double   lab_stats_min         (const double *values,
                                gsize         n);
double   lab_stats_max         (const double *values,
                                gsize         n);
/* Median absolute deviation (unscaled). */
double   lab_stats_mad         (const double *values,
                                gsize         n);
/* Linear interpolation between closest ranks, @p in [0, 100]. */
double   lab_stats_percentile  (const double *values,
                                gsize         n,
                                double        p);
/* Iglewicz–Hoaglin modified z-score: 0.6745 (x − median) / MAD. */
double   lab_stats_modified_z  (double        value,
                                double        median,
                                double        mad);
/* Sets outliers[i] when |modified z| > 3.5. */
void     lab_stats_flag_outliers (const double *values,
                                  gsize         n,
                                  gboolean     *outliers);

#define LAB_OUTLIER_Z 3.5

/* Least-squares fit of Amdahl's law S(W) = 1 / (s + (1 − s) / W) over the
 * points with a finite positive speed-up; FALSE without two distinct
 * worker counts. */
gboolean lab_stats_amdahl_fit  (const double *workers,
                                const double *speedups,
                                gsize         n,
                                double       *serial_fraction);

G_END_DECLS
