/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * LabCsv:
 *
 * Builds RFC 4180 CSV text: fields separated by ',', records ended by
 * CRLF, fields quoted when they contain ',', '"', CR or LF. Text fields
 * that a spreadsheet would read as a formula (beginning with '=', '+',
 * '-', '@', TAB or CR) are prefixed with a single quote. Numeric fields
 * are written with '.' whatever the locale and are never neutralised.
 */
typedef struct _LabCsv LabCsv;

LabCsv     *lab_csv_new          (void);
void        lab_csv_free         (LabCsv     *self);
void        lab_csv_add_text     (LabCsv     *self,
                                  const char *text);
void        lab_csv_add_int      (LabCsv     *self,
                                  gint64      value);
void        lab_csv_add_uint     (LabCsv     *self,
                                  guint64     value);
/* Six significant digits (%.6g), empty when not finite (NAN, ±inf). */
void        lab_csv_add_double   (LabCsv     *self,
                                  double      value);
void        lab_csv_add_bool     (LabCsv     *self,
                                  gboolean    value);
void        lab_csv_add_datetime (LabCsv     *self,
                                  GDateTime  *value);
void        lab_csv_end_row      (LabCsv     *self);
void        lab_csv_add_header   (LabCsv     *self,
                                  const char * const *names);
const char *lab_csv_get_text     (LabCsv     *self);
/* Writes atomically (temporary file + rename). */
gboolean    lab_csv_save         (LabCsv     *self,
                                  const char *path,
                                  GError    **error);

/* The quoting rule alone, for tests and other writers. */
char       *lab_csv_escape       (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabCsv, lab_csv_free)

G_END_DECLS
