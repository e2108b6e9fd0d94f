/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-cpu-chart.h"
#include "lab-format.h"
#include "lab-machine.h"

/* Live CPU use of the whole machine per core: a small area chart per
 * core, 0–100 % against the seconds since the run started, over the last
 * minute. Sampled from /proc/stat every LAB_CPU_CHART_SAMPLE_INTERVAL_MS
 * while running; the timer stops with the run. */

#define HISTORY             240      /* samples held: a minute */
#define WINDOW_S            60.0     /* the newest minute is shown */
#define MIN_WINDOW_S        10.0     /* a short run fills the width from 10 s on */
#define SUMMARY_EVERY       16       /* samples: every 4 s */
#define PAD                 8.0
#define GAP                 6.0
#define TICK                3.0
#define TARGET_ASPECT       3.0

struct _LabCpuChart
{
  LabChart  parent_instance;

  gboolean  running;
  guint     sample_id;
  GArray   *prev_busy;     /* guint64 per CPU, jiffies at the last sample */
  GArray   *prev_total;
  gint64    start_us;      /* when the recording began; 0 before it did */

  guint     n_cpus;
  float    *history;       /* n_cpus × HISTORY, 0..1, a ring per CPU */
  double    times[HISTORY];/* seconds since the start, the same ring */
  guint     head;          /* where the next sample goes */
  guint     count;         /* samples held, at most HISTORY */
  guint     since_summary;

  /* The time axis, set when a sample arrives */
  double    view_start_s;
  double    view_end_s;
};

G_DEFINE_FINAL_TYPE (LabCpuChart, lab_cpu_chart, LAB_TYPE_CHART)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline guint
slot_of (LabCpuChart *self,
         guint        age)   /* 0 = newest */
{
  return (self->head + HISTORY - 1 - age) % HISTORY;
}

static inline float
sample_at (LabCpuChart *self,
           guint        cpu,
           guint        age)
{
  return self->history[cpu * HISTORY + slot_of (self, age)];
}

static inline double
time_at (LabCpuChart *self,
         guint        age)
{
  return self->times[slot_of (self, age)];
}

static char *
describe (LabCpuChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *from = lab_format_duration_scaled (time_at (self, self->count - 1), 1);
  g_autofree char *to = lab_format_duration_scaled (time_at (self, 0), 1);

  /* Translators: "… from 0 s to 12.5 s after the run started:", then
   * "CPU 0: average 45 %, peak 98 %;" for each core */
  g_string_append_printf (text, _("CPU use of the whole machine per core, other programs "
                                  "included, from %s to %s after the run started:"),
                          from, to);
  for (guint cpu = 0; cpu < self->n_cpus; cpu++)
    {
      double sum = 0, peak = 0;

      for (guint age = 0; age < self->count; age++)
        {
          float value = sample_at (self, cpu, age);

          sum += value;
          peak = MAX (peak, value);
        }
      g_string_append_c (text, ' ');
      /* Translators: "CPU 0: average 45 %, peak 98 %;" */
      g_string_append_printf (text, _("CPU %u: average %.0f %%, peak %.0f %%;"),
                              cpu, 100 * sum / self->count, 100 * peak);
    }
  if (text->str[text->len - 1] == ';')
    text->str[text->len - 1] = '.';
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_summary (LabCpuChart *self)
{
  g_autofree char *summary = NULL;

  self->since_summary = 0;
  if (self->count == 0)
    return;
  summary = describe (self);
  lab_chart_set_summary (LAB_CHART (self), summary);
}

/* The newest minute; until a run is 10 s old, its first 10 s */
static void
update_view (LabCpuChart *self)
{
  double newest = time_at (self, 0);

  self->view_end_s = MAX (newest, MIN_WINDOW_S);
  self->view_start_s = MAX (0.0, self->view_end_s - WINDOW_S);
}

/**
 * lab_cpu_chart_add_sample_at:
 * @time_s: when the sample was taken, in seconds since the recording
 *   began; not before the previous sample's
 * @utilisation: (array length=n_cpus): the use of each CPU since the last
 *   sample, 0..1
 *
 * Appends one sample. A different number of CPUs than before starts the
 * history over. The chart is redrawn at most every
 * %LAB_CHART_UPDATE_INTERVAL_MS.
 */
void
lab_cpu_chart_add_sample_at (LabCpuChart  *self,
                             double        time_s,
                             const double *utilisation,
                             guint         n_cpus)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));
  g_return_if_fail (utilisation != NULL || n_cpus == 0);

  if (n_cpus == 0)
    return;

  if (n_cpus != self->n_cpus)
    {
      g_free (self->history);
      self->history = g_new0 (float, (gsize) n_cpus * HISTORY);
      self->n_cpus = n_cpus;
      self->head = 0;
      self->count = 0;
    }

  if (!isfinite (time_s))
    time_s = 0;
  if (self->count > 0)
    time_s = MAX (time_s, time_at (self, 0));

  for (guint cpu = 0; cpu < n_cpus; cpu++)
    {
      double value = utilisation[cpu];

      self->history[cpu * HISTORY + self->head] = isfinite (value) ? CLAMP (value, 0, 1) : 0;
    }
  self->times[self->head] = MAX (0.0, time_s);
  self->head = (self->head + 1) % HISTORY;
  self->count = MIN (self->count + 1, HISTORY);
  update_view (self);

  if (++self->since_summary >= SUMMARY_EVERY || self->count == 1)
    update_summary (self);
  lab_chart_set_empty (LAB_CHART (self), FALSE);
  lab_chart_queue_update (LAB_CHART (self));
}

