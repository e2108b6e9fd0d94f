/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "lab-bar-chart.h"
#include "lab-cell.h"
#include "lab-chart-private.h"
#include "lab-cpu-chart.h"
#include "lab-speedup-chart.h"
#include "lab-timeline-private.h"

/* The charts rendered for real in a window: exported images are not
 * blank, exports fail cleanly, the accessible description carries the
 * data. Set LAB_TEST_CHART_DIR to keep the images for a look. */

#define EXPORT_W 640
#define EXPORT_H 360

typedef struct
{
  GtkWidget *window;
  char      *tmpdir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("test-charts-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), EXPORT_W, EXPORT_H);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  remove_dir (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

static void
show_chart (Fixture   *fixture,
            GtkWidget *chart)
{
  gtk_window_set_child (GTK_WINDOW (fixture->window), chart);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (fixture->window);
}

/* Runs the main loop until the chart's rate-limited update has run */
static void
wait_for_update (GtkWidget *chart)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (lab_chart_get_update_pending (LAB_CHART (chart)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Runs the main loop for @ms milliseconds */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static void
assert_summary_contains (GtkWidget  *chart,
                         const char *text)
{
  const char *summary = lab_chart_get_summary (LAB_CHART (chart));

  if (summary == NULL || strstr (summary, text) == NULL)
    g_error ("“%s” is not in the summary “%s”", text, summary);
}

/* Pixels of the image that differ from its top-left corner, the background */
static guint
count_drawn_pixels (const char *path,
                    gboolean   *dark_background)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  g_autofree guchar *pixels = NULL;
  int width, height;
  gsize stride;
  guint drawn = 0;

  g_assert_no_error (error);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, ==, EXPORT_W);
  g_assert_cmpint (height, ==, EXPORT_H);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  if (dark_background != NULL)
    *dark_background = pixels[0] + pixels[1] + pixels[2] < 3 * 128;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * 4;

        for (int c = 0; c < 4; c++)
          if (ABS ((int) p[c] - (int) pixels[c]) > 8)
            {
              drawn++;
              break;
            }
      }
  return drawn;
}

static void
keep_image (LabChart   *chart,
            const char *name)
{
  const char *dir = g_getenv ("LAB_TEST_CHART_DIR");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  lab_chart_export_png (chart, path, EXPORT_W, EXPORT_H, &error);
  g_assert_no_error (error);
}

/* Exports @chart as PNG and SVG and checks both */
static guint
check_exports (Fixture    *fixture,
               LabChart   *chart,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_strdup_printf ("%s/%s.png", fixture->tmpdir, name);
  g_autofree char *svg = g_strdup_printf ("%s/%s.svg", fixture->tmpdir, name);
  g_autofree char *contents = NULL;
  gsize length;
  guint drawn;

  g_assert_true (lab_chart_export_png (chart, png, EXPORT_W, EXPORT_H, &error));
  g_assert_no_error (error);
  drawn = count_drawn_pixels (png, NULL);
  g_test_message ("%s: %u of %u pixels drawn", name, drawn, EXPORT_W * EXPORT_H);

  g_assert_true (lab_chart_export_svg (chart, svg, EXPORT_W, EXPORT_H, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 200);
  g_assert_nonnull (strstr (contents, "<svg"));

  keep_image (chart, png + strlen (fixture->tmpdir) + 1);
  return drawn;
}

static void
assert_description (LabChart    *chart,
                    const char  *must_contain)
{
  const char *summary = lab_chart_get_summary (chart);

  g_assert_nonnull (summary);
  g_test_message ("summary: %s", summary);
  if (must_contain != NULL)
    g_assert_nonnull (strstr (summary, must_contain));
  gtk_test_accessible_assert_role (chart, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary);
}

/* Data */

/* A cell of five repetitions around @wall_s; the first has @failed of
 * its 8 tasks failed */
static LabCell *
make_cell_failed (LabMode mode,
                  guint   workers,
                  double  wall_s,
                  double  baseline_s,
                  guint   failed)
{
  LabCell *cell = lab_cell_new (LAB_RUNTIME_NATIVE, mode, workers);
  const double spread[] = { 1.0, 1.06, 0.97, 1.02, 0.99 };

  for (guint r = 0; r < G_N_ELEMENTS (spread); r++)
    {
      g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, mode, workers, r + 1, FALSE);

      rep->wall_s = wall_s * spread[r];
      rep->tasks = 8;
      rep->failed_tasks = r == 0 ? failed : 0;
      rep->ok_tasks = rep->tasks - rep->failed_tasks;
      rep->finished = TRUE;
      lab_cell_add_repetition (cell, rep);
    }
  lab_cell_update (cell, baseline_s);
  return cell;
}

static LabCell *
make_cell (LabMode mode,
           guint   workers,
           double  wall_s,
           double  baseline_s)
{
  return make_cell_failed (mode, workers, wall_s, baseline_s, 0);
}

static GListModel *
make_cells (void)
{
  GListStore *store = g_list_store_new (LAB_TYPE_CELL);
  const struct { LabMode mode; guint workers; double wall_s; } cells[] = {
    { LAB_MODE_SEQUENTIAL, 1, 1.6 },
    { LAB_MODE_THREADS, 2, 0.85 },
    { LAB_MODE_THREADS, 4, 0.80 },
    { LAB_MODE_PROCESSES, 2, 0.84 },
    { LAB_MODE_PROCESSES, 4, 0.83 },
    { LAB_MODE_GIL, 2, 1.7 },
    { LAB_MODE_GIL, 4, 1.75 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_autoptr(LabCell) cell = make_cell (cells[i].mode, cells[i].workers,
                                           cells[i].wall_s, cells[0].wall_s);

      g_list_store_append (store, cell);
    }
  return G_LIST_MODEL (store);
}

/* Spans of @n_tasks tasks, each given to the worker free first; every
 * 37th fails. Durations are pseudo-random but fixed. */
static LabRepetition *
make_repetition (LabMode mode,
                 guint   workers,
                 guint   n_tasks)
{
  LabRepetition *rep = lab_repetition_new (LAB_RUNTIME_NATIVE, mode, workers, 1, FALSE);
  g_autofree gint64 *free_at = g_new0 (gint64, workers);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint task = 0; task < n_tasks; task++)
    {
      LabSpan span = { 0 };
      guint worker = 0;

      for (guint w = 1; w < workers; w++)
        if (free_at[w] < free_at[worker])
          worker = w;

      span.task = task;
      span.worker = worker;
      span.pid = lab_mode_uses_workers_processes (mode) ? 5000 + worker : 4242;
      span.tid = 7000 + worker;
      span.queued_us = 0;
      span.start_us = free_at[worker] + g_rand_int_range (rand, 5, 60);
      span.end_us = span.start_us + g_rand_int_range (rand, 200, 3000);
      span.status = task % 37 == 36 ? LAB_TASK_FAILED : LAB_TASK_OK;
      span.error = span.status == LAB_TASK_FAILED ? g_strdup ("checksum mismatch") : NULL;
      free_at[worker] = span.end_us;
      g_array_append_val (rep->spans, span);
    }

  rep->tasks = n_tasks;
  rep->finished = TRUE;
  return rep;
}

/* Tests */

static void
test_bar_chart (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GListModel) cells = make_cells ();
  GtkWidget *chart = lab_bar_chart_new ();

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), cells);
  show_chart (fixture, chart);

  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "bar"), >, 8000);
  /* Modes by their titles, as everywhere in the window */
  assert_description (LAB_CHART (chart), "Threads ×4");
  assert_summary_contains (chart, "Threads + emulated GIL ×2");
  g_assert_null (strstr (lab_chart_get_summary (LAB_CHART (chart)), "gil"));
}

