/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixmounts.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lab-files.h"
#include "lab-format.h"
#include "lab-save.h"
#include "lab-stale.h"
#include "lab-yield.h"

/* Files are written and read in pieces of this many bytes (a multiple of 8). */
#define CHUNK        (1024 * 1024)
#define DIR_PREFIX   "files-"
/* FNV-1a's offset and prime, applied a 64-bit word at a time. */
#define HASH_OFFSET  G_GUINT64_CONSTANT (0xcbf29ce484222325)
#define HASH_PRIME   G_GUINT64_CONSTANT (0x100000001b3)

struct _LabFilesDir
{
  char       *path;
  int         fd;           /* open while the directory lives, locked */
  const char *filesystem;   /* interned, nullable */
};

char *
lab_files_parent_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "concurrency-lab", NULL);
}

/* @format names the file (%s) and then the error (%s). */
static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *message = g_strdup_printf (format, display, g_strerror (saved_errno));

  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    /* Translators: %s is a message such as "Cannot write “…”: No space left on device" */
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 _("%s. Free some space there, choose smaller files, or point XDG_CACHE_HOME at another "
                   "file system"), message);
  else
    g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), message);
}

/* Removes @path and the files in it (the tasks make no subdirectories);
 * one already gone (another process cleaned it up) is no error. */
