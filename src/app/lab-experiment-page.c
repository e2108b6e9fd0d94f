/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-experiment-page.h"
#include "lab-export.h"
#include "lab-format.h"
#include "lab-kernel.h"
#include "lab-machine.h"
#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-stall-meter.h"
#include "lab-trace.h"

#include "lab-bar-chart.h"
#include "lab-cpu-chart.h"
#include "lab-speedup-chart.h"
#include "lab-timeline.h"

/* The main loop's heartbeat during a run: its lateness is the stall. */
#define STALL_METER_INTERVAL_MS 5
/* Workers yield to the window, so that it stays smooth when W > cores. */
#define WORKER_NICE 10

typedef enum
{
  COLUMN_MODE,
  COLUMN_WORKERS,
  COLUMN_MEDIAN,
  COLUMN_SPEEDUP,
  COLUMN_EFFICIENCY,
  COLUMN_CPU,
  COLUMN_FAILED,
} Column;

typedef enum
{
  EXPORT_RESULTS,
  EXPORT_SPANS,
  EXPORT_TRACE,
  EXPORT_PNG,
  EXPORT_SVG,
} ExportFormat;

typedef struct
{
  LabMode     mode;
  const char *description;
} ModeChoice;

/* The modes each page offers, in the order they are shown. */
static const ModeChoice download_modes[] = {
  { LAB_MODE_SEQUENTIAL, N_("One download after another") },
  { LAB_MODE_THREADS, N_("A pool of threads, each waiting on its own download") },
  { LAB_MODE_PROCESSES, N_("A pool of worker processes") },
  { LAB_MODE_ASYNC, N_("One thread, one event loop, many requests in flight") },
};

static const ModeChoice cpu_modes[] = {
  { LAB_MODE_SEQUENTIAL, N_("One task after another on one core") },
  { LAB_MODE_THREADS, N_("A pool of native threads sharing the cores") },
  { LAB_MODE_PROCESSES, N_("A pool of persistent worker processes") },
  { LAB_MODE_SPAWN, N_("A fresh process for every task") },
};

struct _LabExperimentPage
{
  GtkWidget          parent_instance;

  LabExperimentKind  kind;
  GSettings         *settings;
  gboolean           initializing;

  /* Template children */
  GtkWidget         *content;
  GtkWidget         *urls_box;
  GtkTextView       *urls_view;
  GtkLabel          *urls_hint;
  AdwPreferencesGroup *workload_group;
  GtkWidget         *delay_row;
  GtkWidget         *bytes_row;
  AdwComboRow       *kernel_row;
  GtkWidget         *size_row;
  AdwActionRow      *tasks_row;
  GtkAdjustment     *delay_adjustment;
  GtkAdjustment     *bytes_adjustment;
  GtkAdjustment     *size_adjustment;
  GtkAdjustment     *tasks_adjustment;
  GtkAdjustment     *workers_adjustment;
  GtkAdjustment     *repeat_adjustment;
  AdwActionRow      *workers_row;
  GtkWidget         *workers_spin;
  AdwActionRow      *sweep_row;
  GtkSwitch         *sweep_switch;
  AdwPreferencesGroup *modes_group;
  GtkLabel          *status_label;
  GtkProgressBar    *progress_bar;
  GtkLabel          *explanation_label;
  GtkLabel          *stall_label;
  GtkColumnView     *results_view;
  GtkBox            *charts_box;
  GMenu             *chart_export_section;

  GtkCheckButton    *mode_checks[LAB_N_MODES];

  /* Where downloads go when no URL is given; NULL: not running */
  char              *server_url;

  /* The current or last run */
  LabRun            *run;
  GCancellable      *cancellable;
  gint64             cancel_requested_us;
  GtkSortListModel  *sorted_cells;

  /* Main-loop stall measurement of the current or last run */
  LabStallMeter     *stall_meter;

  GtkWidget         *bar_chart;
  GtkWidget         *speedup_chart;
  GtkWidget         *timeline;
  GtkWidget         *cpu_chart;
};

