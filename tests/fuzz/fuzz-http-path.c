/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>

#include "lab-error.h"
#include "lab-fuzz.h"
#include "lab-http-request.h"
#include "lab-http-server.h"

/*
 * The embedded server's URLs. The input is the target of a request line
 * ("/delay/200?bytes=16384", or an absolute URL), turned into the path and
 * query libsoup hands the server's handler (a URI on the server's address,
 * its query decoded as a form), then parsed by lab_http_request_parse()
 * as the server does, with its default cap on bodies and with a small one.
 *
 * What must hold, besides no crash and no leak:
 *
 * - the answer is a 404 (no endpoint), a 400 whose text is valid UTF-8,
 *   short, and begins with the name of what was wrong, or a request whose
 *   figures are all within their ranges, its body within the cap;
 * - the request written back as a URL in canonical form (every figure
 *   given) parses to the same request.
 */

#define SMALL_CAP 4096

/* The names the server's 400s begin with. */
static const char *const parameter_names[] = {
  "delay in milliseconds", "bytes", "byte count", "doc", "delay", "status code",
  "redirect count", "duration_ms",
};

/* What libsoup's server makes of a request line's target (see
 * parse_headers() in soup-server-message-io-http1.c): FALSE where it
 * answers 400 itself. */
static gboolean
split_target (const char  *target,
              char       **path,
              GHashTable **query)
{
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;

  if (target[0] == '/')
    url = g_strconcat ("http://127.0.0.1:8080", target, NULL);
  else
    url = g_strdup (target);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;

  *path = g_strdup (g_uri_get_path (uri));
  *query = g_uri_get_query (uri) != NULL ? soup_form_decode (g_uri_get_query (uri)) : NULL;
  return TRUE;
}

/* The request as a URL, every figure given; NULL for no endpoint. */
static char *
format_request (const LabHttpRequest *r)
{
  switch (r->endpoint)
    {
    case LAB_HTTP_ENDPOINT_DELAY:
      return g_strdup_printf ("/delay/%" G_GUINT64_FORMAT "?bytes=%" G_GUINT64_FORMAT, r->delay_ms, r->bytes);
    case LAB_HTTP_ENDPOINT_BYTES:
      return g_strdup_printf ("/bytes/%" G_GUINT64_FORMAT, r->bytes);
    case LAB_HTTP_ENDPOINT_TEXT:
      return g_strdup_printf ("/text/%" G_GUINT64_FORMAT "?doc=%" G_GUINT64_FORMAT "&delay=%" G_GUINT64_FORMAT,
                              r->bytes, r->doc, r->delay_ms);
    case LAB_HTTP_ENDPOINT_STATUS:
      return g_strdup_printf ("/status/%u", r->status);
    case LAB_HTTP_ENDPOINT_REDIRECT:
      return g_strdup_printf ("/redirect/%u", r->hops);
    case LAB_HTTP_ENDPOINT_DRIP:
      return g_strdup_printf ("/drip?bytes=%" G_GUINT64_FORMAT "&duration_ms=%" G_GUINT64_FORMAT,
                              r->bytes, r->duration_ms);
    case LAB_HTTP_ENDPOINT_NONE:
    default:
      return NULL;
    }
}

static void
assert_requests_equal (const LabHttpRequest *a,
                       const LabHttpRequest *b)
{
  g_assert_cmpint (a->endpoint, ==, b->endpoint);
  g_assert_cmpuint (a->bytes, ==, b->bytes);
  g_assert_cmpuint (a->delay_ms, ==, b->delay_ms);
  g_assert_cmpuint (a->duration_ms, ==, b->duration_ms);
  g_assert_cmpuint (a->doc, ==, b->doc);
  g_assert_cmpuint (a->status, ==, b->status);
  g_assert_cmpuint (a->hops, ==, b->hops);
}

static void
check_refusal (const GError *error)
{
  gboolean named = FALSE;

  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <=, 256);
  for (guint i = 0; i < G_N_ELEMENTS (parameter_names); i++)
    if (g_str_has_prefix (error->message, parameter_names[i]) &&
        error->message[strlen (parameter_names[i])] == ':')
      named = TRUE;
  if (!named)
    g_error ("a 400 that names nothing: %s", error->message);
}

/* The figures an endpoint does not take are 0; the others within range. */
static void
check_request (const LabHttpRequest *r,
               guint64               cap)
{
  gboolean sized = r->endpoint == LAB_HTTP_ENDPOINT_DELAY || r->endpoint == LAB_HTTP_ENDPOINT_BYTES ||
                   r->endpoint == LAB_HTTP_ENDPOINT_TEXT || r->endpoint == LAB_HTTP_ENDPOINT_DRIP;
  gboolean delayed = r->endpoint == LAB_HTTP_ENDPOINT_DELAY || r->endpoint == LAB_HTTP_ENDPOINT_TEXT;

  g_assert_cmpuint (r->bytes, <=, sized ? cap : 0);
  g_assert_cmpuint (r->delay_ms, <=, delayed ? LAB_HTTP_SERVER_MAX_DURATION_MS : 0);
  g_assert_cmpuint (r->duration_ms, <=, r->endpoint == LAB_HTTP_ENDPOINT_DRIP ? LAB_HTTP_SERVER_MAX_DURATION_MS : 0);
  g_assert_cmpuint (r->doc, <=, r->endpoint == LAB_HTTP_ENDPOINT_TEXT ? G_MAXUINT32 : 0);
  if (r->endpoint == LAB_HTTP_ENDPOINT_STATUS)
    g_assert_true (r->status >= 200 && r->status <= 599);
  else
    g_assert_cmpuint (r->status, ==, 0);
  g_assert_cmpuint (r->hops, <=, r->endpoint == LAB_HTTP_ENDPOINT_REDIRECT ? 1000 : 0);
}

/* Parses @target as the server does; FALSE where it does not get that far. */
static gboolean
parse_target (const char      *target,
              guint64          cap,
              LabHttpRequest  *request,
              GError         **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) query = NULL;

  if (!split_target (target, &path, &query))
    return FALSE;
  /* Refused exactly when it says why. */
  g_assert_true (lab_http_request_parse (path, query, cap, request, error) == (*error == NULL));
  return TRUE;
}

static void
check_target (const char *target,
              guint64     cap)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autofree char *canonical = NULL;
  LabHttpRequest request, again;

  if (!parse_target (target, cap, &request, &error))
    return;
  if (error != NULL)
    {
      check_refusal (error);
      return;
    }
  check_request (&request, cap);

  canonical = format_request (&request);
  if (canonical == NULL)
    return;
  g_assert_true (parse_target (canonical, cap, &again, &again_error));
  g_assert_no_error (again_error);
  assert_requests_equal (&request, &again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *target = NULL;

  /* A request line's target: no spaces, no control characters. */
  if (size == 0)
    return 0;
  for (gsize i = 0; i < size; i++)
    if (data[i] <= 0x20 || data[i] == 0x7f)
      return 0;

  target = g_strndup ((const char *) data, size);
  check_target (target, LAB_HTTP_SERVER_DEFAULT_MAX_BYTES);
  check_target (target, SMALL_CAP);
  return 0;
}
