/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-interpreter.h"
#include "lab-runtime-switch.h"

/**
 * LabRuntimeSwitch:
 *
 * Picks who runs a page's experiments (native C, native threads behind an
 * emulated GIL, CPython, free-threaded CPython when there is one) and
 * offers Compare, which puts the runtimes side by side ("page.compare-runtimes").
 * The interpreters are looked for in a thread when the switch is bound:
 * a runtime that is missing, broken or too old stays insensitive, with
 * the reason as its tooltip and under the buttons.
 */
struct _LabRuntimeSwitch
{
  GtkWidget         parent_instance;

  GSettings        *settings;
  char             *key;
  LabRuntimeChoice  choice;
  GCancellable     *cancellable;
  /* Per runtime: the interpreter found, or why there is none; NULL while looking */
  const LabInterpreter *interpreters[LAB_N_RUNTIMES];
  char             *missing[LAB_N_RUNTIMES];

  /* Template children */
  GtkToggleButton  *buttons[LAB_N_RUNTIME_CHOICES];
  GtkLabel         *description;
  GtkLabel         *compare_label;
};

G_DEFINE_FINAL_TYPE (LabRuntimeSwitch, lab_runtime_switch, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHOICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const choice_names[LAB_N_RUNTIME_CHOICES] = {
  [LAB_RUNTIME_CHOICE_NATIVE] = "native",
  [LAB_RUNTIME_CHOICE_GIL] = "gil",
  [LAB_RUNTIME_CHOICE_CPYTHON] = "cpython",
  [LAB_RUNTIME_CHOICE_CPYTHON_NOGIL] = "cpython-nogil",
};

LabRuntime
lab_runtime_choice_get_runtime (LabRuntimeChoice choice)
{
  switch (choice)
    {
    case LAB_RUNTIME_CHOICE_CPYTHON:
      return LAB_RUNTIME_CPYTHON;
    case LAB_RUNTIME_CHOICE_CPYTHON_NOGIL:
      return LAB_RUNTIME_CPYTHON_NOGIL;
    case LAB_RUNTIME_CHOICE_NATIVE:
    case LAB_RUNTIME_CHOICE_GIL:
    case LAB_N_RUNTIME_CHOICES:
    default:
      return LAB_RUNTIME_NATIVE;
    }
}

/* The emulated GIL is the native engine's threads mode behind a lock. */
LabMode
lab_runtime_choice_map_mode (LabRuntimeChoice choice,
                             LabMode          mode)
{
  return choice == LAB_RUNTIME_CHOICE_GIL && mode == LAB_MODE_THREADS ? LAB_MODE_GIL : mode;
}

/* What the chosen runtime is, and why any other cannot be chosen. */
static void
update_description (LabRuntimeSwitch *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  LabRuntime runtime = lab_runtime_choice_get_runtime (self->choice);
  const LabInterpreter *interpreter = self->interpreters[runtime];

  switch (self->choice)
    {
    case LAB_RUNTIME_CHOICE_NATIVE:
      g_string_append (text, _("The C engine runs the tasks: its threads compute in parallel."));
      break;
    case LAB_RUNTIME_CHOICE_GIL:
      g_string_append (text, _("Threads mode runs native threads that take turns on one lock, handed over every "
                               "5 ms as in CPython: a simulation of the GIL, labelled as such."));
      break;
    case LAB_RUNTIME_CHOICE_CPYTHON:
    case LAB_RUNTIME_CHOICE_CPYTHON_NOGIL:
      if (interpreter != NULL)
        /* Translators: "Python 3.11.2 (/usr/bin/python3) runs the same kernels in plain Python." */
        g_string_append_printf (text, self->choice == LAB_RUNTIME_CHOICE_CPYTHON
                                ? _("Python %s (%s) runs the same kernels in plain Python, with its GIL.")
                                : _("Python %s (%s) runs the same kernels in plain Python, without a GIL."),
                                interpreter->version, interpreter->path);
      break;
    case LAB_N_RUNTIME_CHOICES:
    default:
      g_assert_not_reached ();
    }

  /* Neither found nor missing: still looking */
  if (self->missing[LAB_RUNTIME_CPYTHON] != NULL)
    g_string_append_printf (text, "\n%s", self->missing[LAB_RUNTIME_CPYTHON]);
  else if (self->interpreters[LAB_RUNTIME_CPYTHON] == NULL)
    g_string_append_printf (text, "\n%s", _("Looking for python3…"));
  gtk_label_set_text (self->description, text->str);

  if (self->choice == LAB_RUNTIME_CHOICE_CPYTHON || self->choice == LAB_RUNTIME_CHOICE_CPYTHON_NOGIL)
    /* Translators: what Compare runs, with a Python runtime chosen */
    gtk_label_set_text (self->compare_label, _("Native threads and processes next to this Python’s threads and processes"));
  else if (self->interpreters[LAB_RUNTIME_CPYTHON] != NULL)
    gtk_label_set_text (self->compare_label, _("Native threads, the emulated GIL, and CPython’s threads and processes"));
  else
    gtk_label_set_text (self->compare_label, _("Native threads and processes next to threads behind the emulated GIL"));
}

static void
set_choice (LabRuntimeSwitch *self,
            LabRuntimeChoice  choice)
{
  if (self->choice == choice)
    return;
  self->choice = choice;
  gtk_toggle_button_set_active (self->buttons[choice], TRUE);
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHOICE]);
}

