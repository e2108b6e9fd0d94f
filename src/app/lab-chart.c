/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-chart-private.h"

typedef struct
{
  char            *empty_text;
  char            *summary;
  gboolean         empty;

  LabChartPalette  palette;
  gboolean         palette_valid;

  gboolean         update_pending;     /* with the redraw pacer */
  gint64           last_update_us;
  gint64           last_snapshot_us;
  guint            n_snapshots;
} LabChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LabChart, lab_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EMPTY,
  PROP_EMPTY_TEXT,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Mode colours from the GNOME palette: darker shades on light
 * backgrounds, lighter ones on dark backgrounds, each at least 3:1
 * against the view background. Order follows LabMode. */
static const char * const light_mode_colors[LAB_N_MODES] = {
  "#77767b", /* sequential: Dark 1 */
  "#1c71d8", /* threads: Blue 4 */
  "#26a269", /* processes: Green 5 */
  "#e66100", /* spawn: Orange 4 */
  "#813d9c", /* async: Purple 4 */
  "#986a44", /* gil: Brown 3 */
  "#2190a4", /* gtask: Teal (GNOME's accent palette) */
  "#c2185b", /* hybrid: a deep pink, apart from the error red */
};

static const char * const dark_mode_colors[LAB_N_MODES] = {
  "#c0bfbc", /* sequential: Light 3 */
  "#62a0ea", /* threads: Blue 2 */
  "#57e389", /* processes: Green 2 */
  "#ffa348", /* spawn: Orange 2 */
  "#c061cb", /* async: Purple 2 */
  "#cdab8f", /* gil: Brown 1 */
  "#5fc5d6", /* gtask: a light Teal */
  "#f48fb1", /* hybrid: a light pink */
};

/* g_set_str() is GLib 2.76 */
static gboolean
set_string (char       **dest,
            const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

/* @a moved a fraction @t of the way to @b. */
static GdkRGBA
mix (const GdkRGBA *a,
     const GdkRGBA *b,
     double         t)
{
  return (GdkRGBA) {
    .red = a->red + (b->red - a->red) * t,
    .green = a->green + (b->green - a->green) * t,
    .blue = a->blue + (b->blue - a->blue) * t,
    .alpha = 1.0,
  };
}

static gboolean
lookup_named_color (GtkWidget  *widget,
                    const char *name,
                    GdkRGBA    *color)
{
  gboolean found;

  /* Deprecated in 4.10 without a replacement for named colours;
   * libadwaita still defines them. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  return found;
}

static void
get_foreground (GtkWidget *widget,
                GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
lookup_or_parse (GtkWidget  *widget,
                 const char *name,
                 const char *fallback,
                 GdkRGBA    *color)
{
  if (!lookup_named_color (widget, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
compute_palette (LabChart        *self,
                 LabChartPalette *palette)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double luminance;

  memset (palette, 0, sizeof *palette);

  get_foreground (widget, &palette->foreground);
  palette->foreground.alpha = 1.0;
  luminance = 0.2126 * palette->foreground.red
              + 0.7152 * palette->foreground.green
              + 0.0722 * palette->foreground.blue;
  palette->dark = luminance > 0.5;

  palette->dim = palette->foreground;
  palette->dim.alpha = 0.6f;
  palette->grid = palette->foreground;
  palette->grid.alpha = 0.12f;

  if (!lookup_named_color (widget, "view_bg_color", &palette->background))
    lookup_or_parse (widget, "window_bg_color", palette->dark ? "#1e1e1e" : "#ffffff",
                     &palette->background);
  palette->background.alpha = 1.0;

  lookup_or_parse (widget, "accent_color", palette->dark ? "#78aeed" : "#1c71d8",
                   &palette->accent);
  lookup_or_parse (widget, "error_color", palette->dark ? "#ff7b63" : "#c01c28",
                   &palette->error);

  for (guint mode = 0; mode < LAB_N_MODES; mode++)
    {
      g_autofree char *name = g_strdup_printf ("lab_mode_%s_color",
                                               lab_mode_to_string (mode));

      lookup_or_parse (widget, name,
                       palette->dark ? dark_mode_colors[mode] : light_mode_colors[mode],
                       &palette->modes[mode]);
      palette->variants[LAB_RUNTIME_NATIVE][mode] = palette->modes[mode];
      palette->variants[LAB_RUNTIME_CPYTHON][mode] = mix (&palette->modes[mode], &palette->foreground, 0.45);
      palette->variants[LAB_RUNTIME_CPYTHON_NOGIL][mode] = mix (&palette->modes[mode], &palette->background, 0.45);
    }
}

/**
 * lab_chart_palette_stage_color:
 *
 * The colour of a pipeline's stage, the same in every chart: downloads
 * in the hue of threads, the analysis in that of processes, the storing
 * in that of spawn; a whole task in the accent colour.
 *
 * Returns: (transfer none): the colour
 */
const GdkRGBA *
lab_chart_palette_stage_color (const LabChartPalette *palette,
                               LabStage               stage)
{
  switch (stage)
    {
    case LAB_STAGE_DOWNLOAD:
      return &palette->modes[LAB_MODE_THREADS];
    case LAB_STAGE_ANALYSE:
      return &palette->modes[LAB_MODE_PROCESSES];
    case LAB_STAGE_STORE:
      return &palette->modes[LAB_MODE_SPAWN];
    case LAB_STAGE_TASK:
    case LAB_N_STAGES:
    default:
      return &palette->accent;
    }
}

/**
 * lab_chart_get_palette:
 *
 * Returns: (transfer none): the colours to draw with, valid until the
 *   next palette-changed
 */
const LabChartPalette *
lab_chart_get_palette (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  if (!priv->palette_valid)
    {
      compute_palette (self, &priv->palette);
      priv->palette_valid = TRUE;
    }
  return &priv->palette;
}

static void
lab_chart_css_changed (GtkWidget         *widget,
                       GtkCssStyleChange *change)
{
  LabChart *self = LAB_CHART (widget);
  LabChartPrivate *priv = lab_chart_get_instance_private (self);
  LabChartPalette palette;

  GTK_WIDGET_CLASS (lab_chart_parent_class)->css_changed (widget, change);

  /* css-changed also fires for state changes such as hover; only a real
   * change of colours may throw away the subclasses' cached nodes. */
  compute_palette (self, &palette);
  if (priv->palette_valid && memcmp (&palette, &priv->palette, sizeof palette) == 0)
    return;

  memcpy (&priv->palette, &palette, sizeof palette);
  priv->palette_valid = TRUE;
  if (LAB_CHART_GET_CLASS (self)->palette_changed != NULL)
    LAB_CHART_GET_CLASS (self)->palette_changed (self);
  gtk_widget_queue_draw (widget);
}

static void
update_description (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);
  const char *text = priv->empty ? priv->empty_text : priv->summary;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text != NULL ? text : "",
                                  -1);
}

