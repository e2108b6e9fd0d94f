/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-protocol.h"
#include "lab-workload.h"

static void
roundtrip (const LabMessage *msg)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  LabMessage parsed;

  lab_message_format (msg, out);
  g_assert_true (out->str[out->len - 1] == '\n');
  g_assert_true (lab_message_parse (out->str, out->len - 1, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.type, ==, msg->type);
  g_assert_cmpuint (parsed.id, ==, msg->id);
  g_assert_cmpuint (parsed.task, ==, msg->task);
  g_assert_cmpuint (parsed.checksum, ==, msg->checksum);
  g_assert_cmpint (parsed.start_us, ==, msg->start_us);
  g_assert_cmpint (parsed.end_us, ==, msg->end_us);
  g_assert_cmpstr (parsed.text, ==, msg->text);
  lab_message_clear (&parsed);
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
  LabMessage workload = { .type = LAB_MESSAGE_WORKLOAD, .text = (char *) "kind=cpu kernel=primes size=10 tasks=2" };

  roundtrip (&hello);
  roundtrip (&task);
  roundtrip (&ok);
  roundtrip (&fail);
  roundtrip (&usage);
  roundtrip (&workload);
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
    "U 1 2 3 4",
    "T 1",
    "W",
    "E",
    "R 1 2 ok 3 4 5 6\t7 200",
    "H 1 2\x01",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      LabMessage msg;

      if (lab_message_parse (bad[i], strlen (bad[i]), &msg, &error))
        g_error ("accepted malformed line “%s”", bad[i]);
      g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
      g_assert_null (msg.text);
    }

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
      line[0] = "HRUTWE"[g_test_rand_int_range (0, 6)];
      if (lab_message_parse (line, len, &msg, NULL))
        {
          g_autoptr(GString) out = g_string_new (NULL);

          lab_message_format (&msg, out);
          lab_message_clear (&msg);
        }
    }
}

static void
test_workload_wire (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabWorkload) w = lab_workload_new_from_spec ("cpu:matmul", &error);
  g_autoptr(LabWorkload) back = NULL;
  g_autofree char *wire = NULL;
  const char *bad[] = { "kind=cpu", "kind=cpu kernel=nope size=1 tasks=1", "kind=gpu", "kind=cpu kernel=sumsq size=-1",
                        "kind=cpu kernel=sumsq tasks=99999999", "kind=cpu kernel=sumsq colour=red", "kind=cpu kernel=sumsq x" };

  g_assert_no_error (error);
  w->size = 77;
  w->tasks = 5;
  wire = lab_workload_to_wire (w);
  back = lab_workload_new_from_wire (wire, &error);
  g_assert_no_error (error);
  g_assert_true (back->kernel == w->kernel);
  g_assert_cmpuint (back->size, ==, 77);
  g_assert_cmpuint (back->tasks, ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(LabWorkload) none = lab_workload_new_from_wire (bad[i], &e);

      g_assert_null (none);
      g_assert_error (e, LAB_ERROR, LAB_ERROR_PROTOCOL);
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
  g_test_add_func ("/protocol/workload-wire", test_workload_wire);
  return g_test_run ();
}
