#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, idempotently:
#   scripts/setup.sh             the Python environment (.venv) and the Kyoto Cabinet binding
#   scripts/setup.sh --all       also everything below
#   scripts/setup.sh --cassandra the Docker engine and the locally built Cassandra image
#   scripts/setup.sh --browser   Debian's chromium (the matrix page's browser test)
#   scripts/setup.sh --actionlint  actionlint, built with Go into .venv/bin, and shellcheck (the workflows' test)
#   scripts/setup.sh --pythons   one venv per other supported Python (.venv-py3.10, -py3.12, -py3.13)
# Anything that cannot be installed is an error, never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
OTHER_PYTHONS=(3.10 3.12 3.13)

cassandra=false browser=false actionlint=false pythons=false
for arg in "$@"; do
  case $arg in
    --all) cassandra=true browser=true actionlint=true pythons=true ;;
    --cassandra) cassandra=true ;;
    --browser) browser=true ;;
    --actionlint) actionlint=true ;;
    --pythons) pythons=true ;;
    *) echo "setup: unknown option $arg (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null \
    || { as_root apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

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

if $pythons; then
  pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for version in "${OTHER_PYTHONS[@]}"; do
    # pyenv's installs first (its shims on PATH may refuse a version not selected), then PATH.
    interpreter=
    for candidate in "$pyenv_root"/versions/"$version".*/bin/"python$version" "$(command -v "python$version" || true)"; do
      if [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then interpreter=$candidate; fi
    done
    [ -n "$interpreter" ] || { echo "setup: Python $version not found (PATH or $pyenv_root/versions)" >&2; exit 1; }
    if [ ! -x ".venv-py$version/bin/python" ]; then
      echo "setup: creating .venv-py$version with $("$interpreter" --version 2>&1)"
      "$interpreter" -m venv ".venv-py$version"
    fi
    ".venv-py$version/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    ".venv-py$version/bin/python" -m pip install --quiet --disable-pip-version-check -e .
  done
fi

if $browser && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (Debian package)"
  apt_install chromium
fi

if $actionlint && ! command -v shellcheck >/dev/null 2>&1; then
  echo "setup: installing shellcheck (Debian package; actionlint checks run: scripts with it)"
  apt_install shellcheck
fi
if $actionlint && ! .venv/bin/actionlint -version 2>/dev/null | grep -qx "${ACTIONLINT_VERSION#v}"; then
  go=$(command -v go || echo /usr/local/go/bin/go)
  [ -x "$go" ] || { echo "setup: Go is needed to build actionlint; install golang-go" >&2; exit 1; }
  echo "setup: building actionlint $ACTIONLINT_VERSION with $("$go" version)"
  GOBIN="$PWD/.venv/bin" GOFLAGS=-mod=mod "$go" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

if $cassandra; then
  scripts/build-cassandra-image.sh
fi
echo "setup: done (.venv ready$($cassandra && echo ', Cassandra image built')$($browser && echo ', chromium')$($actionlint && echo ', actionlint')$($pythons && echo ", Pythons ${OTHER_PYTHONS[*]}"))"
