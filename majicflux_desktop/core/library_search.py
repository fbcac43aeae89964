"""The gallery's filter as SQL: prompt search (FTS5 trigram, LIKE for short words), favourites, trash.

Every word the user types must appear in the prompt or the negative prompt, in any order. The
trigram index finds words of 3+ characters anywhere (Chinese has no spaces, so a substring match is
what a search needs); it cannot match 1–2 characters, such as "猫", so those fall back to LIKE.
User text only ever reaches SQL as bound parameters, quoted for FTS5 and escaped for LIKE.
"""

from __future__ import annotations

from majicflux_desktop.core.request import clean_text

MIN_TRIGRAM_CHARS = 3


def split_search(text: str) -> tuple[list[str], list[str]]:
    """The words for the trigram index (3+ characters) and those for LIKE (1–2 characters)."""
    words = list(dict.fromkeys(clean_text(text).split()))  # NFC, as the stored prompts are
    return (
        [w for w in words if len(w) >= MIN_TRIGRAM_CHARS],
        [w for w in words if len(w) < MIN_TRIGRAM_CHARS],
    )


def fts_phrase(word: str) -> str:
    # Inside an FTS5 string every character is literal (AND, *, :, ^, …); only " is doubled.
    return '"' + word.replace('"', '""') + '"'


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def image_filter(
    search: str, favourites_only: bool, include_trashed: bool
) -> tuple[str, list[object]]:
    """A WHERE clause over `images` and its parameters."""
    clauses: list[str] = []
    params: list[object] = []
    if not include_trashed:
        clauses.append("trashed_at IS NULL")
    if favourites_only:
        clauses.append("favourite = 1")  # written so, it can use the partial index
    indexed, short = split_search(search)
    if indexed:
        clauses.append("id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)")
        params.append(" AND ".join(fts_phrase(word) for word in indexed))
    for word in short:
        clauses.append(r"(prompt LIKE ? ESCAPE '\' OR negative_prompt LIKE ? ESCAPE '\')")
        params += [like_pattern(word)] * 2
    return " AND ".join(clauses) or "1", params
