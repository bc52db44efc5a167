#!/usr/bin/env bash
# Re-resolve shopops' Python dependencies and write them, pinned, to constraints.txt.
#
#   scripts/lock.sh        (make lock)
#
# A scratch venv installs `.[test]` (which includes the spark extra) with no constraints,
# so pip picks the newest versions pyproject.toml allows; `pip freeze` of it becomes the
# new constraints.txt. Then run `make test` (it reinstalls from the new lock) and commit
# constraints.txt with the change that needed it. Nothing else reads the network later:
# `make run` / `make test` install exactly these versions.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
scratch=$(mktemp -d -t shopops-lock.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
"$PYTHON" -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet --upgrade pip
"$scratch/venv/bin/pip" install --quiet -e '.[test]'
{
  echo "# Locked versions of every Python dependency (make run / make test install exactly these)."
  echo "# Regenerate with \`make lock\` (scripts/lock.sh), then run \`make test\` and commit this file."
  echo "# Resolved $(date -u +%Y-%m-%d) with $("$scratch/venv/bin/python" --version)."
  "$scratch/venv/bin/pip" freeze --exclude-editable --all | grep -viE '^(pip|setuptools|wheel)==' | LC_ALL=C sort -f
} > constraints.txt.new
mv constraints.txt.new constraints.txt
echo "lock: wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
