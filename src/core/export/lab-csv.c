/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lab-csv.h"
#include "lab-error.h"
#include "lab-save.h"

struct _LabCsv
{
  GString *text;
  gboolean row_started;
};

LabCsv *
lab_csv_new (void)
{
  LabCsv *self = g_new0 (LabCsv, 1);

  self->text = g_string_new (NULL);
  return self;
}

void
lab_csv_free (LabCsv *self)
{
  if (self == NULL)
    return;
  g_string_free (self->text, TRUE);
  g_free (self);
}

static gboolean
needs_neutralising (const char *text)
{
  return text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
         text[0] == '\t' || text[0] == '\r';
}

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    neutralise)
{
  gboolean quote = strpbrk (text, ",\"\r\n") != NULL;

  if (neutralise && needs_neutralising (text))
    {
      /* A leading apostrophe makes spreadsheets read the cell as text. */
      g_string_append (out, quote ? "\"'" : "'");
    }
  else if (quote)
    g_string_append_c (out, '"');

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }

  if (quote)
    g_string_append_c (out, '"');
}

/**
 * lab_csv_escape:
 *
 * Returns: (transfer full): @text as one CSV field, quoted and neutralised
 *   as needed
 */
char *
lab_csv_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, text != NULL ? text : "", TRUE);
  return g_string_free (out, FALSE);
}

static void
begin_field (LabCsv *self)
{
  if (self->row_started)
    g_string_append_c (self->text, ',');
  self->row_started = TRUE;
}

void
lab_csv_add_text (LabCsv     *self,
                  const char *text)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  if (text == NULL)
    return;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);

      append_escaped (self->text, valid, TRUE);
      return;
    }
  append_escaped (self->text, text, TRUE);
}

void
lab_csv_add_int (LabCsv *self,
                 gint64  value)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  g_string_append_printf (self->text, "%" G_GINT64_FORMAT, value);
}

void
lab_csv_add_uint (LabCsv  *self,
                  guint64  value)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  g_string_append_printf (self->text, "%" G_GUINT64_FORMAT, value);
}

void
lab_csv_add_double (LabCsv *self,
                    double  value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_if_fail (self != NULL);

  begin_field (self);
  if (!isfinite (value))
    return;
  /* g_ascii_formatd always uses '.', whatever LC_NUMERIC says. */
  g_string_append (self->text, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

void
lab_csv_add_bool (LabCsv   *self,
                  gboolean  value)
{
  g_return_if_fail (self != NULL);

  begin_field (self);
  g_string_append (self->text, value ? "true" : "false");
}

void
lab_csv_add_datetime (LabCsv    *self,
                      GDateTime *value)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (self != NULL);

  begin_field (self);
  if (value == NULL)
    return;
  utc = g_date_time_to_utc (value);
  text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
  /* %f gives microseconds; keep milliseconds. */
  if (text != NULL && strlen (text) == 27)
    {
      text[23] = 'Z';
      text[24] = '\0';
    }
  g_string_append (self->text, text);
}

void
lab_csv_end_row (LabCsv *self)
{
  g_return_if_fail (self != NULL);

  g_string_append (self->text, "\r\n");
  self->row_started = FALSE;
}

void
lab_csv_add_header (LabCsv             *self,
                    const char * const *names)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      begin_field (self);
      append_escaped (self->text, names[i], FALSE);
    }
  lab_csv_end_row (self);
}

const char *
lab_csv_get_text (LabCsv *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text->str;
}

gboolean
lab_csv_save (LabCsv      *self,
              const char  *path,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!lab_save_file (path, self->text->str, self->text->len, &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_EXPORT,
                   _("Could not write “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}
