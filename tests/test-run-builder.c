/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab-kernel.h"
#include "lab-machine.h"
#include "lab-run-builder.h"

#define SERVER "http://127.0.0.1:9"

/* Builds @builder expecting a usage error whose message holds every one of
 * the NULL-terminated @needles. */
static void
assert_refused (LabRunBuilder *builder,
                ...)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *needle;
  va_list args;

  config = lab_run_builder_build (builder, &error);
  g_assert_null (config);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  va_start (args, builder);
  while ((needle = va_arg (args, const char *)) != NULL)
    if (strstr (error->message, needle) == NULL)
      g_error ("“%s” is not in the message “%s”", needle, error->message);
  va_end (args);
}

static LabRunConfig *
assert_built (LabRunBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  LabRunConfig *config = lab_run_builder_build (builder, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static LabRunBuilder *
builder_for (const char *spec)
{
  LabRunBuilder *builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

  g_assert_true (lab_run_builder_set_workload (builder, spec, NULL));
  if (g_str_equal (spec, "io:download"))
    lab_run_builder_set_server (builder, SERVER);
  return builder;
}

static void
test_defaults (void)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = assert_built (builder);
  guint n_cpus = lab_machine_n_cpus ();

  g_assert_cmpint (config->workload->kind, ==, LAB_WORKLOAD_CPU);
  g_assert_cmpstr (config->workload->kernel->name, ==, "primes");
  g_assert_cmpuint (config->workload->size, ==, config->workload->kernel->default_size);
  g_assert_cmpuint (config->workload->tasks, ==, 16);
  g_assert_cmpuint (config->runtimes->len, ==, 1);
  g_assert_cmpint (g_array_index (config->runtimes, LabRuntime, 0), ==, LAB_RUNTIME_NATIVE);
  g_assert_null (config->interpreters[LAB_RUNTIME_CPYTHON]);
  g_assert_cmpuint (config->modes->len, ==, 4);
  g_assert_cmpint (g_array_index (config->modes, LabMode, 0), ==, LAB_MODE_SEQUENTIAL);
  g_assert_cmpint (g_array_index (config->modes, LabMode, 3), ==, LAB_MODE_SPAWN);
  g_assert_cmpuint (config->workers->len, ==, n_cpus > 1 ? 2 : 1);
  g_assert_cmpuint (g_array_index (config->workers, guint, config->workers->len - 1), ==, n_cpus);
  g_assert_cmpuint (config->repeat, ==, 3);
  g_assert_cmpuint (config->warmup, ==, 1);
  g_assert_cmpuint (config->task_timeout_ms, ==, 300 * 1000);
  g_assert_cmpint (config->worker_nice, ==, 0);
  g_assert_null (config->worker_path);
}

typedef struct
{
  const char *spec;
  LabParam    param;
  guint64     min;
  guint64     max;
} LimitCase;

static const LimitCase limits[] = {
  { "cpu:primes", LAB_PARAM_SIZE, 1, 0 /* the kernel's */ },
  { "io:sleep", LAB_PARAM_SIZE, 1, LAB_SLEEP_MAX_MS },
  { "cpu:sumsq", LAB_PARAM_TASKS, 1, LAB_MAX_TASKS },
  { "cpu:sumsq", LAB_PARAM_WORKERS, 1, LAB_MAX_WORKERS },
  { "cpu:sumsq", LAB_PARAM_REPEAT, 1, 1000 },
  { "cpu:sumsq", LAB_PARAM_WARMUP, 0, 100 },
  { "cpu:sumsq", LAB_PARAM_TASK_TIMEOUT_S, 0, 86400 },
  { "cpu:sumsq", LAB_PARAM_NICE, 0, 19 },
  { "io:download", LAB_PARAM_TIMEOUT_S, 1, 86400 },
  { "io:download", LAB_PARAM_MAX_BYTES, 1, G_MAXINT64 },
  { "io:download", LAB_PARAM_DELAY_MS, 0, 600000 },
  { "io:download", LAB_PARAM_BYTES, 0, G_GUINT64_CONSTANT (256) * 1024 * 1024 },
};

/* @text for the parameter of @lc: refused with the name and the range. */
static void
check_limit_text (const LimitCase *lc,
                  guint64          max,
                  const char      *text,
                  gboolean         accepted)
{
  g_autoptr(LabRunBuilder) builder = builder_for (lc->spec);
  g_autofree char *range = g_strdup_printf ("from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, lc->min, max);

  g_assert_true (lab_run_builder_parse (builder, lc->param, text, NULL));
  if (accepted)
    {
      g_autoptr(LabRunConfig) config = assert_built (builder);
    }
  else
    assert_refused (builder, lab_run_builder_param_name (builder, lc->param), range, NULL);
}

static void
test_limits (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    {
      const LimitCase *lc = &limits[i];
      guint64 max = lc->max != 0 ? lc->max : lab_kernel_lookup ("primes")->max_size;
      g_autofree char *min_text = g_strdup_printf ("%" G_GUINT64_FORMAT, lc->min);
      g_autofree char *max_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max);
      g_autofree char *over = g_strdup_printf ("%" G_GUINT64_FORMAT, max + 1);
      g_autofree char *under = g_strdup_printf ("%" G_GUINT64_FORMAT, lc->min - 1);

      g_test_message ("%s, parameter %u", lc->spec, lc->param);
      check_limit_text (lc, max, over, FALSE);
      check_limit_text (lc, max, "-5", FALSE);
      check_limit_text (lc, max, "12abc", FALSE);
      check_limit_text (lc, max, "99999999999999999999999", FALSE);
      if (lc->min > 0)
        check_limit_text (lc, max, under, FALSE);
      check_limit_text (lc, max, min_text, TRUE);
      /* The largest worker count is valid, but not worth starting here. */
      if (lc->param != LAB_PARAM_WORKERS && lc->param != LAB_PARAM_TASKS)
        check_limit_text (lc, max, max_text, TRUE);
    }
}

/* What the builder accepts, the worker accepts (lab_workload_check()); one
 * past a limit, both refuse it with the same range. */
static void
test_workload_limits (void)
{
  const char *specs[] = { "cpu:matmul", "cpu:sumsq", "io:sleep", "io:files", "pipeline", "io:download" };
  const struct {
    LabParam         param;
    LabWorkloadLimit limit;
  } fields[] = {
    { LAB_PARAM_SIZE, LAB_WORKLOAD_LIMIT_SIZE },
    { LAB_PARAM_TASKS, LAB_WORKLOAD_LIMIT_TASKS },
    { LAB_PARAM_TIMEOUT_S, LAB_WORKLOAD_LIMIT_TIMEOUT },
    { LAB_PARAM_MAX_BYTES, LAB_WORKLOAD_LIMIT_MAX_BYTES },
  };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
      {
        g_autoptr(LabRunBuilder) builder = builder_for (specs[i]);
        g_autoptr(LabWorkload) kind = lab_workload_new_from_spec (specs[i], NULL);
        g_autoptr(LabRunConfig) config = NULL;
        g_autoptr(LabWorkload) over = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *range = NULL;
        guint64 min, max;

        if (g_str_equal (specs[i], "pipeline"))
          lab_run_builder_set_server (builder, SERVER);
        if (!lab_workload_get_limit (kind, fields[f].limit, &min, &max))
          continue;
        g_test_message ("%s, limit %u", specs[i], fields[f].limit);
        range = g_strdup_printf ("from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, min, max);
        /* Large tasks only build: nothing runs. */
        lab_run_builder_set_number (builder, fields[f].param, fields[f].limit == LAB_WORKLOAD_LIMIT_TASKS ? 1000 : max);
        config = assert_built (builder);
        g_assert_true (lab_workload_check (config->workload, &error));
        g_assert_no_error (error);

        over = lab_workload_copy (config->workload);
        switch (fields[f].limit)
          {
          case LAB_WORKLOAD_LIMIT_SIZE:
            over->size = max + 1;
            break;
          case LAB_WORKLOAD_LIMIT_TASKS:
            over->tasks = max + 1;
            break;
          case LAB_WORKLOAD_LIMIT_TIMEOUT:
            over->timeout_s = max + 1;
            break;
          case LAB_WORKLOAD_LIMIT_MAX_BYTES:
            over->max_bytes = max + 1;
            break;
          case LAB_WORKLOAD_N_LIMITS:
          default:
            g_assert_not_reached ();
          }
        g_assert_false (lab_workload_check (over, &error));
        g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull (strstr (error->message, range));
        lab_run_builder_set_number (builder, fields[f].param, max + 1);
        assert_refused (builder, lab_run_builder_param_name (builder, fields[f].param), range, NULL);
      }
}

/* The same limit, typed in from a window, names the window's label. */
static void
test_limit_typed (void)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);

  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 0);
  assert_refused (builder, "Repetitions: “0” is not a whole number from 1 to 1000", NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 1001);
  assert_refused (builder, "Repetitions", "1001", NULL);
}

