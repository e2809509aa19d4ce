# Sourced by scripts/build and scripts/test: make .venv and install paperkb with its dev tools
# from the lock file requirements.txt (exact versions, every file checked against its hash;
# scripts/lock makes it from pyproject.toml), then paperkb itself without resolving anything.
# Re-installs only when requirements.txt or pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.paperkb-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes --only-binary :all: \
    --no-deps -r requirements.txt
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
