#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests of `ctguard check` on offline inputs: each directory check-*/ holds
# new.v4 (candidate), optional current.v4, conntrack.txt, sockets.ss and args (extra
# options), and the expected stdout + exit code: expected.txt (text), expected.json.
# --regen rewrites the expected files (review the diff).
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
regen=${1:-}
fail=0
for d in "$here"/check-*/; do
	name=$(basename "$d")
	args=()
	[ -f "$d/args" ] && read -r -a args <"$d/args"
	[ -f "$d/current.v4" ] && args+=(--current current.v4)
	run() {
		(cd "$d" && "$CTGUARD" check --rules new.v4 --conntrack conntrack.txt \
			--sockets sockets.ss "${args[@]}" "$@" 2>/dev/null)
		echo "exit $?"
	}
	for kind in txt json; do
		case $kind in
		txt) out=$(run) ;;
		json) out=$(run --format json) ;;
		esac
		if [ "$regen" = --regen ]; then
			printf '%s\n' "$out" >"$d/expected.$kind"
		elif ! diff -u "$d/expected.$kind" <(printf '%s\n' "$out"); then
			echo "FAIL: $name ($kind)"
			fail=1
		fi
	done
	# the memoised and the plain linear evaluation agree
	if [ "$regen" != --regen ] &&
		! diff -u <(run --format json) <(CTGUARD_NO_MEMO=1 run --format json); then
		echo "FAIL: $name (memo vs linear)"
		fail=1
	fi
done
[ $fail = 0 ] && echo PASS
exit $fail