G_DEFINE_FINAL_TYPE (LabExperimentPage, lab_experiment_page, GTK_TYPE_WIDGET)
G_DEFINE_ENUM_TYPE (LabExperimentKind, lab_experiment_kind,
  G_DEFINE_ENUM_VALUE (LAB_EXPERIMENT_KIND_DOWNLOADS, "downloads"),
  G_DEFINE_ENUM_VALUE (LAB_EXPERIMENT_KIND_CPU, "cpu"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_RUNNING,
  PROP_SERVER_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
settings_key (LabExperimentPage *self,
              const char        *name)
{
  static char buffer[64];

  /* Keys are "download-NAME" and "cpu-NAME"; only used on the main thread. */
  g_snprintf (buffer, sizeof buffer, "%s-%s",
              self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS ? "download" : "cpu", name);
  return buffer;
}

static const ModeChoice *
lab_experiment_page_get_modes (LabExperimentPage *self,
                               guint             *n_modes)
{
  if (self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS)
    {
      *n_modes = G_N_ELEMENTS (download_modes);
      return download_modes;
    }
  *n_modes = G_N_ELEMENTS (cpu_modes);
  return cpu_modes;
}

static void
lab_experiment_page_toast (LabExperimentPage *self,
                           const char        *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_message ("%s", text);
      return;
    }
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/* Parameters ------------------------------------------------------------ */

static guint
worker_sweep_max (void)
{
  return MAX (2, 2 * lab_machine_n_cpus ());
}

static char **
lab_experiment_page_dup_urls (LabExperimentPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return lab_url_list_split (text);
}

static void
lab_experiment_page_update_urls_hint (LabExperimentPage *self)
{
  g_auto(GStrv) urls = lab_experiment_page_dup_urls (self);
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
on_urls_changed (LabExperimentPage *self,
                 GtkTextBuffer     *buffer)
{
  g_auto(GStrv) urls = NULL;

  lab_experiment_page_update_urls_hint (self);
  if (self->initializing)
    return;

  urls = lab_experiment_page_dup_urls (self);
  g_settings_set_strv (self->settings, "download-urls", (const char * const *) urls);
  g_settings_set_boolean (self->settings, "download-use-server", urls[0] == NULL);
}

static void
lab_experiment_page_setup_downloads (LabExperimentPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  g_auto(GStrv) urls = g_settings_get_strv (self->settings, "download-urls");
  g_autofree char *text = g_strjoinv ("\n", urls);

  if (g_settings_get_boolean (self->settings, "download-use-server"))
    g_clear_pointer (&text, g_free);
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_urls_changed), self, G_CONNECT_SWAPPED);
  lab_experiment_page_update_urls_hint (self);

  g_settings_bind (self->settings, "download-delay-ms", self->delay_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "download-bytes", self->bytes_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  gtk_widget_set_visible (GTK_WIDGET (self->kernel_row), FALSE);
  gtk_widget_set_visible (self->size_row, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->sweep_row), FALSE);
  adw_preferences_group_set_title (self->workload_group, _("Downloads"));
  adw_action_row_set_subtitle (self->tasks_row, _("Downloads in each repetition"));
  adw_action_row_set_subtitle (self->workers_row, _("Threads, processes or requests in flight at once"));
}

/* Kernels */

static char *
kernel_title (GtkStringObject *item,
              gpointer         user_data)
{
  const LabKernel *kernel = lab_kernel_lookup (gtk_string_object_get_string (item));

  return g_strdup (kernel != NULL ? g_dgettext (GETTEXT_PACKAGE, kernel->title) : "");
}

static void
kernel_item_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *description = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 40);
  gtk_widget_add_css_class (description, "dim-label");
  gtk_widget_add_css_class (description, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), description);
  gtk_list_item_set_child (item, box);
}

static void
kernel_item_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *description = gtk_widget_get_next_sibling (title);
  const LabKernel *kernel = lab_kernel_lookup (gtk_string_object_get_string (gtk_list_item_get_item (item)));

  if (kernel == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (title), g_dgettext (GETTEXT_PACKAGE, kernel->title));
  gtk_label_set_text (GTK_LABEL (description), g_dgettext (GETTEXT_PACKAGE, kernel->description));
}

static const LabKernel *
lab_experiment_page_get_kernel (LabExperimentPage *self)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (self->kernel_row);

  return item != NULL ? lab_kernel_lookup (gtk_string_object_get_string (item)) : NULL;
}

static void
on_kernel_selected (LabExperimentPage *self)
{
  const LabKernel *kernel = lab_experiment_page_get_kernel (self);

  if (kernel == NULL)
    return;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->kernel_row), g_dgettext (GETTEXT_PACKAGE, kernel->description));
  gtk_adjustment_set_upper (self->size_adjustment, (double) kernel->max_size);

  /* A size means something else for each kernel: a new kernel starts from
   * its own default. */
  if (!self->initializing)
    gtk_adjustment_set_value (self->size_adjustment, (double) kernel->default_size);
}

static gboolean
kernel_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  AdwComboRow *row = user_data;
  GListModel *model = adw_combo_row_get_model (row);
  const char *name = g_variant_get_string (variant, NULL);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  /* A hidden kernel (noop) or an unknown name: keep the first one. */
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
kernel_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  AdwComboRow *row = user_data;
  g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (row), g_value_get_uint (value));

  if (item == NULL)
    return NULL;
  return g_variant_new_string (gtk_string_object_get_string (item));
}

static void
lab_experiment_page_setup_cpu (LabExperimentPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkExpression) expression = NULL;
  const LabKernel **kernels;
  guint n_kernels = 0;
  g_autofree char *sweep_subtitle = NULL;

  kernels = lab_kernel_list (&n_kernels);
  for (guint i = 0; i < n_kernels; i++)
    if (!kernels[i]->hidden)
      gtk_string_list_append (names, kernels[i]->name);

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (kernel_title), NULL, NULL);
  adw_combo_row_set_expression (self->kernel_row, expression);
  g_signal_connect (factory, "setup", G_CALLBACK (kernel_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (kernel_item_bind), NULL);
  adw_combo_row_set_list_factory (self->kernel_row, factory);
  adw_combo_row_set_model (self->kernel_row, G_LIST_MODEL (names));

  g_signal_connect_object (self->kernel_row, "notify::selected", G_CALLBACK (on_kernel_selected), self, G_CONNECT_SWAPPED);
  g_settings_bind_with_mapping (self->settings, "cpu-kernel", self->kernel_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, kernel_get_mapping, kernel_set_mapping,
                                self->kernel_row, NULL);
  on_kernel_selected (self);
  g_settings_bind (self->settings, "cpu-size", self->size_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  g_settings_bind (self->settings, "cpu-worker-sweep", self->sweep_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->sweep_switch, "active", self->workers_spin, "sensitive", G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  /* Translators: %u is twice the number of CPU cores */
  sweep_subtitle = g_strdup_printf (_("1, 2, 4, … up to %u workers (twice the cores)"), worker_sweep_max ());
  adw_action_row_set_subtitle (self->sweep_row, sweep_subtitle);

  gtk_widget_set_visible (self->urls_box, FALSE);
  gtk_widget_set_visible (self->delay_row, FALSE);
  gtk_widget_set_visible (self->bytes_row, FALSE);
  adw_preferences_group_set_title (self->workload_group, _("Computation"));
  adw_action_row_set_subtitle (self->tasks_row, _("Slices of the input, one per task"));
  adw_action_row_set_subtitle (self->workers_row, _("Threads or processes computing at once"));
}

/* Modes */

static void
on_mode_toggled (LabExperimentPage *self,
                 GtkCheckButton    *check)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) modes = NULL;

  if (self->initializing)
    return;

  for (guint m = 0; m < LAB_N_MODES; m++)
    if (self->mode_checks[m] != NULL && gtk_check_button_get_active (self->mode_checks[m]))
      g_strv_builder_add (builder, lab_mode_to_string (m));
  modes = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, settings_key (self, "modes"), (const char * const *) modes);
}

