/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "lab-charts-view.h"
#include "lab-comparison-view.h"
#include "lab-explanation.h"
#include "lab-format.h"
#include "lab-history-page.h"
#include "lab-results-export.h"
#include "lab-results-view.h"
#include "lab-run-view.h"
#include "lab-save-dialog.h"

/**
 * LabHistoryPage:
 *
 * The runs kept in the history, newest first, with how each ended. A
 * run picked in the list shows its results table and charts again, read
 * back from the history; two picked (Ctrl+click, or Compare With) show
 * side by side. A run can be exported as the live page would, and
 * deleted, with a moment to undo it.
 *
 * The list follows the history: when a run records a repetition or ends,
 * it is listed again (at most every REFRESH_DELAY_MS, and only while the
 * page is shown).
 */

/* Several repetitions finishing close together are listed once. */
#define REFRESH_DELAY_MS 500
/* Runs read back and kept for a quick second look. */
#define MAX_LOADED 12
/* Runs offered by Compare With. */
#define MAX_COMPARE_ITEMS 20

/* A run read back from the history, as it was when it was read. */
typedef struct
{
  LabResultSet     *set;      /* NULL when it could not be read */
  char             *error;
  LabHistoryStatus  status;
  guint             done;
} LoadedRun;

static void
loaded_run_free (LoadedRun *loaded)
{
  g_clear_object (&loaded->set);
  g_free (loaded->error);
  g_free (loaded);
}

struct _LabHistoryPage
{
  GtkWidget          parent_instance;

  LabHistory        *history;
  GPtrArray         *listed;      /* LabHistoryEntry: the history's latest listing */
  gboolean           listing;     /* a listing is under way */
  gboolean           list_again;  /* the history changed meanwhile */
  GListStore        *entries;     /* LabHistoryEntry, as shown, newest first */
  GHashTable        *loaded;      /* gint64 id → LoadedRun */
  GHashTable        *in_flight;   /* gint64 ids being read */
  GHashTable        *deleting;    /* gint64 ids whose deletion can still be undone */
  GPtrArray         *pending;     /* PendingDeletion, not settled yet */
  GCancellable      *cancellable;
  GArray            *shown;       /* gint64 ids the detail shows */
  LabResultSet      *shown_set;   /* the one run shown, for the exports */
  LabResultSet      *compared[2]; /* the two runs shown side by side: newer, older */
  char              *file_prefix;
  guint              refresh_id;
  gboolean           stale;       /* the history changed while the page was hidden */
  gboolean           restoring;   /* the page itself changes the selection */
  int                select_hint; /* after a deletion: the row to select next */

  /* Template children */
  GtkRevealer       *recovery_revealer;
  GtkLabel          *recovery_label;
  GtkStack          *content_stack;
  AdwStatusPage     *unavailable_page;
  AdwLeaflet        *leaflet;
  GtkWidget         *list_pane;
  GtkWidget         *separator;
  GtkWidget         *detail_pane;
  GtkListBox        *list_box;
  GtkWidget         *back_button;
  GtkStack          *detail_stack;
  AdwStatusPage     *message_page;
  GtkLabel          *run_title_label;
  GtkMenuButton     *compare_button;
  LabRunView        *run_view;
  LabResultsView    *results_view;
  LabChartsView     *charts_view;
  LabComparisonView *comparison_view;
  GMenu             *export_menu;
  GMenu             *chart_export_section;
};

G_DEFINE_FINAL_TYPE (LabHistoryPage, lab_history_page, GTK_TYPE_WIDGET)

static void lab_history_page_refresh       (LabHistoryPage *self);
static void lab_history_page_update_detail (LabHistoryPage *self);

/* Words ------------------------------------------------------------------- */

/* "#12": how the page, the CLI and the file names call run 12. */
static char *
format_run_name (gint64 id)
{
  return g_strdup_printf ("#%" G_GINT64_FORMAT, id);
}

/* When the run started, in local time. */
static char *
format_started_at (LabHistoryEntry *entry)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (lab_history_entry_get_started_at (entry));
  char *text;

  /* Translators: when a run started, in the History page; see
   * g_date_time_format() for the conversions ("%-d": the day without
   * padding) */
  text = g_date_time_format (local, _("%-d %b %Y, %H:%M:%S"));
  return text != NULL ? text : g_strdup (LAB_FORMAT_NONE);
}

/* "Sequential, Threads, CPython threads": the rows the run measured. */
static char *
describe_variants (const LabRunConfig *config)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();

  for (guint r = 0; r < config->runtimes->len; r++)
    for (guint m = 0; m < config->modes->len; m++)
      {
        LabRuntime runtime = g_array_index (config->runtimes, LabRuntime, r);
        LabMode mode = g_array_index (config->modes, LabMode, m);

        if (lab_runtime_accepts_mode (runtime, mode))
          g_ptr_array_add (titles, (gpointer) lab_variant_title (runtime, mode));
      }
  g_ptr_array_add (titles, NULL);
  return g_strjoinv (", ", (char **) titles->pdata);
}

