/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"

/* W threads increment one shared 64-bit counter K times each: without
 * synchronisation (updates get lost when two read-modify-writes overlap),
 * under a mutex, and with an atomic add. */

#define REPEATS          3
/* Each thread looks at the cancellable this often. */
#define CHECK_EVERY      (1 << 15)

typedef enum
{
  VARIANT_NONE,
  VARIANT_MUTEX,
  VARIANT_ATOMIC,
  N_VARIANTS
} Variant;

/* @increments: of all threads together, per repetition. A contended
 * mutex takes tens of nanoseconds per increment: a few million stay well
 * under half a second. Unsynchronised increments cost a hundred times
 * less: ten times as many take milliseconds, long enough for threads on
 * a busy machine to overlap. */
static const struct
{
  const char *name;
  const char *title;
  guint64     increments;
} variants[N_VARIANTS] = {
  [VARIANT_NONE] = { "none", N_("No synchronisation"), 40000000 },
  [VARIANT_MUTEX] = { "mutex", N_("Mutex"), 4000000 },
  [VARIANT_ATOMIC] = { "atomic", N_("Atomic add"), 4000000 },
};

/* What the threads of one measurement share. */
typedef struct
{
  Variant       variant;
  guint64       increments;   /* per thread */
  GCancellable *cancellable;
  GMutex        mutex;
  gint          ready;        /* threads waiting at the start line */
  gint          go;
  gint64        end_us;       /* when the last thread finished */
  /* Alone on its cache line, so that only the threads' own accesses to it
   * collide, not accesses to the fields above. */
  guint64       counter __attribute__ ((aligned (64)));
} Race;

/* The unsynchronised increment: a load, an add in a register and a
 * store, as a Python "counter += 1" does. Through a volatile pointer, so
 * that the compiler keeps one load and one store per increment; and with
 * the value passed through an empty asm statement, so that it cannot
 * make them one read-modify-write instruction either (clang turns the
 * volatile "*counter = *counter + 1" into an unlocked "add" to memory,
 * which lost no update in 40 million on a two-core machine). */
static void
count_plain (volatile guint64 *counter,
             guint64           n)
{
  for (guint64 i = 0; i < n; i++)
    {
      guint64 value = *counter;

      __asm__ volatile ("" : "+r" (value));
      *counter = value + 1;
    }
}

static void
count_mutex (Race    *race,
             guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    {
      g_mutex_lock (&race->mutex);
      race->counter++;
      g_mutex_unlock (&race->mutex);
    }
}

static void
count_atomic (Race    *race,
              guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    __atomic_fetch_add (&race->counter, 1, __ATOMIC_RELAXED);
}

static gpointer
race_thread (gpointer data)
{
  Race *race = data;
  gint64 end_us;

  /* Wait at the start line, spinning, so that all threads start within
   * microseconds of each other rather than one wake-up after another. */
  g_atomic_int_inc (&race->ready);
  while (!g_atomic_int_get (&race->go))
    g_thread_yield ();

  for (guint64 done = 0; done < race->increments && !g_cancellable_is_cancelled (race->cancellable);)
    {
      guint64 n = MIN (CHECK_EVERY, race->increments - done);

      switch (race->variant)
        {
        case VARIANT_NONE:
          count_plain (&race->counter, n);
          break;
        case VARIANT_MUTEX:
          count_mutex (race, n);
          break;
        case VARIANT_ATOMIC:
          count_atomic (race, n);
          break;
        case N_VARIANTS:
        default:
          g_assert_not_reached ();
        }
      done += n;
    }

  end_us = g_get_monotonic_time ();
  g_mutex_lock (&race->mutex);
  race->end_us = MAX (race->end_us, end_us);
  g_mutex_unlock (&race->mutex);
  return NULL;
}

/* Runs one race of @n_threads threads; @lost and @ns_per_increment get
 * its outcome. */
static gboolean
race_once (Variant        variant,
           guint          n_threads,
           guint64        increments,
           GCancellable  *cancellable,
           double        *lost,
           double        *ns_per_increment,
           GError       **error)
{
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  Race *race = g_aligned_alloc0 (1, sizeof (Race), 64);
  guint64 expected = increments * n_threads;
  guint started = 0;
  gboolean ok;
  gint64 t0;

  race->variant = variant;
  race->increments = increments;
  race->cancellable = cancellable;
  g_mutex_init (&race->mutex);

  while (started < n_threads &&
         (threads[started] = g_thread_try_new ("lab-race", race_thread, race, error)) != NULL)
    started++;
  while (g_atomic_int_get (&race->ready) < (gint) started)
    g_thread_yield ();
  t0 = g_get_monotonic_time ();
  g_atomic_int_set (&race->go, 1);
  for (guint i = 0; i < started; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&race->mutex);

  ok = started == n_threads && !g_cancellable_set_error_if_cancelled (cancellable, error);
  if (ok)
    {
      *lost = (double) (expected - race->counter);
      *ns_per_increment = (race->end_us - t0) * 1000.0 / expected;
    }
  g_aligned_free (race);
  return ok;
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  GCancellable *cancellable = lab_overhead_context_get_cancellable (ctx);
  guint n_threads = MAX (2, lab_machine_n_cpus ());

  for (guint r = 0; r < REPEATS; r++)
    for (Variant v = 0; v < N_VARIANTS; v++)
      {
        guint64 increments = variants[v].increments / n_threads;
        double lost, ns;

        if (!race_once (v, n_threads, increments, cancellable, &lost, &ns, error))
          return FALSE;
        lab_overhead_context_add_point (ctx, variants[v].name, "expected", "threads", n_threads,
                                        increments * n_threads, "updates", r);
        lab_overhead_context_add_point (ctx, variants[v].name, "lost", "threads", n_threads, lost, "updates", r);
        lab_overhead_context_add_point (ctx, variants[v].name, "per_increment", "threads", n_threads, ns, "ns", r);
        lab_overhead_context_set_progress (ctx, (r * N_VARIANTS + v + 1) / (double) (REPEATS * N_VARIANTS));
      }
  return TRUE;
}

