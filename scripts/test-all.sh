#!/usr/bin/env bash
# The whole test suite, from a fresh machine: sets everything up, runs the kit's
# own tests, then certifies every backend with the kit.  Certificates go to
# reports/.  Exits non-zero if anything fails; a missing dependency (Docker,
# the Cassandra image, the Kyoto Cabinet binding) is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --all || { echo "test-all: set-up failed" >&2; exit 1; }
export TESTCONTAINERS_RYUK_DISABLED=true
rm -rf reports && mkdir -p reports

failed_runs=()
run() {
  local name=$1; shift
  echo
  echo "=== $name: pytest $*"
  if ! .venv/bin/pytest -p no:cacheprovider --junitxml="reports/junit-$name.xml" "$@"; then
    failed_runs+=("$name")
  fi
}

run kit-selftests tests
for backend in builtins:dict collections:OrderedDict sqlite sqlite-memory \
               kyotocabinet-kch kyotocabinet-kct kyotocabinet-kcd kyotocabinet-kcf kyotocabinet-kcx \
               cassandra cassandra-fast cassandra-cluster; do
  name=${backend//:/-}
  run "certify-$name" "--pdict-backend=$backend" "--pdict-report=reports/$name.json"
done

echo
.venv/bin/python scripts/summarise_junit.py reports/junit-*.xml
if [ ${#failed_runs[@]} -gt 0 ]; then
  echo "test-all: FAILED runs: ${failed_runs[*]}" >&2
  exit 1
fi
