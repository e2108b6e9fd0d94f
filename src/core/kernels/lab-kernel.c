/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lab-kernel.h"
#include "lab-yield.h"

/* How often (in inner steps) a kernel looks at its cancellable. It passes
 * a check point there too: where a thread behind an interpreter lock (the
 * emulated GIL) may hand it over. */
#define CHECK_EVERY 65536

static inline gboolean
cancelled (GCancellable *cancellable)
{
  return cancellable != NULL && g_cancellable_is_cancelled (cancellable);
}

/* Σ i² over [begin, end), modulo 2^64. */
static guint64
kernel_sumsq (guint64       size,
              guint64       begin,
              guint64       end,
              guint         task,
              guint         tasks,
              GCancellable *cancellable)
{
  guint64 sum = 0;

  for (guint64 block = begin; block < end; block += CHECK_EVERY)
    {
      guint64 stop = MIN (end, block + CHECK_EVERY);

      if (cancelled (cancellable))
        break;
      lab_yield_check_point ();
      for (guint64 i = block; i < stop; i++)
        sum += i * i;
    }

  return sum;
}

static gboolean
is_prime (guint64 n)
{
  if (n < 2)
    return FALSE;
  if (n < 4)
    return TRUE;
  if (n % 2 == 0)
    return FALSE;
  for (guint64 d = 3; d * d <= n; d += 2)
    if (n % d == 0)
      return FALSE;
  return TRUE;
}

#define PRIMES_BLOCK 4096

/* Number of primes below @size by trial division, over blocks of
 * PRIMES_BLOCK numbers dealt round-robin to the tasks (block b goes to task
 * b mod tasks). A number's cost grows with √n, so contiguous slices would
 * give the last task several times the work of the first and the schedule
 * would measure that imbalance rather than the mode. The count is the same
 * however the numbers are dealt. */
static guint64
kernel_primes (guint64       size,
               guint64       begin,
               guint64       end,
               guint         task,
               guint         tasks,
               GCancellable *cancellable)
{
  guint64 count = 0;

  for (guint64 block = (guint64) task * PRIMES_BLOCK; block < size; block += (guint64) tasks * PRIMES_BLOCK)
    {
      guint64 stop = MIN (size, block + PRIMES_BLOCK);

      if (cancelled (cancellable))
        break;
      lab_yield_check_point ();
      for (guint64 n = block; n < stop; n++)
        count += is_prime (n);
    }

  return count;
}

static inline guint64
splitmix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* Monte Carlo π: the number of points of the unit square that fall in the
 * quarter circle, drawn by a 64-bit LCG seeded from the task index. Integer
 * arithmetic only, so the count is bit-identical everywhere. */
static guint64
kernel_pi (guint64       size,
           guint64       begin,
           guint64       end,
           guint         task,
           guint         tasks,
           GCancellable *cancellable)
{
  const guint64 radius2 = G_GUINT64_CONSTANT (1) << 62;
  guint64 state = splitmix64 (task + 1);
  guint64 hits = 0;

  for (guint64 block = begin; block < end; block += CHECK_EVERY)
    {
      guint64 stop = MIN (end, block + CHECK_EVERY);

      if (cancelled (cancellable))
        break;
      lab_yield_check_point ();
      for (guint64 i = block; i < stop; i++)
        {
          guint64 x, y;

          state = state * G_GUINT64_CONSTANT (6364136223846793005) + G_GUINT64_CONSTANT (1442695040888963407);
          x = state >> 33;
          state = state * G_GUINT64_CONSTANT (6364136223846793005) + G_GUINT64_CONSTANT (1442695040888963407);
          y = state >> 33;
          hits += (x * x + y * y) < radius2;
        }
    }

  return hits;
}

#define MANDELBROT_WIDTH    1024
#define MANDELBROT_MAX_ITER 256

/* Escape-time iterations summed over pixels [begin, end) of an image
 * MANDELBROT_WIDTH wide, as many rows high as @size needs. */
