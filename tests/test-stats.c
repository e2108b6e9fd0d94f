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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/basic", test_basic);
  g_test_add_func ("/stats/mad", test_mad);
  g_test_add_func ("/stats/percentile", test_percentile);
  g_test_add_func ("/stats/outliers", test_outliers);
  return g_test_run ();
}
