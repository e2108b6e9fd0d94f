/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-async.h"
#include "lab-claim-private.h"
#include "lab-http-server.h"
#include "lab-run-config.h"

/* Progress travels to the main context at most this often. */
#define PROGRESS_US  (50 * 1000)

/* The claim and its check's thread: state, progress and the result reach the
 * main context that asked for the check. */

struct _LabClaimContext
{
  LabClaim     *claim;         /* owned */
  GMainContext *context;       /* owned: where progress and the result go */
  GCancellable *cancellable;   /* owned */
  GTask        *task;          /* owned */
  gboolean      quick;
  char         *worker_path;   /* the claim's, or the default */
  char         *server_url;    /* the claim's, or NULL */
  LabHttpServer *server;       /* started on demand when server_url is NULL */
  gint64        progress_sent_us;
};

struct _LabClaim
{
  GObject             parent_instance;

  const LabClaimInfo *info;
  LabClaimCheck       check;
  gboolean            quick;
  char               *server_url;
  char               *worker_path;
  LabClaimState       state;
  double              progress;
  LabClaimResult     *result;
};

G_DEFINE_FINAL_TYPE (LabClaim, lab_claim, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_RUNNING,
  PROP_PROGRESS,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lab_claim_finalize (GObject *object)
{
  LabClaim *self = LAB_CLAIM (object);

  g_free (self->server_url);
  g_free (self->worker_path);
  g_clear_pointer (&self->result, lab_claim_result_free);

  G_OBJECT_CLASS (lab_claim_parent_class)->finalize (object);
}

static void
lab_claim_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LabClaim *self = LAB_CLAIM (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->state == LAB_CLAIM_RUNNING);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_claim_class_init (LabClaimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_claim_finalize;
  object_class->get_property = lab_claim_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, LAB_CLAIM_IDLE, LAB_CLAIM_DONE, LAB_CLAIM_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, LAB_TYPE_CLAIM_RESULT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lab_claim_init (LabClaim *self)
{
}

/**
 * lab_claim_new:
 * @id: "C01" … "C18", in any case
 *
 * Returns: (transfer full) (nullable): the claim's check, or %NULL when
 *   @id names no claim
 */
LabClaim *
lab_claim_new (const char *id)
{
  const LabClaimInfo *info = lab_claim_info_lookup (id);
  LabClaim *self;

  if (info == NULL)
    return NULL;
  self = g_object_new (LAB_TYPE_CLAIM, NULL);
  self->info = info;
  self->check = lab_claim_check_lookup (info->id);
  return self;
}

const LabClaimInfo *
lab_claim_get_info (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), NULL);
  return self->info;
}

const char *
lab_claim_get_id (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), NULL);
  return self->info->id;
}

void
lab_claim_set_quick (LabClaim *self,
                     gboolean  quick)
{
  g_return_if_fail (LAB_IS_CLAIM (self));
  self->quick = !!quick;
}

gboolean
lab_claim_get_quick (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), FALSE);
  return self->quick;
}

void
lab_claim_set_server_url (LabClaim   *self,
                          const char *url)
{
  g_return_if_fail (LAB_IS_CLAIM (self));
  /* The running check's thread reads it. */
  g_return_if_fail (self->state != LAB_CLAIM_RUNNING);
  g_free (self->server_url);
  self->server_url = g_strdup (url);
}

void
lab_claim_set_worker_path (LabClaim   *self,
                           const char *path)
{
  g_return_if_fail (LAB_IS_CLAIM (self));
  g_return_if_fail (self->state != LAB_CLAIM_RUNNING);
  g_free (self->worker_path);
  self->worker_path = g_strdup (path);
}

LabClaimState
lab_claim_get_state (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), LAB_CLAIM_IDLE);
  return self->state;
}

double
lab_claim_get_progress (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), 0);
  return self->progress;
}

gboolean
lab_claim_get_running (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), FALSE);
  return self->state == LAB_CLAIM_RUNNING;
}

const LabClaimResult *
lab_claim_get_result (LabClaim *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM (self), NULL);
  return self->result;
}