static void
test_bar_chart_follows_model (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (LAB_TYPE_CELL);
  g_autoptr(LabCell) cell = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_ASYNC, 20);
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_ASYNC, 20, 1, FALSE);
  GtkWidget *chart = lab_bar_chart_new ();

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), G_LIST_MODEL (store));
  show_chart (fixture, chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "Run an experiment");

  /* A cell without repetitions has no bar yet */
  g_list_store_append (store, cell);
  wait_for_update (chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));

  /* Its statistics arrive through notify, shown by the next update */
  rep->wall_s = 0.417;
  lab_cell_add_repetition (cell, rep);
  lab_cell_update (cell, NAN);
  g_assert_true (lab_chart_get_update_pending (LAB_CHART (chart)));
  wait_for_update (chart);
  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "Event loop ×20: 417 ms");

  g_list_store_remove (store, 0);
  wait_for_update (chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), NULL);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* The model property of the cells-chart base class, through a subclass */
static void
test_cells_chart_model (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GListModel) cells = make_cells ();
  g_autoptr(GListModel) model = NULL;
  GtkWidget *chart = lab_speedup_chart_new ();
  guint notified = 0;

  show_chart (fixture, chart);
  g_signal_connect_swapped (chart, "notify::model", G_CALLBACK (count_notify), &notified);

  g_object_set (chart, "model", cells, NULL);
  g_object_set (chart, "model", cells, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (chart, "model", &model, NULL);
  g_assert_true (model == cells);
  g_assert_true (lab_speedup_chart_get_model (LAB_SPEEDUP_CHART (chart)) == cells);
  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));

  lab_cells_chart_set_model (LAB_CELLS_CHART (chart), NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_null (lab_cells_chart_get_model (LAB_CELLS_CHART (chart)));
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
}

