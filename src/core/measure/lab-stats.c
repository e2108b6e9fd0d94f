/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-stats.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double *
sorted_copy (const double *values,
             gsize         n)
{
  double *copy = g_memdup2 (values, n * sizeof *values);

  qsort (copy, n, sizeof *copy, compare_doubles);
  return copy;
}

double
lab_stats_percentile (const double *values,
                      gsize         n,
                      double        p)
{
  g_autofree double *sorted = NULL;
  double rank;
  gsize lo;

  if (n == 0)
    return NAN;
  sorted = sorted_copy (values, n);
  rank = CLAMP (p, 0.0, 100.0) / 100.0 * (double) (n - 1);
  lo = (gsize) floor (rank);
  if (lo + 1 >= n)
    return sorted[n - 1];
  return sorted[lo] + (rank - (double) lo) * (sorted[lo + 1] - sorted[lo]);
}

double
lab_stats_median (const double *values,
                  gsize         n)
{
  return lab_stats_percentile (values, n, 50.0);
}

double
lab_stats_min (const double *values,
               gsize         n)
{
  double m = INFINITY;

  if (n == 0)
    return NAN;
  for (gsize i = 0; i < n; i++)
    m = MIN (m, values[i]);
  return m;
}

double
lab_stats_max (const double *values,
               gsize         n)
{
  double m = -INFINITY;

  if (n == 0)
    return NAN;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, values[i]);
  return m;
}

double
lab_stats_mad (const double *values,
               gsize         n)
{
  g_autofree double *deviations = NULL;
  double median;

  if (n == 0)
    return NAN;
  median = lab_stats_median (values, n);
  deviations = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    deviations[i] = fabs (values[i] - median);
  return lab_stats_median (deviations, n);
}

double
lab_stats_modified_z (double value,
                      double median,
                      double mad)
{
  if (mad == 0.0)
    return value == median ? 0.0 : (value > median ? INFINITY : -INFINITY);
  return 0.6745 * (value - median) / mad;
}

void
lab_stats_flag_outliers (const double *values,
                         gsize         n,
                         gboolean     *outliers)
{
  double median, mad;

  if (n == 0)
    return;
  median = lab_stats_median (values, n);
  mad = lab_stats_mad (values, n);

  if (mad == 0.0)
    {
      /* More than half the samples are equal: the usual score divides by
       * zero, so scale by the mean absolute deviation instead (Iglewicz and
       * Hoaglin's fallback: 0.6745 · MAD ≈ 0.7979 · 1.2533 · meanAD). */
      double mean_ad = 0.0;

      for (gsize i = 0; i < n; i++)
        mean_ad += fabs (values[i] - median);
      mean_ad /= (double) n;
      for (gsize i = 0; i < n; i++)
        outliers[i] = mean_ad > 0.0 &&
                      fabs (values[i] - median) / (1.253314 * mean_ad) > LAB_OUTLIER_Z;
      return;
    }

  for (gsize i = 0; i < n; i++)
    outliers[i] = fabs (lab_stats_modified_z (values[i], median, mad)) > LAB_OUTLIER_Z;
}
