// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cli.h"

int cmd_fmt(struct ctg_cli *cli, int argc, char **argv)
{
	fprintf(stderr, "%s fmt: not implemented yet\n", cli->prog);
	return CTG_EXIT_ENV;
}