static gboolean
remove_dir (const char  *path,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_remove (file) != 0 && errno != ENOENT)
        {
          set_errno_error (error, errno, _("Cannot remove “%s”: %s"), file);
          return FALSE;
        }
    }
  if (g_rmdir (path) != 0 && errno != ENOENT)
    {
      set_errno_error (error, errno, _("Cannot remove “%s”: %s"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
remove_stale_dir (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (remove_dir (path, &error))
    return TRUE;
  g_warning ("Cannot remove the files a stopped run left behind: %s", error->message);
  return FALSE;
}

guint
lab_files_remove_stale (const char *parent)
{
  g_return_val_if_fail (parent != NULL, 0);

  return lab_stale_remove_all (parent, DIR_PREFIX, S_IFDIR, remove_stale_dir);
}

static const char *
filesystem_of (const char *path)
{
  GUnixMountEntry *mount = g_unix_mount_for (path, NULL);
  const char *type;

  if (mount == NULL)
    return NULL;
  type = g_intern_string (g_unix_mount_get_fs_type (mount));
  g_unix_mount_free (mount);
  return type;
}

/* Fails when the file system of @self has less than @bytes free. */
static gboolean
check_free_space (LabFilesDir  *self,
                  guint64       bytes,
                  GError      **error)
{
  struct statvfs st;
  guint64 available;
  g_autofree char *parent = NULL;
  g_autofree char *display = NULL;
  g_autofree char *need = NULL;
  g_autofree char *have = NULL;

  if (fstatvfs (self->fd, &st) != 0)
    return TRUE;  /* the writes will say */
  available = (guint64) st.f_bavail * st.f_frsize;
  if (available >= bytes)
    return TRUE;

  /* The directory goes with the error: name the one the user knows. */
  parent = g_path_get_dirname (self->path);
  display = g_filename_display_name (parent);
  need = lab_format_bytes (bytes);
  have = lab_format_bytes (available);
  g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
               /* Translators: "needs 64 MiB free in “/home/me/.cache/…” … has 12 MiB" */
               _("The files written at once need %s free in “%s”, which has %s: free some space, "
                 "choose smaller files, or point XDG_CACHE_HOME at another file system"),
               need, display, have);
  return FALSE;
}

/**
 * lab_files_dir_new:
 *
 * Returns: (transfer full) (nullable): the directory, or %NULL with @error
 *   saying which directory could not be made and what to do
 */
LabFilesDir *
lab_files_dir_new (guint64   bytes_at_once,
                   GError  **error)
{
  g_autofree char *parent = lab_files_parent_dir ();
  g_autoptr(LabFilesDir) self = g_new0 (LabFilesDir, 1);

  self->fd = -1;
  if (g_mkdir_with_parents (parent, 0700) == 0)
    {
      g_autofree char *template = g_strdup_printf ("%s/" DIR_PREFIX "%d-XXXXXX", parent, (int) getpid ());

      lab_files_remove_stale (parent);
      if (g_mkdtemp_full (template, 0700) != NULL)
        self->path = g_steal_pointer (&template);
    }
  if (self->path == NULL)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (parent);

      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   _("Cannot make a directory for the files in “%s”: %s. Make sure it is a directory "
                     "you can write to, or point XDG_CACHE_HOME at another one"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  /* Held until the directory goes, so that no other process takes it for stale. */
  self->fd = lab_stale_hold (self->path);
  if (!check_free_space (self, bytes_at_once, error))
    return NULL;
  self->filesystem = filesystem_of (self->path);
  return g_steal_pointer (&self);
}

void
lab_files_dir_free (LabFilesDir *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;
  if (self->path != NULL && !remove_dir (self->path, &error))
    g_warning ("Cannot remove the directory of the files: %s", error->message);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->path);
  g_free (self);
}

const char *
lab_files_dir_get_path (LabFilesDir *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

const char *
lab_files_dir_get_filesystem (LabFilesDir *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->filesystem;
}

/* The task ----------------------------------------------------------------- */

/* Word @index of task @task's file: splitmix64 of a counter, so that every
 * file has its own content and the same in every mode. */
static inline guint64
content_word (guint   task,
              guint64 index)
{
  guint64 z = ((((guint64) task + 1) << 40) ^ index) + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Folds @len bytes into @hash a word at a time; only the file's last piece
 * may end in a partial word, which counts as padded with zeros. */
static guint64
hash_bytes (guint64       hash,
            const guint8 *data,
            gsize         len)
{
  gsize i;

  for (i = 0; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      hash = (hash ^ word) * HASH_PRIME;
    }
  if (i < len)
    {
      guint64 word = 0;

      memcpy (&word, data + i, len - i);
      hash = (hash ^ word) * HASH_PRIME;
    }
  return hash;
}

/* Fills @buffer with @len bytes of the file from byte @offset (a multiple of 8). */
static void
fill_content (guint8  *buffer,
              guint    task,
              guint64  offset,
              gsize    len)
{
  guint64 first = offset / 8;
  gsize words = (len + 7) / 8;

  for (gsize w = 0; w < words; w++)
    {
      guint64 word = content_word (task, first + w);

      memcpy (buffer + w * 8, &word, MIN (8, len - w * 8));
    }
}

/* Reads up to @len bytes, fewer only at the end of the file; -1 on error. */
static gssize
read_full (int     fd,
           guint8 *data,
           gsize   len)
{
  gsize have = 0;

  while (have < len)
    {
      ssize_t n = read (fd, data + have, len - have);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      have += n;
    }
  return have;
}

/* Writes the file, syncs it and drops it from the page cache as the
 * workload asks; returns the checksum of what it wrote in @expected.
 * Making the content is work (holds an interpreter lock); the system
 * calls wait for the kernel and the storage (release it). */
static gboolean
write_file (const LabWorkload  *workload,
            const char         *path,
            guint               task,
            guint8             *buffer,
            GCancellable       *cancellable,
            guint64            *expected,
            GError            **error)
{
  guint64 hash = HASH_OFFSET;
  gboolean ok = TRUE;
  int fd, saved_errno = 0;

  lab_yield_blocking_begin ();
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  saved_errno = errno;
  lab_yield_blocking_end ();
  if (fd < 0)
    {
      set_errno_error (error, saved_errno, _("Cannot write “%s”: %s"), path);
      return FALSE;
    }

  for (guint64 offset = 0; ok && offset < workload->size; offset += CHUNK)
    {
      gsize len = MIN (CHUNK, workload->size - offset);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }
      fill_content (buffer, task, offset, len);
      hash = hash_bytes (hash, buffer, len);
      lab_yield_blocking_begin ();
      ok = lab_save_write_all (fd, buffer, len);
      saved_errno = errno;
      lab_yield_blocking_end ();
    }
  if (!ok)
    {
      close (fd);
      set_errno_error (error, saved_errno, _("Cannot write “%s”: %s"), path);
      return FALSE;
    }

  lab_yield_blocking_begin ();
  if (workload->fsync && fsync (fd) != 0)
    {
      saved_errno = errno;
      set_errno_error (error, saved_errno, _("Cannot sync “%s” to storage: %s"), path);
      ok = FALSE;
    }
  /* Only clean pages can be dropped: write them out first. */
  else if (workload->cache == LAB_FILES_CACHE_COLD)
    {
      if (!workload->fsync && fdatasync (fd) != 0)
        {
          saved_errno = errno;
          set_errno_error (error, saved_errno, _("Cannot sync “%s” to storage: %s"), path);
          ok = FALSE;
        }
      else if ((saved_errno = posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED)) != 0)
        {
          set_errno_error (error, saved_errno, _("Cannot drop “%s” from the page cache: %s"), path);
          ok = FALSE;
        }
    }
  if (close (fd) != 0 && ok)
    {
      saved_errno = errno;
      set_errno_error (error, saved_errno, _("Cannot write “%s”: %s"), path);
      ok = FALSE;
    }
  lab_yield_blocking_end ();

  *expected = hash ^ workload->size;
  return ok;
}

/* How many bytes of the file open as @fd are in the page cache: mincore()
 * on a mapping that is never touched, so that asking brings nothing in. */
static gboolean
count_cached (int           fd,
              const char   *path,
              guint64       size,
              guint64      *cached,
              GError      **error)
{
  gsize page = sysconf (_SC_PAGESIZE);
  gsize pages = (size + page - 1) / page;
  g_autofree unsigned char *resident = g_malloc (pages);
  void *map;
  int saved_errno;

  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED || mincore (map, size, resident) != 0)
    {
      saved_errno = errno;
      if (map != MAP_FAILED)
        munmap (map, size);
      set_errno_error (error, saved_errno, _("Cannot tell how much of “%s” is in the page cache: %s"), path);
      return FALSE;
    }
  munmap (map, size);

  *cached = 0;
  for (gsize p = 0; p < pages; p++)
    if (resident[p] & 1)
      *cached += MIN (page, size - p * page);
  return TRUE;
}

/* Reads the file back; its checksum in @checksum, the bytes that were
 * cached before in @cached. */
static gboolean
read_file (const LabWorkload  *workload,
           const char         *path,
           guint8             *buffer,
           GCancellable       *cancellable,
           guint64            *checksum,
           guint64            *cached,
           guint64            *bytes,
           GError            **error)
{
  guint64 hash = HASH_OFFSET;
  gssize n = 0;
  int fd, saved_errno;
  gboolean ok;

  lab_yield_blocking_begin ();
  fd = open (path, O_RDONLY | O_CLOEXEC);
  saved_errno = errno;
  ok = fd >= 0 && count_cached (fd, path, workload->size, cached, error);
  lab_yield_blocking_end ();
  if (fd < 0)
    set_errno_error (error, saved_errno, _("Cannot read “%s” back: %s"), path);
  if (!ok)
    {
      if (fd >= 0)
        close (fd);
      return FALSE;
    }

  *bytes = 0;
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }
      lab_yield_blocking_begin ();
      n = read_full (fd, buffer, CHUNK);
      saved_errno = errno;
      lab_yield_blocking_end ();
      if (n <= 0)
        break;
      hash = hash_bytes (hash, buffer, n);
      *bytes += n;
    }
  close (fd);

  if (n < 0)
    {
      set_errno_error (error, saved_errno, _("Cannot read “%s” back: %s"), path);
      return FALSE;
    }
  *checksum = hash ^ *bytes;
  return TRUE;
}

