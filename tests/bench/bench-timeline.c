/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <gtk/gtk.h>

#include "lab-timeline.h"

/* Frame time of a LabTimeline with 100,000 spans: the snapshot (building
 * the render node) plus rendering it with the cairo renderer, first
 * uncached, then from the cached node. Prints one JSON object. */

#define WIDTH          1200
#define HEIGHT         600
#define CACHED_FRAMES  20

static guint n_spans = 100000;
static guint n_lanes = 8;

static LabRepetition *
make_repetition (void)
{
  LabRepetition *rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, n_lanes, 1, FALSE);
  g_autofree gint64 *free_at = g_new0 (gint64, n_lanes);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint task = 0; task < n_spans; task++)
    {
      guint worker = task % n_lanes;
      LabSpan span = { 0 };

      span.task = task;
      span.worker = worker;
      span.pid = 4242;
      span.tid = 7000 + worker;
      span.queued_us = 0;
      /* Gaps now and then, so merging has runs to break */
      span.start_us = free_at[worker] + (g_rand_int_range (rand, 0, 10) == 0
                                          ? g_rand_int_range (rand, 1000, 20000) : 10);
      span.end_us = span.start_us + g_rand_int_range (rand, 50, 2000);
      span.status = task % 101 == 100 ? LAB_TASK_FAILED : LAB_TASK_OK;
      span.error = span.status == LAB_TASK_FAILED ? g_strdup ("failed") : NULL;
      free_at[worker] = span.end_us;
      g_array_append_val (rep->spans, span);
    }
  rep->tasks = n_spans;
  rep->finished = TRUE;
  return rep;
}

static guint
count_nodes (GskRenderNode *node)
{
  guint n = 1;

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i));
      break;

    case GSK_TRANSFORM_NODE:
      n += count_nodes (gsk_transform_node_get_child (node));
      break;

    case GSK_CLIP_NODE:
      n += count_nodes (gsk_clip_node_get_child (node));
      break;

    default:
      break;
    }
  return n;
}

/* One frame as GTK would make it: the widget's snapshot, then the render */
static void
frame (GtkWidget   *widget,
       GskRenderer *renderer,
       double      *snapshot_ms,
       double      *total_ms,
       guint       *nodes)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 begin = g_get_monotonic_time (), built;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  built = g_get_monotonic_time ();
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));
  *snapshot_ms = (built - begin) / 1e3;
  *total_ms = (g_get_monotonic_time () - begin) / 1e3;
  if (nodes != NULL)
    *nodes = count_nodes (node);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LabRepetition) rep = NULL;
  g_autoptr(GskRenderer) renderer = NULL;
  GOptionEntry entries[] = {
    { "spans", 0, 0, G_OPTION_ARG_INT, &n_spans, "Number of spans (100000)", "N" },
    { "lanes", 0, 0, G_OPTION_ARG_INT, &n_lanes, "Number of worker lanes, 2–8 (8)", "N" },
    { NULL }
  };
  GtkWidget *window, *timeline;
  double prepare_ms, first_snapshot_ms, first_ms, snapshot_ms, total_ms;
  double cached_snapshot_ms = 0, cached_ms = 0;
  guint nodes;
  gint64 begin;

  context = g_option_context_new ("- LabTimeline frame time");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_lanes < 1 || n_lanes > LAB_MAX_WORKERS || n_spans < 1 || n_spans > LAB_MAX_TASKS)
    {
      g_printerr ("--lanes must be 1..%d and --spans 1..%d\n", LAB_MAX_WORKERS, LAB_MAX_TASKS);
      return 2;
    }

  gtk_init ();
  adw_init ();

  rep = make_repetition ();
  window = gtk_window_new ();
  timeline = lab_timeline_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_set_child (GTK_WINDOW (window), timeline);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (timeline) == 0)
    g_main_context_iteration (NULL, TRUE);

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, &error))
    {
      g_printerr ("Could not realize the cairo renderer: %s\n", error->message);
      return 1;
    }

  begin = g_get_monotonic_time ();
  lab_timeline_set_repetition (LAB_TIMELINE (timeline), rep);
  prepare_ms = (g_get_monotonic_time () - begin) / 1e3;

  frame (timeline, renderer, &first_snapshot_ms, &first_ms, &nodes);
  for (guint i = 0; i < CACHED_FRAMES; i++)
    {
      frame (timeline, renderer, &snapshot_ms, &total_ms, NULL);
      cached_snapshot_ms += snapshot_ms / CACHED_FRAMES;
      cached_ms += total_ms / CACHED_FRAMES;
    }

  g_print ("{\"timeline_spans\":%u,\"lanes\":%u,\"width\":%d,\"height\":%d,"
           "\"prepare_ms\":%.3f,\"first_snapshot_ms\":%.3f,\"first_frame_ms\":%.3f,"
           "\"cached_snapshot_ms\":%.4f,\"cached_frame_ms\":%.3f,\"nodes\":%u}\n",
           n_spans, n_lanes, gtk_widget_get_width (timeline), gtk_widget_get_height (timeline),
           prepare_ms, first_snapshot_ms, first_ms, cached_snapshot_ms, cached_ms, nodes);

  gsk_renderer_unrealize (renderer);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