/* The saved choice, when it can be had; native otherwise (the setting is
 * kept, so a runtime installed later is chosen again). */
static void
apply_setting (LabRuntimeSwitch *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, self->key);

  for (guint i = 0; i < LAB_N_RUNTIME_CHOICES; i++)
    if (g_str_equal (name, choice_names[i]))
      {
        LabRuntime runtime = lab_runtime_choice_get_runtime (i);

        if (runtime == LAB_RUNTIME_NATIVE || self->interpreters[runtime] != NULL)
          set_choice (self, i);
        else
          set_choice (self, LAB_RUNTIME_CHOICE_NATIVE);
        return;
      }
}

static void
on_button_toggled (LabRuntimeSwitch *self,
                   GtkToggleButton  *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < LAB_N_RUNTIME_CHOICES; i++)
    if (self->buttons[i] == button && self->choice != i)
      {
        set_choice (self, i);
        if (self->settings != NULL)
          g_settings_set_string (self->settings, self->key, choice_names[i]);
      }
}

/* A runtime found (or not): its button says so. */
static void
show_runtime (LabRuntimeSwitch *self,
              LabRuntime        runtime)
{
  LabRuntimeChoice choice = runtime == LAB_RUNTIME_CPYTHON ? LAB_RUNTIME_CHOICE_CPYTHON
                                                           : LAB_RUNTIME_CHOICE_CPYTHON_NOGIL;
  GtkWidget *button = GTK_WIDGET (self->buttons[choice]);
  const LabInterpreter *interpreter = self->interpreters[runtime];

  gtk_widget_set_sensitive (button, interpreter != NULL);
  if (interpreter != NULL)
    {
      /* Translators: a runtime button's tooltip, "Python 3.11.2 at /usr/bin/python3" */
      g_autofree char *tip = g_strdup_printf (_("Python %s at %s"), interpreter->version, interpreter->path);

      gtk_widget_set_tooltip_text (button, tip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tip, -1);
    }
  else
    {
      gtk_widget_set_tooltip_text (button, self->missing[runtime]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      self->missing[runtime], -1);
    }
  /* Free-threaded Python is offered only where there is one. */
  if (runtime == LAB_RUNTIME_CPYTHON_NOGIL)
    gtk_widget_set_visible (button, interpreter != NULL);
}

/* One search for an interpreter under way. */
typedef struct
{
  LabRuntimeSwitch *self;
  LabRuntime        runtime;
} Search;

static void
on_interpreter_found (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autofree Search *search = user_data;
  g_autoptr(LabRuntimeSwitch) self = search->self;
  g_autoptr(GError) error = NULL;
  const LabInterpreter *interpreter = lab_interpreter_find_finish (result, &error);
  LabRuntime runtime = search->runtime;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->interpreters[runtime] = interpreter;
  if (interpreter == NULL)
    self->missing[runtime] = g_strdup (error->message);
  show_runtime (self, runtime);
  if (self->settings != NULL)
    apply_setting (self);
  update_description (self);
}

