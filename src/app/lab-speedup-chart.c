/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-cell.h"
#include "lab-machine.h"
#include "lab-speedup-chart.h"

#define N_VARIANTS (LAB_N_RUNTIMES * LAB_N_MODES)
#include "lab-stats.h"

/* Speedup over sequential against the worker count, one line per mode,
 * with the ideal (linear) speedup and the number of CPU cores marked.
 * A mode measured with two worker counts or more also gets the curve of
 * Amdahl's law fitted to it, dashed, and its serial fraction. Cells with
 * failed tasks have no speedup to show and are left out. */

#define PAD          8.0
#define POINT_RADIUS 3.5
#define TARGET_TICKS 5
#define CURVE_POINTS 48

typedef struct
{
  double workers;   /* normalised 0..1 on x */
  double speedup;   /* normalised 0..1 on y */
} Point;

struct _LabSpeedupChart
{
  LabCellsChart  parent_instance;

  guint          n_cpus;
  GArray        *series[N_VARIANTS];   /* Point, sorted by workers; NULL if none */
  GArray        *fits[N_VARIANTS];     /* Point: the fitted curve; NULL if none */
  double         serial_fraction[N_VARIANTS];
  double         x_max;
  double         x_step;
  double         y_max;
  double         y_step;
};

G_DEFINE_FINAL_TYPE (LabSpeedupChart, lab_speedup_chart, LAB_TYPE_CELLS_CHART)

/* A line per runtime × mode: "Threads" and "CPython threads" are two. */
static const char *
variant_title (guint v)
{
  return lab_variant_title (v / LAB_N_MODES, v % LAB_N_MODES);
}

static const GdkRGBA *
variant_color (const LabChartPalette *palette,
               guint                  v)
{
  return &palette->variants[v / LAB_N_MODES][v % LAB_N_MODES];
}

enum {
  PROP_0,
  PROP_N_CPUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const Point *pa = a, *pb = b;

  return (pa->workers > pb->workers) - (pa->workers < pb->workers);
}

static char *
format_factor (double value)
{
  /* Translators: a speedup factor, "1.9×" */
  return g_strdup_printf (_("%.1f×"), value);
}

static char *
format_percent (double fraction)
{
  double percent = 100 * fraction;

  /* Translators: a serial fraction in per cent, "4 %" */
  return g_strdup_printf (percent > 0 && percent < 1 ? _("%.1f %%") : _("%.0f %%"), percent);
}

static char *
describe_fit (LabSpeedupChart *self,
              guint            v)
{
  g_autofree char *percent = format_percent (self->serial_fraction[v]);

  /* Translators: in the speedup chart's legend, "Threads: Amdahl fit, serial fraction 4 %" */
  return g_strdup_printf (_("%s: Amdahl fit, serial fraction %s"), variant_title (v),
                          percent);
}

static void
append_fits (LabSpeedupChart *self,
             GString         *text)
{
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      double s = self->serial_fraction[v];
      g_autofree char *percent = NULL;

      if (self->fits[v] == NULL)
        continue;

      percent = format_percent (s);
      g_string_append_c (text, ' ');
      /* Translators: "Amdahl's law fitted to Threads: a serial fraction of 4 %" */
      g_string_append_printf (text, _("Amdahl's law fitted to %s: a serial fraction of %s"),
                              variant_title (v), percent);
      if (s >= 0.005)
        {
          g_autofree char *limit = format_factor (1.0 / s);

          /* Translators: the limit a serial fraction sets, "at most 25.0× with any number
           * of workers" */
          g_string_append_printf (text, _(", so at most %s with any number of workers"), limit);
        }
      g_string_append_c (text, '.');
    }
}

