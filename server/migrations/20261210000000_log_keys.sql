-- The publication log's entries by record (kind, key, version) move from a
-- UNIQUE index on log_entries to a table of their own. The index took each
-- new entry at a random place, so a large import's append slowed as the log
-- grew (14.4 s for the tenth million entries, where the entries and hashes
-- alone take about 4.5 s at any size). log_keys is filled by one INSERT in
-- key order per append (crate::log::append, storage/listing.rs), into a run:
-- an append of 65,536 entries or more (a large import) has a run of its own,
-- numbered by its first entry's index, which sorts after every run before it,
-- so its keys are written to new pages at the end; smaller appends share run
-- 0. A lookup asks each run (run 0 and those in log_runs). (kind, key,
-- version) is unique by the publication tables; log_keys' primary key also
-- refuses a repeat within a run. All three tables are append-only.
CREATE TABLE log_runs (
    run INTEGER PRIMARY KEY   -- the first entry of an append of 65,536 or more
);
CREATE TABLE log_keys (
    run     INTEGER NOT NULL,   -- 0, or the append's run in log_runs
    kind    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    version INTEGER NOT NULL,
    idx     INTEGER NOT NULL,   -- the entry's leaf index in log_entries
    PRIMARY KEY (run, kind, key, version)
) WITHOUT ROWID;
INSERT INTO log_keys (run, kind, key, version, idx)
SELECT 0, kind, key, version, idx FROM log_entries ORDER BY kind, key, version;

-- Rebuilt under a new name, then renamed (SQLite cannot drop a UNIQUE
-- constraint). DROP TABLE fires no DELETE trigger; it drops the old table's.
CREATE TABLE log_entries_rebuilt (
    idx     INTEGER PRIMARY KEY,   -- 0-based leaf index
    kind    TEXT    NOT NULL,      -- the record's kind (docs/LOG.md)
    key     TEXT    NOT NULL,      -- the record's key within its kind
    version INTEGER NOT NULL,      -- 1, then 2, 3… for corrections
    entry   BLOB    NOT NULL       -- the entry's exact bytes: the leaf
);
INSERT INTO log_entries_rebuilt (idx, kind, key, version, entry)
SELECT idx, kind, key, version, entry FROM log_entries ORDER BY idx;
DROP TABLE log_entries;
ALTER TABLE log_entries_rebuilt RENAME TO log_entries;

CREATE TRIGGER log_entries_append_only_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_entries_append_only_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_keys_append_only_update BEFORE UPDATE ON log_keys
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_keys_append_only_delete BEFORE DELETE ON log_keys
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_runs_append_only_update BEFORE UPDATE ON log_runs
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_runs_append_only_delete BEFORE DELETE ON log_runs
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
