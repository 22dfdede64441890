#!/usr/bin/env bash
# The whole test suite, from a fresh machine: sets everything up, runs the kit's
# own tests, certifies every registered backend with the kit (`pdict certify --all`:
# the backends come from the pdict_conformance.backends entry points), then
# dict, OrderedDict and SqliteDict again on every other supported Python.
# Certificates and the matrix page go to reports/ (reports/conformance.html,
# reports/python3.X/ per other Python).  Exits non-zero if anything fails; a
# missing dependency (Docker, the Cassandra image, the Kyoto Cabinet binding,
# chromium, actionlint, a Python) is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

OTHER_PYTHONS=(3.10 3.12 3.13)
# On the other Pythons: the backends that need no binding built for one Python.
PORTABLE_BACKENDS=(dict OrderedDict sqlite)

scripts/setup.sh --all || { echo "test-all: set-up failed" >&2; exit 1; }
export TESTCONTAINERS_RYUK_DISABLED=true
rm -rf reports && mkdir -p reports

failed_runs=()

# Cassandra's backends wait on the server far more than they compute (a lightweight
# transaction is four message delays), so their kit runs in CASSANDRA_WORKERS
# pytest-xdist workers: one node or cluster started once, one certificate.
CASSANDRA_WORKERS=3

echo
echo "=== certify every registered backend (Python $(.venv/bin/python -c 'import platform; print(platform.python_version())'))"
.venv/bin/pdict certify --all --exclude 'cassandra*' --reports reports --matrix reports/local.html \
  || failed_runs+=("certify")
echo
echo "=== certify the Cassandra backends: one node in each mode, and the three-node cluster"
.venv/bin/pdict certify 'cassandra*' --reports reports --matrix reports/cassandra.html \
  -- -n "$CASSANDRA_WORKERS" || failed_runs+=("certify-cassandra")
.venv/bin/pdict matrix reports/*.json -o reports/conformance.html || failed_runs+=("matrix")

for version in "${OTHER_PYTHONS[@]}"; do
  echo
  echo "=== certify ${PORTABLE_BACKENDS[*]} on Python $version"
  ".venv-py$version/bin/pdict" certify "${PORTABLE_BACKENDS[@]}" --reports "reports/python$version" \
    || failed_runs+=("certify-python$version")
done

echo
echo "=== the kit's own tests (the matrix browser test reads reports/)"
PDICT_REPORTS=reports .venv/bin/pytest -p no:cacheprovider --junitxml=reports/junit-kit-selftests.xml tests \
  || failed_runs+=("kit-selftests")

echo
echo "=== all certificates"
.venv/bin/pdict matrix reports/*.json reports/python*/*.json -o reports/conformance-all-pythons.html \
  || failed_runs+=("matrix")
.venv/bin/pdict summary reports/*.json reports/python*/*.json || failed_runs+=("summary")
if [ ${#failed_runs[@]} -gt 0 ]; then
  echo "test-all: FAILED runs: ${failed_runs[*]}" >&2
  exit 1
fi