static void
test_workers_list (void)
{
  const char *bad[] = { "0", "1,x", "100000", "", ",", "1,,2" };
  g_autoptr(LabRunBuilder) sweep = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  const guint expected[] = { 1, 2, 4, 6 };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_WORKERS, bad[i], NULL));
      assert_refused (builder, "--workers", NULL);
    }

  lab_run_builder_set_worker_sweep (sweep, 6);
  config = assert_built (sweep);
  g_assert_cmpmem (config->workers->data, config->workers->len * sizeof (guint), expected, sizeof expected);
}

static void
test_workloads (void)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(GError) error = NULL;

  g_assert_false (lab_run_builder_parse (builder, LAB_PARAM_WORKLOAD, "cpu:nope", &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  g_assert_false (lab_run_builder_parse (builder, LAB_PARAM_WORKLOAD, "gpu:x", &error));
  g_assert_nonnull (strstr (error->message, "accepted"));

  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_RUNTIME, "jython", NULL));
  assert_refused (builder, "--runtime", "jython", "native, cpython, cpython-nogil", NULL);
  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_RUNTIME, "native,", NULL));
  assert_refused (builder, "--runtime", "“”", NULL);
}

typedef struct
{
  const char *spec;
  const char *modes;
  const char *needle;
} ModeCase;

