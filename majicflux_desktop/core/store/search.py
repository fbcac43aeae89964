"""The gallery's filter as SQL: prompt search (FTS5 trigram, LIKE for short words), favourites,
trash, a LoRA, one picture's family (its lineage of edits).

Every word the user types must appear in the prompt or the negative prompt, in any order. The
trigram index finds words of 3+ characters anywhere (Chinese has no spaces, so a substring match is
what a search needs); it cannot match 1–2 characters, such as "猫", so those fall back to LIKE.
User text only ever reaches SQL as bound parameters, quoted for FTS5 and escaped for LIKE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from majicflux_desktop.core.request import GenerationRequest, clean_text
from majicflux_desktop.core.results import AppliedLora


class Searchable(Protocol):
    """What the filter looks at in an image record (`store.records.ImageRecord`)."""

    @property
    def id(self) -> int: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def favourite(self) -> bool: ...
    @property
    def trashed(self) -> bool: ...
    @property
    def request(self) -> GenerationRequest: ...
    @property
    def loras(self) -> tuple[AppliedLora, ...]: ...


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


@dataclass(frozen=True)
class ImageQuery:
    """Which images the gallery shows, in which order."""

    search: str = ""
    favourites_only: bool = False
    include_trashed: bool = False
    lora: str = ""  # only images made with this LoRA (by name)
    family_of: int | None = None  # only this image's lineage: its sources and what was made from it
    newest_first: bool = True

    @property
    def filtered(self) -> bool:
        return (
            bool(self.search.strip())
            or self.favourites_only
            or bool(self.lora)
            or self.family_of is not None
        )

    def matches(self, record: Searchable, in_family: Callable[[int], bool] | None = None) -> bool:
        """The filter in Python, for a record the gallery inserts itself (a new image).

        `in_family(image_id)` tells whether an image is in the family shown, when one is.
        """
        if record.trashed and not self.include_trashed:
            return False
        if self.favourites_only and not record.favourite:
            return False
        if self.lora and self.lora not in {lora.name for lora in record.request.loras} | {
            lora.name for lora in record.loras
        }:
            return False
        if self.family_of is not None:
            related = (record.id, record.parent_id)
            if in_family is None or not any(i is not None and in_family(i) for i in related):
                return False
        indexed, short = split_search(self.search)
        text = f"{record.request.prompt}\n{record.request.negative_prompt}".casefold()
        return all(word.casefold() in text for word in (*indexed, *short))

    def comes_before(self, a: Searchable, b: Searchable) -> bool:
        before = (a.created_at, a.id) > (b.created_at, b.id)
        return before if self.newest_first else not before


# An image's family: up to its oldest source still in the library, then everything made from that.
_FAMILY = """id IN (
    WITH RECURSIVE
        up (id, parent_id) AS (
            SELECT id, parent_id FROM images WHERE id = ?
            UNION SELECT i.id, i.parent_id FROM images i JOIN up ON i.id = up.parent_id),
        down (id) AS (
            SELECT id FROM up WHERE parent_id IS NULL
            UNION SELECT i.id FROM images i JOIN down ON i.parent_id = down.id)
    SELECT id FROM down)"""


def image_filter(query: ImageQuery) -> tuple[str, list[object]]:
    """A WHERE clause over `images` and its parameters."""
    clauses: list[str] = []
    params: list[object] = []
    if not query.include_trashed:
        clauses.append("trashed_at IS NULL")
    if query.favourites_only:
        clauses.append("favourite = 1")  # written so, it can use the partial index
    if query.lora:
        clauses.append("id IN (SELECT image_id FROM image_loras WHERE name = ?)")
        params.append(query.lora)
    if query.family_of is not None:
        clauses.append(_FAMILY)
        params.append(query.family_of)
    indexed, short = split_search(query.search)
    if indexed:
        clauses.append("id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)")
        params.append(" AND ".join(fts_phrase(word) for word in indexed))
    for word in short:
        clauses.append(r"(prompt LIKE ? ESCAPE '\' OR negative_prompt LIKE ? ESCAPE '\')")
        params += [like_pattern(word)] * 2
    return " AND ".join(clauses) or "1", params
