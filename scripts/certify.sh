#!/usr/bin/env bash
# The main job: set up, certify the SQLite reference backend with the kit,
# print the summary and write the certificate to reports/sqlite.json (+ .md).
# Extra arguments go to pytest (e.g. --pdict-backend=... to certify another).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p reports
exec .venv/bin/pytest -p no:cacheprovider --pdict-backend=sqlite --pdict-report=reports/sqlite.json "$@"
