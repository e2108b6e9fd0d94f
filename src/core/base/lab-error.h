/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one error domain of the engine. */
#define LAB_ERROR (lab_error_quark ())

typedef enum
{
  LAB_ERROR_INVALID_ARGUMENT,   /* bad option or value: usage error */
  LAB_ERROR_PROTOCOL,           /* a worker said something malformed */
  LAB_ERROR_WORKER,             /* a worker could not start, crashed, timed out */
  LAB_ERROR_TASK,               /* a task failed on its own terms */
  LAB_ERROR_EXPORT,             /* writing a file failed */
  LAB_ERROR_UNAVAILABLE,        /* what a runtime needs is not on this machine (python3) */
  LAB_ERROR_HISTORY,            /* the run history's database failed */
  LAB_ERROR_NOT_FOUND,          /* no such recorded run */
} LabError;

GQuark lab_error_quark (void);

G_END_DECLS