static void
find_interpreter (LabRuntimeSwitch *self,
                  LabRuntime        runtime)
{
  Search *search = g_new0 (Search, 1);

  search->self = g_object_ref (self);
  search->runtime = runtime;
  lab_interpreter_find_async (runtime, self->cancellable, on_interpreter_found, search);
}

/**
 * lab_runtime_switch_bind:
 * @key: a string key of @settings holding "native", "gil", "cpython" or
 *   "cpython-nogil"
 */
void
lab_runtime_switch_bind (LabRuntimeSwitch *self,
                         GSettings        *settings,
                         const char       *key)
{
  g_return_if_fail (LAB_IS_RUNTIME_SWITCH (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->key = g_strdup (key);
  apply_setting (self);
  update_description (self);
}

LabRuntimeChoice
lab_runtime_switch_get_choice (LabRuntimeSwitch *self)
{
  g_return_val_if_fail (LAB_IS_RUNTIME_SWITCH (self), LAB_RUNTIME_CHOICE_NATIVE);
  return self->choice;
}

gboolean
lab_runtime_switch_has (LabRuntimeSwitch *self,
                        LabRuntime        runtime)
{
  g_return_val_if_fail (LAB_IS_RUNTIME_SWITCH (self), FALSE);
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, FALSE);
  return runtime == LAB_RUNTIME_NATIVE || self->interpreters[runtime] != NULL;
}

static void
lab_runtime_switch_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LabRuntimeSwitch *self = LAB_RUNTIME_SWITCH (object);

  switch (prop_id)
    {
    case PROP_CHOICE:
      g_value_set_uint (value, self->choice);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_runtime_switch_dispose (GObject *object)
{
  LabRuntimeSwitch *self = LAB_RUNTIME_SWITCH (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  /* The buttons go with the template's children: they must not call
   * back into the switch meanwhile. */
  for (guint i = 0; i < G_N_ELEMENTS (self->buttons); i++)
    if (self->buttons[i] != NULL)
      g_signal_handlers_disconnect_by_data (self->buttons[i], self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RUNTIME_SWITCH);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->key, g_free);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    g_clear_pointer (&self->missing[i], g_free);

  G_OBJECT_CLASS (lab_runtime_switch_parent_class)->dispose (object);
}

static void
lab_runtime_switch_class_init (LabRuntimeSwitchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lab_runtime_switch_get_property;
  object_class->dispose = lab_runtime_switch_dispose;

  properties[PROP_CHOICE] = g_param_spec_uint ("choice", NULL, NULL, 0, LAB_N_RUNTIME_CHOICES - 1, 0,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-runtime-switch.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "native_button", FALSE,
                                             G_STRUCT_OFFSET (LabRuntimeSwitch, buttons[LAB_RUNTIME_CHOICE_NATIVE]));
  gtk_widget_class_bind_template_child_full (widget_class, "gil_button", FALSE,
                                             G_STRUCT_OFFSET (LabRuntimeSwitch, buttons[LAB_RUNTIME_CHOICE_GIL]));
  gtk_widget_class_bind_template_child_full (widget_class, "cpython_button", FALSE,
                                             G_STRUCT_OFFSET (LabRuntimeSwitch, buttons[LAB_RUNTIME_CHOICE_CPYTHON]));
  gtk_widget_class_bind_template_child_full (widget_class, "nogil_button", FALSE,
                                             G_STRUCT_OFFSET (LabRuntimeSwitch, buttons[LAB_RUNTIME_CHOICE_CPYTHON_NOGIL]));
  gtk_widget_class_bind_template_child (widget_class, LabRuntimeSwitch, description);
  gtk_widget_class_bind_template_child (widget_class, LabRuntimeSwitch, compare_label);
}

static void
lab_runtime_switch_init (LabRuntimeSwitch *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_toggle_button_set_active (self->buttons[LAB_RUNTIME_CHOICE_NATIVE], TRUE);
  for (guint i = 0; i < LAB_N_RUNTIME_CHOICES; i++)
    g_signal_connect_object (self->buttons[i], "toggled", G_CALLBACK (on_button_toggled), self, G_CONNECT_SWAPPED);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->buttons[LAB_RUNTIME_CHOICE_CPYTHON]), _("Looking for python3…"));
  find_interpreter (self, LAB_RUNTIME_CPYTHON);
  find_interpreter (self, LAB_RUNTIME_CPYTHON_NOGIL);
}
