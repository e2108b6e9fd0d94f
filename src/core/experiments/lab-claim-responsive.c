/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-kernel.h"
#include "lab-machine.h"
#include "lab-stall-meter.h"

/*
 * C17: threads keep a GUI responsive. The main loop that asked for the
 * check (the window's, or the CLI's) answers a heartbeat while threads
 * keep every core busy, and then while the same work runs on its own
 * thread. The stall meter lives on that main context; the claim's thread
 * only posts calls to it and waits.
 */

#define HEARTBEAT_MS     5
/* CPU time of one repetition's work, calibrated on this machine */
#define WORK_QUICK_S     0.4
#define WORK_FULL_S      1.0
#define CALIBRATION_SIZE G_GUINT64_CONSTANT (4000000)

typedef struct
{
  gatomicrefcount  ref;
  GMutex           lock;
  GCond            cond;
  guint            posted;     /* calls posted to the main context */
  guint            done;       /* calls it has run */
  LabStallMeter   *meter;      /* main context only */
  GCancellable    *cancellable;
  /* what a stop read */
  double           max_ms;
  double           p99_ms;
  guint            samples;
  /* the blocking variant's work, and how long it blocked */
  const LabKernel *kernel;
  guint64          size;
  guint            tasks;
  double           blocked_s;
} Probe;

static Probe *
probe_new (GCancellable *cancellable)
{
  Probe *probe = g_new0 (Probe, 1);

  g_atomic_ref_count_init (&probe->ref);
  g_mutex_init (&probe->lock);
  g_cond_init (&probe->cond);
  probe->cancellable = g_object_ref (cancellable);
  probe->kernel = lab_kernel_lookup ("pi");
  probe->max_ms = probe->p99_ms = probe->blocked_s = NAN;
  return probe;
}

static void
probe_unref (gpointer data)
{
  Probe *probe = data;

  if (!g_atomic_ref_count_dec (&probe->ref))
    return;
  /* The last call on the main context has freed the meter. */
  g_assert (probe->meter == NULL);
  g_mutex_clear (&probe->lock);
  g_cond_clear (&probe->cond);
  g_object_unref (probe->cancellable);
  g_free (probe);
}

static void
probe_mark_done (Probe *probe)
{
  g_mutex_lock (&probe->lock);
  probe->done++;
  g_cond_broadcast (&probe->cond);
  g_mutex_unlock (&probe->lock);
}

/* On the main context: (re)starts the heartbeat. */
static gboolean
probe_start (gpointer data)
{
  Probe *probe = data;

  if (probe->meter == NULL)
    probe->meter = lab_stall_meter_new (HEARTBEAT_MS);
  lab_stall_meter_start (probe->meter);
  probe_mark_done (probe);
  return G_SOURCE_REMOVE;
}

/* On the main context: stops the heartbeat and keeps what it saw. */
static gboolean
probe_stop (gpointer data)
{
  Probe *probe = data;

  lab_stall_meter_stop (probe->meter);
  g_mutex_lock (&probe->lock);
  probe->max_ms = lab_stall_meter_get_max_ms (probe->meter);
  probe->p99_ms = lab_stall_meter_get_p99_ms (probe->meter);
  probe->samples = lab_stall_meter_get_n_samples (probe->meter);
  g_mutex_unlock (&probe->lock);
  probe_mark_done (probe);
  return G_SOURCE_REMOVE;
}

/* On the main context: the work, on the main loop's own thread, which
 * it blocks meanwhile. The kernels check the cancellable as they go. */
static gboolean
probe_block (gpointer data)
{
  Probe *probe = data;
  gint64 start = g_get_monotonic_time ();

  for (guint t = 0; t < probe->tasks && !g_cancellable_is_cancelled (probe->cancellable); t++)
    lab_kernel_run_task (probe->kernel, probe->size, t, probe->tasks, probe->cancellable);
  probe->blocked_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  probe_mark_done (probe);
  return G_SOURCE_REMOVE;
}

/* On the main context: the end, whether the check finished or not. */
static gboolean
probe_finish (gpointer data)
{
  Probe *probe = data;

  g_clear_pointer (&probe->meter, lab_stall_meter_free);
  return G_SOURCE_REMOVE;
}

/* Posts @func to @main and waits until it has run; FALSE (with @error)
 * when cancelled first, the call then still running later on its own. */
static gboolean
probe_call (Probe         *probe,
            GMainContext  *main,
            GSourceFunc    func,
            GError       **error)
{
  guint ticket;
  gboolean cancelled = FALSE;

  g_mutex_lock (&probe->lock);
  ticket = ++probe->posted;
  g_mutex_unlock (&probe->lock);
  g_atomic_ref_count_inc (&probe->ref);
  g_main_context_invoke_full (main, G_PRIORITY_DEFAULT, func, probe, probe_unref);

  g_mutex_lock (&probe->lock);
  while (probe->done < ticket && !(cancelled = g_cancellable_is_cancelled (probe->cancellable)))
    g_cond_wait_until (&probe->cond, &probe->lock, g_get_monotonic_time () + 20 * G_TIME_SPAN_MILLISECOND);
  g_mutex_unlock (&probe->lock);
  return !cancelled || !g_cancellable_set_error_if_cancelled (probe->cancellable, error);
}

