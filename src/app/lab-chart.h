/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-redraw-pacer.h"
#include "lab-result.h"

G_BEGIN_DECLS

#define LAB_TYPE_CHART (lab_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (LabChart, lab_chart, LAB, CHART, GtkWidget)

/* The shortest time between two updates for new data: at most 10 redraws
 * a second, so that a live chart does not take the CPU time it shows. */
#define LAB_CHART_UPDATE_INTERVAL_MS LAB_REDRAW_PACER_MIN_INTERVAL_MS

/**
 * LabChartPalette:
 *
 * The colours a chart draws with, looked up from the widget's style
 * whenever its CSS changes (light/dark, high contrast, theme). A mode's
 * colour can be overridden in CSS with `@define-color lab_mode_<name>_color`.
 */
typedef struct
{
  GdkRGBA  foreground;   /* labels, values */
  GdkRGBA  dim;          /* axes, secondary text */
  GdkRGBA  grid;         /* grid lines */
  GdkRGBA  background;   /* behind an exported image */
  GdkRGBA  accent;
  GdkRGBA  error;
  GdkRGBA  modes[LAB_N_MODES];
  /* Per runtime: the native one is @modes; an interpreter's is the same
   * hue, a shade nearer the text (CPython) or the background (free-threaded) */
  GdkRGBA  variants[LAB_N_RUNTIMES][LAB_N_MODES];
  gboolean dark;
} LabChartPalette;

const GdkRGBA         *lab_chart_palette_stage_color (const LabChartPalette *palette,
                                                      LabStage               stage);

struct _LabChartClass
{
  GtkWidgetClass parent_class;

  /* Draws the chart with data into a @width × @height area at (0, 0).
   * Called for the widget and for export, so it must not read the
   * widget's allocation. Not called while the chart is empty. */
  void (*draw)            (LabChart    *self,
                           GtkSnapshot *snapshot,
                           int          width,
                           int          height);
  /* Called after the palette was refreshed: drop cached nodes. */
  void (*palette_changed) (LabChart    *self);
  /* Called when an update queued with lab_chart_queue_update() is due,
   * just before the redraw: bring the normalised data and the summary
   * up to date with what changed since the last one. */
  void (*update)          (LabChart    *self);

  /*< private >*/
  gpointer padding[7];
};

const char            *lab_chart_get_empty_text (LabChart     *self);
void                   lab_chart_set_empty_text (LabChart     *self,
                                                 const char   *empty_text);
gboolean               lab_chart_get_empty      (LabChart     *self);
const char            *lab_chart_get_summary    (LabChart     *self);

GskRenderNode         *lab_chart_render         (LabChart     *self,
                                                 int           width,
                                                 int           height,
                                                 gboolean      with_background);
gboolean               lab_chart_export_png     (LabChart     *self,
                                                 const char   *path,
                                                 int           width,
                                                 int           height,
                                                 GError      **error);
gboolean               lab_chart_export_svg     (LabChart     *self,
                                                 const char   *path,
                                                 int           width,
                                                 int           height,
                                                 GError      **error);

/* For subclasses. */
void                   lab_chart_queue_update   (LabChart     *self);
void                   lab_chart_update_now     (LabChart     *self);
void                   lab_chart_set_empty      (LabChart     *self,
                                                 gboolean      empty);
void                   lab_chart_set_summary    (LabChart     *self,
                                                 const char   *summary);
void                   lab_chart_set_label      (LabChart     *self,
                                                 const char   *label);
const LabChartPalette *lab_chart_get_palette    (LabChart     *self);
PangoLayout           *lab_chart_create_layout  (LabChart     *self,
                                                 const char   *text,
                                                 gboolean      small);
void                   lab_chart_append_layout  (GtkSnapshot  *snapshot,
                                                 PangoLayout  *layout,
                                                 float         x,
                                                 float         y,
                                                 const GdkRGBA *color);
void                   lab_chart_append_rect    (GtkSnapshot  *snapshot,
                                                 const GdkRGBA *color,
                                                 float         x,
                                                 float         y,
                                                 float         width,
                                                 float         height);
double                 lab_chart_nice_step      (double        range,
                                                 guint         target_ticks);
/* The width of the widest of @labels in the axis labels' font. */
int                    lab_chart_measure_labels (LabChart     *self,
                                                 const char * const *labels);
/* A value axis: @labels evenly spaced up the left of @plot, the first at
 * its bottom and the last at its top, each with a line across the plot
 * (the bottom one, the axis, darker than the grid). */
void                   lab_chart_append_y_axis  (LabChart     *self,
                                                 GtkSnapshot  *snapshot,
                                                 const graphene_rect_t *plot,
                                                 const char * const *labels);

void                   lab_chart_append_time_axis (LabChart   *self,
                                                 GtkSnapshot  *snapshot,
                                                 const graphene_rect_t *plot,
                                                 double        start_us,
                                                 double        end_us);

typedef enum
{
  LAB_CHART_SWATCH_BOX,      /* a series drawn as bars or a solid line */
  LAB_CHART_SWATCH_DASHED,   /* a dashed line */
  LAB_CHART_SWATCH_DOTTED,   /* a dotted vertical line */
} LabChartSwatch;

typedef struct
{
  float left;
  float right;
  float x;
  float y;
  int   line_height;
} LabChartLegend;

void                   lab_chart_legend_init    (LabChartLegend *legend,
                                                 float           left,
                                                 float           top,
                                                 float           right,
                                                 int             line_height);
float                  lab_chart_legend_get_bottom (const LabChartLegend *legend);
void                   lab_chart_append_legend_entry (LabChart       *self,
                                                 GtkSnapshot    *snapshot,
                                                 LabChartLegend *legend,
                                                 LabChartSwatch  swatch,
                                                 const GdkRGBA  *swatch_color,
                                                 const char     *text,
                                                 const GdkRGBA  *text_color);

G_END_DECLS