static char *
describe_series (LabSpeedupChart *self)
{
  g_autoptr(GString) text = g_string_new (_("Speedup over sequential by number of workers."));

  for (guint v = 0; v < N_VARIANTS; v++)
    {
      GArray *points = self->series[v];

      if (points == NULL)
        continue;

      g_string_append_printf (text, " %s:", variant_title (v));
      for (guint i = 0; i < points->len; i++)
        {
          const Point *p = &g_array_index (points, Point, i);
          g_autofree char *factor = format_factor (p->speedup * self->y_max);

          guint workers = (guint) round (p->workers * self->x_max);

          if (i > 0)
            g_string_append (text, ",");
          g_string_append_c (text, ' ');
          /* Translators: "1.9× with 2 workers" */
          g_string_append_printf (text,
                                  ngettext ("%s with %u worker", "%s with %u workers", workers),
                                  factor, workers);
        }
      g_string_append_c (text, '.');
    }

  append_fits (self, text);
  g_string_append_c (text, ' ');
  g_string_append_printf (text,
                          ngettext ("Ideal speedup equals the number of workers; "
                                    "this machine has %u CPU core.",
                                    "Ideal speedup equals the number of workers; "
                                    "this machine has %u CPU cores.",
                                    self->n_cpus),
                          self->n_cpus);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
clear_series (LabSpeedupChart *self)
{
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      g_clear_pointer (&self->series[v], g_array_unref);
      g_clear_pointer (&self->fits[v], g_array_unref);
    }
}

/* Amdahl's law over a mode's points, in data units; NAN without a fit */
static double
fit_series (GArray *points)
{
  g_autofree double *workers = g_new (double, points->len);
  g_autofree double *speedups = g_new (double, points->len);
  double s;

  for (guint i = 0; i < points->len; i++)
    {
      workers[i] = g_array_index (points, Point, i).workers;
      speedups[i] = g_array_index (points, Point, i).speedup;
    }
  return lab_stats_amdahl_fit (workers, speedups, points->len, &s) ? s : NAN;
}

static inline double
amdahl (double serial_fraction,
        double workers)
{
  return 1.0 / (serial_fraction + (1.0 - serial_fraction) / workers);
}

/* The fitted curve from one worker to the end of the axis, normalised */
static GArray *
build_curve (LabSpeedupChart *self,
             double           serial_fraction)
{
  GArray *curve = g_array_sized_new (FALSE, FALSE, sizeof (Point), CURVE_POINTS);

  for (guint i = 0; i < CURVE_POINTS; i++)
    {
      double workers = 1.0 + (self->x_max - 1.0) * i / (CURVE_POINTS - 1);
      Point point = { workers / self->x_max, amdahl (serial_fraction, workers) / self->y_max };

      g_array_append_val (curve, point);
    }
  return curve;
}

/* A speedup to plot: measured, and every task of the cell succeeded */
static gboolean
get_point (LabCell *cell,
           Point   *point)
{
  point->workers = lab_cell_get_workers (cell);
  point->speedup = lab_cell_get_speedup (cell);

  return lab_cell_get_mode (cell) < LAB_N_MODES && lab_cell_get_runtime (cell) < LAB_N_RUNTIMES
         && lab_cell_get_failed_tasks (cell) == 0
         && isfinite (point->speedup) && point->speedup > 0;
}

/* Normalises the cells to the axes once, when they change. */
static void
lab_speedup_chart_cells_changed (LabCellsChart *cells_chart)
{
  LabSpeedupChart *self = LAB_SPEEDUP_CHART (cells_chart);
  LabChart *chart = LAB_CHART (cells_chart);
  GListModel *cells = lab_cells_chart_get_model (cells_chart);
  guint n_items = cells != NULL ? g_list_model_get_n_items (cells) : 0;
  double max_workers = MAX (1, self->n_cpus), max_speedup = 1.0;
  gboolean any = FALSE;

  clear_series (self);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      guint v = lab_cell_get_runtime (cell) * LAB_N_MODES + lab_cell_get_mode (cell);
      Point point;

      if (!get_point (cell, &point))
        continue;

      if (self->series[v] == NULL)
        self->series[v] = g_array_new (FALSE, FALSE, sizeof (Point));
      g_array_append_val (self->series[v], point);
      max_workers = MAX (max_workers, point.workers);
      max_speedup = MAX (max_speedup, point.speedup);
      any = TRUE;
    }

  self->x_step = MAX (1.0, lab_chart_nice_step (max_workers, TARGET_TICKS));
  self->x_max = ceil (max_workers / self->x_step) * self->x_step;

  for (guint v = 0; v < N_VARIANTS; v++)
    {
      self->serial_fraction[v] = self->series[v] != NULL ? fit_series (self->series[v])
                                                               : NAN;
      /* The curve rises to the end of the axis: leave room for it */
      if (!isnan (self->serial_fraction[v]))
        max_speedup = MAX (max_speedup, amdahl (self->serial_fraction[v], self->x_max));
    }
  /* Show the ideal line up to the cores at least: that is where a
   * CPU-bound run should stop scaling. */
  max_speedup = MAX (max_speedup * 1.05, MIN (self->x_max, (double) MAX (1, self->n_cpus)));
  self->y_step = lab_chart_nice_step (max_speedup, TARGET_TICKS);
  self->y_max = ceil (max_speedup / self->y_step) * self->y_step;

  for (guint v = 0; v < N_VARIANTS; v++)
    {
      GArray *points = self->series[v];

      if (points == NULL)
        continue;
      g_array_sort (points, compare_points);
      for (guint i = 0; i < points->len; i++)
        {
          Point *p = &g_array_index (points, Point, i);

          p->workers /= self->x_max;
          p->speedup /= self->y_max;
        }
      if (!isnan (self->serial_fraction[v]))
        self->fits[v] = build_curve (self, self->serial_fraction[v]);
    }

  if (any)
    {
      g_autofree char *summary = describe_series (self);

      lab_chart_set_summary (chart, summary);
    }
  lab_chart_set_empty (chart, !any);
}