static guint64
kernel_mandelbrot (guint64       size,
                   guint64       begin,
                   guint64       end,
                   guint         task,
                   guint         tasks,
                   GCancellable *cancellable)
{
  guint64 rows = MAX (1, (size + MANDELBROT_WIDTH - 1) / MANDELBROT_WIDTH);
  guint64 total = 0;

  for (guint64 p = begin; p < end; p++)
    {
      double cx = -2.0 + 3.0 * (double) (p % MANDELBROT_WIDTH) / MANDELBROT_WIDTH;
      double cy = -1.5 + 3.0 * (double) (p / MANDELBROT_WIDTH) / (double) rows;
      double x = 0, y = 0;
      guint it = 0;

      if ((p & 0x3ff) == 0)
        {
          if (cancelled (cancellable))
            break;
          lab_yield_check_point ();
        }
      while (it < MANDELBROT_MAX_ITER && x * x + y * y <= 4.0)
        {
          double xt = x * x - y * y + cx;

          y = 2.0 * x * y + cy;
          x = xt;
          it++;
        }
      total += it;
    }

  return total;
}

/* A SHA-256 chain over [begin, end): the digest of the first index, then the
 * digest of each digest; the checksum is the first 8 bytes of the last one. */
static guint64
kernel_hash (guint64       size,
             guint64       begin,
             guint64       end,
             guint         task,
             guint         tasks,
             GCancellable *cancellable)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32] = { 0 };
  gsize digest_len = sizeof digest;
  guint64 seed = GUINT64_TO_LE (begin);
  guint64 result = 0;

  if (begin >= end)
    return 0;

  g_checksum_update (checksum, (const guint8 *) &seed, sizeof seed);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (guint64 i = begin + 1; i < end; i++)
    {
      if ((i & 0x3ff) == 0)
        {
          if (cancelled (cancellable))
            break;
          lab_yield_check_point ();
        }
      g_checksum_reset (checksum);
      g_checksum_update (checksum, digest, sizeof digest);
      digest_len = sizeof digest;
      g_checksum_get_digest (checksum, digest, &digest_len);
    }

  memcpy (&result, digest, sizeof result);
  return GUINT64_FROM_LE (result);
}

static inline guint32
matmul_a (guint64 i,
          guint64 k)
{
  return (guint32) ((i * 7 + k * 3) % 101);
}

static inline guint32
matmul_b (guint64 k,
          guint64 j)
{
  return (guint32) ((k * 5 + j * 11) % 97);
}

#define MATMUL_CHECK_EVERY 4096

/* Rows [begin, end) of C = A·B for two generated n×n integer matrices
 * (n = @size); the checksum weights each C[i][j] by its position. */
static guint64
kernel_matmul (guint64       size,
               guint64       begin,
               guint64       end,
               guint         task,
               guint         tasks,
               GCancellable *cancellable)
{
  guint64 n = size;
  g_autofree guint32 *b = NULL;
  g_autofree guint64 *row = NULL;
  guint64 checksum = 0;
  guint64 since_check = 0;
  gsize cells;

  /* n stays within the kernel's maximum (lab_workload_check()); were it
   * not, n·n must not wrap into a small allocation written past its end. */
  if (n == 0 || begin >= end || n > G_MAXSIZE || !g_size_checked_mul (&cells, n, n))
    return 0;

  b = g_new (guint32, cells);
  row = g_new (guint64, n);
  for (guint64 k = 0; k < n; k++)
    for (guint64 j = 0; j < n; j++)
      b[k * n + j] = matmul_b (k, j);

  for (guint64 i = begin; i < end; i++)
    {
      if (cancelled (cancellable))
        break;
      lab_yield_check_point ();
      memset (row, 0, n * sizeof *row);
      for (guint64 k = 0; k < n; k++)
        {
          guint64 aik = matmul_a (i, k);
          const guint32 *brow = b + k * n;

          for (guint64 j = 0; j < n; j++)
            row[j] += aik * brow[j];
          /* A row of a large matrix is millions of steps: check points
           * within it too, every few thousand multiply-adds. */
          since_check += n;
          if (since_check >= MATMUL_CHECK_EVERY)
            {
              since_check = 0;
              lab_yield_check_point ();
            }
        }
      for (guint64 j = 0; j < n; j++)
        checksum += row[j] * (i * n + j + 1);
    }

  return checksum;
}

static guint64
kernel_noop (guint64       size,
             guint64       begin,
             guint64       end,
             guint         task,
             guint         tasks,
             GCancellable *cancellable)
{
  return task;
}

