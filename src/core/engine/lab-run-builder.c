/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lab-http-server.h"
#include "lab-limits.h"
#include "lab-machine.h"
#include "lab-parse.h"
#include "lab-run-builder.h"
#include "lab-worker-slot.h"

/* Which workloads a parameter means something for. */
typedef enum
{
  APPLIES_ALWAYS,
  APPLIES_SIZED,      /* cpu:KERNEL, io:sleep, io:files and pipeline */
  APPLIES_URLS,       /* io:download */
  APPLIES_DOWNLOAD,   /* io:download and pipeline */
  APPLIES_SERVER,     /* io:download from the embedded server, and pipeline */
  APPLIES_FILES,      /* io:files */
  APPLIES_PIPELINE,   /* pipeline */
} Applies;

/* The limits and defaults of every parameter. Those that are a
 * workload's fields (size, tasks, time-out, body cap) have the limits the
 * workload sets (lab_workload_get_limit()), which the worker checks too. */
static const struct
{
  const char *option;
  const char *title;
  guint64     min;
  guint64     max;
  guint64     fallback;
  Applies     applies;
} params[LAB_N_PARAMS] = {
  [LAB_PARAM_WORKLOAD] = { "--workload", N_("Workload") },
  [LAB_PARAM_RUNTIME] = { "--runtime", N_("Runtime") },
  [LAB_PARAM_SIZE] = { "--size", N_("Size"), 0, 0, 0, APPLIES_SIZED },
  [LAB_PARAM_TASKS] = { "--tasks", N_("Tasks"), 0, 0, 16 },
  [LAB_PARAM_MODES] = { "--modes", N_("Modes") },
  [LAB_PARAM_WORKERS] = { "--workers", N_("Workers"), 1, LAB_MAX_WORKERS },
  [LAB_PARAM_REPEAT] = { "--repeat", N_("Repetitions"), 1, 1000, 3 },
  [LAB_PARAM_WARMUP] = { "--warmup", N_("Warm-up repetitions"), 0, 100, 1 },
  [LAB_PARAM_TASK_TIMEOUT_S] = { "--task-timeout-s", N_("Task time-out"), 0, 86400, 300 },
  [LAB_PARAM_NICE] = { "--nice", N_("Niceness"), 0, 19, 0 },
  [LAB_PARAM_URLS] = { "--url/--urls", N_("URLs"), 0, 0, 0, APPLIES_URLS },
  [LAB_PARAM_TIMEOUT_S] = { "--timeout-s", N_("Request time-out"), 0, 0, 30, APPLIES_DOWNLOAD },
  [LAB_PARAM_MAX_BYTES] = { "--max-bytes", N_("Largest body"), 0, 0, 64 * 1024 * 1024, APPLIES_DOWNLOAD },
  [LAB_PARAM_DELAY_MS] = { "--delay-ms", N_("Server delay"), 0, LAB_HTTP_SERVER_MAX_DURATION_MS,
                           200, APPLIES_SERVER },
  [LAB_PARAM_BYTES] = { "--bytes", N_("Body size"), 0, LAB_HTTP_SERVER_DEFAULT_MAX_BYTES,
                        16384, APPLIES_SERVER },
  [LAB_PARAM_FSYNC] = { "--fsync", N_("Sync each file"), 0, 1, 0, APPLIES_FILES },
  [LAB_PARAM_CACHE] = { "--cache", N_("Page cache"), LAB_FILES_CACHE_WARM, LAB_FILES_CACHE_COLD,
                        LAB_FILES_CACHE_WARM, APPLIES_FILES },
  [LAB_PARAM_STORE_DIR] = { "--store-dir", N_("Folder for the rows"), 0, 0, 0, APPLIES_PIPELINE },
};

static const LabMode default_modes[] = {
  LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES, LAB_MODE_SPAWN,
};

static const LabMode pipeline_modes[] = {
  LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_GIL, LAB_MODE_PROCESSES, LAB_MODE_HYBRID,
};

/* A parameter as set: typed, or text still to be parsed. */
typedef struct
{
  gboolean  set;
  guint64   value;
  char     *text;
} Setting;

struct _LabRunBuilder
{
  LabParamNames  names;
  Setting        settings[LAB_N_PARAMS];
  LabWorkload   *workload;      /* the kind and its defaults */
  GArray        *runtimes;      /* LabRuntime, NULL: from the text, or native */
  GArray        *modes;         /* LabMode, NULL: the defaults */
  GArray        *workers;       /* guint, NULL: the defaults */
  GPtrArray     *urls;
  char          *server_url;
  char          *worker_path;
};

