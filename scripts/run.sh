#!/usr/bin/env bash
# The main job: install what is missing, build, and run breakeven.
# Arguments go to breakeven; with none it runs the built-in DeepSeek-V3/R1
# scenario into runs/deepseek-v3-r1/ and prints a summary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/deps.sh"
"$root/scripts/build.sh" >/dev/null
cd "$root"
exec "$root/build/sim/breakeven" "$@"
