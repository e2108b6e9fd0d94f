/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "lab-document.h"
#include "lab-http-server.h"
#include "lab-test-server.h"

/* The pipeline's documents: their text, their analysis, and the embedded
 * server's /text endpoint that serves them. */

static GBytes *
document (guint doc,
          gsize len)
{
  guint8 *data = g_malloc (MAX (len, 1));

  lab_document_fill (doc, data, len);
  return g_bytes_new_take (data, len);
}

/* The same bytes for the same (length, document); another document is
 * other text; a shorter one is the start of a longer one. Words of
 * lower-case letters between single spaces and newlines. */
static void
test_text (void)
{
  g_autoptr(GBytes) a = document (7, 5000);
  g_autoptr(GBytes) again = document (7, 5000);
  g_autoptr(GBytes) other = document (8, 5000);
  g_autoptr(GBytes) shorter = document (7, 1234);
  const char *text = g_bytes_get_data (a, NULL);
  guint newlines = 0;

  g_assert_true (g_bytes_equal (a, again));
  g_assert_false (g_bytes_equal (a, other));
  g_assert_cmpmem (g_bytes_get_data (shorter, NULL), 1234, text, 1234);
  for (gsize i = 0; i < 5000; i++)
    {
      g_assert_true (g_ascii_islower (text[i]) || text[i] == ' ' || text[i] == '\n');
      if (i > 0)
        g_assert_false (g_ascii_isspace (text[i]) && g_ascii_isspace (text[i - 1]));
      newlines += text[i] == '\n';
    }
  g_assert_cmpuint (newlines, >, 0);
  g_assert_false (g_ascii_isspace (text[0]));
}

/* The analysis against a count made here, word by word with
 * g_strsplit_set(), and a chain of GChecksum digests made here. */
static void
test_analysis (void)
{
  g_autoptr(GBytes) bytes = document (3, 20000);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), 20000);
  g_auto(GStrv) words = g_strsplit_set (text, " \n", -1);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint64 n_words = 0, sum = 0;
  LabDocumentRow row, again;

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      {
        n_words++;
        sum += strlen (words[i]);
      }
  g_checksum_update (checksum, (const guint8 *) text, 20000);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (guint i = 1; i < 5; i++)
    {
      g_checksum_reset (checksum);
      g_checksum_update (checksum, digest, sizeof digest);
      digest_len = sizeof digest;
      g_checksum_get_digest (checksum, digest, &digest_len);
    }

  g_assert_true (lab_document_analyse ((const guint8 *) text, 20000, 3, 5, NULL, &row));
  g_assert_cmpuint (row.doc, ==, 3);
  g_assert_cmpuint (row.bytes, ==, 20000);
  g_assert_cmpuint (row.words, ==, n_words);
  g_assert_cmpuint (row.word_length_sum, ==, sum);
  g_assert_cmpmem (row.digest, 32, digest, 32);

  /* Deterministic; one round more is another digest. */
  g_assert_true (lab_document_analyse ((const guint8 *) text, 20000, 3, 5, NULL, &again));
  g_assert_cmpmem (&row, sizeof row, &again, sizeof again);
  g_assert_true (lab_document_analyse ((const guint8 *) text, 20000, 3, 6, NULL, &again));
  g_assert_true (memcmp (row.digest, again.digest, 32) != 0);
}

/* A cancelled analysis says so rather than giving a row. */
static void
test_analysis_cancelled (void)
{
  g_autoptr(GBytes) bytes = document (1, 100);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LabDocumentRow row;

  g_cancellable_cancel (cancellable);
  g_assert_false (lab_document_analyse (g_bytes_get_data (bytes, NULL), 100, 1, 100000, cancellable, &row));
}

