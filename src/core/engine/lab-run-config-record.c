/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-json.h"
#include "lab-run-recorder.h"

/*
 * A LabRunConfig as a record: every field, so that a recorded run can be
 * rebuilt as it was (its interpreters as they were found then, the URLs
 * the embedded server had then), and read back with the builder's limits
 * checked again, as a record may come from anywhere.
 */

#define MAX_REPEAT 1000
#define MAX_WARMUP 100

static void
add_interpreter (JsonBuilder          *builder,
                 const LabInterpreter *interpreter)
{
  json_builder_set_member_name (builder, lab_runtime_to_string (interpreter->runtime));
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "path", interpreter->path);
  lab_json_add_string (builder, "version", interpreter->version);
  lab_json_add_string (builder, "kernels", interpreter->kernels);
  lab_json_add_bool (builder, "gil_enabled", interpreter->gil_enabled);
  lab_json_add_bool (builder, "force_gil", interpreter->force_gil);
  json_builder_end_object (builder);
}

/**
 * lab_run_config_to_record:
 *
 * Returns: (transfer full): @config as one line of JSON, for
 *   lab_run_config_new_from_record()
 */
char *
lab_run_config_to_record (const LabRunConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const LabWorkload *workload;
  g_autofree char *spec = NULL;

  g_return_val_if_fail (config != NULL && config->workload != NULL, NULL);

  workload = config->workload;
  spec = lab_workload_to_spec (workload);
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "workload", spec);
  lab_json_add_int (builder, "size", workload->size);
  lab_json_add_int (builder, "tasks", workload->tasks);
  json_builder_set_member_name (builder, "urls");
  json_builder_begin_array (builder);
  for (guint i = 0; workload->urls != NULL && workload->urls[i] != NULL; i++)
    json_builder_add_string_value (builder, workload->urls[i]);
  json_builder_end_array (builder);
  lab_json_add_int (builder, "timeout_s", workload->timeout_s);
  lab_json_add_int (builder, "max_bytes", workload->max_bytes);
  lab_json_add_bool (builder, "fsync", workload->fsync);
  lab_json_add_string (builder, "cache", lab_files_cache_to_string (workload->cache));

  json_builder_set_member_name (builder, "runtimes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < config->runtimes->len; i++)
    json_builder_add_string_value (builder, lab_runtime_to_string (g_array_index (config->runtimes, LabRuntime, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "interpreters");
  json_builder_begin_object (builder);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    if (config->interpreters[i] != NULL)
      add_interpreter (builder, config->interpreters[i]);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "modes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < config->modes->len; i++)
    json_builder_add_string_value (builder, lab_mode_to_string (g_array_index (config->modes, LabMode, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "workers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < config->workers->len; i++)
    json_builder_add_int_value (builder, g_array_index (config->workers, guint, i));
  json_builder_end_array (builder);

  lab_json_add_int (builder, "repeat", config->repeat);
  lab_json_add_int (builder, "warmup", config->warmup);
  lab_json_add_int (builder, "task_timeout_ms", config->task_timeout_ms);
  lab_json_add_string (builder, "worker_path", config->worker_path);
  lab_json_add_int (builder, "worker_nice", config->worker_nice);
  lab_json_add_bool (builder, "server", config->server);
  lab_json_add_int (builder, "server_delay_ms", config->server_delay_ms);
  lab_json_add_int (builder, "server_bytes", config->server_bytes);
  lab_json_add_string (builder, "store_dir", config->store_dir);
  json_builder_end_object (builder);

  return lab_json_to_string (builder, FALSE);
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
               _("The recorded parameters are damaged (%s)"), what);
  return FALSE;
}

/* A number member within [min, max]; a missing one is @min. */
static gboolean
get_number (JsonObject  *object,
            const char  *name,
            gint64       min,
            gint64       max,
            guint64     *value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 number;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    number = min;
  else if (json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, name);
  else
    number = json_node_get_int (node);
  if (number < min || number > max)
    return invalid (error, name);
  *value = (guint64) number;
  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
read_workload (JsonObject    *object,
               LabRunConfig  *config,
               GError       **error)
{
  const char *spec = get_string (object, "workload");
  const char *cache = get_string (object, "cache");
  JsonArray *urls = get_array (object, "urls");
  LabWorkload *workload;
  guint64 tasks, timeout_s;

  if (spec == NULL)
    return invalid (error, "workload");
  workload = config->workload = lab_workload_new_from_spec (spec, error);
  if (workload == NULL)
    return FALSE;
  if (!get_number (object, "size", 0, G_MAXINT64, &workload->size, error) ||
      !get_number (object, "tasks", 1, LAB_MAX_TASKS, &tasks, error) ||
      !get_number (object, "timeout_s", 0, G_MAXUINT, &timeout_s, error) ||
      !get_number (object, "max_bytes", 0, G_MAXINT64, &workload->max_bytes, error))
    return FALSE;
  workload->tasks = tasks;
  workload->timeout_s = timeout_s;
  workload->fsync = json_object_get_boolean_member_with_default (object, "fsync", FALSE);
  if (cache != NULL && !lab_files_cache_from_string (cache, &workload->cache))
    return invalid (error, "cache");
  if (urls != NULL && json_array_get_length (urls) > 0)
    {
      guint n = json_array_get_length (urls);

      workload->urls = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *node = json_array_get_element (urls, i);

          if (json_node_get_value_type (node) != G_TYPE_STRING)
            return invalid (error, "urls");
          workload->urls[i] = g_strdup (json_node_get_string (node));
        }
    }
  return TRUE;
}

static gboolean
read_interpreters (JsonObject    *object,
                   LabRunConfig  *config,
                   GError       **error)
{
  JsonNode *node = json_object_get_member (object, "interpreters");
  JsonObject *interpreters;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "interpreters");
  interpreters = json_node_get_object (node);
  for (guint r = 0; r < config->runtimes->len; r++)
    {
      LabRuntime runtime = g_array_index (config->runtimes, LabRuntime, r);
      JsonNode *member = json_object_get_member (interpreters, lab_runtime_to_string (runtime));
      JsonObject *found;
      LabInterpreter *interpreter;

      if (member == NULL)
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (member))
        return invalid (error, "interpreters");
      found = json_node_get_object (member);
      if (get_string (found, "path") == NULL || get_string (found, "version") == NULL)
        return invalid (error, "interpreters");
      interpreter = config->interpreters[runtime] = g_new0 (LabInterpreter, 1);
      interpreter->runtime = runtime;
      interpreter->path = g_strdup (get_string (found, "path"));
      interpreter->version = g_strdup (get_string (found, "version"));
      interpreter->kernels = g_strdup (get_string (found, "kernels"));
      interpreter->gil_enabled = json_object_get_boolean_member_with_default (found, "gil_enabled", TRUE);
      interpreter->force_gil = json_object_get_boolean_member_with_default (found, "force_gil", FALSE);
    }
  return TRUE;
}

static gboolean
read_lists (JsonObject    *object,
            LabRunConfig  *config,
            GError       **error)
{
  JsonArray *runtimes = get_array (object, "runtimes");
  JsonArray *modes = get_array (object, "modes");
  JsonArray *workers = get_array (object, "workers");

  if (runtimes == NULL || json_array_get_length (runtimes) == 0)
    return invalid (error, "runtimes");
  if (modes == NULL || json_array_get_length (modes) == 0)
    return invalid (error, "modes");
  if (workers == NULL || json_array_get_length (workers) == 0)
    return invalid (error, "workers");

  for (guint i = 0; i < json_array_get_length (runtimes); i++)
    {
      JsonNode *node = json_array_get_element (runtimes, i);
      LabRuntime runtime;

      if (json_node_get_value_type (node) != G_TYPE_STRING ||
          !lab_runtime_from_string (json_node_get_string (node), &runtime))
        return invalid (error, "runtimes");
      g_array_append_val (config->runtimes, runtime);
    }
  for (guint i = 0; i < json_array_get_length (modes); i++)
    {
      JsonNode *node = json_array_get_element (modes, i);
      LabMode mode;

      if (json_node_get_value_type (node) != G_TYPE_STRING ||
          !lab_mode_from_string (json_node_get_string (node), &mode))
        return invalid (error, "modes");
      g_array_append_val (config->modes, mode);
    }
  for (guint i = 0; i < json_array_get_length (workers); i++)
    {
      JsonNode *node = json_array_get_element (workers, i);
      gint64 count;
      guint value;

      if (json_node_get_value_type (node) != G_TYPE_INT64)
        return invalid (error, "workers");
      count = json_node_get_int (node);
      if (count < 1 || count > LAB_MAX_WORKERS)
        return invalid (error, "workers");
      value = count;
      g_array_append_val (config->workers, value);
    }
  return TRUE;
}

static gboolean
read_run (JsonObject    *object,
          LabRunConfig  *config,
          GError       **error)
{
  guint64 repeat, warmup, task_timeout_ms, nice, server_delay_ms;

  if (!get_number (object, "repeat", 1, MAX_REPEAT, &repeat, error) ||
      !get_number (object, "warmup", 0, MAX_WARMUP, &warmup, error) ||
      !get_number (object, "task_timeout_ms", 0, G_MAXUINT, &task_timeout_ms, error) ||
      !get_number (object, "worker_nice", 0, 19, &nice, error) ||
      !get_number (object, "server_delay_ms", 0, G_MAXUINT, &server_delay_ms, error) ||
      !get_number (object, "server_bytes", 0, G_MAXINT64, &config->server_bytes, error))
    return FALSE;
  config->repeat = repeat;
  config->warmup = warmup;
  config->task_timeout_ms = task_timeout_ms;
  config->worker_nice = nice;
  config->server_delay_ms = server_delay_ms;
  config->server = json_object_get_boolean_member_with_default (object, "server", FALSE);
  config->worker_path = g_strdup (get_string (object, "worker_path"));
  config->store_dir = g_strdup (get_string (object, "store_dir"));
  return TRUE;
}

/**
 * lab_run_config_new_from_record:
 * @record: what lab_run_config_to_record() wrote
 *
 * Reads a recorded configuration back, checking it as the builder would
 * have (kinds, names and limits), so that a damaged record gives an error
 * rather than a run that cannot be shown.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL with
 *   @error set (LAB_ERROR_INVALID_ARGUMENT)
 */
LabRunConfig *
lab_run_config_new_from_record (const char  *record,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LabRunConfig) config = NULL;
  JsonObject *object;

  g_return_val_if_fail (record != NULL, NULL);

  if (!json_parser_load_from_data (parser, record, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      invalid (error, "not JSON");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));

  config = g_new0 (LabRunConfig, 1);
  config->runtimes = g_array_new (FALSE, FALSE, sizeof (LabRuntime));
  config->modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
  config->workers = g_array_new (FALSE, FALSE, sizeof (guint));
  if (!read_workload (object, config, error) ||
      !read_lists (object, config, error) ||
      !read_interpreters (object, config, error) ||
      !read_run (object, config, error))
    return NULL;
  return g_steal_pointer (&config);
}