/* The size of Monte Carlo π whose points take @seconds of CPU here. */
static gboolean
calibrate (const LabKernel  *kernel,
           double            seconds,
           GCancellable     *cancellable,
           guint64          *size,
           GError          **error)
{
  gint64 start = g_get_monotonic_time ();
  double per_point;

  lab_kernel_run_task (kernel, CALIBRATION_SIZE, 0, 1, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  per_point = MAX (g_get_monotonic_time () - start, 1) / (double) G_USEC_PER_SEC / CALIBRATION_SIZE;
  *size = (guint64) CLAMP (seconds / per_point, CALIBRATION_SIZE, kernel->max_size);
  return TRUE;
}

/* The threaded variant's run, the stall meter beating meanwhile. */
static LabRun *
measure_threads (LabClaimContext  *ctx,
                 Probe            *probe,
                 GError          **error)
{
  static const LabMode threads[] = { LAB_MODE_THREADS };
  GMainContext *main = lab_claim_context_get_main_context (ctx);
  guint cpus = lab_machine_n_cpus ();
  g_autoptr(LabRun) run = NULL;

  if (!probe_call (probe, main, probe_start, error))
    return NULL;
  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "cpu:pi", .size = probe->size, .tasks = probe->tasks,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = threads, .n_modes = 1,
                                 .workers = &cpus, .n_workers = 1,
                                 .repeat = lab_claim_context_get_quick (ctx) ? 3 : 5, .warmup = 0,
                               }, 0.05, 0.6, error);
  if (run == NULL || !probe_call (probe, main, probe_stop, error))
    return NULL;
  return g_steal_pointer (&run);
}

/* The blocking variant: the heartbeat, then the work on the main loop's
 * thread, then a moment for the heartbeat late by the block to fire. */
static gboolean
measure_blocking (LabClaimContext  *ctx,
                  Probe            *probe,
                  GError          **error)
{
  GMainContext *main = lab_claim_context_get_main_context (ctx);
  GCancellable *cancellable = lab_claim_context_get_cancellable (ctx);

  if (!probe_call (probe, main, probe_start, error) || !probe_call (probe, main, probe_block, error))
    return FALSE;
  lab_claim_context_set_progress (ctx, 0.95);
  g_usleep (4 * HEARTBEAT_MS * 1000);
  return probe_call (probe, main, probe_stop, error) && !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
measure (LabClaimContext  *ctx,
         LabClaimResult   *result,
         Probe            *probe,
         GError          **error)
{
  guint cpus = lab_machine_n_cpus ();
  g_autoptr(LabRun) run = NULL;
  g_autofree char *threads_text = NULL, *blocked_text = NULL, *block_text = NULL;
  g_autofree char *explanation = NULL, *trust = NULL;
  double threads_max, threads_p99, blocking_max, background;
  LabCell *cell;
  LabVerdict verdict;

  if (!calibrate (probe->kernel, lab_claim_context_get_quick (ctx) ? WORK_QUICK_S : WORK_FULL_S,
                  lab_claim_context_get_cancellable (ctx), &probe->size, error))
    return FALSE;
  probe->tasks = 4 * cpus;
  if ((run = measure_threads (ctx, probe, error)) == NULL)
    return FALSE;
  threads_max = probe->max_ms;
  threads_p99 = probe->p99_ms;
  cell = lab_run_find_cell (run, LAB_MODE_THREADS, cpus);
  background = lab_cell_get_background_cpu (cell);
  /* TRANSLATORS: %u is the number of threads */
  explanation = g_strdup_printf (_("Longest stall, %u threads busy"), cpus);
  lab_claim_result_add (result, "threads_max_stall_ms", explanation, threads_max, NAN, "ms", "native");
  lab_claim_result_add (result, "threads_p99_stall_ms", _("99th percentile stall, threads busy"), threads_p99, NAN,
                        "ms", "native");
  lab_claim_result_add (result, "threads_s", _("Wall time of the threads' work"), lab_cell_get_median_s (cell),
                        lab_claim_cell_spread (cell), "s", "native");
  g_clear_pointer (&explanation, g_free);

  if (!measure_blocking (ctx, probe, error))
    return FALSE;
  blocking_max = probe->max_ms;
  lab_claim_result_add (result, "blocking_max_stall_ms", _("Longest stall, work on the main loop's thread"),
                        blocking_max, NAN, "ms", "native");
  lab_claim_result_add (result, "blocking_s", _("Time the work blocked the main loop"), probe->blocked_s, NAN, "s",
                        "native");
  lab_claim_result_add (result, "background_cpu", _("CPU used by other programs meanwhile"),
                        100 * background, NAN, "%", NULL);

  verdict = lab_claim_rule_c17 (threads_max, blocking_max, background);
  threads_text = lab_claim_value_format (&(LabClaimValue) { .value = threads_max, .spread = NAN, .unit = "ms" });
  blocked_text = lab_claim_value_format (&(LabClaimValue) { .value = blocking_max, .spread = NAN, .unit = "ms" });
  block_text = lab_claim_format_duration (probe->blocked_s);
  explanation = g_strdup_printf (/* TRANSLATORS: %u is the number of threads, %s durations */
                                 _("While %u threads kept every core busy, the main loop that asked for this check was at "
                                   "most %s late; running the same work (%s) on its own thread held it up %s."),
                                 cpus, threads_text, block_text, blocked_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (NAN, 0, background);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

gboolean
lab_claim_check_c17 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  Probe *probe = probe_new (lab_claim_context_get_cancellable (ctx));
  gboolean ok = measure (ctx, result, probe, error);

  /* The meter belongs to the main context: it goes there, after any call
   * still pending (cancelled before it ran). */
  g_main_context_invoke_full (lab_claim_context_get_main_context (ctx), G_PRIORITY_DEFAULT, probe_finish, probe,
                              probe_unref);
  return ok;
}