static void
set_state (LabClaim      *self,
           LabClaimState  state)
{
  gboolean was_running = self->state == LAB_CLAIM_RUNNING;

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_running != (state == LAB_CLAIM_RUNNING))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_progress (LabClaim *self,
              double    progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
set_result (LabClaim       *self,
            LabClaimResult *result)
{
  g_clear_pointer (&self->result, lab_claim_result_free);
  self->result = result;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

/* The claim's thread */

gboolean
lab_claim_context_get_quick (LabClaimContext *ctx)
{
  return ctx->quick;
}

GCancellable *
lab_claim_context_get_cancellable (LabClaimContext *ctx)
{
  return ctx->cancellable;
}

GMainContext *
lab_claim_context_get_main_context (LabClaimContext *ctx)
{
  return ctx->context;
}

const char *
lab_claim_context_get_worker_path (LabClaimContext *ctx)
{
  return ctx->worker_path;
}

const char *
lab_claim_context_get_server_url (LabClaimContext  *ctx,
                                  GError          **error)
{
  if (ctx->server_url != NULL)
    return ctx->server_url;
  if (ctx->server == NULL)
    {
      g_autoptr(LabHttpServer) server = lab_http_server_new ();

      if (!lab_http_server_start_in_thread (server, 0, error))
        return NULL;
      ctx->server = g_steal_pointer (&server);
    }
  return lab_http_server_get_base_url (ctx->server);
}

typedef struct
{
  LabClaim *claim;
  double    progress;
} Delivery;

static gboolean
deliver_progress (gpointer user_data)
{
  Delivery *delivery = user_data;

  /* A progress that arrives after the end does not move the bar back. */
  if (delivery->claim->state == LAB_CLAIM_RUNNING)
    set_progress (delivery->claim, delivery->progress);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  g_object_unref (delivery->claim);
  g_free (delivery);
}

void
lab_claim_context_set_progress (LabClaimContext *ctx,
                                double           fraction)
{
  gint64 now = g_get_monotonic_time ();
  Delivery *delivery;

  if (fraction < 1 && now - ctx->progress_sent_us < PROGRESS_US)
    return;
  ctx->progress_sent_us = now;
  delivery = g_new0 (Delivery, 1);
  delivery->claim = g_object_ref (ctx->claim);
  delivery->progress = CLAMP (fraction, 0, 1);
  g_main_context_invoke_full (ctx->context, G_PRIORITY_DEFAULT, deliver_progress, delivery,
                              delivery_free);
}

static void
context_free (LabClaimContext *ctx)
{
  if (ctx->server != NULL)
    lab_http_server_stop (ctx->server);
  g_clear_object (&ctx->server);
  g_free (ctx->worker_path);
  g_free (ctx->server_url);
  g_clear_object (&ctx->task);
  g_clear_object (&ctx->cancellable);
  g_main_context_unref (ctx->context);
  g_object_unref (ctx->claim);
  g_free (ctx);
}

/* Why the check did not give a verdict, with what it measured before. */
static void
result_set_failure (LabClaimResult *result,
                    const GError   *error)
{
  g_autofree char *before = g_steal_pointer (&result->reading);

  result->verdict = LAB_VERDICT_FAILED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    result->reading = before != NULL
      /* TRANSLATORS: %s is what the figures measured so far show */
      ? g_strdup_printf (_("Stopped before the end. So far: %s"), before)
      : g_strdup (_("Stopped before the end. Nothing was measured."));
  else
    /* TRANSLATORS: %s is an error message */
    result->reading = g_strdup_printf (_("The measurement failed: %s"), error->message);
}

static gpointer
claim_thread (gpointer data)
{
  LabClaimContext *ctx = data;
  LabClaim *self = ctx->claim;
  g_autoptr(LabClaimResult) result = lab_claim_result_new (self->info->id);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Stopped before it began (Ctrl+C between two claims): nothing starts. */
  if (g_cancellable_set_error_if_cancelled (ctx->cancellable, &error) ||
      !self->check (ctx, result, &error))
    result_set_failure (result, error);
  result->duration_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert (result->verdict != LAB_VERDICT_NOT_RUN && result->reading != NULL);
  g_task_set_task_data (ctx->task, g_steal_pointer (&result), (GDestroyNotify) lab_claim_result_free);
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (ctx->task, g_steal_pointer (&error));
  else
    g_task_return_boolean (ctx->task, TRUE);
  context_free (ctx);
  return NULL;
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LabClaim *self = LAB_CLAIM (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  LabClaimResult *claim_result = g_task_get_task_data (G_TASK (result));

  set_result (self, lab_claim_result_copy (claim_result));
  set_progress (self, 1);
  set_state (self, LAB_CLAIM_DONE);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, g_steal_pointer (&error));
}

void
lab_claim_run_async (LabClaim            *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  LabClaimContext *ctx;

  g_return_if_fail (LAB_IS_CLAIM (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lab_claim_run_async);
  if (self->state == LAB_CLAIM_RUNNING)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING, _("The claim is already being checked"));
      return;
    }

  g_clear_pointer (&self->result, lab_claim_result_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
  set_progress (self, 0);
  set_state (self, LAB_CLAIM_RUNNING);

  ctx = g_new0 (LabClaimContext, 1);
  ctx->claim = g_object_ref (self);
  ctx->context = g_main_context_ref_thread_default ();
  ctx->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  ctx->quick = self->quick;
  ctx->worker_path = self->worker_path != NULL ? g_strdup (self->worker_path) : lab_worker_path_default ();
  ctx->server_url = g_strdup (self->server_url);
  /* Completes on this context after every progress posted before it. */
  ctx->task = g_task_new (self, NULL, run_done, g_steal_pointer (&outer));
  g_thread_unref (g_thread_new ("lab-claim", claim_thread, ctx));
}

gboolean
lab_claim_run_finish (LabClaim      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lab_claim_run (LabClaim      *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (LAB_IS_CLAIM (self), FALSE);

  /* The caller's context, where its other sources (the CLI's Ctrl+C
   * handler, C17's heartbeat) keep running meanwhile. */
  lab_claim_run_async (self, cancellable, lab_async_keep_result, &result);
  lab_async_wait (&result);
  return lab_claim_run_finish (self, result, error);
}