static char *
format_tick (double value,
             double step)
{
  return g_strdup_printf ("%.*f", step < 1 ? (step < 0.1 ? 2 : 1) : 0, value);
}

static void
draw_ticks (LabSpeedupChart       *self,
            GtkSnapshot           *snapshot,
            const LabChartPalette *palette,
            const graphene_rect_t *plot)
{
  guint n_y = (guint) round (self->y_max / self->y_step);
  guint n_x = (guint) round (self->x_max / self->x_step);
  float bottom = plot->origin.y + plot->size.height;

  for (guint i = 0; i <= n_y; i++)
    {
      g_autofree char *text = format_tick (i * self->y_step, self->y_step);
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      float y = bottom - plot->size.height * i / n_y;
      int width, height;

      pango_layout_get_pixel_size (layout, &width, &height);
      lab_chart_append_layout (snapshot, layout, plot->origin.x - PAD / 2 - width,
                               y - height / 2.0, &palette->dim);
      lab_chart_append_rect (snapshot, i == 0 ? &palette->dim : &palette->grid,
                             plot->origin.x, y, plot->size.width, 1);
    }

  for (guint i = 0; i <= n_x; i++)
    {
      g_autofree char *text = format_tick (i * self->x_step, self->x_step);
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      float x = plot->origin.x + plot->size.width * i / n_x;
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      lab_chart_append_layout (snapshot, layout, x - width / 2.0, bottom + PAD / 2, &palette->dim);
      lab_chart_append_rect (snapshot, i == 0 ? &palette->dim : &palette->grid,
                             x, plot->origin.y, 1, plot->size.height);
    }
}

static void
draw_axis_titles (LabSpeedupChart       *self,
                  GtkSnapshot           *snapshot,
                  const LabChartPalette *palette,
                  const graphene_rect_t *plot,
                  int                    height)
{
  g_autoptr(PangoLayout) x_title = lab_chart_create_layout (LAB_CHART (self), _("workers"), TRUE);
  g_autoptr(PangoLayout) y_title = lab_chart_create_layout (LAB_CHART (self), _("speedup ×"),
                                                            TRUE);
  int width, text_height;

  pango_layout_get_pixel_size (x_title, &width, &text_height);
  lab_chart_append_layout (snapshot, x_title, plot->origin.x + plot->size.width - width,
                           height - PAD / 2 - text_height, &palette->dim);
  lab_chart_append_layout (snapshot, y_title, plot->origin.x + PAD / 2, plot->origin.y + 2,
                           &palette->dim);
}

static void
set_dash (cairo_t *cr,
          double   on,
          double   off)
{
  double dashes[2] = { on, off };

  cairo_set_dash (cr, dashes, 2, 0);
}