/* One CSV line, whose checksum is its own. */
static void
test_row (void)
{
  LabDocumentRow row = { .doc = 12, .bytes = 100, .words = 20, .word_length_sum = 80 };
  LabDocumentRow other = row;
  g_autoptr(GString) line = g_string_new (NULL);
  guint8 parsed[32];
  char hex[65];

  for (guint i = 0; i < 32; i++)
    row.digest[i] = i * 7;
  lab_document_row_format (&row, line);
  g_assert_cmpstr (line->str, ==,
                   "12,100,20,80,00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9\n");
  lab_document_digest_to_hex (row.digest, hex);
  g_assert_true (lab_document_digest_from_hex (hex, 64, parsed));
  g_assert_cmpmem (parsed, 32, row.digest, 32);
  g_assert_false (lab_document_digest_from_hex (hex, 63, parsed));
  hex[5] = 'g';
  g_assert_false (lab_document_digest_from_hex (hex, 64, parsed));

  memcpy (other.digest, row.digest, 32);
  g_assert_cmpuint (lab_document_row_checksum (&row), ==, lab_document_row_checksum (&other));
  other.words++;
  g_assert_cmpuint (lab_document_row_checksum (&row), !=, lab_document_row_checksum (&other));
}

/* /text/<n>?doc=I serves lab_document_fill()'s bytes, the same every time. */
static void
test_endpoint (LabTestServer  *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GBytes) expected = document (42, 70000);
  g_autoptr(GBytes) first = NULL, second = NULL, doc0 = NULL, empty = NULL, bad = NULL, over = NULL;
  g_autoptr(GBytes) zero = document (0, 100);
  guint status;

  first = lab_test_server_request (fixture, "GET", "/text/70000?doc=42", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_bytes_equal (first, expected));
  second = lab_test_server_request (fixture, "GET", "/text/70000?doc=42&delay=0", &status, NULL);
  g_assert_true (g_bytes_equal (second, first));
  doc0 = lab_test_server_request (fixture, "GET", "/text/100", &status, NULL);
  g_assert_true (g_bytes_equal (doc0, zero));
  empty = lab_test_server_request (fixture, "GET", "/text/0?doc=9", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);

  bad = lab_test_server_request (fixture, "GET", "/text/10?doc=-1", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  lab_http_server_set_max_bytes (fixture->server, 1000);
  over = lab_test_server_request (fixture, "GET", "/text/1001", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
}

typedef struct
{
  guint pending;
  guint ok;
} Parallel;

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Parallel *parallel = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (body != NULL && soup_message_get_status (msg) == 200 && g_bytes_get_size (body) == 1000)
    parallel->ok++;
  parallel->pending--;
}

/* The delay is honoured, and ten delayed answers overlap: the server does
 * not block its thread on one of them. */
static void
test_endpoint_delay (LabTestServer  *fixture,
                     gconstpointer  user_data)
{
  Parallel parallel = { 0 };
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GBytes) body = NULL;
  double elapsed;
  guint status;

  body = lab_test_server_request (fixture, "GET", "/text/1000?doc=1&delay=200", &status, NULL);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpfloat (elapsed, >=, 0.19);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *path = g_strdup_printf ("/text/1000?doc=%u&delay=300", i);
      g_autofree char *url = g_strconcat (lab_http_server_get_base_url (fixture->server), path, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      parallel.pending++;
      soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, on_response, &parallel);
    }
  while (parallel.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("10 x /text/1000?delay=300 in parallel: %.3f s", elapsed);
  g_assert_cmpuint (parallel.ok, ==, 10);
  g_assert_cmpfloat (elapsed, >=, 0.29);
  g_assert_cmpfloat (elapsed, <, 2.9);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/text", test_text);
  g_test_add_func ("/document/analysis", test_analysis);
  g_test_add_func ("/document/analysis-cancelled", test_analysis_cancelled);
  g_test_add_func ("/document/row", test_row);
  g_test_add ("/document/endpoint", LabTestServer, NULL,
              lab_test_server_set_up, test_endpoint, lab_test_server_tear_down);
  g_test_add ("/document/endpoint-delay", LabTestServer, NULL,
              lab_test_server_set_up, test_endpoint_delay, lab_test_server_tear_down);

  return g_test_run ();
}