LabRunBuilder *
lab_run_builder_new (LabParamNames names)
{
  LabRunBuilder *self = g_new0 (LabRunBuilder, 1);

  self->names = names;
  self->workload = lab_workload_new_from_spec ("cpu:primes", NULL);
  self->urls = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
lab_run_builder_free (LabRunBuilder *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < LAB_N_PARAMS; i++)
    g_free (self->settings[i].text);
  lab_workload_free (self->workload);
  g_clear_pointer (&self->runtimes, g_array_unref);
  g_clear_pointer (&self->modes, g_array_unref);
  g_clear_pointer (&self->workers, g_array_unref);
  g_ptr_array_unref (self->urls);
  g_free (self->server_url);
  g_free (self->worker_path);
  g_free (self);
}

const char *
lab_run_builder_param_name (LabRunBuilder *self,
                            LabParam       param)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (param < LAB_N_PARAMS, NULL);

  if (self->names == LAB_PARAM_NAMES_OPTIONS)
    return params[param].option;
  return g_dgettext (GETTEXT_PACKAGE, params[param].title);
}

static void
record_text (LabRunBuilder *self,
             LabParam       param,
             const char    *text)
{
  Setting *setting = &self->settings[param];

  setting->set = TRUE;
  g_free (setting->text);
  setting->text = g_strstrip (g_strdup (text));
}

gboolean
lab_run_builder_parse (LabRunBuilder  *self,
                       LabParam        param,
                       const char     *text,
                       GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (param < LAB_N_PARAMS, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  switch (param)
    {
    case LAB_PARAM_WORKLOAD:
      return lab_run_builder_set_workload (self, text, error);
    case LAB_PARAM_URLS:
      lab_run_builder_add_url (self, text);
      return TRUE;
    case LAB_PARAM_MODES:
      g_clear_pointer (&self->modes, g_array_unref);
      break;
    case LAB_PARAM_WORKERS:
      g_clear_pointer (&self->workers, g_array_unref);
      break;
    default:
      break;
    }
  record_text (self, param, text);
  return TRUE;
}

gboolean
lab_run_builder_set_workload (LabRunBuilder  *self,
                              const char     *spec,
                              GError        **error)
{
  LabWorkload *workload;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  workload = lab_workload_new_from_spec (spec, error);
  if (workload == NULL)
    return FALSE;
  lab_workload_free (self->workload);
  self->workload = workload;
  self->settings[LAB_PARAM_WORKLOAD].set = TRUE;
  return TRUE;
}

void
lab_run_builder_set_number (LabRunBuilder *self,
                            LabParam       param,
                            guint64        value)
{
  Setting *setting;

  g_return_if_fail (self != NULL);
  g_return_if_fail (param < LAB_N_PARAMS);

  setting = &self->settings[param];
  setting->set = TRUE;
  setting->value = value;
  g_clear_pointer (&setting->text, g_free);
}

static GArray *
array_from (const void *values,
            guint       n_values,
            gsize       element_size)
{
  GArray *array = g_array_sized_new (FALSE, FALSE, element_size, n_values);

  g_array_append_vals (array, values, n_values);
  return array;
}

void
lab_run_builder_set_modes (LabRunBuilder *self,
                           const LabMode *modes,
                           guint          n_modes)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->modes, g_array_unref);
  self->modes = array_from (modes, n_modes, sizeof (LabMode));
  lab_run_builder_set_number (self, LAB_PARAM_MODES, n_modes);
}

void
lab_run_builder_set_runtimes (LabRunBuilder    *self,
                              const LabRuntime *runtimes,
                              guint             n_runtimes)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->runtimes, g_array_unref);
  self->runtimes = array_from (runtimes, n_runtimes, sizeof (LabRuntime));
  lab_run_builder_set_number (self, LAB_PARAM_RUNTIME, n_runtimes);
}

void
lab_run_builder_set_workers (LabRunBuilder *self,
                             const guint   *workers,
                             guint          n_workers)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->workers, g_array_unref);
  self->workers = array_from (workers, n_workers, sizeof (guint));
  lab_run_builder_set_number (self, LAB_PARAM_WORKERS, n_workers);
}

void
lab_run_builder_set_worker_sweep (LabRunBuilder *self,
                                  guint          max)
{
  g_autoptr(GArray) sweep = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_if_fail (self != NULL);

  for (guint w = 1; w < max; w *= 2)
    g_array_append_val (sweep, w);
  g_array_append_val (sweep, max);
  lab_run_builder_set_workers (self, (const guint *) sweep->data, sweep->len);
}

