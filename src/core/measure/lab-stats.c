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

/**
 * lab_stats_amdahl_fit:
 * @workers: (array length=n): the worker count of each point
 * @speedups: (array length=n): the speed-up measured with it
 * @n: the number of points
 * @serial_fraction: (out) (optional): the fitted s, in [0, 1]
 *
 * Fits Amdahl's law, S(W) = 1 / (s + (1 − s) / W), to the points by least
 * squares. In the time domain the law is linear in s,
 * 1/S − 1/W = s (1 − 1/W), so the fit has a closed form: it minimises the
 * squared error of the predicted run time relative to one worker's.
 * Points whose speed-up is not finite and positive, or whose worker count
 * is not finite and at least 1, are left out.
 *
 * Returns: %TRUE if there were at least two distinct worker counts to fit
 */
gboolean
lab_stats_amdahl_fit (const double *workers,
                      const double *speedups,
                      gsize         n,
                      double       *serial_fraction)
{
  double sum_xy = 0.0, sum_xx = 0.0;
  double first_workers = NAN;
  gboolean distinct = FALSE;

  g_return_val_if_fail (n == 0 || (workers != NULL && speedups != NULL), FALSE);

  for (gsize i = 0; i < n; i++)
    {
      double w = workers[i], s = speedups[i];
      double x, y;

      if (!isfinite (w) || w < 1.0 || !isfinite (s) || s <= 0.0)
        continue;

      if (isnan (first_workers))
        first_workers = w;
      else if (w != first_workers)
        distinct = TRUE;

      x = 1.0 - 1.0 / w;
      y = 1.0 / s - 1.0 / w;
      sum_xy += x * y;
      sum_xx += x * x;
    }

  /* Two distinct counts, at most one of them 1, give sum_xx > 0 */
  if (!distinct || !(sum_xx > 0.0))
    return FALSE;

  if (serial_fraction != NULL)
    *serial_fraction = CLAMP (sum_xy / sum_xx, 0.0, 1.0);
  return TRUE;
}
