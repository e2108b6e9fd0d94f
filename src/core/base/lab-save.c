/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab-save.h"
#include "lab-stale.h"

/*
 * Saving a file (an export) goes through "<file>.partial-<PID>-XXXXXX"
 * next to it, renamed over it once complete: a reader never sees half a
 * file. A process killed meanwhile (an export of millions of spans takes
 * seconds) leaves its partial file behind; being named after it and
 * locked while it is written (lab-stale.h), such a file is known for a
 * leftover and removed by the next save in that folder.
 */

#define PARTIAL_MARKER ".partial-"

static gboolean
remove_file (const char *path)
{
  return g_unlink (path) == 0;
}

guint
lab_save_remove_stale (const char *folder)
{
  g_return_val_if_fail (folder != NULL, 0);

  return lab_stale_remove_all (folder, PARTIAL_MARKER, S_IFREG, remove_file);
}

static void
set_error_from_errno (GError **error,
                      int      saved_errno)
{
  g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), g_strerror (saved_errno));
}

gboolean
lab_save_write_all (int         fd,
                    const void *data,
                    gsize       len)
{
  const char *p = data;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (len > 0)
    {
      gssize n = write (fd, p, MIN (len, G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* Nothing written and no error: never for a pipe or a file,
           * but not a reason to try for ever. */
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

gboolean
lab_save_file (const char  *path,
               const void  *data,
               gsize        len,
               GError     **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *partial = NULL;
  gboolean replacing;
  int fd, saved_errno;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  folder = g_path_get_dirname (path);
  lab_save_remove_stale (folder);

  partial = g_strdup_printf ("%s" PARTIAL_MARKER "%d-XXXXXX", path, (int) getpid ());
  fd = g_mkstemp_full (partial, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_error_from_errno (error, errno);
      return FALSE;
    }
  /* Held until the file is complete: no other process takes it for stale. */
  flock (fd, LOCK_EX | LOCK_NB);

  /* As g_file_set_contents() (G_FILE_SET_CONTENTS_CONSISTENT): a file that
   * replaces another is on disk before it takes its name. */
  replacing = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!lab_save_write_all (fd, data, len) || (replacing && fsync (fd) != 0) || g_rename (partial, path) != 0)
    {
      saved_errno = errno;
      g_unlink (partial);
      close (fd);
      set_error_from_errno (error, saved_errno);
      return FALSE;
    }
  close (fd);
  return TRUE;
}
