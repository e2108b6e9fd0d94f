/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <poll.h>
#include <signal.h>

#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"
#include "lab-protocol.h"
#include "lab-worker-pool.h"
#include "lab-worker-slot.h"

/*
 * Crash isolation: N short CPU tasks, one of which dies of a real SIGSEGV
 * (the installed worker's --crash-on-task), run by W worker processes of
 * the real LabWorkerPool and by W threads of one sacrificial helper
 * process (the worker's --map-threads, which like pool.map answers only
 * once every task is done). The application never runs the crashing task
 * itself: only a worker or the helper dies.
 */

#define N_TASKS        20
#define CRASH_TASK     (N_TASKS / 2)
#define REPEATS        3
#define KERNEL_SPEC    "cpu:primes"
#define KERNEL_SIZE    2000000
#define TIMEOUT_MS     30000

typedef struct
{
  LabOverheadContext *ctx;
  GCancellable       *cancellable;
  const char         *worker_path;
  guint               workers;
  LabWorkload        *workload;
} Crash;

typedef struct
{
  guint   completed;
  GArray *spans;  /* LabSpan without error text: what the pool reported */
} PoolOutcome;

static void
on_span (const LabSpan *span,
         gpointer       user_data)
{
  PoolOutcome *outcome = user_data;
  LabSpan copy = *span;

  copy.error = NULL;
  g_array_append_val (outcome->spans, copy);
  if (span->status == LAB_TASK_OK)
    outcome->completed++;
}

/* From the crash being noticed (the failed task's end) to the worker that
 * took its slot starting its first task; NAN when no task was left. */
static double
replacement_us (GArray *spans)
{
  const LabSpan *failed = NULL;
  double best = NAN;

  for (guint i = 0; i < spans->len && failed == NULL; i++)
    if (g_array_index (spans, LabSpan, i).status != LAB_TASK_OK)
      failed = &g_array_index (spans, LabSpan, i);
  if (failed == NULL)
    return NAN;
  for (guint i = 0; i < spans->len; i++)
    {
      const LabSpan *span = &g_array_index (spans, LabSpan, i);

      if (span->worker == failed->worker && span->pid != failed->pid && span->start_us >= failed->end_us &&
          !(span->start_us - failed->end_us >= best))
        best = span->start_us - failed->end_us;
    }
  return best;
}

static gboolean
run_pool (Crash   *self,
          guint    repeat,
          GError **error)
{
  g_autofree char *crash_task = g_strdup_printf ("%d", CRASH_TASK);
  const char *argv[] = { self->worker_path, "--crash-on-task", crash_task, NULL };
  g_autoptr(LabWorkerPool) pool = NULL;
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (LabSpan));
  PoolOutcome outcome = { 0, spans };
  double replacement;
  int term_signal;

  pool = lab_worker_pool_new_full (argv, self->workers, 1, LAB_POOL_LANES_SLOT, 0, 0, error);
  if (pool == NULL ||
      !lab_worker_pool_run (pool, self->workload, TIMEOUT_MS, g_get_monotonic_time (), on_span, &outcome,
                            self->cancellable, error))
    return FALSE;

  lab_overhead_context_add_point (self->ctx, "processes", "completed", "tasks", N_TASKS,
                                  outcome.completed, "tasks", repeat);
  lab_overhead_context_add_point (self->ctx, "processes", "lost", "tasks", N_TASKS,
                                  N_TASKS - outcome.completed, "tasks", repeat);
  replacement = replacement_us (spans);
  if (isfinite (replacement))
    lab_overhead_context_add_point (self->ctx, "processes", "replacement", "tasks", N_TASKS,
                                    replacement, "us", repeat);
  term_signal = lab_worker_pool_get_last_signal (pool);
  if (term_signal != 0)
    lab_overhead_context_add_point (self->ctx, "processes", "signal", "tasks", N_TASKS, term_signal, "signal",
                                    repeat);
  return TRUE;
}

/* Sends the workload and every task to the helper at once, as pool.map
 * hands over its whole iterable. */
static gboolean
send_tasks (Crash          *self,
            LabWorkerSlot  *helper,
            GError        **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  LabMessage workload = { .type = LAB_MESSAGE_WORKLOAD, .workload = self->workload };

  lab_message_format (&workload, out);
  for (guint task = 0; task < N_TASKS; task++)
    {
      LabMessage request = { .type = LAB_MESSAGE_TASK, .id = task + 1, .task = task };

      lab_message_format (&request, out);
    }
  return lab_worker_slot_write (helper, out->str, out->len, error);
}

typedef struct
{
  guint finished;   /* P: done inside the helper */
  guint results;    /* R: handed back */
  guint completed;  /* R ok */
} HelperOutcome;