static void
lab_experiment_page_setup_modes (LabExperimentPage *self)
{
  g_autoptr(LabRunBuilder) sample = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);
  g_auto(GStrv) checked = g_settings_get_strv (self->settings, settings_key (self, "modes"));
  const ModeChoice *choices;
  guint n_choices;

  lab_run_builder_set_workload (sample, self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS ? "io:download" : "cpu:primes", NULL);
  choices = lab_experiment_page_get_modes (self, &n_choices);

  for (guint i = 0; i < n_choices; i++)
    {
      LabMode mode = choices[i].mode;
      const char *title = lab_mode_title (mode);
      g_autofree char *run_label = g_strdup_printf (_("Run “%s”"), title);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      GtkWidget *run = gtk_button_new_with_label (_("Run"));
      gboolean supported = lab_run_builder_accepts_mode (sample, mode);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(choices[i].description));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), supported && g_strv_contains ((const char * const *) checked, lab_mode_to_string (mode)));
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_mode_toggled), self, G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

      gtk_widget_set_valign (run, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (run, run_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (run),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, run_label,
                                      -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (run), "page.run-mode");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (run), "s", lab_mode_to_string (mode));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), run);

      if (!supported)
        {
          gtk_widget_set_sensitive (row, FALSE);
          gtk_widget_set_tooltip_text (row, _("Not available for this workload yet"));
        }

      adw_preferences_group_add (self->modes_group, row);
      self->mode_checks[mode] = GTK_CHECK_BUTTON (check);
    }
}

/* Results table --------------------------------------------------------- */

static char *
format_cell (LabCell *cell,
             Column   column)
{
  guint n_reps = 0;

  g_object_get (cell, "n-repetitions", &n_reps, NULL);

  switch (column)
    {
    case COLUMN_MODE:
      return g_strdup (lab_mode_title (lab_cell_get_mode (cell)));
    case COLUMN_WORKERS:
      return g_strdup_printf ("%u", lab_cell_get_workers (cell));
    case COLUMN_MEDIAN:
      {
        g_autofree char *median = NULL;
        g_autofree char *mad = NULL;

        if (n_reps == 0)
          return g_strdup ("…");
        median = lab_format_duration (lab_cell_get_median_s (cell));
        mad = lab_format_duration (lab_cell_get_mad_s (cell));
        return g_strdup_printf ("%s ± %s", median, mad);
      }
    case COLUMN_SPEEDUP:
      {
        double speedup = lab_cell_get_speedup (cell);

        if (n_reps == 0 || !isfinite (speedup) || speedup <= 0)
          return g_strdup ("—");
        return g_strdup_printf (_("%.2f×"), speedup);
      }
    case COLUMN_EFFICIENCY:
      {
        double efficiency = lab_cell_get_efficiency (cell);

        if (n_reps == 0 || !isfinite (efficiency) || efficiency <= 0)
          return g_strdup ("—");
        return g_strdup_printf (_("%.0f %%"), efficiency * 100.0);
      }
    case COLUMN_CPU:
      if (n_reps == 0 || !isfinite (lab_cell_get_cpu_util (cell)))
        return g_strdup ("—");
      return g_strdup_printf (_("%.0f %%"), lab_cell_get_cpu_util (cell) * 100.0);
    case COLUMN_FAILED:
      return g_strdup_printf ("%u", lab_cell_get_failed_tasks (cell));
    default:
      g_assert_not_reached ();
    }
}

static void
results_label_update (GtkLabel *label)
{
  LabCell *cell = g_object_get_data (G_OBJECT (label), "lab-cell");
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "lab-column"));
  g_autofree char *text = NULL;

  if (cell == NULL)
    return;
  text = format_cell (cell, column);
  gtk_label_set_text (label, text);
  if (column == COLUMN_FAILED)
    {
      if (lab_cell_get_failed_tasks (cell) > 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
    }
}

static void
results_item_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_MODE ? 0.0 : 1.0);
  if (column != COLUMN_MODE)
    gtk_widget_add_css_class (label, "numeric");
  g_object_set_data (G_OBJECT (label), "lab-column", user_data);
  gtk_list_item_set_child (item, label);
}

static void
results_item_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  LabCell *cell = gtk_list_item_get_item (item);
  gulong handler;

  g_object_set_data (G_OBJECT (label), "lab-cell", cell);
  /* Cells are updated in place as repetitions finish. */
  handler = g_signal_connect_object (cell, "notify", G_CALLBACK (results_label_update), label, G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (label), "lab-handler", GSIZE_TO_POINTER (handler));
  results_label_update (GTK_LABEL (label));
}

static void
results_item_unbind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  LabCell *cell = gtk_list_item_get_item (item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (label), "lab-handler"));

  if (cell != NULL && handler != 0)
    g_signal_handler_disconnect (cell, handler);
  g_object_set_data (G_OBJECT (label), "lab-handler", NULL);
  g_object_set_data (G_OBJECT (label), "lab-cell", NULL);
}

