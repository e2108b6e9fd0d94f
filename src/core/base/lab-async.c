/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-async.h"

/* A GAsyncReadyCallback that keeps a reference to @result in the
 * GAsyncResult * that @user_data points at. */
void
lab_async_keep_result (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Iterates the thread-default main context until lab_async_keep_result()
 * has set *@result. */
void
lab_async_wait (GAsyncResult **result)
{
  g_return_if_fail (result != NULL);

  while (*result == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}
