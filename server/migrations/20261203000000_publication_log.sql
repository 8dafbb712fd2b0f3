-- The publication log (docs/LOG.md): one entry per publication, appended in
-- the publication's own transaction, and the stored hashes of its RFC 6962
-- Merkle tree (Go sumdb/tlog's layout: hash i of level L at stored index
-- stored_hash_index(L, i)), from which /log/ serves C2SP tlog-tiles and
-- signed checkpoints. Both tables are append-only.
CREATE TABLE log_entries (
    idx     INTEGER PRIMARY KEY,   -- 0-based leaf index
    kind    TEXT    NOT NULL,      -- draw-commitment, draw
    key     TEXT    NOT NULL,      -- the record's key within its kind
    version INTEGER NOT NULL,      -- 1, then 2, 3… for corrections
    entry   BLOB    NOT NULL,      -- the entry's exact bytes: the leaf
    UNIQUE (kind, key, version)
);

CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY,      -- stored-hash index
    hash BLOB    NOT NULL          -- 32 bytes
);

CREATE TRIGGER log_entries_append_only_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_entries_append_only_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_hashes_append_only_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_hashes_append_only_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
