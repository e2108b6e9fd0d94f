/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-document.h"
#include "lab-error.h"
#include "lab-fuzz.h"
#include "lab-protocol.h"
#include "lab-test-protocol.h"
#include "lab-worker-slot.h"

/*
 * The worker protocol, both ways. The input is a byte stream as one side
 * receives it, read by the code that reads it in the product:
 *
 * - as the worker reads its parent's lines (W, T, A and the document that
 *   follows it, U): the line reader and lab_message_parse(), and the checks
 *   the worker makes before it runs anything (src/worker/lab-worker.c);
 * - as the parent reads a worker's lines (its greeting, then R, U, E): the
 *   worker slot (lab_worker_slot_next_message()), with four requests in
 *   flight and a usage report asked for.
 *
 * What must hold, besides no crash, no leak and no access outside a
 * buffer:
 *
 * - a line the parser accepts formats back (lab_message_format()) to a line
 *   that parses to the same message (a message longer than
 *   LAB_PROTOCOL_MAX_TEXT cut) and formats to the same text again;
 * - whatever a text field holds (an error message, a task's argument), the
 *   formatter writes one line that the parser accepts;
 * - a refused line is a protocol error whose message reaches the other
 *   side whole, as the worker sends it (E);
 * - the outcome does not depend on how the stream is cut into reads;
 * - the parent takes a result only for a request in flight (the oldest
 *   unless the worker runs several at once), a usage report only when it
 *   asked for one, and takes the worker's answer to an A: the analysis of
 *   the document's bytes (words <= letters <= bytes).
 */

#define N_REQUESTS 4
/* The longest task argument the engine sends (a URL; a folder is shorter). */
#define TASK_ARGUMENT_MAX LAB_MAX_URL_LENGTH

/* Messages ---------------------------------------------------------------- */

/* A parsed message formats to a line that parses to the same message,
 * and formats to the same text again. */
static void
check_round_trip (const LabMessage *msg,
                  GString          *transcript)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) again = g_string_new (NULL);
  LabMessage parsed;

  lab_test_format_and_parse (msg, line, &parsed);
  lab_test_assert_message_arrived (msg, &parsed);
  lab_message_format (&parsed, again);
  g_assert_cmpstr (line->str, ==, again->str);
  lab_message_clear (&parsed);
  g_string_append (transcript, line->str);
}

/* What the worker sends before it exits on @message: an E, which the
 * parent must read. */
static void
check_error_reaches_parent (const char *message,
                            GString    *transcript)
{
  LabMessage fatal = { .type = LAB_MESSAGE_ERROR, .text = (char *) message };
  g_autoptr(GString) line = g_string_new (NULL);
  LabMessage parsed;

  g_assert_true (message != NULL && message[0] != '\0');
  lab_test_format_and_parse (&fatal, line, &parsed);
  g_assert_cmpint (parsed.type, ==, LAB_MESSAGE_ERROR);
  lab_test_assert_text_arrived (message, parsed.text);
  lab_message_clear (&parsed);
  g_string_append_printf (transcript, "fatal: %s\n", message);
}

