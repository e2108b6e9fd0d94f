/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lab-error.h"
#include "lab-parse.h"

/* Longer than any guint64 in decimal: refused before copying. */
#define MAX_DIGITS 24

static void
set_range_error (const char  *what,
                 const char  *text,
                 gsize        len,
                 guint64      min,
                 guint64      max,
                 GError     **error)
{
  /* Numbers as strings: xgettext cannot see through G_GUINT64_FORMAT. */
  g_autofree char *shown = g_utf8_make_valid (text, MIN (len, 40));
  g_autofree char *min_text = g_strdup_printf ("%" G_GUINT64_FORMAT, min);
  g_autofree char *max_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

  /* Translators: "--workers: “0” is not a whole number from 1 to 512" */
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
               _("%s: “%s%s” is not a whole number from %s to %s"),
               what, shown, len > 40 ? "…" : "", min_text, max_text);
}

gboolean
lab_parse_uint64_n (const char  *what,
                    const char  *text,
                    gsize        len,
                    guint64      min,
                    guint64      max,
                    guint64     *out,
                    GError     **error)
{
  char buf[MAX_DIGITS + 1];

  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  /* g_ascii_string_to_unsigned accepts only digits: no sign, no spaces. */
  if (len <= MAX_DIGITS)
    {
      memcpy (buf, text, len);
      buf[len] = '\0';
      if (g_ascii_string_to_unsigned (buf, 10, min, max, out, NULL))
        return TRUE;
    }

  set_range_error (what, text, len, min, max, error);
  return FALSE;
}

gboolean
lab_parse_uint64 (const char  *what,
                  const char  *text,
                  guint64      min,
                  guint64      max,
                  guint64     *out,
                  GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);

  return lab_parse_uint64_n (what, text, strlen (text), min, max, out, error);
}

gboolean
lab_parse_check_range (const char  *what,
                       guint64      value,
                       guint64      min,
                       guint64      max,
                       GError     **error)
{
  g_autofree char *text = NULL;

  if (value >= min && value <= max)
    return TRUE;
  text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  set_range_error (what, text, strlen (text), min, max, error);
  return FALSE;
}
