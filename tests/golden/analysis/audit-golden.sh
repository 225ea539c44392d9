#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests of `ctguard audit` on offline inputs: each directory audit-*/ holds
# rules.v4, sockets.ss, conntrack.txt [, rules.v6 (else empty.v6), args] and the expected outputs expected.txt
# (text), expected.json (JSON), expected.nagios (--nagios line + exit code).
# --regen rewrites the expected files (review the diff).
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
regen=${1:-}
fail=0
for d in "$here"/audit-*/; do
	name=$(basename "$d")
	args=()
	[ -f "$d/args" ] && read -r -a args <"$d/args"
	r6=empty.v6
	[ -f "$d/rules.v6" ] && r6=rules.v6
	run() {
		(cd "$d" && "$CTGUARD" audit --rules rules.v4 --rules6 "$r6" \
			--conntrack conntrack.txt --sockets sockets.ss "${args[@]}" "$@")
		echo "exit $?"
	}
	for kind in txt json nagios; do
		case $kind in
		txt) out=$(run) ;;
		json) out=$(run --format json) ;;
		nagios) out=$(run --nagios) ;;
		esac
		if [ "$regen" = --regen ]; then
			printf '%s\n' "$out" >"$d/expected.$kind"
		elif ! diff -u "$d/expected.$kind" <(printf '%s\n' "$out"); then
			echo "FAIL: $name ($kind)"
			fail=1
		fi
	done
done
[ $fail = 0 ] && echo PASS
exit $fail