static void
lab_experiment_page_add_column (LabExperimentPage *self,
                                Column             column,
                                const char        *title,
                                const char        *property,
                                gboolean           expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;
  GtkSorter *sorter;

  g_signal_connect (factory, "setup", G_CALLBACK (results_item_setup), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (results_item_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (results_item_unbind), NULL);

  view_column = gtk_column_view_column_new (title, g_object_ref (factory));
  sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (LAB_TYPE_CELL, NULL, property)));
  gtk_column_view_column_set_sorter (view_column, sorter);
  g_object_unref (sorter);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_append_column (self->results_view, view_column);
}

static void
lab_experiment_page_setup_results (LabExperimentPage *self)
{
  lab_experiment_page_add_column (self, COLUMN_MODE, _("Mode"), "mode", TRUE);
  lab_experiment_page_add_column (self, COLUMN_WORKERS, _("Workers"), "workers", FALSE);
  lab_experiment_page_add_column (self, COLUMN_MEDIAN, _("Median ± MAD"), "median-s", FALSE);
  lab_experiment_page_add_column (self, COLUMN_SPEEDUP, _("Speed-up"), "speedup", FALSE);
  lab_experiment_page_add_column (self, COLUMN_EFFICIENCY, _("Efficiency"), "efficiency", FALSE);
  lab_experiment_page_add_column (self, COLUMN_CPU, _("CPU"), "cpu-util", FALSE);
  lab_experiment_page_add_column (self, COLUMN_FAILED, _("Failed"), "failed-tasks", FALSE);
}

/* Charts ---------------------------------------------------------------- */

/* The target is built as a GVariant of the action's type "(su)": a
 * detailed action string would parse the number as an int32, and the
 * menu item would stay insensitive. */
static void
lab_experiment_page_add_chart_export (LabExperimentPage *self,
                                      const char        *label,
                                      const char        *chart_id,
                                      ExportFormat       format)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, "page.export-chart",
                                           g_variant_new ("(su)", chart_id, (guint32) format));
  g_menu_append_item (self->chart_export_section, item);
}

static GtkWidget *
lab_experiment_page_add_chart (LabExperimentPage *self,
                               GtkWidget         *chart,
                               const char        *title,
                               const char        *id,
                               int                height)
{
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *frame = gtk_frame_new (NULL);
  /* Translators: %s is the name of a chart, e.g. "Timeline" */
  g_autofree char *png_label = g_strdup_printf (_("%s as PNG…"), title);
  g_autofree char *svg_label = g_strdup_printf (_("%s as SVG…"), title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 6);
  gtk_box_append (self->charts_box, label);

  gtk_widget_set_size_request (chart, -1, height);
  gtk_widget_set_name (chart, id);
  gtk_frame_set_child (GTK_FRAME (frame), chart);
  gtk_widget_add_css_class (frame, "chart-frame");
  gtk_box_append (self->charts_box, frame);

  lab_experiment_page_add_chart_export (self, png_label, id, EXPORT_PNG);
  lab_experiment_page_add_chart_export (self, svg_label, id, EXPORT_SVG);
  return chart;
}

static void
lab_experiment_page_setup_charts (LabExperimentPage *self)
{
  self->bar_chart = lab_experiment_page_add_chart (self, lab_bar_chart_new (), _("Wall time"), "bars", 220);
  if (self->kind == LAB_EXPERIMENT_KIND_CPU)
    {
      self->speedup_chart = lab_experiment_page_add_chart (self, lab_speedup_chart_new (), _("Speed-up"), "speedup", 240);
      lab_speedup_chart_set_n_cpus (LAB_SPEEDUP_CHART (self->speedup_chart), lab_machine_n_cpus ());
    }
  self->timeline = lab_experiment_page_add_chart (self, lab_timeline_new (), _("Timeline"), "timeline", 260);
  self->cpu_chart = lab_experiment_page_add_chart (self, lab_cpu_chart_new (), _("CPU use"), "cpu", 140);
}

static LabChart *
lab_experiment_page_find_chart (LabExperimentPage *self,
                                const char        *id)
{
  GtkWidget *charts[] = { self->bar_chart, self->speedup_chart, self->timeline, self->cpu_chart };

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    if (charts[i] != NULL && g_str_equal (gtk_widget_get_name (charts[i]), id))
      return LAB_CHART (charts[i]);
  return NULL;
}

/* Explanation ----------------------------------------------------------- */

static LabCell *
best_cell_for_mode (LabRun  *run,
                    LabMode  mode)
{
  GListModel *cells = lab_run_get_cells (run);
  guint n = g_list_model_get_n_items (cells);
  LabCell *best = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      guint n_reps = 0;

      g_object_get (cell, "n-repetitions", &n_reps, NULL);
      if (lab_cell_get_mode (cell) != mode || n_reps == 0)
        continue;
      if (best == NULL || lab_cell_get_median_s (cell) < lab_cell_get_median_s (best))
        best = cell;
    }
  return best;
}

static char *
format_speed (double speedup)
{
  if (speedup >= 1.0)
    return g_strdup_printf (_("%.2f× faster than sequential"), speedup);
  return g_strdup_printf (_("%.2f× slower than sequential"), 1.0 / speedup);
}

/* What a CPU result means, from the measured speed-up; NULL when it speaks
 * for itself. */
