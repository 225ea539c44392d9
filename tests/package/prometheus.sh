#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/prometheus/ctguard.rules.yml: `promtool check rules`, its unit tests
# (`promtool test rules`), and every ctguard_* metric the rules use is one the program
# writes: audit's from a real `ctguard audit --prometheus` run on the audit-basic golden
# inputs, watch's from its metric table in cli/cmd_watch.c.
set -u
src=${CTG_SRCDIR:?}
exe=${CTGUARD:?}
command -v promtool >/dev/null || { echo "SKIP: promtool not installed (tools/install-deps.sh --test)"; exit 77; }
rules=$src/contrib/prometheus/ctguard.rules.yml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
promtool check rules "$rules" || exit 1
(cd "$src/contrib/prometheus" && promtool test rules ctguard.rules.test.yml) || exit 1
in=$src/tests/golden/analysis/audit-basic
"$exe" audit --rules "$in/rules.v4" --rules6 "$in/empty.v6" --conntrack "$in/conntrack.txt" \
	--sockets "$in/sockets.ss" --prometheus "$tmp/ctguard.prom" >/dev/null
rc=$?
[ $rc -le 1 ] && [ -s "$tmp/ctguard.prom" ] || { echo "FAIL: audit --prometheus exit $rc"; exit 1; }
promtool check metrics <"$tmp/ctguard.prom" || { echo "FAIL: promtool check metrics"; exit 1; }
sed -n -e 's/^\(ctguard_[a-z_]*\).*/\1/p' -e 's/^# TYPE \(ctguard_[a-z_]*\) .*/\1/p' "$tmp/ctguard.prom" | sort -u >"$tmp/have"
grep -o 'ctguard_watch_[a-z_]*' "$src/cli/cmd_watch.c" | sort -u >>"$tmp/have"
fail=0
for m in $(grep -v '^ *#' "$rules" | grep -o 'ctguard_[a-z_]*' | grep -v '^ctguard_audit$' | sort -u); do
	if grep -qx "$m" "$tmp/have"; then
		echo "ok: $m"
	else
		echo "FAIL: the rules use $m, which ctguard does not write"
		fail=1
	fi
done
[ $fail = 0 ] && echo PASS
exit $fail
