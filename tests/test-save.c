/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-save.h"
#include "lab-stale.h"

/* Saving through a partial file named after the process, and removing
 * what killed processes left (lab-save.c, lab-stale.c). */

/* A PID that no process has: one that just ended. */
static pid_t
dead_pid (void)
{
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  return pid;
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* @names, sorted, one space between each. */
static char *
join_sorted (GPtrArray *names)
{
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* The folder holds the files named in @expected (each name's last
 * component), and nothing else. */
static void
assert_listing (const char  *folder,
                const char **expected)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *found_text = NULL;
  g_autofree char *wanted_text = NULL;
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (found, g_strdup (name));
  for (guint i = 0; expected[i] != NULL; i++)
    g_ptr_array_add (wanted, g_path_get_basename (expected[i]));
  found_text = join_sorted (found);
  wanted_text = join_sorted (wanted);
  g_assert_cmpstr (found_text, ==, wanted_text);
}

static void
test_owner_pid (void)
{
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-1234-AbC123", ".partial-"), ==, 1234);
  g_assert_cmpint (lab_stale_owner_pid ("a.partial-1.partial-77-xxxxxx", ".partial-"), ==, 77);
  g_assert_cmpint (lab_stale_owner_pid ("files-42-qwerty", "files-"), ==, 42);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-1234-AbC12", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-1234-AbC1234", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial--AbC123", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-12x4-AbC123", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-0-AbC123", ".partial-"), ==, 0);
  g_assert_cmpint (lab_stale_owner_pid ("r.csv.partial-99999999999-AbC123", ".partial-"), ==, 0);
}

/* The file is whole or not there; no partial file stays. */
static void
test_save (void)
{
  g_autofree char *folder = g_dir_make_tmp ("lab-save-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "r.csv", NULL);
  g_autofree char *missing = g_build_filename (folder, "nowhere", "r.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (lab_save_file (path, "a,b\r\n", 5, &error));
  g_assert_no_error (error);
  g_assert_true (lab_save_file (path, "c\r\n", 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "c\r\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0022, ==, 0);
  assert_listing (folder, (const char *[]) { path, NULL });

  g_assert_false (lab_save_file (missing, "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  assert_listing (folder, (const char *[]) { path, NULL });

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* What a killed save left goes with the next save in that folder; what a
 * living process is writing, and anything else, stays. */
static void
test_stale_partials_removed (void)
{
  g_autofree char *folder = g_dir_make_tmp ("lab-save-XXXXXX", NULL);
  g_autofree char *dead = g_strdup_printf ("%s/s.csv.partial-%d-AAAAAA", folder, (int) dead_pid ());
  g_autofree char *dead_dir = g_strdup_printf ("%s/d.partial-%d-BBBBBB", folder, (int) dead_pid ());
  g_autofree char *living = g_strdup_printf ("%s/s.csv.partial-%d-CCCCCC", folder, (int) getppid ());
  g_autofree char *held = g_strdup_printf ("%s/s.csv.partial-%d-DDDDDD", folder, (int) dead_pid ());
  g_autofree char *other = g_build_filename (folder, "s.csv.AAAAAA", NULL);
  g_autofree char *path = g_build_filename (folder, "r.csv", NULL);
  g_autoptr(GError) error = NULL;
  int held_fd;

  write_text (dead, "half a file");
  write_text (living, "being written");
  write_text (held, "held");
  write_text (other, "not ours");
  g_assert_cmpint (g_mkdir (dead_dir, 0700), ==, 0);
  /* A dead PID here, but locked: its writer lives in another PID namespace. */
  held_fd = lab_stale_hold (held);
  g_assert_cmpint (held_fd, >=, 0);
  g_assert_true (lab_stale_is_left (dead, lab_stale_owner_pid (dead, ".partial-")));
  g_assert_false (lab_stale_is_left (held, lab_stale_owner_pid (held, ".partial-")));

  g_assert_true (lab_save_file (path, "x", 1, &error));
  g_assert_no_error (error);
  assert_listing (folder, (const char *[]) { dead_dir, living, held, other, path, NULL });

  close (held_fd);
  g_assert_cmpuint (lab_save_remove_stale (folder), ==, 1);  /* the lock is free now */
  g_assert_cmpint (g_unlink (living), ==, 0);
  g_assert_cmpint (g_unlink (other), ==, 0);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dead_dir), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/save/owner-pid", test_owner_pid);
  g_test_add_func ("/save/save", test_save);
  g_test_add_func ("/save/stale-partials-removed", test_stale_partials_removed);
  return g_test_run ();
}
