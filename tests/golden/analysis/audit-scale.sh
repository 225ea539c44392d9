#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Audit cost on a busy host: 200k conntrack entries, 10k sockets (offline files made by
# audit-gen-large.py). Prints the figures; checks only the result (990 orphans: the
# sockets without entry whose service rule accepts SYNs only), not the time.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ctg-audit-scale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/audit-gen-large.py" "$tmp" "${CTG_SCALE_ENTRIES:-200000}" "${CTG_SCALE_SOCKETS:-10000}" || exit 1
: >"$tmp/empty.v6"
cd "$tmp" || exit 1
for i in 1 2 3; do
	/usr/bin/time -f "run $i: wall %e s, user %U s, sys %S s, max RSS %M KB" \
		"$CTGUARD" audit --timing --rules rules.v4 --rules6 empty.v6 --conntrack conntrack.txt \
		--sockets sockets.ss --nagios >out 2>err
	rc=$?
	cat err
done
cat out
[ $rc = 2 ] || { echo "FAIL: exit $rc"; exit 1; }
grep -q '^CTGUARD CRITICAL - 990 orphaned' out || { echo "FAIL: orphan count"; exit 1; }
echo PASS