static void
test_empty_export (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *chart = lab_speedup_chart_new ();

  show_chart (fixture, chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
  /* the message is drawn */
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "empty"), >, 100);
}

static void
test_speedup_chart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GListModel) cells = make_cells ();
  GtkWidget *chart = lab_speedup_chart_new ();

  lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (chart), cells);
  lab_speedup_chart_set_n_cpus (LAB_SPEEDUP_CHART (chart), 2);
  show_chart (fixture, chart);

  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "speedup"), >, 5000);
  assert_description (LAB_CHART (chart), "this machine has 2 CPU cores");
  assert_summary_contains (chart, "2.0× with 4 workers");
  /* Threads: 1.88× with 2, 2.0× with 4 workers fit s = 0.25 */
  assert_summary_contains (chart, "Amdahl's law fitted to Threads: a serial fraction of 25 %");
  assert_summary_contains (chart, "Amdahl's law fitted to Threads + emulated GIL");
  /* Sequential has one worker count: nothing to fit */
  g_assert_null (strstr (lab_chart_get_summary (LAB_CHART (chart)), "fitted to Sequential"));
}

/* Cells on Amdahl's law with s = 0.1 give it back, on the chart too */
static void
test_speedup_chart_amdahl (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (LAB_TYPE_CELL);
  const guint workers[] = { 1, 2, 4, 8, 16 };
  GtkWidget *chart = lab_speedup_chart_new ();

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      LabMode mode = workers[i] == 1 ? LAB_MODE_SEQUENTIAL : LAB_MODE_ASYNC;
      double wall_s = 0.1 + 0.9 / workers[i];
      g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, mode, workers[i], 1, FALSE);
      g_autoptr(LabCell) cell = lab_cell_new (LAB_RUNTIME_NATIVE, mode, workers[i]);

      rep->wall_s = wall_s;
      rep->tasks = rep->ok_tasks = 16;
      lab_cell_add_repetition (cell, rep);
      lab_cell_update (cell, 1.0);
      g_list_store_append (store, cell);
    }

  lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (chart), G_LIST_MODEL (store));
  lab_speedup_chart_set_n_cpus (LAB_SPEEDUP_CHART (chart), 8);
  show_chart (fixture, chart);

  assert_summary_contains (chart, "Amdahl's law fitted to Event loop: a serial fraction of 10 %, "
                                  "so at most 10.0× with any number of workers.");
  g_assert_null (strstr (lab_chart_get_summary (LAB_CHART (chart)), "async"));
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "speedup-amdahl"), >, 5000);
}

/* A cell with failed tasks, or without a speedup, is not plotted */
static void
test_speedup_chart_skips_failed (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (LAB_TYPE_CELL);
  g_autoptr(LabCell) sequential = make_cell (LAB_MODE_SEQUENTIAL, 1, 1.6, 1.6);
  g_autoptr(LabCell) two = make_cell (LAB_MODE_THREADS, 2, 0.85, 1.6);
  g_autoptr(LabCell) four = make_cell_failed (LAB_MODE_THREADS, 4, 0.2, 1.6, 3);
  g_autoptr(LabCell) no_baseline = make_cell (LAB_MODE_PROCESSES, 4, 0.5, NAN);
  GtkWidget *chart = lab_speedup_chart_new ();
  const char *summary;

  g_assert_cmpuint (lab_cell_get_failed_tasks (four), ==, 3);
  g_list_store_append (store, sequential);
  g_list_store_append (store, two);
  g_list_store_append (store, four);
  g_list_store_append (store, no_baseline);
  lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (chart), G_LIST_MODEL (store));
  show_chart (fixture, chart);

  summary = lab_chart_get_summary (LAB_CHART (chart));
  g_test_message ("summary: %s", summary);
  assert_summary_contains (chart, "Threads: 1.9× with 2 workers.");
  g_assert_null (strstr (summary, "with 4 workers"));
  g_assert_null (strstr (summary, "Processes"));
  /* One worker count left: no fit */
  g_assert_null (strstr (summary, "Amdahl"));
  keep_image (LAB_CHART (chart), "speedup-failed.png");
}

