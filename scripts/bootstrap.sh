#!/usr/bin/env bash
# Create .venv with Python 3.11 and install every package of the repository (editable) plus the
# pinned test tooling. Idempotent; `make` reruns it when a pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$version" != "3.11" ]; then
  echo "error: Python 3.11 is required as '$PYTHON' (found: ${version:-none})" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# pip's own notes about the mirror's missing folders are dropped; a failing pip still fails the
# pipeline (pipefail: the filter itself never fails)
quiet() { grep -v "^WARNING: Location" || true; }
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | quiet
packages=(-e contracts -e libs/belgian_ids -e libs/servicekit)
for dir in services/*/; do packages+=(-e "$dir"); done
packages+=(-e tools -r requirements-dev.txt)
.venv/bin/python -m pip install --quiet "${packages[@]}" 2>&1 | quiet
.venv/bin/python -c "import belgian_ids, aww_gateway, aww_identity, aww_organisation, aww_wallet, aww_aml_workflow, aww_reporting, servicekit, aww_devtools, pytest, schemathesis" \
  || { echo "error: the installation is incomplete" >&2; exit 1; }
echo "virtual environment ready: .venv"
