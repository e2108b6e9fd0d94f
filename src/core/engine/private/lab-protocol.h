/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lab-document.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/*
 * The worker protocol: one message per line, space-separated fields, the
 * first field a one-letter type. A trailing free-text field (error
 * message, task argument) is the rest of the line.
 *
 *   parent → worker
 *     W <spec> <size> <tasks> <timeout_s> <max_bytes> [<fsync> <cache>]
 *                                      use this workload from now on
 *                                      (fsync 0|1 and cache warm|cold:
 *                                      io:files only, and there always)
 *     T <id> <task> [argument]         run task number <task>
 *     A <id> <task> <length>           analyse the pipeline's document <task>,
 *                                      whose <length> bytes follow the newline
 *     U                                report resource usage
 *   worker → parent
 *     H <protocol version> <pid>       first line after start
 *     R <id> <task> <ok|fail> <checksum> <start_us> <end_us> <bytes> <tid> <http> [cached|analysis|error]
 *                                      ok: io:files adds <cached>, how many of
 *                                      the <bytes> read back were in the page
 *                                      cache (left out when 0); the pipeline
 *                                      adds its <analysis> (below)
 *     U <user_us> <sys_us> <maxrss_kib> [<voluntary_switches> <involuntary_switches>]
 *     P <id> <task>                    task done, its result held back
 *                                      (--map-threads only)
 *     E <message>                      fatal, the worker exits
 *
 * A W is checked against the limits the run builder sets
 * (lab_workload_check()); a workload out of them is not run: each of its
 * tasks (T or A, --map-threads too) is answered at once with a failed R,
 * "workload refused: <which value, which range>", and the worker waits
 * for the next W. An A's document is read as it arrives, never allocated
 * from its <length> up front.
 *
 * start_us/end_us are CLOCK_MONOTONIC microseconds. <spec> is the
 * workload's lab_workload_to_spec() ("cpu:primes", "io:sleep", …); a
 * download's URLs are not in W, each task carries its own, as each task
 * of io:files carries the directory it writes its file in. The context
 * switches in U (getrusage's ru_nvcsw and ru_nivcsw) may be left out, as
 * older workers do; they then read as 0.
 *
 * The pipeline: a worker with the workload "pipeline" answers a T (it
 * downloads the document and analyses it) or an A (it analyses the bytes
 * sent) with an R whose checksum is the row's (lab_document_row_checksum())
 * and which, when ok, ends with the analysis:
 *
 *     <analysis_start_us> <words> <word_length_sum> <digest>
 *
 * the analysis running from <analysis_start_us> to <end_us> (a T's
 * download before it), <digest> in 64 hexadecimal digits, and
 * words <= word_length_sum <= bytes. An A's <length> is at most the
 * workload's max_bytes.
 *
 * The worker's command line (concurrency-lab-worker [OPTION…]) changes
 * how it works, for the experiments that measure the approaches:
 *
 *   --nice N           lower its priority (0–19)
 *   --cpu N            pin itself to CPU N before its greeting
 *   --crash-on-task N  die of a real SIGSEGV (an invalid memory access)
 *                      when asked to run task N, without a core dump
 *   --map-threads W    run the tasks on W threads of this one process and,
 *                      like multiprocessing's pool.map, send their results
 *                      only once every task of the workload is done; a P
 *                      line tells of each one that finished meanwhile
 *   --echo             after the greeting, answer each frame with a frame
 *                      of the same bytes (no more lines): a frame is
 *                      LAB_ECHO_HEADER bytes of payload length (unsigned,
 *                      little-endian), then the payload
 *   --shm-fd N         with --echo: the payloads travel in the shared
 *                      memory segment N (a memfd), requests in its first
 *                      half, replies in its second; the pipes carry only
 *                      the headers, as notifications
 *
 * A worker ends as soon as its parent process is gone, even in the middle
 * of a task (src/worker/lab-worker-parent.c): the engine names itself in
 * the worker's environment (LAB_WORKER_PARENT_ENV, its PID), so that a
 * worker whose parent died before it could ask to be told sees it. A
 * parent that lives and closes the worker's stdin still gets the answers
 * to what it sent before.
 */

#define LAB_PROTOCOL_VERSION   2
#define LAB_PROTOCOL_MAX_LINE  (64 * 1024)
/* A message (E, a failed R's error) is cut to this many bytes of UTF-8;
 * a task's argument (T) is not cut, the engine keeps it short enough. */
#define LAB_PROTOCOL_MAX_TEXT  (8 * 1024)
/* A task line with the longest URL the engine lets through fits in a line. */
G_STATIC_ASSERT (LAB_MAX_URL_LENGTH + 64 <= LAB_PROTOCOL_MAX_LINE);
/* --echo frames: the length header, and the largest payload */
#define LAB_ECHO_HEADER        8
#define LAB_ECHO_MAX_BYTES     (G_GUINT64_CONSTANT (64) * 1024 * 1024)
/* The descriptor a worker started with a shared memory segment gets it as. */
#define LAB_WORKER_SHM_FD      3
/* The variable that holds the PID of the worker's parent. */
#define LAB_WORKER_PARENT_ENV  "CONCURRENCY_LAB_PARENT_PID"

typedef enum
{
  LAB_MESSAGE_HELLO = 'H',
  LAB_MESSAGE_WORKLOAD = 'W',
  LAB_MESSAGE_TASK = 'T',
  LAB_MESSAGE_ANALYSE = 'A',
  LAB_MESSAGE_RESULT = 'R',
  LAB_MESSAGE_USAGE = 'U',
  LAB_MESSAGE_PROGRESS = 'P',
  LAB_MESSAGE_ERROR = 'E',
} LabMessageType;

typedef struct
{
  LabMessageType type;
  guint          version;      /* H */
  gint           pid;          /* H */
  guint64        id;           /* T, A, R, P */
  guint          task;         /* T, A, R, P */
  gboolean       ok;           /* R */
  guint64        checksum;     /* R */
  gint64         start_us;     /* R */
  gint64         end_us;       /* R */
  guint64        bytes;        /* R; A: the length of the document that follows */
  gint64         tid;          /* R */
  guint          http_status;  /* R */
  guint64        cached_bytes; /* R: io:files */
  gboolean       analysed;     /* R: the pipeline's analysis follows */
  gint64         analysis_start_us;
  guint64        words;
  guint64        word_length_sum;
  guint8         digest[LAB_DOCUMENT_DIGEST_LEN];
  guint64        user_us;      /* U (from the worker) */
  guint64        sys_us;       /* U */
  guint64        maxrss_kib;   /* U */
  guint64        voluntary_switches;   /* U: waits */
  guint64        involuntary_switches; /* U: preemptions */
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
/* Moves up to @len bytes that follow the last line (an A's document) to
 * @dest; returns how many it moved. */
gsize    lab_line_reader_take  (LabLineReader *reader,
                                guint8        *dest,
                                gsize          len);

G_END_DECLS