/* "2 workers", "1, 2, 4 workers" */
static char *
describe_workers (const LabRunConfig *config)
{
  g_autoptr(GString) counts = g_string_new (NULL);

  if (config->workers->len == 1)
    {
      guint workers = g_array_index (config->workers, guint, 0);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", workers), workers);
    }
  for (guint i = 0; i < config->workers->len; i++)
    g_string_append_printf (counts, i > 0 ? ", %u" : "%u", g_array_index (config->workers, guint, i));
  /* Translators: several worker counts, "1, 2, 4 workers" */
  return g_strdup_printf (_("%s workers"), counts->str);
}

/* The two lines under a run's settings in the list. */
static char *
describe_entry (LabHistoryEntry *entry)
{
  const LabRunConfig *config = lab_history_entry_get_config (entry);
  g_autofree char *name = format_run_name (lab_history_entry_get_id (entry));
  g_autofree char *started = format_started_at (entry);
  g_autofree char *variants = describe_variants (config);
  g_autofree char *workers = describe_workers (config);
  g_autofree char *repetitions = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint total = lab_history_entry_get_repetitions_total (entry);
  guint failed = lab_history_entry_get_failed_tasks (entry);
  double best = lab_history_entry_get_best_speedup (entry);

  /* Translators: "3 of 10 repetitions" a run completed */
  repetitions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u repetition", "%u of %u repetitions", total),
                                 lab_history_entry_get_repetitions_done (entry), total);
  g_string_append_printf (text, "%s · %s · %s\n%s · %s", name, started, repetitions, variants, workers);
  if (isfinite (best))
    {
      g_string_append (text, " · ");
      /* Translators: the highest speed-up over sequential of a run, "best speed-up 1.85×" */
      g_string_append_printf (text, _("best speed-up %.2f×"), best);
    }
  if (failed > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u task failed", "%u tasks failed", failed), failed);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* How the run ended, for its detail. */
static char *
describe_status (LabHistoryEntry *entry)
{
  guint failed = lab_history_entry_get_failed_tasks (entry);

  switch (lab_history_entry_get_status (entry))
    {
    case LAB_HISTORY_RUNNING:
      return g_strdup (_("Running: each repetition is kept as soon as it is measured"));
    case LAB_HISTORY_FINISHED:
      if (failed > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Finished; %u task failed",
                                             "Finished; %u tasks failed", failed), failed);
      return g_strdup (_("Finished"));
    case LAB_HISTORY_CANCELLED:
      return g_strdup (_("Cancelled: it was stopped; the repetitions it completed are kept"));
    case LAB_HISTORY_FAILED:
      return g_strdup_printf (_("Run failed: %s"),
                              lab_history_entry_get_error (entry) != NULL ? lab_history_entry_get_error (entry) : "");
    case LAB_HISTORY_INTERRUPTED:
      return g_strdup (_("Interrupted: the application ended before the run did; the repetitions it completed are kept"));
    default:
      g_assert_not_reached ();
    }
}

/* The machine the run was measured on. */
static char *
describe_machine (LabHistoryEntry *entry)
{
  guint cpus = lab_history_entry_get_host_cpus (entry);
  const char *model = lab_history_entry_get_cpu_model (entry);
  const char *version = lab_history_entry_get_app_version (entry);

  /* Translators: "Measured on 2 CPUs (Intel Xeon …) by Concurrency Lab 0.9.0" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Measured on %u CPU (%s) by Concurrency Lab %s",
                                       "Measured on %u CPUs (%s) by Concurrency Lab %s", cpus),
                          cpus, model != NULL && *model != '\0' ? model : LAB_FORMAT_NONE,
                          version != NULL ? version : LAB_FORMAT_NONE);
}

/* The run's settings and start, with how it ended unless it finished. */
static char *
describe_caption (LabHistoryEntry *entry)
{
  g_autofree char *started = format_started_at (entry);
  LabHistoryStatus status = lab_history_entry_get_status (entry);

  if (status == LAB_HISTORY_FINISHED)
    return g_strdup_printf ("%s · %s", lab_history_entry_get_settings (entry), started);
  return g_strdup_printf ("%s · %s · %s", lab_history_entry_get_settings (entry), started,
                          lab_history_status_title (status));
}

/* An AdwStatusPage's description is markup; @text is not. */
static void
set_description (AdwStatusPage *page,
                 const char    *text)
{
  g_autofree char *markup = text != NULL ? g_markup_escape_text (text, -1) : NULL;

  adw_status_page_set_description (page, markup);
}

/* Shows the child @name of @stack and hides the others: a page not shown
 * is then left out of the accessibility tree, which assistive
 * technologies need not walk. */
static void
show_stack_child (GtkStack   *stack,
                  const char *name)
{
  GtkWidget *shown = gtk_stack_get_child_by_name (stack, name);

  gtk_widget_set_visible (shown, TRUE);
  gtk_stack_set_visible_child (stack, shown);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (child != shown)
      gtk_widget_set_visible (child, FALSE);
}

/* The list ------------------------------------------------------------------ */

/* Shows @entry in @row: its settings, the lines under them, and how it
 * ended unless it finished. A row is updated in place as its run is
 * recorded further, so that it keeps the selection and the focus. */
static void
update_row (AdwActionRow    *row,
            LabHistoryEntry *entry)
{
  LabHistoryStatus status = lab_history_entry_get_status (entry);
  g_autofree char *subtitle = describe_entry (entry);
  GtkWidget *badge = g_object_get_data (G_OBJECT (row), "lab-badge");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lab_history_entry_get_settings (entry));
  adw_action_row_set_subtitle (row, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  if (badge != NULL)
    {
      adw_action_row_remove (row, badge);
      g_object_set_data (G_OBJECT (row), "lab-badge", NULL);
    }
  if (status != LAB_HISTORY_FINISHED)
    {
      badge = gtk_label_new (lab_history_status_title (status));
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badge, "run-status");
      gtk_widget_add_css_class (badge, lab_history_status_to_string (status));
      adw_action_row_add_suffix (row, badge);
      g_object_set_data (G_OBJECT (row), "lab-badge", badge);
    }
}