/* Appends one sample taken now, timed from the start of the recording
 * (lab_cpu_chart_set_running()), or from this sample if none began. */
void
lab_cpu_chart_add_sample (LabCpuChart  *self,
                          const double *utilisation,
                          guint         n_cpus)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (LAB_IS_CPU_CHART (self));

  if (self->start_us == 0)
    self->start_us = now;
  lab_cpu_chart_add_sample_at (self, (now - self->start_us) / 1e6, utilisation, n_cpus);
}

static gboolean
sample_cb (gpointer data)
{
  LabCpuChart *self = data;
  g_autoptr(GArray) busy = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree double *utilisation = NULL;

  /* /proc/stat is generated by the kernel on read: no disk, no waiting */
  if (!lab_machine_cpu_times (busy, total))
    return G_SOURCE_CONTINUE;

  if (self->prev_busy->len == busy->len)
    {
      utilisation = g_new0 (double, busy->len);
      for (guint cpu = 0; cpu < busy->len; cpu++)
        {
          guint64 d_busy = g_array_index (busy, guint64, cpu)
                           - g_array_index (self->prev_busy, guint64, cpu);
          guint64 d_total = g_array_index (total, guint64, cpu)
                            - g_array_index (self->prev_total, guint64, cpu);

          utilisation[cpu] = d_total > 0 ? (double) d_busy / d_total : 0;
        }
      lab_cpu_chart_add_sample (self, utilisation, busy->len);
    }

  g_array_set_size (self->prev_busy, 0);
  g_array_append_vals (self->prev_busy, busy->data, busy->len);
  g_array_set_size (self->prev_total, 0);
  g_array_append_vals (self->prev_total, total->data, total->len);
  return G_SOURCE_CONTINUE;
}

gboolean
lab_cpu_chart_get_running (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), FALSE);

  return self->running;
}

/**
 * lab_cpu_chart_set_running:
 *
 * %TRUE begins a new recording: the history is cleared, the time axis
 * counts from now, and /proc/stat is read every
 * %LAB_CPU_CHART_SAMPLE_INTERVAL_MS. %FALSE stops the timer; the history
 * stays until the next recording or lab_cpu_chart_clear().
 */
void
lab_cpu_chart_set_running (LabCpuChart *self,
                           gboolean     running)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));

  running = !!running;
  if (self->running == running)
    return;

  self->running = running;
  if (running)
    {
      lab_cpu_chart_clear (self);
      self->start_us = g_get_monotonic_time ();
      g_array_set_size (self->prev_busy, 0);
      g_array_set_size (self->prev_total, 0);
      sample_cb (self);   /* the baseline for the first interval */
      self->sample_id = g_timeout_add (LAB_CPU_CHART_SAMPLE_INTERVAL_MS, sample_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->sample_id, g_source_remove);
      update_summary (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
lab_cpu_chart_clear (LabCpuChart *self)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));

  self->head = 0;
  self->count = 0;
  self->since_summary = 0;
  self->start_us = 0;
  lab_chart_set_summary (LAB_CHART (self), NULL);
  lab_chart_set_empty (LAB_CHART (self), TRUE);
}

