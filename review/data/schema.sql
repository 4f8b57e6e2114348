-- The review workspace (FOLDER/.journeytape/workspace.sqlite); loaded by review/store.py.
-- Files are indexed into interviews/segments/tags (rebuilt when a file's sha256 changes);
-- decisions is the append-only log; tag_state is each tag's replayed state (replay.py),
-- refreshed when a decision is written, so the start page counts with SQL.

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,            -- transcript path relative to the folder, no suffix
    transcript_path TEXT NOT NULL,
    transcript_sha256 TEXT NOT NULL,
    annotations_path TEXT,
    annotations_sha256 TEXT,
    audio_path TEXT,                      -- the only files the web app will ever serve
    language TEXT,
    duration REAL,
    speakers TEXT NOT NULL DEFAULT '[]',  -- JSON [{id, label, role}]
    coverage TEXT NOT NULL DEFAULT '[]',  -- JSON [CoverageItem]
    pipeline TEXT,                        -- JSON of the annotator's pipeline or NULL
    present INTEGER NOT NULL DEFAULT 1,   -- 0 when its files disappeared from the folder
    annotated_for TEXT,                   -- transcript sha256 the annotations were made from
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    seg_id INTEGER NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    speaker TEXT,
    text TEXT NOT NULL,
    words TEXT NOT NULL,                  -- JSON [[start, end, word, start_char, end_char]]
    PRIMARY KEY (interview_id, seg_id)
);
CREATE TABLE IF NOT EXISTS tags (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    tag_id TEXT NOT NULL,
    label TEXT NOT NULL,
    value TEXT,
    seg_id INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    speaker TEXT,
    role TEXT,
    rule TEXT NOT NULL,
    confidence REAL NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (interview_id, tag_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interview TEXT NOT NULL,              -- interview *name*: survives re-indexing
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_interview ON decisions(interview, kind, target, id);
CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
    text, interview_id UNINDEXED, seg_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS tag_state (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    tag_id TEXT NOT NULL,
    origin TEXT NOT NULL,                 -- "auto" (annotator) or "user" (added in review)
    label TEXT NOT NULL,                  -- after edits
    value TEXT,
    status TEXT NOT NULL,                 -- pending | accepted | rejected
    edited INTEGER NOT NULL,              -- 1 when label/value differ from the annotator's
    PRIMARY KEY (interview_id, tag_id)
);
