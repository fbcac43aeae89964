"""The library's schema as numbered migrations.

Migration N is `MIGRATIONS[N - 1]`; a schema change is a new function appended to the list, never
an edit of an old one: users' databases were made by the old ones (`tests/core/test_migrations.py`
builds a 0.1.0 library by hand and opens it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

Migration = Callable[[sqlite3.Connection], None]

# 0.1.0: jobs, images with every parameter in its own column and again in the metadata JSON.
SCHEMA_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    request     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN
                    ('queued', 'running', 'finished', 'cancelled', 'failed', 'interrupted')),
    position    INTEGER,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TEXT,
    finished_at TEXT,
    images_done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_state ON jobs (state, position, id);
CREATE TABLE images (
    id              INTEGER PRIMARY KEY,
    job_id          INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    path            TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    negative_prompt TEXT NOT NULL DEFAULT '',
    seed            INTEGER NOT NULL,
    steps           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    guidance        REAL NOT NULL,
    cfg_scale       REAL NOT NULL,
    model           TEXT NOT NULL DEFAULT '',
    model_hash      TEXT NOT NULL DEFAULT '',
    plan            TEXT NOT NULL DEFAULT '',
    duration_s      REAL,
    peak_vram_bytes INTEGER,
    favourite       INTEGER NOT NULL DEFAULT 0,
    trashed_at      TEXT,
    trash_path      TEXT,
    metadata        TEXT NOT NULL
);
CREATE INDEX images_by_time ON images (trashed_at, created_at, id);
CREATE INDEX images_by_job ON images (job_id);
CREATE INDEX images_favourites ON images (trashed_at, created_at, id) WHERE favourite = 1;
CREATE VIRTUAL TABLE images_fts USING fts5 (
    prompt, negative_prompt, content = 'images', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, negative_prompt ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
"""


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of `script` inside the caller's transaction.

    `executescript` would COMMIT first, so a failing migration could leave half a schema behind.
    """
    for statement in statements(script):
        conn.execute(statement)


def statements(script: str) -> Iterator[str]:
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        # A trigger body holds semicolons: wait until SQLite agrees the statement is complete.
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                yield pending
            pending = ""


def _migration_1(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V1)


# 0.2.0: one serializer. An image row keeps as columns only what the gallery searches, filters
# or sorts by (prompt, negative prompt, time, favourite, trash, lineage, LoRAs); everything else
# lives in `metadata`, the ImageMetadata document the PNG carries too. The document is rebuilt
# from 0.1.0's columns, which were the truth then (the JSON held the peak rounded to 0.01 GB).
SCHEMA_V2_IMAGES = """
DROP TRIGGER images_fts_insert;
DROP TRIGGER images_fts_delete;
DROP TRIGGER images_fts_update;
DROP TABLE images_fts;
DROP INDEX images_by_time;
DROP INDEX images_by_job;
DROP INDEX images_favourites;
ALTER TABLE images RENAME TO images_v1;
CREATE TABLE images (
    id              INTEGER PRIMARY KEY,
    job_id          INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    parent_id       INTEGER REFERENCES images (id) ON DELETE SET NULL,
    path            TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    negative_prompt TEXT NOT NULL DEFAULT '',
    favourite       INTEGER NOT NULL DEFAULT 0,
    trashed_at      TEXT,
    trash_path      TEXT,
    metadata        TEXT NOT NULL
);
INSERT INTO images (id, job_id, path, created_at, prompt, negative_prompt, favourite, trashed_at,
                    trash_path, metadata)
SELECT id, job_id, path, created_at, prompt, negative_prompt, favourite, trashed_at, trash_path,
    json_object(
        'version', 2,
        'request', json_object(
            'version', 2, 'prompt', prompt, 'negative_prompt', negative_prompt, 'seed', seed,
            'steps', steps, 'width', width, 'height', height, 'guidance', guidance,
            'cfg_scale', cfg_scale, 'count', 1, 'loras', json('[]'), 'edit', NULL),
        'model', model, 'model_hash', model_hash, 'plan', plan,
        'app_version', CASE WHEN json_valid(metadata)
            THEN coalesce(json_extract(metadata, '$.app_version'), '') ELSE '' END,
        'created', CASE WHEN json_valid(metadata)
            THEN coalesce(json_extract(metadata, '$.created'), '') ELSE '' END,
        'duration_s', duration_s, 'peak_vram_bytes', peak_vram_bytes, 'loras', json('[]'))
FROM images_v1;
DROP TABLE images_v1;
CREATE INDEX images_by_time ON images (trashed_at, created_at, id);
CREATE INDEX images_by_job ON images (job_id);
CREATE INDEX images_by_parent ON images (parent_id);
CREATE INDEX images_favourites ON images (trashed_at, created_at, id) WHERE favourite = 1;
CREATE TABLE image_loras (
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    sha256   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (image_id, name)
) WITHOUT ROWID;
CREATE INDEX image_loras_by_name ON image_loras (name, image_id);
CREATE VIRTUAL TABLE images_fts USING fts5 (
    prompt, negative_prompt, content = 'images', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO images_fts (images_fts) VALUES ('rebuild');
CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, negative_prompt ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
"""


def _migration_2(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V2_IMAGES)


MIGRATIONS: list[Migration] = [_migration_1, _migration_2]
