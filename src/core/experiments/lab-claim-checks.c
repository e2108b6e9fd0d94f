/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-claim-private.h"

/* Each claim's check, by id, in the order of CLAIMS.md. */
static const struct
{
  const char    *id;
  LabClaimCheck  check;
} checks[] = {
  { "C01", lab_claim_check_c01 },
  { "C02", lab_claim_check_c02 },
  { "C03", lab_claim_check_c03 },
  { "C04", lab_claim_check_c04 },
  { "C05", lab_claim_check_c05 },
  { "C06", lab_claim_check_c06 },
  { "C07", lab_claim_check_c07 },
  { "C08", lab_claim_check_c08 },
  { "C09", lab_claim_check_c09 },
  { "C10", lab_claim_check_c10 },
  { "C11", lab_claim_check_c11 },
  { "C12", lab_claim_check_c12 },
  { "C13", lab_claim_check_c13 },
  { "C14", lab_claim_check_c14 },
  { "C15", lab_claim_check_c15 },
  { "C16", lab_claim_check_c16 },
  { "C17", lab_claim_check_c17 },
  { "C18", lab_claim_check_c18 },
};

LabClaimCheck
lab_claim_check_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    if (g_strcmp0 (checks[i].id, id) == 0)
      return checks[i].check;
  g_return_val_if_reached (NULL);
}
