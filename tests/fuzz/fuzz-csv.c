/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-csv.h"
#include "lab-fuzz.h"

/*
 * The CSV writer (LabCsv), round trip through a strict reader written
 * here. The input is a table: its first byte the number of columns (1 to
 * 8), its second whether the first row is a header, then one byte per
 * column for its kind (text, signed, unsigned, floating point, boolean,
 * timestamp), then the cells, row by row, each ended by a NUL byte. A
 * text cell is its bytes; any other cell's bytes make its value.
 *
 * The reader is RFC 4180's grammar with the text of a field widened to any
 * byte but the comma, the double quote, CR and LF (the files are UTF-8):
 * a quoted field is closed by a quote followed by a comma or the end of
 * its record, a quote inside an unquoted field and a CR or LF outside a
 * quoted one are errors, and every record ends with CRLF, as the writer
 * ends each row.
 *
 * What must hold, besides no crash and no leak:
 *
 * - the output is valid UTF-8 and the reader takes it whole, with as many
 *   fields in every record as the table has columns;
 * - each text cell reads back as written, its invalid UTF-8 replaced, and
 *   with a leading apostrophe where it begins with = + - @ TAB or CR (the
 *   neutralisation of DESIGN.md, not applied to the header);
 * - lab_csv_escape() writes a text cell as a row does;
 * - numbers read back as the same number (floating point to the six
 *   significant digits the writer keeps, not finite ones as an empty
 *   field), never neutralised; booleans as true or false; timestamps as
 *   the ISO 8601 UTC time to the millisecond.
 */

#define MAX_COLUMNS 8
#define MAX_ROWS    64

typedef enum
{
  KIND_TEXT,
  KIND_INT,
  KIND_UINT,
  KIND_DOUBLE,
  KIND_BOOL,
  KIND_DATETIME,
  N_KINDS
} Kind;

/* Timestamps from the year 1000 to 9999, in seconds since 1970. */
#define FIRST_SECOND G_GINT64_CONSTANT (-30610224000)
#define LAST_SECOND  G_GINT64_CONSTANT (253402300799)

/* The strict reader --------------------------------------------------------- */

/* The records of @text (GPtrArray of GPtrArray of char *), or NULL with the
 * reason and where. */
static GPtrArray *
read_strict (const char  *text,
             gsize        len,
             char       **reason)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gsize pos = 0;

#define REFUSE(why) G_STMT_START { *reason = g_strdup_printf ("%s at byte %" G_GSIZE_FORMAT, why, pos); return NULL; } G_STMT_END

  while (pos < len)
    {
      GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (records, fields);
      for (;;)
        {
          GString *field = g_string_new (NULL);

          if (text[pos] == '"')
            {
              pos++;
              for (;;)
                {
                  if (pos >= len)
                    {
                      g_string_free (field, TRUE);
                      REFUSE ("a quoted field not closed");
                    }
                  if (text[pos] == '"' && pos + 1 < len && text[pos + 1] == '"')
                    {
                      g_string_append_c (field, '"');
                      pos += 2;
                    }
                  else if (text[pos] == '"')
                    {
                      pos++;
                      break;
                    }
                  else
                    g_string_append_c (field, text[pos++]);
                }
            }
          else
            {
              while (pos < len && text[pos] != ',' && text[pos] != '\r' && text[pos] != '\n')
                {
                  if (text[pos] == '"')
                    {
                      g_string_free (field, TRUE);
                      REFUSE ("a quote inside an unquoted field");
                    }
                  g_string_append_c (field, text[pos++]);
                }
            }
          g_ptr_array_add (fields, g_string_free (field, FALSE));

          if (pos < len && text[pos] == ',')
            {
              pos++;
              continue;
            }
          if (pos + 1 < len && text[pos] == '\r' && text[pos + 1] == '\n')
            {
              pos += 2;
              break;
            }
          REFUSE (pos >= len ? "a record not ended by CRLF" : "a CR or LF outside quotes, or text after a closing quote");
        }
    }
#undef REFUSE
  return g_steal_pointer (&records);
}

/* The table ------------------------------------------------------------------ */

static gboolean
needs_neutralising (const char *text)
{
  return text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
         text[0] == '\t' || text[0] == '\r';
}

/* A cell's value from its bytes. */
static guint64
cell_number (const guint8 *bytes,
             gsize         len)
{
  guint64 v = 0;

  for (gsize i = 0; i < MIN (len, 8); i++)
    v |= (guint64) bytes[i] << (8 * i);
  return v;
}

static double
cell_double (const guint8 *bytes,
             gsize         len)
{
  guint64 bits = cell_number (bytes, len);
  double d;

  memcpy (&d, &bits, sizeof d);
  return d;
}

/* Writes one cell of @kind made of @bytes, and adds to @expected what the
 * reader must read of it (NULL: a floating-point number, checked apart). */
