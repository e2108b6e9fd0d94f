/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "lab-executor.h"
#include "lab-machine.h"
#include "lab-run-private.h"
#include "lab-task.h"

/* Spans travel to the main context in batches: at most this many, or what
 * finished within this many microseconds. */
#define FLUSH_SPANS  512
#define FLUSH_US     (20 * 1000)

/* What the coordinator keeps for the repetition under way. */
typedef struct
{
  LabRun        *run;
  LabRepetition *rep;
  GArray        *batch;
  gint64         last_flush_us;
  guint64        checksum;
  guint64        bytes;
  guint64        cached_bytes;
  guint          ok_tasks;
  guint          failed_tasks;
  gint64         stage_busy_us[LAB_N_STAGES];
} RepState;

static void
flush_spans (RepState *state)
{
  Event *event;

  if (state->batch->len == 0)
    return;
  event = g_new0 (Event, 1);
  event->type = EVENT_SPANS;
  event->rep = lab_repetition_ref (state->rep);
  event->spans = g_steal_pointer (&state->batch);
  lab_run_post_event (state->run, event);

  state->batch = g_array_sized_new (FALSE, FALSE, sizeof (LabSpan), FLUSH_SPANS);
  g_array_set_clear_func (state->batch, (GDestroyNotify) lab_span_clear);
  state->last_flush_us = g_get_monotonic_time ();
}

static void
collect_span (const LabSpan *span,
              gpointer       user_data)
{
  RepState *state = user_data;
  LabSpan copy;

  /* Task checksums add up (modulo 2^64): the order tasks finish in does
   * not matter. A pipeline document counts once, by the span that ends it. */
  if (span->status == LAB_TASK_OK)
    state->checksum += span->checksum;
  if (lab_span_ends_task (span))
    {
      if (span->status == LAB_TASK_OK)
        state->ok_tasks++;
      else
        state->failed_tasks++;
    }
  state->bytes += span->bytes;
  state->cached_bytes += span->cached_bytes;
  state->stage_busy_us[span->stage] += span->end_us - span->start_us;

  lab_span_copy (span, &copy);
  g_array_append_val (state->batch, copy);
  if (state->batch->len >= FLUSH_SPANS || g_get_monotonic_time () - state->last_flush_us >= FLUSH_US)
    flush_spans (state);
}

static void
post_rep (LabRun        *self,
          EventType      type,
          LabRepetition *rep)
{
  Event *event = g_new0 (Event, 1);

  event->type = type;
  event->rep = lab_repetition_ref (rep);
  lab_run_post_event (self, event);
}

/* What the rest of the machine did while @measured ran: its busy CPU
 * time over the repetition (NAN when /proc/stat could not be read) less
 * the repetition's own, this process's threads and its workers. */
static void
set_background (LabRepetition *measured,
                double         machine_busy_s)
{
  double capacity_s = measured->wall_s * lab_machine_n_cpus ();

  if (!isfinite (machine_busy_s) || !(capacity_s > 0))
    {
      measured->background_busy_s = NAN;
      measured->background_cpu = NAN;
      return;
    }
  measured->background_busy_s = machine_busy_s - (measured->user_s + measured->sys_s);
  measured->background_cpu = CLAMP (measured->background_busy_s / capacity_s, 0.0, 1.0);
}

/* What the spans collected so far add up to. */
static void
fill_counts (LabRepetition  *measured,
             const RepState *state)
{
  measured->checksum = state->checksum;
  measured->bytes = state->bytes;
  measured->cached_bytes = state->cached_bytes;
  measured->ok_tasks = state->ok_tasks;
  measured->failed_tasks = state->failed_tasks;
  for (guint s = 0; s < LAB_N_STAGES; s++)
    measured->stage_busy_s[s] = state->stage_busy_us[s] / (double) G_USEC_PER_SEC;
}

