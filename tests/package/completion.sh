#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion completes like a user's Tab would: bash's completion function is
# called with COMP_WORDS/COMP_CWORD set and COMPREPLY checked. Covers `ctguard ch<Tab>`,
# `ctguard check --me<Tab>`, values (--method words, file names for FILE options, fmt's
# file), and that every option `ctguard CMD --help` lists is offered for `ctguard CMD -<Tab>`.
# Usage: completion.sh COMPLETION_FILE CTGUARD
set -u
comp=${1:?completion file}
exe=${2:?ctguard binary}
fail=0
# shellcheck disable=SC1090
source "$comp"
compopt() { :; } # only valid inside a real completion; the replies are what is checked
[ "$(complete -p ctguard 2>/dev/null)" = "complete -F _ctguard ctguard" ] ||
	{ echo "FAIL: no 'complete -F _ctguard ctguard'"; exit 1; }

tab() { # words... (the last one is the word being completed): prints COMPREPLY sorted
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ctguard ctguard "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() { # description, expected (space separated), words...
	local what=$1 want=$2 got
	shift 2
	got=$(tab "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then
		echo "ok: $what -> $got"
	else
		echo "FAIL: $what: expected '$want', got '$got'"
		fail=1
	fi
}

expect "ctguard ch<Tab>" "check" ctguard ch
expect "ctguard check --me<Tab>" "--method" ctguard check --me
expect "ctguard check --method <Tab>" "all atomic flush restart" ctguard check --method ""
expect "ctguard a<Tab>" "apply audit" ctguard a
expect "ctguard audit --format j<Tab>" "json" ctguard audit --format j
expect "ctguard help tr<Tab>" "trace" ctguard help tr

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/rules.v4" "$tmp/rules.v6"
expect "ctguard check --rules DIR/rules.v<Tab>" "$tmp/rules.v4 $tmp/rules.v6" ctguard check --rules "$tmp/rules.v"
expect "ctguard fmt -6 DIR/rules.v6<Tab>" "$tmp/rules.v6" ctguard fmt -6 "$tmp/rules.v6"
expect "ctguard audit --prometheus DIR/ru<Tab>" "$tmp/rules.v4 $tmp/rules.v6" ctguard audit --prometheus "$tmp/ru"
# after an option's value, options again
expect "ctguard check --rules F --fi<Tab>" "--fix" ctguard check --rules "$tmp/rules.v4" --fi

# every option of every command's --help is offered
cmds=$("$exe" --help | sed -n 's/^  \([a-z]\+\) .*/\1/p')
n=0
for c in $cmds; do
	[ "$c" = help ] || [ "$c" = version ] && continue
	offered=" $(tab ctguard "$c" - | tr '\n' ' ') "
	for o in $("$exe" "$c" --help | sed -n 's/^  \(-[a-z0-9], \|    \)\(--[a-z0-9-]\+\).*/\1\2/p' | tr -d ','); do
		n=$((n + 1))
		case $offered in
		*" $o "*) ;;
		*) echo "FAIL: ctguard $c -<Tab> does not offer $o"; fail=1 ;;
		esac
	done
	# options whose value is a FILE complete file names
	for o in $("$exe" "$c" --help | sed -n 's/^  \(-[a-z0-9], \|    \)\(--[a-z0-9-]\+\) FILE .*/\2/p'); do
		got=$(tab ctguard "$c" "$o" "$tmp/rules.v4")
		[ "$got" = "$tmp/rules.v4" ] || { echo "FAIL: ctguard $c $o <Tab> gives '$got'"; fail=1; }
	done
done
echo "$n options of $(echo "$cmds" | wc -w) commands checked"
[ "$n" -gt 40 ] || { echo "FAIL: only $n options found in --help"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
