/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-form.h"

G_DEFINE_INTERFACE (LabForm, lab_form, GTK_TYPE_WIDGET)

static void
lab_form_default_init (LabFormInterface *iface)
{
  g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

/**
 * lab_form_dup_builder:
 * @modes: (array length=n_modes): the modes to run
 *
 * Returns: (transfer full): a builder describing the experiment the form
 *   shows, for @modes; not checked yet
 */
LabRunBuilder *
lab_form_dup_builder (LabForm       *self,
                      const LabMode *modes,
                      guint          n_modes)
{
  LabFormInterface *iface;
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);

  g_return_val_if_fail (LAB_IS_FORM (self), NULL);

  iface = LAB_FORM_GET_IFACE (self);
  iface->fill_builder (self, builder);
  lab_run_options_apply (iface->get_options (self), builder, modes, n_modes);
  return g_steal_pointer (&builder);
}

/**
 * lab_form_dup_compare_builder:
 *
 * Returns: (transfer full): a builder describing what Compare runs with
 *   the form's parameters: the runtimes side by side
 */
LabRunBuilder *
lab_form_dup_compare_builder (LabForm *self)
{
  LabFormInterface *iface;
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);

  g_return_val_if_fail (LAB_IS_FORM (self), NULL);

  iface = LAB_FORM_GET_IFACE (self);
  iface->fill_builder (self, builder);
  lab_run_options_apply_compare (iface->get_options (self), builder);
  return g_steal_pointer (&builder);
}

/**
 * lab_form_get_checked_modes:
 * @modes: (element-type LabMode): receives the checked modes, in order
 */
void
lab_form_get_checked_modes (LabForm *self,
                            GArray  *modes)
{
  g_return_if_fail (LAB_IS_FORM (self));
  lab_run_options_get_checked (LAB_FORM_GET_IFACE (self)->get_options (self), modes);
}

/* For implementations: a parameter that results depend on changed. */
void
lab_form_emit_changed (LabForm *self)
{
  g_return_if_fail (LAB_IS_FORM (self));
  g_signal_emit_by_name (self, "changed");
}

/**
 * lab_form_get_idle_status:
 *
 * Returns: (nullable): what the page should say of the form's workload
 *   before it runs; %NULL: the page's own words
 */
const char *
lab_form_get_idle_status (LabForm *self)
{
  LabFormInterface *iface;

  g_return_val_if_fail (LAB_IS_FORM (self), NULL);

  iface = LAB_FORM_GET_IFACE (self);
  return iface->get_idle_status != NULL ? iface->get_idle_status (self) : NULL;
}
