/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lab-history-private.h"

/*
 * Whether the process recording a run still runs. Its PID alone does not
 * say: PIDs are reused, and they start again after a reboot. So a row
 * names its owner by PID, the time that process started (in clock ticks
 * since boot, /proc/PID/stat) and the boot it ran in; a process with that
 * PID and that start time is the owner. In another PID namespace (two
 * Flatpak sandboxes each have one) the PID means nothing: there the
 * owner is known by the lock it holds on a file next to the database
 * while it records.
 */

/* Field 22 of /proc/PID/stat, or 0 when there is no such process. */
static guint64
read_start_ticks (const char *stat_path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  char *after_name;
  guint64 ticks;

  if (!g_file_get_contents (stat_path, &contents, NULL, NULL))
    return 0;
  /* The name (field 2) is in parentheses and may hold spaces and ')'. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return 0;
  /* Fields 3… : the start time is the 20th of them. */
  fields = g_strsplit (g_strstrip (after_name + 1), " ", 22);
  if (g_strv_length (fields) < 20 || !g_ascii_string_to_unsigned (fields[19], 10, 0, G_MAXUINT64, &ticks, NULL))
    return 0;
  return ticks;
}

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (contents));
}

static char *
read_pid_ns (void)
{
  char *ns = g_file_read_link ("/proc/self/ns/pid", NULL);

  return ns != NULL ? ns : g_strdup ("");
}

LabHistoryOwner *
lab_history_owner_self (void)
{
  LabHistoryOwner *owner = g_new0 (LabHistoryOwner, 1);

  owner->pid = getpid ();
  owner->start_ticks = read_start_ticks ("/proc/self/stat");
  owner->boot_id = read_boot_id ();
  owner->pid_ns = read_pid_ns ();
  return owner;
}

void
lab_history_owner_free (LabHistoryOwner *owner)
{
  if (owner == NULL)
    return;
  g_free (owner->boot_id);
  g_free (owner->pid_ns);
  g_free (owner);
}

/* Whether somebody holds the lock at @path: a lock is let go when its
 * process ends, however it ends. */
static gboolean
lock_held (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gboolean held;

  if (fd < 0)
    return FALSE;
  held = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

gboolean
lab_history_owner_alive (const LabHistoryOwner *owner,
                         const char            *lock_path)
{
  g_autoptr(LabHistoryOwner) self = lab_history_owner_self ();
  g_autofree char *stat_path = NULL;

  if (owner->boot_id[0] != '\0' && self->boot_id[0] != '\0' && !g_str_equal (owner->boot_id, self->boot_id))
    return FALSE;
  if (!g_str_equal (owner->pid_ns, self->pid_ns) || owner->start_ticks == 0)
    return lock_held (lock_path);
  stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", owner->pid);
  return read_start_ticks (stat_path) == owner->start_ticks;
}

int
lab_history_owner_lock (const char *path)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* history.db.locks/ID, next to the database */
char *
lab_history_lock_path (const char *db_path,
                       gint64      id)
{
  g_autofree char *folder = g_strconcat (db_path, ".locks", NULL);
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  return g_build_filename (folder, name, NULL);
}
