/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-downloads-form.h"

/**
 * LabDownloadsForm:
 *
 * The parameters of a download experiment: the URLs (empty: the
 * embedded server, with its latency and response size), tasks, and the
 * shared run options. Settings: "download-*".
 *
 * Or, with Pipeline picked ("download-workload"), those of the pipeline
 * that downloads documents from the embedded server, analyses and stores
 * them: documents, their size, the analysis' cost, the server's latency,
 * and run options of its own, its shapes as modes. Settings: "pipeline-*".
 */
struct _LabDownloadsForm
{
  GtkWidget        parent_instance;

  GSettings       *settings;
  gboolean         initializing;

  /* Template children */
  GtkToggleButton *downloads_button;
  GtkToggleButton *pipeline_button;
  GtkLabel        *workload_description;
  GtkWidget       *downloads_box;
  GtkWidget       *pipeline_box;
  GtkTextView     *urls_view;
  GtkLabel        *urls_hint;
  GtkWidget       *delay_row;
  GtkWidget       *bytes_row;
  GtkAdjustment   *delay_adjustment;
  GtkAdjustment   *bytes_adjustment;
  GtkAdjustment   *tasks_adjustment;
  LabRunOptions   *options;
  GtkAdjustment   *documents_adjustment;
  GtkAdjustment   *document_bytes_adjustment;
  GtkAdjustment   *rounds_adjustment;
  GtkAdjustment   *document_delay_adjustment;
  LabRunOptions   *pipeline_options;
};

static void lab_downloads_form_form_init (LabFormInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabDownloadsForm, lab_downloads_form, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_FORM, lab_downloads_form_form_init))

static const LabModeChoice download_modes[] = {
  { LAB_MODE_SEQUENTIAL, N_("One download after another") },
  { LAB_MODE_THREADS, N_("A pool of threads, each waiting on its own download") },
  { LAB_MODE_PROCESSES, N_("A pool of worker processes") },
  { LAB_MODE_ASYNC, N_("One thread, one event loop, many requests in flight") },
  { LAB_MODE_GTASK, N_("Each download a GTask on GLib’s shared pool, which decides how many run at once") },
};

/* The pipeline's shapes */
static const LabModeChoice pipeline_modes[] = {
  { LAB_MODE_SEQUENTIAL, N_("One thread downloads and analyses one document after another; one thread stores") },
  { LAB_MODE_THREADS, N_("Threads download and analyse; one thread stores") },
  { LAB_MODE_GIL, N_("The same threads, which must hold an emulated GIL to analyse") },
  { LAB_MODE_PROCESSES, N_("Worker processes download and analyse; one thread stores") },
  { LAB_MODE_HYBRID, N_("Threads download, worker processes analyse, one thread stores, with bounded queues between") },
};

static gboolean
lab_downloads_form_get_pipeline (LabDownloadsForm *self)
{
  return gtk_toggle_button_get_active (self->pipeline_button);
}

static char **
lab_downloads_form_dup_urls (LabDownloadsForm *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return lab_url_list_split (text);
}

static void
lab_downloads_form_update_urls_hint (LabDownloadsForm *self)
{
  g_auto(GStrv) urls = lab_downloads_form_dup_urls (self);
  guint n = g_strv_length (urls);
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("Empty: downloads come from the server built into the application, on 127.0.0.1."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u URL; the tasks take it in turn.",
                                         "%u URLs; the tasks take them in turn.", n), n);
  gtk_label_set_text (self->urls_hint, text);
  gtk_widget_set_sensitive (self->delay_row, n == 0);
  gtk_widget_set_sensitive (self->bytes_row, n == 0);
}

static void
on_urls_changed (LabDownloadsForm *self,
                 GtkTextBuffer    *buffer)
{
  g_auto(GStrv) urls = NULL;

  lab_downloads_form_update_urls_hint (self);
  if (self->initializing)
    return;

  urls = lab_downloads_form_dup_urls (self);
  g_settings_set_strv (self->settings, "download-urls", (const char * const *) urls);
  g_settings_set_boolean (self->settings, "download-use-server", urls[0] == NULL);
}

