/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lab-error.h"
#include "lab-format.h"
#include "lab-overhead-channel.h"
#include "lab-overhead-private.h"

/*
 * Communication: round trips of 64 B to 16 MiB between two threads and
 * between the application and a worker process, through each channel of
 * lab-overhead-channel.h. The number of round trips per measurement is
 * chosen from a first estimate so that each takes about TARGET_US (and
 * cut short at MAX_US if the machine gets busy): the fast channels make
 * tens of thousands of small round trips, the slow ones a few of 16 MiB.
 */

#define REPEATS          3
#define TARGET_US        (50 * 1000)
#define MAX_US           (2 * TARGET_US)
#define ESTIMATE_US      (5 * 1000)
#define MIN_ROUND_TRIPS  3
#define MAX_ROUND_TRIPS  1000000
/* A figure whose repeats mostly lie further than this fraction from their
 * median is called rough by the reading. */
#define ROUGH_SPREAD     0.25

static const gsize sizes[] = { 64, 4096, 1024 * 1024, 16 * 1024 * 1024 };
#define N_SIZES  G_N_ELEMENTS (sizes)
#define LARGEST  (16 * 1024 * 1024)

static const char *
channel_title (LabChannelKind kind)
{
  switch (kind)
    {
    case LAB_CHANNEL_THREADS_MUTEX:
      return _("Threads (mutex)");
    case LAB_CHANNEL_THREADS_QUEUE:
      return _("Threads (async queue)");
    case LAB_CHANNEL_PIPE:
      return _("Worker pipe");
    case LAB_CHANNEL_SHM:
    case LAB_N_CHANNELS:
    default:
      return _("Worker shared memory");
    }
}

typedef struct
{
  LabOverheadContext *ctx;
  GCancellable       *cancellable;
  LabChannel         *channels[LAB_N_CHANNELS];
  guint8             *message;
  guint8             *reply;
  guint64             serial;                         /* stamped into every message */
  guint64             round_trips[LAB_N_CHANNELS][N_SIZES];  /* 0 until estimated */
} Communication;

/* Up to *@n round trips of @size bytes through @channel, timed: fewer
 * (*@n says how many) when they take longer than MAX_US, as when the
 * machine got busy. The last answer must be the last message, byte for
 * byte. */
static gboolean
time_round_trips (Communication  *self,
                  LabChannelKind  kind,
                  gsize           size,
                  guint64        *n,
                  gint64         *elapsed_us,
                  GError        **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 now = start;
  guint64 done = 0;

  for (; done < *n && (done == 0 || now - start < MAX_US); done++)
    {
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
      /* Each message differs from the ones before: a stale answer fails. */
      self->serial++;
      memcpy (self->message, &self->serial, MIN (size, sizeof self->serial));
      if (!lab_channel_round_trip (self->channels[kind], self->message, self->reply, size, error))
        return FALSE;
      now = g_get_monotonic_time ();
    }
  *n = done;
  *elapsed_us = now - start;

  if (memcmp (self->reply, self->message, size) != 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("The answer through “%s” differs from the message"), lab_channel_kind_to_string (kind));
      return FALSE;
    }
  return TRUE;
}

/* Warms the channel up at this size and picks how many round trips take
 * about TARGET_US. */
static gboolean
estimate (Communication  *self,
          LabChannelKind  kind,
          guint           size_index,
          GError        **error)
{
  gsize size = sizes[size_index];
  gint64 elapsed_us;
  guint64 n = 1;

  /* The first round trip only warms up: the buffers' pages touched, the
   * partner scheduled. */
  if (!time_round_trips (self, kind, size, &n, &elapsed_us, error))
    return FALSE;
  for (guint64 want = 1;; want *= 4)
    {
      n = want;
      if (!time_round_trips (self, kind, size, &n, &elapsed_us, error))
        return FALSE;
      if (elapsed_us >= ESTIMATE_US || n >= MAX_ROUND_TRIPS)
        break;
    }
  self->round_trips[kind][size_index] =
    CLAMP ((guint64) (TARGET_US * (double) n / MAX (elapsed_us, 1)), MIN_ROUND_TRIPS, MAX_ROUND_TRIPS);
  return TRUE;
}

