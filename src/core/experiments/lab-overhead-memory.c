/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-error.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"

/* What keeping a unit of concurrency alive costs in memory: N parked
 * threads, measured as the growth of this process, against N ready worker
 * processes, measured as the memory of each. */

#define REPEATS            3
/* Interpreters take tens of milliseconds to start and megabytes each:
 * ten are enough. */
#define CPYTHON_COUNT      10
/* For the progress only: an interpreter's start, in worker starts. */
#define CPYTHON_WEIGHT     10
#define ROUGH_SPREAD       0.5

static const guint counts[] = { 10, 100, 300 };

static const char *metrics[] = { "rss", "pss", "uss" };

/* The series of the chart, in order; the memory of parked threads is
 * their own pages, so their PSS says nothing their USS does not. */
static const struct
{
  const char *variant;
  const char *metric;
  const char *title;
} series_list[] = {
  { "threads", "rss", N_("Threads (RSS)") },
  { "threads", "uss", N_("Threads (USS)") },
  { "processes", "rss", N_("Processes (RSS)") },
  { "processes", "pss", N_("Processes (PSS)") },
  { "processes", "uss", N_("Processes (USS)") },
  { "cpython", "rss", N_("CPython (RSS)") },
  { "cpython", "uss", N_("CPython (USS)") },
};

/* Threads wait here, doing nothing, until released. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  guint    parked;
  gboolean release;
} Parking;

static gpointer
parked_thread (gpointer data)
{
  Parking *parking = data;

  g_mutex_lock (&parking->mutex);
  parking->parked++;
  g_cond_broadcast (&parking->cond);
  while (!parking->release)
    g_cond_wait (&parking->cond, &parking->mutex);
  g_mutex_unlock (&parking->mutex);
  return NULL;
}

/* Waits until @n threads are parked, or the cancellable fires. */
static gboolean
wait_parked (Parking      *parking,
             guint         n,
             GCancellable *cancellable)
{
  gboolean all;

  g_mutex_lock (&parking->mutex);
  while (parking->parked < n && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&parking->cond, &parking->mutex, g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
  all = parking->parked == n;
  g_mutex_unlock (&parking->mutex);
  return all;
}

static void
add_points (LabOverheadContext     *ctx,
            const char             *variant,
            guint                   n,
            double                  rss_kib,
            double                  pss_kib,
            double                  uss_kib,
            gboolean                detailed,
            guint                   repeat)
{
  double values[] = { rss_kib, pss_kib, uss_kib };

  for (guint m = 0; m < (detailed ? G_N_ELEMENTS (metrics) : 1); m++)
    lab_overhead_context_add_point (ctx, variant, metrics[m], "count", n, values[m] / n, "KiB", repeat);
}

/* Starts @n threads that park, and measures how much this process grew
 * once they all are parked. */
static gboolean
measure_threads (LabOverheadContext  *ctx,
                 guint                n,
                 guint                repeat,
                 GError             **error)
{
  GCancellable *cancellable = lab_overhead_context_get_cancellable (ctx);
  g_autofree GThread **threads = g_new0 (GThread *, n);
  Parking parking = { 0 };
  LabProcessMemory before, after;
  guint started = 0;
  gboolean ok;

  if (!lab_machine_process_memory (0, &before))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("The memory of this process cannot be read"));
      return FALSE;
    }

  g_mutex_init (&parking.mutex);
  g_cond_init (&parking.cond);
  while (started < n &&
         (threads[started] = g_thread_try_new ("lab-parked", parked_thread, &parking, error)) != NULL)
    started++;
  ok = started == n;
  /* They only fail to park when the experiment is cancelled. */
  if (ok && !wait_parked (&parking, n, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      ok = FALSE;
    }
  if (ok && !lab_machine_process_memory (0, &after))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("The memory of this process cannot be read"));
      ok = FALSE;
    }

  g_mutex_lock (&parking.mutex);
  parking.release = TRUE;
  g_cond_broadcast (&parking.cond);
  g_mutex_unlock (&parking.mutex);
  for (guint i = 0; i < started; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&parking.mutex);
  g_cond_clear (&parking.cond);

  if (ok)
    add_points (ctx, "threads", n,
                (double) after.rss_kib - before.rss_kib, (double) after.pss_kib - before.pss_kib,
                (double) after.uss_kib - before.uss_kib, before.detailed && after.detailed, repeat);
  return ok;
}