static guint64
matmul_rows (guint64 size)
{
  return size;
}

static const LabKernel kernels[] = {
  { "sumsq", N_("Sum of squares"), N_("Σ i² over a range of integers: the seed articles' example"),
    G_GUINT64_CONSTANT (400000000), G_GUINT64_CONSTANT (1000000000000), kernel_sumsq, NULL, FALSE },
  { "primes", N_("Prime count"), N_("Counts primes by trial division: branchy integer work, dealt in interleaved blocks"),
    2000000, G_GUINT64_CONSTANT (10000000000), kernel_primes, NULL, FALSE },
  { "pi", N_("Monte Carlo π"), N_("Estimates π from random points with a seeded generator per task"),
    60000000, G_GUINT64_CONSTANT (1000000000000), kernel_pi, NULL, FALSE },
  { "mandelbrot", N_("Mandelbrot set"), N_("Escape-time iterations per pixel: floating-point work"),
    1024 * 768, G_GUINT64_CONSTANT (1) << 32, kernel_mandelbrot, NULL, FALSE },
  { "hash", N_("SHA-256 chains"), N_("Hashes each digest again: one long dependent chain per task"),
    400000, G_GUINT64_CONSTANT (10000000000), kernel_hash, NULL, FALSE },
  { "matmul", N_("Matrix product"), N_("Multiplies two n×n integer matrices, rows split across tasks"),
    600, 4096, kernel_matmul, matmul_rows, FALSE },
  { "noop", N_("No-op"), N_("Does nothing: measures the cost of dispatching a task"),
    1, G_GUINT64_CONSTANT (1000000000000), kernel_noop, NULL, TRUE },
};

static const LabKernel *kernel_pointers[] = {
  &kernels[0], &kernels[1], &kernels[2], &kernels[3], &kernels[4], &kernels[5], &kernels[6], NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (kernel_pointers) == G_N_ELEMENTS (kernels) + 1);

/**
 * lab_kernel_list:
 * @n_kernels: (out) (optional): number of kernels
 *
 * Returns: (transfer none): a NULL-terminated array of every kernel
 */
const LabKernel **
lab_kernel_list (guint *n_kernels)
{
  if (n_kernels != NULL)
    *n_kernels = G_N_ELEMENTS (kernels);
  return kernel_pointers;
}

/**
 * lab_kernel_lookup:
 * @name: a kernel name such as "primes"
 *
 * Returns: (transfer none) (nullable): the kernel, or NULL
 */
const LabKernel *
lab_kernel_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (g_str_equal (kernels[i].name, name))
      return &kernels[i];
  return NULL;
}

/**
 * lab_kernel_names:
 *
 * Returns: (transfer full): the names of the kernels offered to users,
 *   separated by ", "
 */
char *
lab_kernel_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    {
      if (kernels[i].hidden)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, kernels[i].name);
    }
  return g_string_free (names, FALSE);
}

/**
 * lab_kernel_task_slice:
 *
 * The slice [n·t/T, n·(t+1)/T) of task @task among @tasks, where n is the
 * size of what the kernel slices (the matrix rows for matmul).
 */
void
lab_kernel_task_slice (const LabKernel *kernel,
                       guint64          size,
                       guint            task,
                       guint            tasks,
                       guint64         *begin,
                       guint64         *end)
{
  guint64 n;

  g_return_if_fail (kernel != NULL);
  g_return_if_fail (tasks > 0 && task < tasks);

  n = kernel->slice_size != NULL ? kernel->slice_size (size) : size;
  *begin = (guint64) (((unsigned __int128) n * task) / tasks);
  *end = (guint64) (((unsigned __int128) n * (task + 1)) / tasks);
}

guint64
lab_kernel_run_task (const LabKernel *kernel,
                     guint64          size,
                     guint            task,
                     guint            tasks,
                     GCancellable    *cancellable)
{
  guint64 begin, end;

  g_return_val_if_fail (kernel != NULL, 0);

  lab_kernel_task_slice (kernel, size, task, tasks, &begin, &end);
  return kernel->func (size, begin, end, task, tasks, cancellable);
}

double
lab_kernel_pi_estimate (guint64 size,
                        guint64 hits)
{
  return size > 0 ? 4.0 * (double) hits / (double) size : NAN;
}