static gboolean
measure (Communication  *self,
         LabChannelKind  kind,
         guint           size_index,
         guint           repeat,
         GError        **error)
{
  const char *variant = lab_channel_kind_to_string (kind);
  gsize size = sizes[size_index];
  gint64 elapsed_us;
  guint64 n;
  double latency_us;

  if (self->round_trips[kind][size_index] == 0 && !estimate (self, kind, size_index, error))
    return FALSE;
  n = self->round_trips[kind][size_index];
  if (!time_round_trips (self, kind, size, &n, &elapsed_us, error))
    return FALSE;

  latency_us = (double) elapsed_us / n;
  lab_overhead_context_add_point (self->ctx, variant, "latency", "bytes", size, latency_us, "us", repeat);
  /* Both ways: bytes per nanosecond are GB/s. */
  lab_overhead_context_add_point (self->ctx, variant, "throughput", "bytes", size,
                                  2.0 * size / (latency_us * 1000), "GB/s", repeat);
  return TRUE;
}

static gboolean
measure_all (Communication  *self,
             GError        **error)
{
  const char *worker_path = lab_overhead_context_get_worker_path (self->ctx);
  guint done = 0, total = REPEATS * N_SIZES * LAB_N_CHANNELS;
  g_autoptr(GRand) rand = g_rand_new ();

  for (gsize i = 0; i < LARGEST / sizeof (guint32); i++)
    ((guint32 *) self->message)[i] = g_rand_int (rand);

  for (guint kind = 0; kind < LAB_N_CHANNELS; kind++)
    {
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
      self->channels[kind] = lab_channel_new (kind, worker_path, LARGEST, error);
      if (self->channels[kind] == NULL)
        return FALSE;
    }

  /* Repeats outermost: a disturbance hits every channel alike. */
  for (guint repeat = 0; repeat < REPEATS; repeat++)
    for (guint s = 0; s < N_SIZES; s++)
      for (guint kind = 0; kind < LAB_N_CHANNELS; kind++)
        {
          if (!measure (self, kind, s, repeat, error))
            return FALSE;
          lab_overhead_context_set_progress (self->ctx, (double) ++done / total);
        }
  return TRUE;
}

static gboolean
run (LabOverheadContext  *ctx,
     GError             **error)
{
  Communication self = {
    .ctx = ctx,
    .cancellable = lab_overhead_context_get_cancellable (ctx),
    .message = g_malloc (LARGEST),
    .reply = g_malloc (LARGEST),
  };
  gboolean ok = measure_all (&self, error);

  for (guint kind = 0; kind < LAB_N_CHANNELS; kind++)
    g_clear_pointer (&self.channels[kind], lab_channel_free);
  g_free (self.message);
  g_free (self.reply);
  return ok;
}

/* One line per channel over the message sizes. */
static LabOverheadTable *
size_table (GPtrArray        *points,
            const char       *metric,
            LabOverheadTable *table)
{
  g_autoptr(GArray) params = lab_overhead_points_parameters (points, metric);

  table->log_x = TRUE;
  for (guint i = 0; i < params->len; i++)
    {
      double bytes = g_array_index (params, double, i);
      g_autofree char *label = lab_format_bytes ((guint64) bytes);

      lab_overhead_table_add_column (table, label, bytes);
    }
  for (guint kind = 0; kind < LAB_N_CHANNELS; kind++)
    {
      LabOverheadSeries *series = NULL;

      for (guint i = 0; i < params->len; i++)
        {
          double value = lab_overhead_points_median (points, lab_channel_kind_to_string (kind), metric,
                                                     g_array_index (params, double, i));

          if (!isfinite (value))
            continue;
          if (series == NULL)
            series = lab_overhead_table_add_series (table, channel_title (kind));
          lab_overhead_series_set (series, i, value);
        }
    }
  return table;
}

static GPtrArray *
tables (GPtrArray *points)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  LabOverheadTable *latency, *throughput;

  latency = lab_overhead_table_new (LAB_OVERHEAD_CHART_LINES, _("Round-trip latency"),
                                    _("Message size"), _("Round trip (µs)"), "us");
  latency->log_y = TRUE;
  g_ptr_array_add (result, size_table (points, "latency", latency));
  throughput = lab_overhead_table_new (LAB_OVERHEAD_CHART_LINES,
                                       _("Throughput (2 × message size per round trip)"),
                                       _("Message size"), _("Throughput (GB/s)"), "GB/s");
  g_ptr_array_add (result, size_table (points, "throughput", throughput));
  return result;
}

/* Whether the repeats of a quoted figure are too far apart to trust: a
 * majority of them must lie within ROUGH_SPREAD of their median, so that
 * one disturbed repeat does not spoil the others. */
static gboolean
rough (GPtrArray  *points,
       const char *variant,
       const char *metric,
       double      bytes)
{
  double median = lab_overhead_points_median (points, variant, metric, bytes);
  guint near = 0, all = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (!g_str_equal (point->variant, variant) || !g_str_equal (point->metric, metric) ||
          point->parameter_value != bytes)
        continue;
      all++;
      near += fabs (point->value - median) <= ROUGH_SPREAD * median;
    }
  return 2 * near <= all;
}