guint
lab_cpu_chart_get_n_samples (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), 0);

  return self->count;
}

/* Drawing */

typedef struct
{
  float           left;     /* of the first cell */
  float           top;
  guint           cols;
  double          cell_w;
  double          cell_h;
  int             line_height;
} Layout;

/* The grid of small charts whose cells come closest to 3:1 */
static guint
choose_columns (guint n,
                int   width,
                int   height)
{
  guint best = 1;
  double best_score = G_MAXDOUBLE;

  for (guint cols = 1; cols <= n; cols++)
    {
      guint rows = (n + cols - 1) / cols;
      double cell_w = (double) width / cols, cell_h = (double) height / rows;
      double score = fabs (log ((cell_w / MAX (cell_h, 1)) / TARGET_ASPECT));

      if (score < best_score)
        {
          best_score = score;
          best = cols;
        }
    }
  return best;
}

static inline double
time_to_x (LabCpuChart           *self,
           const graphene_rect_t *cell,
           double                 t)
{
  return cell->origin.x
         + (t - self->view_start_s) * cell->size.width / (self->view_end_s - self->view_start_s);
}

/* The samples of one core from the newest back to the first one left of
 * the view, which the cell's clip cuts. Returns the x of the last point. */
static double
trace_core (LabCpuChart           *self,
            cairo_t               *cr,
            guint                  cpu,
            const graphene_rect_t *cell)
{
  double bottom = cell->origin.y + cell->size.height;
  double x = cell->origin.x + cell->size.width;

  for (guint age = 0; age < self->count; age++)
    {
      double t = time_at (self, age);

      x = time_to_x (self, cell, t);
      cairo_line_to (cr, x, bottom - sample_at (self, cpu, age) * cell->size.height);
      if (t < self->view_start_s)
        break;
    }
  return x;
}

static void
draw_core_line (LabCpuChart           *self,
                cairo_t               *cr,
                const LabChartPalette *palette,
                guint                  cpu,
                const graphene_rect_t *cell)
{
  double bottom = cell->origin.y + cell->size.height;
  double oldest_x;
  GdkRGBA fill = palette->accent;

  cairo_save (cr);
  cairo_rectangle (cr, cell->origin.x, cell->origin.y, cell->size.width, cell->size.height);
  cairo_clip (cr);

  /* The area under the line, then the line */
  fill.alpha = 0.3f;
  cairo_move_to (cr, time_to_x (self, cell, time_at (self, 0)), bottom);
  oldest_x = trace_core (self, cr, cpu, cell);
  cairo_line_to (cr, oldest_x, bottom);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, &fill);
  cairo_fill (cr);

  cairo_new_path (cr);
  trace_core (self, cr, cpu, cell);
  gdk_cairo_set_source_rgba (cr, &palette->accent);
  cairo_stroke (cr);

  cairo_restore (cr);
}

static void
draw_core_label (LabCpuChart           *self,
                 GtkSnapshot           *snapshot,
                 const LabChartPalette *palette,
                 guint                  cpu,
                 const graphene_rect_t *cell)
{
  /* Translators: a core and its use in the last sample, "CPU 0 · 45 %" */
  g_autofree char *text = g_strdup_printf (_("CPU %u · %.0f %%"), cpu,
                                           100 * sample_at (self, cpu, 0));
  g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);

  lab_chart_append_layout (snapshot, layout, cell->origin.x + 4, cell->origin.y + 2,
                           &palette->foreground);
}

