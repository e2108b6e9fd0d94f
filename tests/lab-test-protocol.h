/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include "lab-protocol.h"

/* That a message crossed the worker pipe unchanged: @sent, and @arrived
 * as the other side parsed it. The protocol's tests and its fuzz targets
 * check it alike. */

/* A text field as it arrives: whole, or when longer than
 * LAB_PROTOCOL_MAX_TEXT its beginning and "…", within that length. */
static inline void
lab_test_assert_text_arrived (const char *sent,
                              const char *arrived)
{
  gsize len = strlen (arrived);

  if (strlen (sent) <= LAB_PROTOCOL_MAX_TEXT)
    {
      g_assert_cmpstr (arrived, ==, sent);
      return;
    }
  g_assert_cmpuint (len, <=, LAB_PROTOCOL_MAX_TEXT);
  g_assert_true (g_str_has_suffix (arrived, "…"));
  g_assert_true (strncmp (arrived, sent, len - strlen ("…")) == 0);
}

/* A workload as a W line carries it: every field but its URLs, which
 * stay out of the line (each task carries its own). */
static inline void
lab_test_assert_workload_arrived (const LabWorkload *sent,
                                  const LabWorkload *arrived)
{
  if (sent == NULL || arrived == NULL)
    {
      g_assert_true (sent == arrived);
      return;
    }
  g_assert_cmpint (arrived->kind, ==, sent->kind);
  g_assert_true (arrived->kernel == sent->kernel);
  g_assert_cmpuint (arrived->size, ==, sent->size);
  g_assert_cmpuint (arrived->tasks, ==, sent->tasks);
  g_assert_cmpuint (arrived->timeout_s, ==, sent->timeout_s);
  g_assert_cmpuint (arrived->max_bytes, ==, sent->max_bytes);
  g_assert_cmpint (arrived->fsync, ==, sent->fsync);
  g_assert_cmpint (arrived->cache, ==, sent->cache);
  g_assert_null (arrived->urls);
}

/* Every field; a task's argument whole, a message maybe cut. */
static inline void
lab_test_assert_message_arrived (const LabMessage *sent,
                                 const LabMessage *arrived)
{
  g_assert_cmpint (arrived->type, ==, sent->type);
  g_assert_cmpuint (arrived->version, ==, sent->version);
  g_assert_cmpint (arrived->pid, ==, sent->pid);
  g_assert_cmpuint (arrived->id, ==, sent->id);
  g_assert_cmpuint (arrived->task, ==, sent->task);
  g_assert_cmpint (arrived->ok, ==, sent->ok);
  g_assert_cmpuint (arrived->checksum, ==, sent->checksum);
  g_assert_cmpint (arrived->start_us, ==, sent->start_us);
  g_assert_cmpint (arrived->end_us, ==, sent->end_us);
  g_assert_cmpuint (arrived->bytes, ==, sent->bytes);
  g_assert_cmpint (arrived->tid, ==, sent->tid);
  g_assert_cmpuint (arrived->http_status, ==, sent->http_status);
  g_assert_cmpuint (arrived->cached_bytes, ==, sent->cached_bytes);
  g_assert_cmpint (arrived->analysed, ==, sent->analysed);
  g_assert_cmpint (arrived->analysis_start_us, ==, sent->analysis_start_us);
  g_assert_cmpuint (arrived->words, ==, sent->words);
  g_assert_cmpuint (arrived->word_length_sum, ==, sent->word_length_sum);
  g_assert_cmpmem (arrived->digest, sizeof arrived->digest, sent->digest, sizeof sent->digest);
  g_assert_cmpuint (arrived->user_us, ==, sent->user_us);
  g_assert_cmpuint (arrived->sys_us, ==, sent->sys_us);
  g_assert_cmpuint (arrived->maxrss_kib, ==, sent->maxrss_kib);
  g_assert_cmpuint (arrived->voluntary_switches, ==, sent->voluntary_switches);
  g_assert_cmpuint (arrived->involuntary_switches, ==, sent->involuntary_switches);
  g_assert_cmpint (arrived->usage_request, ==, sent->usage_request);
  lab_test_assert_workload_arrived (sent->workload, arrived->workload);
  if (sent->type == LAB_MESSAGE_TASK || sent->text == NULL || arrived->text == NULL)
    g_assert_cmpstr (arrived->text, ==, sent->text);
  else
    lab_test_assert_text_arrived (sent->text, arrived->text);
}

/* Formats @sent into @line: one line, which the parser must take; what it
 * parsed is left in @arrived for the caller to clear. */
static inline void
lab_test_format_and_parse (const LabMessage *sent,
                           GString          *line,
                           LabMessage       *arrived)
{
  g_autoptr(GError) error = NULL;

  g_string_truncate (line, 0);
  lab_message_format (sent, line);
  g_assert_cmpuint (line->len, >, 0);
  g_assert_cmpint (line->str[line->len - 1], ==, '\n');
  g_assert_null (memchr (line->str, '\n', line->len - 1));
  if (!lab_message_parse (line->str, line->len - 1, arrived, &error))
    g_error ("the formatter wrote a line the parser refuses (%s): %.200s", error->message, line->str);
}

/* @sent, formatted and parsed back, arrives unchanged. */
static inline void
lab_test_assert_round_trip (const LabMessage *sent)
{
  g_autoptr(GString) line = g_string_new (NULL);
  LabMessage arrived;

  lab_test_format_and_parse (sent, line, &arrived);
  lab_test_assert_message_arrived (sent, &arrived);
  lab_message_clear (&arrived);
}
