/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-parse.h"
#include "lab-protocol.h"
#include "lab-workload.h"

/* A cursor over the fields of one line. */
typedef struct
{
  const char *p;
  const char *end;
} Fields;

static gboolean
next_field (Fields      *fields,
            const char **start,
            gsize       *len)
{
  const char *p = fields->p;

  if (p >= fields->end)
    return FALSE;
  if (*p != ' ')
    return FALSE;
  p++;
  *start = p;
  while (p < fields->end && *p != ' ')
    p++;
  *len = p - *start;
  fields->p = p;
  return *len > 0;
}

/* A field shown in an error message: at most @max bytes of it, cut at a
 * character, so that the message is UTF-8 as it must be to reach the
 * other side (as an E). */
static char *
shown_field (const char *start,
             gsize       len,
             gsize       max)
{
  return g_utf8_make_valid (start, MIN (len, max));
}

/* The shared parsers report a bad argument; on the pipe it is the other
 * side breaking the protocol. */
static void
as_protocol_error (GError **error)
{
  if (error != NULL && *error != NULL)
    (*error)->code = LAB_ERROR_PROTOCOL;
}

static gboolean
parse_unsigned_field (Fields      *fields,
                      const char  *what,
                      guint64      max,
                      guint64     *out,
                      GError     **error)
{
  const char *start;
  gsize len;

  if (!next_field (fields, &start, &len))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing %s", what);
      return FALSE;
    }
  if (!lab_parse_uint64_n (what, start, len, 0, max, out, error))
    {
      as_protocol_error (error);
      return FALSE;
    }
  return TRUE;
}

/* The same, for a field stored in a guint (@max fits one). */
static gboolean
parse_guint_field (Fields      *fields,
                   const char  *what,
                   guint        max,
                   guint       *out,
                   GError     **error)
{
  guint64 v;

  if (!parse_unsigned_field (fields, what, max, &v, error))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_rest (Fields      *fields,
            gboolean     required,
            const char  *what,
            char       **out,
            GError     **error)
{
  if (fields->p >= fields->end)
    {
      if (required)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing %s", what);
          return FALSE;
        }
      return TRUE;
    }
  if (*fields->p != ' ' || fields->p + 1 >= fields->end)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "malformed %s", what);
      return FALSE;
    }
  *out = g_strndup (fields->p + 1, fields->end - fields->p - 1);
  fields->p = fields->end;
  return TRUE;
}

static gboolean
expect_end (Fields  *fields,
            GError **error)
{
  if (fields->p != fields->end)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "trailing data");
      return FALSE;
    }
  return TRUE;
}

/* The pipeline's analysis at the end of a successful R, whose first
 * field, @analysis_start, has been read. */
static gboolean
parse_analysis (Fields      *fields,
                guint64      analysis_start,
                LabMessage  *msg,
                GError     **error)
{
  const char *start;
  gsize len;

  msg->analysis_start_us = analysis_start;
  if (msg->analysis_start_us < msg->start_us || msg->analysis_start_us > msg->end_us)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "analysis outside its task");
      return FALSE;
    }
  if (!parse_unsigned_field (fields, "words", msg->bytes, &msg->words, error) ||
      !parse_unsigned_field (fields, "word length sum", msg->bytes, &msg->word_length_sum, error))
    return FALSE;
  if (msg->word_length_sum < msg->words)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "more words than letters");
      return FALSE;
    }
  if (!next_field (fields, &start, &len) || !lab_document_digest_from_hex (start, len, msg->digest))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing or malformed digest");
      return FALSE;
    }
  msg->analysed = TRUE;
  return expect_end (fields, error);
}