void
lab_run_builder_set_worker_path (LabRunBuilder *self,
                                 const char    *path)
{
  g_return_if_fail (self != NULL);

  g_free (self->worker_path);
  self->worker_path = g_strdup (path);
}

void
lab_run_builder_add_url (LabRunBuilder *self,
                         const char    *url)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (url != NULL);

  /* Malformed URLs are kept: each fails its own task, with the reason. */
  g_ptr_array_add (self->urls, g_strdup (url));
  self->settings[LAB_PARAM_URLS].set = TRUE;
}

/**
 * lab_url_list_split:
 *
 * Returns: (transfer full): the URLs of @text, one per line, without blank
 *   lines and '#' comments
 */
char **
lab_url_list_split (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0' && *line != '#')
        g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

gboolean
lab_run_builder_add_url_file (LabRunBuilder  *self,
                              const char     *path,
                              GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_URLS);
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) urls = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("%s: cannot read “%s”: %s"),
                   name, display, local_error->message);
      return FALSE;
    }
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("%s: “%s” is not a UTF-8 text file"),
                   name, display);
      return FALSE;
    }

  urls = lab_url_list_split (contents);
  for (guint i = 0; urls[i] != NULL; i++)
    lab_run_builder_add_url (self, urls[i]);
  /* Even an empty file is a list of URLs: it must not fall back to the
   * embedded server. */
  self->settings[LAB_PARAM_URLS].set = TRUE;
  return TRUE;
}

void
lab_run_builder_set_server (LabRunBuilder *self,
                            const char    *base_url)
{
  g_return_if_fail (self != NULL);

  g_free (self->server_url);
  self->server_url = g_strdup (base_url);
}

gboolean
lab_run_builder_accepts_mode (LabRunBuilder *self,
                              LabMode        mode)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* The pipeline's shapes: its own hybrid, and the modes whose workers
   * can download, analyse and hand rows to a storing thread. */
  if (self->workload->kind == LAB_WORKLOAD_PIPELINE)
    return mode == LAB_MODE_SEQUENTIAL || mode == LAB_MODE_THREADS || mode == LAB_MODE_GIL ||
           mode == LAB_MODE_PROCESSES || mode == LAB_MODE_HYBRID;

  switch (mode)
    {
    case LAB_MODE_SEQUENTIAL:
    case LAB_MODE_THREADS:
    case LAB_MODE_PROCESSES:
    case LAB_MODE_SPAWN:
    case LAB_MODE_GIL:      /* every workload */
      return TRUE;
    case LAB_MODE_ASYNC:
      /* An event loop overlaps waiting, it does not compute; nor can its
       * one thread wait for a file's system calls without stopping. */
      return self->workload->kind != LAB_WORKLOAD_CPU && self->workload->kind != LAB_WORKLOAD_FILES;
    case LAB_MODE_GTASK:
      /* GLib's shared pool is for blocking calls, as in downloads and
       * GIO's own file operations. */
      return self->workload->kind != LAB_WORKLOAD_CPU;
    case LAB_MODE_HYBRID:
      /* Threads download, processes analyse, a thread stores: the pipeline's shape. */
      return FALSE;
    case LAB_N_MODES:
    default:
      return FALSE;
    }
}

gboolean
lab_run_builder_needs_server (LabRunBuilder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return (self->workload->kind == LAB_WORKLOAD_DOWNLOAD && self->urls->len == 0) ||
         self->workload->kind == LAB_WORKLOAD_PIPELINE;
}

/* Checking ------------------------------------------------------------------ */

/* The range of a numeric parameter: the workload's for its fields. */
static void
param_range (LabRunBuilder *self,
             LabParam       param,
             guint64       *min,
             guint64       *max)
{
  LabWorkloadLimit limit;

  switch (param)
    {
    case LAB_PARAM_SIZE:
      limit = LAB_WORKLOAD_LIMIT_SIZE;
      break;
    case LAB_PARAM_TASKS:
      limit = LAB_WORKLOAD_LIMIT_TASKS;
      break;
    case LAB_PARAM_TIMEOUT_S:
      limit = LAB_WORKLOAD_LIMIT_TIMEOUT;
      break;
    case LAB_PARAM_MAX_BYTES:
      limit = LAB_WORKLOAD_LIMIT_MAX_BYTES;
      break;
    default:
      *min = params[param].min;
      *max = params[param].max;
      return;
    }
  lab_workload_get_limit (self->workload, limit, min, max);
}