/* The wall time of a cell with failed tasks is shown, marked */
static void
test_bar_chart_failed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (LAB_TYPE_CELL);
  g_autoptr(LabCell) sequential = make_cell (LAB_MODE_SEQUENTIAL, 1, 1.6, 1.6);
  g_autoptr(LabCell) spawn = make_cell_failed (LAB_MODE_SPAWN, 4, 0.9, 1.6, 2);
  GtkWidget *chart = lab_bar_chart_new ();

  g_list_store_append (store, sequential);
  g_list_store_append (store, spawn);
  lab_bar_chart_set_model (LAB_BAR_CHART (chart), G_LIST_MODEL (store));
  show_chart (fixture, chart);

  assert_summary_contains (chart, "Process per task ×4: ");
  assert_summary_contains (chart, "2 tasks failed there.");
  g_assert_null (strstr (lab_chart_get_summary (LAB_CHART (chart)), "spawn"));
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "bar-failed"), >, 3000);
}

static void
test_export_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GListModel) cells = make_cells ();
  GtkWidget *chart = lab_bar_chart_new ();
  const char *paths[] = {
    "/nonexistent-lab-dir/chart.png",
    "/proc/lab-chart.png",
  };

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), cells);
  show_chart (fixture, chart);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (lab_chart_export_png (LAB_CHART (chart), paths[i], 320, 200, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_clear_error (&error);

      g_assert_false (lab_chart_export_svg (LAB_CHART (chart), paths[i], 320, 200, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, paths[i]));
    }

  /* A failed export leaves nothing behind, an existing file stays whole */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (fixture->tmpdir, "kept.png", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_set_contents (path, "old", -1, &error));
    g_assert_false (lab_chart_export_png (LAB_CHART (chart), path, 0, 200, &error));
    g_assert_nonnull (strstr (error->message, path));
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "old");
  }
}

static void
test_timeline (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LabRepetition) rep = make_repetition (LAB_MODE_THREADS, 4, 200);
  GtkWidget *chart = lab_timeline_new ();
  const LabSpan *span;
  int width, height;
  guint index;
  gboolean found = FALSE;

  lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
  show_chart (fixture, chart);

  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (chart)), ==, 4);
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "timeline"), >, 10000);
  assert_description (LAB_CHART (chart), "Threads, 4 workers, repetition 1: 200 tasks on 4 lanes");
  assert_summary_contains (chart, "5 failed");

  /* The middle of the second lane holds a task of worker 1 */
  width = gtk_widget_get_width (chart);
  height = gtk_widget_get_height (chart);
  for (int dx = 0; dx < 40 && !found; dx++)
    found = lab_timeline_get_span_at (LAB_TIMELINE (chart), width / 2 + dx, height * 0.3, &index);
  g_assert_true (found);
  span = &g_array_index (rep->spans, LabSpan, index);
  g_assert_cmpuint (span->worker, ==, 1);

  /* Nothing to find in the label gutter */
  g_assert_false (lab_timeline_get_span_at (LAB_TIMELINE (chart), 1, height * 0.3, &index));

  /* Zoomed into the first 5 ms, the right edge holds a task from then */
  lab_timeline_set_visible_range (LAB_TIMELINE (chart), 0, 5000);
  found = FALSE;
  for (int dx = 10; dx < 60 && !found; dx++)
    found = lab_timeline_get_span_at (LAB_TIMELINE (chart), width - dx, height * 0.3, &index);
  g_assert_true (found);
  span = &g_array_index (rep->spans, LabSpan, index);
  g_assert_cmpint (span->start_us, <=, 5000);
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "timeline-zoomed"), >, 10000);
  lab_timeline_reset_zoom (LAB_TIMELINE (chart));
}

