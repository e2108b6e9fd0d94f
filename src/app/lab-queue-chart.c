/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-format.h"
#include "lab-queue-chart.h"

/* How full the pipeline's bounded queues were over one repetition: a
 * step line per queue, from the samples the pipeline takes at every push
 * and pop (LabRepetition.queue_samples), and its capacity as a dashed
 * line, which the step line can touch but never cross. Each queue has the
 * colour of the stage that fills it, as in the timeline. The caption and
 * the legend are part of the drawing, so that an exported image says what
 * it shows. */

#define PAD          8.0
#define TARGET_TICKS 4

typedef struct
{
  double t_us;
  guint  length;
} Step;

struct _LabQueueChart
{
  LabChart       parent_instance;

  LabRepetition *rep;
  char          *caption;

  /* Normalised from rep->queue_samples at each update */
  GArray        *steps[LAB_N_QUEUES];   /* Step, in time order */
  gboolean       present[LAB_N_QUEUES];
  guint          most[LAB_N_QUEUES];
  double         mean[LAB_N_QUEUES];    /* over time */
  double         range_us;
  guint          y_max;
  guint          y_step;
};

G_DEFINE_FINAL_TYPE (LabQueueChart, lab_queue_chart, LAB_TYPE_CHART)

/* A queue is filled by the stage before it: the downloads fill the
 * first, the analysis the second. */
static const GdkRGBA *
queue_color (const LabChartPalette *palette,
             guint                  queue)
{
  return lab_chart_palette_stage_color (palette, queue == 0 ? LAB_STAGE_DOWNLOAD : LAB_STAGE_ANALYSE);
}

static int
compare_steps (gconstpointer a,
               gconstpointer b)
{
  const Step *sa = a, *sb = b;

  return (sa->t_us > sb->t_us) - (sa->t_us < sb->t_us);
}

/* The mean length of @steps over [0, @range_us], each length holding
 * until the next step; the queue is empty before the first. */
static double
time_weighted_mean (GArray *steps,
                    double  range_us)
{
  double area = 0;

  if (range_us <= 0)
    return NAN;
  for (guint i = 0; i < steps->len; i++)
    {
      const Step *step = &g_array_index (steps, Step, i);
      double until = i + 1 < steps->len ? g_array_index (steps, Step, i + 1).t_us : range_us;

      area += step->length * MAX (0, MIN (until, range_us) - step->t_us);
    }
  return area / range_us;
}

/* Sorts the samples into a step line per queue and fits the axes. */
static void
normalise (LabQueueChart *self)
{
  GArray *samples = self->rep->queue_samples;
  guint top = 1;

  self->range_us = self->rep->finished ? self->rep->wall_s * G_USEC_PER_SEC : 0;
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      g_array_set_size (self->steps[q], 0);
      self->most[q] = 0;
      self->present[q] = self->rep->queue_capacity[q] > 0;
    }
  for (guint i = 0; samples != NULL && i < samples->len; i++)
    {
      const LabQueueSample *sample = &g_array_index (samples, LabQueueSample, i);
      Step step = { MAX (0, sample->time_us), sample->length };

      if (sample->queue >= LAB_N_QUEUES)
        continue;
      g_array_append_val (self->steps[sample->queue], step);
      self->present[sample->queue] = TRUE;
      self->most[sample->queue] = MAX (self->most[sample->queue], sample->length);
      self->range_us = MAX (self->range_us, step.t_us);
    }
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      /* Samples may come from several threads: in time order they show
       * the queue as it was. */
      g_array_sort (self->steps[q], compare_steps);
      self->mean[q] = time_weighted_mean (self->steps[q], self->range_us);
      if (self->present[q])
        top = MAX (top, MAX (self->most[q], self->rep->queue_capacity[q]));
    }

  self->y_step = MAX (1, (guint) lab_chart_nice_step (top, TARGET_TICKS));
  self->y_max = (top + self->y_step - 1) / self->y_step * self->y_step;
}

/* "Queue lengths of Hybrid · 2 workers · repetition 1: Downloaded,
 * waiting for analysis: at most 4 of 4, 2.1 on average. …" */