static void
test_modes (void)
{
  const ModeCase refused[] = {
    { "cpu:primes", "async", "“async” cannot run the workload “cpu:primes”" },
    { "cpu:sumsq", "threads,async", "“async” cannot run the workload “cpu:sumsq”" },
    { "cpu:primes", "threads,fibers", "unknown mode “fibers”" },
    { "cpu:primes", "fibers", "sequential, threads, processes, spawn, gil, async (io:sleep and io:download), gtask (io:sleep, io:download and io:files) and hybrid (pipeline)" },
    { "cpu:primes", "", "at least one mode" },
    { "cpu:primes", " , ", "unknown mode" },
  };
  const ModeCase accepted[] = {
    { "io:sleep", "sequential,threads,processes,spawn,async" },
    { "io:download", " async , threads " },
    /* The emulated GIL: threads, for computing as for waiting */
    { "cpu:primes", "sequential,gil" },
    { "cpu:matmul", "gil" },
    { "io:sleep", "gil,threads" },
    { "io:download", "gil" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(LabRunBuilder) builder = builder_for (refused[i].spec);

      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, refused[i].modes, NULL));
      assert_refused (builder, "--modes", refused[i].needle, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(LabRunBuilder) builder = builder_for (accepted[i].spec);
      g_autoptr(LabRunConfig) config = NULL;

      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, accepted[i].modes, NULL));
      config = assert_built (builder);
      g_assert_true (lab_run_builder_accepts_mode (builder, LAB_MODE_GIL));
      g_assert_true (lab_run_builder_accepts_mode (builder, LAB_MODE_ASYNC) ==
                     !g_str_has_prefix (accepted[i].spec, "cpu:"));
    }
}

/* A parameter set for a workload it means nothing to. */
static void
test_parameters_that_do_not_apply (void)
{
  const struct {
    const char *spec;
    LabParam    param;
    const char *needle;
  } cases[] = {
    { "cpu:primes", LAB_PARAM_TIMEOUT_S, "--timeout-s applies only to the workloads io:download and pipeline" },
    { "cpu:primes", LAB_PARAM_MAX_BYTES, "--max-bytes applies only" },
    { "io:sleep", LAB_PARAM_DELAY_MS, "--delay-ms applies only to the workloads io:download and pipeline, not to io:sleep" },
    { "io:sleep", LAB_PARAM_STORE_DIR, "--store-dir applies only to the workload pipeline, not to io:sleep" },
    { "cpu:primes", LAB_PARAM_BYTES, "--bytes applies only" },
    { "io:download", LAB_PARAM_SIZE, "--size does not apply to the workload io:download" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabRunBuilder) builder = builder_for (cases[i].spec);

      g_assert_true (lab_run_builder_parse (builder, cases[i].param, "10", NULL));
      assert_refused (builder, cases[i].needle, NULL);
    }

  {
    g_autoptr(LabRunBuilder) builder = builder_for ("cpu:primes");

    g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_URLS, "http://example.invalid/", NULL));
    assert_refused (builder, "--url/--urls applies only to the workload io:download", NULL);
  }
  {
    g_autoptr(LabRunBuilder) builder = builder_for ("io:download");

    lab_run_builder_add_url (builder, "http://example.invalid/");
    lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, 10);
    assert_refused (builder, "--delay-ms applies only to downloads from the embedded server", NULL);
  }
}