/* Runs one repetition and posts its events. FALSE when the run must stop. */
static gboolean
run_repetition (LabRun        *self,
                LabExecutor   *executor,
                LabRepetition *rep,
                GCancellable  *cancellable,
                GError       **error)
{
  RepState state = { .run = self, .rep = rep };
  LabExecutorUsage workers;
  LabUsage before, after;
  double machine_before = NAN, machine_after = NAN;
  Event *event;
  gint64 t0, t1;
  gboolean ok;

  state.batch = g_array_sized_new (FALSE, FALSE, sizeof (LabSpan), FLUSH_SPANS);
  g_array_set_clear_func (state.batch, (GDestroyNotify) lab_span_clear);

  post_rep (self, EVENT_REP_STARTED, rep);

  lab_machine_reset_peak_rss ();
  if (!lab_machine_busy_s (&machine_before, NULL))
    machine_before = NAN;
  lab_usage_self (&before);
  t0 = state.last_flush_us = g_get_monotonic_time ();
  ok = lab_executor_run (executor, rep, t0, collect_span, &state, cancellable, &workers, error);
  t1 = g_get_monotonic_time ();
  lab_usage_self (&after);
  if (!lab_machine_busy_s (&machine_after, NULL))
    machine_after = NAN;

  flush_spans (&state);
  g_array_unref (state.batch);
  if (!ok)
    {
      g_clear_pointer (&workers.gil_intervals, g_array_unref);
      g_clear_pointer (&workers.queue_samples, g_array_unref);
      /* What ended before the run stopped is kept, as interrupted. */
      event = g_new0 (Event, 1);
      event->type = EVENT_REP_INTERRUPTED;
      event->rep = lab_repetition_ref (rep);
      fill_counts (&event->measured, &state);
      event->measured.tasks = self->config->workload->tasks;
      lab_run_post_event (self, event);
      return FALSE;
    }

  event = g_new0 (Event, 1);
  event->type = EVENT_REP_FINISHED;
  event->rep = lab_repetition_ref (rep);
  event->measured.wall_s = (t1 - t0) / (double) G_USEC_PER_SEC;
  event->measured.startup_s = lab_executor_get_startup_s (executor);
  event->measured.user_s = (after.user_us - before.user_us + workers.user_us) / (double) G_USEC_PER_SEC;
  event->measured.sys_s = (after.sys_us - before.sys_us + workers.sys_us) / (double) G_USEC_PER_SEC;
  event->measured.cpu_util = (event->measured.user_s + event->measured.sys_s) /
                             (event->measured.wall_s * lab_machine_n_cpus ());
  set_background (&event->measured, machine_after - machine_before);
  event->measured.peak_rss_kib = lab_machine_peak_rss_kib () + workers.peak_rss_kib;
  fill_counts (&event->measured, &state);
  event->measured.files_fs = lab_executor_get_files_fs (executor);
  event->measured.tasks = self->config->workload->tasks;
  event->measured.gil_intervals = g_steal_pointer (&workers.gil_intervals);
  event->measured.queue_samples = g_steal_pointer (&workers.queue_samples);
  memcpy (event->measured.queue_capacity, workers.queue_capacity, sizeof workers.queue_capacity);
  lab_run_post_event (self, event);
  return TRUE;
}

gpointer
lab_run_coordinator_thread (gpointer data)
{
  g_autoptr(LabRun) self = data;
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  const LabRunConfig *config = self->config;
  g_autoptr(GError) error = NULL;
  Event *event;

  if (config->worker_nice > 0)
    setpriority (PRIO_PROCESS, (id_t) lab_thread_id (), config->worker_nice);

  for (guint c = 0; c < self->plan->len && error == NULL; c++)
    {
      const CellKey *key = &g_array_index (self->plan, CellKey, c);
      g_autoptr(LabExecutor) executor = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;
      executor = lab_executor_new (config, key->runtime, key->mode, key->workers, &error);
      if (executor == NULL)
        break;

      for (guint r = 0; r < config->warmup + config->repeat; r++)
        {
          gboolean warmup = r < config->warmup;
          g_autoptr(LabRepetition) rep =
            lab_repetition_new (key->runtime, key->mode, key->workers, warmup ? 0 : r - config->warmup + 1, warmup);

          if (!run_repetition (self, executor, rep, cancellable, &error))
            break;
        }
    }

  event = g_new0 (Event, 1);
  event->type = EVENT_DONE;
  event->error = g_steal_pointer (&error);
  lab_run_post_event (self, event);
  return NULL;
}
