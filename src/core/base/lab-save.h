/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @len bytes of @data to @path, replacing it whole or not at all;
 * FALSE with @error (G_FILE_ERROR, the system's reason) on failure. */
gboolean lab_save_file          (const char *path,
                                 const void *data,
                                 gsize       len,
                                 GError    **error);
/* Removes the partial files that processes killed while saving left in
 * @folder; returns how many. */
guint    lab_save_remove_stale  (const char *folder);

/* Writes the @len bytes of @data to @fd (a file, a pipe), again where a
 * signal cuts a write short; FALSE with errno set on failure. */
gboolean lab_save_write_all     (int         fd,
                                 const void *data,
                                 gsize       len);

G_END_DECLS