/* Shows the URLs kept in the settings, unless the list already says so. */
static void
lab_downloads_form_load_urls (LabDownloadsForm *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  g_auto(GStrv) kept = g_settings_get_strv (self->settings, "download-urls");
  g_auto(GStrv) shown = lab_downloads_form_dup_urls (self);
  g_autofree char *text = NULL;

  if (g_settings_get_boolean (self->settings, "download-use-server"))
    g_clear_pointer (&kept, g_strfreev);
  if (g_strv_equal ((const char * const *) shown, kept != NULL ? (const char * const *) kept : (const char * const[]) { NULL }))
    return;

  text = kept != NULL ? g_strjoinv ("\n", kept) : NULL;
  self->initializing = TRUE;
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
  self->initializing = FALSE;
}

/* Shows the parameters of the workload picked. */
static void
lab_downloads_form_update_workload (LabDownloadsForm *self)
{
  gboolean pipeline = lab_downloads_form_get_pipeline (self);

  /* The settings may have unpicked Pipeline, which picks nothing else */
  if (!pipeline)
    gtk_toggle_button_set_active (self->downloads_button, TRUE);
  gtk_widget_set_visible (self->downloads_box, !pipeline);
  gtk_widget_set_visible (self->pipeline_box, pipeline);
  gtk_label_set_text (self->workload_description,
                      pipeline ? _("Each document is downloaded, analysed and handed through a bounded queue to one "
                                   "thread that stores it as a CSV row. The shapes differ in who downloads and "
                                   "who analyses.")
                               : _("Each task downloads one URL: the modes wait for the network in different ways."));
}

static gboolean
workload_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  g_value_set_boolean (value, g_str_equal (g_variant_get_string (variant, NULL), "pipeline"));
  return TRUE;
}

static GVariant *
workload_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  return g_variant_new_string (g_value_get_boolean (value) ? "pipeline" : "downloads");
}

static void
on_settings_changed (LabDownloadsForm *self,
                     const char       *key)
{
  if (g_str_has_prefix (key, "pipeline-"))
    {
      lab_form_emit_changed (LAB_FORM (self));
      return;
    }
  if (!g_str_has_prefix (key, "download-"))
    return;
  /* Changed elsewhere too (another window, gsettings). */
  if (g_str_equal (key, "download-urls") || g_str_equal (key, "download-use-server"))
    lab_downloads_form_load_urls (self);
  lab_form_emit_changed (LAB_FORM (self));
}

static void
lab_downloads_form_fill_builder (LabForm       *form,
                                 LabRunBuilder *builder)
{
  LabDownloadsForm *self = LAB_DOWNLOADS_FORM (form);
  g_auto(GStrv) urls = NULL;

  if (lab_downloads_form_get_pipeline (self))
    {
      lab_run_builder_set_workload (builder, "pipeline", NULL);
      lab_run_builder_set_number (builder, LAB_PARAM_TASKS, (guint64) gtk_adjustment_get_value (self->documents_adjustment));
      lab_run_builder_set_number (builder, LAB_PARAM_SIZE, (guint64) gtk_adjustment_get_value (self->rounds_adjustment));
      lab_run_builder_set_number (builder, LAB_PARAM_BYTES, (guint64) gtk_adjustment_get_value (self->document_bytes_adjustment));
      lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, (guint64) gtk_adjustment_get_value (self->document_delay_adjustment));
      return;
    }

  urls = lab_downloads_form_dup_urls (self);
  lab_run_builder_set_workload (builder, "io:download", NULL);
  for (guint i = 0; urls[i] != NULL; i++)
    lab_run_builder_add_url (builder, urls[i]);
  /* Without URLs the embedded server answers; the page gives its URL. */
  if (urls[0] == NULL)
    {
      lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, (guint64) gtk_adjustment_get_value (self->delay_adjustment));
      lab_run_builder_set_number (builder, LAB_PARAM_BYTES, (guint64) gtk_adjustment_get_value (self->bytes_adjustment));
    }
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, (guint64) gtk_adjustment_get_value (self->tasks_adjustment));
}

