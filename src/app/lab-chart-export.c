/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "lab-chart.h"
#include "lab-save.h"

/* Saving a chart as PNG or SVG, drawn by lab_chart_render() at the size
 * asked for, independent of the widget's own. */

/* The largest image an export will render: a cairo image surface of
 * 16384² pixels already takes 1 GiB. */
#define MAX_EXPORT_SIZE 16384

static gboolean
write_file (const char    *path,
            const guint8  *data,
            gsize          length,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  /* Writes a partial file next to @path and renames it over @path, so a
   * failed export never leaves a truncated image behind (lab-save.h). */
  if (!lab_save_file (path, data, length, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not save the chart to “%s”: "), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_export_size (const char  *path,
                   int          width,
                   int          height,
                   GError     **error)
{
  if (width > 0 && height > 0 && width <= MAX_EXPORT_SIZE && height <= MAX_EXPORT_SIZE)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Could not save the chart to “%s”: "
                 "%d × %d is not a size between 1 and %d pixels"),
               path, width, height, MAX_EXPORT_SIZE);
  return FALSE;
}

/**
 * lab_chart_export_png:
 * @path: the file to write, replaced atomically
 *
 * Renders the chart at @width × @height pixels on the view background.
 *
 * Returns: %TRUE on success
 */
gboolean
lab_chart_export_png (LabChart    *self,
                      const char  *path,
                      int          width,
                      int          height,
                      GError     **error)
{
  g_autoptr(GskRenderer) renderer = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (LAB_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_export_size (path, width, height, error))
    return FALSE;

  node = lab_chart_render (self, width, height, TRUE);

  /* The cairo renderer needs no surface, so export works without a
   * window and gives the same pixels on every machine. */
  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not render the chart for “%s”: "), path);
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  png = gdk_texture_save_to_png_bytes (texture);
  if (png == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not encode the chart as PNG for “%s”"), path);
      return FALSE;
    }

  return write_file (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}

static cairo_status_t
append_to_byte_array (void                *closure,
                      const unsigned char *data,
                      unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * lab_chart_export_svg:
 * @path: the file to write, replaced atomically
 *
 * Writes the chart as a @width × @height pixel SVG document on the view
 * background.
 *
 * Returns: %TRUE on success
 */
gboolean
lab_chart_export_svg (LabChart    *self,
                      const char  *path,
                      int          width,
                      int          height,
                      GError     **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GByteArray) svg = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (LAB_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_export_size (path, width, height, error))
    return FALSE;

  node = lab_chart_render (self, width, height, TRUE);

  svg = g_byte_array_new ();
  surface = cairo_svg_surface_create_for_stream (append_to_byte_array, svg, width, height);
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not render the chart as SVG for “%s”: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }

  return write_file (path, svg->data, svg->len, error);
}
