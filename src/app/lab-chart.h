/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-workload.h"

G_BEGIN_DECLS

#define LAB_TYPE_CHART (lab_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (LabChart, lab_chart, LAB, CHART, GtkWidget)

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
  gboolean dark;
} LabChartPalette;

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

  /*< private >*/
  gpointer padding[8];
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

G_END_DECLS
