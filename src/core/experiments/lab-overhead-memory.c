/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-overhead-private.h"

/* PLACEHOLDER: replaced by the experiment's implementation. */

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, "not implemented yet");
  return FALSE;
}

static GPtrArray *
tables (GPtrArray *points)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  return NULL;
}

const LabOverheadExperiment lab_overhead_memory_experiment = {
  .kind = LAB_OVERHEAD_MEMORY,
  .name = "memory",
  .title = N_("Memory"),
  .description = N_("Memory"),
  .run = run,
  .tables = tables,
  .reading = reading,
};
