/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <spawn.h>
#include <sys/wait.h>

#include "lab-error.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"

/* What it costs to start a unit of concurrency: N threads, N worker
 * processes, N bare processes, N Python interpreters, each batch started
 * at once and timed until every unit is running (joined, for the
 * threads and the bare processes). */

#define REPEATS            3
/* An interpreter takes tens of milliseconds: ten of them are enough. */
#define CPYTHON_MAX_COUNT  10
#define TRUE_PATH          "/bin/true"
/* Repeats more than this far apart (max − min over the median) make the
 * figures rough. */
#define ROUGH_SPREAD       0.5

extern char **environ;

static const guint counts[] = { 1, 10, 100 };

typedef enum
{
  VARIANT_THREADS,
  VARIANT_PROCESSES,
  VARIANT_SPAWN,
  VARIANT_CPYTHON,
  N_VARIANTS
} Variant;

static const struct
{
  const char *name;
  const char *title;
  double      weight;   /* for the progress only: a start's rough cost, in worker starts */
} variants[N_VARIANTS] = {
  [VARIANT_THREADS] = { "threads", N_("Threads"), 0.02 },
  [VARIANT_PROCESSES] = { "processes", N_("Worker processes"), 1 },
  [VARIANT_SPAWN] = { "posix_spawn", N_("posix_spawn of /bin/true"), 0.3 },
  [VARIANT_CPYTHON] = { "cpython", N_("CPython interpreters"), 30 },
};

static gpointer
noop_thread (gpointer data)
{
  return data;
}

/* Starts @n threads, then joins them. */
static gboolean
start_threads (guint    n,
               gint64  *elapsed_us,
               GError **error)
{
  g_autofree GThread **threads = g_new0 (GThread *, n);
  gint64 t0 = g_get_monotonic_time ();
  guint started = 0;

  while (started < n && (threads[started] = g_thread_try_new ("lab-startup", noop_thread, NULL, error)) != NULL)
    started++;
  for (guint i = 0; i < started; i++)
    g_thread_join (threads[i]);
  *elapsed_us = g_get_monotonic_time () - t0;
  return started == n;
}

/* Starts @n worker processes of @argv and waits until all are ready;
 * stopping them is not counted. */
static gboolean
start_workers (const char * const  *argv,
               guint                n,
               GCancellable        *cancellable,
               gint64              *elapsed_us,
               GError             **error)
{
  g_autoptr(LabOverheadWorkers) workers = NULL;
  gint64 t0 = g_get_monotonic_time ();

  workers = lab_overhead_workers_start (argv, n, cancellable, error);
  *elapsed_us = g_get_monotonic_time () - t0;
  return workers != NULL;
}

/* Starts @n processes of /bin/true with libc's posix_spawn(), then reaps
 * them with waitpid(). */
static gboolean
spawn_true (guint          n,
            GCancellable  *cancellable,
            gint64        *elapsed_us,
            GError       **error)
{
  g_autofree pid_t *pids = g_new0 (pid_t, n);
  char *argv[] = { (char *) TRUE_PATH, NULL };
  gint64 t0 = g_get_monotonic_time ();
  guint started = 0;
  int rc = 0;

  while (started < n && !g_cancellable_is_cancelled (cancellable) &&
         (rc = posix_spawn (&pids[started], TRUE_PATH, NULL, NULL, argv, environ)) == 0)
    started++;
  for (guint i = 0; i < started; i++)
    while (waitpid (pids[i], NULL, 0) < 0 && errno == EINTR)
      ;
  *elapsed_us = g_get_monotonic_time () - t0;

  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (rc),
                   "posix_spawn %s: %s", TRUE_PATH, g_strerror (rc));
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
measure (LabOverheadContext  *ctx,
         Variant              variant,
         const char * const  *argv,
         guint                n,
         gint64              *elapsed_us,
         GError             **error)
{
  GCancellable *cancellable = lab_overhead_context_get_cancellable (ctx);

  switch (variant)
    {
    case VARIANT_THREADS:
      return start_threads (n, elapsed_us, error);
    case VARIANT_PROCESSES:
    case VARIANT_CPYTHON:
      return start_workers (argv, n, cancellable, elapsed_us, error);
    case VARIANT_SPAWN:
      return spawn_true (n, cancellable, elapsed_us, error);
    case N_VARIANTS:
    default:
      g_assert_not_reached ();
    }
}