static GtkWidget *
create_row (LabHistoryEntry *entry)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  update_row (ADW_ACTION_ROW (row), entry);
  return row;
}

static LabHistoryEntry *
lab_history_page_get_entry (LabHistoryPage *self,
                            guint           position)
{
  g_autoptr(LabHistoryEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->entries), position);

  /* The store keeps it. */
  return entry;
}

static LabHistoryEntry *
lab_history_page_find_entry (LabHistoryPage *self,
                             gint64          id,
                             guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));

  for (guint i = 0; i < n; i++)
    {
      LabHistoryEntry *entry = lab_history_page_get_entry (self, i);

      if (lab_history_entry_get_id (entry) == id)
        {
          if (position != NULL)
            *position = i;
          return entry;
        }
    }
  return NULL;
}

/* The ids of the selected runs, newest first. */
static GArray *
lab_history_page_dup_selected (LabHistoryPage *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));

  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

      if (row != NULL && gtk_list_box_row_is_selected (row))
        {
          gint64 id = lab_history_entry_get_id (lab_history_page_get_entry (self, i));

          g_array_append_val (ids, id);
        }
    }
  return ids;
}

static gboolean
ids_equal (GArray *a,
           GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, gint64, i) != g_array_index (b, gint64, i))
      return FALSE;
  return TRUE;
}

static void
lab_history_page_select_id (LabHistoryPage *self,
                            gint64          id)
{
  guint position;

  if (lab_history_page_find_entry (self, id, &position) != NULL)
    gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, position));
}

static gboolean
entries_changed (LabHistoryEntry *old,
                 LabHistoryEntry *new)
{
  return lab_history_entry_get_status (old) != lab_history_entry_get_status (new) ||
         lab_history_entry_get_repetitions_done (old) != lab_history_entry_get_repetitions_done (new) ||
         lab_history_entry_get_failed_tasks (old) != lab_history_entry_get_failed_tasks (new);
}

/* Shows @listed: when the same runs are listed in the same order (a run
 * recorded further), only the rows that changed are updated. */
static void
lab_history_page_set_entries (LabHistoryPage *self,
                              GPtrArray      *listed)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  gboolean same = n == listed->len;
  GtkListBoxRow *row;

  for (guint i = 0; same && i < n; i++)
    same = lab_history_entry_get_id (lab_history_page_get_entry (self, i)) ==
           lab_history_entry_get_id (g_ptr_array_index (listed, i));
  if (same)
    {
      for (guint i = 0; i < n; i++)
        if (entries_changed (lab_history_page_get_entry (self, i), g_ptr_array_index (listed, i)))
          {
            g_list_store_splice (self->entries, i, 1, &g_ptr_array_index (listed, i), 1);
            update_row (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (self->list_box, i)),
                        g_ptr_array_index (listed, i));
          }
      return;
    }

  g_list_store_splice (self->entries, 0, n, listed->pdata, listed->len);
  while ((row = gtk_list_box_get_row_at_index (self->list_box, 0)) != NULL)
    gtk_list_box_remove (self->list_box, GTK_WIDGET (row));
  for (guint i = 0; i < listed->len; i++)
    gtk_list_box_append (self->list_box, create_row (g_ptr_array_index (listed, i)));
}

/* The runs to compare with the one shown, newest first. */
static void
lab_history_page_update_compare_menu (LabHistoryPage *self,
                                      gint64          shown_id)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));

  for (guint i = 0; i < n && g_menu_model_get_n_items (G_MENU_MODEL (menu)) < MAX_COMPARE_ITEMS; i++)
    {
      LabHistoryEntry *entry = lab_history_page_get_entry (self, i);
      g_autofree char *name = format_run_name (lab_history_entry_get_id (entry));
      g_autofree char *started = format_started_at (entry);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (lab_history_entry_get_id (entry) == shown_id)
        continue;
      label = g_strdup_printf ("%s · %s · %s", name, started, lab_history_entry_get_settings (entry));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "history.compare",
                                               g_variant_new_int64 (lab_history_entry_get_id (entry)));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->compare_button, G_MENU_MODEL (menu));
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_button), g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0);
}