static char *
write_file (const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("lab-urls-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return path;
}

static void
test_url_lists (void)
{
  const struct {
    const char *contents;
    gssize      length;
    const char *needle;
  } bad[] = {
    { "", -1, "the list of URLs is empty" },
    { "# only a comment\n\n   \n", -1, "the list of URLs is empty" },
    { "http://a/\0http://b/\n", 20, "is not a UTF-8 text file" },
    { "http://\xff\xfe/\n", -1, "is not a UTF-8 text file" },
    /* A worker gets its URL in one line of the protocol: no control characters. */
    { "http://a.invalid/x\035y\n", -1, "the URL “http://a.invalid/x\xef\xbf\xbdy” holds a control character" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_file (bad[i].contents, bad[i].length);
      g_autoptr(LabRunBuilder) builder = builder_for ("io:download");
      g_autoptr(GError) error = NULL;

      if (lab_run_builder_add_url_file (builder, path, &error))
        assert_refused (builder, "--urls", bad[i].needle, NULL);
      else
        {
          g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, "--urls"));
          g_assert_nonnull (strstr (error->message, bad[i].needle));
        }
      g_unlink (path);
    }

  {
    g_autoptr(LabRunBuilder) builder = builder_for ("io:download");
    g_autoptr(GError) error = NULL;

    g_assert_false (lab_run_builder_add_url_file (builder, "/nonexistent/urls.txt", &error));
    g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "--urls: cannot read “/nonexistent/urls.txt”"));
  }
}

static void
test_url_list_tasks (void)
{
  g_autofree char *path = write_file ("# mirrors\n http://a.invalid/x \n\nhttp://b.invalid/y\n#\n", -1);
  g_autoptr(LabRunBuilder) builder = builder_for ("io:download");
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRunConfig) cycled = NULL;

  g_assert_true (lab_run_builder_add_url_file (builder, path, NULL));
  lab_run_builder_add_url (builder, "ftp://c.invalid/z");
  g_assert_false (lab_run_builder_needs_server (builder));

  /* One task per URL, malformed ones kept: they fail their own task. */
  config = assert_built (builder);
  g_assert_cmpuint (config->workload->tasks, ==, 3);
  g_assert_cmpuint (g_strv_length (config->workload->urls), ==, 3);
  g_assert_cmpstr (config->workload->urls[0], ==, "http://a.invalid/x");
  g_assert_cmpstr (config->workload->urls[2], ==, "ftp://c.invalid/z");

  /* With a task count, the tasks take the URLs in turn. */
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 7);
  cycled = assert_built (builder);
  g_assert_cmpuint (cycled->workload->tasks, ==, 7);
  g_assert_cmpstr (lab_workload_task_argument (cycled->workload, 4), ==, "http://b.invalid/y");
  g_unlink (path);
}

/* A worker gets its URL in one line of the protocol: a longer URL is
 * refused before the run, in every mode alike. */
static void
test_url_too_long (void)
{
  g_autoptr(LabRunBuilder) builder = builder_for ("io:download");
  g_autoptr(GString) url = g_string_new ("http://a.invalid/");
  g_autofree char *needle = NULL;

  while (url->len <= LAB_MAX_URL_LENGTH)
    g_string_append_c (url, 'a');
  lab_run_builder_add_url (builder, url->str);
  needle = g_strdup_printf ("is %" G_GSIZE_FORMAT " bytes long; at most %d are accepted",
                            url->len, LAB_MAX_URL_LENGTH);
  assert_refused (builder, "--url/--urls: the URL “http://a.invalid/aaa", needle, NULL);

  /* The longest is a run of its own. */
  g_string_truncate (url, LAB_MAX_URL_LENGTH);
  {
    g_autoptr(LabRunBuilder) longest = builder_for ("io:download");
    g_autoptr(LabRunConfig) config = NULL;

    lab_run_builder_add_url (longest, url->str);
    config = lab_run_builder_build (longest, NULL);
    g_assert_nonnull (config);
    g_assert_cmpstr (config->workload->urls[0], ==, url->str);
  }
}

