/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_CLAIMS_PAGE (lab_claims_page_get_type ())
G_DECLARE_FINAL_TYPE (LabClaimsPage, lab_claims_page, LAB, CLAIMS_PAGE, GtkWidget)

/**
 * LabClaimsPage:
 *
 * The Claims page: the machine the claims are checked on, the quick
 * settings switch, and one card per claim of the seed articles (C01–C18),
 * each runnable alone; Start (the page's Run All) checks them in order.
 * A progress line and a summary of the verdicts follow the run.
 * Implements #LabPage.
 *
 * Actions: "claims.run" and "claims.stop" (s: a claim's id),
 * "claims.run-all", "claims.export-csv", "claims.export-json".
 */

G_END_DECLS