/* The smallest size measured through the pipe and between threads: the
 * pipe's latency and the faster threads' one. */
static char *
latency_sentence (GPtrArray *points,
                  gboolean  *is_rough)
{
  const char *pipe = lab_channel_kind_to_string (LAB_CHANNEL_PIPE);
  const char *mutex = lab_channel_kind_to_string (LAB_CHANNEL_THREADS_MUTEX);
  const char *queue = lab_channel_kind_to_string (LAB_CHANNEL_THREADS_QUEUE);
  g_autoptr(GArray) params = lab_overhead_points_parameters (points, "latency");

  for (guint i = 0; i < params->len; i++)
    {
      double bytes = g_array_index (params, double, i);
      double through_pipe = lab_overhead_points_median (points, pipe, "latency", bytes);
      double with_mutex = lab_overhead_points_median (points, mutex, "latency", bytes);
      double with_queue = lab_overhead_points_median (points, queue, "latency", bytes);
      gboolean use_queue = !isfinite (with_mutex) || with_queue < with_mutex;
      double threads = use_queue ? with_queue : with_mutex;
      g_autofree char *size = NULL, *pipe_text = NULL, *threads_text = NULL;

      if (!isfinite (through_pipe) || !isfinite (threads))
        continue;
      size = lab_format_bytes ((guint64) bytes);
      pipe_text = lab_format_number (through_pipe);
      threads_text = lab_format_number (threads);
      *is_rough |= rough (points, pipe, "latency", bytes) ||
                   rough (points, use_queue ? queue : mutex, "latency", bytes);
      /* TRANSLATORS: a message size ("64 bytes"), two round-trip times in
       * microseconds, and how the threads hand the message over */
      return g_strdup_printf (_("A round trip of %s takes %s µs through a worker’s pipe and %s µs between two threads (%s)."),
                              size, pipe_text, threads_text,
                              use_queue ? _("an async queue") : _("a mutex and a condition"));
    }
  return NULL;
}

/* The largest size measured both through shared memory and the pipe. */
static char *
throughput_sentence (GPtrArray *points,
                     gboolean  *is_rough)
{
  const char *pipe = lab_channel_kind_to_string (LAB_CHANNEL_PIPE);
  const char *shm = lab_channel_kind_to_string (LAB_CHANNEL_SHM);
  g_autoptr(GArray) params = lab_overhead_points_parameters (points, "throughput");

  for (guint i = params->len; i-- > 0;)
    {
      double bytes = g_array_index (params, double, i);
      double through_shm = lab_overhead_points_median (points, shm, "throughput", bytes);
      double through_pipe = lab_overhead_points_median (points, pipe, "throughput", bytes);
      g_autofree char *size = NULL, *shm_text = NULL, *pipe_text = NULL;

      if (!isfinite (through_shm) || !isfinite (through_pipe))
        continue;
      size = lab_format_bytes ((guint64) bytes);
      shm_text = lab_format_number (through_shm);
      pipe_text = lab_format_number (through_pipe);
      *is_rough |= rough (points, shm, "throughput", bytes) || rough (points, pipe, "throughput", bytes);
      /* TRANSLATORS: a message size ("16 MiB") and two throughputs in GB/s */
      return g_strdup_printf (_("At %s per message, a worker’s shared memory moves %s GB/s and its pipe %s GB/s."),
                              size, shm_text, pipe_text);
    }
  return NULL;
}

static char *
reading (GPtrArray *points,
         gboolean   complete)
{
  gboolean is_rough = FALSE;
  g_autofree char *latency = latency_sentence (points, &is_rough);
  g_autofree char *throughput = throughput_sentence (points, &is_rough);
  GString *text;

  if (latency == NULL && throughput == NULL)
    return NULL;
  text = g_string_new (latency);
  if (throughput != NULL)
    g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", throughput);
  if (is_rough)
    g_string_append_printf (text, " %s",
                            _("Most of their repeats differ by more than a quarter, so take them as rough."));
  return g_string_free (text, FALSE);
}

const LabOverheadExperiment lab_overhead_communication_experiment = {
  .kind = LAB_OVERHEAD_COMMUNICATION,
  .name = "communication",
  .title = N_("Communication"),
  .description = N_("Round trips of 64 B to 16 MiB between two threads (a buffer handed over with a mutex or an "
                    "async queue) and between the application and a worker process (its pipe, or a memfd shared "
                    "memory segment): the latency of one round trip and the throughput, both ways counted."),
  .run = run,
  .tables = tables,
  .reading = reading,
};
