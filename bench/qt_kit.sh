#!/usr/bin/env bash
# Pack what `python -m bench.app_gpu` needs of Qt for a GPU machine that has no PySide6 and no
# package registry: PySide6's QtCore/QtGui/QtWidgets with the offscreen platform and ICU, shiboken6,
# and the system libraries they link that such a machine may lack (X11, GL, fontconfig...), taken
# from this machine. About 26 MB compressed, within the device tool's carry limit beside .whl/.
#
#   bench/qt_kit.sh                      # writes .devicekit/qtkit.tar.xz
#
# On the device (python 3.10+; the libraries are used only where the machine lacks its own):
#   mkdir -p /tmp/qtkit/fallback && tar -C /tmp/qtkit -xJf .devicekit/qtkit.tar.xz
#   for f in /tmp/qtkit/syslibs/*; do n=$(basename $f); ldconfig -p | grep -q " $n " || ln -sf $f /tmp/qtkit/fallback/$n; done
#   export LD_LIBRARY_PATH=/tmp/qtkit/fallback PYTHONPATH=/tmp/site:/tmp/qtkit/site:$PWD/.devicekit/stub:$PWD
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(.venv/bin/python -c "import PySide6, os; print(os.path.dirname(os.path.dirname(PySide6.__file__)))")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kit="$work/site/PySide6"
mkdir -p "$kit/Qt/lib" "$kit/Qt/plugins/platforms" "$work/syslibs" .devicekit
cp -a "$site/shiboken6" "$work/site/"
cp -a "$site"/PySide6/{__init__.py,_config.py,_git_pyside_version.py,PySide6_Essentials.json} "$kit/"
cp -a "$site"/PySide6/{libpyside6.abi3.so.*,QtCore.abi3.so,QtGui.abi3.so,QtWidgets.abi3.so} "$kit/"
for lib in Core Gui Widgets DBus; do cp -a "$site"/PySide6/Qt/lib/libQt6$lib.so.6* "$kit/Qt/lib/"; done
cp -a "$site"/PySide6/Qt/lib/libicu*.so.* "$kit/Qt/lib/"
cp -a "$site/PySide6/Qt/plugins/platforms/libqoffscreen.so" "$kit/Qt/plugins/platforms/"
ldd "$kit"/Qt/lib/*.so.6 "$kit"/*.abi3.so "$kit/Qt/plugins/platforms/libqoffscreen.so" 2>/dev/null \
    | awk '/=> \//{print $3}' | sort -u \
    | grep -v -E 'PySide6|/libc\.so|/libm\.so|/libdl\.so|/libpthread|/librt\.so|ld-linux|/libstdc|/libgcc_s' \
    | xargs -r -I{} cp -L {} "$work/syslibs/"
tar -C "$work" -cJf .devicekit/qtkit.tar.xz site syslibs
ls -la .devicekit/qtkit.tar.xz
