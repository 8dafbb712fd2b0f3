-- As SQLite's migration of the same name: the log's entries by record
-- (kind, key, version) move from log_entries' UNIQUE index to log_keys, one
-- INSERT in key order per append into a run (an append of 65,536 entries or
-- more has its own, numbered by its first entry; smaller ones share run 0),
-- so a large import's keys are written at the end of the index instead of at
-- a random place each. A lookup asks each run (run 0 and those in log_runs).
-- (kind, key, version) is unique by the publication tables; log_keys' primary
-- key also refuses a repeat within a run. All are append-only.
CREATE TABLE log_runs (
    run BIGINT PRIMARY KEY   -- the first entry of an append of 65,536 or more
);
CREATE TABLE log_keys (
    run     BIGINT NOT NULL,             -- 0, or the append's run in log_runs
    kind    TEXT COLLATE "C" NOT NULL,
    key     TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    idx     BIGINT NOT NULL,             -- the entry's leaf index in log_entries
    PRIMARY KEY (run, kind, key, version)
);
INSERT INTO log_keys (run, kind, key, version, idx)
SELECT 0, kind, key, version, idx FROM log_entries ORDER BY kind, key, version;
ALTER TABLE log_entries DROP CONSTRAINT log_entries_kind_key_version_key;

CREATE TRIGGER log_keys_append_only_update BEFORE UPDATE ON log_keys
FOR EACH ROW EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
CREATE TRIGGER log_keys_append_only_delete BEFORE DELETE ON log_keys
FOR EACH ROW EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
CREATE TRIGGER log_keys_append_only_truncate BEFORE TRUNCATE ON log_keys
FOR EACH STATEMENT EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
CREATE TRIGGER log_runs_append_only_update BEFORE UPDATE ON log_runs
FOR EACH ROW EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
CREATE TRIGGER log_runs_append_only_delete BEFORE DELETE ON log_runs
FOR EACH ROW EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
CREATE TRIGGER log_runs_append_only_truncate BEFORE TRUNCATE ON log_runs
FOR EACH STATEMENT EXECUTE FUNCTION gongkai_refuse('the publication log is append-only');