static void
draw_lines (LabSpeedupChart       *self,
            GtkSnapshot           *snapshot,
            const LabChartPalette *palette,
            const graphene_rect_t *plot)
{
  double x0 = plot->origin.x + 0.5, y0 = plot->origin.y + plot->size.height + 0.5;
  double w = plot->size.width, h = plot->size.height;
  double ideal_end = MIN (self->x_max, self->y_max);
  graphene_rect_t bounds;
  cairo_t *cr;

  /* The node's bounds clip too: leave room for the points on the plot's
   * edges (the last worker count sits on the right edge). */
  graphene_rect_inset_r (plot, -POINT_RADIUS, -POINT_RADIUS, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_rectangle (cr, plot->origin.x, plot->origin.y - POINT_RADIUS,
                   plot->size.width + POINT_RADIUS, plot->size.height + POINT_RADIUS);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  /* The ideal: speedup equal to the worker count */
  cairo_set_line_width (cr, 1.0);
  set_dash (cr, 6, 4);
  gdk_cairo_set_source_rgba (cr, &palette->dim);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x0 + w * ideal_end / self->x_max, y0 - h * ideal_end / self->y_max);
  cairo_stroke (cr);

  /* The number of CPU cores */
  if (self->n_cpus > 0 && self->n_cpus <= self->x_max)
    {
      double x = round (plot->origin.x + w * self->n_cpus / self->x_max) + 0.5;

      set_dash (cr, 1, 3);
      gdk_cairo_set_source_rgba (cr, &palette->foreground);
      cairo_move_to (cr, x, plot->origin.y);
      cairo_line_to (cr, x, y0);
      cairo_stroke (cr);
    }

  /* Amdahl's law fitted to each mode, under its measured line */
  cairo_set_line_width (cr, 1.5);
  set_dash (cr, 5, 3);
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      GArray *curve = self->fits[v];

      if (curve == NULL)
        continue;

      cairo_new_path (cr);
      gdk_cairo_set_source_rgba (cr, variant_color (palette, v));
      for (guint i = 0; i < curve->len; i++)
        {
          const Point *p = &g_array_index (curve, Point, i);

          cairo_line_to (cr, x0 + p->workers * w, y0 - p->speedup * h);
        }
      cairo_stroke (cr);
    }

  cairo_set_dash (cr, NULL, 0, 0);
  cairo_set_line_width (cr, 2.0);
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      GArray *points = self->series[v];

      if (points == NULL)
        continue;

      gdk_cairo_set_source_rgba (cr, variant_color (palette, v));
      for (guint i = 0; i < points->len; i++)
        {
          const Point *p = &g_array_index (points, Point, i);

          cairo_line_to (cr, x0 + p->workers * w, y0 - p->speedup * h);
        }
      cairo_stroke (cr);

      for (guint i = 0; i < points->len; i++)
        {
          const Point *p = &g_array_index (points, Point, i);

          cairo_new_sub_path (cr);
          cairo_arc (cr, x0 + p->workers * w, y0 - p->speedup * h, POINT_RADIUS, 0, 2 * G_PI);
        }
      cairo_fill (cr);
    }

  cairo_destroy (cr);
}

/* Lays out the legend from the top-left corner; returns its height. */
static float
draw_legend (LabSpeedupChart       *self,
             GtkSnapshot           *snapshot,
             const LabChartPalette *palette,
             int                    width,
             int                    line_height)
{
  LabChart *chart = LAB_CHART (self);
  LabChartLegend legend;
  g_autofree char *cores = NULL;

  lab_chart_legend_init (&legend, PAD, PAD, width - PAD, line_height);
  for (guint v = 0; v < N_VARIANTS; v++)
    if (self->series[v] != NULL)
      lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_BOX,
                                     variant_color (palette, v), variant_title (v),
                                     &palette->foreground);

  for (guint v = 0; v < N_VARIANTS; v++)
    if (self->fits[v] != NULL)
      {
        g_autofree char *fit = describe_fit (self, v);

        lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_DASHED,
                                       variant_color (palette, v), fit, &palette->foreground);
      }

  lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_DASHED,
                                 &palette->dim, _("ideal"), &palette->dim);
  cores = g_strdup_printf (ngettext ("%u CPU core", "%u CPU cores", self->n_cpus),
                           self->n_cpus);
  lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_DOTTED,
                                 &palette->foreground, cores, &palette->dim);

  return lab_chart_legend_get_bottom (&legend) - PAD;
}

