# Shared set-up for scripts/demo and scripts/test: a virtual environment with the locked Python
# packages (hash-checked) and the locked npm packages. Safe to run again: it only reinstalls
# when a lock file has changed. PORTAL_INSTALL=runtime (scripts/demo) installs what the portal
# runs with, from requirements/runtime.txt; PORTAL_INSTALL=dev (scripts/test, the default) adds
# the test and lint tools from requirements/dev.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Python 3.11 or newer is needed: install it (e.g. apt-get install python3 python3-venv)." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Python 3.11 or newer is needed; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed for the front-end packages: install them (e.g. apt-get install nodejs npm)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  "$PYTHON" -m venv .venv
fi
install="${PORTAL_INSTALL:-dev}"
case "$install" in
  runtime|dev) ;;
  *) echo "PORTAL_INSTALL must be runtime or dev, not $install." >&2; exit 1 ;;
esac
lock="requirements/$install.txt"
stamp=".venv/.portal-installed-$install"
if [ "$install" = runtime ] && [ -f .venv/.portal-installed-dev ] && [ ! requirements/dev.txt -nt .venv/.portal-installed-dev ]; then
  stamp=.venv/.portal-installed-dev  # the dev set holds the runtime set, pin for pin
  lock=requirements/dev.txt
fi
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ requirements/build.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> Installing Python packages from $lock (hash-checked)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$lock" -r requirements/build.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

npm_stamp=node_modules/.portal-installed
if [ ! -f "$npm_stamp" ] || [ package-lock.json -nt "$npm_stamp" ]; then
  echo "==> Installing front-end packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$npm_stamp"
fi
