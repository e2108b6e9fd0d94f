/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-protocol.h"
#include "lab-test-protocol.h"
#include "lab-workload.h"

/* @line is refused with a protocol error, and nothing is left allocated. */
static void
assert_rejected (const char *line)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;

  if (lab_message_parse (line, strlen (line), &msg, &error))
    g_error ("accepted malformed line “%s”", line);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  g_assert_null (msg.text);
  g_assert_null (msg.workload);
}

static void
test_roundtrip (void)
{
  LabMessage hello = { .type = LAB_MESSAGE_HELLO, .version = 1, .pid = 42 };
  LabMessage task = { .type = LAB_MESSAGE_TASK, .id = 7, .task = 3, .text = (char *) "http://127.0.0.1:1/delay/5" };
  LabMessage ok = { .type = LAB_MESSAGE_RESULT, .id = 7, .task = 3, .ok = TRUE, .checksum = G_MAXUINT64,
                    .start_us = 10, .end_us = 20, .bytes = 5, .tid = 99, .http_status = 200 };
  LabMessage fail = { .type = LAB_MESSAGE_RESULT, .id = 8, .task = 4, .ok = FALSE, .start_us = 1, .end_us = 1,
                      .text = (char *) "connection refused" };
  LabMessage usage = { .type = LAB_MESSAGE_USAGE, .user_us = 1, .sys_us = 2, .maxrss_kib = 3 };
  LabMessage usage_request = { .type = LAB_MESSAGE_USAGE, .usage_request = TRUE };
  LabMessage switches = { .type = LAB_MESSAGE_USAGE, .user_us = 1, .sys_us = 2, .maxrss_kib = 3,
                          .voluntary_switches = 4, .involuntary_switches = G_MAXINT64 };
  LabMessage progress = { .type = LAB_MESSAGE_PROGRESS, .id = 9, .task = 5 };
  LabMessage analyse = { .type = LAB_MESSAGE_ANALYSE, .id = 11, .task = 6, .bytes = 4096 };
  LabMessage analysed = { .type = LAB_MESSAGE_RESULT, .id = 11, .task = 6, .ok = TRUE, .checksum = 77,
                          .start_us = 100, .end_us = 300, .bytes = 4096, .tid = 5, .http_status = 200,
                          .analysed = TRUE, .analysis_start_us = 250, .words = 700, .word_length_sum = 3300 };
  LabMessage error = { .type = LAB_MESSAGE_ERROR, .text = (char *) "task before workload" };
  g_autoptr(LabWorkload) primes = lab_workload_new_from_spec ("cpu:primes", NULL);
  LabMessage workload = { .type = LAB_MESSAGE_WORKLOAD, .workload = primes };

  primes->size = 10;
  primes->tasks = 2;
  for (guint i = 0; i < sizeof analysed.digest; i++)
    analysed.digest[i] = 255 - i;
  lab_test_assert_round_trip (&hello);
  lab_test_assert_round_trip (&task);
  lab_test_assert_round_trip (&ok);
  lab_test_assert_round_trip (&fail);
  lab_test_assert_round_trip (&usage);
  lab_test_assert_round_trip (&usage_request);
  lab_test_assert_round_trip (&switches);
  lab_test_assert_round_trip (&progress);
  lab_test_assert_round_trip (&analyse);
  lab_test_assert_round_trip (&analysed);
  lab_test_assert_round_trip (&error);
  lab_test_assert_round_trip (&workload);
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "",
    "X 1 2",
    "H",
    "H 1",
    "H 1 2 3",
    "H -1 2",
    "H 1 99999999999999999999",
    "R 1 2 ok 3 4 5 6 7",              /* missing http status */
    "R 1 2 maybe 3 4 5 6 7 200",
    "R 1 2 ok 3 9 5 6 7 200",          /* ends before it starts */
    "R 1 2 ok 3 4 5 6 7 200 surplus",  /* text on success */
    "R 1 2 fail 3 4 5 6 7 200",        /* failure without a reason */
    "R 1 2 ok 3 4 5 6 7 1000",
    "R 1 2000000 ok 3 4 5 6 7 200",    /* task beyond the cap */
    "R x 2 ok 3 4 5 6 7 200",
    "R 1  2 ok 3 4 5 6 7 200",         /* empty field */
    "R +1 2 ok 3 4 5 6 7 200",
    "U 1 2",
    "U 1 2 3 4",                       /* one context switch count */
    "U 1 2 3 4 5 6",
    "P 1",
    "P 1 2 3",
    "T 1",
    "W",
    "E",
    "R 1 2 ok 3 4 5 6\t7 200",
    "A 1 2",                           /* no length */
    "A 1 2 3 4",
    "A 1 2 -3",
    /* the pipeline's analysis: start before the task's, more words than
     * bytes, fewer letters than words, a short or non-hexadecimal digest,
     * anything after it, and an analysis on a failure */
    "R 1 2 ok 3 4 9 100 7 200 3 10 20 " "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "R 1 2 ok 3 4 9 10 7 200 5 11 11 " "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "R 1 2 ok 3 4 9 10 7 200 5 8 7 " "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "R 1 2 ok 3 4 9 10 7 200 5 2 4 00112233",
    "R 1 2 ok 3 4 9 10 7 200 5 2 4 " "0011223344556677889xaabbccddeeff00112233445566778899aabbccddeeff",
    "R 1 2 ok 3 4 9 10 7 200 5 2 4 " "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff x",
    "R 1 2 ok 3 4 9 10 7 200 5 2 4",
    "H 1 2\x01",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (bad[i]);

  /* Invalid UTF-8 */
  {
    g_autoptr(GError) error = NULL;
    LabMessage msg;

    g_assert_false (lab_message_parse ("E \xff\xfe", 4, &msg, &error));
    g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  }
}