static gboolean
parse_result (Fields      *fields,
              LabMessage  *msg,
              GError     **error)
{
  const char *start;
  gsize len;
  guint64 v;

  if (!parse_unsigned_field (fields, "id", G_MAXUINT64, &msg->id, error) ||
      !parse_guint_field (fields, "task", LAB_MAX_TASKS, &msg->task, error))
    return FALSE;

  if (!next_field (fields, &start, &len))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing status");
      return FALSE;
    }
  if (len == 2 && memcmp (start, "ok", 2) == 0)
    msg->ok = TRUE;
  else if (len == 4 && memcmp (start, "fail", 4) == 0)
    msg->ok = FALSE;
  else
    {
      g_autofree char *shown = shown_field (start, len, 32);

      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "bad status “%s”", shown);
      return FALSE;
    }

  if (!parse_unsigned_field (fields, "checksum", G_MAXUINT64, &msg->checksum, error) ||
      !parse_unsigned_field (fields, "start", G_MAXINT64, &v, error))
    return FALSE;
  msg->start_us = v;
  if (!parse_unsigned_field (fields, "end", G_MAXINT64, &v, error))
    return FALSE;
  msg->end_us = v;
  if (msg->end_us < msg->start_us)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "task ends before it starts");
      return FALSE;
    }
  if (!parse_unsigned_field (fields, "bytes", G_MAXUINT64, &msg->bytes, error) ||
      !parse_unsigned_field (fields, "tid", G_MAXINT32, &v, error))
    return FALSE;
  msg->tid = v;
  if (!parse_guint_field (fields, "http status", 999, &msg->http_status, error))
    return FALSE;

  /* Past the fields every result has: a failure carries its error; a
   * success may carry one more figure, how many of its bytes io:files
   * found cached, or four, the pipeline's analysis. */
  if (!msg->ok)
    return parse_rest (fields, TRUE, "error message", &msg->text, error);
  if (fields->p == fields->end)
    return TRUE;
  if (!parse_unsigned_field (fields, "cached bytes or analysis start", G_MAXINT64, &v, error))
    return FALSE;
  if (fields->p != fields->end)
    return parse_analysis (fields, v, msg, error);
  if (v > msg->bytes)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "more bytes cached than read");
      return FALSE;
    }
  msg->cached_bytes = v;
  return TRUE;
}

/* U from a worker: three figures, or five with the context switches
 * (both or neither). */
static gboolean
parse_usage (Fields      *fields,
             LabMessage  *msg,
             GError     **error)
{
  if (!parse_unsigned_field (fields, "user time", G_MAXINT64, &msg->user_us, error) ||
      !parse_unsigned_field (fields, "system time", G_MAXINT64, &msg->sys_us, error) ||
      !parse_unsigned_field (fields, "max RSS", G_MAXINT64, &msg->maxrss_kib, error))
    return FALSE;
  if (fields->p == fields->end)
    return TRUE;
  if (!parse_unsigned_field (fields, "voluntary switches", G_MAXINT64, &msg->voluntary_switches, error) ||
      !parse_unsigned_field (fields, "involuntary switches", G_MAXINT64, &msg->involuntary_switches, error))
    return FALSE;
  return expect_end (fields, error);
}

/* W: the workload's spec names its kind and kernel, so the protocol
 * shares the one table of names that the command line uses. io:files adds
 * its fsync (0 or 1) and its cache (warm or cold). */
static gboolean
parse_workload (Fields      *fields,
                LabMessage  *msg,
                GError     **error)
{
  g_autoptr(LabWorkload) workload = NULL;
  g_autofree char *spec = NULL;
  const char *start;
  gsize len;

  if (!next_field (fields, &start, &len))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing workload");
      return FALSE;
    }
  spec = g_strndup (start, len);
  workload = lab_workload_new_from_spec (spec, error);
  if (workload == NULL)
    {
      as_protocol_error (error);
      return FALSE;
    }

  if (!parse_unsigned_field (fields, "size", G_MAXUINT64, &workload->size, error) ||
      !parse_guint_field (fields, "tasks", LAB_MAX_TASKS, &workload->tasks, error) ||
      !parse_guint_field (fields, "timeout", G_MAXUINT, &workload->timeout_s, error) ||
      !parse_unsigned_field (fields, "max bytes", G_MAXUINT64, &workload->max_bytes, error))
    return FALSE;
  if (workload->kind == LAB_WORKLOAD_FILES)
    {
      g_autofree char *cache = NULL;
      guint fsync;

      if (!parse_guint_field (fields, "fsync", 1, &fsync, error))
        return FALSE;
      workload->fsync = fsync;
      if (!next_field (fields, &start, &len))
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "missing cache");
          return FALSE;
        }
      cache = g_strndup (start, len);
      if (!lab_files_cache_from_string (cache, &workload->cache))
        {
          g_autofree char *shown = shown_field (start, len, 32);

          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "bad cache “%s”", shown);
          return FALSE;
        }
    }
  if (!expect_end (fields, error))
    return FALSE;

  msg->workload = g_steal_pointer (&workload);
  return TRUE;
}

/**
 * lab_message_parse:
 * @line: one line without its newline
 *
 * Parses and validates one protocol line: every field present, numeric
 * fields plain decimal within range, text valid UTF-8 without control
 * characters. On failure @msg is left cleared.
 */