/* The value of a numeric parameter, its default when unset. */
static gboolean
get_number (LabRunBuilder  *self,
            LabParam        param,
            guint64        *out,
            GError        **error)
{
  const Setting *setting = &self->settings[param];
  const char *name = lab_run_builder_param_name (self, param);
  guint64 min, max;

  param_range (self, param, &min, &max);
  if (setting->text != NULL)
    return lab_parse_uint64 (name, setting->text, min, max, out, error);
  *out = setting->set ? setting->value : params[param].fallback;
  return lab_parse_check_range (name, *out, min, max, error);
}

static gboolean
check_applies (LabRunBuilder  *self,
               LabParam        param,
               GError        **error)
{
  g_autofree char *spec = NULL;
  const char *name = lab_run_builder_param_name (self, param);
  gboolean download = self->workload->kind == LAB_WORKLOAD_DOWNLOAD;
  gboolean pipeline = self->workload->kind == LAB_WORKLOAD_PIPELINE;

  if (!self->settings[param].set)
    return TRUE;
  spec = lab_workload_to_spec (self->workload);

  switch (params[param].applies)
    {
    case APPLIES_SIZED:
      if (!download)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s does not apply to the workload %s: each task fetches one URL"), name, spec);
      return FALSE;

    case APPLIES_URLS:
      if (download)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   pipeline ? _("%s does not apply to the workload %s: its documents come from the embedded server")
                            : _("%s applies only to the workload io:download, not to %s"),
                   name, spec);
      return FALSE;

    case APPLIES_SERVER:
      if (download && self->urls->len > 0)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("%s applies only to downloads from the embedded server, not to URLs you give"),
                       name);
          return FALSE;
        }
      G_GNUC_FALLTHROUGH;
    case APPLIES_DOWNLOAD:
      if (download || pipeline)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s applies only to the workloads io:download and pipeline, not to %s"), name, spec);
      return FALSE;

    case APPLIES_PIPELINE:
      if (pipeline)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s applies only to the workload pipeline, not to %s"), name, spec);
      return FALSE;

    case APPLIES_FILES:
      if (self->workload->kind == LAB_WORKLOAD_FILES)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s applies only to the workload io:files, not to %s"), name, spec);
      return FALSE;

    case APPLIES_ALWAYS:
    default:
      return TRUE;
    }
}

static GArray *
build_modes (LabRunBuilder  *self,
             GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_MODES);
  const char *text = self->settings[LAB_PARAM_MODES].text;
  g_autoptr(GArray) modes = NULL;

  if (self->modes != NULL)
    modes = g_array_ref (self->modes);
  else if (text == NULL && self->workload->kind == LAB_WORKLOAD_PIPELINE)
    modes = array_from (pipeline_modes, G_N_ELEMENTS (pipeline_modes), sizeof (LabMode));
  else if (text == NULL)
    modes = array_from (default_modes, G_N_ELEMENTS (default_modes), sizeof (LabMode));
  else
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);

      modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
      for (guint i = 0; text[0] != '\0' && parts[i] != NULL; i++)
        {
          LabMode mode;

          if (!lab_mode_from_string (g_strstrip (parts[i]), &mode))
            {
              g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("%s: unknown mode “%s”; accepted: sequential, threads, processes, spawn, gil, async (io:sleep and io:download), gtask (io:sleep, io:download and io:files) and hybrid (pipeline)"),
                           name, parts[i]);
              return NULL;
            }
          g_array_append_val (modes, mode);
        }
    }

  if (modes->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: choose at least one mode"), name);
      return NULL;
    }
  for (guint i = 0; i < modes->len; i++)
    {
      LabMode mode = g_array_index (modes, LabMode, i);

      if (!lab_run_builder_accepts_mode (self, mode))
        {
          g_autofree char *spec = lab_workload_to_spec (self->workload);

          if (self->workload->kind == LAB_WORKLOAD_PIPELINE)
            g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                         _("%s: the mode “%s” cannot run the workload “pipeline”, whose shapes are "
                           "sequential, threads, gil, processes and hybrid"),
                         name, lab_mode_to_string (mode));
          else if (mode == LAB_MODE_HYBRID)
            g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                         _("%s: the mode “hybrid” (download threads, analysis processes, a storing "
                           "thread) is the shape of the workload “pipeline” only, not of “%s”"),
                         name, spec);
          else if (mode == LAB_MODE_GTASK)
            g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                         _("%s: the mode “gtask” cannot run the workload “%s”: GLib’s default pool is "
                           "meant for waiting, so it runs only io:sleep, io:download and io:files"),
                         name, spec);
          else if (mode == LAB_MODE_ASYNC && self->workload->kind == LAB_WORKLOAD_FILES)
            g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                         _("%s: the mode “async” cannot run the workload “%s”: its one thread would stop "
                           "at every read and write of a file; use threads, gil, processes, spawn or gtask"),
                         name, spec);
          else
            g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                         _("%s: the mode “%s” cannot run the workload “%s”"),
                         name, lab_mode_to_string (mode), spec);
          return NULL;
        }
    }
  return g_steal_pointer (&modes);
}

