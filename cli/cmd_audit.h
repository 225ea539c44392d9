/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inputs and run of an audit, shared by `ctguard audit`, `heal` and `demo` (cmd_audit.c). */
#ifndef CTG_CLI_CMD_AUDIT_H
#define CTG_CLI_CMD_AUDIT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <ctguard/source.h>

#include "analysis/audit.h"
#include "apply/audit_heal.h"
#include "cli.h"
#include "common/inputs.h"
#include "common/opts.h"

/* The assembled inputs (interfaces included when live) and timings. */
struct audit_inputs {
	struct ctg_inputs in;
	double load_seconds, audit_seconds;
};

void audit_inputs_init(struct audit_inputs *in);
void audit_inputs_release(struct audit_inputs *in);
/* Loads every input; prints problems; returns CTG_EXIT_OK or an exit code. */
int audit_inputs_load(struct audit_inputs *in, struct ctg_cli *cli, const char *cmd);
/* Fills an audit input from loaded inputs. */
void audit_inputs_fill(const struct audit_inputs *in, struct ctg_audit_input *ai);
/* load + run: CTG_EXIT_OK or an exit code; report valid on OK. */
int audit_inputs_run(struct audit_inputs *in, struct ctg_cli *cli, const char *cmd,
		     struct ctg_audit_report *rep);

/* "10.0.0.1:3306" or "[fd00::1]:3306" into buf. */
const char *audit_endpoint(uint8_t family, const struct ctg_addr *a, uint16_t port, char *buf,
			   size_t size);
/* Findings listed one by one (more are grouped) unless --verbose. */
#define AUDIT_DETAIL_MAX 8

enum ctg_report_detail {
	CTG_REPORT_DEFAULT, /* few findings listed, many grouped: one screen */
	CTG_REPORT_QUIET,   /* the summary line only */
	CTG_REPORT_VERBOSE, /* every finding with its reason */
};

/* Prints the text report (what `ctguard audit` prints). */
void audit_print_text(const struct ctg_audit_report *rep, enum ctg_report_detail detail, FILE *f);
/* One finding in two lines, as in the text report. */
void audit_print_item(const struct ctg_audit_item *it, FILE *f);

#endif
