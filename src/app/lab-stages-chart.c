/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-cell.h"
#include "lab-format.h"
#include "lab-stages-chart.h"

/* How busy each stage of the pipeline was in each shape: a band per
 * cell, a bar per stage (the sum of the durations of its spans, the
 * median over the measured repetitions) in the stage's colour, and the
 * cell's wall time as a dotted line across the band. A stage busier than
 * the wall time was running on several workers at once. The title and
 * the legend are part of the drawing, so that an exported image says
 * what it shows. */

#define PAD       8.0
#define MAX_BAR_H 10.0
/* The shapes' names take at most this share of the width */
#define MAX_LABEL_SHARE 0.35

typedef struct
{
  char    *label;                       /* "Hybrid ×2" */
  gboolean measured;
  guint    failed;
  double   busy_s[LAB_N_STAGES];        /* the pipeline's stages; [TASK] unused */
  double   wall_s;
} Band;

struct _LabStagesChart
{
  LabCellsChart  parent_instance;

  GArray        *bands;    /* Band, one per cell */
  double         axis_max_s;
};

G_DEFINE_FINAL_TYPE (LabStagesChart, lab_stages_chart, LAB_TYPE_CELLS_CHART)

static void
band_clear (gpointer data)
{
  Band *band = data;

  g_clear_pointer (&band->label, g_free);
}

/* "Busy time of each stage … Hybrid ×2: Download 0.41 s, Analysis 1.2 s,
 * Storing 8 ms; wall time 0.70 s." */
static char *
describe (LabStagesChart *self)
{
  g_autoptr(GString) text = g_string_new (_("Busy time of each stage of the pipeline: the sum of the durations "
                                            "of its spans, median of the measured repetitions."));

  for (guint i = 0; i < self->bands->len; i++)
    {
      const Band *band = &g_array_index (self->bands, Band, i);
      g_autofree char *wall = NULL;

      if (!band->measured)
        continue;
      g_string_append_printf (text, " %s:", band->label);
      for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
        {
          g_autofree char *busy = lab_format_duration_scaled (band->busy_s[stage], band->busy_s[stage]);

          g_string_append_printf (text, "%s %s %s", stage == LAB_STAGE_DOWNLOAD ? "" : ",",
                                  lab_stage_title (stage), busy);
        }
      wall = lab_format_duration_scaled (band->wall_s, band->wall_s);
      /* Translators: after the busy times of a shape's stages, "; wall time 0.70 s." */
      g_string_append_printf (text, _("; wall time %s."), wall);
      if (band->failed > 0)
        {
          g_string_append_c (text, ' ');
          g_string_append_printf (text, ngettext ("%u document failed there.", "%u documents failed there.",
                                                  band->failed), band->failed);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
lab_stages_chart_cells_changed (LabCellsChart *cells_chart)
{
  LabStagesChart *self = LAB_STAGES_CHART (cells_chart);
  GListModel *cells = lab_cells_chart_get_model (cells_chart);
  guint n_items = cells != NULL ? g_list_model_get_n_items (cells) : 0;
  g_autofree char *summary = NULL;
  double top = 0;
  gboolean any = FALSE;

  if (self->bands->len != n_items)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  g_array_set_size (self->bands, 0);
  g_array_set_size (self->bands, n_items);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      Band *band = &g_array_index (self->bands, Band, i);

      if (lab_cell_get_mode (cell) == LAB_MODE_SEQUENTIAL)
        band->label = g_strdup (lab_cell_get_title (cell));
      else
        /* Translators: a mode's title and its worker count, "Hybrid ×2" */
        band->label = g_strdup_printf (_("%s ×%u"), lab_cell_get_title (cell), lab_cell_get_workers (cell));
      band->wall_s = lab_cell_get_median_s (cell);
      band->failed = lab_cell_get_failed_tasks (cell);
      band->measured = lab_cell_get_repetitions (cell)->len > 0 && isfinite (band->wall_s);
      if (!band->measured)
        continue;
      top = MAX (top, band->wall_s);
      for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
        {
          band->busy_s[stage] = lab_cell_get_stage_busy_s (cell, stage);
          top = MAX (top, band->busy_s[stage]);
        }
      any = TRUE;
    }

  /* Room after the longest bar for its value */
  self->axis_max_s = top > 0 ? top * 1.15 : 1e-3;
  lab_chart_set_empty (LAB_CHART (self), !any);
  if (!any)
    return;
  summary = describe (self);
  lab_chart_set_summary (LAB_CHART (self), summary);
}

static float
value_x (LabStagesChart        *self,
         const graphene_rect_t *plot,
         double                 seconds)
{
  return plot->origin.x + plot->size.width * CLAMP (seconds / self->axis_max_s, 0, 1);
}

static void
draw_band (LabStagesChart        *self,
           GtkSnapshot           *snapshot,
           const LabChartPalette *palette,
           const graphene_rect_t *plot,
           const Band            *band,
           int                    label_width,
           float                  y,
           float                  band_h)
{
  float bar_h = MIN (MAX_BAR_H, floorf (band_h * 0.75f / (LAB_N_STAGES - 1)));
  float bars_y = roundf (y + (band_h - bar_h * (LAB_N_STAGES - 1)) / 2);
  g_autoptr(PangoLayout) label = lab_chart_create_layout (LAB_CHART (self), band->label, TRUE);
  int label_height;
  float wall_x;

  pango_layout_set_width (label, MAX (1, label_width) * PANGO_SCALE);
  pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (label, NULL, &label_height);
  lab_chart_append_layout (snapshot, label, PAD, y + (band_h - label_height) / 2, &palette->foreground);
  if (!band->measured)
    return;

  for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
    {
      float bar_y = bars_y + (stage - LAB_STAGE_DOWNLOAD) * bar_h;
      float x1 = value_x (self, plot, band->busy_s[stage]);
      g_autofree char *text = lab_format_duration_scaled (band->busy_s[stage], band->busy_s[stage]);
      g_autoptr(PangoLayout) value = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      int width, height;

      lab_chart_append_rect (snapshot, lab_chart_palette_stage_color (palette, stage), plot->origin.x, bar_y + 1,
                             x1 - plot->origin.x, bar_h - 2);
      pango_layout_get_pixel_size (value, &width, &height);
      /* The value after its bar, or inside its end when there is no room
       * after it, where the bar is thick enough to carry it */
      if (bar_h < height * 0.6)
        continue;
      if (x1 + 4 + width <= plot->origin.x + plot->size.width)
        lab_chart_append_layout (snapshot, value, x1 + 4, bar_y + (bar_h - height) / 2, &palette->dim);
      else if (x1 - plot->origin.x >= width + 8)
        lab_chart_append_layout (snapshot, value, x1 - 4 - width, bar_y + (bar_h - height) / 2,
                                 &palette->background);
    }

  /* The wall time: where the stages would end if each ran on one worker */
  wall_x = roundf (value_x (self, plot, band->wall_s));
  for (float dot = y + 2; dot < y + band_h - 2; dot += 3)
    lab_chart_append_rect (snapshot, band->failed > 0 ? &palette->error : &palette->foreground, wall_x, dot, 1, 1);
}

static void
lab_stages_chart_draw (LabChart    *chart,
                       GtkSnapshot *snapshot,
                       int          width,
                       int          height)
{
  LabStagesChart *self = LAB_STAGES_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  g_autoptr(PangoLayout) title = lab_chart_create_layout (chart, _("Busy time of each stage, median of the repetitions"),
                                                          TRUE);
  LabChartLegend legend;
  graphene_rect_t plot;
  int line_height, label_width = 0;
  float band_h;

  pango_layout_set_width (title, MAX (1, width - 2 * (int) PAD) * PANGO_SCALE);
  pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (title, NULL, &line_height);
  lab_chart_append_layout (snapshot, title, PAD, PAD / 2, &palette->foreground);

  lab_chart_legend_init (&legend, PAD, PAD / 2 + line_height + 2, width - PAD, line_height);
  for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
    lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_BOX,
                                   lab_chart_palette_stage_color (palette, stage), lab_stage_title (stage),
                                   &palette->foreground);
  lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_DOTTED, &palette->foreground,
                                 _("wall time"), &palette->foreground);

  for (guint i = 0; i < self->bands->len; i++)
    {
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (chart, g_array_index (self->bands, Band, i).label, TRUE);
      int band_label_width;

      pango_layout_get_pixel_size (layout, &band_label_width, NULL);
      label_width = MAX (label_width, band_label_width);
    }
  label_width = MIN (label_width, (int) (width * MAX_LABEL_SHARE));

  graphene_rect_init (&plot, PAD + label_width + PAD, lab_chart_legend_get_bottom (&legend) + PAD, 0, 0);
  plot.size.width = width - plot.origin.x - 2 * PAD;
  plot.size.height = height - plot.origin.y - line_height - 2 * PAD;
  if (plot.size.width < 16 || plot.size.height < 16 || self->bands->len == 0)
    return;

  band_h = plot.size.height / self->bands->len;
  for (guint i = 0; i < self->bands->len; i++)
    {
      if (i % 2 == 1)
        {
          GdkRGBA stripe = palette->grid;

          stripe.alpha /= 2;
          lab_chart_append_rect (snapshot, &stripe, plot.origin.x, plot.origin.y + i * band_h, plot.size.width,
                                 band_h);
        }
      draw_band (self, snapshot, palette, &plot, &g_array_index (self->bands, Band, i), label_width,
                 plot.origin.y + i * band_h, band_h);
    }
  lab_chart_append_time_axis (chart, snapshot, &plot, 0, self->axis_max_s * G_USEC_PER_SEC);
}