static GArray *
build_workers (LabRunBuilder  *self,
               GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_WORKERS);
  const char *text = self->settings[LAB_PARAM_WORKERS].text;
  guint64 max = params[LAB_PARAM_WORKERS].max;
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (guint));

  if (self->workers != NULL)
    g_array_append_vals (workers, self->workers->data, self->workers->len);
  else if (text == NULL)
    {
      guint defaults[] = { 1, lab_machine_n_cpus () };

      g_array_append_vals (workers, defaults, defaults[1] > 1 ? 2 : 1);
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);

      for (guint i = 0; text[0] != '\0' && parts[i] != NULL; i++)
        {
          guint64 w;
          guint value;

          if (!lab_parse_uint64 (name, g_strstrip (parts[i]), 1, max, &w, error))
            return NULL;
          value = w;
          g_array_append_val (workers, value);
        }
    }

  if (workers->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: give at least one number of workers"), name);
      return NULL;
    }
  for (guint i = 0; i < workers->len; i++)
    if (!lab_parse_check_range (name, g_array_index (workers, guint, i), 1, max, error))
      return NULL;
  return g_steal_pointer (&workers);
}

/* A URL as an error message shows it: its first characters, control
 * characters as U+FFFD. */
static char *
shown_url (const char *url)
{
  g_autofree char *valid = g_utf8_make_valid (url, -1);
  GString *shown = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0' && n < 60; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (shown, g_unichar_iscntrl (c) ? 0xfffd : c);
    }
  if (n == 60)
    g_string_append (shown, "…");
  return g_string_free (shown, FALSE);
}

/* Whether a URL can be one task's: it travels to a worker process in one
 * line of text (lab-protocol.h), as it must reach every mode the same. */
static gboolean
check_url_text (const char  *name,
                const char  *url,
                GError     **error)
{
  g_autofree char *shown = NULL;

  for (const char *p = url; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        shown = shown_url (url);
        g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                     _("%s: the URL “%s” holds a control character; a URL is one line of text"),
                     name, shown);
        return FALSE;
      }
  if (strlen (url) > LAB_MAX_URL_LENGTH)
    {
      g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, strlen (url));
      g_autofree char *max = g_strdup_printf ("%d", LAB_MAX_URL_LENGTH);

      shown = shown_url (url);
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: the URL “%s” is %s bytes long; at most %s are accepted"),
                   name, shown, length, max);
      return FALSE;
    }
  return TRUE;
}

/* The URLs of a download run: those given, or --tasks requests to the
 * embedded server. */
static char **
build_urls (LabRunBuilder  *self,
            LabRunConfig   *config,
            guint           tasks,
            GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_URLS);
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  guint64 delay_ms, bytes;

  if (self->urls->len > LAB_MAX_TASKS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: too many URLs (%u); at most %u"), name, self->urls->len, LAB_MAX_TASKS);
      return NULL;
    }
  if (self->urls->len > 0)
    {
      for (guint i = 0; i < self->urls->len; i++)
        {
          if (!check_url_text (name, g_ptr_array_index (self->urls, i), error))
            return NULL;
          g_strv_builder_add (urls, g_ptr_array_index (self->urls, i));
        }
      return g_strv_builder_end (urls);
    }
  if (self->settings[LAB_PARAM_URLS].set)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: the list of URLs is empty; give at least one, or none at all for the embedded server"),
                   name);
      return NULL;
    }
  if (self->server_url == NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("No URLs were given and the built-in server is not running: give some URLs"));
      return NULL;
    }
  if (!get_number (self, LAB_PARAM_DELAY_MS, &delay_ms, error) ||
      !get_number (self, LAB_PARAM_BYTES, &bytes, error))
    return NULL;
  config->server = TRUE;
  config->server_delay_ms = delay_ms;
  config->server_bytes = bytes;

  for (guint i = 0; i < tasks; i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/delay/%" G_GUINT64_FORMAT "?bytes=%" G_GUINT64_FORMAT,
                                              self->server_url, delay_ms, bytes);

      g_strv_builder_add (urls, url);
    }
  return g_strv_builder_end (urls);
}

/* io:files: whether each file is synced, and the page cache it is read
 * from, as a word ("cold") or a number (a LabFilesCache). */
