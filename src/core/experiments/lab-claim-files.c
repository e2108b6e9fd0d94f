/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-claim-private.h"

/* C04 needs the io:files workload, which this build does not have yet. */
gboolean
lab_claim_check_c04 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  lab_claim_result_conclude (result, LAB_VERDICT_CANNOT_CHECK,
                             _("This build has no file workload (io:files) to measure reads and writes with."), NULL);
  return TRUE;
}
