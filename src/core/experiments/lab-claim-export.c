/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-claim.h"
#include "lab-csv.h"
#include "lab-json.h"
#include "lab-machine.h"
#include "lab-overhead-export.h"
#include "lab-save.h"

/*
 * The claims' verdicts as CSV (one row per claim) and JSON (the machine,
 * then one object per claim). The header names are part of the product's
 * interface, documented in the README: append, never reorder.
 */

static const char * const columns[] = {
  "id", "verdict", "rule", "values", "runtime", "extrapolation", "reading", "host_cpus", "cpu_model", "kernel",
  "duration_s", NULL
};

/* A number as the files write it: '.' whatever the locale, enough digits
 * to read it back. */
static void
append_number (GString *text,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (text, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

/* The values cell: "name=value unit" with " ±spread" when there is one,
 * separated by "; ". An unmeasured value is "nan". */
static char *
values_cell (const LabClaimResult *result)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < result->values->len; i++)
    {
      const LabClaimValue *value = result->values->pdata[i];

      g_string_append_printf (text, "%s%s=", i > 0 ? "; " : "", value->name);
      append_number (text, value->value);
      if (value->unit != NULL)
        g_string_append_printf (text, " %s", value->unit);
      if (isfinite (value->spread))
        {
          g_string_append (text, " ±");
          append_number (text, value->spread);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static LabCsv *
claims_csv (GPtrArray *results)
{
  g_autofree char *cpu_model = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();
  LabCsv *csv = lab_csv_new ();

  lab_csv_add_header (csv, columns);
  for (guint i = 0; i < results->len; i++)
    {
      const LabClaimResult *result = results->pdata[i];
      const LabClaimInfo *info = lab_claim_info_lookup (result->id);
      g_autofree char *values = values_cell (result);

      lab_csv_add_text (csv, result->id);
      lab_csv_add_text (csv, lab_verdict_to_string (result->verdict));
      lab_csv_add_text (csv, info != NULL ? info->rule : NULL);
      lab_csv_add_text (csv, values);
      lab_csv_add_text (csv, result->runtime);
      lab_csv_add_text (csv, result->extrapolation);
      lab_csv_add_text (csv, result->reading);
      lab_csv_add_uint (csv, lab_machine_n_cpus ());
      lab_csv_add_text (csv, cpu_model);
      lab_csv_add_text (csv, kernel);
      lab_csv_add_double (csv, result->duration_s);
      lab_csv_end_row (csv);
    }
  return csv;
}

/**
 * lab_claims_to_csv:
 * @results: (element-type LabClaimResult): the results
 *
 * Returns: (transfer full): the CSV text
 */
char *
lab_claims_to_csv (GPtrArray *results)
{
  g_autoptr(LabCsv) csv = NULL;

  g_return_val_if_fail (results != NULL, NULL);
  csv = claims_csv (results);
  return g_strdup (lab_csv_get_text (csv));
}

gboolean
lab_claims_write_csv (GPtrArray   *results,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(LabCsv) csv = NULL;

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  csv = claims_csv (results);
  return lab_csv_save (csv, path, error);
}

static void
add_value (JsonBuilder         *builder,
           const LabClaimValue *value)
{
  json_builder_begin_object (builder);
  lab_json_add_string (builder, "name", value->name);
  lab_json_add_string (builder, "label", value->label);
  lab_json_add_double (builder, "value", value->value);
  lab_json_add_double (builder, "spread", value->spread);
  lab_json_add_string (builder, "unit", value->unit);
  lab_json_add_string (builder, "runtime", value->runtime);
  json_builder_end_object (builder);
}

static void
add_result (JsonBuilder          *builder,
            const LabClaimResult *result)
{
  const LabClaimInfo *info = lab_claim_info_lookup (result->id);

  json_builder_begin_object (builder);
  lab_json_add_string (builder, "id", result->id);
  lab_json_add_string (builder, "verdict", lab_verdict_to_string (result->verdict));
  lab_json_add_string (builder, "claim", info != NULL ? info->wording : NULL);
  lab_json_add_string (builder, "sources", info != NULL ? info->sources : NULL);
  lab_json_add_string (builder, "rule", info != NULL ? info->rule : NULL);
  json_builder_set_member_name (builder, "values");
  json_builder_begin_array (builder);
  for (guint i = 0; i < result->values->len; i++)
    add_value (builder, result->values->pdata[i]);
  json_builder_end_array (builder);
  lab_json_add_string (builder, "runtime", result->runtime);
  lab_json_add_string (builder, "extrapolation", result->extrapolation);
  lab_json_add_string (builder, "reading", result->reading);
  lab_json_add_double (builder, "duration_s", result->duration_s);
  json_builder_end_object (builder);
}

/**
 * lab_claims_to_json:
 * @results: (element-type LabClaimResult): the results
 *
 * Returns: (transfer full): the JSON document
 */
char *
lab_claims_to_json (GPtrArray *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (results != NULL, NULL);

  json_builder_begin_object (builder);
  lab_experiments_json_add_machine (builder);
  json_builder_set_member_name (builder, "claims");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    add_result (builder, results->pdata[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return lab_json_to_string (builder, TRUE);
}

gboolean
lab_claims_write_json (GPtrArray   *results,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  text = lab_claims_to_json (results);
  return lab_save_file (path, text, strlen (text), error);
}
