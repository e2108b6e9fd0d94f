/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-stats.h"

static void
test_basic (void)
{
  double odd[] = { 5, 1, 3 };
  double even[] = { 4, 1, 3, 2 };

  g_assert_cmpfloat (lab_stats_median (odd, 3), ==, 3);
  g_assert_cmpfloat (lab_stats_median (even, 4), ==, 2.5);
  g_assert_cmpfloat (lab_stats_min (odd, 3), ==, 1);
  g_assert_cmpfloat (lab_stats_max (odd, 3), ==, 5);
  g_assert_true (isnan (lab_stats_median (odd, 0)));
  /* The input is not reordered. */
  g_assert_cmpfloat (odd[0], ==, 5);
}

static void
test_mad (void)
{
  double values[] = { 1, 1, 2, 2, 4, 6, 9 };

  /* median 2; deviations 1 1 0 0 2 4 7 → median 1 */
  g_assert_cmpfloat (lab_stats_mad (values, G_N_ELEMENTS (values)), ==, 1);
}

static void
test_percentile (void)
{
  double values[] = { 10, 20, 30, 40, 50 };

  g_assert_cmpfloat (lab_stats_percentile (values, 5, 0), ==, 10);
  g_assert_cmpfloat (lab_stats_percentile (values, 5, 100), ==, 50);
  g_assert_cmpfloat (lab_stats_percentile (values, 5, 90), ==, 46);
  g_assert_cmpfloat (lab_stats_percentile (values, 5, 50), ==, 30);
}

static void
test_outliers (void)
{
  double values[] = { 1.00, 1.01, 0.99, 1.02, 0.98, 3.0 };
  gboolean outliers[G_N_ELEMENTS (values)];
  double same[] = { 2, 2, 2, 2 };
  gboolean same_outliers[4];
  double mostly[] = { 2, 2, 2, 2, 2, 9 };
  gboolean mostly_outliers[6];

  lab_stats_flag_outliers (values, G_N_ELEMENTS (values), outliers);
  for (guint i = 0; i < 5; i++)
    g_assert_false (outliers[i]);
  g_assert_true (outliers[5]);

  lab_stats_flag_outliers (same, 4, same_outliers);
  for (guint i = 0; i < 4; i++)
    g_assert_false (same_outliers[i]);

  /* MAD = 0: the mean-absolute-deviation fallback still sees the 9. */
  lab_stats_flag_outliers (mostly, 6, mostly_outliers);
  g_assert_false (mostly_outliers[0]);
  g_assert_true (mostly_outliers[5]);

  g_assert_cmpfloat_with_epsilon (lab_stats_modified_z (3, 1, 0.5), 0.6745 * 4, 1e-12);
}

static double
amdahl (double s,
        double workers)
{
  return 1.0 / (s + (1.0 - s) / workers);
}

static void
test_amdahl_exact (void)
{
  const double workers[] = { 1, 2, 4, 8, 16 };
  double speedups[G_N_ELEMENTS (workers)];
  const double fractions[] = { 0.0, 0.1, 0.5, 1.0 };

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      double s = -1;

      for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
        speedups[i] = amdahl (fractions[f], workers[i]);
      g_assert_true (lab_stats_amdahl_fit (workers, speedups, G_N_ELEMENTS (workers), &s));
      g_assert_cmpfloat_with_epsilon (s, fractions[f], 1e-12);
    }

  /* Two points are enough, one of them need not be W = 1 */
  {
    const double two_workers[] = { 2, 8 };
    const double two_speedups[] = { amdahl (0.1, 2), amdahl (0.1, 8) };
    double s = -1;

    g_assert_true (lab_stats_amdahl_fit (two_workers, two_speedups, 2, &s));
    g_assert_cmpfloat_with_epsilon (s, 0.1, 1e-12);
    /* serial_fraction is optional */
    g_assert_true (lab_stats_amdahl_fit (two_workers, two_speedups, 2, NULL));
  }
}

static void
test_amdahl_noisy (void)
{
  const double workers[] = { 1, 2, 2, 4, 4, 8, 8, 16, 16 };
  /* s = 0.05 with ±3 % noise, failed (NAN), zero and negative points */
  const double noise[] = { 1.0, 1.03, 0.97, 0.98, 1.02, 1.01, 0.99, 0.97, 1.03 };
  double w[G_N_ELEMENTS (workers) + 3], speedups[G_N_ELEMENTS (workers) + 3];
  double s = -1;
  gsize n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++, n++)
    {
      w[n] = workers[i];
      speedups[n] = amdahl (0.05, workers[i]) * noise[i];
    }
  w[n] = 32, speedups[n++] = NAN;
  w[n] = 32, speedups[n++] = 0;
  w[n] = 64, speedups[n++] = -3;

  g_assert_true (lab_stats_amdahl_fit (w, speedups, n, &s));
  g_assert_cmpfloat (s, >, 0.04);
  g_assert_cmpfloat (s, <, 0.06);

  /* Slower with more workers than with one: all serial, and more */
  {
    const double slow_workers[] = { 1, 2, 4 };
    const double slow_speedups[] = { 1.0, 0.8, 0.5 };

    g_assert_true (lab_stats_amdahl_fit (slow_workers, slow_speedups, 3, &s));
    g_assert_cmpfloat (s, ==, 1.0);
  }

  /* Better than linear (caches): no serial part, never below 0 */
  {
    const double super_workers[] = { 1, 2, 4 };
    const double super_speedups[] = { 1.0, 2.3, 4.8 };

    g_assert_true (lab_stats_amdahl_fit (super_workers, super_speedups, 3, &s));
    g_assert_cmpfloat (s, ==, 0.0);
  }
}

static void
test_amdahl_refused (void)
{
  const double one[] = { 4 };
  const double one_speedup[] = { 3.1 };
  const double same[] = { 4, 4, 4 };
  const double same_speedups[] = { 3.1, 3.0, 3.2 };
  const double ones[] = { 1, 1 };
  const double ones_speedups[] = { 1.0, 1.01 };
  const double workers[] = { 1, 2, 4 };
  const double failed[] = { 1.0, NAN, INFINITY };
  const double bad_workers[] = { 0, -2, NAN };
  const double speedups[] = { 1.0, 1.9, 3.5 };
  double s = 42;

  g_assert_false (lab_stats_amdahl_fit (NULL, NULL, 0, &s));
  g_assert_false (lab_stats_amdahl_fit (one, one_speedup, 1, &s));
  g_assert_false (lab_stats_amdahl_fit (same, same_speedups, 3, &s));
  g_assert_false (lab_stats_amdahl_fit (ones, ones_speedups, 2, &s));
  /* Only one usable point is left */
  g_assert_false (lab_stats_amdahl_fit (workers, failed, 3, &s));
  g_assert_false (lab_stats_amdahl_fit (bad_workers, speedups, 3, &s));
  /* Untouched when refused */
  g_assert_cmpfloat (s, ==, 42);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/basic", test_basic);
  g_test_add_func ("/stats/mad", test_mad);
  g_test_add_func ("/stats/percentile", test_percentile);
  g_test_add_func ("/stats/outliers", test_outliers);
  g_test_add_func ("/stats/amdahl/exact", test_amdahl_exact);
  g_test_add_func ("/stats/amdahl/noisy", test_amdahl_noisy);
  g_test_add_func ("/stats/amdahl/refused", test_amdahl_refused);
  return g_test_run ();
}