static void
test_too_many_urls (void)
{
  g_autoptr(LabRunBuilder) builder = builder_for ("io:download");

  for (guint i = 0; i <= LAB_MAX_TASKS; i++)
    lab_run_builder_add_url (builder, "http://a.invalid/");
  assert_refused (builder, "--urls: too many URLs (1000001); at most 1000000", NULL);
}

static void
test_embedded_server (void)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);
  g_autoptr(LabRunConfig) config = NULL;

  g_assert_true (lab_run_builder_set_workload (builder, "io:download", NULL));
  g_assert_true (lab_run_builder_needs_server (builder));
  assert_refused (builder, "the built-in server is not running", NULL);

  lab_run_builder_set_server (builder, SERVER);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 5);
  lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, 50);
  lab_run_builder_set_number (builder, LAB_PARAM_BYTES, 1000);
  config = assert_built (builder);
  g_assert_cmpuint (g_strv_length (config->workload->urls), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (config->workload->urls[i], ==, SERVER "/delay/50?bytes=1000");
  g_assert_cmpuint (config->workload->timeout_s, ==, 30);
  g_assert_cmpuint (config->workload->max_bytes, ==, 64 * 1024 * 1024);
}

/* Runs whose workers could not all get descriptors are refused up front,
 * saying the limit, the need and what to do. */
static void
test_fd_limit (void)
{
  static const struct {
    const char *spec;
    const char *modes;
    const char *workers;
    const char *url;            /* NULL: the embedded server */
    const char *refusal;        /* NULL: built */
    const char *fit;
  } cases[] = {
    { "io:download", "threads", "512", NULL, "512 workers in the mode “threads” need about 1088", "at most 480" },
    { "io:download", "sequential,async", "1,512", NULL, "512 workers in the mode “async” need about 1088", "at most 480" },
    { "io:download", "threads", "480", NULL, NULL, NULL },
    { "io:download", "processes", "241", NULL, "need about 1028", "at most 240" },
    { "io:download", "threads", "512", "http://192.0.2.1/x", NULL, NULL },
    { "cpu:primes", "threads", "512", NULL, NULL, NULL },
    { "cpu:primes", "spawn", "512", NULL, "need about 1600", "at most 320" },
    { "io:files", "threads", "512", NULL, NULL, NULL },
  };
  struct rlimit saved, low;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = 1024;
  if (low.rlim_max != RLIM_INFINITY && low.rlim_max < 1024)
    {
      g_test_skip ("the hard limit of open files is below 1024");
      return;
    }
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabRunBuilder) builder = builder_for (cases[i].spec);

      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, cases[i].modes, NULL));
      g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_WORKERS, cases[i].workers, NULL));
      if (cases[i].url != NULL)
        lab_run_builder_add_url (builder, cases[i].url);
      if (cases[i].refusal != NULL)
        assert_refused (builder, "--workers: ", cases[i].refusal, cases[i].fit,
                        "this process may open (1024)", "ulimit -n", NULL);
      else
        lab_run_config_free (assert_built (builder));
    }

  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-builder/defaults", test_defaults);
  g_test_add_func ("/run-builder/limits", test_limits);
  g_test_add_func ("/run-builder/limit-typed", test_limit_typed);
  g_test_add_func ("/run-builder/workload-limits", test_workload_limits);
  g_test_add_func ("/run-builder/workers-list", test_workers_list);
  g_test_add_func ("/run-builder/workloads", test_workloads);
  g_test_add_func ("/run-builder/modes", test_modes);
  g_test_add_func ("/run-builder/not-applicable", test_parameters_that_do_not_apply);
  g_test_add_func ("/run-builder/url-lists", test_url_lists);
  g_test_add_func ("/run-builder/url-list-tasks", test_url_list_tasks);
  g_test_add_func ("/run-builder/url-too-long", test_url_too_long);
  g_test_add_func ("/run-builder/too-many-urls", test_too_many_urls);
  g_test_add_func ("/run-builder/embedded-server", test_embedded_server);
  g_test_add_func ("/run-builder/fd-limit", test_fd_limit);

  return g_test_run ();
}
