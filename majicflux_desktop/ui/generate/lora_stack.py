"""The LoRAs of the next request, in the prompt panel: up to six rows, each with an on/off switch,
its name, a weight from −2 to 2, its trigger words and a remove button; "Add LoRA…" opens the
picker.

┌ LoRA  2 / 6 ───────────────────── [Add LoRA…] ┐
│ [✓] ghibli-style          [Trigger words] [✕] │
│     ━━━━━━━━━━━●━━━━━━━━━━━━━━━━━━━   [ 0.80] │
└───────────────────────────────────────────────┘

A row knows its LoRA's file through the catalog (found by hash first, then by name); a row whose
file is not in the LoRA folders says so in the danger colour, and the prompt panel refuses to
generate until it is put there or removed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.request import MAX_LORA_WEIGHT, MAX_LORAS, MIN_LORA_WEIGHT, LoraUse
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.lora_catalog import (
    LoraCatalog,
    LoraListing,
    LoraResolution,
    refusal,
)
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.generate.lora_picker import LoraPicker, LoraPreferences

WEIGHT_STEP = 0.05
SLIDER_STEPS = round(MAX_LORA_WEIGHT / WEIGHT_STEP)  # the slider counts in steps of 0.05


class RowState(str, enum.Enum):
    FOUND = "found"
    REFUSED = "refused"  # the file is there but cannot be used (another model family, …)
    MISSING = "missing"  # not in the LoRA folders
    CHECKING = "checking"  # the folders are still being read, or the hash is being looked for


class LoraRow(QFrame):
    changed = Signal()
    remove_requested = Signal(str)  # the LoRA's name
    trigger_words_requested = Signal(str)  # the words, comma-separated

    def __init__(self, use: LoraUse, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("loraRow")
        self.setStyleSheet("#loraRow { background: palette(alternate-base); border-radius: 4px; }")
        self._use = use
        self.file: LoraFile | None = None
        self.state = RowState.CHECKING
        self.switch = QCheckBox()
        self.switch.setChecked(use.enabled)
        self.switch.setToolTip(self.tr("On: used for the next image. Off: kept here, not used."))
        self.name = QLabel(use.name)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = QFont(self.name.font())
        font.setBold(True)
        self.name.setFont(font)
        self.trigger = QToolButton()
        self.trigger.setText(self.tr("Trigger words"))
        self.trigger.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip(self.tr("Remove this LoRA"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-SLIDER_STEPS, SLIDER_STEPS)
        self.slider.setPageStep(4)  # 0.2
        self.slider.setToolTip(self.tr("Weight: how strongly the LoRA acts. 1 is typical; below 0 it works against its style."))  # fmt: skip
        self.weight = QDoubleSpinBox()
        self.weight.setRange(MIN_LORA_WEIGHT, MAX_LORA_WEIGHT)
        self.weight.setDecimals(2)
        self.weight.setSingleStep(WEIGHT_STEP)
        self.weight.setToolTip(self.slider.toolTip())
        self.weight.setAccessibleName(self.tr("Weight of {name}").format(name=use.name))
        self._set_weight(use.weight)
        self.switch.toggled.connect(self._switched)
        self.slider.valueChanged.connect(lambda steps: self._set_weight(steps * WEIGHT_STEP))
        self.weight.valueChanged.connect(self._set_weight)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self._use.name))
        self.trigger.clicked.connect(self._trigger_clicked)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 4, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.switch, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.trigger, 0, 2)
        grid.addWidget(self.remove, 0, 3)
        weight_row = QHBoxLayout()
        weight_row.addWidget(self.slider, 1)
        weight_row.addWidget(self.weight)
        grid.addLayout(weight_row, 1, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        self._enable_parts()
        self.set_file(None, RowState.CHECKING)

    def use(self) -> LoraUse:
        return self._use

    def set_use(self, use: LoraUse) -> None:
        self._use = use
        self.name.setText(use.name)
        self.switch.setChecked(use.enabled)
        self._set_weight(use.weight)

    def set_file(self, file: LoraFile | None, state: RowState) -> None:
        """What the catalog knows of this row's LoRA: the file (its name, trigger words, what
        it is), or why there is none."""
        self.file, self.state = file, state
        if file is not None and state is RowState.FOUND and file.name != self._use.name:
            # found by its hash under another name (renamed since): the name that works now
            self._use = LoraUse(file.name, self._use.weight, self._use.sha256, self._use.enabled)
            self.name.setText(file.name)
        danger = state in (RowState.MISSING, RowState.REFUSED)
        self.name.setStyleSheet(f"color: {theme.DANGER};" if danger else "")
        self.name.setToolTip(plain_tooltip(self._tooltip()))
        words = file.trigger_words if file is not None and state is RowState.FOUND else ()
        self.trigger.setEnabled(bool(words))
        self.trigger.setToolTip(
            self.tr("Put its trigger words at the start of the prompt: {words}").format(
                words=", ".join(words)
            )
            if words
            else self.tr("This LoRA's file records no trigger words.")
        )

    def _tooltip(self) -> str:
        file, use = self.file, self._use
        if self.state is RowState.MISSING:
            return self.tr("“{name}” is not in your LoRA folders.").format(name=use.name)
        if self.state is RowState.CHECKING or file is None:
            return use.name
        lines = [file.title or file.name]
        if file.problem is not None:
            lines.append(self.tr("Cannot be used: {reason}").format(reason=refusal(file)))
        if file.base_model:
            lines.append(self.tr("Base model: {model}").format(model=file.base_model))
        if file.rank:
            lines.append(self.tr("Rank: {rank}").format(rank=file.rank))
        lines.append(
            self.tr("Layers matched: {matched} of {total}").format(
                matched=file.layers_matched, total=file.layers_total
            )
        )
        lines.append(self.tr("Size: {size}").format(size=format_bytes(file.size)))
        lines.append(self.tr("File: {path}").format(path=file.path))
        return "\n".join(lines)

    def _set_weight(self, weight: float) -> None:
        weight = round(max(MIN_LORA_WEIGHT, min(MAX_LORA_WEIGHT, weight)), 2)
        self.slider.blockSignals(True)
        self.slider.setValue(round(weight / WEIGHT_STEP))  # the nearest 0.05 a typed 0.83 shows
        self.slider.blockSignals(False)
        self.weight.blockSignals(True)
        self.weight.setValue(weight)
        self.weight.blockSignals(False)
        if weight != self._use.weight:
            self._use = LoraUse(self._use.name, weight, self._use.sha256, self._use.enabled)
            self.changed.emit()

    def _switched(self, on: bool) -> None:
        self._enable_parts()
        if on != self._use.enabled:
            self._use = LoraUse(self._use.name, self._use.weight, self._use.sha256, on)
            self.changed.emit()

    def _enable_parts(self) -> None:
        on = self.switch.isChecked()
        for widget in (self.name, self.slider, self.weight):
            widget.setEnabled(on)

    def _trigger_clicked(self) -> None:
        if self.file is not None and self.file.trigger_words:
            self.trigger_words_requested.emit(", ".join(self.file.trigger_words))


class LoraStack(QWidget):
    changed = Signal()  # a row added, removed, switched or weighted
    trigger_words_requested = Signal(str)
    favourite_toggled = Signal(str, bool)  # from the picker: SHA-256, favourite or not

    def __init__(self, catalog: LoraCatalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog = catalog
        self.preferences = LoraPreferences()
        self.rows: list[LoraRow] = []
        self.picker: LoraPicker | None = None
        self._looked_for: set[str] = set()  # hashes resolved in the background already
        title = QLabel("LoRA")
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        self.count = QLabel()
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.add_button = QPushButton(self.tr("Add LoRA…"))
        self.add_button.clicked.connect(self.open_picker)
        self.hint = QLabel(self.tr("No LoRA. Add one, or type <lora:name:weight> in the prompt."))
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")  # follows the theme
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(title)
        header.addWidget(self.count)
        header.addStretch(1)
        header.addWidget(self.add_button)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.hint)
        layout.addLayout(self._rows_layout)
        catalog.scanned.connect(self._listing_changed)
        self._update()

    # -- what it holds ----------------------------------------------------------------------------
    def uses(self) -> tuple[LoraUse, ...]:
        return tuple(row.use() for row in self.rows)

    def set_uses(self, uses: Sequence[LoraUse]) -> None:
        """Replace every row (reuse all, a dropped image, a language switch)."""
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for use in uses[:MAX_LORAS]:
            self._add_row(use)
        self._resolve_rows()
        self._update()
        self.changed.emit()

    def add_file(self, file: LoraFile) -> LoraRow | None:
        """Add the picker's choice; a LoRA already here is turned on instead of added twice."""
        row = self.row(file.name)
        if row is not None:
            row.switch.setChecked(True)
            return row
        if len(self.rows) >= MAX_LORAS:
            return None
        row = self._add_row(LoraUse(file.name, 1.0, self.catalog.known_hash(file)))
        row.set_file(file, RowState.FOUND if file.ok else RowState.REFUSED)
        self._update()
        self.changed.emit()
        return row

    def remove(self, name: str) -> None:
        row = self.row(name)
        if row is None:
            return
        self.rows.remove(row)
        row.deleteLater()
        self._update()
        self.changed.emit()

    def row(self, name: str) -> LoraRow | None:
        key = name.casefold()
        return next((row for row in self.rows if row.use().name.casefold() == key), None)

    def set_preferences(self, preferences: LoraPreferences) -> None:
        self.preferences = preferences
        if self.picker is not None:
            self.picker.set_preferences(preferences)

    # -- the picker -------------------------------------------------------------------------------
    def open_picker(self) -> LoraPicker:
        if self.picker is not None:
            self.picker.raise_()
            self.picker.activateWindow()
            return self.picker
        in_stack = {row.use().name: row.use().enabled for row in self.rows}
        picker = LoraPicker(self.catalog, self.preferences, in_stack, self)
        picker.chosen.connect(self._chosen)
        picker.favourite_toggled.connect(self._favourite_toggled)
        picker.finished.connect(lambda _: self._picker_closed(picker))
        self.picker = picker
        picker.open()
        return picker

    def _chosen(self, file: LoraFile) -> None:
        self.add_file(file)

    def _favourite_toggled(self, sha256: str, on: bool) -> None:
        favourites = tuple(h for h in self.preferences.favourites if h != sha256)
        self.preferences = LoraPreferences(
            (sha256, *favourites) if on else favourites, self.preferences.recent
        )
        self.favourite_toggled.emit(sha256, on)

    def _picker_closed(self, picker: LoraPicker) -> None:
        if self.picker is picker:
            self.picker = None
        picker.deleteLater()

    # -- rows -------------------------------------------------------------------------------------
    def _add_row(self, use: LoraUse) -> LoraRow:
        row = LoraRow(use, self)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self.remove)
        row.trigger_words_requested.connect(self.trigger_words_requested)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        return row

    def _listing_changed(self, _listing: LoraListing) -> None:
        self._resolve_rows()

    def _resolve_rows(self) -> None:
        """Each row's file, from what the catalog knows cheaply; a hash that no file is known by
        yet is looked for in the background (hashing files not hashed before)."""
        listing = self.catalog.listing
        unresolved: list[LoraUse] = []
        for row in self.rows:
            use = row.use()
            file = self.catalog.find_known(use)
            if not listing.scanned:
                row.set_file(None, RowState.CHECKING)
            elif file is not None:
                row.set_file(file, RowState.FOUND if file.ok else RowState.REFUSED)
            elif use.sha256 and self.catalog.resolving(use.sha256):
                row.set_file(None, RowState.CHECKING)
            elif use.sha256 and use.sha256 not in self._looked_for:
                # a hash no file is known by yet: hash the files not hashed before, off the UI
                # thread (once for each hash: a LoRA that is not there stays missing)
                row.set_file(None, RowState.CHECKING)
                unresolved.append(use)
            else:
                row.set_file(None, RowState.MISSING)
        if unresolved:
            self._looked_for.update(use.sha256 for use in unresolved)
            self.catalog.resolve(unresolved, self._resolved)
        self.changed.emit()

    def _resolved(self, resolution: LoraResolution) -> None:
        for found in resolution.found:
            row = next((r for r in self.rows if r.use().sha256 == found.asked.sha256), None)
            if row is not None:
                row.set_use(found.use)
                row.set_file(found.file, RowState.FOUND)
        for missing in resolution.missing:
            row = next((r for r in self.rows if r.use().sha256 == missing.use.sha256), None)
            if row is not None:
                row.set_file(None, RowState.MISSING)
        self.changed.emit()

    def _update(self) -> None:
        self.count.setText(f"{len(self.rows)} / {MAX_LORAS}")
        self.hint.setVisible(not self.rows)
        full = len(self.rows) >= MAX_LORAS
        self.add_button.setEnabled(not full)
        self.add_button.setToolTip(
            self.tr("At most {limit} LoRAs can be used at once.").format(limit=MAX_LORAS)
            if full
            else self.tr("Choose a LoRA from your LoRA folders")
        )
