/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-overhead.h"

/*
 * The figures behind a verdict and the result of a check: their
 * constructors, the boxed type, and how a figure reads.
 */

LabClaimValue *
lab_claim_value_new (const char *name,
                     const char *label,
                     double      value,
                     double      spread,
                     const char *unit,
                     const char *runtime)
{
  LabClaimValue *self = g_new0 (LabClaimValue, 1);

  self->name = g_strdup (name);
  self->label = g_strdup (label);
  self->value = value;
  self->spread = spread;
  self->unit = g_strdup (unit);
  self->runtime = g_strdup (runtime);
  return self;
}

LabClaimValue *
lab_claim_value_copy (const LabClaimValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);
  return lab_claim_value_new (value->name, value->label, value->value, value->spread, value->unit,
                              value->runtime);
}

void
lab_claim_value_free (LabClaimValue *value)
{
  if (value == NULL)
    return;
  g_free (value->name);
  g_free (value->label);
  g_free (value->unit);
  g_free (value->runtime);
  g_free (value);
}

/* A count and what it counts, in the singular or plural: "1 task",
 * "8,643 numbers"; NULL when @unit is not a counted thing. */
static char *
format_count (double      value,
              const char *unit)
{
  g_autofree char *number = lab_overhead_format_value (value, unit);
  gulong n = (gulong) MIN (fabs (round (value)), G_MAXULONG);

  if (g_strcmp0 (unit, "tasks") == 0)
    /* TRANSLATORS: %s is a number */
    return g_strdup_printf (ngettext ("%s task", "%s tasks", n), number);
  if (g_strcmp0 (unit, "updates") == 0)
    /* TRANSLATORS: %s is a number */
    return g_strdup_printf (ngettext ("%s update", "%s updates", n), number);
  if (g_strcmp0 (unit, "switches") == 0)
    /* TRANSLATORS: %s is a number of context switches */
    return g_strdup_printf (ngettext ("%s switch", "%s switches", n), number);
  if (g_strcmp0 (unit, "numbers") == 0)
    /* TRANSLATORS: %s is a number */
    return g_strdup_printf (ngettext ("%s number", "%s numbers", n), number);
  if (g_strcmp0 (unit, "threads") == 0)
    /* TRANSLATORS: %s is a number */
    return g_strdup_printf (ngettext ("%s thread", "%s threads", n), number);
  return NULL;
}

/* The figure and its unit, without the spread. */
static char *
format_figure (double      value,
               const char *unit)
{
  g_autofree char *number = NULL;
  char *counted;

  if (!isfinite (value))
    return g_strdup (LAB_FORMAT_NONE);
  if (g_strcmp0 (unit, "x") == 0)
    return lab_claim_format_ratio (value);
  if (g_strcmp0 (unit, "%") == 0)
    {
      number = lab_format_number (value);
      /* TRANSLATORS: a percentage */
      return g_strdup_printf (_("%s %%"), number);
    }
  if (g_strcmp0 (unit, "ms") == 0)
    return lab_format_duration_scaled (value / 1000, fabs (value) / 1000);
  if (g_strcmp0 (unit, "s") == 0)
    return lab_claim_format_duration (value);
  if (g_strcmp0 (unit, "MiB") == 0)
    return lab_format_bytes ((guint64) MAX (round (value * 1024 * 1024), 0));
  if (g_strcmp0 (unit, "ratio") == 0)
    return lab_format_number (value);
  if ((counted = format_count (value, unit)) != NULL)
    return counted;
  /* "us", "ns", "KiB", "GB/s", as the overheads write them */
  return lab_overhead_format_value (value, unit);
}

/**
 * lab_claim_format_ratio:
 *
 * Returns: (transfer full): "1.93×", "292×", "0.00027×"; three
 *   significant digits at most, two decimals at most above 0.1
 */
char *
lab_claim_format_ratio (double ratio)
{
  if (!isfinite (ratio))
    return g_strdup (LAB_FORMAT_NONE);
  if (fabs (ratio) >= 100)
    return lab_format_value (ratio, "%.0f×");
  if (fabs (ratio) >= 10)
    return lab_format_value (ratio, "%.1f×");
  if (fabs (ratio) >= 0.1 || ratio == 0)
    return lab_format_value (ratio, "%.2f×");
  return lab_format_value (ratio, "%.2g×");
}

/**
 * lab_claim_format_duration:
 *
 * Returns: (transfer full): "340 ms", "1.25 s", "25.2 min": minutes from
 *   two of them on, as an extrapolation to thousands of tasks gives
 */
char *
lab_claim_format_duration (double seconds)
{
  g_autofree char *number = NULL;

  if (!isfinite (seconds) || fabs (seconds) < 120)
    return lab_format_duration_scaled (seconds, fabs (seconds));
  number = lab_format_number (seconds / 60);
  /* TRANSLATORS: a duration in minutes, %s is the number */
  return g_strdup_printf (_("%s min"), number);
}

char *
lab_claim_value_format (const LabClaimValue *value)
{
  g_autofree char *figure = NULL;
  g_autofree char *spread = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  figure = format_figure (value->value, value->unit);
  if (!isfinite (value->value) || !isfinite (value->spread))
    return g_steal_pointer (&figure);
  /* Half the range of the repeats, relative to the median. */
  spread = lab_format_number (value->spread * 50);
  /* TRANSLATORS: a figure and how far its repeats lie from it, e.g. "1.93× ± 2 %" */
  return g_strdup_printf (_("%s ± %s %%"), figure, spread);
}

LabClaimResult *
lab_claim_result_new (const char *id)
{
  LabClaimResult *self = g_new0 (LabClaimResult, 1);

  self->id = g_strdup (id);
  self->verdict = LAB_VERDICT_NOT_RUN;
  self->values = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_claim_value_free);
  self->duration_s = NAN;
  return self;
}

LabClaimResult *
lab_claim_result_copy (const LabClaimResult *result)
{
  LabClaimResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = lab_claim_result_new (result->id);
  copy->verdict = result->verdict;
  copy->reading = g_strdup (result->reading);
  copy->runtime = g_strdup (result->runtime);
  copy->extrapolation = g_strdup (result->extrapolation);
  copy->duration_s = result->duration_s;
  for (guint i = 0; i < result->values->len; i++)
    g_ptr_array_add (copy->values, lab_claim_value_copy (result->values->pdata[i]));
  return copy;
}

void
lab_claim_result_free (LabClaimResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_free (result->reading);
  g_free (result->runtime);
  g_free (result->extrapolation);
  g_ptr_array_unref (result->values);
  g_free (result);
}

G_DEFINE_BOXED_TYPE (LabClaimResult, lab_claim_result, lab_claim_result_copy, lab_claim_result_free)

const LabClaimValue *
lab_claim_result_lookup_value (const LabClaimResult *result,
                               const char           *name)
{
  g_return_val_if_fail (result != NULL, NULL);
  for (guint i = 0; i < result->values->len; i++)
    {
      const LabClaimValue *value = result->values->pdata[i];

      if (g_strcmp0 (value->name, name) == 0)
        return value;
    }
  return NULL;
}
