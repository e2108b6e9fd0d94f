/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <pthread.h>
#include <sanitizer/tsan_interface.h>

#include "lab-sanitizer.h"

/*
 * ThreadSanitizer builds only: src/core/base/meson.build compiles this
 * file and links every program with -Wl,--wrap=FUNCTION for each function
 * below, so that the calls this project makes to them come here first.
 *
 * GLib 2.74 synchronises inside libglib, with futexes and atomics that
 * ThreadSanitizer does not see (libglib is not instrumented): to it, data
 * handed over through a GMutex, a GCond, a GAsyncQueue, a GThreadPool, a
 * GTask, g_main_context_invoke() or an object's last reference looks
 * unsynchronised, and every such hand-over would be reported as a race.
 * Each wrapper tells ThreadSanitizer what its GLib function guarantees,
 * nothing more: a mutex is a mutex (so lock-order inversions are found
 * too), a queue or a pool orders a push before the pop or the task that
 * gets it, a task's return before its result is read. Tasks of one pool
 * are not ordered with each other, as they are not in GLib.
 *
 * What GLib, GIO and libsoup do among themselves is not instrumented and
 * stays out of view; tests/sanitizers/tsan.supp names what remains of it.
 */

#ifndef LAB_WITH_TSAN
# error "lab-tsan-glib.c is for ThreadSanitizer builds only"
#endif

#define LAB_WRAP(ret, name, params) \
  ret __real_##name params;         \
  ret __wrap_##name params

/* GMutex and GCond ---------------------------------------------------------- */

LAB_WRAP (void, g_mutex_clear, (GMutex *mutex));
void
__wrap_g_mutex_clear (GMutex *mutex)
{
  __real_g_mutex_clear (mutex);
  __tsan_mutex_destroy (mutex, 0);
}

