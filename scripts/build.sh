#!/usr/bin/env bash
# Configures and builds breakeven into build/: CMakePresets.json's preset
# release (Release, warnings as errors; docs/building.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"          # cmake reads the presets from the top folder
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