static void
draw_empty (LabChart    *self,
            GtkSnapshot *snapshot,
            int          width,
            int          height)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);
  const LabChartPalette *palette = lab_chart_get_palette (self);
  g_autoptr(PangoLayout) layout = NULL;
  int text_width, text_height;

  if (priv->empty_text == NULL || priv->empty_text[0] == '\0')
    return;

  layout = lab_chart_create_layout (self, priv->empty_text, FALSE);
  pango_layout_set_width (layout, MAX (1, width - 24) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  lab_chart_append_layout (snapshot, layout, 12, (height - text_height) / 2.0, &palette->dim);
}

static void
draw_contents (LabChart    *self,
               GtkSnapshot *snapshot,
               int          width,
               int          height)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  if (width <= 0 || height <= 0)
    return;

  if (priv->empty)
    draw_empty (self, snapshot, width, height);
  else if (LAB_CHART_GET_CLASS (self)->draw != NULL)
    LAB_CHART_GET_CLASS (self)->draw (self, snapshot, width, height);
}

static void
lab_chart_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (LAB_CHART (widget));

  priv->last_snapshot_us = g_get_monotonic_time ();
  priv->n_snapshots++;
  draw_contents (LAB_CHART (widget), snapshot,
                 gtk_widget_get_width (widget),
                 gtk_widget_get_height (widget));
}

static void
lab_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 480;
    }
  else
    {
      *minimum = 120;
      *natural = 260;
    }
}

/* Rate-limited updates */

static void
run_update (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  if (priv->update_pending)
    lab_redraw_pacer_cancel (self);
  priv->update_pending = FALSE;
  priv->last_update_us = g_get_monotonic_time ();
  if (LAB_CHART_GET_CLASS (self)->update != NULL)
    LAB_CHART_GET_CLASS (self)->update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_cb (gpointer data)
{
  LabChart *self = data;
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  priv->update_pending = FALSE;
  run_update (self);
}

/**
 * lab_chart_queue_update:
 *
 * Tells the chart that its data changed. The update vfunc and a redraw
 * follow at the window's next paced update (lab-redraw-pacer.c), together
 * with every other change: however often data arrives, a chart is redrawn
 * for it at most every %LAB_CHART_UPDATE_INTERVAL_MS, less often when
 * frames are expensive, and calls in between cost nothing.
 */
void
lab_chart_queue_update (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_if_fail (LAB_IS_CHART (self));

  /* On the window's one clock, with every other change (see lab-redraw-pacer.c). */
  if (priv->update_pending)
    return;
  priv->update_pending = TRUE;
  lab_redraw_pacer_request (GTK_WIDGET (self), update_cb, self);
}

/**
 * lab_chart_update_now:
 *
 * Runs the update vfunc and queues a redraw at once, in place of any
 * pending update: for a new data set as a whole, which the chart should
 * show without delay, rather than a change within a live one.
 */
void
lab_chart_update_now (LabChart *self)
{
  g_return_if_fail (LAB_IS_CHART (self));

  run_update (self);
}

gboolean
lab_chart_get_update_pending (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), FALSE);

  return priv->update_pending;
}