static void
lab_history_page_update_actions (LabHistoryPage *self)
{
  static const char * const exports[] = {
    "page.export-results", "page.export-spans", "page.export-trace", "page.export-chart",
  };
  g_autoptr(GArray) selected = lab_history_page_dup_selected (self);

  for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), exports[i], self->shown_set != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.delete", selected->len > 0);
}

/* Shows the latest listing but the runs being deleted, keeping the
 * selection. */
static void
lab_history_page_apply (LabHistoryPage *self)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autoptr(GArray) selected = NULL;
  gboolean restored = FALSE;

  for (guint i = 0; i < self->listed->len; i++)
    {
      LabHistoryEntry *entry = g_ptr_array_index (self->listed, i);
      gint64 id = lab_history_entry_get_id (entry);

      if (!g_hash_table_contains (self->deleting, &id))
        g_ptr_array_add (kept, entry);
    }

  selected = lab_history_page_dup_selected (self);
  self->restoring = TRUE;
  lab_history_page_set_entries (self, kept);
  for (guint i = 0; i < selected->len; i++)
    {
      GtkListBoxRow *row;
      guint position;

      if (lab_history_page_find_entry (self, g_array_index (selected, gint64, i), &position) == NULL)
        continue;
      row = gtk_list_box_get_row_at_index (self->list_box, position);
      if (!gtk_list_box_row_is_selected (row))
        gtk_list_box_select_row (self->list_box, row);
      restored = TRUE;
    }
  /* Something is always shown beside the list: the newest run, or after
   * a deletion the one that took the deleted one's place. */
  if (!restored && kept->len > 0)
    {
      guint position = self->select_hint >= 0 ? MIN ((guint) self->select_hint, kept->len - 1) : 0;

      gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, position));
    }
  self->select_hint = -1;
  self->restoring = FALSE;

  show_stack_child (self->content_stack, kept->len > 0 ? "runs" : "empty");
  lab_history_page_update_detail (self);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LabHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) listed = lab_history_list_finish (LAB_HISTORY (object), result, &error);

  /* Cancelled, or listed just before the page went away. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->history == NULL)
    return;
  self->listing = FALSE;

  if (listed == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s says what went wrong */
      text = g_strdup_printf (_("The history could not be read: %s. Runs still work; export their results to keep them."),
                              error->message);
      set_description (self->unavailable_page, text);
      show_stack_child (self->content_stack, "unavailable");
    }
  else
    {
      g_ptr_array_set_size (self->listed, 0);
      for (guint i = 0; i < g_list_model_get_n_items (listed); i++)
        g_ptr_array_add (self->listed, g_list_model_get_item (listed, i));
      lab_history_page_apply (self);
    }

  if (self->list_again)
    {
      self->list_again = FALSE;
      lab_history_page_refresh (self);
    }
}

/* Lists the history again, on a thread (a long history takes a while):
 * one listing at a time, and one more when it changed meanwhile. */
static void
lab_history_page_refresh (LabHistoryPage *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->stale = FALSE;
  if (self->history == NULL)
    return;
  if (self->listing)
    {
      self->list_again = TRUE;
      return;
    }
  self->listing = TRUE;
  lab_history_list_async (self->history, self->cancellable, list_cb, g_object_ref (self));
}

static void
refresh_timeout (gpointer user_data)
{
  LabHistoryPage *self = user_data;

  self->refresh_id = 0;
  lab_history_page_refresh (self);
}

/* The history changed: list it again soon while the page is shown, or
 * when it is shown next. */
static void
on_history_changed (LabHistoryPage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_once (REFRESH_DELAY_MS, refresh_timeout, self);
}

static void
on_recording_failed (LabHistoryPage *self,
                     LabRun         *run,
                     const GError   *error)
{
  g_autofree char *text = NULL;

  /* Translators: %s says what went wrong */
  text = g_strdup_printf (_("This run is no longer kept in the history: %s. Its results stay on its page: export them to keep them."),
                          error->message);
  lab_toast_show (GTK_WIDGET (self), text);
}

/* The detail ---------------------------------------------------------------- */

static void
lab_history_page_set_shown (LabHistoryPage *self,
                            GArray         *ids,
                            LabResultSet   *set)
{
  g_array_set_size (self->shown, 0);
  if (ids != NULL)
    g_array_append_vals (self->shown, ids->data, ids->len);
  g_set_object (&self->shown_set, set);
  lab_history_page_update_actions (self);
}

static void
lab_history_page_show_message (LabHistoryPage *self,
                               const char     *title,
                               const char     *description)
{
  adw_status_page_set_title (self->message_page, title);
  set_description (self->message_page, description);
  show_stack_child (self->detail_stack, "message");
  lab_history_page_set_shown (self, NULL, NULL);
}

