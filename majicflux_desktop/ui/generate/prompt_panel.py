"""The prompt panel: what to generate. Builds a GenerationRequest and shows core's checks inline.

LoRAs come from two places, merged into the request: the stack of rows under the prompt, and
`<lora:name:weight>` tags typed in the prompt (A1111's way), which are taken out of the prompt text.
A source picture in the edit panel (ui/edit) makes the request an edit: the edit then says what
size the request has, and its pictures are stored in the library when Generate queues it.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core import metadata
from majicflux_desktop.core.edit import Problem
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import (
    MAX_CFG,
    MAX_COUNT,
    MAX_GUIDANCE,
    MAX_STEPS,
    MIN_CFG,
    MIN_COUNT,
    MIN_GUIDANCE,
    MIN_STEPS,
    GenerationRequest,
    LoraUse,
    random_seed,
)
from majicflux_desktop.core.settings import GenerationDefaults
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog, LoraListing
from majicflux_desktop.ui.edit.edit_panel import EditPanel, EditSnapshot, EditState
from majicflux_desktop.ui.edit.picture_files import Picture
from majicflux_desktop.ui.generate import lora_checks
from majicflux_desktop.ui.generate.lora_picker import LoraPreferences
from majicflux_desktop.ui.generate.lora_stack import LoraStack
from majicflux_desktop.ui.generate.lora_tags import PromptEditor, TagState
from majicflux_desktop.ui.generate.size_picker import SizePicker, SizeState

CFG_WITH_NEGATIVE = 3.5
TURN_CFG_ON = "cfg-on"  # the link in the hint under a negative prompt


@dataclass(frozen=True)
class PanelState:
    """Everything the panel shows, exactly (a language switch rebuilds it; a drop can be undone).

    `request` holds the prompt as typed, tags included, and the stack's rows as they are."""

    request: GenerationRequest
    seed_text: str
    seed_locked: bool
    size: SizeState
    edit: EditSnapshot | None = None