static char *
describe (LabQueueChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  /* Translators: the accessible description of the queue chart; %s names the repetition */
  g_string_append_printf (text, _("Queue lengths of %s."), self->caption != NULL ? self->caption : "");
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      if (!self->present[q])
        continue;
      g_string_append_c (text, ' ');
      /* Translators: a queue's name, its longest length, its capacity and its mean length over
       * time: "Analysed, waiting to be stored: at most 3 of 4, 1.2 on average." */
      g_string_append_printf (text, _("%s: at most %u of %u, %.1f on average."), lab_queue_title (q),
                              self->most[q], self->rep->queue_capacity[q], self->mean[q]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
lab_queue_chart_update (LabChart *chart)
{
  LabQueueChart *self = LAB_QUEUE_CHART (chart);
  g_autofree char *summary = NULL;
  gboolean any = FALSE;

  if (self->rep == NULL)
    return;
  normalise (self);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    any |= self->steps[q]->len > 0;
  lab_chart_set_empty (chart, !any);
  summary = describe (self);
  lab_chart_set_summary (chart, summary);
}

static double
length_y (LabQueueChart         *self,
          const graphene_rect_t *plot,
          guint                  length)
{
  return plot->origin.y + plot->size.height * (1.0 - (double) length / self->y_max);
}

static double
time_x (LabQueueChart         *self,
        const graphene_rect_t *plot,
        double                 t_us)
{
  return plot->origin.x + plot->size.width * t_us / self->range_us;
}

/* The capacity of each queue as a dashed line, then its length as steps
 * over it. */
static void
draw_queues (LabQueueChart         *self,
             GtkSnapshot           *snapshot,
             const LabChartPalette *palette,
             const graphene_rect_t *plot)
{
  static const double dashes[] = { 6, 4 };
  graphene_rect_t bounds;
  cairo_t *cr;

  graphene_rect_inset_r (plot, -2, -2, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      guint capacity = self->rep->queue_capacity[q];
      GArray *steps = self->steps[q];
      double y;

      if (!self->present[q])
        continue;
      gdk_cairo_set_source_rgba (cr, queue_color (palette, q));
      if (capacity > 0)
        {
          /* On the pixel grid, so that a one-pixel line stays sharp */
          y = round (length_y (self, plot, capacity)) + 0.5;
          cairo_set_line_width (cr, 1);
          cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), q * 5);
          cairo_move_to (cr, plot->origin.x, y);
          cairo_line_to (cr, plot->origin.x + plot->size.width, y);
          cairo_stroke (cr);
        }

      cairo_set_dash (cr, NULL, 0, 0);
      cairo_set_line_width (cr, 2);
      y = length_y (self, plot, 0);
      cairo_move_to (cr, plot->origin.x, y);
      for (guint i = 0; i < steps->len; i++)
        {
          const Step *step = &g_array_index (steps, Step, i);
          double x = time_x (self, plot, step->t_us);

          cairo_line_to (cr, x, y);
          y = length_y (self, plot, step->length);
          cairo_line_to (cr, x, y);
        }
      cairo_line_to (cr, plot->origin.x + plot->size.width, y);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static GStrv
dup_y_labels (LabQueueChart *self)
{
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();

  for (guint value = 0; value <= self->y_max; value += self->y_step)
    {
      g_autofree char *text = g_strdup_printf ("%u", value);

      g_strv_builder_add (labels, text);
    }
  return g_strv_builder_end (labels);
}

static void
lab_queue_chart_draw (LabChart    *chart,
                      GtkSnapshot *snapshot,
                      int          width,
                      int          height)
{
  LabQueueChart *self = LAB_QUEUE_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  /* Translators: the caption of the queue chart; %s names the repetition */
  g_autofree char *caption = g_strdup_printf (_("Queue lengths of %s"), self->caption != NULL ? self->caption : "");
  g_autoptr(PangoLayout) title = lab_chart_create_layout (chart, caption, TRUE);
  g_auto(GStrv) y_labels = NULL;
  LabChartLegend legend;
  graphene_rect_t plot;
  int line_height, tick_width;

  if (self->rep == NULL || !(self->range_us > 0))
    return;

  pango_layout_set_width (title, MAX (1, width - 2 * (int) PAD) * PANGO_SCALE);
  pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (title, NULL, &line_height);
  lab_chart_append_layout (snapshot, title, PAD, PAD / 2, &palette->foreground);

  lab_chart_legend_init (&legend, PAD, PAD / 2 + line_height + 2, width - PAD, line_height);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      g_autofree char *capacity = NULL;

      if (!self->present[q])
        continue;
      lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_BOX, queue_color (palette, q),
                                     lab_queue_title (q), &palette->foreground);
      /* Translators: in the queue chart's legend, next to a queue's name: its dashed bound */
      capacity = g_strdup_printf (_("capacity %u"), self->rep->queue_capacity[q]);
      lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_DASHED, queue_color (palette, q),
                                     capacity, &palette->dim);
    }

  y_labels = dup_y_labels (self);
  tick_width = lab_chart_measure_labels (chart, (const char * const *) y_labels);
  graphene_rect_init (&plot, PAD + tick_width + PAD, lab_chart_legend_get_bottom (&legend) + PAD + line_height / 2.0,
                      0, 0);
  plot.size.width = width - plot.origin.x - 2 * PAD;
  plot.size.height = height - plot.origin.y - line_height - 2 * PAD;
  if (plot.size.width < 16 || plot.size.height < 16)
    return;

  lab_chart_append_y_axis (chart, snapshot, &plot, (const char * const *) y_labels);
  draw_queues (self, snapshot, palette, &plot);
  lab_chart_append_time_axis (chart, snapshot, &plot, 0, self->range_us);
}