/* Takes the whole lines the helper has sent: progress and results. */
static gboolean
read_lines (LabWorkerSlot  *helper,
            HelperOutcome  *outcome,
            GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  char *line;
  gsize len;

  while (local_error == NULL && lab_line_reader_next (&helper->reader, &line, &len, &local_error))
    {
      LabMessage msg;

      if (!lab_message_parse (line, len, &msg, &local_error))
        break;
      if (msg.type == LAB_MESSAGE_PROGRESS)
        outcome->finished++;
      else if (msg.type == LAB_MESSAGE_RESULT)
        {
          outcome->results++;
          outcome->completed += msg.ok ? 1 : 0;
        }
      else
        g_set_error (&local_error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unexpected message type “%c”", msg.type);
      lab_message_clear (&msg);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Reads what the helper says until it has answered every task or is
 * gone; FALSE when cancelled, or when it hangs or breaks the protocol. */
static gboolean
read_helper (Crash          *self,
             LabWorkerSlot  *helper,
             HelperOutcome  *outcome,
             GError        **error)
{
  GPollFD cancel_fd = { .fd = -1 };
  gboolean ok = TRUE;

  g_cancellable_make_pollfd (self->cancellable, &cancel_fd);
  while (ok && outcome->results < N_TASKS)
    {
      struct pollfd pfds[2] = { { helper->out_fd, POLLIN, 0 }, { cancel_fd.fd, POLLIN, 0 } };
      int ready;

      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      ready = poll (pfds, cancel_fd.fd >= 0 ? 2 : 1, TIMEOUT_MS);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, _("The helper process stopped answering"));
          ok = FALSE;
        }
      else if (pfds[0].revents != 0)
        {
          if (!lab_worker_slot_read (helper))
            break;  /* it is gone */
          ok = read_lines (helper, outcome, error);
        }
    }
  g_cancellable_release_fd (self->cancellable);
  return ok;
}

static gboolean
run_helper (Crash   *self,
            guint    repeat,
            GError **error)
{
  g_autofree char *threads = g_strdup_printf ("%u", self->workers);
  g_autofree char *crash_task = g_strdup_printf ("%d", CRASH_TASK);
  const char *argv[] = { self->worker_path, "--map-threads", threads, "--crash-on-task", crash_task, NULL };
  HelperOutcome outcome = { 0 };
  LabWorkerSlot helper;
  gboolean ok;
  int term_signal = 0;

  lab_worker_slot_init (&helper, 0);
  ok = lab_worker_slot_spawn_full (&helper, argv, 0, -1, -1, error) &&
       lab_worker_slot_wait_hello (&helper, TIMEOUT_MS, error) &&
       send_tasks (self, &helper, error) &&
       read_helper (self, &helper, &outcome, error);

  /* Ended at once when something went wrong; else it has answered, or
   * died, and ends as soon as its stdin closes. */
  lab_worker_slot_stop (&helper, !ok);
  if (ok && g_subprocess_get_if_signaled (helper.process))
    term_signal = g_subprocess_get_term_sig (helper.process);
  lab_worker_slot_reset (&helper);
  if (!ok)
    return FALSE;

  lab_overhead_context_add_point (self->ctx, "threads", "completed", "tasks", N_TASKS,
                                  outcome.completed, "tasks", repeat);
  lab_overhead_context_add_point (self->ctx, "threads", "lost", "tasks", N_TASKS,
                                  N_TASKS - outcome.completed, "tasks", repeat);
  lab_overhead_context_add_point (self->ctx, "threads", "finished_before_crash", "tasks", N_TASKS,
                                  outcome.finished, "tasks", repeat);
  if (term_signal != 0)
    lab_overhead_context_add_point (self->ctx, "threads", "signal", "tasks", N_TASKS, term_signal, "signal", repeat);
  return TRUE;
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  g_autoptr(LabWorkload) workload = lab_workload_new_from_spec (KERNEL_SPEC, error);
  Crash self = {
    .ctx = ctx,
    .cancellable = lab_overhead_context_get_cancellable (ctx),
    .worker_path = lab_overhead_context_get_worker_path (ctx),
    /* Every worker gets tasks, and the pool has some left to give the
     * replacement. */
    .workers = CLAMP (lab_machine_n_cpus (), 2, N_TASKS / 2),
  };

  if (workload == NULL)
    return FALSE;
  workload->size = KERNEL_SIZE;
  workload->tasks = N_TASKS;
  self.workload = workload;

  for (guint repeat = 0; repeat < REPEATS; repeat++)
    {
      if (!run_pool (&self, repeat, error))
        return FALSE;
      lab_overhead_context_set_progress (ctx, (2.0 * repeat + 1) / (2 * REPEATS));
      if (!run_helper (&self, repeat, error))
        return FALSE;
      lab_overhead_context_set_progress (ctx, (2.0 * repeat + 2) / (2 * REPEATS));
    }
  return TRUE;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  LabOverheadTable *table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS,
                                                    _("Tasks completed and lost when one crashes"),
                                                    _("Approach"), _("Tasks"), "tasks");
  const char *variants[] = { "processes", "threads" };
  LabOverheadSeries *completed = lab_overhead_table_add_series (table, _("Completed"));
  LabOverheadSeries *lost = lab_overhead_table_add_series (table, _("Lost"));

  lab_overhead_table_add_column (table, _("Process pool"), 0);
  lab_overhead_table_add_column (table, _("Threads in one process"), 1);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      lab_overhead_series_set (completed, i, lab_overhead_points_median (points, variants[i], "completed", N_TASKS));
      lab_overhead_series_set (lost, i, lab_overhead_points_median (points, variants[i], "lost", N_TASKS));
    }
  g_ptr_array_add (result, table);
  return result;
}

