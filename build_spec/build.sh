#!/usr/bin/env bash
# Build the one-folder bundle of Étoile Theory Journal with PyInstaller.
#
#   build_spec/build.sh            -> dist/etoile-journal/etoile-journal (and its _internal/ folder)
#
# Uses .venv (made by ./dev setup or ./dev test); installs PyInstaller into it when missing.
# Extra arguments go to PyInstaller. See docs/PACKAGING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON_VENV:-.venv/bin/python}
if [ ! -x "$PY" ]; then
    echo "No $PY: run ./dev setup first (it creates .venv with the app)." >&2
    exit 1
fi
# PyInstaller reads, joins and strips the binaries with binutils (objdump, objcopy, strip).
if ! command -v objcopy >/dev/null || ! command -v objdump >/dev/null || ! command -v strip >/dev/null; then
    echo "==> Installing binutils" >&2
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends binutils >/dev/null
fi
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
    echo "==> Installing PyInstaller into .venv" >&2
    "$PY" -m pip install -q 'pyinstaller>=6.10'
fi
exec "$PY" -m PyInstaller build_spec/etoile.spec --noconfirm --clean \
    --distpath dist --workpath build/pyinstaller "$@"