static void
test_timeline_live (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LabRepetition) all = make_repetition (LAB_MODE_PROCESSES, 3, 90);
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_PROCESSES, 3, 1, FALSE);
  GtkWidget *chart = lab_timeline_new ();

  lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
  show_chart (fixture, chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));

  /* Spans arrive one at a time; frames come in between now and then */
  for (guint i = 0; i < all->spans->len; i++)
    {
      LabSpan span;

      lab_span_copy (&g_array_index (all->spans, LabSpan, i), &span);
      g_array_append_val (rep->spans, span);
      lab_timeline_spans_added (LAB_TIMELINE (chart), i, 1);
      g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
      if (i % 30 == 0)
        gtk_test_widget_wait_for_draw (chart);
    }

  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "timeline-live"), >, 10000);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (chart)), ==, 3);

  lab_timeline_set_repetition (LAB_TIMELINE (chart), NULL);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
}

static const char *
lane_label (GtkWidget *chart,
            guint      lane)
{
  LabTimeline *timeline = LAB_TIMELINE (chart);

  g_assert_cmpuint (lane, <, lab_timeline_get_n_lanes (timeline));
  return ((LabTimelineLane *) g_ptr_array_index (timeline->lanes, lane))->label;
}

/* Lanes are named by what runs in them, from 1; never by a tid */
static void
test_timeline_lanes (Fixture       *fixture,
                     gconstpointer  data)
{
  const struct {
    LabMode     mode;
    guint       workers;
    guint       lane;
    const char *label;
  } cases[] = {
    { LAB_MODE_SEQUENTIAL, 1, 0, "Thread 1" },
    { LAB_MODE_THREADS, 4, 2, "Thread 3" },
    { LAB_MODE_GIL, 2, 1, "Thread 2" },
    { LAB_MODE_PROCESSES, 3, 1, "Process 2 (pid 5001)" },
    { LAB_MODE_SPAWN, 3, 1, "Process slot 2" },
    { LAB_MODE_ASYNC, 5, 4, "Request slot 5" },
  };
  GtkWidget *chart = lab_timeline_new ();

  show_chart (fixture, chart);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabRepetition) rep = make_repetition (cases[i].mode, cases[i].workers, 60);

      lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
      g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (chart)), ==, cases[i].workers);
      g_assert_cmpstr (lane_label (chart, cases[i].lane), ==, cases[i].label);
      for (guint lane = 0; lane < cases[i].workers; lane++)
        g_assert_null (strstr (lane_label (chart, lane), "tid"));
      assert_summary_contains (chart, lab_mode_title (cases[i].mode));
    }

  /* A worker process that died and was replaced: its new pid, and how often */
  {
    g_autoptr(LabRepetition) rep = make_repetition (LAB_MODE_PROCESSES, 2, 60);

    for (guint i = 30; i < rep->spans->len; i++)
      {
        LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

        if (span->worker == 1)
          span->pid = i < 45 ? 6001 : 6002;
      }
    lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
    g_assert_cmpstr (lane_label (chart, 0), ==, "Process 1 (pid 5000)");
    g_assert_cmpstr (lane_label (chart, 1), ==, "Process 2 (pid 6002, replaced 2 times)");
    keep_image (LAB_CHART (chart), "timeline-replaced.png");

    for (guint i = 45; i < rep->spans->len; i++)
      if (g_array_index (rep->spans, LabSpan, i).worker == 1)
        g_array_index (rep->spans, LabSpan, i).pid = 6001;
    lab_timeline_set_repetition (LAB_TIMELINE (chart), NULL);
    lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
    g_assert_cmpstr (lane_label (chart, 1), ==, "Process 2 (pid 6001, replaced once)");
  }
}

/* The summary says which mode, how many workers, which repetition */
static void
test_timeline_summary (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LabRepetition) rep = make_repetition (LAB_MODE_SPAWN, 4, 32);
  g_autoptr(LabRepetition) warmup = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 1, 0, TRUE);
  GtkWidget *chart = lab_timeline_new ();
  LabSpan span = { 0 };

  rep->repeat = 2;
  lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
  show_chart (fixture, chart);
  assert_description (LAB_CHART (chart),
                      "Process per task, 4 workers, repetition 2: 32 tasks on 4 lanes in ");

  g_object_set (chart, "repetition-total", 3, NULL);
  g_assert_cmpuint (lab_timeline_get_repetition_total (LAB_TIMELINE (chart)), ==, 3);
  assert_description (LAB_CHART (chart),
                      "Process per task, 4 workers, repetition 2 of 3: 32 tasks on 4 lanes");
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "timeline-spawn"), >, 5000);

  span.end_us = 1000;
  g_array_append_val (warmup->spans, span);
  lab_timeline_set_repetition (LAB_TIMELINE (chart), warmup);
  assert_description (LAB_CHART (chart), "Threads, 1 worker, warm-up: 1 task on 1 lane in ");
}

