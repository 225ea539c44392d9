#!/bin/bash
# Golden tests for `ctguard trace`: cases/NAME.args (trace arguments, shell words; @DIR@ =
# this cases directory) -> cases/NAME.out (stdout + exit status). --regen rewrites the
# expected files (review the diff).
CTGUARD=${CTGUARD:-ctguard}
DIR=$(cd "$(dirname "$0")" && pwd)/cases
regen=false
[ "$1" = --regen ] && regen=true
fail=0
n=0
for a in "$DIR"/*.args; do
	name=$(basename "$a" .args)
	args=$(sed "s|@DIR@|$DIR|g" "$a")
	got=$(eval "\"$CTGUARD\" trace $args" 2>/dev/null; echo "exit $?")
	n=$((n + 1))
	if $regen; then
		printf '%s\n' "$got" >"$DIR/$name.out"
	elif ! diff -u "$DIR/$name.out" <(printf '%s\n' "$got"); then
		echo "FAIL: $name"
		fail=1
	fi
done
echo "$n cases"
exit $fail