class PromptPanel(QWidget):
    generate_requested = Signal(GenerationRequest)  # a request without problems
    seed_lock_changed = Signal(bool)
    lora_favourite_toggled = Signal(str, bool)  # a LoRA's SHA-256, favourite or not
    loras_chosen = Signal(tuple)  # the request's LoRAs changed (the engine can read them early)

    def __init__(
        self,
        defaults: GenerationDefaults,
        seed_locked: bool = False,
        parent: QWidget | None = None,
        *,
        loras: LoraCatalog | None = None,
        sources: SourceStore | None = None,
    ):
        """`loras`: the app's LoRA folders (without one, the panel knows no LoRA file);
        `sources`: where edits keep their pictures (without it, the panel makes no edits)."""
        super().__init__(parent)
        self._attempted = False
        self._queue_error = ""  # why the last Generate could not queue the edit
        self._chosen_loras: tuple[LoraUse, ...] = ()
        self._restoring_edit = False  # a reused edit's source is being read: keep the size
        self.sources = sources
        self.loras = loras or LoraCatalog(LoraIndex(), None, parent=self)
        self._build()
        self.apply_defaults(defaults)
        self.lock.setChecked(seed_locked)
        self.seed.setText(str(random_seed()))
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(200)
        self._check_timer.timeout.connect(self.show_checks)
        for changed in (
            self.prompt.textChanged,
            self.negative.textChanged,
            self.size_picker.size_changed,
            self.steps.valueChanged,
            self.guidance.valueChanged,
            self.cfg.valueChanged,
            self.seed.textChanged,
            self.count.valueChanged,
            self.lora_stack.changed,
            self.edit_panel.changed,
        ):
            changed.connect(self._check_timer.start)
        self.size_picker.size_changed.connect(self.edit_panel.set_chosen_size)
        self.edit_panel.changed.connect(self._edit_changed)
        self.edit_panel.source_changed.connect(self._source_arrived)
        self.edit_panel.load_failed.connect(self._source_failed)
        self.edit_panel.set_chosen_size(*self.size_picker.image_size())
        self.loras.scanned.connect(self._loras_scanned)
        self.lora_stack.trigger_words_requested.connect(self.prompt.put_first)
        self.lora_stack.favourite_toggled.connect(self.lora_favourite_toggled)
        self.messages.linkActivated.connect(self._link)
        self.random_button.clicked.connect(self.roll_seed)
        self.lock.toggled.connect(self.seed_lock_changed)
        self.generate_button.clicked.connect(self.try_generate)
        self.show_checks()

    def _build(self) -> None:
        self.prompt = PromptEditor(self._tag_state)
        self.prompt.setPlaceholderText(
            self.tr(
                "Describe the image: subject, setting, light, style. For example: "
                "“a ginger cat asleep on a sunny windowsill, soft morning light, film photo”. "
                "Ctrl+Enter generates."
            )
        )
        self.prompt.setTabChangesFocus(True)
        self.lora_hint = QLabel()
        self.lora_hint.setWordWrap(True)
        self.lora_hint.setTextFormat(Qt.TextFormat.PlainText)  # names come from files and typing
        self.lora_hint.setStyleSheet(f"color: {theme.DANGER};")
        self.lora_hint.hide()
        self.lora_stack = LoraStack(self.loras)
        self.negative = QPlainTextEdit()
        self.negative.setPlaceholderText(self.tr("What to avoid (optional)"))
        self.negative.setToolTip(
            self.tr(
                "A negative prompt only acts with a CFG scale above 1, which doubles the time "
                "per step."
            )
        )
        self.negative.setTabChangesFocus(True)
        self.negative.setMaximumHeight(64)
        self.size_picker = SizePicker()
        self.edit_panel = EditPanel()
        self.edit_title = QLabel(self.tr("Source picture"))
        self.edit_title.setToolTip(
            self.tr(
                "Start from a picture: image to image, inpaint, outpaint or upscale. Drop one "
                "here, open or paste it, or choose “Use as source” on a gallery image (Ctrl+I)."
            )
        )
        font = self.edit_title.font()
        font.setBold(True)
        self.edit_title.setFont(font)
        self.edit_title.setVisible(self.sources is not None)
        self.edit_panel.setVisible(self.sources is not None)
        self.steps = QSpinBox()
        self.steps.setRange(MIN_STEPS, MAX_STEPS)
        self.steps.setToolTip(self.tr("More steps: more detail, more time. 20–30 is typical."))
        self.guidance = _decimal_spin(MIN_GUIDANCE, MAX_GUIDANCE)
        self.guidance.setToolTip(
            self.tr("How closely the image follows the prompt (FLUX guidance). 3.5 is typical.")
        )
        self.cfg = _decimal_spin(MIN_CFG, MAX_CFG)
        self.cfg.setToolTip(
            self.tr(
                "CFG scale: 1 turns it off. Above 1 the negative prompt acts, and every step "
                "takes twice as long."
            )
        )
        self.seed = QLineEdit()
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,10}")))
        self.seed.setPlaceholderText(self.tr("random"))
        self.seed.setToolTip(
            self.tr("The same seed and parameters give the same image. Empty: a random seed.")
        )
        self.random_button = QPushButton(self.tr("Random"))
        self.random_button.setToolTip(self.tr("A new random seed"))
        self.lock = QCheckBox(self.tr("Lock seed"))
        self.lock.setToolTip(
            self.tr("Locked: every image uses this seed. Unlocked: a new seed after each Generate.")
        )
        self.count = QSpinBox()
        self.count.setRange(MIN_COUNT, MAX_COUNT)
        self.count.setToolTip(self.tr("How many images to make (seed, seed+1, …)"))
        self.messages = QLabel()
        self.messages.setWordWrap(True)
        self.messages.setTextFormat(Qt.TextFormat.RichText)
        self.messages.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for the hints is kept whether or not there are any: the form must not move under
        # the user's pointer as they come and go.
        self.messages.setFixedHeight(3 * self.messages.fontMetrics().lineSpacing() + 4)
        self.generate_button = QPushButton(self.tr("Generate"))
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip(self.tr("Add to the queue (Ctrl+Enter)"))
        self.generate_button.setMinimumHeight(40)
        self.generate_button.setStyleSheet(
            f"#generateButton {{ background: {theme.ACCENT}; color: #1a1a1a; font-weight: bold;"
            " border-radius: 6px; }"
        )
        self._lay_out()

    def _lay_out(self) -> None:
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Size"), self.size_picker)
        form.addRow(self.tr("Steps"), self.steps)
        form.addRow(self.tr("Guidance"), self.guidance)
        form.addRow(self.tr("CFG scale"), self.cfg)
        form.addRow(self.tr("Seed"), seed_row)
        form.addRow("", self.lock)
        form.addRow(self.tr("Count"), self.count)
        prompt_label = QLabel(self.tr("Prompt"))
        prompt_label.setBuddy(self.prompt)
        negative_label = QLabel(self.tr("Negative prompt"))
        negative_label.setBuddy(self.negative)
        self.prompt.setMinimumHeight(5 * self.prompt.fontMetrics().lineSpacing())
        body = QWidget()
        fields = QVBoxLayout(body)
        fields.setContentsMargins(8, 8, 8, 0)
        fields.addWidget(prompt_label)
        fields.addWidget(self.prompt, 3)
        fields.addWidget(self.lora_hint)
        fields.addWidget(negative_label)
        fields.addWidget(self.negative, 1)
        fields.addSpacing(4)
        fields.addWidget(self.lora_stack)
        fields.addSpacing(8)
        fields.addWidget(self.edit_title)
        fields.addWidget(self.edit_panel)
        fields.addSpacing(4)
        fields.addLayout(form)
        fields.addWidget(self.messages)
        # The fields scroll on a small screen (or in a taller script); Generate always shows.
        self.fields = QScrollArea()
        self.fields.setWidget(body)
        self.fields.setWidgetResizable(True)
        self.fields.setFrameShape(QFrame.Shape.NoFrame)
        self.fields.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.fields, 1)
        button_row = QHBoxLayout()
        button_row.setContentsMargins(8, 0, 8, 0)
        button_row.addWidget(self.generate_button)
        layout.addLayout(button_row)

    # -- values --------------------------------------------------------------------------------
    def apply_defaults(self, defaults: GenerationDefaults) -> None:
        self.size_picker.set_preset(defaults.aspect_ratio, defaults.long_side)
        self.steps.setValue(defaults.steps)
        self.guidance.setValue(defaults.guidance)
        self.cfg.setValue(defaults.cfg_scale)
        self.count.setValue(defaults.count)

    def seed_value(self) -> int | None:
        text = self.seed.text().strip()
        return int(text) if text else None

    def request(self) -> GenerationRequest:
        """What Generate queues: the prompt without its `<lora:…>` tags, and the LoRAs of the
        stack and of the tags (a tag sets the weight of the stack's LoRA of that name)."""
        shown = self._shown_request()
        prompt, tagged = metadata.split_lora_tags(shown.prompt)
        if not tagged:  # a prompt without tags stays exactly as typed
            prompt = shown.prompt
        loras = lora_checks.merged(shown.loras, tagged)
        return dataclasses.replace(
            shown, prompt=prompt, loras=lora_checks.with_known_hashes(loras, self.loras)
        )

    def _shown_request(self) -> GenerationRequest:
        """The fields as they are (the edit's pictures are stored only when Generate queues it:
        `queued_request`). With a source, the edit decides the size (`EditPanel.work_size`)."""
        width, height = self.edit_panel.work_size(self.size_picker.image_size())
        return GenerationRequest(
            prompt=self.prompt.toPlainText(),
            negative_prompt=self.negative.toPlainText(),
            seed=self.seed_value(),
            steps=self.steps.value(),
            width=width,
            height=height,
            guidance=self.guidance.value(),
            cfg_scale=self.cfg.value(),
            count=self.count.value(),
            loras=self.lora_stack.uses(),
        )

    def set_request(self, request: GenerationRequest, keep_count: bool = True) -> None:
        """Reuse all parameters (from the gallery or a dropped PNG); a known seed is locked.
        The stack then holds exactly the request's LoRAs, and the edit panel the request's
        edit (its source and mask read back from the library) or none."""
        _replace_text(self.prompt, request.prompt)
        self.lora_stack.set_uses(request.loras)
        _replace_text(self.negative, request.negative_prompt)
        self.size_picker.set_size(request.width, request.height)
        self.steps.setValue(request.steps)
        self.guidance.setValue(request.guidance)
        self.cfg.setValue(request.cfg_scale)
        if not keep_count:
            self.count.setValue(request.count)
        if request.seed is not None:
            self.set_seed(request.seed)
        if request.edit is not None and self.sources is not None:
            self._restoring_edit = True
            self.edit_panel.restore(request.edit, self.sources)
        else:
            self.edit_panel.clear()
        self.show_checks()

    def take_parameters(self, request: GenerationRequest) -> PanelState:
        """Parameters from a file or the clipboard; returns what the panel held, for an undo.

        A file without a usable prompt never wipes what the user typed.
        """
        before = self.state()
        if not request.prompt.strip():
            request = dataclasses.replace(
                request,
                prompt=self.prompt.toPlainText(),
                negative_prompt=self.negative.toPlainText(),
            )
        self.set_request(request)
        return before

    def state(self) -> PanelState:
        return PanelState(
            self._shown_request(),
            self.seed.text(),
            self.seed_locked,
            self.size_picker.state(),
            self.edit_panel.snapshot(),
        )

    def restore(self, state: PanelState) -> None:
        self.set_request(dataclasses.replace(state.request, seed=None), keep_count=False)
        self.size_picker.restore(state.size)
        if state.edit is not None:
            self._restoring_edit = True  # the size was restored with it
            self.edit_panel.restore_snapshot(state.edit)
            self._restoring_edit = False
        self.seed.setText(state.seed_text)
        self.lock.setChecked(state.seed_locked)
        self.show_checks()

    def set_seed(self, seed: int) -> None:
        """Reuse a seed: it goes into the field and stays there (locked)."""
        self.seed.setText(str(seed))
        self.lock.setChecked(True)

    @property
    def seed_locked(self) -> bool:
        return self.lock.isChecked()

    def roll_seed(self) -> None:
        self.seed.setText(str(random_seed()))

    # -- generate ------------------------------------------------------------------------------
    def try_generate(self) -> bool:
        """Emit the request if core finds no problem with it; else show the problems. An edit's
        pictures are stored in the library here, so the queued job never depends on a file."""
        self._attempted = True
        self._queue_error = ""
        request = self.request()
        problems = request.problems()
        self.show_checks()
        if problems:
            self._focus(problems[0].field)
            return False
        if self.edit_panel.problems():  # said in the edit panel, in its own words
            self._reveal_edit_panel()
            return False
        if self.lora_issues(request):  # said under the prompt: never a LoRA silently left out
            self.prompt.setFocus()
            return False
        if self.sources is not None and self.edit_panel.has_source():
            try:
                edit = self.edit_panel.edit(self.sources)
            except UserError as exc:
                self._queue_error = exc.text()
            except OSError as exc:
                self._queue_error = self.tr(
                    "The source picture could not be stored in the library ({reason}). Free "
                    "some disk space, then press Generate again."
                ).format(reason=exc.strerror or exc)
            else:
                request = dataclasses.replace(request, edit=edit)
                self._queue_error = "; ".join(p.message.text() for p in request.problems())
            if self._queue_error:
                self.show_checks()
                return False
        self.generate_requested.emit(request)
        if not self.seed_locked:
            self.roll_seed()
        return True

    # -- the source picture --------------------------------------------------------------------
    def take_prompt(self, request: GenerationRequest) -> None:
        """Only the prompt and negative prompt of a request (an edit of a gallery image)."""
        _replace_text(self.prompt, request.prompt)
        _replace_text(self.negative, request.negative_prompt)

    def use_source(self, picture: Picture, parent_image: int | None = None, name: str = "") -> None:
        """Start from this picture (a file, a QImage, a PIL image); `parent_image`: the gallery
        image it is. The chosen size then follows the picture's shape."""
        self._restoring_edit = False
        self.edit_panel.set_source(picture, parent_image, name)
        self._reveal_edit_panel()

    def _reveal_edit_panel(self) -> None:
        """Scroll the fields so the source picture's section shows (vertically only: a sideways
        scroll would cut the fields' left edge off)."""
        bar = self.fields.verticalScrollBar()
        body = self.fields.widget()
        assert body is not None
        top = self.edit_title.mapTo(body, QPoint(0, 0)).y()
        bottom = top + self.edit_title.height() + self.edit_panel.height()
        shown = self.fields.viewport().height()
        if top < bar.value():
            bar.setValue(max(0, top - 8))
        elif bottom > bar.value() + shown:
            bar.setValue(min(top - 8, bottom - shown + 8))  # all of it, or at least its top
        self.fields.horizontalScrollBar().setValue(0)

    def _source_arrived(self, _info: object) -> None:
        if self._restoring_edit:
            self._restoring_edit = False  # a reused edit: its size came with it
            return
        suggested = self.edit_panel.suggested_size()
        sizing = self.edit_panel.sizing()
        if suggested is not None and sizing is not None and sizing.follows_chosen:
            self.size_picker.set_size(*suggested)
        QTimer.singleShot(0, self._reveal_edit_panel)  # once the mode's controls are laid out

    def _source_failed(self, _text: str) -> None:
        self._restoring_edit = False

    def _edit_changed(self, state: EditState) -> None:
        """While the edit decides the size, the size picker waits (greyed, saying why)."""
        sizing = state.sizing
        decides = state.active and not (sizing is not None and sizing.follows_chosen)
        self.size_picker.setEnabled(not decides)
        self.size_picker.setToolTip(
            self.tr("The edit sets the size: see under Source picture.") if decides else ""
        )

    def _focus(self, field: str) -> None:
        widget = {
            "prompt": self.prompt,
            "negative_prompt": self.negative,
            "seed": self.seed,
            "steps": self.steps,
            "count": self.count,
            "guidance": self.guidance,
            "cfg_scale": self.cfg,
            "loras": self.lora_stack.add_button,
        }.get(field, self.size_picker)
        widget.setFocus()

    def show_checks(self) -> None:
        request = self.request()
        problems = [p for p in request.problems() if self._attempted or not _is_empty_prompt(p)]
        lines = [
            f"<span style='color:{theme.DANGER}'>{html.escape(p.message.text())}</span>"
            for p in problems
        ]
        for warning in request.warnings():
            line = (
                f"<span style='color:{theme.WARNING}'>{html.escape(warning.message.text())}</span>"
            )
            if warning.field == "negative_prompt":
                link = self.tr("Turn CFG on ({cfg})").format(cfg=CFG_WITH_NEGATIVE)
                line += f" <a href='{TURN_CFG_ON}'>{html.escape(link)}</a>"
            lines.append(line)
        if self._queue_error:
            lines.append(
                f"<span style='color:{theme.DANGER}'>{html.escape(self._queue_error)}</span>"
            )
        self.messages.setText("<br>".join(lines))
        if request.loras != self._chosen_loras:
            self._chosen_loras = request.loras
            self.loras_chosen.emit(request.loras)
        hints = self.lora_issues(request)
        self.lora_hint.setText("\n".join(hints))
        self.lora_hint.setVisible(bool(hints))

    def problem_texts(self) -> list[str]:
        return [p.message.text() for p in self.request().problems()]

    # -- LoRAs ---------------------------------------------------------------------------------
    def lora_issues(self, request: GenerationRequest) -> list[str]:
        return lora_checks.issues(request.loras, self.loras)

    def set_lora_preferences(self, preferences: LoraPreferences) -> None:
        self.lora_stack.set_preferences(preferences)

    def _tag_state(self, name: str) -> TagState:
        listing = self.loras.listing
        if not listing.scanned:
            return TagState.UNCHECKED
        file = listing.named(name)
        return TagState.KNOWN if file is not None and file.ok else TagState.UNKNOWN

    def _loras_scanned(self, _listing: LoraListing) -> None:
        self.prompt.recheck_tags()
        self.show_checks()

    def _link(self, target: str) -> None:
        if target == TURN_CFG_ON:
            self.cfg.setValue(CFG_WITH_NEGATIVE)


def _replace_text(editor: QPlainTextEdit, text: str) -> None:
    """Replace the whole text as one step the editor's own undo (Ctrl+Z) takes back."""
    if editor.toPlainText() == text:
        return
    cursor = editor.textCursor()
    cursor.beginEditBlock()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)
    cursor.endEditBlock()


def _decimal_spin(low: float, high: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(1)
    spin.setSingleStep(0.5)
    return spin


def _is_empty_prompt(problem: Problem) -> bool:
    return problem.field == "prompt" and "empty" in problem.message.template
