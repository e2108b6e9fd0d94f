/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "lab-error.h"
#include "lab-interpreter.h"

/* A probe that takes longer than this is a broken interpreter. */
#define PROBE_TIMEOUT_MS  10000
#define MIN_MAJOR         3
#define MIN_MINOR         8

G_DEFINE_BOXED_TYPE (LabInterpreter, lab_interpreter, lab_interpreter_copy, lab_interpreter_free)

/* What each runtime found, once per process: interpreters do not come and
 * go while the application runs, and a probe costs tens of milliseconds. */
typedef struct
{
  gboolean        done;
  LabInterpreter *interpreter;
  GError         *error;
} Found;

static GMutex found_lock;
static Found found[LAB_N_RUNTIMES];

char *
lab_interpreter_kernels_path (void)
{
  const char *path = g_getenv ("CONCURRENCY_LAB_PYTHON_KERNELS");

  if (path != NULL && path[0] != '\0')
    return g_strdup (path);
  return g_build_filename (PKGDATADIR, "concurrency-lab-kernels.py", NULL);
}

LabInterpreter *
lab_interpreter_copy (const LabInterpreter *self)
{
  LabInterpreter *copy;

  if (self == NULL)
    return NULL;
  copy = g_memdup2 (self, sizeof *self);
  copy->path = g_strdup (self->path);
  copy->version = g_strdup (self->version);
  copy->kernels = g_strdup (self->kernels);
  return copy;
}

void
lab_interpreter_free (LabInterpreter *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->version);
  g_free (self->kernels);
  g_free (self);
}

GStrv
lab_interpreter_dup_argv (const LabInterpreter *self,
                          const char * const   *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  g_strv_builder_add (builder, self->path);
  /* No user site-packages or PYTHON* variables: the kernels need the
   * standard library only, and the measurement should not depend on
   * what else is installed. */
  g_strv_builder_add_many (builder, "-I", "-X", "faulthandler", NULL);
  if (self->force_gil)
    g_strv_builder_add_many (builder, "-X", "gil=1", NULL);
  g_strv_builder_add (builder, self->kernels);
  if (extra != NULL)
    g_strv_builder_addv (builder, (const char **) extra);
  return g_strv_builder_end (builder);
}

char *
lab_interpreter_dup_label (const LabInterpreter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strdup_printf ("%s-%s", lab_runtime_to_string (self->runtime), self->version);
}

/* ---- probing ---- */

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communicated;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicated *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

static gboolean
on_probe_timeout (gpointer user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));
  return G_SOURCE_REMOVE;
}

/* Runs @argv with a time limit; its output in @out, its first line of
 * errors in @err. FALSE when it could not run or did not exit with 0. */
static gboolean
run_probe (const char * const  *argv,
           char               **out,
           GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSource) timeout = NULL;
  Communicated c = { 0 };
  gboolean ok = FALSE;

  g_main_context_push_thread_default (context);
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process != NULL)
    {
      timeout = g_timeout_source_new (PROBE_TIMEOUT_MS);
      g_source_set_callback (timeout, on_probe_timeout, process, NULL);
      g_source_attach (timeout, context);
      g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &c);
      while (!c.done)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (timeout);
      g_subprocess_wait (process, NULL, NULL);

      if (c.error != NULL)
        g_propagate_error (error, g_steal_pointer (&c.error));
      else if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
        {
          g_auto(GStrv) lines = g_strsplit (c.err != NULL ? c.err : "", "\n", -1);
          const char *last = "";

          /* A Python traceback ends with the line that says what went wrong. */
          for (guint i = 0; lines[i] != NULL; i++)
            if (g_strstrip (lines[i])[0] != '\0')
              last = lines[i];
          if (g_subprocess_get_if_exited (process))
            g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("it exited with status %d%s%s"),
                         g_subprocess_get_exit_status (process), last[0] ? ": " : "", last);
          else
            g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                         _("it did not answer within %d s or was killed"), PROBE_TIMEOUT_MS / 1000);
        }
      else
        {
          *out = g_steal_pointer (&c.out);
          ok = TRUE;
        }
    }
  g_main_context_pop_thread_default (context);
  g_free (c.out);
  g_free (c.err);
  g_clear_error (&c.error);
  return ok;
}

/* Parses the probe's JSON line into @self (version, gil_enabled). */
static gboolean
parse_probe (const char      *out,
             LabInterpreter  *self,
             GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  guint major = 0, minor = 0;

  if (!json_parser_load_from_data (parser, out, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !json_object_has_member ((object = json_node_get_object (json_parser_get_root (parser))), "version"))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("it did not say which version it is"));
      return FALSE;
    }
  self->version = g_strdup (json_object_get_string_member_with_default (object, "version", ""));
  self->gil_enabled = json_object_get_boolean_member_with_default (object, "gil_enabled", TRUE);
  if (sscanf (self->version, "%u.%u", &major, &minor) != 2)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE, _("it gave an unreadable version “%s”"), self->version);
      return FALSE;
    }
  if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   _("it is Python %s and the kernels need Python %d.%d or newer"),
                   self->version, MIN_MAJOR, MIN_MINOR);
      return FALSE;
    }
  return TRUE;
}

