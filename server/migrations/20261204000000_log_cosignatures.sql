-- Witnesses' cosignatures of the publication log's checkpoints (C2SP
-- tlog-cosignature; docs/LOG.md §7): each is one signature line, valid for
-- the checkpoint of `size` entries, verified with the witness's configured
-- key before it is stored. Append-only: they are evidence of when each
-- checkpoint existed.
CREATE TABLE log_cosignatures (
    size        INTEGER NOT NULL,  -- the cosigned checkpoint's tree size
    witness     TEXT    NOT NULL,  -- the witness's key name
    time        INTEGER NOT NULL,  -- the witness's time (Unix seconds), signed
    line        TEXT    NOT NULL,  -- the signature line, as served
    received_at TEXT    NOT NULL,
    PRIMARY KEY (size, witness)
);

CREATE TRIGGER log_cosignatures_append_only_update BEFORE UPDATE ON log_cosignatures
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER log_cosignatures_append_only_delete BEFORE DELETE ON log_cosignatures
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
