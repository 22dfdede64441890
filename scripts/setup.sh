#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, idempotently:
#   scripts/setup.sh            the Python environment (.venv) and the Kyoto Cabinet binding
#   scripts/setup.sh --all      also the Docker engine and the locally built Cassandra image
set -euo pipefail
cd "$(dirname "$0")/.."

all=false
[ "${1:-}" = "--all" ] && all=true

python=${PDICT_PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
  done
fi
[ -n "$python" ] || { echo "setup: no python3 found; install Python 3.10+ first" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version 2>&1)"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[cassandra,bench,test]"

scripts/install-kyotocabinet.sh .venv

if $all; then
  scripts/build-cassandra-image.sh
fi
echo "setup: done (.venv ready$($all && echo ', Cassandra image built'))"