gboolean
lab_message_parse (const char  *line,
                   gsize        len,
                   LabMessage  *msg,
                   GError     **error)
{
  Fields fields = { line + 1, line + len };
  gboolean ok = FALSE;
  guint64 v = 0;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);

  memset (msg, 0, sizeof *msg);

  if (len == 0)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "empty line");
      return FALSE;
    }
  if (len > LAB_PROTOCOL_MAX_LINE)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "line longer than %d bytes", LAB_PROTOCOL_MAX_LINE);
      return FALSE;
    }
  if (!g_utf8_validate (line, len, NULL))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "line is not valid UTF-8");
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if ((guchar) line[i] < 0x20 || line[i] == 0x7f)
      {
        g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "control character 0x%02x in line", (guchar) line[i]);
        return FALSE;
      }

  msg->type = line[0];
  switch (line[0])
    {
    case LAB_MESSAGE_HELLO:
      ok = parse_guint_field (&fields, "protocol version", G_MAXUINT, &msg->version, error);
      ok = ok && parse_unsigned_field (&fields, "pid", G_MAXINT32, &v, error);
      msg->pid = v;
      ok = ok && expect_end (&fields, error);
      break;

    case LAB_MESSAGE_WORKLOAD:
      ok = parse_workload (&fields, msg, error);
      break;

    case LAB_MESSAGE_TASK:
      ok = parse_unsigned_field (&fields, "id", G_MAXUINT64, &msg->id, error);
      ok = ok && parse_guint_field (&fields, "task", LAB_MAX_TASKS, &msg->task, error);
      ok = ok && parse_rest (&fields, FALSE, "argument", &msg->text, error);
      break;

    case LAB_MESSAGE_ANALYSE:
      ok = parse_unsigned_field (&fields, "id", G_MAXUINT64, &msg->id, error);
      ok = ok && parse_guint_field (&fields, "task", LAB_MAX_TASKS, &msg->task, error);
      ok = ok && parse_unsigned_field (&fields, "length", G_MAXINT64, &msg->bytes, error);
      ok = ok && expect_end (&fields, error);
      break;

    case LAB_MESSAGE_RESULT:
      ok = parse_result (&fields, msg, error);
      break;

    case LAB_MESSAGE_USAGE:
      if (fields.p == fields.end)
        {
          msg->usage_request = TRUE;
          ok = TRUE;
          break;
        }
      ok = parse_usage (&fields, msg, error);
      break;

    case LAB_MESSAGE_PROGRESS:
      ok = parse_unsigned_field (&fields, "id", G_MAXUINT64, &msg->id, error);
      ok = ok && parse_guint_field (&fields, "task", LAB_MAX_TASKS, &msg->task, error);
      ok = ok && expect_end (&fields, error);
      break;

    case LAB_MESSAGE_ERROR:
      ok = parse_rest (&fields, TRUE, "message", &msg->text, error);
      break;

    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unknown message type 0x%02x", (guchar) line[0]);
      break;
    }

  if (!ok)
    lab_message_clear (msg);
  return ok;
}

void
lab_message_clear (LabMessage *msg)
{
  g_clear_pointer (&msg->workload, lab_workload_free);
  g_clear_pointer (&msg->text, g_free);
  memset (msg, 0, sizeof *msg);
}

/* Free text must make a line the parser takes: one line (control
 * characters become spaces), valid UTF-8 (invalid bytes become U+FFFD)
 * and, for a message (@max_bytes not 0), short: a longer one is cut at a
 * character and ends with "…". A task's argument is never cut: the
 * engine keeps arguments short enough (LAB_MAX_URL_LENGTH). */
static void
append_text (GString    *out,
             const char *text,
             gsize       max_bytes)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  const char *end = valid + strlen (valid);
  gboolean cut = max_bytes > 0 && (gsize) (end - valid) > max_bytes;

  if (cut)
    end = g_utf8_find_prev_char (valid, valid + max_bytes - strlen ("…") + 1);
  for (const char *p = valid; p < end; p++)
    g_string_append_c (out, ((guchar) *p < 0x20 || *p == 0x7f) ? ' ' : *p);
  if (cut)
    g_string_append (out, "…");
}

static void
append_workload (GString           *out,
                 const LabWorkload *workload)
{
  g_autofree char *spec = NULL;

  g_return_if_fail (workload != NULL);

  spec = lab_workload_to_spec (workload);
  g_string_append_printf (out, " %s %" G_GUINT64_FORMAT " %u %u %" G_GUINT64_FORMAT,
                          spec, workload->size, workload->tasks, workload->timeout_s,
                          workload->max_bytes);
  if (workload->kind == LAB_WORKLOAD_FILES)
    g_string_append_printf (out, " %u %s", workload->fsync ? 1 : 0,
                            lab_files_cache_to_string (workload->cache));
}