guint
lab_chart_get_n_snapshots (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), 0);

  return priv->n_snapshots;
}

/* State for subclasses. */

void
lab_chart_set_empty (LabChart *self,
                     gboolean  empty)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_if_fail (LAB_IS_CHART (self));

  empty = !!empty;
  if (priv->empty == empty)
    return;

  priv->empty = empty;
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lab_chart_get_empty (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), TRUE);

  return priv->empty;
}

/* The text alternative of the chart: what a person who cannot see it
 * needs to know, kept as the accessible description. */
void
lab_chart_set_summary (LabChart   *self,
                       const char *summary)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_if_fail (LAB_IS_CHART (self));

  if (!set_string (&priv->summary, summary))
    return;

  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

const char *
lab_chart_get_summary (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  return priv->empty ? priv->empty_text : priv->summary;
}

void
lab_chart_set_label (LabChart   *self,
                     const char *label)
{
  g_return_if_fail (LAB_IS_CHART (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

const char *
lab_chart_get_empty_text (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  return priv->empty_text;
}

void
lab_chart_set_empty_text (LabChart   *self,
                          const char *empty_text)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  g_return_if_fail (LAB_IS_CHART (self));

  if (!set_string (&priv->empty_text, empty_text))
    return;

  if (priv->empty)
    {
      update_description (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY_TEXT]);
}

/* Export */

/**
 * lab_chart_render:
 * @with_background: whether to fill the area with the view background
 *   first, as an image on its own needs
 *
 * Draws the chart into a render node of @width × @height, independent of
 * the widget's own size.
 *
 * Returns: (transfer full) (nullable): the node, %NULL if nothing is drawn
 */
GskRenderNode *
lab_chart_render (LabChart *self,
                  int       width,
                  int       height,
                  gboolean  with_background)
{
  GtkSnapshot *snapshot;

  g_return_val_if_fail (LAB_IS_CHART (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  snapshot = gtk_snapshot_new ();
  if (with_background)
    gtk_snapshot_append_color (snapshot, &lab_chart_get_palette (self)->background,
                               &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_contents (self, snapshot, width, height);
  return gtk_snapshot_free_to_node (snapshot);
}

/* GObject */

static void
lab_chart_dispose (GObject *object)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (LAB_CHART (object));

  if (priv->update_pending)
    lab_redraw_pacer_cancel (object);
  priv->update_pending = FALSE;

  G_OBJECT_CLASS (lab_chart_parent_class)->dispose (object);
}

static void
lab_chart_finalize (GObject *object)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (LAB_CHART (object));

  g_clear_pointer (&priv->empty_text, g_free);
  g_clear_pointer (&priv->summary, g_free);

  G_OBJECT_CLASS (lab_chart_parent_class)->finalize (object);
}

static void
lab_chart_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LabChart *self = LAB_CHART (object);

  switch (prop_id)
    {
    case PROP_EMPTY:
      g_value_set_boolean (value, lab_chart_get_empty (self));
      break;

    case PROP_EMPTY_TEXT:
      g_value_set_string (value, lab_chart_get_empty_text (self));
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, lab_chart_get_summary (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_chart_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LabChart *self = LAB_CHART (object);

  switch (prop_id)
    {
    case PROP_EMPTY_TEXT:
      lab_chart_set_empty_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_chart_class_init (LabChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_chart_dispose;
  object_class->finalize = lab_chart_finalize;
  object_class->get_property = lab_chart_get_property;
  object_class->set_property = lab_chart_set_property;

  widget_class->snapshot = lab_chart_snapshot;
  widget_class->measure = lab_chart_measure;
  widget_class->css_changed = lab_chart_css_changed;

  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_EMPTY_TEXT] =
    g_param_spec_string ("empty-text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_chart_init (LabChart *self)
{
  LabChartPrivate *priv = lab_chart_get_instance_private (self);

  priv->empty = TRUE;
  update_description (self);
}
