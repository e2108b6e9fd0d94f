/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lab-cli.h"
#include "lab-interpreter.h"
#include "lab-machine.h"
#include "lab-run-config.h"

int
lab_cli_info (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cpu = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();
  g_autofree char *worker = lab_worker_path_default ();
  g_autofree char *glib = g_strdup_printf ("%u.%u.%u", glib_major_version, glib_minor_version, glib_micro_version);
  g_autofree char *soup = g_strdup_printf ("%u.%u.%u", soup_get_major_version (), soup_get_minor_version (),
                                           soup_get_micro_version ());
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Prints facts about this machine that matter for the measurements."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[1]);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cpu_model");
      json_builder_add_string_value (builder, cpu);
      json_builder_set_member_name (builder, "logical_cpus");
      json_builder_add_int_value (builder, lab_machine_n_cpus ());
      json_builder_set_member_name (builder, "kernel");
      json_builder_add_string_value (builder, kernel);
      json_builder_set_member_name (builder, "glib_version");
      json_builder_add_string_value (builder, glib);
      json_builder_set_member_name (builder, "libsoup_version");
      json_builder_add_string_value (builder, soup);
      json_builder_set_member_name (builder, "app_version");
      json_builder_add_string_value (builder, PACKAGE_VERSION);
      json_builder_set_member_name (builder, "worker");
      json_builder_add_string_value (builder, worker);
      json_builder_set_member_name (builder, "runtimes");
      json_builder_begin_array (builder);
      for (LabRuntime r = 0; r < LAB_N_RUNTIMES; r++)
        {
          g_autoptr(GError) missing = NULL;
          const LabInterpreter *interpreter = r != LAB_RUNTIME_NATIVE ? lab_interpreter_find (r, &missing) : NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "runtime");
          json_builder_add_string_value (builder, lab_runtime_to_string (r));
          json_builder_set_member_name (builder, "available");
          json_builder_add_boolean_value (builder, missing == NULL);
          json_builder_set_member_name (builder, missing == NULL ? "version" : "reason");
          json_builder_add_string_value (builder, missing != NULL ? missing->message
                                                  : interpreter != NULL ? interpreter->version
                                                  : lab_native_version ());
          if (interpreter != NULL)
            {
              json_builder_set_member_name (builder, "path");
              json_builder_add_string_value (builder, interpreter->path);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
      return LAB_CLI_EXIT_OK;
    }

  g_print ("%-16s %s\n", _("CPU model"), cpu);
  g_print ("%-16s %u\n", _("Logical CPUs"), lab_machine_n_cpus ());
  g_print ("%-16s %s\n", _("Kernel"), kernel);
  g_print ("%-16s %s\n", _("GLib"), glib);
  g_print ("%-16s %s\n", _("libsoup"), soup);
  g_print ("%-16s %s\n", _("Concurrency Lab"), PACKAGE_VERSION);
  g_print ("%-16s %s\n", _("Worker"), worker);
  for (LabRuntime r = 0; r < LAB_N_RUNTIMES; r++)
    {
      g_autoptr(GError) missing = NULL;
      const LabInterpreter *interpreter = r != LAB_RUNTIME_NATIVE ? lab_interpreter_find (r, &missing) : NULL;
      g_autofree char *what = NULL;

      if (r == LAB_RUNTIME_NATIVE)
        what = g_strdup (lab_native_version ());
      else if (interpreter != NULL)
        what = g_strdup_printf (_("Python %s (%s)"), interpreter->version, interpreter->path);
      else
        /* Translators: a runtime that cannot be used, and why */
        what = g_strdup_printf (_("not available: %s"), missing->message);
      /* Translators: "Runtime cpython  Python 3.11.2 (/usr/bin/python3)" */
      g_print ("%-16s %s\n", lab_runtime_to_string (r), what);
    }
  return LAB_CLI_EXIT_OK;
}
