/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-claim-private.h"

/* Until a claim's measurement is written, its check says so. */
static gboolean
check_pending (LabClaimContext  *ctx,
               LabClaimResult   *result,
               GError          **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("This claim's measurement is not part of this build yet"));
  return FALSE;
}

LabClaimCheck
lab_claim_check_lookup (const char *id)
{
  return check_pending;
}