static LabRunOptions *
lab_downloads_form_get_options (LabForm *form)
{
  LabDownloadsForm *self = LAB_DOWNLOADS_FORM (form);

  return lab_downloads_form_get_pipeline (self) ? self->pipeline_options : self->options;
}

/* The page's own words are the downloads'. */
static const char *
lab_downloads_form_get_idle_status (LabForm *form)
{
  if (!lab_downloads_form_get_pipeline (LAB_DOWNLOADS_FORM (form)))
    return NULL;
  return _("I/O, then CPU: each document waits for the network, then is analysed");
}

static void
lab_downloads_form_form_init (LabFormInterface *iface)
{
  iface->fill_builder = lab_downloads_form_fill_builder;
  iface->get_options = lab_downloads_form_get_options;
  iface->get_idle_status = lab_downloads_form_get_idle_status;
}

static void
lab_downloads_form_dispose (GObject *object)
{
  LabDownloadsForm *self = LAB_DOWNLOADS_FORM (object);
  GtkWidget *child;

  /* The controls go with the template's children: they must not call
   * back into the form meanwhile. */
  if (self->urls_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->urls_view), self);
  if (self->pipeline_button != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline_button, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_DOWNLOADS_FORM);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_downloads_form_parent_class)->dispose (object);
}

static void
lab_downloads_form_class_init (LabDownloadsFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_downloads_form_dispose;

  g_type_ensure (LAB_TYPE_RUN_OPTIONS);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-downloads-form.ui");
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, downloads_button);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, pipeline_button);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, workload_description);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, downloads_box);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, pipeline_box);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, urls_view);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, urls_hint);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, delay_row);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, bytes_row);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, bytes_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, tasks_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, options);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, documents_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, document_bytes_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, rounds_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, document_delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabDownloadsForm, pipeline_options);
}

static void
lab_downloads_form_init (LabDownloadsForm *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 18);

  self->settings = g_settings_new (BASE_APP_ID);
  lab_downloads_form_load_urls (self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->urls_view), "changed",
                           G_CALLBACK (on_urls_changed), self, G_CONNECT_SWAPPED);
  lab_downloads_form_update_urls_hint (self);

  g_settings_bind (self->settings, "download-delay-ms", self->delay_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "download-bytes", self->bytes_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "download-tasks", self->tasks_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  lab_run_options_setup (self->options, self->settings, "download",
                         _("Threads, processes or requests in flight at once"), 0, "io:download",
                         download_modes, G_N_ELEMENTS (download_modes));

  g_settings_bind (self->settings, "pipeline-documents", self->documents_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "pipeline-bytes", self->document_bytes_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "pipeline-rounds", self->rounds_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "pipeline-delay-ms", self->document_delay_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  /* The pipeline's shapes are the C engine's own, the emulated GIL one of them. */
  lab_run_options_setup (self->pipeline_options, self->settings, "pipeline",
                         _("Threads or processes in each stage; one thread stores"), LAB_RUN_OPTIONS_NATIVE_ONLY,
                         "pipeline", pipeline_modes, G_N_ELEMENTS (pipeline_modes));

  g_settings_bind_with_mapping (self->settings, "download-workload", self->pipeline_button, "active",
                                G_SETTINGS_BIND_DEFAULT, workload_get_mapping, workload_set_mapping, NULL, NULL);
  g_signal_connect_object (self->pipeline_button, "notify::active",
                           G_CALLBACK (lab_downloads_form_update_workload), self, G_CONNECT_SWAPPED);
  lab_downloads_form_update_workload (self);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
}
