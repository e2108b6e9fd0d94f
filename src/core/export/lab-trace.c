/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "lab-json.h"
#include "lab-save.h"
#include "lab-trace.h"

static void
trace_metadata (JsonBuilder *builder,
                const char  *what,
                gint64       pid,
                gint64       tid,
                const char  *name)
{
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "name", what);
  lab_json_add_string (builder, "ph", "M");
  lab_json_add_int (builder, "pid", pid);
  lab_json_add_int (builder, "tid", tid);
  json_builder_set_member_name (builder, "args");
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "name", name);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
trace_span (JsonBuilder         *builder,
            const LabRepetition *rep,
            const LabSpan       *span,
            gint64               offset_us)
{
  g_autofree char *name = g_strdup_printf ("%s %u", lab_stage_to_string (span->stage), span->task);
  g_autofree char *variant = lab_variant_to_string (rep->runtime, rep->mode);

  json_builder_begin_object (builder);
  lab_json_add_string (builder, "name", name);
  lab_json_add_string (builder, "cat", variant);
  lab_json_add_string (builder, "ph", "X");
  lab_json_add_int (builder, "ts", offset_us + span->start_us);
  lab_json_add_int (builder, "dur", MAX (0, span->end_us - span->start_us));
  lab_json_add_int (builder, "pid", span->pid);
  lab_json_add_int (builder, "tid", span->tid);
  json_builder_set_member_name (builder, "args");
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "mode", lab_mode_to_string (rep->mode));
  lab_json_add_string (builder, "runtime", lab_runtime_to_string (rep->runtime));
  lab_json_add_int (builder, "workers", rep->workers);
  lab_json_add_int (builder, "repeat", rep->repeat);
  lab_json_add_int (builder, "worker", span->worker);
  lab_json_add_int (builder, "queued_us", span->queued_us);
  lab_json_add_int (builder, "wait_us", MAX (0, span->start_us - span->queued_us));
  lab_json_add_int (builder, "bytes", span->bytes);
  lab_json_add_string (builder, "status", lab_task_status_to_string (span->status));
  if (span->error != NULL)
    lab_json_add_string (builder, "error", span->error);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* Mode gil: a slice per hold of or wait for the emulated GIL, inside the
 * task slices of the same thread (a task's span covers its waits). */
static void
trace_gil_interval (JsonBuilder          *builder,
                    const LabRepetition  *rep,
                    const LabGilInterval *interval,
                    gint64                pid,
                    gint64                offset_us)
{
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "name", interval->state == LAB_GIL_HOLD ? "holds the emulated GIL"
                                                                      : "waits for the emulated GIL");
  lab_json_add_string (builder, "cat", "emulated-gil");
  lab_json_add_string (builder, "ph", "X");
  lab_json_add_int (builder, "ts", offset_us + interval->start_us);
  lab_json_add_int (builder, "dur", MAX (0, interval->end_us - interval->start_us));
  lab_json_add_int (builder, "pid", pid);
  lab_json_add_int (builder, "tid", interval->tid);
  json_builder_set_member_name (builder, "args");
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "state", lab_gil_state_to_string (interval->state));
  lab_json_add_int (builder, "workers", rep->workers);
  lab_json_add_int (builder, "repeat", rep->repeat);
  lab_json_add_int (builder, "worker", interval->worker);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/**
 * lab_export_trace_json:
 *
 * Returns: (transfer full): the trace as JSON text
 */
char *
lab_export_trace_json (LabRun *run)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) reps = lab_run_dup_measured_repetitions (run);
  g_autoptr(GHashTable) named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GDateTime *run_start = lab_run_get_started_at (run);
  gint64 self_pid = getpid ();
  /* Repetitions and their figures go on a lane of this process. */
  const gint64 reps_tid = 0;

  json_builder_begin_object (builder);
  lab_json_add_string (builder, "displayTimeUnit", "ms");
  json_builder_set_member_name (builder, "traceEvents");
  json_builder_begin_array (builder);

  trace_metadata (builder, "process_name", self_pid, reps_tid, "Concurrency Lab");
  trace_metadata (builder, "thread_name", self_pid, reps_tid, "repetitions");

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);
      gint64 offset_us = run_start != NULL ? g_date_time_difference (rep->started_at, run_start) : 0;
      g_autofree char *variant = lab_variant_to_string (rep->runtime, rep->mode);
      g_autofree char *rep_name = g_strdup_printf ("%s ×%u, repetition %u", variant, rep->workers, rep->repeat);

      json_builder_begin_object (builder);
      lab_json_add_string (builder, "name", rep_name);
      lab_json_add_string (builder, "cat", "repetition");
      lab_json_add_string (builder, "ph", "X");
      lab_json_add_int (builder, "ts", offset_us);
      lab_json_add_int (builder, "dur", (gint64) (rep->wall_s * G_USEC_PER_SEC));
      lab_json_add_int (builder, "pid", self_pid);
      lab_json_add_int (builder, "tid", reps_tid);
      json_builder_set_member_name (builder, "args");
      json_builder_begin_object (builder);
      lab_json_add_double (builder, "wall_s", rep->wall_s);
      lab_json_add_double (builder, "cpu_util", rep->cpu_util);
      lab_json_add_double (builder, "speedup", rep->speedup);
      lab_json_add_int (builder, "failed_tasks", rep->failed_tasks);
      json_builder_end_object (builder);
      json_builder_end_object (builder);

      for (guint s = 0; s < rep->spans->len; s++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, s);
          g_autofree char *process_key = g_strdup_printf ("p%d", span->pid);
          g_autofree char *thread_key = g_strdup_printf ("t%d/%" G_GINT64_FORMAT, span->pid, span->tid);

          if (span->pid <= 0)
            continue;  /* never started: nothing ran anywhere */
          if (!g_hash_table_contains (named, process_key) && span->pid != self_pid)
            {
              g_autofree char *name = g_strdup_printf (rep->runtime == LAB_RUNTIME_NATIVE ? "concurrency-lab-worker %d"
                                                                                          : "python3 %d", span->pid);

              trace_metadata (builder, "process_name", span->pid, span->tid, name);
              g_hash_table_add (named, g_steal_pointer (&process_key));
            }
          if (!g_hash_table_contains (named, thread_key))
            {
              g_autofree char *name = g_strdup_printf ("%s worker %u", variant, span->worker);

              trace_metadata (builder, "thread_name", span->pid, span->tid, name);
              g_hash_table_add (named, g_steal_pointer (&thread_key));
            }
          trace_span (builder, rep, span, offset_us);
        }
      for (guint g = 0; g < rep->gil_intervals->len; g++)
        trace_gil_interval (builder, rep, &g_array_index (rep->gil_intervals, LabGilInterval, g),
                            self_pid, offset_us);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return lab_json_to_string (builder, FALSE);
}

gboolean
lab_export_trace (LabRun      *run,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *json = lab_export_trace_json (run);
  g_autoptr(GError) local_error = NULL;

  if (!lab_save_file (path, json, strlen (json), &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_EXPORT,
                   _("Could not write “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}