/* Starts @n workers of @argv and sums their memory once they are ready. */
static gboolean
measure_workers (LabOverheadContext  *ctx,
                 const char          *variant,
                 const char * const  *argv,
                 guint                n,
                 guint                repeat,
                 GError             **error)
{
  g_autoptr(LabOverheadWorkers) workers = NULL;
  guint64 rss = 0, pss = 0, uss = 0;
  gboolean detailed = TRUE;

  workers = lab_overhead_workers_start (argv, n, lab_overhead_context_get_cancellable (ctx), error);
  if (workers == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      LabProcessMemory memory;

      if (!lab_machine_process_memory (lab_overhead_workers_get_pid (workers, i), &memory))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("The memory of a worker process cannot be read"));
          return FALSE;
        }
      rss += memory.rss_kib;
      pss += memory.pss_kib;
      uss += memory.uss_kib;
      detailed &= memory.detailed;
    }
  add_points (ctx, variant, n, rss, pss, uss, detailed, repeat);
  return TRUE;
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  const char *worker_argv[] = { lab_overhead_context_get_worker_path (ctx), NULL };
  g_auto(GStrv) python_argv = lab_overhead_workers_python_argv ();
  double total = 0, done = 0;

  /* Progress counts the units started. */
  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    total += REPEATS * counts[c];
  if (python_argv != NULL)
    total += REPEATS * CPYTHON_WEIGHT * CPYTHON_COUNT;

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    for (guint r = 0; r < REPEATS; r++)
      {
        if (!measure_threads (ctx, counts[c], r, error) ||
            !measure_workers (ctx, "processes", worker_argv, counts[c], r, error))
          return FALSE;
        done += counts[c];
        lab_overhead_context_set_progress (ctx, done / total);

        if (python_argv != NULL && counts[c] == CPYTHON_COUNT)
          {
            if (!measure_workers (ctx, "cpython", (const char * const *) python_argv, CPYTHON_COUNT, r, error))
              return FALSE;
            done += CPYTHON_WEIGHT * CPYTHON_COUNT;
            lab_overhead_context_set_progress (ctx, done / total);
          }
      }
  return TRUE;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  g_autoptr(GArray) ns = lab_overhead_points_parameters (points, "rss");
  LabOverheadTable *table;

  if (ns->len == 0)
    return tables;

  table = lab_overhead_table_new (LAB_OVERHEAD_CHART_LINES, _("Memory per thread or process"),
                                  _("Threads or processes"), _("Added memory each"), "KiB");
  table->log_x = TRUE;
  table->log_y = TRUE;
  for (guint i = 0; i < ns->len; i++)
    {
      g_autofree char *label = lab_format_count (g_array_index (ns, double, i));

      lab_overhead_table_add_column (table, label, g_array_index (ns, double, i));
    }
  for (guint s = 0; s < G_N_ELEMENTS (series_list); s++)
    {
      LabOverheadSeries *series = NULL;

      for (guint i = 0; i < ns->len; i++)
        {
          double value = lab_overhead_points_median (points, series_list[s].variant, series_list[s].metric,
                                                     g_array_index (ns, double, i));

          if (!isfinite (value))
            continue;
          if (series == NULL)
            series = lab_overhead_table_add_series (table, _(series_list[s].title));
          lab_overhead_series_set (series, i, value);
        }
    }
  g_ptr_array_add (tables, table);
  return tables;
}

/* The largest count at which both threads and processes were measured, or 0. */
static guint
largest_common_count (GPtrArray *points)
{
  for (guint c = G_N_ELEMENTS (counts); c > 0; c--)
    if (isfinite (lab_overhead_points_median (points, "threads", "rss", counts[c - 1])) &&
        isfinite (lab_overhead_points_median (points, "processes", "rss", counts[c - 1])))
      return counts[c - 1];
  return 0;
}

static char *
format_kib (double kib)
{
  return lab_format_bytes ((guint64) (MAX (kib, 0) * 1024));
}

