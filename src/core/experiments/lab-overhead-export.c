/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-json.h"
#include "lab-machine.h"
#include "lab-overhead-export.h"

const char * const lab_overhead_columns[] = {
  "experiment", "variant", "metric", "parameter", "parameter_value", "value", "unit", "repeat",
  "host_cpus", "cpu_model", "kernel", NULL
};

static const char *
state_to_string (LabOverheadState state)
{
  static const char *names[] = {
    [LAB_OVERHEAD_IDLE] = "not-run",
    [LAB_OVERHEAD_RUNNING] = "running",
    [LAB_OVERHEAD_DONE] = "done",
    [LAB_OVERHEAD_CANCELLED] = "stopped",
    [LAB_OVERHEAD_FAILED] = "failed",
  };

  return names[state];
}

LabCsv *
lab_overhead_export_csv (GPtrArray *overheads)
{
  g_autofree char *cpu_model = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();
  LabCsv *csv = lab_csv_new ();

  lab_csv_add_header (csv, lab_overhead_columns);
  for (guint o = 0; o < overheads->len; o++)
    {
      GPtrArray *points = lab_overhead_get_points (overheads->pdata[o]);

      for (guint i = 0; i < points->len; i++)
        {
          const LabOverheadPoint *point = points->pdata[i];

          lab_csv_add_text (csv, lab_overhead_kind_to_string (point->kind));
          lab_csv_add_text (csv, point->variant);
          lab_csv_add_text (csv, point->metric);
          lab_csv_add_text (csv, point->parameter);
          lab_csv_add_double (csv, point->parameter_value);
          lab_csv_add_double (csv, point->value);
          lab_csv_add_text (csv, point->unit);
          lab_csv_add_uint (csv, point->repeat);
          lab_csv_add_uint (csv, lab_machine_n_cpus ());
          lab_csv_add_text (csv, cpu_model);
          lab_csv_add_text (csv, kernel);
          lab_csv_end_row (csv);
        }
    }
  return csv;
}

gboolean
lab_overhead_export (GPtrArray   *overheads,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(LabCsv) csv = lab_overhead_export_csv (overheads);

  return lab_csv_save (csv, path, error);
}

void
lab_experiments_json_add_machine (JsonBuilder *builder)
{
  g_autofree char *cpu_model = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();

  lab_json_add_string (builder, "app_version", PACKAGE_VERSION);
  lab_json_add_int (builder, "host_cpus", lab_machine_n_cpus ());
  lab_json_add_string (builder, "cpu_model", cpu_model);
  lab_json_add_string (builder, "kernel", kernel);
}

char *
lab_overhead_export_json (GPtrArray *overheads)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  lab_experiments_json_add_machine (builder);
  json_builder_set_member_name (builder, "experiments");
  json_builder_begin_array (builder);
  for (guint o = 0; o < overheads->len; o++)
    {
      LabOverhead *overhead = overheads->pdata[o];
      GPtrArray *points = lab_overhead_get_points (overhead);
      const GError *failure = lab_overhead_get_error (overhead);
      g_autofree char *reading = lab_overhead_dup_reading (overhead);

      json_builder_begin_object (builder);
      lab_json_add_string (builder, "experiment", lab_overhead_kind_to_string (lab_overhead_get_kind (overhead)));
      lab_json_add_string (builder, "state", state_to_string (lab_overhead_get_state (overhead)));
      lab_json_add_string (builder, "reading", reading);
      lab_json_add_string (builder, "error", failure != NULL ? failure->message : NULL);
      json_builder_set_member_name (builder, "points");
      json_builder_begin_array (builder);
      for (guint i = 0; i < points->len; i++)
        {
          const LabOverheadPoint *point = points->pdata[i];

          json_builder_begin_object (builder);
          lab_json_add_string (builder, "variant", point->variant);
          lab_json_add_string (builder, "metric", point->metric);
          lab_json_add_string (builder, "parameter", point->parameter);
          lab_json_add_double (builder, "parameter_value", point->parameter_value);
          lab_json_add_double (builder, "value", point->value);
          lab_json_add_string (builder, "unit", point->unit);
          lab_json_add_int (builder, "repeat", point->repeat);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return lab_json_to_string (builder, TRUE);
}
