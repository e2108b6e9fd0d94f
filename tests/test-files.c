/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-cell.h"
#include "lab-files.h"
#include "lab-protocol.h"
#include "lab-reading.h"
#include "lab-run.h"
#include "lab-test-run.h"

/* io:files with real files, real threads and real worker processes. Each
 * test has its own XDG_CACHE_HOME (G_TEST_OPTION_ISOLATE_DIRS), so that
 * "nothing left behind" means exactly that. */

/* Helpers ------------------------------------------------------------------ */

static LabRunConfig *
make_config (const char    *modes,
             guint          tasks,
             guint64        size,
             gboolean       fsync,
             LabFilesCache  cache)
{
  const guint workers[] = { 2 };
  LabRunBuilder *builder = lab_test_builder ("io:files", modes, workers, G_N_ELEMENTS (workers));

  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, size);
  lab_run_builder_set_number (builder, LAB_PARAM_FSYNC, fsync);
  lab_run_builder_set_number (builder, LAB_PARAM_CACHE, cache);
  return lab_test_build (builder);
}

/* How many directories the runs left in the cache, and files in them. */
static guint
count_left (guint *files)
{
  g_autofree char *parent = lab_files_parent_dir ();
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;
  guint dirs = 0;

  *files = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      g_autoptr(GDir) sub = g_dir_open (path, 0, NULL);

      dirs++;
      while (sub != NULL && g_dir_read_name (sub) != NULL)
        (*files)++;
    }
  return dirs;
}

static void
assert_nothing_left (void)
{
  guint files;

  g_assert_cmpuint (count_left (&files), ==, 0);
  g_assert_cmpuint (files, ==, 0);
}

/* A directory as a killed process would leave it, with a file in it. */
static char *
make_leftover (pid_t pid)
{
  g_autofree char *parent = lab_files_parent_dir ();
  g_autofree char *name = g_strdup_printf ("files-%d-AbCdEf", (int) pid);
  char *path = g_build_filename (parent, name, NULL);
  g_autofree char *file = g_build_filename (path, "task-3", NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "half a file", -1, NULL));
  return path;
}

/* The PID of a process that has just exited, and is reaped. */
static pid_t
dead_pid (void)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return pid;
}

/* Tests -------------------------------------------------------------------- */

/* Every mode reads back the same bytes; with a warm cache all of them were
 * cached; nothing stays behind. The size is neither a multiple of a word
 * nor of a page. */
static void
test_checksums (void)
{
  g_autoptr(LabRunConfig) config = make_config ("sequential,threads,gil,processes,spawn,gtask", 6, 300001,
                                                FALSE, LAB_FILES_CACHE_WARM);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) error = NULL;
  GListModel *cells;
  guint64 checksum = 0;

  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);

  cells = lab_run_get_cells (run);
  g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 6);
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      LabRepetition *rep = g_ptr_array_index (lab_cell_get_repetitions (cell), 0);

      g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 0);
      g_assert_cmpuint (lab_cell_get_ok_tasks (cell), ==, 6);
      g_assert_true (lab_cell_get_checksum_consistent (cell));
      if (i == 0)
        checksum = lab_cell_get_checksum (cell);
      g_assert_cmpuint (lab_cell_get_checksum (cell), ==, checksum);
      g_assert_cmpuint (rep->bytes, ==, 6 * 300001);
      g_assert_cmpuint (rep->cached_bytes, ==, rep->bytes);
      g_assert_cmpfloat (lab_cell_get_cached_fraction (cell), ==, 1.0);
      g_assert_nonnull (rep->files_fs);
      g_assert_true (rep->files_fs == g_intern_string (rep->files_fs));
    }
  g_assert_cmpuint (checksum, !=, 0);
  assert_nothing_left ();
}

/* The same files give the same checksum whatever the cache and fsync; a
 * cold cache is reported as such, and on a disk file system the pages
 * were really gone. */