static void
lab_speedup_chart_draw (LabChart    *chart,
                        GtkSnapshot *snapshot,
                        int          width,
                        int          height)
{
  LabSpeedupChart *self = LAB_SPEEDUP_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  g_autoptr(PangoLayout) probe = NULL;
  g_autofree char *widest = NULL;
  graphene_rect_t plot;
  int tick_width, line_height;
  float legend_height;

  widest = format_tick (self->y_max, self->y_step);
  probe = lab_chart_create_layout (chart, widest, TRUE);
  pango_layout_get_pixel_size (probe, &tick_width, &line_height);

  legend_height = draw_legend (self, snapshot, palette, width, line_height);

  graphene_rect_init (&plot, PAD + tick_width + PAD / 2, PAD + legend_height + PAD, 0, 0);
  plot.size.width = width - plot.origin.x - PAD - POINT_RADIUS;
  plot.size.height = height - plot.origin.y - 2 * line_height - PAD;
  if (plot.size.width < 16 || plot.size.height < 16)
    return;

  draw_ticks (self, snapshot, palette, &plot);
  draw_axis_titles (self, snapshot, palette, &plot, height);
  draw_lines (self, snapshot, palette, &plot);
}

GtkWidget *
lab_speedup_chart_new (void)
{
  return g_object_new (LAB_TYPE_SPEEDUP_CHART, NULL);
}

/**
 * lab_speedup_chart_get_model:
 *
 * Returns: (transfer none) (nullable): the #LabCell model
 */
GListModel *
lab_speedup_chart_get_model (LabSpeedupChart *self)
{
  g_return_val_if_fail (LAB_IS_SPEEDUP_CHART (self), NULL);

  return lab_cells_chart_get_model (LAB_CELLS_CHART (self));
}

/**
 * lab_speedup_chart_set_model:
 * @cells: (nullable): a #GListModel of #LabCell; cells of one mode form a line
 */
void
lab_speedup_chart_set_model (LabSpeedupChart *self,
                             GListModel      *cells)
{
  g_return_if_fail (LAB_IS_SPEEDUP_CHART (self));

  lab_cells_chart_set_model (LAB_CELLS_CHART (self), cells);
}

guint
lab_speedup_chart_get_n_cpus (LabSpeedupChart *self)
{
  g_return_val_if_fail (LAB_IS_SPEEDUP_CHART (self), 0);

  return self->n_cpus;
}

/**
 * lab_speedup_chart_set_n_cpus:
 *
 * Sets where the CPU cores are marked; this machine's count by default,
 * another for a run re-opened from another machine.
 */
void
lab_speedup_chart_set_n_cpus (LabSpeedupChart *self,
                              guint            n_cpus)
{
  g_return_if_fail (LAB_IS_SPEEDUP_CHART (self));

  if (self->n_cpus == n_cpus)
    return;

  self->n_cpus = n_cpus;
  lab_speedup_chart_cells_changed (LAB_CELLS_CHART (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CPUS]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lab_speedup_chart_finalize (GObject *object)
{
  clear_series (LAB_SPEEDUP_CHART (object));

  G_OBJECT_CLASS (lab_speedup_chart_parent_class)->finalize (object);
}

static void
lab_speedup_chart_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LabSpeedupChart *self = LAB_SPEEDUP_CHART (object);

  switch (prop_id)
    {
    case PROP_N_CPUS:
      g_value_set_uint (value, self->n_cpus);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_speedup_chart_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LabSpeedupChart *self = LAB_SPEEDUP_CHART (object);

  switch (prop_id)
    {
    case PROP_N_CPUS:
      lab_speedup_chart_set_n_cpus (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_speedup_chart_class_init (LabSpeedupChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);
  LabCellsChartClass *cells_chart_class = LAB_CELLS_CHART_CLASS (klass);

  object_class->finalize = lab_speedup_chart_finalize;
  object_class->get_property = lab_speedup_chart_get_property;
  object_class->set_property = lab_speedup_chart_set_property;

  chart_class->draw = lab_speedup_chart_draw;

  cells_chart_class->cells_changed = lab_speedup_chart_cells_changed;

  properties[PROP_N_CPUS] =
    g_param_spec_uint ("n-cpus", NULL, NULL,
                       0, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "speedupchart");
}

static void
lab_speedup_chart_init (LabSpeedupChart *self)
{
  self->n_cpus = lab_machine_n_cpus ();
  self->x_max = self->y_max = 1.0;
  self->x_step = self->y_step = 1.0;

  lab_chart_set_label (LAB_CHART (self), _("Speedup by number of workers"));
  lab_chart_set_empty_text (LAB_CHART (self), _("Run an experiment to see how each mode scales"));
}
