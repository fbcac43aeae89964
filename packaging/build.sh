#!/usr/bin/env bash
# Build the one-folder app (dist/MajicFlux) with PyInstaller and run its self-test.
#
#   packaging/build.sh               Linux (here, CI) or Git Bash on Windows
#   packaging/build.sh --installer   then compile the Windows installer with Inno Setup (Windows)
#
# PYTHON: the build's interpreter (default .venv's, created and filled here with the pinned torch
# from constraints.txt). The Windows workflow installs the CUDA torch first and passes its Python.
# ISCC: Inno Setup's compiler (default: iscc on PATH, else its usual install folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

INSTALLER=0
for arg in "$@"; do
    case $arg in
        --installer) INSTALLER=1 ;;
        *) echo "usage: packaging/build.sh [--installer]" >&2; exit 2 ;;
    esac
done

case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) WINDOWS=1; EXE=MajicFlux.exe; VENV_PY=.venv/Scripts/python.exe ;;
    *) WINDOWS=0; EXE=MajicFlux; VENV_PY=.venv/bin/python ;;
esac
if [ -z "${PYTHON:-}" ]; then
    if [ "$WINDOWS" = 1 ] && [ ! -x "$VENV_PY" ]; then
        # PyPI's Windows torch is CPU-only: a venv made here would ship an app without CUDA
        echo "on Windows, install the CUDA torch first and set PYTHON (see README, Windows installer)" >&2
        exit 2
    fi
    [ -x "$VENV_PY" ] || python3 -m venv .venv
    PYTHON=$VENV_PY
fi
"$PYTHON" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test,build]"
VERSION=$("$PYTHON" packaging/bundle_contents.py version)
BUNDLE=dist/MajicFlux
APP=$ROOT/$BUNDLE/$EXE

echo "== MajicFlux $VERSION: translations"
LRELEASE=$(dirname "$PYTHON")/pyside6-lrelease
[ -x "$LRELEASE" ] || LRELEASE=pyside6-lrelease
for ts in resources/i18n/*.ts; do
    "$LRELEASE" -silent "$ts" -qm "${ts%.ts}.qm"
done

echo "== PyInstaller (packaging/majicflux.spec)"
started=$(date +%s)
"$PYTHON" -m PyInstaller packaging/majicflux.spec --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller
built=$(date +%s)
size=$(du -sh "$BUNDLE" | cut -f1)
files=$(find "$BUNDLE" -type f | wc -l)
echo "bundle: $BUNDLE, $size in $files files, built in $((built - started)) s"

echo "== the frozen app's self-test (from another working directory)"
# a bound: a broken windowed build can stop at a dialog that nobody will click
(cd "${TMPDIR:-/tmp}" && timeout 1800 "$APP" --self-test)
tested=$(date +%s)

echo "== the frozen app under a windowed app's conditions (tests/packaging/test_selftest.py)"
MAJICFLUX_FROZEN_APP=$APP "$PYTHON" -m pytest -q -p no:cacheprovider -m frozen \
    tests/packaging/test_selftest.py

{
    echo "version: $VERSION"
    echo "bundle: $size in $files files"
    echo "build: $((built - started)) s"
    echo "self-test: $((tested - built)) s"
    echo "largest parts:"
    # awk reads to the end: `head` would close the pipe early, and under pipefail sort's
    # SIGPIPE (exit 141) failed the build at random.
    du -s "$BUNDLE"/_internal/* | sort -rn | awk 'NR <= 12 {printf "  %6d MB  %s\n", $1 / 1024, $2}'
    echo "left out (packaging/bundle_contents.py), with the size each has installed here:"
    "$PYTHON" packaging/bundle_contents.py savings
} | tee build/bundle-report.txt

if [ "$INSTALLER" = 1 ]; then
    [ "$WINDOWS" = 1 ] || { echo "the installer is built on Windows" >&2; exit 2; }
    ISCC=${ISCC:-$(command -v iscc || echo "/c/Program Files (x86)/Inno Setup 6/ISCC.exe")}
    echo "== Inno Setup: dist/MajicFlux-$VERSION-setup.exe"
    # Git Bash would turn /Q and /D... into paths
    MSYS_NO_PATHCONV=1 "$ISCC" /Q "/DAppVersion=$VERSION" packaging/majicflux.iss
fi
