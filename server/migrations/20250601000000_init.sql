-- Gongkai storage, first version: departments and published draws.
-- Published draws are append-only: the triggers below refuse UPDATE and DELETE.

CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    name      TEXT    NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES departments (id)
);

CREATE TABLE draws (
    id            TEXT    PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    title         TEXT    NOT NULL,
    draw_date     TEXT    NOT NULL,
    commitment    TEXT    NOT NULL,
    record_json   TEXT    NOT NULL,
    committed_at  TEXT,
    published_at  TEXT    NOT NULL
);

CREATE INDEX draws_by_date ON draws (draw_date DESC, id);

CREATE TRIGGER draws_append_only_update BEFORE UPDATE ON draws
BEGIN
    SELECT RAISE(ABORT, 'published draws are append-only');
END;

CREATE TRIGGER draws_append_only_delete BEFORE DELETE ON draws
BEGIN
    SELECT RAISE(ABORT, 'published draws are append-only');
END;
