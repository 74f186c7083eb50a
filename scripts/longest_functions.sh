#!/usr/bin/env bash
# The longest C functions outside tests/, longest first: lines (from the
# function's first line to its closing brace), file:line and name, by
# Debian's pmccabe (installed if missing).  Issue 14: none over 100 lines.
#   scripts/longest_functions.sh [N]     the N longest (default 10)
#   scripts/longest_functions.sh --over 100   those over 100 lines; exit 1
#                                             if there is one
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v pmccabe >/dev/null; then
    apt-get install -y pmccabe >/dev/null
fi
cd "$root"
mapfile -t files < <(git ls-files '*.c' | grep -v '^tests/')
list() { pmccabe "${files[@]}" | awk -F'\t' '{print $5 "\t" $6}' | sort -k1,1nr; }
if [ "${1:-}" = "--over" ]; then
    over=$(list | awk -F'\t' -v m="${2:-100}" '$1 > m')
    [ -z "$over" ] && exit 0
    echo "$over"
    exit 1
fi
list | head -n "${1:-10}"