static void
lab_history_page_show_run (LabHistoryPage  *self,
                           LabHistoryEntry *entry,
                           GArray          *ids,
                           LabResultSet    *set)
{
  gint64 id = lab_history_entry_get_id (entry);
  g_autofree char *name = format_run_name (id);
  g_autofree char *started = format_started_at (entry);
  g_autofree char *title = NULL;
  g_autofree char *status = describe_status (entry);
  g_autofree char *warning = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *machine = describe_machine (entry);

  lab_history_page_update_compare_menu (self, id);
  if (self->shown_set == set)
    return;

  /* Translators: "Run #12 · 3 Dec 2026, 14:03:22" */
  title = g_strdup_printf (_("Run %s · %s"), name, started);
  gtk_label_set_text (self->run_title_label, title);
  lab_run_view_show_recorded (self->run_view, status, lab_history_entry_get_repetitions_done (entry),
                              lab_history_entry_get_repetitions_total (entry));
  warning = lab_explanation_describe_trust (set);
  explanation = lab_explanation_describe_results (set, FALSE);
  errors = lab_explanation_describe_errors (set);
  lab_run_view_set_reading (self->run_view, warning, explanation, errors);
  lab_run_view_set_window_text (self->run_view, machine);

  lab_results_view_set_sets (self->results_view, NULL, GTK_INVALID_LIST_POSITION);
  lab_results_view_set_model (self->results_view, lab_result_set_get_cells (set));
  lab_results_view_set_caption (self->results_view, lab_result_set_get_caption (set), FALSE);
  lab_results_view_set_io (self->results_view, lab_result_set_get_io (set));
  lab_charts_view_set_results (self->charts_view, set);

  g_free (self->file_prefix);
  self->file_prefix = g_strdup_printf ("history-%" G_GINT64_FORMAT, id);
  show_stack_child (self->detail_stack, "run");
  lab_history_page_set_shown (self, ids, set);
}

static void
lab_history_page_show_comparison (LabHistoryPage *self,
                                  GArray         *ids,
                                  LoadedRun      *newer,
                                  LoadedRun      *older)
{
  LabHistoryEntry *newer_entry = lab_history_page_find_entry (self, g_array_index (ids, gint64, 0), NULL);
  LabHistoryEntry *older_entry = lab_history_page_find_entry (self, g_array_index (ids, gint64, 1), NULL);
  g_autofree char *newer_name = format_run_name (lab_history_entry_get_id (newer_entry));
  g_autofree char *older_name = format_run_name (lab_history_entry_get_id (older_entry));
  g_autofree char *newer_caption = describe_caption (newer_entry);
  g_autofree char *older_caption = describe_caption (older_entry);

  if (self->compared[0] == newer->set && self->compared[1] == older->set &&
      gtk_widget_get_visible (gtk_stack_get_child_by_name (self->detail_stack, "compare")))
    return;

  lab_comparison_view_set_results (self->comparison_view, older->set, older_name, older_caption,
                                   newer->set, newer_name, newer_caption);
  g_set_object (&self->compared[0], newer->set);
  g_set_object (&self->compared[1], older->set);
  show_stack_child (self->detail_stack, "compare");
  lab_history_page_set_shown (self, ids, NULL);
}

typedef struct
{
  LabHistoryPage   *page;
  gint64            id;
  LabHistoryStatus  status;
  guint             done;
} LoadRequest;

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadRequest *request = user_data;
  g_autoptr(LabHistoryPage) self = request->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = lab_history_load_run_finish (LAB_HISTORY (object), result, &error);
  LoadedRun *loaded;

  /* Cancelled, or read just before the page went away. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->history == NULL)
    {
      g_free (request);
      return;
    }
  g_hash_table_remove (self->in_flight, &request->id);
  loaded = g_new0 (LoadedRun, 1);
  loaded->status = request->status;
  loaded->done = request->done;
  if (run != NULL)
    {
      loaded->set = lab_result_set_new (lab_run_get_config (run));
      lab_result_set_add_run (loaded->set, run);
    }
  else
    loaded->error = g_strdup (error->message);
  g_hash_table_replace (self->loaded, g_memdup2 (&request->id, sizeof request->id), loaded);
  g_free (request);

  lab_history_page_update_detail (self);
}

/* The run @id as read back, unless it was recorded further since. */
static LoadedRun *
lab_history_page_lookup (LabHistoryPage *self,
                         gint64          id)
{
  LabHistoryEntry *entry = lab_history_page_find_entry (self, id, NULL);
  LoadedRun *loaded = g_hash_table_lookup (self->loaded, &id);

  if (entry == NULL || loaded == NULL || loaded->status != lab_history_entry_get_status (entry) ||
      loaded->done != lab_history_entry_get_repetitions_done (entry))
    return NULL;
  return loaded;
}

