/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-stall-meter.h"

static gboolean
block_100ms (gpointer data)
{
  g_usleep (100 * 1000);
  return G_SOURCE_REMOVE;
}

static gboolean
quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
run_for (GMainContext *context,
         guint         ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GSource) timeout = g_timeout_source_new (ms);

  g_source_set_callback (timeout, quit, loop, NULL);
  g_source_attach (timeout, context);
  g_main_loop_run (loop);
}

static void
test_idle_and_stalled (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LabStallMeter) meter = lab_stall_meter_new (5);
  g_autoptr(GSource) blocker = NULL;
  g_autofree char *text = NULL;

  g_assert_true (isnan (lab_stall_meter_get_max_ms (meter)));

  g_main_context_push_thread_default (context);
  lab_stall_meter_start (meter);
  run_for (context, 200);
  /* An idle loop runs its heartbeat about every 5 ms, on time. */
  g_assert_cmpuint (lab_stall_meter_get_n_samples (meter), >=, 10);
  g_assert_cmpfloat (lab_stall_meter_get_p99_ms (meter), <, 50);

  /* A callback that blocks the loop for 100 ms is one stall of ~100 ms. */
  blocker = g_timeout_source_new (20);
  g_source_set_callback (blocker, block_100ms, NULL, NULL);
  g_source_attach (blocker, context);
  run_for (context, 200);
  lab_stall_meter_stop (meter);
  g_main_context_pop_thread_default (context);

  g_assert_cmpfloat (lab_stall_meter_get_max_ms (meter), >=, 90);
  text = lab_stall_meter_describe (meter);
  g_assert_nonnull (strstr (text, "max stall"));

  /* Stopped: no more samples. */
  {
    guint n = lab_stall_meter_get_n_samples (meter);

    run_for (context, 50);
    g_assert_cmpuint (lab_stall_meter_get_n_samples (meter), ==, n);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stall-meter/idle-and-stalled", test_idle_and_stalled);
  return g_test_run ();
}
