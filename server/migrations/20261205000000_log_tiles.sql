-- The publication log's full hash tiles (C2SP tlog-tiles: 256 hashes of tree
-- level 8 × level), written by the append that completes them, so that a
-- tile request is one row read. Partial tiles at the tree's right edge, and
-- tiles of a log from before this table, are computed from log_hashes.
-- Append-only.
CREATE TABLE log_tiles (
    level INTEGER NOT NULL,   -- tile level L (tree level 8L)
    n     INTEGER NOT NULL,   -- tile index within its level
    data  BLOB    NOT NULL,   -- 256 hashes, 8,192 bytes
    PRIMARY KEY (level, n)
) WITHOUT ROWID;

CREATE TRIGGER log_tiles_append_only_update BEFORE UPDATE ON log_tiles
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_tiles_append_only_delete BEFORE DELETE ON log_tiles
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