LAB_WRAP (void, g_mutex_lock, (GMutex *mutex));
void
__wrap_g_mutex_lock (GMutex *mutex)
{
  __tsan_mutex_pre_lock (mutex, 0);
  __real_g_mutex_lock (mutex);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

LAB_WRAP (gboolean, g_mutex_trylock, (GMutex *mutex));
gboolean
__wrap_g_mutex_trylock (GMutex *mutex)
{
  gboolean locked;

  __tsan_mutex_pre_lock (mutex, __tsan_mutex_try_lock);
  locked = __real_g_mutex_trylock (mutex);
  __tsan_mutex_post_lock (mutex, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

LAB_WRAP (void, g_mutex_unlock, (GMutex *mutex));
void
__wrap_g_mutex_unlock (GMutex *mutex)
{
  __tsan_mutex_pre_unlock (mutex, 0);
  __real_g_mutex_unlock (mutex);
  __tsan_mutex_post_unlock (mutex, 0);
}

/* A wait lets go of @mutex and takes it again before it returns. */
static void
cond_wait_begin (GMutex *mutex)
{
  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
}

static void
cond_wait_end (GMutex *mutex)
{
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

LAB_WRAP (void, g_cond_wait, (GCond *cond, GMutex *mutex));
void
__wrap_g_cond_wait (GCond  *cond,
                    GMutex *mutex)
{
  cond_wait_begin (mutex);
  __real_g_cond_wait (cond, mutex);
  cond_wait_end (mutex);
}

LAB_WRAP (gboolean, g_cond_wait_until, (GCond *cond, GMutex *mutex, gint64 end_time));
gboolean
__wrap_g_cond_wait_until (GCond  *cond,
                          GMutex *mutex,
                          gint64  end_time)
{
  gboolean signalled;

  cond_wait_begin (mutex);
  signalled = __real_g_cond_wait_until (cond, mutex, end_time);
  cond_wait_end (mutex);
  return signalled;
}

/* GAsyncQueue: a push happens before the pop that gets it ------------------- */

LAB_WRAP (void, g_async_queue_push, (GAsyncQueue *queue, gpointer data));
void
__wrap_g_async_queue_push (GAsyncQueue *queue,
                           gpointer     data)
{
  __tsan_release (queue);
  __real_g_async_queue_push (queue, data);
}

LAB_WRAP (void, g_async_queue_push_front, (GAsyncQueue *queue, gpointer data));
void
__wrap_g_async_queue_push_front (GAsyncQueue *queue,
                                 gpointer     data)
{
  __tsan_release (queue);
  __real_g_async_queue_push_front (queue, data);
}

LAB_WRAP (gpointer, g_async_queue_pop, (GAsyncQueue *queue));
gpointer
__wrap_g_async_queue_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_pop (queue);

  __tsan_acquire (queue);
  return data;
}

LAB_WRAP (gpointer, g_async_queue_try_pop, (GAsyncQueue *queue));
gpointer
__wrap_g_async_queue_try_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_try_pop (queue);

  __tsan_acquire (queue);
  return data;
}

LAB_WRAP (gpointer, g_async_queue_timeout_pop, (GAsyncQueue *queue, guint64 timeout));
gpointer
__wrap_g_async_queue_timeout_pop (GAsyncQueue *queue,
                                  guint64      timeout)
{
  gpointer data = __real_g_async_queue_timeout_pop (queue, timeout);

  __tsan_acquire (queue);
  return data;
}

/* GThreadPool: a push happens before the task it starts, and every task
 * before g_thread_pool_free() returns when it waits. The pool runs a
 * trampoline that says so around the caller's function. */

typedef struct
{
  GFunc    func;
  gpointer user_data;
  char     pushed;    /* addresses only: what g_thread_pool_push() releases */
  char     finished;  /* and what each task releases when it is done */
} PoolTrampoline;

static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *pools;  /* GThreadPool * → PoolTrampoline * */

static void
pool_trampoline (gpointer data,
                 gpointer user_data)
{
  PoolTrampoline *trampoline = user_data;

  __tsan_acquire (&trampoline->pushed);
  trampoline->func (data, trampoline->user_data);
  __tsan_release (&trampoline->finished);
}

static PoolTrampoline *
pool_lookup (GThreadPool *pool,
             gboolean     remove)
{
  PoolTrampoline *trampoline;

  pthread_mutex_lock (&pools_lock);
  trampoline = pools != NULL ? g_hash_table_lookup (pools, pool) : NULL;
  if (remove && trampoline != NULL)
    g_hash_table_remove (pools, pool);
  pthread_mutex_unlock (&pools_lock);
  return trampoline;
}

LAB_WRAP (GThreadPool *, g_thread_pool_new,
          (GFunc func, gpointer user_data, gint max_threads, gboolean exclusive, GError **error));
GThreadPool *
__wrap_g_thread_pool_new (GFunc     func,
                          gpointer  user_data,
                          gint      max_threads,
                          gboolean  exclusive,
                          GError  **error)
{
  PoolTrampoline *trampoline = g_new0 (PoolTrampoline, 1);
  GThreadPool *pool;

  trampoline->func = func;
  trampoline->user_data = user_data;
  __tsan_release (&trampoline->pushed);
  pool = __real_g_thread_pool_new (pool_trampoline, trampoline, max_threads, exclusive, error);
  if (pool == NULL)
    {
      g_free (trampoline);
      return NULL;
    }

  pthread_mutex_lock (&pools_lock);
  if (pools == NULL)
    pools = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (pools, pool, trampoline);
  pthread_mutex_unlock (&pools_lock);
  return pool;
}

LAB_WRAP (gboolean, g_thread_pool_push, (GThreadPool *pool, gpointer data, GError **error));
gboolean
__wrap_g_thread_pool_push (GThreadPool  *pool,
                           gpointer      data,
                           GError      **error)
{
  PoolTrampoline *trampoline = pool_lookup (pool, FALSE);

  if (trampoline != NULL)
    __tsan_release (&trampoline->pushed);
  return __real_g_thread_pool_push (pool, data, error);
}

LAB_WRAP (void, g_thread_pool_free, (GThreadPool *pool, gboolean immediate, gboolean wait_));
void
__wrap_g_thread_pool_free (GThreadPool *pool,
                           gboolean     immediate,
                           gboolean     wait_)
{
  PoolTrampoline *trampoline = pool_lookup (pool, TRUE);

  __real_g_thread_pool_free (pool, immediate, wait_);
  if (trampoline != NULL && wait_)
    {
      __tsan_acquire (&trampoline->finished);
      g_free (trampoline);
    }
  /* Without waiting, tasks may still run the trampoline: it stays. */
}

/* GTask: what the caller did before g_task_run_in_thread() happens before
 * the task function; a return happens before the completion callback and
 * before the result is propagated; and the callback before the last
 * reference goes, which GIO drops after it. The callback goes through a
 * trampoline, kept on the task, whose user data
 * g_async_result_get_user_data() gives back. */

typedef struct
{
  GAsyncReadyCallback callback;
  gpointer            user_data;
} TaskTrampoline;

static GQuark
task_trampoline_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("lab-tsan-task-trampoline"));
  return (GQuark) quark;
}

static GQuark
thread_func_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("lab-tsan-task-thread-func"));
  return (GQuark) quark;
}

static void
task_callback_trampoline (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  TaskTrampoline *trampoline = user_data;

  __tsan_acquire (result);
  trampoline->callback (source_object, result, trampoline->user_data);
  __tsan_release (result);
}

LAB_WRAP (GTask *, g_task_new,
          (gpointer source_object, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer callback_data));
