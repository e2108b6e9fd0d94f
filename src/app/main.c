/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lab-application.h"
#include "lab-limits.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LabApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Before any thread: runs with many workers need more than a desktop's 1024. */
  lab_fd_limit_raise ();

  app = lab_application_new ();

  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status != 0 ? status : lab_application_get_exit_status (app);
}