static void
test_line_reader (void)
{
  LabLineReader reader;
  g_autoptr(GError) error = NULL;
  char big[200];
  char *line;
  gsize len;

  lab_line_reader_init (&reader, 100);
  lab_line_reader_feed (&reader, (const guint8 *) "H 1 2\nR 1", 9);
  g_assert_true (lab_line_reader_next (&reader, &line, &len, &error));
  g_assert_cmpstr (line, ==, "H 1 2");
  g_assert_false (lab_line_reader_next (&reader, &line, &len, &error));
  g_assert_no_error (error);
  lab_line_reader_feed (&reader, (const guint8 *) " 2\n", 3);
  g_assert_true (lab_line_reader_next (&reader, &line, &len, &error));
  g_assert_cmpstr (line, ==, "R 1 2");

  /* An A's document follows its line, whatever bytes it holds. */
  lab_line_reader_feed (&reader, (const guint8 *) "A 1 2 5\nab\ncdR 3", 16);
  g_assert_true (lab_line_reader_next (&reader, &line, &len, &error));
  g_assert_cmpstr (line, ==, "A 1 2 5");
  {
    guint8 document[5];

    g_assert_cmpuint (lab_line_reader_take (&reader, document, 5), ==, 5);
    g_assert_cmpmem (document, 5, "ab\ncd", 5);
    g_assert_cmpuint (lab_line_reader_take (&reader, document, 5), ==, 3);
    g_assert_cmpmem (document, 3, "R 3", 3);
  }

  memset (big, 'x', sizeof big);
  lab_line_reader_feed (&reader, (const guint8 *) big, sizeof big);
  g_assert_false (lab_line_reader_next (&reader, &line, &len, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  lab_line_reader_clear (&reader);
}

/* Random bytes never crash the parser, and whatever it accepts formats back. */
static void
test_fuzz (void)
{
  for (guint i = 0; i < 20000; i++)
    {
      char line[64];
      gsize len = g_test_rand_int_range (1, sizeof line);
      LabMessage msg;

      for (gsize k = 0; k < len; k++)
        line[k] = g_test_rand_bit () ? "HRUTWE 0123456789okfail-"[g_test_rand_int_range (0, 24)]
                                     : (char) g_test_rand_int_range (0, 256);
      line[0] = "HRUTWEPA"[g_test_rand_int_range (0, 8)];
      if (lab_message_parse (line, len, &msg, NULL))
        {
          g_autoptr(GString) out = g_string_new (NULL);

          lab_message_format (&msg, out);
          lab_message_clear (&msg);
        }
    }
}

/* Every kind of workload (every kernel) crosses the pipe unchanged: the
 * ordinary values and the largest each field takes. */
static void
test_workload_roundtrip (void)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func (g_free);
  const LabKernel **kernels;
  guint n_kernels;

  kernels = lab_kernel_list (&n_kernels);
  for (guint i = 0; i < n_kernels; i++)
    g_ptr_array_add (specs, g_strdup_printf ("cpu:%s", kernels[i]->name));
  g_ptr_array_add (specs, g_strdup ("io:download"));
  g_ptr_array_add (specs, g_strdup ("io:sleep"));

  for (guint i = 0; i < specs->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LabWorkload) w = lab_workload_new_from_spec (g_ptr_array_index (specs, i), &error);
      LabMessage msg = { .type = LAB_MESSAGE_WORKLOAD, .workload = w };

      g_assert_no_error (error);
      lab_test_assert_round_trip (&msg);
      w->size = 77;
      w->tasks = 5;
      w->timeout_s = 12;
      w->max_bytes = 34567;
      lab_test_assert_round_trip (&msg);
      w->size = G_MAXUINT64;
      w->tasks = LAB_MAX_TASKS;
      w->timeout_s = G_MAXUINT;
      w->max_bytes = G_MAXUINT64;
      lab_test_assert_round_trip (&msg);
    }
}

/* The W line is plain fields; URLs stay out of it (each task carries its
 * own). */
