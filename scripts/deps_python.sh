#!/usr/bin/env bash
# Installs the Debian Python packages the notebooks need, if any is missing
# (the list and the installer are in deps.sh). Sourced by notebooks.sh and
# notebooks/test_notebooks.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/deps.sh"
breakeven_install_debs "${BREAKEVEN_PY_DEBS[@]}"
