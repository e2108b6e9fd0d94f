/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab-stale.h"

/* The random part that mkstemp() and mkdtemp() fill in. */
#define RANDOM_LEN 6

pid_t
lab_stale_owner_pid (const char *name,
                     const char *marker)
{
  g_autofree char *digits = NULL;
  const char *start, *dash;
  guint64 pid;

  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (marker != NULL, 0);

  start = g_strrstr (name, marker);
  if (start == NULL)
    return 0;
  start += strlen (marker);
  dash = strchr (start, '-');
  if (dash == NULL || strlen (dash + 1) != RANDOM_LEN)
    return 0;
  digits = g_strndup (start, dash - start);
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT32, &pid, NULL))
    return 0;
  return (pid_t) pid;
}

/* Never waits: not on a lock, nor on a FIFO someone named like ours. */
static int
open_for_lock (const char *path)
{
  return open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
}

int
lab_stale_hold (const char *path)
{
  int fd;

  g_return_val_if_fail (path != NULL, -1);

  fd = open_for_lock (path);
  if (fd >= 0)
    flock (fd, LOCK_EX | LOCK_NB);
  return fd;
}

gboolean
lab_stale_is_left (const char *path,
                   pid_t       pid)
{
  gboolean locked;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  if (pid <= 0 || pid == getpid () || kill (pid, 0) == 0 || errno == EPERM)
    return FALSE;
  fd = open_for_lock (path);
  if (fd < 0)
    return FALSE;
  locked = flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return !locked;
}

guint
lab_stale_remove_all (const char         *folder,
                      const char         *marker,
                      mode_t              type,
                      LabStaleRemoveFunc  remove)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint removed = 0;

  g_return_val_if_fail (folder != NULL, 0);
  g_return_val_if_fail (marker != NULL, 0);
  g_return_val_if_fail (remove != NULL, 0);

  dir = g_dir_open (folder, 0, NULL);
  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      pid_t pid = lab_stale_owner_pid (name, marker);
      GStatBuf st;

      if (pid <= 0)
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_lstat (path, &st) != 0 || (st.st_mode & S_IFMT) != type || !lab_stale_is_left (path, pid))
        continue;
      if (remove (path))
        removed++;
    }
  return removed;
}
