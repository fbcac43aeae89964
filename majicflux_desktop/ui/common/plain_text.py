"""Text from outside (prompts, file names, PNG metadata) shown as text, never as HTML.

Qt renders a label's or tooltip's text as rich text when it merely looks like HTML: a prompt such
as `<img src="/dev/zero">` would make Qt read that "image" and never return. Labels that show
such text are set to plain text; tooltips cannot be, so their text is escaped.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally, line breaks kept."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"
