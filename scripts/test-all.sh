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
# Every run's output also goes to reports/logs/<run>.log; a failed run's last
# lines are printed again at the end, where a CI log's tail shows them.
mkdir -p reports/logs
run() {
  local name=$1
  shift
  "$@" 2>&1 | tee "reports/logs/$name.log"
  local status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || failed_runs+=("$name")
  return "$status"
}

# Cassandra's backends wait on the server far more than they compute (a lightweight
# transaction is four message delays), so their kit runs in CASSANDRA_WORKERS
# pytest-xdist workers: one node or cluster started once, one certificate.
CASSANDRA_WORKERS=3
# The kit's own tests in KIT_WORKERS workers: every test needing a Cassandra
# server goes to one of them (tests/conftest.py groups them; --dist loadgroup).
KIT_WORKERS=2

echo
echo "=== certify every registered backend (Python $(.venv/bin/python -c 'import platform; print(platform.python_version())'))"
run certify .venv/bin/pdict certify --all --exclude 'cassandra*' --reports reports --matrix reports/local.html
echo
echo "=== certify the Cassandra backends: one node in each mode, and the three-node cluster"
run certify-cassandra .venv/bin/pdict certify 'cassandra*' --reports reports --matrix reports/cassandra.html \
  -- -n "$CASSANDRA_WORKERS"
.venv/bin/pdict matrix reports/*.json -o reports/conformance.html || failed_runs+=("matrix")

for version in "${OTHER_PYTHONS[@]}"; do
  echo
  echo "=== certify ${PORTABLE_BACKENDS[*]} on Python $version"
  run "certify-python$version" ".venv-py$version/bin/pdict" certify "${PORTABLE_BACKENDS[@]}" --reports "reports/python$version"
done

echo
echo "=== the kit's own tests (the matrix browser test reads reports/)"
run kit-selftests env PDICT_REPORTS=reports .venv/bin/pytest -p no:cacheprovider --junitxml=reports/junit-kit-selftests.xml \
  -n "$KIT_WORKERS" --dist loadgroup tests

echo
echo "=== all certificates"
.venv/bin/pdict matrix reports/*.json reports/python*/*.json -o reports/conformance-all-pythons.html \
  || failed_runs+=("matrix")
.venv/bin/pdict summary reports/*.json reports/python*/*.json || failed_runs+=("summary")
if [ ${#failed_runs[@]} -gt 0 ]; then
  for name in "${failed_runs[@]}"; do
    if [ -f "reports/logs/$name.log" ]; then
      echo
      echo "=== $name failed; the last lines of reports/logs/$name.log:"
      grep -v '^[.sxXEF]*\( *\[ *[0-9]*%\]\)\?$' "reports/logs/$name.log" | tail -n 40
    fi
  done
  echo "test-all: FAILED runs: ${failed_runs[*]}" >&2
  exit 1
fi
