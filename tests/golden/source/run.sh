#!/bin/bash
# Golden tests for the source readers through `ctguard conns`: each conns/NAME.ct (+ NAME.ss)
# gives NAME.text / NAME.json (stdout) or NAME.err (stderr + exit code).
# Usage: run.sh [--regen]   (CTGUARD, CTG_SRCDIR from meson)
: "${CTGUARD:?}" "${CTG_SRCDIR:?}"
dir=$CTG_SRCDIR/tests/golden/source/conns
regen=0
[ "$1" = --regen ] && regen=1
fail=0
check() { # name file-with-expected actual
	if [ $regen = 1 ]; then
		cp "$3" "$2"
	elif ! diff -u "$2" "$3"; then
		echo "FAIL: $1"
		fail=1
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 1
for ct in *.ct; do
	name=${ct%.ct}
	args=(--conntrack "$ct" --sysctl "net.ipv4.ip_local_port_range=32768 60999")
	[ -f "$name.ss" ] && args+=(--sockets "$name.ss") || args+=(--sockets /dev/null)
	if [ -f "$name.err" ] || { [ $regen = 1 ] && [[ $name == bad* ]]; }; then
		$CTGUARD conns "${args[@]}" >/dev/null 2>"$tmp/err"
		echo "exit $?" >>"$tmp/err"
		check "$name.err" "$name.err" "$tmp/err"
		continue
	fi
	$CTGUARD conns "${args[@]}" >"$tmp/text" || { echo "FAIL: $name exit $?"; fail=1; }
	check "$name.text" "$name.text" "$tmp/text"
	$CTGUARD conns --format json "${args[@]}" >"$tmp/json" || { echo "FAIL: $name json"; fail=1; }
	check "$name.json" "$name.json" "$tmp/json"
done
# "-" reads stdin and gives the same rows
if [ $regen = 0 ]; then
	$CTGUARD conns --conntrack - --sockets host.ss \
		--sysctl "net.ipv4.ip_local_port_range=32768 60999" <host.ct >"$tmp/stdin"
	check "stdin" host.text "$tmp/stdin"
fi
exit $fail
