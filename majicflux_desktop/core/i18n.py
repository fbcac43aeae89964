"""Translatable messages for code that cannot import Qt.

Texts are marked with `QT_TRANSLATE_NOOP(context, text)` so `pyside6-lupdate` collects them into the
`.ts` files; the UI installs Qt's translator with `set_translator`, and `Message.text()` then speaks
the UI language. Without a translator (CLI, tests) messages are English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Translator = Callable[[str, str], str]


def _identity(context: str, text: str) -> str:
    return text


_translate: Translator = _identity


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    return text


def set_translator(translator: Translator | None) -> None:
    global _translate
    _translate = translator or _identity


def translate(context: str, text: str) -> str:
    return _translate(context, text)


@dataclass(frozen=True)
class Message:
    """An English template with `{name}` fields, translated when it is shown.

    A field may be a Message itself (a model's name inside a sentence): it is translated too.
    """

    context: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        params = {k: v.text() if isinstance(v, Message) else v for k, v in self.params.items()}
        return translate(self.context, self.template).format(**params)

    def english(self) -> str:
        params = {k: v.english() if isinstance(v, Message) else v for k, v in self.params.items()}
        return self.template.format(**params)

    def __str__(self) -> str:
        return self.text()


class UserError(Exception):
    """A failure a person can act on; `message` says what happened and names the fix."""

    def __init__(self, message: Message, detail: str = ""):
        self.message = message
        self.detail = detail
        super().__init__(message.english() + (f" ({detail})" if detail else ""))

    def text(self) -> str:
        return self.message.text()


def user_error(context: str, template: str, detail: str = "", **params: Any) -> UserError:
    return UserError(Message(context, template, params), detail)