static gboolean
get_files_options (LabRunBuilder  *self,
                   LabWorkload    *workload,
                   GError        **error)
{
  const char *cache = self->settings[LAB_PARAM_CACHE].text;
  guint64 value;

  if (!get_number (self, LAB_PARAM_FSYNC, &value, error))
    return FALSE;
  workload->fsync = value != 0;
  if (cache == NULL)
    {
      if (!get_number (self, LAB_PARAM_CACHE, &value, error))
        return FALSE;
      workload->cache = value;
    }
  else if (!lab_files_cache_from_string (cache, &workload->cache))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("%s: “%s” is neither warm nor cold"),
                   lab_run_builder_param_name (self, LAB_PARAM_CACHE), cache);
      return FALSE;
    }
  return TRUE;
}

/* The pipeline's documents: one URL each on the embedded server's /text,
 * which answers after the delay asked for. */
static char **
build_document_urls (LabRunBuilder  *self,
                     LabRunConfig   *config,
                     const LabWorkload *workload,
                     GError        **error)
{
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  guint64 delay_ms, bytes;

  if (self->server_url == NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("The pipeline downloads its documents from the built-in server, which is not running"));
      return NULL;
    }
  if (!get_number (self, LAB_PARAM_DELAY_MS, &delay_ms, error) ||
      !get_number (self, LAB_PARAM_BYTES, &bytes, error))
    return NULL;
  if (bytes > workload->max_bytes)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
      g_autofree char *cap = g_strdup_printf ("%" G_GUINT64_FORMAT, workload->max_bytes);

      /* Translators: "--bytes: documents of 100000 bytes are over the cap of --max-bytes (65536): …" */
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("%s: documents of %s bytes are over the cap of %s (%s): raise it or ask for smaller documents"),
                   lab_run_builder_param_name (self, LAB_PARAM_BYTES), size,
                   lab_run_builder_param_name (self, LAB_PARAM_MAX_BYTES), cap);
      return NULL;
    }
  config->server = TRUE;
  config->server_delay_ms = delay_ms;
  config->server_bytes = bytes;
  for (guint i = 0; i < workload->tasks; i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/text/%" G_GUINT64_FORMAT "?doc=%u&delay=%" G_GUINT64_FORMAT,
                                              self->server_url, bytes, i, delay_ms);

      g_strv_builder_add (urls, url);
    }
  return g_strv_builder_end (urls);
}

/* The workload's own parameters: size, tasks, for downloads and the
 * pipeline the URLs, the request time-out and the body cap (and in @config
 * what the embedded server is asked for), for files their options. */
static LabWorkload *
build_workload (LabRunBuilder  *self,
                LabRunConfig   *config,
                GError        **error)
{
  g_autoptr(LabWorkload) workload = lab_workload_copy (self->workload);
  guint64 tasks;

  for (guint p = 0; p < LAB_N_PARAMS; p++)
    if (!check_applies (self, p, error))
      return NULL;

  if (self->settings[LAB_PARAM_SIZE].set &&
      !get_number (self, LAB_PARAM_SIZE, &workload->size, error))
    return NULL;

  /* Given URLs are one task each unless --tasks says otherwise; then the
   * tasks take them in turn. */
  if (!self->settings[LAB_PARAM_TASKS].set && self->urls->len > 0 && self->urls->len <= LAB_MAX_TASKS)
    tasks = self->urls->len;
  else if (!get_number (self, LAB_PARAM_TASKS, &tasks, error))
    return NULL;
  workload->tasks = tasks;

  if (workload->kind == LAB_WORKLOAD_FILES && !get_files_options (self, workload, error))
    return NULL;
  if (workload->kind == LAB_WORKLOAD_DOWNLOAD || workload->kind == LAB_WORKLOAD_PIPELINE)
    {
      guint64 timeout_s;

      if (!get_number (self, LAB_PARAM_TIMEOUT_S, &timeout_s, error) ||
          !get_number (self, LAB_PARAM_MAX_BYTES, &workload->max_bytes, error))
        return NULL;
      workload->timeout_s = timeout_s;
      if (workload->kind == LAB_WORKLOAD_DOWNLOAD)
        workload->urls = build_urls (self, config, workload->tasks, error);
      else
        workload->urls = build_document_urls (self, config, workload, error);
      if (workload->urls == NULL)
        return NULL;
    }
  if (workload->kind == LAB_WORKLOAD_PIPELINE && self->settings[LAB_PARAM_STORE_DIR].text != NULL)
    {
      if (self->settings[LAB_PARAM_STORE_DIR].text[0] == '\0')
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("%s: give a folder"),
                       lab_run_builder_param_name (self, LAB_PARAM_STORE_DIR));
          return NULL;
        }
      config->store_dir = g_strdup (self->settings[LAB_PARAM_STORE_DIR].text);
    }
  return g_steal_pointer (&workload);
}

