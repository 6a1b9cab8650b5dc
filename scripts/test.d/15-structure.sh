#!/usr/bin/env bash
# The house's shape, checked: the core is a staircase (no import loop among its files) and no
# source file of the core or the emulator grows past ~700 lines unless it is data. See
# CONTRIBUTING.md ("Where things live") and scripts/dev/structure.py for how it is measured.
# And the build's: the Python and Node extensions, each built alone, reuse the test build's
# compiled dependencies (workspace-hack/ is current; scripts/dev/feature-sets.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 scripts/dev/structure.py core/src --no-loops --max-lines 720 --allow-long platforms/table.rs
python3 scripts/dev/structure.py mock/src --no-loops --max-lines 720
python3 scripts/dev/feature-sets.py
# And the benchmark's judgement: how bench/run marks a target met, not met or not measured.
python3 -m unittest discover -q -s bench/harness -p 'test_*.py'