static const char *
cpu_verdict (LabMode mode,
             double  speedup,
             guint   usable_cores)
{
  if (usable_cores > 1 && speedup >= 0.75 * usable_cores)
    return mode == LAB_MODE_THREADS ? _("Native C threads run in parallel: there is no GIL here.")
                                    : _("Each process ran on a core of its own.");
  if (speedup < 1.0)
    return _("The tasks are too short to pay for handing them out: try a larger problem size.");
  return NULL;
}

static char *
explain_cell (LabExperimentPage *self,
              LabCell           *cell)
{
  guint w = lab_cell_get_workers (cell);
  double speedup = lab_cell_get_speedup (cell);
  g_autofree char *speed = format_speed (speedup);
  guint n_cpus = lab_machine_n_cpus ();
  /* Measured: CPU time over wall time, in cores. */
  double busy = lab_cell_get_cpu_util (cell) * n_cpus;
  LabMode mode = lab_cell_get_mode (cell);
  gboolean io = self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS;
  g_autofree char *head = NULL;
  const char *verdict;

  /* Translators: the %s after the colon is e.g. "19.6× faster than sequential" */
  switch (mode)
    {
    case LAB_MODE_THREADS:
    case LAB_MODE_PROCESSES:
      if (io && mode == LAB_MODE_THREADS)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u thread overlapped its waiting: %s.",
                                             "%u threads overlapped their waiting: %s.", w), w, speed);
      if (io)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u process overlapped its waiting: %s.",
                                             "%u processes overlapped their waiting: %s.", w), w, speed);
      if (mode == LAB_MODE_THREADS)
        /* Translators: "4 threads kept 1.9 cores busy: 1.95× faster than sequential." */
        head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u thread kept %.1f cores busy: %s.",
                                             "%u threads kept %.1f cores busy: %s.", w), w, busy, speed);
      else
        head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u process kept %.1f cores busy: %s.",
                                             "%u processes kept %.1f cores busy: %s.", w), w, busy, speed);
      verdict = cpu_verdict (mode, speedup, MIN (w, n_cpus));
      return verdict != NULL ? g_strconcat (head, " ", verdict, NULL) : g_steal_pointer (&head);
    case LAB_MODE_SPAWN:
      return g_strdup_printf (_("A fresh process for every task: %s, start-up cost included."), speed);
    case LAB_MODE_ASYNC:
      return g_strdup_printf (_("One thread with an event loop overlapped the waiting: %s."), speed);
    case LAB_MODE_GIL:
      return g_strdup_printf (_("Threads behind an emulated GIL: %s."), speed);
    case LAB_MODE_SEQUENTIAL:
    case LAB_N_MODES:
    default:
      return NULL;
    }
}

static void
lab_experiment_page_update_explanation (LabExperimentPage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  LabCell *sequential;

  if (self->run == NULL)
    {
      gtk_label_set_text (self->explanation_label, "");
      return;
    }

  sequential = best_cell_for_mode (self->run, LAB_MODE_SEQUENTIAL);
  for (guint m = 0; m < LAB_N_MODES; m++)
    {
      LabCell *cell = best_cell_for_mode (self->run, m);
      g_autofree char *line = NULL;

      if (cell == NULL || m == LAB_MODE_SEQUENTIAL || !isfinite (lab_cell_get_speedup (cell)) || lab_cell_get_speedup (cell) <= 0)
        continue;
      line = explain_cell (self, cell);
      if (line == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }

  if (text->len == 0 && sequential != NULL)
    {
      g_autofree char *median = lab_format_duration (lab_cell_get_median_s (sequential));

      g_string_printf (text, _("Sequential took %s. Compare it with threads or processes to see the speed-up."), median);
    }
  else if (text->len == 0 && g_list_model_get_n_items (lab_run_get_cells (self->run)) > 0 && !lab_run_get_running (self->run))
    g_string_assign (text, _("Run sequential too: the speed-ups are measured against it."));

  gtk_label_set_text (self->explanation_label, text->str);
}

/* Running --------------------------------------------------------------- */

static void
lab_experiment_page_set_running (LabExperimentPage *self,
                                 gboolean           running)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.compare", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.run-mode", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-results", !running && self->run != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-spans", !running && self->run != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-trace", !running && self->run != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-chart", !running && self->run != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_run_progress (LabExperimentPage *self)
{
  LabRun *run = self->run;
  guint done = lab_run_get_tasks_done (run);
  guint total = lab_run_get_tasks_total (run);
  guint reps_done = lab_run_get_repetitions_done (run);
  guint reps_total = lab_run_get_repetitions_total (run);
  g_autofree char *text = NULL;

  if (!lab_run_get_running (run))
    return;

  /* Translators: "Repetition 2 of 12 · 30 of 160 tasks" */
  text = g_strdup_printf (_("Repetition %u of %u · %u of %u tasks"),
                          MIN (reps_done + 1, MAX (reps_total, 1)), reps_total, done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
}

static void
on_repetition_started (LabExperimentPage *self,
                       LabRepetition     *rep)
{
  lab_timeline_set_repetition (LAB_TIMELINE (self->timeline), rep);
}

static void
on_spans_added (LabExperimentPage *self,
                LabRepetition     *rep,
                guint              first,
                guint              n_spans)
{
  lab_timeline_spans_added (LAB_TIMELINE (self->timeline), first, n_spans);
}

static void
on_cell_finished (LabExperimentPage *self,
                  LabCell           *cell)
{
  lab_experiment_page_update_explanation (self);
}

static void
lab_experiment_page_execute_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(LabExperimentPage) self = user_data;
  LabRun *run = LAB_RUN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *stall = NULL;
  g_autofree char *stall_text = NULL;
  gboolean ok;

  ok = lab_run_execute_finish (run, result, &error);
  if (run != self->run)
    return;

  lab_stall_meter_stop (self->stall_meter);
  g_clear_object (&self->cancellable);

  g_object_set (self->cpu_chart, "running", FALSE, NULL);

  if (ok)
    {
      guint failed = lab_run_get_failed_tasks (run);

      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Done"));
      if (failed > 0)
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "Finished; %u task failed",
                                                                "Finished; %u tasks failed", failed), failed);
          gtk_label_set_text (self->status_label, text);
        }
      else
        gtk_label_set_text (self->status_label, _("Finished"));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Measured: from the Cancel button (or Escape) to every thread
       * joined and every worker process reaped. */
      double stop_ms = (g_get_monotonic_time () - self->cancel_requested_us) / 1000.0;
      g_autofree char *text = g_strdup_printf (_("Cancelled: stopped %.0f ms after the request"), stop_ms);

      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      gtk_label_set_text (self->status_label, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("The run failed: %s"), error->message);

      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      gtk_label_set_text (self->status_label, _("Run failed"));
      g_message ("%s", text);
      lab_experiment_page_toast (self, text);
    }

  stall = lab_stall_meter_describe (self->stall_meter);
  if (lab_stall_meter_get_n_samples (self->stall_meter) > 0)
    {
      /* Translators: %s is e.g. "max stall 3 ms, p99 1 ms" */
      stall_text = g_strdup_printf (_("UI stayed responsive: %s"), stall);
      gtk_label_set_text (self->stall_label, stall_text);
    }
  else
    gtk_label_set_text (self->stall_label, stall);
  lab_experiment_page_update_explanation (self);
  lab_experiment_page_set_running (self, FALSE);
}