static void
lab_history_page_load (LabHistoryPage *self,
                       gint64          id)
{
  LabHistoryEntry *entry = lab_history_page_find_entry (self, id, NULL);
  LoadRequest *request;

  if (entry == NULL || g_hash_table_contains (self->in_flight, &id))
    return;
  request = g_new0 (LoadRequest, 1);
  request->page = g_object_ref (self);
  request->id = id;
  request->status = lab_history_entry_get_status (entry);
  request->done = lab_history_entry_get_repetitions_done (entry);
  g_hash_table_add (self->in_flight, g_memdup2 (&id, sizeof id));
  lab_history_load_run_async (self->history, id, self->cancellable, load_cb, request);
}

/* Forgets runs read back that are not shown, once there are many. */
static void
lab_history_page_trim_loaded (LabHistoryPage *self,
                              GArray         *ids)
{
  GHashTableIter iter;
  gint64 *id;

  if (g_hash_table_size (self->loaded) <= MAX_LOADED)
    return;
  g_hash_table_iter_init (&iter, self->loaded);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    {
      gboolean wanted = FALSE;

      for (guint i = 0; i < ids->len; i++)
        wanted |= g_array_index (ids, gint64, i) == *id;
      if (!wanted)
        g_hash_table_iter_remove (&iter);
    }
}

/* Shows the selected run, or the two selected side by side, reading them
 * back first when needed. */
static void
lab_history_page_update_detail (LabHistoryPage *self)
{
  g_autoptr(GArray) ids = lab_history_page_dup_selected (self);
  LoadedRun *loaded[2] = { NULL, NULL };
  gboolean waiting = FALSE;

  if (self->history == NULL)
    return;
  lab_history_page_trim_loaded (self, ids);
  if (ids->len == 0)
    {
      lab_history_page_show_message (self, _("No Run Selected"), _("Pick a run in the list to see its results again."));
      return;
    }
  if (ids->len > 2)
    {
      lab_history_page_show_message (self, _("Too Many Runs Selected"),
                                     _("Select one run to see its results, or two to compare them."));
      lab_history_page_update_actions (self);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      loaded[i] = lab_history_page_lookup (self, id);
      if (loaded[i] == NULL)
        {
          lab_history_page_load (self, id);
          waiting = TRUE;
        }
      else if (loaded[i]->error != NULL)
        {
          g_autofree char *name = format_run_name (id);
          g_autofree char *title = NULL;

          /* Translators: %s is a run, "#12" */
          title = g_strdup_printf (_("Run %s Could Not Be Read"), name);
          lab_history_page_show_message (self, title, loaded[i]->error);
          return;
        }
    }
  if (waiting)
    {
      /* The runs shown, read again as they were recorded further, stay
       * until they are read. */
      if (!ids_equal (self->shown, ids))
        lab_history_page_show_message (self, _("Reading the Run…"), NULL);
      lab_history_page_update_actions (self);
      return;
    }

  if (ids->len == 1)
    lab_history_page_show_run (self, lab_history_page_find_entry (self, g_array_index (ids, gint64, 0), NULL),
                               ids, loaded[0]->set);
  else
    lab_history_page_show_comparison (self, ids, loaded[0], loaded[1]);
}

static void
on_selected_rows_changed (LabHistoryPage *self)
{
  if (!self->restoring)
    lab_history_page_update_detail (self);
}

static void
on_row_activated (LabHistoryPage *self)
{
  /* On a narrow window, the run replaces the list. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->detail_pane);
}

static void
on_leaflet_folded (LabHistoryPage *self)
{
  gtk_widget_set_visible (self->back_button, adw_leaflet_get_folded (self->leaflet));
}

/* Deleting ------------------------------------------------------------------ */

/* Runs deleted from the list whose deletion from the history waits for
 * its toast to go: Undo brings them back. */
typedef struct
{
  LabHistory     *history;
  LabHistoryPage *page;    /* NULL once the page is gone */
  GArray         *ids;
  gboolean        settled;
} PendingDeletion;

static void
pending_deletion_forget (PendingDeletion *pending)
{
  LabHistoryPage *self = pending->page;

  if (self == NULL)
    return;
  for (guint i = 0; i < pending->ids->len; i++)
    g_hash_table_remove (self->deleting, &g_array_index (pending->ids, gint64, i));
  g_ptr_array_remove (self->pending, pending);
  pending->page = NULL;
  lab_history_page_apply (self);
}

/* Takes run @id out of the latest listing, once it is deleted. */
static void
lab_history_page_forget_listed (LabHistoryPage *self,
                                gint64          id)
{
  for (guint i = 0; i < self->listed->len; i++)
    if (lab_history_entry_get_id (g_ptr_array_index (self->listed, i)) == id)
      {
        g_ptr_array_remove_index (self->listed, i);
        return;
      }
}

static void
pending_deletion_commit (PendingDeletion *pending)
{
  if (pending->settled)
    return;
  pending->settled = TRUE;
  for (guint i = 0; i < pending->ids->len; i++)
    {
      gint64 id = g_array_index (pending->ids, gint64, i);
      g_autoptr(GError) error = NULL;

      if (lab_history_delete_run (pending->history, id, &error))
        {
          if (pending->page != NULL)
            lab_history_page_forget_listed (pending->page, id);
        }
      else
        {
          g_autofree char *name = format_run_name (id);
          g_autofree char *text = NULL;

          /* Translators: the first %s is a run ("#12"), the second what went wrong */
          text = g_strdup_printf (_("Run %s could not be deleted: %s"), name, error->message);
          if (pending->page != NULL)
            lab_toast_show (GTK_WIDGET (pending->page), text);
          else
            g_warning ("%s", text);
        }
    }
  pending_deletion_forget (pending);
}

static void
pending_deletion_undo (PendingDeletion *pending)
{
  if (pending->settled)
    return;
  pending->settled = TRUE;
  pending_deletion_forget (pending);
}

static void
pending_deletion_free (gpointer data)
{
  PendingDeletion *pending = data;

  pending_deletion_commit (pending);
  g_object_unref (pending->history);
  g_array_unref (pending->ids);
  g_free (pending);
}

/* Whether the keyboard focus is in the list. */
static gboolean
lab_history_page_list_has_focus (LabHistoryPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == GTK_WIDGET (self->list_box) ||
                           gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)));
}