/* "A parked thread added 12 KiB; a worker process 1.9 MiB of its own
 * memory (USS) and 3.4 MiB RSS, 160× a thread (300 of each)." */
static char *
native_sentence (GPtrArray *points,
                 guint      n,
                 gboolean  *rough)
{
  double thread_uss = lab_overhead_points_median (points, "threads", "uss", n);
  double thread = isfinite (thread_uss) ? thread_uss : lab_overhead_points_median (points, "threads", "rss", n);
  double process_rss = lab_overhead_points_median (points, "processes", "rss", n);
  double process_uss = lab_overhead_points_median (points, "processes", "uss", n);
  double process = isfinite (process_uss) ? process_uss : process_rss;
  g_autofree char *thread_text = format_kib (thread);
  g_autofree char *rss_text = format_kib (process_rss);
  g_autofree char *uss_text = format_kib (process_uss);
  g_autofree char *ratio = lab_format_number (process / thread);

  *rough = lab_overhead_points_spread (points, "threads", isfinite (thread_uss) ? "uss" : "rss", n) > ROUGH_SPREAD;

  if (!(thread > 0))
    {
      if (!isfinite (process_uss))
        /* TRANSLATORS: %s is a size, %u how many of each were started */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "A parked thread added no measurable memory; a worker process "
                                             "took %s RSS (%u of each).",
                                             "A parked thread added no measurable memory; a worker process "
                                             "took %s RSS (%u of each).", n),
                                rss_text, n);
      /* TRANSLATORS: the %s are sizes, %u how many of each were started */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "A parked thread added no measurable memory; a worker process "
                                           "took %s of its own memory (USS) and %s RSS (%u of each).",
                                           "A parked thread added no measurable memory; a worker process "
                                           "took %s of its own memory (USS) and %s RSS (%u of each).", n),
                              uss_text, rss_text, n);
    }
  if (!isfinite (process_uss))
    /* TRANSLATORS: the %s are sizes and a ratio, %u how many of each were started */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "A parked thread added %s; a worker process %s RSS, %s× a thread "
                                         "(%u of each).",
                                         "A parked thread added %s; a worker process %s RSS, %s× a thread "
                                         "(%u of each).", n),
                            thread_text, rss_text, ratio, n);
  /* TRANSLATORS: the %s are sizes and a ratio, %u how many of each were started */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "A parked thread added %s; a worker process %s of its own memory (USS) "
                                       "and %s RSS, %s× a thread (%u of each).",
                                       "A parked thread added %s; a worker process %s of its own memory (USS) "
                                       "and %s RSS, %s× a thread (%u of each).", n),
                          thread_text, uss_text, rss_text, ratio, n);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  guint n = largest_common_count (points);
  double python_uss = lab_overhead_points_median (points, "cpython", "uss", CPYTHON_COUNT);
  double python_rss = lab_overhead_points_median (points, "cpython", "rss", CPYTHON_COUNT);
  g_autofree char *native = NULL;
  g_autoptr(GString) text = NULL;
  gboolean rough = FALSE;

  if (n == 0)
    return NULL;

  native = native_sentence (points, n, &rough);
  text = g_string_new (native);
  if (isfinite (python_rss))
    {
      g_autofree char *size = format_kib (isfinite (python_uss) ? python_uss : python_rss);

      g_string_append_c (text, ' ');
      if (isfinite (python_uss))
        /* TRANSLATORS: %s is a size */
        g_string_append_printf (text, _("A CPython worker took %s of its own."), size);
      else
        /* TRANSLATORS: %s is a size */
        g_string_append_printf (text, _("A CPython worker took %s RSS."), size);
    }
  if (rough)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, _("The threads’ figure varied by more than half between repetitions: "
                               "this process’s other allocations blur it."));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

const LabOverheadExperiment lab_overhead_memory_experiment = {
  .kind = LAB_OVERHEAD_MEMORY,
  .name = "memory",
  .title = N_("Memory"),
  .description = N_("Parks 10, 100 and 300 threads and measures how much this process grew (RSS, and "
                    "PSS and USS from /proc/self/smaps_rollup), then starts as many worker processes "
                    "and sums their own memory once they are ready; each figure is per thread or process."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
