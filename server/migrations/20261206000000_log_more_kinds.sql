-- The publication log's further kinds (docs/LOG.md §2): departments, calendar
-- years, execution reports and feedback receipts.

-- A department is published when it gets its code (by import); from then on
-- it never changes. Departments that have a code already are published now.
ALTER TABLE departments ADD COLUMN published_at TEXT;
UPDATE departments SET published_at = strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', '+8 hours')
WHERE code IS NOT NULL;
CREATE TRIGGER departments_published_update BEFORE UPDATE ON departments WHEN OLD.code IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published departments are append-only'); END;
CREATE TRIGGER departments_published_delete BEFORE DELETE ON departments WHEN OLD.code IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published departments are append-only'); END;

-- The kinds whose every publication is in the log. A kind missing here is
-- logged whole when the server starts (a database from before the log, or
-- from before the kind was logged), then added; after that its publications
-- are logged only as they are published.
CREATE TABLE log_kinds (kind TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO log_kinds (kind)
SELECT k.kind FROM (
    SELECT 'draw-commitment' AS kind UNION ALL SELECT 'draw' UNION ALL SELECT 'item' UNION ALL
    SELECT 'inspector' UNION ALL SELECT 'enterprise' UNION ALL SELECT 'plan' UNION ALL SELECT 'result'
) k
WHERE EXISTS (SELECT 1 FROM log_entries);
CREATE TRIGGER log_kinds_append_only_update BEFORE UPDATE ON log_kinds
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_kinds_append_only_delete BEFORE DELETE ON log_kinds
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