GTask *
__wrap_g_task_new (gpointer             source_object,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             callback_data)
{
  TaskTrampoline *trampoline;
  GTask *task;

  if (callback == NULL)
    return __real_g_task_new (source_object, cancellable, callback, callback_data);
  trampoline = g_new (TaskTrampoline, 1);
  *trampoline = (TaskTrampoline) { callback, callback_data };
  task = __real_g_task_new (source_object, cancellable, task_callback_trampoline, trampoline);
  g_object_set_qdata_full (G_OBJECT (task), task_trampoline_quark (), trampoline, g_free);
  return task;
}

LAB_WRAP (gpointer, g_async_result_get_user_data, (GAsyncResult *result));
gpointer
__wrap_g_async_result_get_user_data (GAsyncResult *result)
{
  TaskTrampoline *trampoline = G_IS_TASK (result)
    ? g_object_get_qdata (G_OBJECT (result), task_trampoline_quark ())
    : NULL;

  return trampoline != NULL ? trampoline->user_data : __real_g_async_result_get_user_data (result);
}

static void
task_thread_trampoline (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GTaskThreadFunc func;

  __tsan_acquire (task);
  func = (GTaskThreadFunc) g_object_get_qdata (G_OBJECT (task), thread_func_quark ());
  func (task, source_object, task_data, cancellable);
}

LAB_WRAP (void, g_task_run_in_thread, (GTask *task, GTaskThreadFunc task_func));
void
__wrap_g_task_run_in_thread (GTask           *task,
                             GTaskThreadFunc  task_func)
{
  g_object_set_qdata (G_OBJECT (task), thread_func_quark (), (gpointer) task_func);
  __tsan_release (task);
  __real_g_task_run_in_thread (task, task_thread_trampoline);
}

LAB_WRAP (void, g_task_run_in_thread_sync, (GTask *task, GTaskThreadFunc task_func));
void
__wrap_g_task_run_in_thread_sync (GTask           *task,
                                  GTaskThreadFunc  task_func)
{
  g_object_set_qdata (G_OBJECT (task), thread_func_quark (), (gpointer) task_func);
  __tsan_release (task);
  __real_g_task_run_in_thread_sync (task, task_thread_trampoline);
  __tsan_acquire (task);
}

LAB_WRAP (void, g_task_return_pointer, (GTask *task, gpointer result, GDestroyNotify result_destroy));
void
__wrap_g_task_return_pointer (GTask          *task,
                              gpointer        result,
                              GDestroyNotify  result_destroy)
{
  __tsan_release (task);
  __real_g_task_return_pointer (task, result, result_destroy);
}

LAB_WRAP (void, g_task_return_boolean, (GTask *task, gboolean result));
void
__wrap_g_task_return_boolean (GTask    *task,
                              gboolean  result)
{
  __tsan_release (task);
  __real_g_task_return_boolean (task, result);
}

LAB_WRAP (void, g_task_return_int, (GTask *task, gssize result));
void
__wrap_g_task_return_int (GTask  *task,
                          gssize  result)
{
  __tsan_release (task);
  __real_g_task_return_int (task, result);
}

LAB_WRAP (void, g_task_return_error, (GTask *task, GError *error));
void
__wrap_g_task_return_error (GTask  *task,
                            GError *error)
{
  __tsan_release (task);
  __real_g_task_return_error (task, error);
}

/* g_task_return_new_error() takes a format: its message is made here and
 * handed to g_task_return_error(). */
LAB_WRAP (void, g_task_return_new_error, (GTask *task, GQuark domain, gint code, const char *format, ...));
void
__wrap_g_task_return_new_error (GTask      *task,
                                GQuark      domain,
                                gint        code,
                                const char *format,
                                ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  __wrap_g_task_return_error (task, error);
}

LAB_WRAP (gpointer, g_task_propagate_pointer, (GTask *task, GError **error));
gpointer
__wrap_g_task_propagate_pointer (GTask   *task,
                                 GError **error)
{
  __tsan_acquire (task);
  return __real_g_task_propagate_pointer (task, error);
}

LAB_WRAP (gboolean, g_task_propagate_boolean, (GTask *task, GError **error));
gboolean
__wrap_g_task_propagate_boolean (GTask   *task,
                                 GError **error)
{
  __tsan_acquire (task);
  return __real_g_task_propagate_boolean (task, error);
}

LAB_WRAP (gssize, g_task_propagate_int, (GTask *task, GError **error));
gssize
__wrap_g_task_propagate_int (GTask   *task,
                             GError **error)
{
  __tsan_acquire (task);
  return __real_g_task_propagate_int (task, error);
}

/* A task's completion callback may read its task data before it
 * propagates the result (GLib runs the callback after the return). */
