/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "lab-fuzz.h"

/*
 * A fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput() once on
 * each file named on the command line, or in each directory named (in
 * the order of their names), so that the seed corpora, the reproducers of
 * the bugs fuzzing found among them, run as tests in every build.
 */

static guint
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *exact = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      exit (2);
    }
  /* A copy of exactly the input's size (never NULL, even when empty), as
   * libFuzzer passes it: reading past the end is then caught by the same
   * tools. */
  exact = g_malloc (MAX (len, 1));
  memcpy (exact, contents, len);
  LLVMFuzzerTestOneInput (exact, len);
  return 1;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
run_directory (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (2);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    n += run_file (names->pdata[i]);
  return n;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    n += g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? run_directory (argv[i]) : run_file (argv[i]);

  printf ("%s: %u inputs, every check held\n", argv[0], n);
  /* No input is no test: a corpus that went missing must not pass. */
  return n > 0 ? 0 : 1;
}
