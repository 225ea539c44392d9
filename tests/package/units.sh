#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# units/ctguard-audit.service and .timer pass `systemd-analyze verify` (ExecStart pointed at
# the built binary, the tree's man page on MANPATH for Documentation=), the service's
# `systemd-analyze security` exposure is below 4.0 ("OK"), the timer fires every minute, and
# the service's command line is one ctguard accepts (run on golden inputs instead of the
# live host, writing the textfile where the unit says).
set -u
export TZ=UTC
src=${CTG_SRCDIR:?}
exe=${CTGUARD:?}
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
d=$(mktemp -d /tmp/ctg-package-units.XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/man/man8"
cp "$src/man/ctguard.8" "$d/man/man8/"
sed "s|/usr/sbin/ctguard|$exe|" "$src/units/ctguard-audit.service" >"$d/ctguard-audit.service"
cp "$src/units/ctguard-audit.timer" "$d/"
out=$(cd "$d" && MANPATH="$d/man" systemd-analyze verify ./ctguard-audit.timer ./ctguard-audit.service 2>&1)
rc=$?
echo "verify: exit $rc ${out:+($out)}"
[ $rc = 0 ] && [ -z "$out" ] || { echo "FAIL: systemd-analyze verify"; exit 1; }
sec=$(cd "$d" && systemd-analyze security --offline=yes ./ctguard-audit.service 2>&1 | grep "Overall exposure")
echo "$sec"
level=$(echo "$sec" | sed -n 's/.*service: \([0-9.]*\).*/\1/p')
[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l < 4.0) }' || { echo "FAIL: exposure $level"; exit 1; }
next=$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$src/units/ctguard-audit.timer")" --iterations=2 2>&1 |
	sed -n 's/^ *\(Next elapse\|Iter\. #2\): [A-Za-z]* \(.*\) UTC$/\2/p')
echo "timer: $(echo "$next" | tr '\n' ' ')"
[ "$(echo "$next" | wc -l)" = 2 ] || { echo "FAIL: calendar"; exit 1; }
gap=$(( $(date -ud "$(echo "$next" | sed -n 2p)" +%s) - $(date -ud "$(echo "$next" | sed -n 1p)" +%s) ))
[ "$gap" = 60 ] || { echo "FAIL: timer interval $gap s"; exit 1; }
# the service's arguments, with the golden inputs instead of the live host
args=$(sed -n 's|^ExecStart=/usr/sbin/ctguard ||p' "$src/units/ctguard-audit.service")
prom=$(echo "$args" | sed -n 's/.*--prometheus \([^ ]*\).*/\1/p')
grep -q "^ReadWritePaths=$(dirname "$prom")$" "$src/units/ctguard-audit.service" &&
	grep -q "^ConditionPathIsDirectory=$(dirname "$prom")$" "$src/units/ctguard-audit.service" ||
	{ echo "FAIL: the textfile directory is not the writable one"; exit 1; }
in=$src/tests/golden/analysis/audit-basic
# shellcheck disable=SC2086
"$exe" ${args/$prom/$d/ctguard.prom} --rules "$in/rules.v4" --rules6 "$in/empty.v6" \
	--conntrack "$in/conntrack.txt" --sockets "$in/sockets.ss" >/dev/null
rc=$?
grep -q "^SuccessExitStatus=1$" "$src/units/ctguard-audit.service" || { echo "FAIL: exit 1 is a result"; exit 1; }
[ $rc -le 1 ] && grep -q '^ctguard_last_run_timestamp_seconds ' "$d/ctguard.prom" ||
	{ echo "FAIL: the unit's command line (exit $rc)"; exit 1; }
echo PASS
