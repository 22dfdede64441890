#!/usr/bin/env bash
# Make Debian's Kyoto Cabinet binding importable in a Python virtual environment.
#
#   scripts/install-kyotocabinet.sh [VENV]        (VENV defaults to ./.venv)
#
# The binding (module ``kyotocabinet``) is not on PyPI; Debian ships it as
# ``python3-kyotocabinet``, built for the system's Python.  This script
#
#   1. installs that package with apt-get if it is missing (as root, or via sudo);
#   2. finds the extension module whose file name matches the venv's
#      interpreter (its EXT_SUFFIX, e.g. ``.cpython-311-x86_64-linux-gnu.so``),
#      and stops with an explanation if there is none (an ABI mismatch);
#   3. symlinks that ONE file into the venv's site-packages: nothing else from
#      Debian's dist-packages becomes importable in the venv;
#   4. checks that ``import kyotocabinet`` works with the venv's Python.
#
# It is idempotent: run it again and it only re-checks.
set -euo pipefail

PACKAGE=python3-kyotocabinet
MODULE=kyotocabinet

venv=${1:-.venv}
python="$venv/bin/python"
if [[ ! -x "$python" ]]; then
    echo "install-kyotocabinet: no Python at $python; pass the virtual environment's folder as the first argument" >&2
    exit 2
fi

run_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-kyotocabinet: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

# 1. the Debian package
if ! dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
    echo "install-kyotocabinet: installing $PACKAGE with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! run_as_root apt-get install -y -q --no-install-recommends "$PACKAGE"; then
        # A fresh machine may have no (or stale) package lists.
        run_as_root apt-get update -q
        run_as_root apt-get install -y -q --no-install-recommends "$PACKAGE"
    fi
fi

# 2. the extension module built for this venv's interpreter
ext_suffix=$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
site_packages=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
source_so=""
while IFS= read -r path; do
    if [[ "$(basename "$path")" == "$MODULE$ext_suffix" && -f "$path" ]]; then
        source_so=$path
        break
    fi
done < <(dpkg -L "$PACKAGE")
if [[ -z "$source_so" ]]; then
    echo "install-kyotocabinet: $PACKAGE has no $MODULE$ext_suffix; it ships:" >&2
    dpkg -L "$PACKAGE" | grep -E "/$MODULE\.[^/]*\.so$" >&2 || true
    echo "the venv's Python ($("$python" -V 2>&1)) must match the system's python3 version" >&2
    exit 1
fi

# 3. one symlink, nothing else
target="$site_packages/$MODULE$ext_suffix"
if [[ "$(readlink -- "$target" 2>/dev/null || true)" != "$source_so" ]]; then
    ln -sfn -- "$source_so" "$target"
    echo "install-kyotocabinet: linked $target -> $source_so"
fi

# 4. check
"$python" -c "import $MODULE; print('install-kyotocabinet: $MODULE', $MODULE.VERSION, 'importable from', $MODULE.__file__)"