/* "SIGSEGV" for the signals a crash brings, else "signal N". */
static char *
signal_name (double number)
{
  static const struct { int number; const char *name; } names[] = {
    { SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGILL, "SIGILL" },
    { SIGFPE, "SIGFPE" }, { SIGABRT, "SIGABRT" }, { SIGKILL, "SIGKILL" },
  };

  if (!isfinite (number))
    return g_strdup (_("crash"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].number == (int) number)
      return g_strdup (names[i].name);
  /* TRANSLATORS: %d is a signal number */
  return g_strdup_printf (_("signal %d"), (int) number);
}

static char *
processes_sentence (GPtrArray *points)
{
  double completed = lab_overhead_points_median (points, "processes", "completed", N_TASKS);
  double lost = lab_overhead_points_median (points, "processes", "lost", N_TASKS);
  double replacement = lab_overhead_points_median (points, "processes", "replacement", N_TASKS);
  g_autofree char *signal_text = signal_name (lab_overhead_points_median (points, "processes", "signal", N_TASKS));
  g_autofree char *sentence = NULL;
  g_autofree char *delay = NULL;

  if (!isfinite (completed) || !isfinite (lost))
    return NULL;
  /* TRANSLATORS: a signal name ("SIGSEGV"), then tasks completed, tasks in
   * all, and tasks lost */
  sentence = g_strdup_printf (ngettext ("In a process pool, a %s in one task killed its worker: %.0f of %u tasks completed and %.0f was lost.",
                                        "In a process pool, a %s in one task killed its worker: %.0f of %u tasks completed and %.0f were lost.",
                                        (gulong) lround (lost)),
                              signal_text, completed, N_TASKS, lost);
  if (!isfinite (replacement))
    return g_steal_pointer (&sentence);
  delay = lab_format_duration (replacement / G_USEC_PER_SEC);
  /* TRANSLATORS: the first %s is a sentence, the second a duration ("1.2 ms") */
  return g_strdup_printf (_("%s A fresh worker was at work in its place %s later."), sentence, delay);
}

static char *
threads_sentence (GPtrArray *points)
{
  double lost = lab_overhead_points_median (points, "threads", "lost", N_TASKS);
  double finished = lab_overhead_points_median (points, "threads", "finished_before_crash", N_TASKS);
  g_autofree char *signal_text = signal_name (lab_overhead_points_median (points, "threads", "signal", N_TASKS));

  if (!isfinite (lost) || !isfinite (finished))
    return NULL;
  /* TRANSLATORS: a signal name ("SIGSEGV"), then tasks lost, tasks in all,
   * and tasks that had finished before the crash */
  return g_strdup_printf (ngettext ("With threads in one helper process, the same %s killed the whole helper: %.0f of %u tasks were lost, %.0f of which had already finished inside it.",
                                    "With threads in one helper process, the same %s killed the whole helper: %.0f of %u tasks were lost, %.0f of which had already finished inside it.",
                                    (gulong) lround (lost)),
                          signal_text, lost, N_TASKS, finished);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  g_autofree char *processes = processes_sentence (points);
  g_autofree char *threads = threads_sentence (points);
  GString *text;

  if (processes == NULL && threads == NULL)
    return NULL;
  text = g_string_new (processes);
  if (threads != NULL)
    g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", threads);
  if (complete)
    g_string_append_printf (text, " %s", _("The application itself kept running."));
  return g_string_free (text, FALSE);
}

const LabOverheadExperiment lab_overhead_crash_experiment = {
  .kind = LAB_OVERHEAD_CRASH,
  .name = "crash",
  .title = N_("Crash isolation"),
  .description = N_("One of 20 short CPU tasks dies of a real SIGSEGV: in a pool of worker processes only its "
                    "worker dies and is replaced, while threads hosted in one helper process lose every result "
                    "when the helper dies. The application itself never runs the crashing task."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
