/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lab-pipeline-store.h"
#include "lab-task.h"

struct _LabPipelineStore
{
  LabPipelineQueue *rows;
  LabSpanSink      *sink;
  gint64            t0;
  char             *temp_dir;   /* NULL: the caller's folder, kept */
  char             *path;
  GOutputStream    *stream;
  GThread          *thread;
  GError           *error;      /* the first write error; the thread's until joined */
};

/* Writes one row and reports its span. After a write error every row
 * fails with it: the file is incomplete. */
static void
store_row (LabPipelineStore     *self,
           const LabPipelineRow *item,
           GString              *line)
{
  LabSpan span = {
    .task = item->row.doc,
    .stage = LAB_STAGE_STORE,
    .pid = getpid (),
    .tid = lab_thread_id (),
    .queued_us = item->queued_us - self->t0,
    .start_us = g_get_monotonic_time () - self->t0,
  };

  g_string_truncate (line, 0);
  lab_document_row_format (&item->row, line);
  if (self->error == NULL)
    g_output_stream_write_all (self->stream, line->str, line->len, NULL, NULL, &self->error);
  if (self->error != NULL)
    lab_span_fail (&span, self->error);
  else
    span.checksum = lab_document_row_checksum (&item->row);
  span.end_us = g_get_monotonic_time () - self->t0;
  lab_span_sink_add (self->sink, &span, FALSE);
}

static gpointer
store_thread (gpointer data)
{
  LabPipelineStore *self = data;
  g_autoptr(GString) line = g_string_new (NULL);
  LabPipelineRow *item;

  while ((item = lab_pipeline_queue_pop (self->rows)) != NULL)
    {
      store_row (self, item, line);
      g_free (item);
    }
  return NULL;
}

/* A new folder under the user's cache folder, for one repetition's rows. */
static char *
make_temp_dir (GError **error)
{
  g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "concurrency-lab", NULL);
  g_autofree char *template = g_build_filename (parent, "pipeline-XXXXXX", NULL);

  if (g_mkdir_with_parents (parent, 0700) != 0 || g_mkdtemp (template) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot make a temporary folder for the pipeline’s rows in “%s”: %s"),
                   parent, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&template);
}

static gboolean
open_file (LabPipelineStore  *self,
           const char        *dir,
           GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0755) == 0)
    stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &local_error);
  else
    g_set_error_literal (&local_error, G_IO_ERROR, g_io_error_from_errno (errno), g_strerror (errno));
  if (stream == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), LAB_DOCUMENT_CSV_HEADER,
                                  strlen (LAB_DOCUMENT_CSV_HEADER), NULL, NULL, &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_EXPORT, _("Cannot write the pipeline’s rows to “%s”: %s"),
                   self->path, local_error->message);
      return FALSE;
    }
  self->stream = G_OUTPUT_STREAM (g_steal_pointer (&stream));
  return TRUE;
}

/* Removes the temporary folder and what is in it. */
static void
remove_temp_dir (LabPipelineStore *self)
{
  if (self->temp_dir == NULL)
    return;
  if (g_unlink (self->path) != 0 && errno != ENOENT)
    g_warning ("Cannot remove “%s”: %s", self->path, g_strerror (errno));
  if (g_rmdir (self->temp_dir) != 0)
    g_warning ("Cannot remove “%s”: %s", self->temp_dir, g_strerror (errno));
}

static void
store_free (LabPipelineStore *self)
{
  g_clear_object (&self->stream);
  remove_temp_dir (self);
  g_clear_error (&self->error);
  g_free (self->temp_dir);
  g_free (self->path);
  g_free (self);
}

/**
 * lab_pipeline_store_start:
 * @dir: (nullable): the folder to keep the file in, made if need be
 *
 * Returns: (transfer full) (nullable): the store, its thread started
 */
LabPipelineStore *
lab_pipeline_store_start (const char        *dir,
                          const char        *name,
                          LabPipelineQueue  *rows,
                          LabSpanSink       *sink,
                          gint64             t0,
                          GError           **error)
{
  LabPipelineStore *self = g_new0 (LabPipelineStore, 1);

  self->rows = rows;
  self->sink = sink;
  self->t0 = t0;
  if (dir == NULL && (self->temp_dir = make_temp_dir (error)) == NULL)
    {
      store_free (self);
      return NULL;
    }
  self->path = g_build_filename (dir != NULL ? dir : self->temp_dir, name, NULL);
  if (!open_file (self, dir != NULL ? dir : self->temp_dir, error))
    {
      store_free (self);
      return NULL;
    }
  self->thread = g_thread_new ("lab-store", store_thread, self);
  return self;
}

gboolean
lab_pipeline_store_finish (LabPipelineStore  *self,
                           GError           **error)
{
  g_autoptr(GError) close_error = NULL;
  gboolean ok;

  g_thread_join (g_steal_pointer (&self->thread));
  if (!g_output_stream_close (self->stream, NULL, &close_error) && self->error == NULL)
    self->error = g_steal_pointer (&close_error);
  ok = self->error == NULL;
  if (!ok)
    g_set_error (error, LAB_ERROR, LAB_ERROR_EXPORT, _("Cannot write the pipeline’s rows to “%s”: %s"),
                 self->path, self->error->message);
  store_free (self);
  return ok;
}

const char *
lab_pipeline_store_get_path (LabPipelineStore *self)
{
  return self->path;
}