static void
lab_experiment_page_start (LabExperimentPage  *self,
                           const LabRunConfig *config)
{
  GListModel *cells;

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  self->run = lab_run_new (config);
  self->cancellable = g_cancellable_new ();

  cells = lab_run_get_cells (self->run);
  gtk_sort_list_model_set_model (self->sorted_cells, cells);
  lab_bar_chart_set_model (LAB_BAR_CHART (self->bar_chart), cells);
  if (self->speedup_chart != NULL)
    lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (self->speedup_chart), cells);
  lab_timeline_set_repetition (LAB_TIMELINE (self->timeline), NULL);
  g_object_set (self->cpu_chart, "running", TRUE, NULL);

  g_signal_connect_object (self->run, "notify::tasks-done", G_CALLBACK (on_run_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "notify::repetitions-done", G_CALLBACK (on_run_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "notify::tasks-total", G_CALLBACK (on_run_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "repetition-started", G_CALLBACK (on_repetition_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "spans-added", G_CALLBACK (on_spans_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run, "cell-finished", G_CALLBACK (on_cell_finished), self, G_CONNECT_SWAPPED);

  gtk_label_set_text (self->status_label, _("Running…"));
  gtk_label_set_text (self->explanation_label, "");
  gtk_label_set_text (self->stall_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));

  lab_stall_meter_start (self->stall_meter);

  lab_experiment_page_set_running (self, TRUE);
  lab_run_execute_async (self->run, self->cancellable, lab_experiment_page_execute_cb, g_object_ref (self));
}

/* The experiment the form describes, in a builder that checks it. */
static LabRunBuilder *
lab_experiment_page_dup_builder (LabExperimentPage *self,
                                 GArray            *modes)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);

  if (self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS)
    {
      g_auto(GStrv) urls = lab_experiment_page_dup_urls (self);

      lab_run_builder_set_workload (builder, "io:download", NULL);
      for (guint i = 0; urls[i] != NULL; i++)
        lab_run_builder_add_url (builder, urls[i]);
      if (urls[0] == NULL)
        {
          lab_run_builder_set_server (builder, self->server_url);
          lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS,
                                      (guint64) gtk_adjustment_get_value (self->delay_adjustment));
          lab_run_builder_set_number (builder, LAB_PARAM_BYTES,
                                      (guint64) gtk_adjustment_get_value (self->bytes_adjustment));
        }
    }
  else
    {
      const LabKernel *kernel = lab_experiment_page_get_kernel (self);
      g_autofree char *spec = g_strconcat ("cpu:", kernel != NULL ? kernel->name : "primes", NULL);

      lab_run_builder_set_workload (builder, spec, NULL);
      lab_run_builder_set_number (builder, LAB_PARAM_SIZE,
                                  (guint64) gtk_adjustment_get_value (self->size_adjustment));
    }

  lab_run_builder_set_number (builder, LAB_PARAM_TASKS,
                              (guint64) gtk_adjustment_get_value (self->tasks_adjustment));
  lab_run_builder_set_modes (builder, (const LabMode *) modes->data, modes->len);
  if (self->kind == LAB_EXPERIMENT_KIND_CPU && gtk_switch_get_active (self->sweep_switch))
    lab_run_builder_set_worker_sweep (builder, worker_sweep_max ());
  else
    {
      guint workers = (guint) gtk_adjustment_get_value (self->workers_adjustment);

      lab_run_builder_set_workers (builder, &workers, 1);
    }
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT,
                              (guint64) gtk_adjustment_get_value (self->repeat_adjustment));
  return g_steal_pointer (&builder);
}

static void
lab_experiment_page_run_modes (LabExperimentPage *self,
                               GArray            *modes)
{
  g_autoptr(LabRunBuilder) builder = NULL;

  if (lab_experiment_page_get_running (self))
    return;

  if (modes->len == 0)
    {
      lab_experiment_page_toast (self, _("Check at least one mode to compare"));
      return;
    }

  builder = lab_experiment_page_dup_builder (self, modes);
  lab_experiment_page_run_builder (self, builder);
}

