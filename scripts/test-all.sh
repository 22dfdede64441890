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

echo
echo "=== certify every registered backend (Python $(.venv/bin/python -c 'import platform; print(platform.python_version())'))"
# cassandra-cluster (three nodes, replication 3) is certified on its own, not here:
# its whole-kit run does not conform yet and takes over half an hour on 2 cores
# (issue 9); its node-failure tests run with the kit's own tests below.
.venv/bin/pdict certify --all --exclude cassandra-cluster --reports reports || failed_runs+=("certify")

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