gboolean
lab_files_run_task (const LabWorkload  *workload,
                    const char         *dir,
                    guint               task,
                    GCancellable       *cancellable,
                    LabSpan            *span,
                    GError            **error)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *buffer = NULL;
  guint64 expected = 0, checksum = 0, cached = 0, bytes = 0;
  gboolean ok;

  g_return_val_if_fail (workload != NULL && workload->kind == LAB_WORKLOAD_FILES, FALSE);
  g_return_val_if_fail (workload->size > 0, FALSE);

  if (dir == NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_TASK, _("No directory was given for the files"));
      return FALSE;
    }
  name = g_strdup_printf ("task-%u", task);
  path = g_build_filename (dir, name, NULL);
  buffer = g_malloc (MIN (CHUNK, workload->size));

  ok = write_file (workload, path, task, buffer, cancellable, &expected, error) &&
       read_file (workload, path, buffer, cancellable, &checksum, &cached, &bytes, error);

  /* Whatever happened, the file goes. */
  lab_yield_blocking_begin ();
  if (g_unlink (path) != 0 && errno != ENOENT && ok)
    {
      set_errno_error (error, errno, _("Cannot remove “%s”: %s"), path);
      ok = FALSE;
    }
  lab_yield_blocking_end ();
  if (!ok)
    return FALSE;

  if (bytes != workload->size || checksum != expected)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK,
                   _("“%s” came back different from what was written"), display);
      return FALSE;
    }
  span->bytes = bytes;
  span->cached_bytes = cached;
  span->checksum = checksum;
  return TRUE;
}