static void
lab_history_page_delete_selected (LabHistoryPage *self)
{
  g_autoptr(GArray) ids = lab_history_page_dup_selected (self);
  g_autofree char *text = NULL;
  PendingDeletion *pending;
  gboolean had_focus = lab_history_page_list_has_focus (self);
  AdwToast *toast;
  GtkWidget *overlay;
  guint first = G_MAXUINT;

  if (self->history == NULL || ids->len == 0)
    return;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      guint position;
      LabHistoryEntry *entry = lab_history_page_find_entry (self, id, &position);

      first = MIN (first, position);
      if (lab_history_entry_get_status (entry) == LAB_HISTORY_RUNNING)
        {
          g_autofree char *name = format_run_name (id);
          g_autofree char *refusal = NULL;

          /* Translators: %s is a run, "#12" */
          refusal = g_strdup_printf (_("Run %s is still being measured: stop it first, then delete it."), name);
          lab_toast_show (GTK_WIDGET (self), refusal);
          return;
        }
    }

  pending = g_new0 (PendingDeletion, 1);
  pending->history = g_object_ref (self->history);
  pending->page = self;
  pending->ids = g_array_ref (ids);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (self->deleting, g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)));
  g_ptr_array_add (self->pending, pending);

  if (ids->len == 1)
    {
      g_autofree char *name = format_run_name (g_array_index (ids, gint64, 0));

      /* Translators: %s is a run, "#12" */
      text = g_strdup_printf (_("Run %s deleted"), name);
    }
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run deleted", "%u runs deleted", ids->len), ids->len);
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("_Undo"));
  /* Undo is for what was just done: before any older message. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "lab-deletion", pending, pending_deletion_free);
  g_signal_connect_swapped (toast, "button-clicked", G_CALLBACK (pending_deletion_undo), pending);
  g_signal_connect_swapped (toast, "dismissed", G_CALLBACK (pending_deletion_commit), pending);

  self->select_hint = first;
  gtk_list_box_unselect_all (self->list_box);
  lab_history_page_apply (self);
  if (had_focus)
    {
      GList *rows = gtk_list_box_get_selected_rows (self->list_box);

      if (rows != NULL)
        gtk_widget_grab_focus (rows->data);
      g_list_free (rows);
    }

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

/* Actions ------------------------------------------------------------------- */

static void
lab_history_page_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LabHistoryPage *self = LAB_HISTORY_PAGE (widget);

  if (g_str_equal (action_name, "history.delete"))
    lab_history_page_delete_selected (self);
  else if (g_str_equal (action_name, "history.show-list"))
    adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  else if (g_str_equal (action_name, "history.dismiss-recovery"))
    gtk_revealer_set_reveal_child (self->recovery_revealer, FALSE);
  else if (g_str_equal (action_name, "history.compare"))
    lab_history_page_select_id (self, g_variant_get_int64 (parameter));
}

static LabResultSet *
get_export (GtkWidget      *widget,
            LabChartsView **charts_view,
            const char    **file_prefix)
{
  LabHistoryPage *self = LAB_HISTORY_PAGE (widget);

  *charts_view = self->charts_view;
  *file_prefix = self->file_prefix;
  return self->shown_set;
}

/* Public -------------------------------------------------------------------- */

/**
 * lab_history_page_set_history:
 * @history: (nullable): the history, %NULL when it could not be opened
 * @unavailable_reason: (nullable): why it could not
 *
 * Shows the runs of @history, and what was wrong with its database when
 * it had to be replaced.
 */
