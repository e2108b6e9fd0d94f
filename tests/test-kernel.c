/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-kernel.h"

static guint64
run_all (const char *name,
         guint64     size,
         guint       tasks)
{
  const LabKernel *kernel = lab_kernel_lookup (name);
  guint64 sum = 0;

  g_assert_nonnull (kernel);
  for (guint t = 0; t < tasks; t++)
    sum += lab_kernel_run_task (kernel, size, t, tasks, NULL);
  return sum;
}

static void
test_primes (void)
{
  guint splits[] = { 1, 2, 7, 16, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (splits); i++)
    g_assert_cmpuint (run_all ("primes", 1000000, splits[i]), ==, 78498);
  g_assert_cmpuint (run_all ("primes", 2000000, 16), ==, 148933);
  g_assert_cmpuint (run_all ("primes", 3, 2), ==, 1);   /* 2 */
  g_assert_cmpuint (run_all ("primes", 12, 5), ==, 5);  /* 2 3 5 7 11 */
}

static void
test_sumsq (void)
{
  guint64 sizes[] = { 1, 10, 12345, 40000000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      unsigned __int128 n = sizes[i];
      /* Σ_{i<n} i² = (n−1) n (2n−1) / 6, modulo 2^64 */
      guint64 expected = (guint64) ((n - 1) * n * (2 * n - 1) / 6);

      g_assert_cmpuint (run_all ("sumsq", sizes[i], 8), ==, expected);
      g_assert_cmpuint (run_all ("sumsq", sizes[i], 3), ==, expected);
    }
  /* The seeds' figure: 21333332533333340000000 mod 2^64 */
  g_assert_cmpuint (run_all ("sumsq", 40000000, 8), ==,
                    (guint64) (((unsigned __int128) 21333332533333340ULL * 1000000ULL)));
}

static void
test_pi (void)
{
  guint64 hits = run_all ("pi", 4000000, 8);
  double estimate = lab_kernel_pi_estimate (4000000, hits);

  g_assert_cmpfloat (fabs (estimate - G_PI), <, 0.01);
  /* Bit-identical across runs. */
  g_assert_cmpuint (run_all ("pi", 4000000, 8), ==, hits);
}

static void
test_mandelbrot (void)
{
  /* Reference computed independently (Python, same definition). */
  g_assert_cmpuint (run_all ("mandelbrot", 4096, 1), ==, 245193);
  g_assert_cmpuint (run_all ("mandelbrot", 4096, 7), ==, 245193);
}

static void
test_hash (void)
{
  const LabKernel *kernel = lab_kernel_lookup ("hash");
  /* First 8 bytes (little-endian) of SHA-256 of the 8-byte LE integer 0, and
   * of a chain of three digests from 5 (Python's hashlib). */
  g_assert_cmpuint (kernel->func (1, 0, 1, 0, 1, NULL), ==, G_GUINT64_CONSTANT (8794265229978523055));
  g_assert_cmpuint (kernel->func (8, 5, 8, 0, 1, NULL), ==, G_GUINT64_CONSTANT (15202321615180726386));
  g_assert_cmpuint (run_all ("hash", 1000, 4), ==, run_all ("hash", 1000, 4));
}

static void
test_matmul (void)
{
  g_assert_cmpuint (run_all ("matmul", 37, 1), ==, G_GUINT64_CONSTANT (82682583168));
  g_assert_cmpuint (run_all ("matmul", 37, 5), ==, G_GUINT64_CONSTANT (82682583168));
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const LabKernel *kernel = lab_kernel_lookup ("sumsq");
  gint64 t0;

  g_cancellable_cancel (cancellable);
  t0 = g_get_monotonic_time ();
  lab_kernel_run_task (kernel, G_GUINT64_CONSTANT (100000000000), 0, 1, cancellable);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
}

static void
test_lookup (void)
{
  g_autofree char *names = lab_kernel_names ();

  g_assert_null (lab_kernel_lookup ("nope"));
  g_assert_cmpstr (names, ==, "sumsq, primes, pi, mandelbrot, hash, matmul");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernel/primes", test_primes);
  g_test_add_func ("/kernel/sumsq", test_sumsq);
  g_test_add_func ("/kernel/pi", test_pi);
  g_test_add_func ("/kernel/mandelbrot", test_mandelbrot);
  g_test_add_func ("/kernel/hash", test_hash);
  g_test_add_func ("/kernel/matmul", test_matmul);
  g_test_add_func ("/kernel/cancel", test_cancel);
  g_test_add_func ("/kernel/lookup", test_lookup);
  return g_test_run ();
}
