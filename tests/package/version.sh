#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One version: the top entry of debian/changelog, meson's project version and what
# `ctguard --version` prints are the same.
set -u
src=${CTG_SRCDIR:?}
exe=${CTGUARD:?}
meson_version=${1:?meson project version}
deb=$(sed -n '1s/^ctguard (\([^)]*\)).*/\1/p' "$src/debian/changelog")
upstream=${deb%-*}
printed=$("$exe" --version)
echo "debian/changelog: $deb; meson: $meson_version; ctguard --version: $printed"
[ -n "$deb" ] || { echo "FAIL: no version in debian/changelog"; exit 1; }
[ "$upstream" = "$meson_version" ] || { echo "FAIL: changelog $upstream != meson $meson_version"; exit 1; }
case " $printed " in
*" $meson_version "*) ;;
*) echo "FAIL: ctguard --version does not print $meson_version"; exit 1 ;;
esac
echo PASS