/* A refused line or stream is a protocol error. */
static void
check_protocol_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == LAB_ERROR);
  g_assert_cmpint (error->code, ==, LAB_ERROR_PROTOCOL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Whatever a text field holds, the formatter writes a line the parser
 * accepts: a message (E, a failed R's error) of any length and any bytes,
 * a task's argument (T) as the engine sends one. Text that can travel as
 * it is (UTF-8, one line) arrives unchanged, a message maybe cut. */
static void
check_text_fields (const guint8 *data,
                   gsize         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gboolean travels = text[0] != '\0' && g_utf8_validate (text, -1, NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  LabMessage messages[] = {
    { .type = LAB_MESSAGE_ERROR, .text = text },
    { .type = LAB_MESSAGE_RESULT, .id = 7, .task = 3, .ok = FALSE, .start_us = 1, .end_us = 2, .text = text },
    { .type = LAB_MESSAGE_TASK, .id = G_MAXUINT64, .task = LAB_MAX_TASKS, .text = text },
  };

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      travels = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      LabMessage parsed;

      /* Arguments are the engine's: UTF-8 text of one line, not too long. */
      if (messages[i].type == LAB_MESSAGE_TASK && (!travels || strlen (text) > TASK_ARGUMENT_MAX))
        continue;
      lab_test_format_and_parse (&messages[i], line, &parsed);
      g_assert_cmpint (parsed.type, ==, messages[i].type);
      if (travels && messages[i].type == LAB_MESSAGE_TASK)
        g_assert_cmpstr (parsed.text, ==, text);
      else if (travels)
        lab_test_assert_text_arrived (text, parsed.text);
      lab_message_clear (&parsed);
    }
}

/* The stream -------------------------------------------------------------- */

/* The input as it arrives: in one read, or in reads of 1 to 64 bytes. */
typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         taken;
  gboolean      cut;
  guint32       state;
} Stream;

static void
stream_init (Stream       *s,
             const guint8 *data,
             gsize         size,
             gboolean      cut)
{
  *s = (Stream) { .data = data, .size = size, .cut = cut, .state = size };
}

static gsize
stream_next_read (Stream *s)
{
  gsize left = s->size - s->taken;

  if (!s->cut)
    return left;
  s->state = s->state * 1664525 + 1013904223;
  return MIN (left, 1 + (s->state >> 24) % 64);
}

/* The worker's side -------------------------------------------------------- */

typedef struct
{
  LabLineReader  reader;
  Stream         stream;
  LabWorkload   *workload;
  GError        *refused;   /* why the worker does not run @workload */
  GString       *transcript;
} WorkerSide;

static gboolean
worker_fatal (WorkerSide *w,
              const char *message)
{
  check_error_reaches_parent (message, w->transcript);
  return FALSE;
}

/* The document that follows an A: what the reader holds after the line,
 * then the stream itself (the worker reads the rest from its stdin); NULL
 * when the stream ends first. */
static guint8 *
worker_read_document (WorkerSide       *w,
                      const LabMessage *msg)
{
  gsize buffered = w->reader.buffer->len - w->reader.consumed;
  gsize available = buffered + (w->stream.size - w->stream.taken);
  guint8 *document;
  gsize have;

  if (msg->bytes > available)
    return NULL;
  document = g_malloc (MAX (msg->bytes, 1));
  have = lab_line_reader_take (&w->reader, document, msg->bytes);
  memcpy (document + have, w->stream.data + w->stream.taken, msg->bytes - have);
  w->stream.taken += msg->bytes - have;
  return document;
}

/* The answer to a task of a workload the worker does not run: a failed
 * R that says why, which the parent must read. */
static void
worker_answer_refused (WorkerSide       *w,
                       const LabMessage *msg)
{
  LabMessage reply = {
    .type = LAB_MESSAGE_RESULT,
    .id = msg->id,
    .task = msg->task,
    .start_us = 1000,
    .end_us = 1000,
    .tid = 4242,
    .text = g_strdup_printf ("workload refused: %s", w->refused->message),
  };

  g_assert_true (g_utf8_validate (w->refused->message, -1, NULL));
  check_round_trip (&reply, w->transcript);
  lab_message_clear (&reply);
}

/* The worker's answer to an A is its analysis of the document, which the
 * parent must accept. */
static gboolean
worker_analyse (WorkerSide       *w,
                const LabMessage *msg,
                const guint8     *document)
{
  LabDocumentRow row;

  /* The chain's rounds only repeat SHA-256: two are enough here. */
  g_assert_true (lab_document_analyse (document, msg->bytes, msg->task,
                                       CLAMP (w->workload->size, 1, 2), NULL, &row));
  g_assert_cmpuint (row.bytes, ==, msg->bytes);
  {
    LabMessage reply = {
      .type = LAB_MESSAGE_RESULT,
      .id = msg->id,
      .task = msg->task,
      .ok = TRUE,
      .checksum = lab_document_row_checksum (&row),
      .start_us = 1000,
      .end_us = 3000,
      .bytes = row.bytes,
      .tid = 4242,
      .analysed = TRUE,
      .analysis_start_us = 2000,
      .words = row.words,
      .word_length_sum = row.word_length_sum,
    };

    memcpy (reply.digest, row.digest, sizeof reply.digest);
    check_round_trip (&reply, w->transcript);
  }
  return TRUE;
}

/* What the worker does with one line (lab-worker.c's handle_line(),
 * handle_workload(), handle_analyse() and handle_task()), but run
 * nothing; FALSE when it would exit. */
static gboolean
worker_handle_line (WorkerSide *w,
                    const char *line,
                    gsize       len)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;
  gboolean go_on = TRUE;

  if (!lab_message_parse (line, len, &msg, &error))
    {
      check_protocol_error (error);
      return worker_fatal (w, error->message);
    }
  check_round_trip (&msg, w->transcript);

  switch (msg.type)
    {
    case LAB_MESSAGE_WORKLOAD:
      g_clear_pointer (&w->workload, lab_workload_free);
      g_clear_error (&w->refused);
      w->workload = g_steal_pointer (&msg.workload);
      lab_workload_check (w->workload, &w->refused);
      break;

    case LAB_MESSAGE_ANALYSE:
      {
        g_autofree guint8 *document = NULL;

        if (w->workload == NULL || w->workload->kind != LAB_WORKLOAD_PIPELINE)
          go_on = worker_fatal (w, "analysis without a pipeline workload");
        else if (msg.bytes > w->workload->max_bytes)
          go_on = worker_fatal (w, "document larger than the workload's cap");
        else if ((document = worker_read_document (w, &msg)) == NULL)
          go_on = worker_fatal (w, "document cut short");
        else if (w->refused != NULL)
          worker_answer_refused (w, &msg);
        else if (msg.task >= w->workload->tasks)
          go_on = worker_fatal (w, "task index out of range");
        else
          go_on = worker_analyse (w, &msg, document);
      }
      break;

    case LAB_MESSAGE_TASK:
      if (w->workload == NULL)
        go_on = worker_fatal (w, "task before workload");
      else if (w->refused != NULL)
        worker_answer_refused (w, &msg);
      else if (msg.task >= w->workload->tasks)
        go_on = worker_fatal (w, "task index out of range");
      break;

    case LAB_MESSAGE_USAGE:
      break;

    case LAB_MESSAGE_HELLO:
    case LAB_MESSAGE_RESULT:
    case LAB_MESSAGE_PROGRESS:
    case LAB_MESSAGE_ERROR:
    default:
      go_on = worker_fatal (w, "unexpected message type");
      break;
    }

  lab_message_clear (&msg);
  return go_on;
}

