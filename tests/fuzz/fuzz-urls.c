/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* memfd_create() */
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "lab-error.h"
#include "lab-fetch.h"
#include "lab-fuzz.h"
#include "lab-protocol.h"
#include "lab-run-builder.h"

/*
 * The user's list of URLs: the text pasted on the Downloads page
 * (lab_url_list_split()) or the file given to --urls
 * (lab_run_builder_add_url_file()), then the run the builder makes of it,
 * then each URL on its way: to a worker process in a task line, and into
 * a request (lab_fetch_new(), which every mode uses).
 *
 * What must hold, besides no crash and no leak:
 *
 * - each URL of the list is one line of the text, in order, stripped of
 *   the white space around it, not empty and not a comment; split again
 *   once joined, the list is the same (the list round-trips);
 * - a file that is not UTF-8 text is refused with a message; at build time,
 *   an empty list is refused, and a list with a URL that is not one line
 *   of text or longer than LAB_MAX_URL_LENGTH; any other list makes a
 *   download run with those URLs, one task each;
 * - every URL of a run reaches a worker whole: its task line parses back
 *   with the same argument;
 * - every URL either becomes a GET of an http or https URL with a host, or
 *   fails its task with a message in valid UTF-8.
 */

static void
check_list (const char   *text,
            char * const *urls)
{
  const char *from = text;
  g_autoptr(GString) joined = g_string_new (NULL);
  g_auto(GStrv) again = NULL;

  for (guint i = 0; urls[i] != NULL; i++)
    {
      const char *url = urls[i];
      gsize len = strlen (url);
      const char *found = strstr (from, url);

      g_assert_cmpuint (len, >, 0);
      g_assert_cmpint (url[0], !=, '#');
      g_assert_false (g_ascii_isspace (url[0]));
      g_assert_false (g_ascii_isspace (url[len - 1]));
      g_assert_null (strchr (url, '\n'));
      /* In order, each on its own line. */
      g_assert_nonnull (found);
      from = found + len;
      g_string_append_printf (joined, "%s\n", url);
    }

  again = lab_url_list_split (joined->str);
  g_assert_cmpstrv (again, urls);
}

/* Whether each URL is one line of text short enough for the worker
 * protocol: what the builder lets through. */
static gboolean
all_sendable (char * const *urls)
{
  for (guint i = 0; urls[i] != NULL; i++)
    {
      if (strlen (urls[i]) > LAB_MAX_URL_LENGTH)
        return FALSE;
      for (const char *p = urls[i]; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          return FALSE;
    }
  return TRUE;
}

/* The file the user gives to --urls, in memory. */
static char *
memfd_path (const guint8 *data,
            gsize         size,
            int          *fd)
{
  *fd = memfd_create ("urls", MFD_CLOEXEC);
  g_assert_cmpint (*fd, >=, 0);
  g_assert_cmpint (write (*fd, data, size), ==, (gssize) size);
  return g_strdup_printf ("/proc/self/fd/%d", *fd);
}

/* A task of the run as its worker gets it. */
static void
check_reaches_worker (const char *url,
                      guint       task)
{
  LabMessage request = { .type = LAB_MESSAGE_TASK, .id = G_MAXUINT64, .task = task, .text = (char *) url };
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  LabMessage parsed;

  lab_message_format (&request, line);
  if (!lab_message_parse (line->str, line->len - 1, &parsed, &error))
    g_error ("the URL of task %u does not reach its worker (%s): %.200s", task, error->message, url);
  g_assert_cmpstr (parsed.text, ==, url);
  lab_message_clear (&parsed);
}

/* What any mode does before it sends anything. */
static void
check_request (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabFetch) fetch = lab_fetch_new (url, 1024, &error);
  GUri *uri;

  if (fetch == NULL)
    {
      g_assert_error (error, LAB_ERROR, LAB_ERROR_TASK);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_no_error (error);
  uri = soup_message_get_uri (lab_fetch_get_message (fetch));
  g_assert_true (g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https"));
  g_assert_nonnull (g_uri_get_host (uri));
  g_assert_cmpstr (g_uri_get_host (uri), !=, "");
  g_assert_cmpstr (soup_message_get_method (lab_fetch_get_message (fetch)), ==, SOUP_METHOD_GET);
}

static void
check_run (const guint8 *data,
           gsize         size,
           char * const *urls)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const LabMode processes = LAB_MODE_PROCESSES;
  const guint one = 1;
  int fd;

  g_assert_true (lab_run_builder_set_workload (builder, "io:download", NULL));
  lab_run_builder_set_modes (builder, &processes, 1);
  lab_run_builder_set_workers (builder, &one, 1);
  lab_run_builder_set_server (builder, "http://127.0.0.1:1");

  path = memfd_path (data, size, &fd);
  if (!lab_run_builder_add_url_file (builder, path, &error))
    {
      /* Refused only for what is not UTF-8 text, which the window cannot hold. */
      g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
      g_assert_null (urls);
      close (fd);
      return;
    }
  close (fd);
  g_assert_nonnull (urls);

  config = lab_run_builder_build (builder, &error);
  if (urls[0] == NULL)
    {
      g_assert_null (config);
      g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
      return;
    }
  if (!all_sendable (urls))
    {
      /* Refused before anything starts, for every mode alike. */
      g_assert_null (config);
      g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
      return;
    }
  if (config == NULL)
    g_error ("a list of URLs refused: %s", error->message);
  g_assert_false (config->server);
  g_assert_cmpstrv (config->workload->urls, urls);
  g_assert_cmpuint (config->workload->tasks, ==, g_strv_length ((char **) urls));

  for (guint i = 0; urls[i] != NULL; i++)
    {
      check_reaches_worker (lab_workload_task_argument (config->workload, i), i);
      check_request (urls[i]);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(GStrv) urls = NULL;

  /* The text the window and a readable file can hold. */
  if (memchr (data, '\0', size) == NULL && g_utf8_validate ((const char *) data, size, NULL))
    {
      g_autofree char *text = g_strndup ((const char *) data, size);

      urls = lab_url_list_split (text);
      check_list (text, urls);
    }
  check_run (data, size, urls);
  return 0;
}