/* Starts @path on the kernels script with --probe and checks its answer. */
static LabInterpreter *
probe (LabRuntime   runtime,
       const char  *path,
       gboolean     force_gil,
       GError     **error)
{
  g_autoptr(LabInterpreter) self = g_new0 (LabInterpreter, 1);
  const char *extra[] = { "--probe", NULL };
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) local_error = NULL;

  self->runtime = runtime;
  self->path = g_strdup (path);
  self->kernels = lab_interpreter_kernels_path ();
  self->force_gil = force_gil;
  if (!g_file_test (self->kernels, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   _("The Python kernels “%s” are missing: reinstall Concurrency Lab"), self->kernels);
      return NULL;
    }
  argv = lab_interpreter_dup_argv (self, extra);
  if (!run_probe ((const char * const *) argv, &out, &local_error) ||
      !parse_probe (out, self, &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   _("“%s” cannot run the Python kernels: %s"), path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* @name as given ($CONCURRENCY_LAB_PYTHON…) or looked up on PATH. */
static char *
find_program (const char *name)
{
  if (strchr (name, '/') != NULL)
    return g_file_test (name, G_FILE_TEST_IS_EXECUTABLE) ? g_canonicalize_filename (name, NULL) : NULL;
  return g_find_program_in_path (name);
}

static const char *
python3_name (void)
{
  const char *name = g_getenv ("CONCURRENCY_LAB_PYTHON");

  return name != NULL && name[0] != '\0' ? name : "python3";
}

/* CPython with its GIL: python3, asked for its GIL if it is a
 * free-threaded build (3.13+ honours -X gil=1). */
static LabInterpreter *
find_cpython (GError **error)
{
  g_autofree char *path = find_program (python3_name ());
  g_autoptr(LabInterpreter) self = NULL;

  if (path == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   _("No “%s” found on PATH: install Python %d.%d or newer (Debian: the python3 package) "
                     "to use the CPython runtime"), python3_name (), MIN_MAJOR, MIN_MINOR);
      return NULL;
    }
  self = probe (LAB_RUNTIME_CPYTHON, path, FALSE, error);
  if (self != NULL && !self->gil_enabled)
    {
      g_clear_pointer (&self, lab_interpreter_free);
      self = probe (LAB_RUNTIME_CPYTHON, path, TRUE, error);
      if (self != NULL && !self->gil_enabled)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                       _("“%s” runs without a GIL and cannot turn it on: use it as free-threaded CPython"), path);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

/* Free-threaded CPython: the first of python3.14t, python3.13t and
 * python3 whose GIL is off. Called with found_lock held. */
static LabInterpreter *
find_cpython_nogil (GError **error)
{
  const char *env = g_getenv ("CONCURRENCY_LAB_PYTHON_NOGIL");
  const char *names[] = { "python3.14t", "python3.13t", python3_name (), NULL };
  g_autoptr(GString) tried = g_string_new (NULL);

  if (env != NULL && env[0] != '\0')
    names[0] = env, names[1] = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = find_program (names[i]);
      const LabInterpreter *with_gil = found[LAB_RUNTIME_CPYTHON].interpreter;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(LabInterpreter) self = NULL;

      if (path == NULL)
        continue;
      /* The CPython runtime's probe already said this one has a GIL. */
      if (with_gil != NULL && !with_gil->force_gil && g_str_equal (with_gil->path, path))
        self = lab_interpreter_copy (with_gil);
      else
        self = probe (LAB_RUNTIME_CPYTHON_NOGIL, path, FALSE, &local_error);
      if (self != NULL && !self->gil_enabled)
        return g_steal_pointer (&self);
      if (tried->len > 0)
        g_string_append (tried, "; ");
      if (self != NULL)
        g_string_append_printf (tried, _("“%s” (Python %s) has a GIL"), path, self->version);
      else
        g_string_append (tried, local_error->message);
    }

  g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
               _("No free-threaded Python (python3.14t, python3.13t, or a python3 built without the GIL) "
                 "found on PATH%s%s"), tried->len > 0 ? ": " : "", tried->str);
  return NULL;
}

/**
 * lab_interpreter_find:
 *
 * Finds and checks the interpreter of @runtime, once per process: a
 * missing, broken or too old (below 3.8) interpreter is an error of
 * domain LAB_ERROR, code LAB_ERROR_UNAVAILABLE, that says what is missing.
 * May block for a probe the first time: call it from a thread, or use
 * lab_interpreter_find_async().
 *
 * Returns: (transfer none) (nullable): the interpreter, valid for the
 *   life of the process
 */
const LabInterpreter *
lab_interpreter_find (LabRuntime   runtime,
                      GError     **error)
{
  Found *f;

  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);

  if (runtime == LAB_RUNTIME_NATIVE)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("The native runtime needs no interpreter"));
      return NULL;
    }

  g_mutex_lock (&found_lock);
  f = &found[runtime];
  if (!f->done)
    {
      f->interpreter = runtime == LAB_RUNTIME_CPYTHON ? find_cpython (&f->error) : find_cpython_nogil (&f->error);
      f->done = TRUE;
      if (f->interpreter != NULL)
        g_debug ("%s: %s, Python %s", lab_runtime_to_string (runtime), f->interpreter->path, f->interpreter->version);
    }
  g_mutex_unlock (&found_lock);

  if (f->interpreter == NULL)
    {
      g_propagate_error (error, g_error_copy (f->error));
      return NULL;
    }
  return f->interpreter;
}

static void
find_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  const LabInterpreter *interpreter = lab_interpreter_find (GPOINTER_TO_UINT (task_data), &error);

  if (interpreter == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, (gpointer) interpreter, NULL);
}

void
lab_interpreter_find_async (LabRuntime           runtime,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lab_interpreter_find_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (runtime), NULL);
  g_task_run_in_thread (task, find_in_thread);
}

/**
 * lab_interpreter_find_finish:
 *
 * Returns: (transfer none) (nullable): the interpreter
 */
const LabInterpreter *
lab_interpreter_find_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