/* Spans arriving one by one over about half a second are drawn ten times
 * a second at most, and nothing is redrawn once they stop */
static void
test_timeline_bounded_redraw (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(LabRepetition) all = make_repetition (LAB_MODE_THREADS, 4, 1000);
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 4, 1, FALSE);
  GtkWidget *chart = lab_timeline_new ();
  guint before, drawn, limit;
  gint64 begin, elapsed_ms;

  lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
  show_chart (fixture, chart);

  before = lab_chart_get_n_snapshots (LAB_CHART (chart));
  begin = g_get_monotonic_time ();
  for (guint i = 0; i < all->spans->len; i++)
    {
      LabSpan span;

      lab_span_copy (&g_array_index (all->spans, LabSpan, i), &span);
      g_array_append_val (rep->spans, span);
      lab_timeline_spans_added (LAB_TIMELINE (chart), i, 1);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (500);
    }
  wait_for_update (chart);
  spin (50);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
  drawn = lab_chart_get_n_snapshots (LAB_CHART (chart)) - before;
  /* One update per interval, one more at the start, the first span's
   * redraw for no longer being empty, and a stray frame */
  limit = elapsed_ms / LAB_CHART_UPDATE_INTERVAL_MS + 3;
  g_test_message ("1000 spans in %" G_GINT64_FORMAT " ms: %u snapshots, at most %u allowed",
                  elapsed_ms, drawn, limit);
  g_assert_cmpuint (drawn, >=, 1);
  g_assert_cmpuint (drawn, <=, limit);

  /* Everything arrived, and the last summary follows within a second */
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (chart)), ==, 4);
  spin (1100);
  assert_summary_contains (chart, "1000 tasks on 4 lanes");

  /* Still: no more frames */
  before = lab_chart_get_n_snapshots (LAB_CHART (chart));
  spin (300);
  g_assert_cmpuint (lab_chart_get_n_snapshots (LAB_CHART (chart)), ==, before);
}

/* Cells notifying after every repetition: bounded redraws too */
static void
test_cells_chart_bounded_redraw (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GListModel) cells = make_cells ();
  g_autoptr(LabCell) cell = g_list_model_get_item (cells, 2);
  GtkWidget *chart = lab_bar_chart_new ();
  guint before, drawn;
  gint64 begin, elapsed_ms;

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), cells);
  show_chart (fixture, chart);

  before = lab_chart_get_n_snapshots (LAB_CHART (chart));
  begin = g_get_monotonic_time ();
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 4, i + 6, FALSE);

      rep->wall_s = 0.8 + 0.001 * i;
      lab_cell_add_repetition (cell, rep);
      lab_cell_update (cell, 1.6);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
  wait_for_update (chart);
  spin (50);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
  drawn = lab_chart_get_n_snapshots (LAB_CHART (chart)) - before;
  g_test_message ("200 cell updates in %" G_GINT64_FORMAT " ms: %u snapshots", elapsed_ms, drawn);
  g_assert_cmpuint (drawn, >=, 1);
  g_assert_cmpuint (drawn, <=, elapsed_ms / LAB_CHART_UPDATE_INTERVAL_MS + 2);
}

static void
test_timeline_100k (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LabRepetition) rep = make_repetition (LAB_MODE_THREADS, 8, 100000);
  GtkWidget *chart = lab_timeline_new ();
  g_autoptr(GskRenderNode) first = NULL;
  g_autoptr(GskRenderNode) second = NULL;
  gint64 begin, uncached, cached;

  begin = g_get_monotonic_time ();
  lab_timeline_set_repetition (LAB_TIMELINE (chart), rep);
  show_chart (fixture, chart);
  g_test_message ("100,000 spans: set and first frame in %.1f ms",
                  (g_get_monotonic_time () - begin) / 1e3);

  /* A new size twice: the second node comes from the cache */
  begin = g_get_monotonic_time ();
  first = lab_chart_render (LAB_CHART (chart), EXPORT_W + 1, EXPORT_H, FALSE);
  uncached = g_get_monotonic_time () - begin;
  begin = g_get_monotonic_time ();
  second = lab_chart_render (LAB_CHART (chart), EXPORT_W + 1, EXPORT_H, FALSE);
  cached = g_get_monotonic_time () - begin;
  g_test_message ("snapshot: %.2f ms uncached, %.3f ms cached", uncached / 1e3, cached / 1e3);
  g_assert_nonnull (first);
  g_assert_cmpint (cached, <, 50000);

  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "timeline-100k"), >, 20000);
  assert_description (LAB_CHART (chart), "100000 tasks");
}

