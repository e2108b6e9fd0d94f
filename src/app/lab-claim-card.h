/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lab-claim.h"

G_BEGIN_DECLS

#define LAB_TYPE_CLAIM_CARD (lab_claim_card_get_type ())
G_DECLARE_FINAL_TYPE (LabClaimCard, lab_claim_card, LAB, CLAIM_CARD, GtkWidget)

/* One claim of the Claims page: its id and source articles, its wording,
 * how it is checked and the rule of its verdict, its Run (Stop) button and
 * progress, and once checked the verdict, the measured values, any
 * extrapolation and the reading. The button activates the page's actions
 * "claims.run" / "claims.stop" with the claim's id. */
GtkWidget *lab_claim_card_new       (LabClaim     *claim);
LabClaim  *lab_claim_card_get_claim (LabClaimCard *self);

G_END_DECLS