/* Whether @variant is left out for @n: there is no /bin/true or no
 * interpreter, or @n interpreters would take too long. */
static gboolean
skipped (Variant             variant,
         guint               n,
         gboolean            have_true,
         const char * const *python_argv)
{
  return (variant == VARIANT_SPAWN && !have_true) ||
         (variant == VARIANT_CPYTHON && (python_argv == NULL || n > CPYTHON_MAX_COUNT));
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  GCancellable *cancellable = lab_overhead_context_get_cancellable (ctx);
  const char *worker_argv[] = { lab_overhead_context_get_worker_path (ctx), NULL };
  g_auto(GStrv) python_argv = lab_overhead_workers_python_argv ();
  gboolean have_true = g_file_test (TRUE_PATH, G_FILE_TEST_IS_EXECUTABLE);
  double total = 0, done = 0;

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    for (Variant v = 0; v < N_VARIANTS; v++)
      if (!skipped (v, counts[c], have_true, (const char * const *) python_argv))
        total += REPEATS * counts[c] * variants[v].weight;

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    for (guint r = 0; r < REPEATS; r++)
      for (Variant v = 0; v < N_VARIANTS; v++)
        {
          const char * const *argv = v == VARIANT_CPYTHON ? (const char * const *) python_argv : worker_argv;
          gint64 elapsed_us;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (skipped (v, counts[c], have_true, (const char * const *) python_argv))
            continue;
          if (!measure (ctx, v, argv, counts[c], &elapsed_us, error))
            return FALSE;
          lab_overhead_context_add_point (ctx, variants[v].name, "per_start", "count", counts[c],
                                          elapsed_us / (double) counts[c], "us", r);
          done += counts[c] * variants[v].weight;
          lab_overhead_context_set_progress (ctx, done / total);
        }
  return TRUE;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  g_autoptr(GArray) ns = lab_overhead_points_parameters (points, "per_start");
  LabOverheadTable *table;

  if (ns->len == 0)
    return tables;

  table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, _("Cost of one start"),
                                  _("Started at once"), _("Time per start"), "us");
  table->log_y = TRUE;
  for (guint i = 0; i < ns->len; i++)
    {
      g_autofree char *label = lab_format_count (g_array_index (ns, double, i));

      lab_overhead_table_add_column (table, label, g_array_index (ns, double, i));
    }
  for (Variant v = 0; v < N_VARIANTS; v++)
    {
      LabOverheadSeries *series = NULL;

      for (guint i = 0; i < ns->len; i++)
        {
          double value = lab_overhead_points_median (points, variants[v].name, "per_start",
                                                     g_array_index (ns, double, i));

          if (!isfinite (value))
            continue;
          if (series == NULL)
            series = lab_overhead_table_add_series (table, _(variants[v].title));
          lab_overhead_series_set (series, i, value);
        }
    }
  g_ptr_array_add (tables, table);
  return tables;
}

/* The largest count at which @variant (and @with, unless it is
 * N_VARIANTS) was measured, or 0. */
static guint
largest_count (GPtrArray *points,
               Variant    variant,
               Variant    with)
{
  for (guint c = G_N_ELEMENTS (counts); c > 0; c--)
    if (isfinite (lab_overhead_points_median (points, variants[variant].name, "per_start", counts[c - 1])) &&
        (with == N_VARIANTS ||
         isfinite (lab_overhead_points_median (points, variants[with].name, "per_start", counts[c - 1]))))
      return counts[c - 1];
  return 0;
}

