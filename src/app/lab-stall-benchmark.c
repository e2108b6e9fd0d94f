/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "lab-json.h"
#include "lab-machine.h"
#include "lab-redraw-pacer.h"
#include "lab-run-builder.h"
#include "lab-stall-benchmark.h"

/* About 4 s per mode with W = 4 on two cores; the size scales the work,
 * the tasks the number of events the window sees. */
#define BENCHMARK_SIZE   G_GUINT64_CONSTANT (20000000)
#define BENCHMARK_TASKS_PER_WORKER 8

static const LabMode benchmark_modes[] = { LAB_MODE_THREADS, LAB_MODE_PROCESSES };

typedef struct
{
  LabExperimentPage *page;
  JsonBuilder       *builder;
  guint              next_mode;
  gulong             running_handler;
  gint64             started_us;
} Benchmark;

static void
benchmark_free (gpointer data)
{
  Benchmark *benchmark = data;

  g_clear_signal_handler (&benchmark->running_handler, benchmark->page);
  g_clear_object (&benchmark->page);
  g_clear_object (&benchmark->builder);
  g_free (benchmark);
}

static guint
benchmark_workers (void)
{
  return 2 * MAX (1, lab_machine_n_cpus ());
}

static guint
count_spans (LabRun *run)
{
  GPtrArray *repetitions = lab_run_get_repetitions (run);
  guint n = 0;

  for (guint i = 0; repetitions != NULL && i < repetitions->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (repetitions, i);

      n += rep->spans != NULL ? rep->spans->len : 0;
    }
  return n;
}

static void benchmark_next (GTask *task);

static void
on_running_changed (LabExperimentPage *page,
                    GParamSpec        *pspec,
                    GTask             *task)
{
  Benchmark *benchmark = g_task_get_task_data (task);
  LabMode mode = benchmark_modes[benchmark->next_mode - 1];
  const char *suffix = lab_mode_to_string (mode);
  LabStallMeter *meter = lab_experiment_page_get_stall_meter (page);
  LabRun *run = lab_experiment_page_get_run (page);
  LabCell *cell;
  double max_stall_ms = NAN, ui_cpu_s = NAN;

  if (lab_page_get_running (LAB_PAGE (page)))
    return;
  g_clear_signal_handler (&benchmark->running_handler, page);

  if (lab_run_get_failed_tasks (run) > 0 || lab_run_get_repetitions_done (run) < lab_run_get_repetitions_total (run))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "the %s run did not finish (%u tasks failed)",
                               suffix, lab_run_get_failed_tasks (run));
      g_object_unref (task);
      return;
    }

  cell = lab_run_find_cell (run, mode, benchmark_workers ());
  lab_run_get_ui_cost (run, &max_stall_ms, &ui_cpu_s);
  {
    const struct {
      const char *key;
      double      value;
      gboolean    count;
    } figures[] = {
      { "ui_max_stall_ms", lab_stall_meter_get_max_ms (meter) },
      { "ui_p99_stall_ms", lab_stall_meter_get_p99_ms (meter) },
      { "ui_stall_samples", lab_stall_meter_get_n_samples (meter), TRUE },
      { "ui_cpu_s", ui_cpu_s },
      { "ui_frame_ms", lab_redraw_pacer_get_frame_ms () },
      { "ui_redraw_interval_ms", lab_redraw_pacer_get_interval_ms (), TRUE },
      { "wall_s", cell != NULL ? lab_cell_get_median_s (cell) : NAN },
      { "run_s", (g_get_monotonic_time () - benchmark->started_us) / 1e6 },
      { "timeline_spans", count_spans (run), TRUE },
    };

    /* Members are named KEY_MODE, e.g. "ui_max_stall_ms_threads"; times
     * are rounded to the µs. */
    for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
      {
        g_autofree char *name = g_strconcat (figures[i].key, "_", suffix, NULL);

        if (figures[i].count)
          lab_json_add_int (benchmark->builder, name, (gint64) figures[i].value);
        else
          lab_json_add_double (benchmark->builder, name, round (figures[i].value * 1000.0) / 1000.0);
      }
  }

  benchmark_next (task);
}

static void
benchmark_next (GTask *task)
{
  Benchmark *benchmark = g_task_get_task_data (task);
  g_autoptr(LabRunBuilder) builder = NULL;
  LabMode mode;
  guint workers = benchmark_workers ();

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (benchmark->next_mode == G_N_ELEMENTS (benchmark_modes))
    {
      json_builder_end_object (benchmark->builder);
      g_task_return_pointer (task, lab_json_to_string (benchmark->builder, FALSE), g_free);
      g_object_unref (task);
      return;
    }

  mode = benchmark_modes[benchmark->next_mode++];
  builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);
  lab_run_builder_set_workload (builder, "cpu:primes", NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, BENCHMARK_SIZE);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, BENCHMARK_TASKS_PER_WORKER * workers);
  lab_run_builder_set_modes (builder, &mode, 1);
  lab_run_builder_set_workers (builder, &workers, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 0);

  benchmark->started_us = g_get_monotonic_time ();
  benchmark->running_handler = g_signal_connect (benchmark->page, "notify::running",
                                                 G_CALLBACK (on_running_changed), task);
  lab_experiment_page_run_builder (benchmark->page, builder);
  if (!lab_page_get_running (LAB_PAGE (benchmark->page)))
    {
      g_clear_signal_handler (&benchmark->running_handler, benchmark->page);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the page did not start the run");
      g_object_unref (task);
      return;
    }

  if (benchmark->next_mode == 1)
    {
      LabRun *run = lab_experiment_page_get_run (benchmark->page);

      lab_json_add_int (benchmark->builder, "worker_nice", lab_run_get_config (run)->worker_nice);
    }
}

static gboolean
first_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  /* A tick callback runs before the window's first frame: that frame
   * (realizing every widget, loading fonts) is start-up, not part of a
   * run. Begin once the window has settled. */
  g_timeout_add_once (500, (GSourceOnceFunc) benchmark_next, user_data);
  return G_SOURCE_REMOVE;
}

void
lab_stall_benchmark_run_async (LabExperimentPage   *page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  Benchmark *benchmark;
  guint workers = benchmark_workers ();

  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (page));

  task = g_task_new (page, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_stall_benchmark_run_async);

  benchmark = g_new0 (Benchmark, 1);
  benchmark->page = g_object_ref (page);
  benchmark->builder = json_builder_new ();
  g_task_set_task_data (task, benchmark, benchmark_free);

  json_builder_begin_object (benchmark->builder);
  lab_json_add_string (benchmark->builder, "workload", "cpu:primes");
  lab_json_add_int (benchmark->builder, "size", BENCHMARK_SIZE);
  lab_json_add_int (benchmark->builder, "tasks", BENCHMARK_TASKS_PER_WORKER * workers);
  lab_json_add_int (benchmark->builder, "workers", workers);
  lab_json_add_int (benchmark->builder, "cores", lab_machine_n_cpus ());

  /* The task holds itself until the last run is over. */
  gtk_widget_add_tick_callback (GTK_WIDGET (page), first_frame_cb, task, NULL);
}

char *
lab_stall_benchmark_run_finish (LabExperimentPage  *page,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, page), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lab_stall_benchmark_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