/* 100 %, 50 % and 0 % left of a cell in the first column, as many as fit */
static void
draw_y_labels (LabCpuChart           *self,
               GtkSnapshot           *snapshot,
               const LabChartPalette *palette,
               const Layout          *layout,
               const graphene_rect_t *cell)
{
  const int percents[] = { 100, 50, 0 };
  guint room = (guint) (cell->size.height / layout->line_height);

  for (guint i = 0; i < G_N_ELEMENTS (percents); i++)
    {
      /* Translators: a tick of the CPU use axis */
      g_autofree char *text = g_strdup_printf (_("%d %%"), percents[i]);
      g_autoptr(PangoLayout) label = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      float y = cell->origin.y + cell->size.height * (100 - percents[i]) / 100.0;
      int width;

      if (room < 2 || (percents[i] == 50 && room < 3))
        continue;

      pango_layout_get_pixel_size (label, &width, NULL);
      /* aligned inside the cell's height: top at the top, bottom at the bottom */
      y = CLAMP (y - layout->line_height / 2.0, cell->origin.y,
                 cell->origin.y + cell->size.height - layout->line_height);
      lab_chart_append_layout (snapshot, label, cell->origin.x - 4 - width, y, &palette->dim);
    }
}

/* Seconds since the run started under a cell with none below it */
static void
draw_x_labels (LabCpuChart           *self,
               GtkSnapshot           *snapshot,
               const LabChartPalette *palette,
               const graphene_rect_t *cell)
{
  double range = self->view_end_s - self->view_start_s;
  double step = lab_chart_nice_step (range, MAX (2, (guint) (cell->size.width / 50)));
  float bottom = cell->origin.y + cell->size.height;
  float right = cell->origin.x + cell->size.width;
  float last_end = -G_MAXFLOAT;

  for (double t = ceil (self->view_start_s / step) * step;
       t <= self->view_end_s + step * 1e-6; t += step)
    {
      g_autofree char *text = lab_format_duration_scaled (t, 1);
      g_autoptr(PangoLayout) label = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      float x = time_to_x (self, cell, t);
      float label_x;
      int width;

      pango_layout_get_pixel_size (label, &width, NULL);
      label_x = CLAMP (x - width / 2.0, cell->origin.x, right - width);
      if (label_x < last_end + 6)
        continue;
      lab_chart_append_rect (snapshot, &palette->dim, x - (x >= right ? 1 : 0), bottom, 1, TICK);
      lab_chart_append_layout (snapshot, label, label_x, bottom + TICK, &palette->dim);
      last_end = label_x + width;
    }
}

/* The title and, right-aligned where it fits, what the x axis counts */
static float
draw_title (LabCpuChart           *self,
            GtkSnapshot           *snapshot,
            const LabChartPalette *palette,
            int                    width)
{
  g_autoptr(PangoLayout) title =
    lab_chart_create_layout (LAB_CHART (self),
                             _("Whole machine, per core (other programs included)"), TRUE);
  g_autoptr(PangoLayout) axis = lab_chart_create_layout (LAB_CHART (self),
                                                         _("time since the run started"), TRUE);
  int title_w, title_h, axis_w;

  pango_layout_set_width (title, MAX (1, width - 2 * (int) PAD) * PANGO_SCALE);
  pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (title, &title_w, &title_h);
  pango_layout_get_pixel_size (axis, &axis_w, NULL);

  lab_chart_append_layout (snapshot, title, PAD, PAD / 2, &palette->foreground);
  if (title_w + 3 * PAD + axis_w <= width - 2 * PAD)
    lab_chart_append_layout (snapshot, axis, width - PAD - axis_w, PAD / 2, &palette->dim);

  return PAD / 2 + title_h + PAD / 2;
}

static gboolean
compute_layout (LabCpuChart *self,
                int          width,
                int          height,
                float        top,
                Layout      *layout)
{
  g_autofree char *widest = g_strdup_printf (_("%d %%"), 100);
  g_autoptr(PangoLayout) probe = lab_chart_create_layout (LAB_CHART (self), widest, TRUE);
  int y_label_width;
  guint rows;
  float grid_w, grid_h;

  pango_layout_get_pixel_size (probe, &y_label_width, &layout->line_height);

  layout->left = PAD + y_label_width + 4;
  layout->top = top;
  grid_w = width - layout->left - PAD;
  grid_h = height - top - TICK - layout->line_height - PAD / 2;
  if (grid_w < 8 || grid_h < 8)
    return FALSE;

  layout->cols = choose_columns (self->n_cpus, grid_w, grid_h);
  rows = (self->n_cpus + layout->cols - 1) / layout->cols;
  /* The seconds go under the last row, and under a cell of the row above
   * where the last row is short, in the room the missing cell leaves */
  layout->cell_w = floor ((grid_w - (layout->cols - 1) * GAP) / layout->cols);
  layout->cell_h = floor ((grid_h - (rows - 1) * GAP) / rows);
  return layout->cell_w >= 4 && layout->cell_h >= 4;
}