/* The runtimes asked for, as given or from their text ("native,cpython"). */
static GArray *
parse_runtimes (LabRunBuilder  *self,
                GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_RUNTIME);
  const char *text = self->settings[LAB_PARAM_RUNTIME].text;
  g_autoptr(GArray) runtimes = g_array_new (FALSE, FALSE, sizeof (LabRuntime));
  g_auto(GStrv) parts = NULL;

  if (self->runtimes != NULL)
    return g_array_ref (self->runtimes);
  if (text == NULL)
    {
      LabRuntime native = LAB_RUNTIME_NATIVE;

      g_array_append_val (runtimes, native);
      return g_steal_pointer (&runtimes);
    }

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; text[0] != '\0' && parts[i] != NULL; i++)
    {
      LabRuntime runtime;

      if (!lab_runtime_from_string (g_strstrip (parts[i]), &runtime))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("%s: unknown runtime “%s”; accepted: native, cpython, cpython-nogil"), name, parts[i]);
          return NULL;
        }
      g_array_append_val (runtimes, runtime);
    }
  return g_steal_pointer (&runtimes);
}

/* Each runtime once, with its interpreter found and checked. */
static gboolean
build_runtimes (LabRunBuilder  *self,
                LabRunConfig   *config,
                GError        **error)
{
  const char *name = lab_run_builder_param_name (self, LAB_PARAM_RUNTIME);
  g_autoptr(GArray) runtimes = parse_runtimes (self, error);
  gboolean seen[LAB_N_RUNTIMES] = { FALSE };

  if (runtimes == NULL)
    return FALSE;
  config->runtimes = g_array_new (FALSE, FALSE, sizeof (LabRuntime));
  for (guint i = 0; i < runtimes->len; i++)
    {
      LabRuntime runtime = g_array_index (runtimes, LabRuntime, i);
      g_autoptr(GError) local_error = NULL;
      const LabInterpreter *interpreter;

      if (seen[runtime])
        continue;
      seen[runtime] = TRUE;
      /* Before looking for an interpreter: the pipeline is the native engine's. */
      if (self->workload->kind == LAB_WORKLOAD_PIPELINE && runtime != LAB_RUNTIME_NATIVE)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("%s: the workload “pipeline” runs on the native runtime only, not on %s; "
                         "its gil mode shows what an interpreter lock does to it"),
                       name, lab_runtime_to_string (runtime));
          return FALSE;
        }
      g_array_append_val (config->runtimes, runtime);
      if (runtime == LAB_RUNTIME_NATIVE)
        continue;
      if (self->workload->kind == LAB_WORKLOAD_FILES)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("%s: %s does not run io:files (the Python kernels have no file tasks); use native"),
                       name, lab_runtime_to_string (runtime));
          return FALSE;
        }
      interpreter = lab_interpreter_find (runtime, &local_error);
      if (interpreter == NULL)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("%s: %s is not available. %s"),
                       name, lab_runtime_to_string (runtime), local_error->message);
          return FALSE;
        }
      config->interpreters[runtime] = lab_interpreter_copy (interpreter);
    }
  if (config->runtimes->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("%s: choose at least one runtime"), name);
      return FALSE;
    }
  return TRUE;
}

/* Every mode must be one that some runtime of the run has. */
static gboolean
check_modes_have_runtime (LabRunBuilder       *self,
                          const LabRunConfig  *config,
                          GError             **error)
{
  for (guint m = 0; m < config->modes->len; m++)
    {
      LabMode mode = g_array_index (config->modes, LabMode, m);
      gboolean has = FALSE;

      for (guint r = 0; r < config->runtimes->len; r++)
        has |= lab_runtime_accepts_mode (g_array_index (config->runtimes, LabRuntime, r), mode);
      if (!has)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("%s: no runtime of this run has the mode “%s” (the emulated GIL and gtask are the native runtime’s)"),
                       lab_run_builder_param_name (self, LAB_PARAM_MODES), lab_mode_to_string (mode));
          return FALSE;
        }
    }
  return TRUE;
}

/*
 * Descriptors one worker of @mode holds in this process: a worker
 * process's pipes; a download's socket, and the embedded server's end of
 * it; the file an io:files task writes. The hybrid pipeline downloads in
 * threads and analyses in processes.
 */
