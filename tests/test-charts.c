/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "lab-bar-chart.h"
#include "lab-cell.h"
#include "lab-cpu-chart.h"
#include "lab-speedup-chart.h"
#include "lab-timeline.h"

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

static LabCell *
make_cell (LabMode mode,
           guint   workers,
           double  wall_s,
           double  baseline_s)
{
  LabCell *cell = lab_cell_new (mode, workers);
  const double spread[] = { 1.0, 1.06, 0.97, 1.02, 0.99 };

  for (guint r = 0; r < G_N_ELEMENTS (spread); r++)
    {
      g_autoptr(LabRepetition) rep = lab_repetition_new (mode, workers, r + 1, FALSE);

      rep->wall_s = wall_s * spread[r];
      rep->tasks = rep->ok_tasks = 8;
      rep->finished = TRUE;
      lab_cell_add_repetition (cell, rep);
    }
  lab_cell_update (cell, baseline_s);
  return cell;
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
  LabRepetition *rep = lab_repetition_new (mode, workers, 1, FALSE);
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
  assert_description (LAB_CHART (chart), "threads ×4");
  g_assert_nonnull (strstr (lab_chart_get_summary (LAB_CHART (chart)), "gil ×2"));
}

static void
test_bar_chart_follows_model (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (LAB_TYPE_CELL);
  g_autoptr(LabCell) cell = lab_cell_new (LAB_MODE_ASYNC, 20);
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_MODE_ASYNC, 20, 1, FALSE);
  GtkWidget *chart = lab_bar_chart_new ();

  lab_bar_chart_set_model (LAB_BAR_CHART (chart), G_LIST_MODEL (store));
  show_chart (fixture, chart);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "Run an experiment");

  /* A cell without repetitions has no bar yet */
  g_list_store_append (store, cell);
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));

  /* Its statistics arrive through notify */
  rep->wall_s = 0.417;
  lab_cell_add_repetition (cell, rep);
  lab_cell_update (cell, NAN);
  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "async ×20: 417 ms");

  g_list_store_remove (store, 0);
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
  g_assert_nonnull (strstr (lab_chart_get_summary (LAB_CHART (chart)), "2.0× with 4 workers"));
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
  assert_description (LAB_CHART (chart), "200 tasks");
  g_assert_nonnull (strstr (lab_chart_get_summary (LAB_CHART (chart)), "5 failed"));

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
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_MODE_PROCESSES, 3, 1, FALSE);
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
      lab_cpu_chart_add_sample (LAB_CPU_CHART (chart), utilisation, G_N_ELEMENTS (utilisation));
    }

  g_assert_cmpuint (lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart)), ==, 120);
  g_assert_cmpuint (check_exports (fixture, LAB_CHART (chart), "cpu"), >, 10000);
  assert_description (LAB_CHART (chart), "CPU 3: average 0 %, peak 0 %");

  lab_cpu_chart_clear (LAB_CPU_CHART (chart));
  g_assert_true (lab_chart_get_empty (LAB_CHART (chart)));
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

  show_chart (fixture, chart);
  g_object_set (chart, "running", TRUE, NULL);
  g_timeout_add (800, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_object_set (chart, "running", FALSE, NULL);

  g_assert_cmpuint (lab_cpu_chart_get_n_samples (LAB_CPU_CHART (chart)), >=, 2);
  g_assert_false (lab_chart_get_empty (LAB_CHART (chart)));
  assert_description (LAB_CHART (chart), "CPU 0:");
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
  ADD ("/charts/speedup/render", test_speedup_chart);
  ADD ("/charts/export-errors", test_export_errors);
  ADD ("/charts/timeline/render", test_timeline);
  ADD ("/charts/timeline/live", test_timeline_live);
  ADD ("/charts/timeline/100k", test_timeline_100k);
  ADD ("/charts/cpu/render", test_cpu_chart);
  ADD ("/charts/cpu/samples", test_cpu_chart_samples);
  ADD ("/charts/dark-style", test_dark_style);

#undef ADD

  return g_test_run ();
}