static void
lab_experiment_page_compare_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  lab_experiment_page_compare (LAB_EXPERIMENT_PAGE (widget));
}

static void
lab_experiment_page_run_mode_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
  LabMode mode;

  if (!lab_mode_from_string (g_variant_get_string (parameter, NULL), &mode))
    return;
  g_array_append_val (modes, mode);
  lab_experiment_page_run_modes (self, modes);
}

static void
lab_experiment_page_cancel_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  lab_experiment_page_cancel (LAB_EXPERIMENT_PAGE (widget));
}

/* Export ---------------------------------------------------------------- */

static gboolean
lab_experiment_page_export_to (LabExperimentPage  *self,
                               ExportFormat        format,
                               const char         *chart_id,
                               const char         *path,
                               GError            **error)
{
  switch (format)
    {
    case EXPORT_RESULTS:
      {
        const LabUiCost ui = {
          .max_stall_ms = lab_stall_meter_get_max_ms (self->stall_meter),
          .cpu_s = NAN,
        };
        g_autoptr(LabCsv) csv = lab_export_results_csv (self->run, &ui);

        return lab_csv_save (csv, path, error);
      }
    case EXPORT_SPANS:
      return lab_export_spans (self->run, path, error);
    case EXPORT_TRACE:
      return lab_export_trace (self->run, path, error);
    case EXPORT_PNG:
    case EXPORT_SVG:
      {
        LabChart *chart = lab_experiment_page_find_chart (self, chart_id);
        int width = MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 800);
        int height = MAX (gtk_widget_get_height (GTK_WIDGET (chart)), 300);

        if (format == EXPORT_PNG)
          return lab_chart_export_png (chart, path, width, height, error);
        return lab_chart_export_svg (chart, path, width, height, error);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  LabExperimentPage *self = user_data;
  ExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "lab-format"));
  const char *chart_id = g_object_get_data (G_OBJECT (dialog), "lab-chart");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);

  if (path != NULL && self->run != NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = NULL;

      if (lab_experiment_page_export_to (self, format, chart_id, path, &error))
        text = g_strdup_printf (_("Saved “%s”"), name);
      else
        /* Translators: the first %s is a file name, the second why it failed */
        text = g_strdup_printf (_("Could not save “%s”: %s. Choose another folder and export again."),
                                name, error->message);
      lab_experiment_page_toast (self, text);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
lab_experiment_page_choose_file (LabExperimentPage *self,
                                 ExportFormat       format,
                                 const char        *chart_id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;
  const char *prefix = self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS ? "downloads" : "cpu-kernels";
  const char *title;

  switch (format)
    {
    case EXPORT_RESULTS:
      title = _("Save Results as CSV");
      name = g_strdup_printf ("%s-results.csv", prefix);
      break;
    case EXPORT_SPANS:
      title = _("Save Task Spans as CSV");
      name = g_strdup_printf ("%s-spans.csv", prefix);
      break;
    case EXPORT_TRACE:
      title = _("Save Trace for Perfetto");
      name = g_strdup_printf ("%s-trace.json", prefix);
      break;
    case EXPORT_PNG:
      title = _("Save Chart as PNG");
      name = g_strdup_printf ("%s-%s.png", prefix, chart_id);
      break;
    case EXPORT_SVG:
      title = _("Save Chart as SVG");
      name = g_strdup_printf ("%s-%s.svg", prefix, chart_id);
      break;
    default:
      g_assert_not_reached ();
    }

  /* GtkFileDialog is GTK 4.10; GtkFileChooserNative works on 4.8 and goes
   * through the portal in Flatpak. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_object_set_data (G_OBJECT (dialog), "lab-format", GUINT_TO_POINTER (format));
  g_object_set_data_full (G_OBJECT (dialog), "lab-chart", g_strdup (chart_id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
lab_experiment_page_export_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);

  if (g_str_equal (action_name, "page.export-results"))
    lab_experiment_page_choose_file (self, EXPORT_RESULTS, NULL);
  else if (g_str_equal (action_name, "page.export-spans"))
    lab_experiment_page_choose_file (self, EXPORT_SPANS, NULL);
  else if (g_str_equal (action_name, "page.export-trace"))
    lab_experiment_page_choose_file (self, EXPORT_TRACE, NULL);
  else
    {
      const char *id;
      guint format;

      g_variant_get (parameter, "(&su)", &id, &format);
      if (format == EXPORT_PNG || format == EXPORT_SVG)
        lab_experiment_page_choose_file (self, format, id);
    }
}

/* Public ---------------------------------------------------------------- */

LabExperimentKind
lab_experiment_page_get_kind (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), 0);
  return self->kind;
}

gboolean
lab_experiment_page_get_running (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), FALSE);
  return self->cancellable != NULL;
}

/**
 * lab_experiment_page_compare:
 *
 * Runs every checked mode one after another, as one experiment.
 */
void
lab_experiment_page_compare (LabExperimentPage *self)
{
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
  const ModeChoice *choices;
  guint n_choices;

  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));

  choices = lab_experiment_page_get_modes (self, &n_choices);
  for (guint i = 0; i < n_choices; i++)
    {
      GtkCheckButton *check = self->mode_checks[choices[i].mode];

      if (gtk_widget_is_sensitive (GTK_WIDGET (check)) && gtk_check_button_get_active (check))
        g_array_append_val (modes, choices[i].mode);
    }
  lab_experiment_page_run_modes (self, modes);
}

