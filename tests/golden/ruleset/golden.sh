#!/bin/bash
# Golden tests of `ctguard fmt`: for each cases/NAME.v4|v6 (flags in NAME.args), stdout must
# equal NAME.out, stderr NAME.err (when present) and the exit status NAME.rc (default 0).
# Round trip: fmt of the output must give the output again, byte for byte.
# CTG_REGEN=1 rewrites the expected files.
set -u
: "${CTGUARD:?CTGUARD must point at the ctguard binary}"
cd "$(dirname "$0")/cases" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for in in *.v4 *.v6; do
	[ -e "$in" ] || continue
	name=${in%.*}
	args=()
	[ -f "$name.args" ] && read -r -a args <"$name.args"
	n=$((n + 1))
	"$CTGUARD" fmt "${args[@]}" "$in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "${CTG_REGEN:-0}" = 1 ]; then
		cp "$tmp/out" "$name.out"
		if [ -s "$tmp/err" ]; then cp "$tmp/err" "$name.err"; else rm -f "$name.err"; fi
		if [ $rc -ne 0 ]; then echo $rc >"$name.rc"; else rm -f "$name.rc"; fi
		continue
	fi
	want_rc=0
	[ -f "$name.rc" ] && want_rc=$(cat "$name.rc")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit $rc, expected $want_rc"; fail=1
	fi
	if ! cmp -s "$tmp/out" "$name.out"; then
		echo "FAIL $name: stdout differs"; diff "$name.out" "$tmp/out" | head -20; fail=1
	fi
	if [ -f "$name.err" ] || [ -s "$tmp/err" ]; then
		if ! cmp -s "$tmp/err" "$name.err" 2>/dev/null; then
			echo "FAIL $name: stderr differs"; diff "$name.err" "$tmp/err" 2>&1 | head -20; fail=1
		fi
	fi
	if [ $rc -eq 0 ]; then
		"$CTGUARD" fmt "${args[@]}" "$tmp/out" >"$tmp/out2" 2>"$tmp/err2"
		if ! cmp -s "$tmp/out" "$tmp/out2"; then
			echo "FAIL $name: not a fixed point (fmt of fmt differs)"; diff "$tmp/out" "$tmp/out2" | head; fail=1
		fi
	fi
done
echo "golden: $n cases"
[ $n -gt 0 ] && [ $fail -eq 0 ]
