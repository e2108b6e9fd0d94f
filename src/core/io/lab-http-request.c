/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-error.h"
#include "lab-http-request.h"
#include "lab-http-server.h"
#include "lab-parse.h"

/* What the embedded server's URLs mean, apart from answering them
 * (lab-http-endpoints.c): a pure function, fuzzed as it is. */

#define DEFAULT_DELAY_BYTES 16
#define DEFAULT_DRIP_BYTES 10
#define DEFAULT_DRIP_DURATION_MS 1000

typedef struct
{
  const char      *path;
  gboolean         takes_argument;  /* "<path>/<argument>" rather than exactly "<path>" */
  LabHttpEndpoint  endpoint;
} Route;

/* None of these is a prefix of another: a path is one endpoint's or none. */
static const Route routes[] = {
  { "/delay", TRUE, LAB_HTTP_ENDPOINT_DELAY },
  { "/bytes", TRUE, LAB_HTTP_ENDPOINT_BYTES },
  { "/text", TRUE, LAB_HTTP_ENDPOINT_TEXT },
  { "/status", TRUE, LAB_HTTP_ENDPOINT_STATUS },
  { "/redirect", TRUE, LAB_HTTP_ENDPOINT_REDIRECT },
  { "/drip", FALSE, LAB_HTTP_ENDPOINT_DRIP },
};

/*
 * @route's argument in @path, or %NULL when @path is none of its URLs:
 * "/delay", "/delayed" and "/delay/1/x" are not /delay's. An argument is
 * one path segment.
 */
static const char *
route_argument (const Route *route,
                const char  *path)
{
  const char *rest;

  if (!g_str_has_prefix (path, route->path))
    return NULL;

  rest = path + strlen (route->path);
  if (!route->takes_argument)
    return *rest == '\0' ? rest : NULL;

  if (*rest != '/' || strchr (rest + 1, '/') != NULL)
    return NULL;

  return rest + 1;
}

/* Query parameter @name, or @default_text when it is absent. */
static const char *
query_get (GHashTable *query,
           const char *name,
           const char *default_text)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  return value != NULL ? value : default_text;
}

/* A byte count from 0 to the cap; a count over the cap is told so rather
 * than given the range. */
static gboolean
parse_byte_count (const char  *what,
                  const char  *text,
                  guint64      max_bytes,
                  guint64     *out,
                  GError     **error)
{
  /* Once parsed, @text is all digits: safe to show as it is. */
  if (lab_parse_uint64 (what, text, 0, G_MAXUINT64, out, NULL) && *out > max_bytes)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   "%s: “%s” is over this server's cap of %" G_GUINT64_FORMAT " bytes (max-bytes)",
                   what, text, max_bytes);
      return FALSE;
    }
  return lab_parse_uint64 (what, text, 0, max_bytes, out, error);
}

static gboolean
parse_arguments (LabHttpRequest  *request,
                 const char      *argument,
                 GHashTable      *query,
                 guint64          max_bytes,
                 GError         **error)
{
  guint64 v;

  switch (request->endpoint)
    {
    case LAB_HTTP_ENDPOINT_DELAY:
      return lab_parse_uint64 ("delay in milliseconds", argument, 0, LAB_HTTP_SERVER_MAX_DURATION_MS,
                               &request->delay_ms, error) &&
             parse_byte_count ("bytes", query_get (query, "bytes", G_STRINGIFY (DEFAULT_DELAY_BYTES)),
                               max_bytes, &request->bytes, error);

    case LAB_HTTP_ENDPOINT_BYTES:
      return parse_byte_count ("byte count", argument, max_bytes, &request->bytes, error);

    case LAB_HTTP_ENDPOINT_TEXT:
      return parse_byte_count ("byte count", argument, max_bytes, &request->bytes, error) &&
             lab_parse_uint64 ("doc", query_get (query, "doc", "0"), 0, G_MAXUINT32, &request->doc, error) &&
             lab_parse_uint64 ("delay", query_get (query, "delay", "0"), 0, LAB_HTTP_SERVER_MAX_DURATION_MS,
                               &request->delay_ms, error);

    case LAB_HTTP_ENDPOINT_STATUS:
      if (!lab_parse_uint64 ("status code", argument, 200, 599, &v, error))
        return FALSE;
      request->status = v;
      return TRUE;

    case LAB_HTTP_ENDPOINT_REDIRECT:
      if (!lab_parse_uint64 ("redirect count", argument, 0, 1000, &v, error))
        return FALSE;
      request->hops = v;
      return TRUE;

    case LAB_HTTP_ENDPOINT_DRIP:
      return parse_byte_count ("bytes", query_get (query, "bytes", G_STRINGIFY (DEFAULT_DRIP_BYTES)),
                               max_bytes, &request->bytes, error) &&
             lab_parse_uint64 ("duration_ms",
                               query_get (query, "duration_ms", G_STRINGIFY (DEFAULT_DRIP_DURATION_MS)),
                               0, LAB_HTTP_SERVER_MAX_DURATION_MS, &request->duration_ms, error);

    case LAB_HTTP_ENDPOINT_NONE:
    default:
      return TRUE;
    }
}

gboolean
lab_http_request_parse (const char      *path,
                        GHashTable      *query,
                        guint64          max_bytes,
                        LabHttpRequest  *request,
                        GError         **error)
{
  const char *argument = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  memset (request, 0, sizeof *request);
  for (gsize i = 0; i < G_N_ELEMENTS (routes) && argument == NULL; i++)
    {
      argument = route_argument (&routes[i], path);
      if (argument != NULL)
        request->endpoint = routes[i].endpoint;
    }

  if (!parse_arguments (request, argument, query, max_bytes, error))
    {
      memset (request, 0, sizeof *request);
      return FALSE;
    }
  return TRUE;
}