/* serve_lines() of lab-worker.c. */
static void
worker_reads (const guint8 *data,
              gsize         size,
              gboolean      cut,
              GString      *transcript)
{
  WorkerSide w = { .transcript = transcript };

  lab_line_reader_init (&w.reader, LAB_PROTOCOL_MAX_LINE);
  stream_init (&w.stream, data, size, cut);
  while (w.stream.taken < w.stream.size)
    {
      g_autoptr(GError) error = NULL;
      gsize n = stream_next_read (&w.stream);
      char *line;
      gsize len;

      lab_line_reader_feed (&w.reader, data + w.stream.taken, n);
      w.stream.taken += n;
      while (lab_line_reader_next (&w.reader, &line, &len, &error))
        if (!worker_handle_line (&w, line, len))
          goto out;
      if (error != NULL)
        {
          check_protocol_error (error);
          worker_fatal (&w, error->message);
          goto out;
        }
    }
out:
  g_clear_pointer (&w.workload, lab_workload_free);
  g_clear_error (&w.refused);
  lab_line_reader_clear (&w.reader);
}

/* The parent's side ------------------------------------------------------- */

/* What the parent does with a message the slot let through
 * (lab-worker-pool.c's read_worker()). */
static void
parent_take (LabWorkerSlot *slot,
             LabMessage    *msg,
             GString       *transcript)
{
  g_assert_true (slot->said_hello);
  check_round_trip (msg, transcript);

  if (msg->type == LAB_MESSAGE_RESULT)
    {
      GList *link = lab_worker_slot_find_request (slot, msg);
      LabInFlight *req;

      g_assert_nonnull (link);
      g_assert_true (slot->unordered || link == slot->in_flight.head);
      req = link->data;
      g_assert_cmpuint (req->id, ==, msg->id);
      g_assert_cmpuint (req->task, ==, msg->task);
      g_assert_cmpint (msg->end_us, >=, msg->start_us);
      g_assert_true (!msg->analysed || msg->words <= msg->word_length_sum);
      g_assert_true (!msg->analysed || msg->word_length_sum <= msg->bytes);
      g_queue_delete_link (&slot->in_flight, link);
      lab_in_flight_free (req);
    }
  else
    {
      g_assert_cmpint (msg->type, ==, LAB_MESSAGE_USAGE);
      g_assert_true (slot->usage_pending);
      slot->usage_pending = FALSE;
    }
}

static void
parent_reads (const guint8 *data,
              gsize         size,
              gboolean      cut,
              gboolean      unordered,
              GString      *transcript)
{
  LabWorkerSlot slot;
  Stream stream;

  /* A slot without a process: the pool's own, fed by hand. */
  lab_worker_slot_init (&slot, 0);
  lab_line_reader_init (&slot.reader, LAB_PROTOCOL_MAX_LINE);
  slot.unordered = unordered;
  slot.usage_pending = TRUE;
  for (guint i = 0; i < N_REQUESTS; i++)
    {
      LabInFlight *req = g_new0 (LabInFlight, 1);

      req->id = i + 1;
      req->task = i;
      g_queue_push_tail (&slot.in_flight, req);
    }

  stream_init (&stream, data, size, cut);
  while (stream.taken < stream.size)
    {
      gsize n = stream_next_read (&stream);

      lab_line_reader_feed (&slot.reader, data + stream.taken, n);
      stream.taken += n;
      for (;;)
        {
          g_autoptr(GError) error = NULL;
          LabMessage msg;

          if (!lab_worker_slot_next_message (&slot, &msg, &error))
            {
              if (error == NULL)
                break;
              check_protocol_error (error);
              g_string_append_printf (transcript, "lost: %s\n", error->message);
              goto out;
            }
          parent_take (&slot, &msg, transcript);
          lab_message_clear (&msg);
        }
    }
out:
  lab_worker_slot_reset (&slot);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) whole = g_string_new (NULL);
  g_autoptr(GString) cut = g_string_new (NULL);

  worker_reads (data, size, FALSE, whole);
  worker_reads (data, size, TRUE, cut);
  g_assert_cmpstr (whole->str, ==, cut->str);

  for (guint unordered = 0; unordered < 2; unordered++)
    {
      g_string_truncate (whole, 0);
      g_string_truncate (cut, 0);
      parent_reads (data, size, FALSE, unordered, whole);
      parent_reads (data, size, TRUE, unordered, cut);
      g_assert_cmpstr (whole->str, ==, cut->str);
    }

  check_text_fields (data, size);
  return 0;
}