static void
write_cell (LabCsv       *csv,
            Kind          kind,
            const guint8 *bytes,
            gsize         len,
            GPtrArray    *expected)
{
  switch (kind)
    {
    case KIND_TEXT:
      {
        g_autofree char *text = g_strndup ((const char *) bytes, len);
        g_autofree char *valid = g_utf8_make_valid (text, -1);

        lab_csv_add_text (csv, text);
        g_ptr_array_add (expected, needs_neutralising (valid) ? g_strconcat ("'", valid, NULL)
                                                              : g_strdup (valid));
      }
      break;

    case KIND_INT:
      lab_csv_add_int (csv, (gint64) cell_number (bytes, len));
      g_ptr_array_add (expected, g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) cell_number (bytes, len)));
      break;

    case KIND_UINT:
      lab_csv_add_uint (csv, cell_number (bytes, len));
      g_ptr_array_add (expected, g_strdup_printf ("%" G_GUINT64_FORMAT, cell_number (bytes, len)));
      break;

    case KIND_DOUBLE:
      lab_csv_add_double (csv, cell_double (bytes, len));
      g_ptr_array_add (expected, NULL);  /* checked as a number */
      break;

    case KIND_BOOL:
      lab_csv_add_bool (csv, len % 2 == 1);
      g_ptr_array_add (expected, g_strdup (len % 2 == 1 ? "true" : "false"));
      break;

    case KIND_DATETIME:
      {
        guint64 v = cell_number (bytes, len);
        gint64 second = FIRST_SECOND + (gint64) (v % (guint64) (LAST_SECOND - FIRST_SECOND + 1));
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (second);
        g_autoptr(GDateTime) when = g_date_time_add (utc, (v >> 40) % G_USEC_PER_SEC);
        g_autofree char *text = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S");

        lab_csv_add_datetime (csv, when);
        g_ptr_array_add (expected, g_strdup_printf ("%s.%03dZ", text, g_date_time_get_microsecond (when) / 1000));
      }
      break;

    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/* A floating-point field: empty for what is not finite, else the value to
 * six significant digits, as the writer keeps it. */
static void
check_double_field (const char *field,
                    double      value)
{
  char *end = NULL;
  double read;

  if (!isfinite (value))
    {
      g_assert_cmpstr (field, ==, "");
      return;
    }
  read = g_ascii_strtod (field, &end);
  g_assert_true (end != field && *end == '\0');
  if (fabs (read - value) > 5e-6 * fabs (value))
    g_error ("%.17g written as “%s”", value, field);
}

static void
check_escape (const char *text,
              const char *field_as_written)
{
  g_autofree char *escaped = lab_csv_escape (text);

  g_assert_cmpstr (escaped, ==, field_as_written);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  LabFuzzInput in = { data, size };
  guint n_columns = 1 + lab_fuzz_take_byte (&in) % MAX_COLUMNS;
  gboolean header = lab_fuzz_take_byte (&in) & 1;
  Kind kinds[MAX_COLUMNS];
  g_autoptr(LabCsv) csv = lab_csv_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *reason = NULL;
  const char *text;
  guint n_rows = 0;

  for (guint c = 0; c < n_columns; c++)
    kinds[c] = lab_fuzz_take_byte (&in) % N_KINDS;

  if (header)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      for (guint c = 0; c < n_columns; c++)
        {
          gsize len;
          const guint8 *bytes = lab_fuzz_take_until (&in, '\0', &len);
          g_autofree char *name = g_strndup ((const char *) bytes, len);

          /* Header names are the product's own: UTF-8, never neutralised. */
          g_ptr_array_add (names, g_utf8_make_valid (name, -1));
          g_ptr_array_add (expected, g_utf8_make_valid (name, -1));
        }
      g_ptr_array_add (names, NULL);
      lab_csv_add_header (csv, (const char * const *) names->pdata);
      n_rows++;
    }

  do
    {
      for (guint c = 0; c < n_columns; c++)
        {
          gsize len;
          const guint8 *bytes = lab_fuzz_take_until (&in, '\0', &len);

          write_cell (csv, kinds[c], bytes, len, expected);
          if (kinds[c] == KIND_DOUBLE)
            {
              double d = cell_double (bytes, len);

              g_array_append_val (values, d);
            }
          if (kinds[c] == KIND_TEXT)
            {
              /* The same cell alone: what lab_csv_escape() makes of it. */
              g_autoptr(LabCsv) alone = lab_csv_new ();
              g_autofree char *cell = g_strndup ((const char *) bytes, len);
              g_autofree char *valid = g_utf8_make_valid (cell, -1);

              lab_csv_add_text (alone, cell);
              check_escape (valid, lab_csv_get_text (alone));
            }
        }
      lab_csv_end_row (csv);
      n_rows++;
    }
  while (in.size > 0 && n_rows < MAX_ROWS);

  text = lab_csv_get_text (csv);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  records = read_strict (text, strlen (text), &reason);
  if (records == NULL)
    g_error ("the writer wrote CSV the strict reader refuses (%s):\n%s", reason, text);

  g_assert_cmpuint (records->len, ==, n_rows);
  {
    guint e = 0, d = 0;

    for (guint r = 0; r < records->len; r++)
      {
        GPtrArray *fields = records->pdata[r];

        g_assert_cmpuint (fields->len, ==, n_columns);
        for (guint c = 0; c < n_columns; c++, e++)
          {
            const char *want = expected->pdata[e];

            if (want != NULL)
              g_assert_cmpstr (fields->pdata[c], ==, want);
            else
              check_double_field (fields->pdata[c], g_array_index (values, double, d++));
          }
      }
    g_assert_cmpuint (e, ==, expected->len);
  }
  return 0;
}