static void
lab_cpu_chart_draw (LabChart    *chart,
                    GtkSnapshot *snapshot,
                    int          width,
                    int          height)
{
  LabCpuChart *self = LAB_CPU_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  g_autofree graphene_rect_t *cells = NULL;
  Layout layout;
  float top;
  cairo_t *cr;

  if (self->n_cpus == 0 || self->count == 0 || width < 4 * PAD || height < 4 * PAD)
    return;

  top = draw_title (self, snapshot, palette, width);
  if (!compute_layout (self, width, height, top, &layout))
    return;

  /* A cell's background, with a line at 50 % */
  cells = g_new (graphene_rect_t, self->n_cpus);
  for (guint cpu = 0; cpu < self->n_cpus; cpu++)
    {
      graphene_rect_t *cell = &cells[cpu];

      graphene_rect_init (cell, layout.left + (cpu % layout.cols) * (layout.cell_w + GAP),
                          layout.top + (cpu / layout.cols) * (layout.cell_h + GAP),
                          layout.cell_w, layout.cell_h);
      lab_chart_append_rect (snapshot, &palette->grid, cell->origin.x, cell->origin.y,
                             cell->size.width, cell->size.height);
      lab_chart_append_rect (snapshot, &palette->grid, cell->origin.x,
                             cell->origin.y + floorf (cell->size.height / 2),
                             cell->size.width, 1);
    }

  /* One cairo node for the lines of all cores */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint cpu = 0; cpu < self->n_cpus; cpu++)
    draw_core_line (self, cr, palette, cpu, &cells[cpu]);
  cairo_destroy (cr);

  for (guint cpu = 0; cpu < self->n_cpus; cpu++)
    {
      if (layout.cell_h >= layout.line_height + 4)
        draw_core_label (self, snapshot, palette, cpu, &cells[cpu]);
      if (cpu % layout.cols == 0)
        draw_y_labels (self, snapshot, palette, &layout, &cells[cpu]);
      if (cpu + layout.cols >= self->n_cpus)
        draw_x_labels (self, snapshot, palette, &cells[cpu]);
    }
}

/* GObject */

GtkWidget *
lab_cpu_chart_new (void)
{
  return g_object_new (LAB_TYPE_CPU_CHART, NULL);
}

static void
lab_cpu_chart_dispose (GObject *object)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  g_clear_handle_id (&self->sample_id, g_source_remove);

  G_OBJECT_CLASS (lab_cpu_chart_parent_class)->dispose (object);
}

static void
lab_cpu_chart_finalize (GObject *object)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  g_clear_pointer (&self->history, g_free);
  g_clear_pointer (&self->prev_busy, g_array_unref);
  g_clear_pointer (&self->prev_total, g_array_unref);

  G_OBJECT_CLASS (lab_cpu_chart_parent_class)->finalize (object);
}

static void
lab_cpu_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      lab_cpu_chart_set_running (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_class_init (LabCpuChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);

  object_class->dispose = lab_cpu_chart_dispose;
  object_class->finalize = lab_cpu_chart_finalize;
  object_class->get_property = lab_cpu_chart_get_property;
  object_class->set_property = lab_cpu_chart_set_property;

  chart_class->draw = lab_cpu_chart_draw;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cpuchart");
}

static void
lab_cpu_chart_init (LabCpuChart *self)
{
  self->prev_busy = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->prev_total = g_array_new (FALSE, FALSE, sizeof (guint64));

  lab_chart_set_label (LAB_CHART (self), _("CPU use of the whole machine, per core"));
  lab_chart_set_empty_text (LAB_CHART (self),
                            _("Run an experiment to see the use of each CPU core"));
}