static void
test_cold (void)
{
  g_autoptr(LabRunConfig) warm = make_config ("sequential", 4, 1 << 20, FALSE, LAB_FILES_CACHE_WARM);
  g_autoptr(LabRunConfig) cold = make_config ("sequential,threads,processes", 4, 1 << 20, TRUE,
                                              LAB_FILES_CACHE_COLD);
  g_autoptr(LabRun) warm_run = lab_run_new (warm);
  g_autoptr(LabRun) cold_run = lab_run_new (cold);
  g_autofree char *reading = NULL;
  GListModel *cells;
  guint64 checksum;

  g_assert_true (lab_run_execute (warm_run, NULL, NULL));
  g_assert_true (lab_run_execute (cold_run, NULL, NULL));
  {
    g_autoptr(LabCell) cell = g_list_model_get_item (lab_run_get_cells (warm_run), 0);

    checksum = lab_cell_get_checksum (cell);
  }

  cells = lab_run_get_cells (cold_run);
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      double cached = lab_cell_get_cached_fraction (cell);
      const char *fs = lab_cell_get_files_fs (cell);

      g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 0);
      g_assert_cmpuint (lab_cell_get_checksum (cell), ==, checksum);
      g_assert_cmpfloat (cached, >=, 0.0);
      g_assert_cmpfloat (cached, <=, 1.0);
      if (g_strcmp0 (fs, "tmpfs") == 0)
        g_assert_cmpfloat (cached, ==, 1.0);
      else if (g_strcmp0 (fs, "ext4") == 0 || g_strcmp0 (fs, "xfs") == 0 || g_strcmp0 (fs, "btrfs") == 0)
        g_assert_cmpfloat (cached, <, 0.5);
    }

  reading = lab_reading_files (cold->workload, cells);
  g_assert_nonnull (strstr (reading, "(fsync)"));
  g_assert_nonnull (strstr (reading, "Cold cache"));
  g_test_message ("%s", reading);
  g_clear_pointer (&reading, g_free);
  reading = lab_reading_files (warm->workload, lab_run_get_cells (warm_run));
  g_assert_nonnull (strstr (reading, "no fsync"));
  g_assert_nonnull (strstr (reading, "Warm cache: 100 %"));
  assert_nothing_left ();
}

typedef struct
{
  GCancellable *cancellable;
  guint         files_seen;
} CancelWatch;