void
lab_message_format (const LabMessage *msg,
                    GString          *out)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (out != NULL);

  g_string_append_c (out, msg->type);
  switch (msg->type)
    {
    case LAB_MESSAGE_HELLO:
      g_string_append_printf (out, " %u %d", msg->version, msg->pid);
      break;
    case LAB_MESSAGE_WORKLOAD:
      append_workload (out, msg->workload);
      break;
    case LAB_MESSAGE_ERROR:
      g_string_append_c (out, ' ');
      append_text (out, msg->text != NULL && msg->text[0] ? msg->text : "-", LAB_PROTOCOL_MAX_TEXT);
      break;
    case LAB_MESSAGE_TASK:
      g_string_append_printf (out, " %" G_GUINT64_FORMAT " %u", msg->id, msg->task);
      if (msg->text != NULL && msg->text[0] != '\0')
        {
          g_string_append_c (out, ' ');
          append_text (out, msg->text, 0);
        }
      break;
    case LAB_MESSAGE_RESULT:
      g_string_append_printf (out, " %" G_GUINT64_FORMAT " %u %s %" G_GUINT64_FORMAT
                              " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT
                              " %" G_GINT64_FORMAT " %u",
                              msg->id, msg->task, msg->ok ? "ok" : "fail", msg->checksum,
                              msg->start_us, msg->end_us, msg->bytes, msg->tid, msg->http_status);
      if (msg->ok && msg->cached_bytes > 0)
        g_string_append_printf (out, " %" G_GUINT64_FORMAT, msg->cached_bytes);
      if (!msg->ok)
        {
          g_string_append_c (out, ' ');
          append_text (out, msg->text != NULL && msg->text[0] ? msg->text : "failed", LAB_PROTOCOL_MAX_TEXT);
        }
      else if (msg->analysed)
        {
          char hex[2 * LAB_DOCUMENT_DIGEST_LEN + 1];

          lab_document_digest_to_hex (msg->digest, hex);
          g_string_append_printf (out, " %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s",
                                  msg->analysis_start_us, msg->words, msg->word_length_sum, hex);
        }
      break;
    case LAB_MESSAGE_ANALYSE:
      g_string_append_printf (out, " %" G_GUINT64_FORMAT " %u %" G_GUINT64_FORMAT, msg->id, msg->task, msg->bytes);
      break;
    case LAB_MESSAGE_USAGE:
      if (!msg->usage_request)
        g_string_append_printf (out, " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                                " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                                msg->user_us, msg->sys_us, msg->maxrss_kib,
                                msg->voluntary_switches, msg->involuntary_switches);
      break;
    case LAB_MESSAGE_PROGRESS:
      g_string_append_printf (out, " %" G_GUINT64_FORMAT " %u", msg->id, msg->task);
      break;
    default:
      g_return_if_reached ();
    }
  g_string_append_c (out, '\n');
}

void
lab_line_reader_init (LabLineReader *reader,
                      gsize          max_line)
{
  reader->buffer = g_byte_array_sized_new (4096);
  reader->consumed = 0;
  reader->max_line = max_line;
}

void
lab_line_reader_clear (LabLineReader *reader)
{
  g_clear_pointer (&reader->buffer, g_byte_array_unref);
  reader->consumed = 0;
}

void
lab_line_reader_feed (LabLineReader *reader,
                      const guint8  *data,
                      gsize          len)
{
  /* Drop what was consumed before growing. */
  if (reader->consumed > 0)
    {
      g_byte_array_remove_range (reader->buffer, 0, reader->consumed);
      reader->consumed = 0;
    }
  g_byte_array_append (reader->buffer, data, len);
}

gboolean
lab_line_reader_next (LabLineReader  *reader,
                      char          **line,
                      gsize          *len,
                      GError        **error)
{
  guint8 *start = reader->buffer->data + reader->consumed;
  gsize avail = reader->buffer->len - reader->consumed;
  guint8 *nl = memchr (start, '\n', avail);

  if (nl == NULL)
    {
      if (avail > reader->max_line)
        g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                     "line longer than %" G_GSIZE_FORMAT " bytes", reader->max_line);
      return FALSE;
    }
  if ((gsize) (nl - start) > reader->max_line)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   "line longer than %" G_GSIZE_FORMAT " bytes", reader->max_line);
      return FALSE;
    }

  *nl = '\0';
  *line = (char *) start;
  *len = nl - start;
  reader->consumed += *len + 1;
  return TRUE;
}

gsize
lab_line_reader_take (LabLineReader *reader,
                      guint8        *dest,
                      gsize          len)
{
  gsize n = MIN (len, reader->buffer->len - reader->consumed);

  memcpy (dest, reader->buffer->data + reader->consumed, n);
  reader->consumed += n;
  return n;
}