/* The number of threads the points were measured with, or 0. */
static guint
measured_threads (GPtrArray *points)
{
  g_autoptr(GArray) values = lab_overhead_points_parameters (points, "lost");

  return values->len > 0 ? (guint) g_array_index (values, double, values->len - 1) : 0;
}

static LabOverheadTable *
variant_table (GPtrArray  *points,
               guint       n_threads,
               const char *metric,
               const char *title,
               const char *y_label,
               const char *unit)
{
  LabOverheadTable *table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, title, _("Threads"), y_label, unit);
  /* TRANSLATORS: the one group of bars: how many threads raced */
  g_autofree char *column = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads", n_threads),
                                             n_threads);

  lab_overhead_table_add_column (table, column, n_threads);
  for (Variant v = 0; v < N_VARIANTS; v++)
    {
      double value = lab_overhead_points_median (points, variants[v].name, metric, n_threads);

      if (isfinite (value))
        lab_overhead_series_set (lab_overhead_table_add_series (table, _(variants[v].title)), 0, value);
    }
  return table;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  guint n_threads = measured_threads (points);

  if (n_threads == 0)
    return tables;
  g_ptr_array_add (tables, variant_table (points, n_threads, "lost", _("Lost updates"),
                                          _("Updates lost"), "updates"));
  g_ptr_array_add (tables, variant_table (points, n_threads, "per_increment", _("Cost of one increment"),
                                          _("Time per increment"), "ns"));
  return tables;
}

/* What the unsynchronised threads lost, and why it may be nothing. */
static char *
lost_sentence (GPtrArray *points,
               guint      n_threads)
{
  double lost = lab_overhead_points_median (points, "none", "lost", n_threads);
  double expected = lab_overhead_points_median (points, "none", "expected", n_threads);
  g_autofree char *lost_text = lab_format_count ((guint64) lost);
  g_autofree char *expected_text = lab_format_count ((guint64) expected);
  g_autofree char *share = lab_format_number (100 * lost / expected);

  if (lost > 0)
    /* TRANSLATORS: %u threads, then a count, a total and a percentage */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Without a lock, %u thread lost %s of %s updates (%s %%).",
                                         "Without a lock, %u threads lost %s of %s updates (%s %%).",
                                         n_threads),
                            n_threads, lost_text, expected_text, share);
  if (lab_machine_n_cpus () < 2)
    return g_strdup (_("Without a lock no update was lost: with one core the threads only take turns, "
                       "and an update is lost only when a thread is preempted in the middle of one."));
  return g_strdup (_("Without a lock no update was lost in this run: the threads did not overlap (the "
                     "machine may be busy), which does not make the unsynchronised counter safe."));
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  guint n_threads = measured_threads (points);
  double mutex_lost, atomic_lost;
  g_autofree char *lost = NULL;
  g_autofree char *none_ns = NULL;
  g_autofree char *mutex_ns = NULL;
  g_autofree char *atomic_ns = NULL;

  if (n_threads == 0 || !isfinite (lab_overhead_points_median (points, "none", "lost", n_threads)))
    return NULL;

  lost = lost_sentence (points, n_threads);
  mutex_lost = lab_overhead_points_median (points, "mutex", "lost", n_threads);
  atomic_lost = lab_overhead_points_median (points, "atomic", "lost", n_threads);
  none_ns = lab_format_number (lab_overhead_points_median (points, "none", "per_increment", n_threads));
  mutex_ns = lab_format_number (lab_overhead_points_median (points, "mutex", "per_increment", n_threads));
  atomic_ns = lab_format_number (lab_overhead_points_median (points, "atomic", "per_increment", n_threads));

  if (!isfinite (mutex_lost) || !isfinite (atomic_lost))
    /* TRANSLATORS: the first %s is a sentence, the second a number of nanoseconds */
    return g_strdup_printf (_("%s An unsynchronised increment cost %s ns."), lost, none_ns);
  if (mutex_lost == 0 && atomic_lost == 0)
    /* TRANSLATORS: the first %s is a sentence, then three numbers of nanoseconds */
    return g_strdup_printf (_("%s With a mutex or atomics none were lost. One increment cost %s ns "
                              "unsynchronised, %s ns with the mutex and %s ns with an atomic add."),
                            lost, none_ns, mutex_ns, atomic_ns);
  /* TRANSLATORS: the first %s is a sentence, then three numbers of nanoseconds */
  return g_strdup_printf (_("%s Updates were lost even with a mutex or atomics, which means the "
                            "measurement is broken. One increment cost %s ns unsynchronised, %s ns "
                            "with the mutex and %s ns with an atomic add."),
                          lost, none_ns, mutex_ns, atomic_ns);
}

const LabOverheadExperiment lab_overhead_race_experiment = {
  .kind = LAB_OVERHEAD_RACE,
  .name = "race",
  .title = N_("Race condition"),
  .description = N_("As many threads as cores (at least two) increment one shared 64-bit counter, "
                    "started together: without synchronisation, under a mutex and with an atomic add. "
                    "Lost updates are the expected count minus the final one; the time per increment "
                    "is the wall time divided by all increments."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