static void
test_cpu_chart (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *chart = lab_cpu_chart_new ();
  double utilisation[4];

  show_chart (fixture, chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));

  for (guint i = 0; i < 120; i++)
    {
      for (guint cpu = 0; cpu < G_N_ELEMENTS (utilisation); cpu++)
        utilisation[cpu] = cpu == 3 ? 0.0 : 0.5 + 0.45 * sin (i / 8.0 + cpu);
      lab_cpu_chart_add_sample_at (LAB_CPU_CHART (chart), (i + 1) * 0.25,
                                   utilisation, G_N_ELEMENTS (utilisation));
    }

  g_assert_cmpuint (lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart)), ==, 120);
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "cpu"), >, 10000);
  assert_description (LAB_CHART (chart), "CPU 3: average 0 %, peak 0 %");
  /* It says what it measures: the whole machine, not this run alone */
  assert_summary_contains (chart, "whole machine per core, other programs included, "
                                  "from 0.25 s to ");

  /* Two minutes on 16 cores: the last minute is shown */
  {
    double many[16];

    for (guint i = 0; i < 480; i++)
      {
        for (guint cpu = 0; cpu < G_N_ELEMENTS (many); cpu++)
          many[cpu] = 0.5 + 0.45 * sin (i / 10.0 + cpu);
        lab_cpu_chart_add_sample_at (LAB_CPU_CHART (chart), (i + 1) * 0.25,
                                     many, G_N_ELEMENTS (many));
      }
    g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "cpu-16"), >, 10000);
  }

  lab_cpu_chart_clear (LAB_CPU_CHART (chart));
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
}

/* Samples faster than the redraw limit are drawn ten times a second at most */
static void
test_cpu_chart_bounded_redraw (Fixture       *fixture,
                               gconstpointer  data)
{
  GtkWidget *chart = lab_cpu_chart_new ();
  double utilisation[2] = { 0.5, 0.25 };
  guint before, drawn;
  gint64 begin, elapsed_ms;

  lab_cpu_chart_add_sample_at (LAB_CPU_CHART (chart), 0.0, utilisation, 2);
  show_chart (fixture, chart);

  before = lab_chart_get_n_snapshots (LAB_CHART (chart));
  begin = g_get_monotonic_time ();
  for (guint i = 1; i <= 300; i++)
    {
      lab_cpu_chart_add_sample_at (LAB_CPU_CHART (chart), i * 0.01, utilisation, 2);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  wait_for_update (chart);
  spin (50);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
  drawn = lab_chart_get_n_snapshots (LAB_CHART (chart)) - before;
  g_test_message ("300 samples in %" G_GINT64_FORMAT " ms: %u snapshots", elapsed_ms, drawn);
  g_assert_cmpuint (drawn, >=, 1);
  g_assert_cmpuint (drawn, <=, elapsed_ms / LAB_CHART_UPDATE_INTERVAL_MS + 3);
}

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_cpu_chart_samples (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *chart = lab_cpu_chart_new ();
  gboolean done = FALSE;

  guint n_samples;

  /* Reading /proc/stat is cheap, but not free: four times a second at most */
  G_STATIC_ASSERT (LAB_CPU_CHART_SAMPLE_INTERVAL_MS >= 250);

  show_chart (fixture, chart);
  g_object_set (chart, "running", TRUE, NULL);
  g_timeout_add (800, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_object_set (chart, "running", FALSE, NULL);

  n_samples = lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart));
  g_assert_cmpuint (n_samples, >=, 2);
  g_assert_cmpuint (n_samples, <=, 800 / LAB_CPU_CHART_SAMPLE_INTERVAL_MS);
  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "CPU 0:");

  /* Stopped: no more samples, the history stays */
  spin (600);
  g_assert_cmpuint (lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart)), ==, n_samples);

  /* Running again is a new recording, timed from its own start */
  g_object_set (chart, "running", TRUE, NULL);
  g_assert_cmpuint (lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart)), ==, 0);
  g_object_set (chart, "running", FALSE, NULL);
}

