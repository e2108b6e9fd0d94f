/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lab-format.h"

/**
 * lab_format_duration:
 *
 * Returns: (transfer full): the duration with its unit
 */
char *
lab_format_duration (double seconds)
{
  if (!isfinite (seconds))
    return g_strdup (LAB_FORMAT_NONE);
  if (fabs (seconds) < 1e-3)
    return g_strdup_printf (_("%.1f µs"), seconds * 1e6);
  if (fabs (seconds) < 1.0)
    return g_strdup_printf (_("%.1f ms"), seconds * 1e3);
  return g_strdup_printf (_("%.3f s"), seconds);
}

/**
 * lab_format_number:
 *
 * Returns: (transfer full): @value with as many decimals as it needs
 */
char *
lab_format_number (double value)
{
  char *text;
  char *end;

  if (!isfinite (value))
    return g_strdup (LAB_FORMAT_NONE);
  if (fabs (value) >= 100)
    return g_strdup_printf ("%.0f", value);

  text = g_strdup_printf (fabs (value) >= 10 ? "%.1f" : "%.2f", value);
  /* "1.50" → "1.5", "2.00" → "2", whatever the locale's decimal separator */
  end = text + strlen (text) - 1;
  while (end > text && *end == '0')
    *end-- = '\0';
  if (end > text && !g_ascii_isdigit (*end))
    *end = '\0';
  return text;
}

/**
 * lab_format_duration_scaled:
 * @seconds: the value
 * @scale_s: the magnitude that picks the unit (an axis' range), or the
 *   value itself
 *
 * Returns: (transfer full): "1.25 s", "340 ms" or "12 µs"
 */
char *
lab_format_duration_scaled (double seconds,
                            double scale_s)
{
  g_autofree char *number = NULL;

  if (!isfinite (seconds))
    return g_strdup (LAB_FORMAT_NONE);

  scale_s = fabs (scale_s);
  if (scale_s >= 1.0 || scale_s == 0.0)
    {
      number = lab_format_number (seconds);
      /* Translators: a duration in seconds, %s is the number */
      return g_strdup_printf (_("%s s"), number);
    }
  else if (scale_s >= 1e-3)
    {
      number = lab_format_number (seconds * 1e3);
      /* Translators: a duration in milliseconds, %s is the number */
      return g_strdup_printf (_("%s ms"), number);
    }

  number = lab_format_number (seconds * 1e6);
  /* Translators: a duration in microseconds, %s is the number */
  return g_strdup_printf (_("%s µs"), number);
}

/**
 * lab_format_value:
 *
 * Returns: (transfer full): the formatted value or LAB_FORMAT_NONE
 */
char *
lab_format_value (double      value,
                  const char *format)
{
  return isfinite (value) ? g_strdup_printf (format, value) : g_strdup (LAB_FORMAT_NONE);
}

/**
 * lab_format_count:
 *
 * Returns: (transfer full): @value grouped in thousands as the locale does
 */
char *
lab_format_count (guint64 value)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, value);
}

/**
 * lab_format_bytes:
 *
 * Returns: (transfer full): @bytes in the largest binary unit that keeps
 *   the number at 1 or more
 */
char *
lab_format_bytes (guint64 bytes)
{
  g_autofree char *number = NULL;

  if (bytes < 1024)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u byte", "%u bytes", bytes),
                            (guint) bytes);

  if (bytes < 1024 * 1024)
    {
      number = lab_format_number (bytes / 1024.0);
      /* Translators: a size in kibibytes, %s is the number */
      return g_strdup_printf (_("%s KiB"), number);
    }
  if (bytes < G_GUINT64_CONSTANT (1024) * 1024 * 1024)
    {
      number = lab_format_number (bytes / (1024.0 * 1024.0));
      /* Translators: a size in mebibytes, %s is the number */
      return g_strdup_printf (_("%s MiB"), number);
    }
  number = lab_format_number (bytes / (1024.0 * 1024.0 * 1024.0));
  /* Translators: a size in gibibytes, %s is the number */
  return g_strdup_printf (_("%s GiB"), number);
}
