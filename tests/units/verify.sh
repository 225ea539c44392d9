#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# units/ctguard-watch.service passes `systemd-analyze verify` (with ExecStart pointing at
# the built binary and the man page of the tree on MANPATH: Documentation= is checked
# too), and `systemd-analyze security` rates its exposure below 4.0 ("OK").
set -u
src=${CTG_SRCDIR:?}
CTGUARD=${CTGUARD:?}
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
d=$(mktemp -d /tmp/ctg-units.XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/man/man8"
cp "$src/man/ctguard.8" "$d/man/man8/"
sed "s|/usr/sbin/ctguard|$CTGUARD|" "$src/units/ctguard-watch.service" >"$d/ctguard-watch.service"
out=$(cd "$d" && MANPATH="$d/man" systemd-analyze verify ./ctguard-watch.service 2>&1); rc=$?
echo "verify: exit $rc ${out:+($out)}"
[ $rc = 0 ] && [ -z "$out" ] || { echo "FAIL: systemd-analyze verify"; exit 1; }
sec=$(cd "$d" && systemd-analyze security --offline=yes ./ctguard-watch.service 2>&1 | grep "Overall exposure")
echo "$sec"
level=$(echo "$sec" | sed -n 's/.*service: \([0-9.]*\).*/\1/p')
[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l < 4.0) }' || { echo "FAIL: exposure $level"; exit 1; }
grep -q '^PartOf=.*netfilter-persistent.service' "$src/units/ctguard-watch.service" &&
	grep -q '^After=.*nftables.service' "$src/units/ctguard-watch.service" || { echo "FAIL: PartOf/After"; exit 1; }
echo PASS