static void
test_dark_style (Fixture       *fixture,
                 gconstpointer  data)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(GListModel) cells = make_cells ();
  g_autofree char *png = g_build_filename (fixture->tmpdir, "dark.png", NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *chart = lab_bar_chart_new ();
  gboolean dark = FALSE;
  const GdkRGBA *threads;
  GdkRGBA light_threads;

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), cells);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  show_chart (fixture, chart);
  g_assert_false (lab_chart_get_palette (LAB_CHART (chart))->dark);
  light_threads = lab_chart_get_palette (LAB_CHART (chart))->modes[LAB_MODE_THREADS];

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_test_widget_wait_for_draw (fixture->window);
  g_assert_true (lab_chart_get_palette (LAB_CHART (chart))->dark);
  threads = &lab_chart_get_palette (LAB_CHART (chart))->modes[LAB_MODE_THREADS];
  g_assert_false (gdk_rgba_equal (&light_threads, threads));

  g_assert_true (lab_chart_export_png (LAB_CHART (chart), png, EXPORT_W, EXPORT_H, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_drawn_pixels (png, &dark), >, 8000);
  g_assert_true (dark);
  keep_image (LAB_CHART (chart), "bar-dark.png");

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

/* Every chart on a dark background: something legible is drawn */
static void
test_dark_gallery (Fixture       *fixture,
                   gconstpointer  data)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(GListModel) cells = make_cells ();
  g_autoptr(LabRepetition) rep = make_repetition (LAB_MODE_PROCESSES, 4, 300);
  double utilisation[2];
  GtkWidget *charts[3];
  const char *names[] = { "speedup-dark", "timeline-dark", "cpu-dark" };

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);

  charts[0] = lab_speedup_chart_new ();
  lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (charts[0]), cells);
  charts[1] = lab_timeline_new ();
  lab_timeline_set_repetition (LAB_TIMELINE (charts[1]), rep);
  lab_timeline_set_repetition_total (LAB_TIMELINE (charts[1]), 3);
  charts[2] = lab_cpu_chart_new ();
  for (guint i = 0; i < 40; i++)
    {
      utilisation[0] = 0.5 + 0.4 * sin (i / 5.0);
      utilisation[1] = 0.2;
      lab_cpu_chart_add_sample_at (LAB_CPU_CHART (charts[2]), (i + 1) * 0.25, utilisation, 2);
    }

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/%s.png", fixture->tmpdir, names[i]);
      g_autoptr(GError) error = NULL;
      gboolean dark = FALSE;

      show_chart (fixture, charts[i]);
      g_assert_true (lab_chart_get_palette (LAB_CHART (charts[i]))->dark);
      g_assert_true (lab_chart_export_png (LAB_CHART (charts[i]), png, EXPORT_W, EXPORT_H, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count_drawn_pixels (png, &dark), >, 5000);
      g_assert_true (dark);
      keep_image (LAB_CHART (charts[i]), strrchr (png, '/') + 1);
    }

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/charts/bar/render", test_bar_chart);
  ADD ("/charts/bar/follows-model", test_bar_chart_follows_model);
  ADD ("/charts/cells-chart/model", test_cells_chart_model);
  ADD ("/charts/empty-export", test_empty_export);
  ADD ("/charts/bar/failed", test_bar_chart_failed);
  ADD ("/charts/speedup/render", test_speedup_chart);
  ADD ("/charts/speedup/amdahl", test_speedup_chart_amdahl);
  ADD ("/charts/speedup/skips-failed", test_speedup_chart_skips_failed);
  ADD ("/charts/cells-chart/bounded-redraw", test_cells_chart_bounded_redraw);
  ADD ("/charts/export-errors", test_export_errors);
  ADD ("/charts/timeline/render", test_timeline);
  ADD ("/charts/timeline/live", test_timeline_live);
  ADD ("/charts/timeline/lanes", test_timeline_lanes);
  ADD ("/charts/timeline/summary", test_timeline_summary);
  ADD ("/charts/timeline/bounded-redraw", test_timeline_bounded_redraw);
  ADD ("/charts/timeline/100k", test_timeline_100k);
  ADD ("/charts/cpu/render", test_cpu_chart);
  ADD ("/charts/cpu/samples", test_cpu_chart_samples);
  ADD ("/charts/cpu/bounded-redraw", test_cpu_chart_bounded_redraw);
  ADD ("/charts/dark-style", test_dark_style);
  ADD ("/charts/dark-gallery", test_dark_gallery);

#undef ADD

  return g_test_run ();
}