/* Cancels the run as soon as a task's file exists. */
static gboolean
cancel_when_files_exist (gpointer data)
{
  CancelWatch *watch = data;
  guint files;

  count_left (&files);
  if (files == 0)
    return G_SOURCE_CONTINUE;
  watch->files_seen = files;
  g_cancellable_cancel (watch->cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelled while its files exist, a run removes them and their directory. */
static void
test_cancel (gconstpointer data)
{
  g_autoptr(LabRunConfig) config = make_config (data, 400, 4 << 20, TRUE, LAB_FILES_CACHE_COLD);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelWatch watch = { cancellable, 0 };
  guint source = g_timeout_add (1, cancel_when_files_exist, &watch);

  g_assert_false (lab_run_execute (run, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (watch.files_seen == 0)
    g_source_remove (source);
  g_assert_cmpuint (watch.files_seen, >, 0);
  assert_nothing_left ();
}

/* A cache directory that cannot be made fails the run, saying which one
 * and what to do, and nothing is written. */
static void
test_unwritable (void)
{
  g_autoptr(LabRunConfig) config = make_config ("threads", 4, 4096, FALSE, LAB_FILES_CACHE_WARM);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = lab_files_parent_dir ();

  /* A file where the directory should be: even root cannot write there. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (parent, "", 0, NULL));

  g_assert_false (lab_run_execute (run, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, parent));
  g_assert_nonnull (strstr (error->message, "XDG_CACHE_HOME"));
  g_assert_true (g_file_test (parent, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_unlink (parent), ==, 0);
}

/* Writes that fail part-way (a file size limit, as a full disk would)
 * fail their tasks with the reason and leave nothing behind. */
static void
test_write_error (void)
{
  g_autoptr(LabRunConfig) config = make_config ("sequential,threads", 4, 1 << 20, FALSE, LAB_FILES_CACHE_WARM);
  g_autoptr(LabRun) run = lab_run_new (config);
  struct rlimit saved, limit;
  GListModel *cells;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = 256 * 1024;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  cells = lab_run_get_cells (run);
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      g_autofree char *first_error = lab_cell_dup_first_error (cell);

      g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 4);
      g_assert_nonnull (strstr (first_error, "Cannot write"));
      g_assert_nonnull (strstr (first_error, g_strerror (EFBIG)));
    }
  assert_nothing_left ();
}

/* A killed process's directory goes; a live one's stays, as does one whose
 * owner holds its lock (a process in another PID namespace). */
static void
test_stale (void)
{
  g_autofree char *parent = lab_files_parent_dir ();
  pid_t first = dead_pid (), second;
  g_autofree char *dead = make_leftover (first);
  g_autofree char *live = make_leftover (getppid ());
  g_autofree char *locked = NULL;
  g_autofree char *other = g_build_filename (parent, "files-notapid-AbCdEf", NULL);
  int fd;

  /* Another dead PID, but its directory is locked. */
  do
    second = dead_pid ();
  while (second == first);
  locked = make_leftover (second);
  fd = open (locked, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);

  g_assert_cmpuint (lab_files_remove_stale (parent), ==, 1);
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (locked, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_DIR));

  /* Once the lock is free, it is stale too. */
  close (fd);
  g_assert_cmpuint (lab_files_remove_stale (parent), ==, 1);
  g_assert_false (g_file_test (locked, G_FILE_TEST_EXISTS));
}

/* The next run cleans up after a killed one. */
static void
test_stale_at_start (void)
{
  g_autoptr(LabRunConfig) config = make_config ("sequential", 2, 4096, FALSE, LAB_FILES_CACHE_WARM);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autofree char *dead = make_leftover (dead_pid ());

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  assert_nothing_left ();
}

/* What does not run io:files says so; its options belong to it alone. */
static void
test_refused (void)
{
  const struct {
    const char *workload;
    LabParam    param;
    const char *value;
    const char *message;
  } cases[] = {
    { "io:files", LAB_PARAM_MODES, "threads,async", "its one thread would stop" },
    { "io:files", LAB_PARAM_RUNTIME, "cpython", "does not run io:files" },
    { "io:files", LAB_PARAM_CACHE, "lukewarm", "--cache: “lukewarm” is neither warm nor cold" },
    { "io:files", LAB_PARAM_SIZE, "1073741825", "--size" },
    { "cpu:sumsq", LAB_PARAM_FSYNC, "1", "--fsync applies only to the workload io:files" },
    { "io:sleep", LAB_PARAM_CACHE, "cold", "--cache applies only to the workload io:files" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    lab_test_assert_refused (cases[i].workload, NULL, cases[i].param, cases[i].value, cases[i].message);
}

/* The worker protocol carries the options and the cached bytes. */
static void
test_protocol (void)
{
  g_autoptr(LabWorkload) workload = lab_workload_new_from_spec ("io:files", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  LabMessage msg = { .type = LAB_MESSAGE_WORKLOAD };
  const char *bad[] = {
    "W io:files 4096 8 30 64",                       /* no options */
    "W io:files 4096 8 30 64 2 warm",
    "W io:files 4096 8 30 64 1 tepid",
    "W io:files 4096 8 30 64 1 cold extra",
    "R 1 2 ok 3 4 5 4096 7 0 4097",                  /* more cached than read */
  };

  workload->fsync = TRUE;
  workload->cache = LAB_FILES_CACHE_COLD;
  msg.workload = workload;
  lab_message_format (&msg, out);
  g_assert_cmpstr (out->str, ==, "W io:files 4194304 16 30 67108864 1 cold\n");
  g_assert_true (lab_message_parse (out->str, out->len - 1, &msg, NULL));
  g_assert_true (msg.workload->fsync);
  g_assert_cmpint (msg.workload->cache, ==, LAB_FILES_CACHE_COLD);
  lab_message_clear (&msg);

  g_string_truncate (out, 0);
  msg = (LabMessage) { .type = LAB_MESSAGE_RESULT, .id = 1, .task = 2, .ok = TRUE, .checksum = 3,
                       .start_us = 4, .end_us = 5, .bytes = 4096, .tid = 7, .cached_bytes = 1024 };
  lab_message_format (&msg, out);
  g_assert_cmpstr (out->str, ==, "R 1 2 ok 3 4 5 4096 7 0 1024\n");
  g_assert_true (lab_message_parse (out->str, out->len - 1, &msg, NULL));
  g_assert_cmpuint (msg.cached_bytes, ==, 1024);
  lab_message_clear (&msg);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (lab_message_parse (bad[i], strlen (bad[i]), &msg, &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/files/checksums", test_checksums);
  g_test_add_func ("/files/cold", test_cold);
  g_test_add_data_func ("/files/cancel/threads", "threads", test_cancel);
  g_test_add_data_func ("/files/cancel/processes", "processes", test_cancel);
  g_test_add_func ("/files/unwritable", test_unwritable);
  g_test_add_func ("/files/write-error", test_write_error);
  g_test_add_func ("/files/stale", test_stale);
  g_test_add_func ("/files/stale-at-start", test_stale_at_start);
  g_test_add_func ("/files/refused", test_refused);
  g_test_add_func ("/files/protocol", test_protocol);
  return g_test_run ();
}
