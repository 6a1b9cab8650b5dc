#!/usr/bin/env bash
# The documentation: scripts/docs builds the book, the generated tables and the API references
# of every language into target/docs/, and fails on any warning (a missing doc comment on a
# public Rust item, a broken link, an include that no longer resolves, a Doxygen, pdoc or
# TypeDoc warning). It runs after the Python and Node steps, whose builds it reuses.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/docs