GtkWidget *
lab_queue_chart_new (void)
{
  return g_object_new (LAB_TYPE_QUEUE_CHART, NULL);
}

/**
 * lab_queue_chart_set_repetition:
 * @rep: (nullable): a pipeline's repetition, possibly still running
 * @caption: (nullable): what the repetition is, "Hybrid · 2 workers · repetition 1"
 *
 * Shows the queues of @rep; call lab_queue_chart_samples_added() as
 * more samples arrive.
 */
void
lab_queue_chart_set_repetition (LabQueueChart *self,
                                LabRepetition *rep,
                                const char    *caption)
{
  g_autofree char *label = NULL;

  g_return_if_fail (LAB_IS_QUEUE_CHART (self));

  if (rep != self->rep)
    {
      g_clear_pointer (&self->rep, lab_repetition_unref);
      self->rep = rep != NULL ? lab_repetition_ref (rep) : NULL;
    }
  g_free (self->caption);
  self->caption = g_strdup (caption);
  if (rep == NULL)
    {
      lab_chart_set_empty (LAB_CHART (self), TRUE);
      lab_chart_set_summary (LAB_CHART (self), NULL);
      return;
    }
  /* Translators: the accessible name of the queue chart; %s names the repetition */
  label = g_strdup_printf (_("Queue lengths of %s"), caption != NULL ? caption : "");
  lab_chart_set_label (LAB_CHART (self), label);
  lab_chart_update_now (LAB_CHART (self));
}

/* New samples, or the end of the repetition: redrawn at the charts' pace. */
void
lab_queue_chart_samples_added (LabQueueChart *self)
{
  g_return_if_fail (LAB_IS_QUEUE_CHART (self));

  if (self->rep != NULL)
    lab_chart_queue_update (LAB_CHART (self));
}

static void
lab_queue_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  GTK_WIDGET_CLASS (lab_queue_chart_parent_class)->measure (widget, orientation, for_size, minimum, natural,
                                                            minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *natural = MAX (*natural, 220);
}

static void
lab_queue_chart_finalize (GObject *object)
{
  LabQueueChart *self = LAB_QUEUE_CHART (object);

  g_clear_pointer (&self->rep, lab_repetition_unref);
  g_clear_pointer (&self->caption, g_free);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    g_clear_pointer (&self->steps[q], g_array_unref);

  G_OBJECT_CLASS (lab_queue_chart_parent_class)->finalize (object);
}

static void
lab_queue_chart_class_init (LabQueueChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);

  object_class->finalize = lab_queue_chart_finalize;
  widget_class->measure = lab_queue_chart_measure;
  chart_class->draw = lab_queue_chart_draw;
  chart_class->update = lab_queue_chart_update;

  gtk_widget_class_set_css_name (widget_class, "queuechart");
}

static void
lab_queue_chart_init (LabQueueChart *self)
{
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    self->steps[q] = g_array_new (FALSE, FALSE, sizeof (Step));
  lab_chart_set_label (LAB_CHART (self), _("Queue lengths"));
  lab_chart_set_empty_text (LAB_CHART (self), _("Run the pipeline to see how full its queues were"));
}