/**
 * lab_experiment_page_run_builder:
 * @builder: the experiment; the page sets its worker niceness
 *
 * Runs what @builder describes as if its parameters had been entered on
 * the page, without touching the page's controls or settings. A builder
 * that does not check out is reported in a toast. Does nothing while
 * running.
 */
void
lab_experiment_page_run_builder (LabExperimentPage *self,
                                 LabRunBuilder     *builder)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));
  g_return_if_fail (builder != NULL);

  if (lab_experiment_page_get_running (self))
    return;
  lab_run_builder_set_number (builder, LAB_PARAM_NICE, WORKER_NICE);
  config = lab_run_builder_build (builder, &error);
  if (config == NULL)
    {
      lab_experiment_page_toast (self, error->message);
      return;
    }
  lab_experiment_page_start (self, config);
}

/**
 * lab_experiment_page_set_server_url:
 * @url: (nullable): the embedded server's base URL, or %NULL when it is
 *   not running
 *
 * Where downloads go when the URL list is empty.
 */
void
lab_experiment_page_set_server_url (LabExperimentPage *self,
                                    const char        *url)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));

  if (g_strcmp0 (self->server_url, url) == 0)
    return;
  g_free (self->server_url);
  self->server_url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
}

/**
 * lab_experiment_page_get_run:
 *
 * Returns: (transfer none) (nullable): the current or last run
 */
LabRun *
lab_experiment_page_get_run (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), NULL);
  return self->run;
}

/**
 * lab_experiment_page_get_stall_meter:
 *
 * Returns: (transfer none): the main-loop stalls of the current or last run
 */
LabStallMeter *
lab_experiment_page_get_stall_meter (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), NULL);
  return self->stall_meter;
}

void
lab_experiment_page_cancel (LabExperimentPage *self)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));

  if (self->cancellable != NULL)
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        self->cancel_requested_us = g_get_monotonic_time ();
      g_cancellable_cancel (self->cancellable);
      gtk_label_set_text (self->status_label, _("Cancelling…"));
    }
}

/* GObject --------------------------------------------------------------- */

static void
lab_experiment_page_constructed (GObject *object)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  G_OBJECT_CLASS (lab_experiment_page_parent_class)->constructed (object);

  self->initializing = TRUE;
  self->settings = g_settings_new (BASE_APP_ID);

  if (self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS)
    lab_experiment_page_setup_downloads (self);
  else
    lab_experiment_page_setup_cpu (self);

  g_settings_bind (self->settings, settings_key (self, "tasks"), self->tasks_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, settings_key (self, "workers"), self->workers_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, settings_key (self, "repeat"), self->repeat_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  lab_experiment_page_setup_modes (self);
  lab_experiment_page_setup_results (self);
  lab_experiment_page_setup_charts (self);

  gtk_label_set_text (self->status_label,
                      self->kind == LAB_EXPERIMENT_KIND_DOWNLOADS
                      ? _("I/O-bound: the tasks mostly wait")
                      : _("CPU-bound: the tasks only compute"));
  gtk_label_set_text (self->explanation_label, _("Press Compare to run the checked modes."));
  gtk_progress_bar_set_text (self->progress_bar, _("Not started"));

  self->initializing = FALSE;
  lab_experiment_page_set_running (self, FALSE);
}

static void
lab_experiment_page_dispose (GObject *object)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->stall_meter != NULL)
    lab_stall_meter_stop (self->stall_meter);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_EXPERIMENT_PAGE);

  g_clear_object (&self->run);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sorted_cells);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->stall_meter, lab_stall_meter_free);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (lab_experiment_page_parent_class)->dispose (object);
}

static void
lab_experiment_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, lab_experiment_page_get_running (self));
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_experiment_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_SERVER_URL:
      lab_experiment_page_set_server_url (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_experiment_page_class_init (LabExperimentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lab_experiment_page_constructed;
  object_class->dispose = lab_experiment_page_dispose;
  object_class->get_property = lab_experiment_page_get_property;
  object_class->set_property = lab_experiment_page_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       LAB_TYPE_EXPERIMENT_KIND, LAB_EXPERIMENT_KIND_DOWNLOADS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-experiment-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, content);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, urls_box);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, urls_view);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, urls_hint);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, workload_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, delay_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, bytes_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, size_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, tasks_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, bytes_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, tasks_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, workers_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, sweep_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, sweep_switch);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, modes_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, stall_label);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, results_view);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, charts_box);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, chart_export_section);

  gtk_widget_class_install_action (widget_class, "page.compare", NULL, lab_experiment_page_compare_action);
  gtk_widget_class_install_action (widget_class, "page.run-mode", "s", lab_experiment_page_run_mode_action);
  gtk_widget_class_install_action (widget_class, "page.cancel", NULL, lab_experiment_page_cancel_action);
  gtk_widget_class_install_action (widget_class, "page.export-results", NULL, lab_experiment_page_export_action);
  gtk_widget_class_install_action (widget_class, "page.export-spans", NULL, lab_experiment_page_export_action);
  gtk_widget_class_install_action (widget_class, "page.export-trace", NULL, lab_experiment_page_export_action);
  gtk_widget_class_install_action (widget_class, "page.export-chart", "(su)", lab_experiment_page_export_action);
}

static void
lab_experiment_page_init (LabExperimentPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->stall_meter = lab_stall_meter_new (STALL_METER_INTERVAL_MS);

  sorter = gtk_column_view_get_sorter (self->results_view);
  self->sorted_cells = gtk_sort_list_model_new (NULL, g_object_ref (sorter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted_cells)));
  gtk_column_view_set_model (self->results_view, GTK_SELECTION_MODEL (selection));
}
