#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `ctguard demo` tells the whole story (exit 0) and leaves no namespace behind, also when
# interrupted.
set -u
CTGUARD=${CTGUARD:-ctguard}
fail() { echo "FAIL: $*"; exit 1; }
out=$("$CTGUARD" demo 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "demo exit $rc"
for s in "ORPHANED tcp" "healed: conntrack -I" "1 inserted" "arrived" "CTGUARD OK" "namespaces removed"; do
	echo "$out" | grep -q "$s" || fail "missing \"$s\""
done
pid=$(echo "$out" | sed -n 's/.*netns ctg-demo-\([0-9]*\)-p.*/\1/p')
ip netns list | grep -q "ctg-demo-$pid-" && fail "namespaces left behind"
# Interrupted in the middle: still cleaned up.
"$CTGUARD" demo >/tmp/ctg-demo-int.$$ 2>&1 & p=$!
sleep 3
kill -INT $p; wait $p
ip netns list | grep -q "ctg-demo-$p-" && fail "namespaces left behind after SIGINT"
rm -f /tmp/ctg-demo-int.$$
echo PASS