static guint
fds_per_worker (const LabRunConfig *config,
                LabMode             mode)
{
  LabWorkloadKind kind = config->workload->kind;
  gboolean processes = mode == LAB_MODE_PROCESSES || mode == LAB_MODE_SPAWN || mode == LAB_MODE_HYBRID;
  gboolean threads = !processes || mode == LAB_MODE_HYBRID;
  guint n = processes ? LAB_WORKER_SLOT_FDS : 0;

  if (kind == LAB_WORKLOAD_DOWNLOAD || kind == LAB_WORKLOAD_PIPELINE)
    n += (threads ? 1 : 0) + (config->server ? 1 : 0);
  else if (kind == LAB_WORKLOAD_FILES && threads)
    n += 1;
  return n;
}

/* Whether every mode gets the descriptors its most workers need under
 * this process's limit of open files (raised to the hard limit at
 * start-up), so that no task fails with "Too many open files". The
 * embedded server's cap (lab_http_server_connections_for_fd_limit())
 * follows from the same limit and admits as many. */
static gboolean
check_fd_limit (LabRunBuilder       *self,
                const LabRunConfig  *config,
                GError             **error)
{
  guint64 limit = lab_fd_limit_get ();
  guint max_workers = 0;

  for (guint i = 0; i < config->workers->len; i++)
    max_workers = MAX (max_workers, g_array_index (config->workers, guint, i));

  for (guint m = 0; m < config->modes->len; m++)
    {
      LabMode mode = g_array_index (config->modes, LabMode, m);
      guint per_worker = fds_per_worker (config, mode);
      guint workers = mode == LAB_MODE_SEQUENTIAL ? 1 : max_workers;
      guint64 needed = LAB_FD_RESERVE + (guint64) per_worker * workers;
      g_autofree char *needed_text = NULL;
      g_autofree char *limit_text = NULL;
      guint64 fit;

      if (needed <= limit)
        continue;

      fit = limit > LAB_FD_RESERVE ? (limit - LAB_FD_RESERVE) / per_worker : 0;
      needed_text = g_strdup_printf ("%" G_GUINT64_FORMAT, needed);
      limit_text = g_strdup_printf ("%" G_GUINT64_FORMAT, limit);
      /* Translators: "--workers: 512 workers in the mode “threads” need about 1088 open files …" */
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s: %u worker in the mode “%s” needs about %s open files (sockets, pipes), "
                                "more than this process may open (%s): ask for at most %u, or raise the limit "
                                "with “ulimit -n” (up to the hard limit, “ulimit -Hn”) before starting",
                                "%s: %u workers in the mode “%s” need about %s open files (sockets, pipes), "
                                "more than this process may open (%s): ask for at most %u, or raise the limit "
                                "with “ulimit -n” (up to the hard limit, “ulimit -Hn”) before starting",
                                workers),
                   lab_run_builder_param_name (self, LAB_PARAM_WORKERS), workers,
                   lab_mode_to_string (mode), needed_text, limit_text, (guint) MIN (fit, G_MAXUINT));
      return FALSE;
    }
  return TRUE;
}

/**
 * lab_run_builder_build:
 *
 * Checks every parameter against its limits and the workload, and makes
 * the configuration. The builder can be changed and built again.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL with
 *   @error naming the first parameter at fault
 */
LabRunConfig *
lab_run_builder_build (LabRunBuilder  *self,
                       GError        **error)
{
  g_autoptr(LabRunConfig) config = g_new0 (LabRunConfig, 1);
  guint64 repeat, warmup, timeout_s, nice;

  g_return_val_if_fail (self != NULL, NULL);

  config->workload = build_workload (self, config, error);
  if (config->workload == NULL)
    return NULL;
  config->modes = build_modes (self, error);
  if (config->modes == NULL)
    return NULL;
  if (!build_runtimes (self, config, error) || !check_modes_have_runtime (self, config, error))
    return NULL;
  config->workers = build_workers (self, error);
  if (config->workers == NULL || !check_fd_limit (self, config, error))
    return NULL;

  if (!get_number (self, LAB_PARAM_REPEAT, &repeat, error) ||
      !get_number (self, LAB_PARAM_WARMUP, &warmup, error) ||
      !get_number (self, LAB_PARAM_TASK_TIMEOUT_S, &timeout_s, error) ||
      !get_number (self, LAB_PARAM_NICE, &nice, error))
    return NULL;
  config->repeat = repeat;
  config->warmup = warmup;
  config->task_timeout_ms = timeout_s * 1000;
  config->worker_nice = nice;
  config->worker_path = g_strdup (self->worker_path);
  return g_steal_pointer (&config);
}
