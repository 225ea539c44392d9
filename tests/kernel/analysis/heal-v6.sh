#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 server-side orphan: heal-server.sh's story (a local service whose rule accepts only
# SYNs; after a wipe the peer's next segment is dropped; heal must insert the IPv6 entry
# with ORIGINAL = peer -> local), over IPv6.
exec "$(dirname "$0")/heal-server.sh" 6
