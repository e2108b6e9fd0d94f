/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-claim-private.h"

/* C15 needs the pipeline workload, which this build does not have yet. */
gboolean
lab_claim_check_c15 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  lab_claim_result_conclude (result, LAB_VERDICT_CANNOT_CHECK,
                             _("This build has no pipeline workload to compare the shapes with."), NULL);
  return TRUE;
}