void
lab_history_page_set_history (LabHistoryPage *self,
                              LabHistory     *history,
                              const char     *unavailable_reason)
{
  const char *recovery;

  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));
  g_return_if_fail (history == NULL || LAB_IS_HISTORY (history));

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);

  if (history == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s says what went wrong */
      text = g_strdup_printf (_("The history could not be opened: %s. Runs still work, but they are not kept: export their results to keep them."),
                              unavailable_reason != NULL ? unavailable_reason : LAB_FORMAT_NONE);
      set_description (self->unavailable_page, text);
      show_stack_child (self->content_stack, "unavailable");
      return;
    }

  recovery = lab_history_get_recovery_message (history);
  gtk_label_set_text (self->recovery_label, recovery != NULL ? recovery : "");
  gtk_revealer_set_reveal_child (self->recovery_revealer, recovery != NULL);

  g_signal_connect_object (history, "changed", G_CALLBACK (on_history_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (history, "recording-failed", G_CALLBACK (on_recording_failed), self, G_CONNECT_SWAPPED);
  lab_history_page_refresh (self);
}

/* GObject ------------------------------------------------------------------- */

static void
lab_history_page_map (GtkWidget *widget)
{
  LabHistoryPage *self = LAB_HISTORY_PAGE (widget);
  GtkRoot *root;
  GtkWidget *focus;
  GList *rows;

  GTK_WIDGET_CLASS (lab_history_page_parent_class)->map (widget);
  if (self->stale)
    lab_history_page_refresh (self);

  /* Shown, the page takes the keyboard to its list: the arrows move
   * through the runs, Delete deletes the one selected. */
  root = gtk_widget_get_root (widget);
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  if (focus != NULL && gtk_widget_is_ancestor (focus, widget))
    return;
  rows = gtk_list_box_get_selected_rows (self->list_box);
  if (rows != NULL)
    gtk_widget_grab_focus (rows->data);
  g_list_free (rows);
}

static void
lab_history_page_dispose (GObject *object)
{
  LabHistoryPage *self = LAB_HISTORY_PAGE (object);
  GtkWidget *child;

  /* Deletions not undone by now are made. */
  while (self->pending != NULL && self->pending->len > 0)
    {
      PendingDeletion *pending = g_ptr_array_steal_index (self->pending, 0);

      pending->page = NULL;
      pending_deletion_commit (pending);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);

  /* The list and the leaflet go with the template's children: they must
   * not call back into the page meanwhile. */
  if (self->list_box != NULL)
    g_signal_handlers_disconnect_by_data (self->list_box, self);
  if (self->leaflet != NULL)
    g_signal_handlers_disconnect_by_data (self->leaflet, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_HISTORY_PAGE);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->history);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_clear_object (&self->entries);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->shown_set);
  g_clear_object (&self->compared[0]);
  g_clear_object (&self->compared[1]);
  g_clear_pointer (&self->loaded, g_hash_table_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->deleting, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_array_unref);
  g_clear_pointer (&self->file_prefix, g_free);

  G_OBJECT_CLASS (lab_history_page_parent_class)->dispose (object);
}

static void
lab_history_page_class_init (LabHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_history_page_dispose;
  widget_class->map = lab_history_page_map;

  g_type_ensure (LAB_TYPE_RUN_VIEW);
  g_type_ensure (LAB_TYPE_RESULTS_VIEW);
  g_type_ensure (LAB_TYPE_CHARTS_VIEW);
  g_type_ensure (LAB_TYPE_COMPARISON_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, recovery_revealer);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, recovery_label);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, list_pane);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, separator);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, message_page);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_title_label);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, compare_button);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_view);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, results_view);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, charts_view);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, comparison_view);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, export_menu);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, chart_export_section);

  gtk_widget_class_install_action (widget_class, "history.delete", NULL, lab_history_page_action);
  gtk_widget_class_install_action (widget_class, "history.show-list", NULL, lab_history_page_action);
  gtk_widget_class_install_action (widget_class, "history.dismiss-recovery", NULL, lab_history_page_action);
  gtk_widget_class_install_action (widget_class, "history.compare", "x", lab_history_page_action);
  lab_results_export_install_actions (widget_class, get_export);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "history.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "history.delete", NULL);
}

static void
lab_history_page_init (LabHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->listed = g_ptr_array_new_with_free_func (g_object_unref);
  self->entries = g_list_store_new (LAB_TYPE_HISTORY_ENTRY);
  self->loaded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) loaded_run_free);
  self->in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->deleting = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pending = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->select_hint = -1;

  g_signal_connect_object (self->list_box, "selected-rows-changed", G_CALLBACK (on_selected_rows_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_box, "row-activated", G_CALLBACK (on_row_activated), self, G_CONNECT_SWAPPED);

  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->separator), FALSE);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (on_leaflet_folded), self, G_CONNECT_SWAPPED);
  on_leaflet_folded (self);

  show_stack_child (self->content_stack, "none");
  show_stack_child (self->detail_stack, "message");
  lab_results_view_set_clearable (self->results_view, FALSE);
  lab_charts_view_set_live (self->charts_view, FALSE);
  g_menu_append_section (self->chart_export_section, NULL, lab_charts_view_get_export_menu (self->charts_view));
  lab_run_view_set_export_menu (self->run_view, G_MENU_MODEL (self->export_menu));
  lab_history_page_update_actions (self);
}
