/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-cells-chart.h"

typedef struct
{
  GListModel *model;
  GPtrArray  *watched;   /* the items of @model, each with a notify handler */
} LabCellsChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LabCellsChart, lab_cells_chart, LAB_TYPE_CHART)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Runs when lab_chart_queue_update() lets it: a cell notifies each of
 * its statistics after every repetition, and a new baseline updates every
 * cell, so the subclass recomputes once for all of them. */
static void
lab_cells_chart_update (LabChart *chart)
{
  LabCellsChart *self = LAB_CELLS_CHART (chart);

  if (LAB_CELLS_CHART_GET_CLASS (self)->cells_changed != NULL)
    LAB_CELLS_CHART_GET_CLASS (self)->cells_changed (self);
}

static void
on_cell_notify (LabCellsChart *self,
                GParamSpec    *pspec,
                GObject       *cell)
{
  lab_chart_queue_update (LAB_CHART (self));
}

static void
unwatch_cell (gpointer data,
              gpointer user_data)
{
  g_signal_handlers_disconnect_by_func (data, on_cell_notify, user_data);
}

static void
on_items_changed (LabCellsChart *self,
                  guint          position,
                  guint          removed,
                  guint          added,
                  GListModel    *model)
{
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  for (guint i = 0; i < removed; i++)
    unwatch_cell (g_ptr_array_index (priv->watched, position + i), self);
  g_ptr_array_remove_range (priv->watched, position, removed);

  for (guint i = 0; i < added; i++)
    {
      GObject *item = g_list_model_get_item (model, position + i);

      g_signal_connect_object (item, "notify", G_CALLBACK (on_cell_notify), self,
                               G_CONNECT_SWAPPED);
      /* the array owns the reference from get_item */
      g_ptr_array_insert (priv->watched, position + i, item);
    }

  lab_chart_queue_update (LAB_CHART (self));
}

static void
unwatch_model (LabCellsChart *self)
{
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  if (priv->model != NULL)
    g_signal_handlers_disconnect_by_func (priv->model, on_items_changed, self);
  if (priv->watched != NULL)
    {
      g_ptr_array_foreach (priv->watched, unwatch_cell, self);
      g_ptr_array_set_size (priv->watched, 0);
    }
  g_clear_object (&priv->model);
}

/**
 * lab_cells_chart_get_model:
 *
 * Returns: (transfer none) (nullable): the #LabCell model
 */
GListModel *
lab_cells_chart_get_model (LabCellsChart *self)
{
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_CELLS_CHART (self), NULL);

  return priv->model;
}

/**
 * lab_cells_chart_set_model:
 * @model: (nullable): a #GListModel of #LabCell
 *
 * Watches @model and each of its cells. The cells_changed vfunc runs at
 * once for the new model, and for changes within it at most every
 * %LAB_CHART_UPDATE_INTERVAL_MS (see lab_chart_queue_update()).
 */
void
lab_cells_chart_set_model (LabCellsChart *self,
                           GListModel    *model)
{
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  g_return_if_fail (LAB_IS_CELLS_CHART (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (priv->model == model)
    return;

  unwatch_model (self);
  if (model != NULL)
    {
      priv->model = g_object_ref (model);
      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self,
                               G_CONNECT_SWAPPED);
      on_items_changed (self, 0, 0, g_list_model_get_n_items (model), model);
    }

  /* A new model is shown at once; changes within it are rate-limited */
  lab_chart_update_now (LAB_CHART (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

static void
lab_cells_chart_dispose (GObject *object)
{
  LabCellsChart *self = LAB_CELLS_CHART (object);
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  unwatch_model (self);
  g_clear_pointer (&priv->watched, g_ptr_array_unref);

  G_OBJECT_CLASS (lab_cells_chart_parent_class)->dispose (object);
}

static void
lab_cells_chart_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LabCellsChart *self = LAB_CELLS_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, lab_cells_chart_get_model (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cells_chart_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LabCellsChart *self = LAB_CELLS_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      lab_cells_chart_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cells_chart_class_init (LabCellsChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);

  object_class->dispose = lab_cells_chart_dispose;
  object_class->get_property = lab_cells_chart_get_property;
  object_class->set_property = lab_cells_chart_set_property;

  chart_class->update = lab_cells_chart_update;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lab_cells_chart_init (LabCellsChart *self)
{
  LabCellsChartPrivate *priv = lab_cells_chart_get_instance_private (self);

  priv->watched = g_ptr_array_new_with_free_func (g_object_unref);
}
