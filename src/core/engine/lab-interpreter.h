/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-mode.h"

G_BEGIN_DECLS

/**
 * LabInterpreter:
 *
 * A Python interpreter that runs the kernels of the CPython runtimes
 * (data/concurrency-lab-kernels.py), found and checked on this machine.
 */
typedef struct
{
  LabRuntime  runtime;
  char       *path;         /* the interpreter, absolute */
  char       *version;      /* e.g. "3.11.2" */
  char       *kernels;      /* the script it runs */
  gboolean    gil_enabled;
  gboolean    force_gil;    /* a free-threaded build asked for its GIL (-X gil=1) */
} LabInterpreter;

#define LAB_TYPE_INTERPRETER (lab_interpreter_get_type ())

GType           lab_interpreter_get_type   (void) G_GNUC_CONST;
const LabInterpreter *lab_interpreter_find (LabRuntime             runtime,
                                            GError               **error);
void            lab_interpreter_find_async (LabRuntime             runtime,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
const LabInterpreter *lab_interpreter_find_finish (GAsyncResult   *result,
                                                   GError        **error);
LabInterpreter *lab_interpreter_copy       (const LabInterpreter  *self);
void            lab_interpreter_free       (LabInterpreter        *self);
/* The command line that starts it on the kernels script, then @extra. */
GStrv           lab_interpreter_dup_argv   (const LabInterpreter  *self,
                                            const char * const    *extra);
/* What the CSV's runtime column says: "cpython-3.11.2", "cpython-nogil-3.13.1". */
char           *lab_interpreter_dup_label  (const LabInterpreter  *self);

/* The kernels script: $CONCURRENCY_LAB_PYTHON_KERNELS, else the installed one. */
char           *lab_interpreter_kernels_path (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabInterpreter, lab_interpreter_free)

G_END_DECLS