static void
lab_stages_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  LabStagesChart *self = LAB_STAGES_CHART (widget);

  GTK_WIDGET_CLASS (lab_stages_chart_parent_class)->measure (widget, orientation, for_size, minimum, natural,
                                                             minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *natural = MAX (*natural, (int) MAX (self->bands->len, 2) * 44 + 72);
}

GtkWidget *
lab_stages_chart_new (void)
{
  return g_object_new (LAB_TYPE_STAGES_CHART, NULL);
}

static void
lab_stages_chart_finalize (GObject *object)
{
  LabStagesChart *self = LAB_STAGES_CHART (object);

  g_clear_pointer (&self->bands, g_array_unref);

  G_OBJECT_CLASS (lab_stages_chart_parent_class)->finalize (object);
}

static void
lab_stages_chart_class_init (LabStagesChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);
  LabCellsChartClass *cells_chart_class = LAB_CELLS_CHART_CLASS (klass);

  object_class->finalize = lab_stages_chart_finalize;
  widget_class->measure = lab_stages_chart_measure;
  chart_class->draw = lab_stages_chart_draw;
  cells_chart_class->cells_changed = lab_stages_chart_cells_changed;

  gtk_widget_class_set_css_name (widget_class, "stageschart");
}

static void
lab_stages_chart_init (LabStagesChart *self)
{
  self->bands = g_array_new (FALSE, TRUE, sizeof (Band));
  g_array_set_clear_func (self->bands, band_clear);
  self->axis_max_s = 1.0;

  lab_chart_set_label (LAB_CHART (self), _("Busy time of each stage"));
  lab_chart_set_empty_text (LAB_CHART (self), _("Run the pipeline to see how busy each stage was"));
}