LAB_WRAP (gpointer, g_task_get_task_data, (GTask *task));
gpointer
__wrap_g_task_get_task_data (GTask *task)
{
  __tsan_acquire (task);
  return __real_g_task_get_task_data (task);
}

/* g_main_context_invoke(): the caller's writes happen before the function
 * runs in the context's thread. */

typedef struct
{
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify notify;
} InvokeTrampoline;

static gboolean
invoke_trampoline (gpointer user_data)
{
  InvokeTrampoline *trampoline = user_data;

  __tsan_acquire (trampoline);
  return trampoline->func (trampoline->data);
}

static void
invoke_trampoline_free (gpointer user_data)
{
  InvokeTrampoline *trampoline = user_data;

  if (trampoline->notify != NULL)
    trampoline->notify (trampoline->data);
  g_free (trampoline);
}

LAB_WRAP (void, g_main_context_invoke_full,
          (GMainContext *context, gint priority, GSourceFunc function, gpointer data, GDestroyNotify notify));
void
__wrap_g_main_context_invoke_full (GMainContext   *context,
                                   gint            priority,
                                   GSourceFunc     function,
                                   gpointer        data,
                                   GDestroyNotify  notify)
{
  InvokeTrampoline *trampoline = g_new (InvokeTrampoline, 1);

  *trampoline = (InvokeTrampoline) { function, data, notify };
  __tsan_release (trampoline);
  __real_g_main_context_invoke_full (context, priority, invoke_trampoline, trampoline, invoke_trampoline_free);
}

LAB_WRAP (void, g_main_context_invoke, (GMainContext *context, GSourceFunc function, gpointer data));
void
__wrap_g_main_context_invoke (GMainContext *context,
                              GSourceFunc   function,
                              gpointer      data)
{
  __wrap_g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, function, data, NULL);
}

/* g_cancellable_connect(): what the caller did before connecting happens
 * before the handler runs, in whichever thread cancels; the handler's
 * work happens before g_cancellable_disconnect() returns, which waits for
 * it. (GLib orders them with its signal lock.) */

typedef struct
{
  GCallback      callback;
  gpointer       data;
  GDestroyNotify destroy;
} CancelTrampoline;

static void
cancel_trampoline (GCancellable *cancellable,
                   gpointer      user_data)
{
  CancelTrampoline *trampoline = user_data;

  __tsan_acquire (trampoline);
  ((void (*) (GCancellable *, gpointer)) trampoline->callback) (cancellable, trampoline->data);
  __tsan_release (trampoline);
  __tsan_release (cancellable);
}

/* Called by the disconnect, which waited for the handler to return. */
static void
cancel_trampoline_free (gpointer user_data)
{
  CancelTrampoline *trampoline = user_data;

  __tsan_acquire (trampoline);
  if (trampoline->destroy != NULL)
    trampoline->destroy (trampoline->data);
  g_free (trampoline);
}

LAB_WRAP (gulong, g_cancellable_connect,
          (GCancellable *cancellable, GCallback callback, gpointer data, GDestroyNotify data_destroy_func));
gulong
__wrap_g_cancellable_connect (GCancellable   *cancellable,
                              GCallback       callback,
                              gpointer        data,
                              GDestroyNotify  data_destroy_func)
{
  CancelTrampoline *trampoline;

  if (cancellable == NULL)
    return __real_g_cancellable_connect (cancellable, callback, data, data_destroy_func);
  trampoline = g_new (CancelTrampoline, 1);
  *trampoline = (CancelTrampoline) { callback, data, data_destroy_func };
  __tsan_release (trampoline);
  return __real_g_cancellable_connect (cancellable, G_CALLBACK (cancel_trampoline), trampoline,
                                       cancel_trampoline_free);
}

LAB_WRAP (void, g_cancellable_disconnect, (GCancellable *cancellable, gulong handler_id));
void
__wrap_g_cancellable_disconnect (GCancellable *cancellable,
                                 gulong        handler_id)
{
  __real_g_cancellable_disconnect (cancellable, handler_id);
  if (cancellable != NULL)
    __tsan_acquire (cancellable);
}

/* GObject references: taking and dropping one are atomic read-modify-
 * writes on the reference count, which order them with each other, so the
 * last one, which finalizes, comes after everything done before the
 * others. */

LAB_WRAP (gpointer, g_object_ref, (gpointer object));
gpointer
__wrap_g_object_ref (gpointer object)
{
  if (object != NULL)
    {
      __tsan_release (object);
      __tsan_acquire (object);
    }
  return __real_g_object_ref (object);
}

LAB_WRAP (void, g_object_unref, (gpointer object));
void
__wrap_g_object_unref (gpointer object)
{
  if (object != NULL)
    {
      __tsan_release (object);
      __tsan_acquire (object);
    }
  __real_g_object_unref (object);
}
