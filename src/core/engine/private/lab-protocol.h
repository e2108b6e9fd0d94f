/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lab-workload.h"

G_BEGIN_DECLS

/*
 * The worker protocol: one message per line, space-separated fields, the
 * first field a one-letter type. A trailing free-text field (error
 * message, task argument) is the rest of the line.
 *
 *   parent → worker
 *     W <spec> <size> <tasks> <timeout_s> <max_bytes>
 *                                      use this workload from now on
 *     T <id> <task> [argument]         run task number <task>
 *     U                                report resource usage
 *   worker → parent
 *     H <protocol version> <pid>       first line after start
 *     R <id> <task> <ok|fail> <checksum> <start_us> <end_us> <bytes> <tid> <http> [error]
 *     U <user_us> <sys_us> <maxrss_kib>
 *     E <message>                      fatal, the worker exits
 *
 * start_us/end_us are CLOCK_MONOTONIC microseconds. <spec> is the
 * workload's lab_workload_to_spec() ("cpu:primes", "io:sleep", …); a
 * download's URLs are not in W, each task carries its own.
 */

#define LAB_PROTOCOL_VERSION   2
#define LAB_PROTOCOL_MAX_LINE  (64 * 1024)

typedef enum
{
  LAB_MESSAGE_HELLO = 'H',
  LAB_MESSAGE_WORKLOAD = 'W',
  LAB_MESSAGE_TASK = 'T',
  LAB_MESSAGE_RESULT = 'R',
  LAB_MESSAGE_USAGE = 'U',
  LAB_MESSAGE_ERROR = 'E',
} LabMessageType;

typedef struct
{
  LabMessageType type;
  guint          version;      /* H */
  gint           pid;          /* H */
  guint64        id;           /* T, R */
  guint          task;         /* T, R */
  gboolean       ok;           /* R */
  guint64        checksum;     /* R */
  gint64         start_us;     /* R */
  gint64         end_us;       /* R */
  guint64        bytes;        /* R */
  gint64         tid;          /* R */
  guint          http_status;  /* R */
  guint64        user_us;      /* U (from the worker) */
  guint64        sys_us;       /* U */
  guint64        maxrss_kib;   /* U */
  gboolean       usage_request;/* U from the parent: no fields */
  LabWorkload   *workload;     /* W; owned */
  char          *text;         /* T argument, R error, E message; owned */
} LabMessage;

gboolean lab_message_parse  (const char *line,
                             gsize       len,
                             LabMessage *msg,
                             GError    **error);
void     lab_message_clear  (LabMessage *msg);
/* Appends the message and its newline to @out. */
void     lab_message_format (const LabMessage *msg,
                             GString          *out);

/**
 * LabLineReader:
 *
 * Splits a byte stream into lines, refusing a line longer than @max_line.
 */
typedef struct
{
  GByteArray *buffer;
  gsize       consumed;
  gsize       max_line;
} LabLineReader;

void     lab_line_reader_init  (LabLineReader *reader,
                                gsize          max_line);
void     lab_line_reader_clear (LabLineReader *reader);
void     lab_line_reader_feed  (LabLineReader *reader,
                                const guint8  *data,
                                gsize          len);
/* TRUE with @line (NUL-terminated, without '\n', valid until the next call)
 * when a whole line is buffered; FALSE with @error set when the pending line
 * is over the limit; FALSE without error when more input is needed. */
gboolean lab_line_reader_next  (LabLineReader *reader,
                                char         **line,
                                gsize         *len,
                                GError       **error);

G_END_DECLS
