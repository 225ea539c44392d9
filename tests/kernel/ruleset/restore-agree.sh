#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Validation as iptables-restore: for every file of restore-corpus/ (license-clean dumps,
# the five refused real-world constructs put into a real dump, and one-construct cases;
# see restore-corpus/SOURCES.md) prints the installed iptables-restore's verdict
# (`iptables-restore --test` in a namespace of its own; ip6tables-restore for v6/; the
# nft variant, and legacy when installed) next to ctguard's (`fmt --check`: default and
# --strict) and fails on any disagreement:
#   iptables-restore accepts  <=>  ctguard fmt --check --strict accepts;
#   a file iptables-restore refuses but ctguard parses gives a warning by default (exit 0);
#   a file iptables-restore accepts gives no restore-* diagnostic.
# The derived/ files must be warnings by default and errors with --strict.
# Usage: restore-agree.sh [DIR...] (default: restore-corpus). Root only.
set -u
: "${CTGUARD:?CTGUARD must point at the ctguard binary}"
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v iptables-restore >/dev/null || { echo "SKIP: no iptables-restore"; exit 77; }
ns=ctg-udpfix-$$-restore
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns" || exit 1
variants=nft
command -v iptables-legacy-restore >/dev/null && variants="nft legacy"
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$here/restore-corpus")

restore() { # VARIANT V6 FILE -> exit status of --test
	local tool=iptables
	[ "$2" = 1 ] && tool=ip6tables
	[ "$1" = legacy ] && tool=$tool-legacy
	ip netns exec "$ns" "$tool-restore" --test "$3" >/dev/null 2>&1
}

n=0 bad=0 refused=0
printf '%-58s %-6s %-6s %-16s %-9s %s\n' file nft legacy "ctguard" "--strict" verdict
while IFS= read -r -d '' f; do
	rel=${f#"$here/restore-corpus/"}
	rel=${rel#"$here/"}
	v6=0 fam=-4
	case "$f" in */v6/*) v6=1 fam=-6 ;; esac
	declare -A rc=()
	for v in $variants; do
		restore "$v" $v6 "$f"
		rc[$v]=$?
	done
	"$CTGUARD" fmt --check $fam "$f" >/dev/null 2>"$tmp/err"
	c=$?
	w=$(grep -c ': warning: ' "$tmp/err")
	rw=$(grep -c 'restore-\|iptables-restore' "$tmp/err")
	"$CTGUARD" fmt --check --strict $fam "$f" >/dev/null 2>/dev/null
	s=$?
	ok=agree
	ipt=${rc[nft]}
	differ=0
	for v in $variants; do
		{ [ "${rc[$v]}" = 0 ] && [ "$ipt" != 0 ]; } || { [ "${rc[$v]}" != 0 ] && [ "$ipt" = 0 ]; } && differ=1
	done
	if [ $differ = 1 ]; then # the variants differ: a warning either way, --strict as nft
		{ [ "$ipt" = 0 ] && [ "$s" = 0 ]; } || { [ "$ipt" != 0 ] && [ "$s" != 0 ]; } || ok=DISAGREE
		[ "$w" -gt 0 ] || ok=DISAGREE
		[ $ok = agree ] && ok="agree (variants differ, warned)"
	elif [ "$ipt" = 0 ]; then
		[ "$s" = 0 ] && [ "$rw" = 0 ] || ok=DISAGREE
	else
		refused=$((refused + 1))
		[ "$s" != 0 ] || ok=DISAGREE
		[ "$c" != 0 ] || [ "$w" -gt 0 ] || ok=DISAGREE
	fi
	case "$f" in */derived/*) [ "$c" = 0 ] && [ "$w" -gt 0 ] && [ "$s" = 2 ] || ok="DISAGREE(derived)" ;; esac
	ctg="exit $c"
	[ "$c" = 0 ] && [ "$w" -gt 0 ] && ctg="0, $w warn"
	printf '%-58s %-6s %-6s %-16s %-9s %s\n' "$rel" "${rc[nft]}" "${rc[legacy]:--}" "$ctg" "exit $s" "$ok"
	n=$((n + 1))
	case "$ok" in agree*) ;; *) bad=$((bad + 1)) ;; esac
	unset rc
done < <(find "${dirs[@]}" -type f ! -name '*.md' -print0 | sort -z)
echo "restore-agree: $n files, iptables-restore refuses $refused; agreement $((n - bad))/$n"
[ "$n" -gt 0 ] && [ "$bad" = 0 ]