static void
test_workload_format (void)
{
  g_autoptr(LabWorkload) matmul = lab_workload_new_from_spec ("cpu:matmul", NULL);
  g_autoptr(LabWorkload) download = lab_workload_new_from_spec ("io:download", NULL);
  const char *urls[] = { "http://127.0.0.1:1/delay/5", NULL };
  LabMessage msg = { .type = LAB_MESSAGE_WORKLOAD, .workload = matmul };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  LabMessage parsed;

  matmul->size = 77;
  matmul->tasks = 5;
  matmul->timeout_s = 12;
  matmul->max_bytes = 34567;
  lab_message_format (&msg, out);
  g_assert_cmpstr (out->str, ==, "W cpu:matmul 77 5 12 34567\n");

  download->urls = g_strdupv ((char **) urls);
  msg.workload = download;
  g_string_truncate (out, 0);
  lab_message_format (&msg, out);
  g_assert_null (strstr (out->str, "http"));
  g_assert_true (lab_message_parse (out->str, out->len - 1, &parsed, &error));
  g_assert_no_error (error);
  g_assert_null (parsed.workload->urls);
  lab_message_clear (&parsed);
}

static void
test_workload_malformed (void)
{
  const char *bad[] = {
    "W ",
    "W cpu",                                      /* no kernel */
    "W cpu: 1 1 30 1",
    "W cpu:nope 1 1 30 1",                        /* unknown kernel */
    "W gpu:x 1 1 30 1",                           /* unknown kind */
    "W io:nothing 1 1 30 1",
    "W cpu:sumsq",
    "W cpu:sumsq 1 1 30",                         /* missing max bytes */
    "W cpu:sumsq -1 1 30 1",
    "W cpu:sumsq 18446744073709551616 1 30 1",    /* size beyond 64 bits */
    "W cpu:sumsq 1 99999999 30 1",                /* tasks beyond the cap */
    "W cpu:sumsq 1 1 4294967296 1",               /* timeout beyond a guint */
    "W cpu:sumsq 1 1 30 x",
    "W cpu:sumsq 1 1 30 1 red",                   /* surplus field */
    "W cpu:sumsq 1 1 30 1 ",
    "W cpu:sumsq  1 1 30 1",                      /* empty field */
    "W kind=cpu kernel=sumsq size=1 tasks=1",     /* protocol 1's form */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_rejected (bad[i]);
}

/* Valid lines with a byte changed, dropped or doubled: the parser never
 * crashes, and whatever it accepts formats back to a line it accepts. */
static void
test_fuzz_mutations (void)
{
  const char *valid[] = {
    "H 2 42",
    "W cpu:matmul 77 5 12 34567",
    "W io:download 0 40 30 67108864",
    "T 7 3 http://127.0.0.1:1/delay/5",
    "R 7 3 ok 18446744073709551615 10 20 5 99 200",
    "R 8 4 fail 0 1 1 0 0 0 connection refused",
    "U 1 2 3",
    "U 1 2 3 4 5",
    "U",
    "P 9 5",
    "E task before workload",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      LabMessage msg;

      g_assert_true (lab_message_parse (valid[i], strlen (valid[i]), &msg, NULL));
      lab_message_clear (&msg);
    }

  for (guint i = 0; i < 20000; i++)
    {
      const char *base = valid[g_test_rand_int_range (0, G_N_ELEMENTS (valid))];
      g_autoptr(GString) line = g_string_new (base);
      gsize at = g_test_rand_int_range (0, line->len);
      LabMessage msg;

      switch (g_test_rand_int_range (0, 3))
        {
        case 0:
          line->str[at] = "0123456789 -:xo\t"[g_test_rand_int_range (0, 16)];
          break;
        case 1:
          g_string_erase (line, at, 1);
          break;
        default:
          g_string_insert_c (line, at, line->str[at]);
          break;
        }
      if (line->len > 0 && lab_message_parse (line->str, line->len, &msg, NULL))
        {
          g_autoptr(GString) out = g_string_new (NULL);
          LabMessage again;

          lab_message_format (&msg, out);
          g_assert_true (lab_message_parse (out->str, out->len - 1, &again, NULL));
          lab_message_clear (&again);
          lab_message_clear (&msg);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/protocol/roundtrip", test_roundtrip);
  g_test_add_func ("/protocol/malformed", test_malformed);
  g_test_add_func ("/protocol/line-reader", test_line_reader);
  g_test_add_func ("/protocol/fuzz", test_fuzz);
  g_test_add_func ("/protocol/fuzz-mutations", test_fuzz_mutations);
  g_test_add_func ("/protocol/workload/roundtrip", test_workload_roundtrip);
  g_test_add_func ("/protocol/workload/format", test_workload_format);
  g_test_add_func ("/protocol/workload/malformed", test_workload_malformed);
  return g_test_run ();
}