static char *
format_us (double us)
{
  return lab_format_duration_scaled (us / G_USEC_PER_SEC, us / G_USEC_PER_SEC);
}

/* "Started 100 at a time, a thread cost 21 µs, a worker process 1.2 ms
 * (57× as much) and a bare posix_spawn of /bin/true 600 µs." */
static char *
native_sentence (GPtrArray *points,
                 guint      n,
                 gboolean  *rough)
{
  double thread = lab_overhead_points_median (points, "threads", "per_start", n);
  double process = lab_overhead_points_median (points, "processes", "per_start", n);
  double spawn = lab_overhead_points_median (points, "posix_spawn", "per_start", n);
  g_autofree char *thread_text = format_us (thread);
  g_autofree char *process_text = format_us (process);
  g_autofree char *spawn_text = format_us (spawn);
  g_autofree char *ratio = lab_format_number (process / thread);

  for (Variant v = VARIANT_THREADS; v <= VARIANT_SPAWN; v++)
    if (lab_overhead_points_spread (points, variants[v].name, "per_start", n) > ROUGH_SPREAD)
      *rough = TRUE;

  if (!isfinite (process))
    /* TRANSLATORS: %u is how many were started together, %s a duration */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Started %u at a time, a thread cost %s.",
                                         "Started %u at a time, a thread cost %s.", n),
                            n, thread_text);
  if (!isfinite (spawn))
    /* TRANSLATORS: %u is how many were started together, then two durations and a ratio */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Started %u at a time, a thread cost %s and a worker process %s (%s× as much).",
                                         "Started %u at a time, a thread cost %s and a worker process %s (%s× as much).",
                                         n),
                            n, thread_text, process_text, ratio);
  /* TRANSLATORS: %u is how many were started together, then two durations, a ratio and a duration */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Started %u at a time, a thread cost %s, a worker process %s (%s× as much) "
                                       "and a bare posix_spawn of /bin/true %s.",
                                       "Started %u at a time, a thread cost %s, a worker process %s (%s× as much) "
                                       "and a bare posix_spawn of /bin/true %s.",
                                       n),
                          n, thread_text, process_text, ratio, spawn_text);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  guint n_both = largest_count (points, VARIANT_THREADS, VARIANT_PROCESSES);
  guint n = n_both > 0 ? n_both : largest_count (points, VARIANT_THREADS, N_VARIANTS);
  guint n_python = largest_count (points, VARIANT_CPYTHON, N_VARIANTS);
  g_autoptr(GString) text = NULL;
  g_autofree char *native = NULL;
  gboolean rough = FALSE;

  if (n == 0)
    return NULL;

  native = native_sentence (points, n, &rough);
  text = g_string_new (native);
  if (n_python > 0)
    {
      double python = lab_overhead_points_median (points, "cpython", "per_start", n_python);
      g_autofree char *python_text = format_us (python);

      rough |= lab_overhead_points_spread (points, "cpython", "per_start", n_python) > ROUGH_SPREAD;
      g_string_append_c (text, ' ');
      /* TRANSLATORS: %s is a duration, %u how many were started together */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "A CPython interpreter took %s to be ready (%u started at once).",
                                                 "A CPython interpreter took %s to be ready (%u started at once).",
                                                 n_python),
                              python_text, n_python);
    }
  if (rough)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, _("The repetitions disagreed by more than half: "
                               "take these figures as rough."));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

const LabOverheadExperiment lab_overhead_startup_experiment = {
  .kind = LAB_OVERHEAD_STARTUP,
  .name = "startup",
  .title = N_("Start-up"),
  .description = N_("Starts 1, 10 and 100 threads (and joins them), worker processes as the processes "
                    "mode starts them (until each has greeted; stopping them is not counted) and bare "
                    "posix_spawn() runs of /bin/true (reaped), plus CPython interpreters when one is "
                    "found, and divides the time by the number started."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
