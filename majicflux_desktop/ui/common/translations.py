"""The UI language: Qt translators for our strings, for Qt's own dialogs, and for core's messages.

The `.ts` sources live in resources/i18n. A build step may compile them to `.qm` beside them
(scripts/build-translations; a frozen build always carries them, as it has no lrelease);
otherwise they are compiled on first start into the data folder with the `lrelease` that ships
with PySide6. If that fails the `.ts` file is read directly, so a missing tool never leaves the
window in the wrong language.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from majicflux_desktop.core import i18n
from majicflux_desktop.core.paths import is_frozen, replace_file
from majicflux_desktop.ui.common.resources import translations_dir

log = logging.getLogger("majicflux.ui.translations")

LANGUAGES = ("zh_CN", "en")
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
TS_NAME = "majicflux_{language}.ts"


def system_language() -> str:
    for name in QLocale.system().uiLanguages():
        if name.lower().replace("-", "_").startswith("zh"):
            return "zh_CN"
    return "en"


def resolve_language(setting: str) -> str:
    return setting if setting in LANGUAGES else system_language()


def lrelease_command() -> list[str]:
    exe = "lrelease.exe" if sys.platform == "win32" else "lrelease"
    bundled = Path(PySide6.__file__).parent / exe
    if bundled.is_file():
        return [str(bundled)]
    return ["pyside6-lrelease"]


def compile_ts(ts: Path, qm: Path) -> bool:
    """Compile one `.ts` file with lrelease; True if `qm` was written."""
    qm.parent.mkdir(parents=True, exist_ok=True)
    partial = qm.with_name(qm.name + ".part")
    try:
        run = subprocess.run(
            [*lrelease_command(), "-silent", str(ts), "-qm", str(partial)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("lrelease could not run: %s", exc)
        return False
    if run.returncode != 0 or not partial.is_file():
        log.warning("lrelease failed on %s: %s", ts, run.stderr.strip())
        return False
    replace_file(partial, qm)
    return True


def compiled_qm(ts: Path, cache_dir: Path) -> Path | None:
    """A `.qm` at least as new as `ts`: the one built beside it, or one compiled into the cache."""
    beside, cached = ts.with_suffix(".qm"), cache_dir / ts.with_suffix(".qm").name
    if is_frozen() and beside.is_file():
        return beside  # built with the bundle, whose copy need not keep the files' times
    for candidate in (beside, cached):
        if candidate.is_file() and candidate.stat().st_mtime >= ts.stat().st_mtime:
            return candidate
    return cached if compile_ts(ts, cached) else None


class TsTranslator(QTranslator):
    """Reads a `.ts` file directly: the fallback when no `.qm` could be compiled."""

    def __init__(self, ts: Path):
        super().__init__()
        self._table = read_ts(ts)

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None, not "": Qt takes an empty string as the translation and shows nothing
        return self._table.get((context, source))

    def isEmpty(self) -> bool:
        return not self._table


def read_ts(ts: Path) -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for context in ElementTree.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if source is None or translation is None:
                continue
            if translation.get("type") in ("obsolete", "vanished"):
                continue
            # plural forms: Chinese has one; the fallback takes the first for any language
            text = translation.findtext("numerusform") or translation.text
            if text and text.strip():
                table[(name, source)] = text
    return table


def _qt_translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


class Translations:
    """Installs the translators of one language at a time on the application."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.language = "en"
        self._installed: list[QTranslator] = []

    def install(self, language: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None, "create the QApplication first"
        self.uninstall()
        self.language = language
        for candidate in (self._qt_translator(language), self._our_translator(language)):
            if candidate is not None and app.installTranslator(candidate):
                self._installed.append(candidate)
        i18n.set_translator(_qt_translate)
        log.info("UI language %s (%d translators)", language, len(self._installed))

    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            for translator in self._installed:
                app.removeTranslator(translator)
        self._installed = []

    def _qt_translator(self, language: str) -> QTranslator | None:
        # Qt's own strings: the buttons of message boxes and file dialogs
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QTranslator()
        return translator if translator.load(f"qtbase_{language}", folder) else None

    def _our_translator(self, language: str) -> QTranslator | None:
        ts = translations_dir() / TS_NAME.format(language=language)
        if not ts.is_file():
            log.warning("no translation file %s", ts)
            return None
        qm = compiled_qm(ts, self.cache_dir)
        translator = QTranslator()
        if qm is not None and translator.load(str(qm)):
            return translator
        log.warning("using %s directly (no compiled .qm)", ts)
        return TsTranslator(ts)
