/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-claim.h"

G_BEGIN_DECLS

/*
 * What the claims' own files provide (lab-claim-<group>.c): a check per
 * claim, measuring on the claim's own thread, and the context it reports
 * through.
 */
typedef struct _LabClaimContext LabClaimContext;

/* Measures, blocking, on the claim's thread, and fills @result (values,
 * runtime, extrapolation, verdict, reading). Returns FALSE with @error
 * when the measurement failed or was cancelled (G_IO_ERROR_CANCELLED,
 * within about 200 ms); the values measured so far stay in @result. */
typedef gboolean (*LabClaimCheck) (LabClaimContext  *ctx,
                                   LabClaimResult   *result,
                                   GError          **error);

/* The check of claim @id (as in LabClaimInfo). */
LabClaimCheck lab_claim_check_lookup             (const char       *id);

gboolean      lab_claim_context_get_quick        (LabClaimContext  *ctx);
GCancellable *lab_claim_context_get_cancellable  (LabClaimContext  *ctx);
/* 0–1, for the progress bar; thread-safe, rate-limited. */
void          lab_claim_context_set_progress     (LabClaimContext  *ctx,
                                                  double            fraction);
/* The main context that called lab_claim_run_async(): the window's or
 * the CLI's main loop (C17 measures its stalls). */
GMainContext *lab_claim_context_get_main_context (LabClaimContext  *ctx);

G_END_DECLS
