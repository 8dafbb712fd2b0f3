-- Gongkai storage: indexes and a small side table for the portal's lists,
-- so that every list page answers from an index (see the benchmark in README).

-- Results, newest inspection first; per department; per enterprise.
CREATE INDEX results_by_inspected ON results (inspected_on DESC, id DESC);
CREATE INDEX results_by_department_inspected ON results (department_id, inspected_on DESC, id DESC);

-- Items and inspectors in list order; inspectors by name.
CREATE INDEX items_by_department_seq ON items (department_id, seq, item_code);
CREATE INDEX inspectors_by_name ON inspectors (name);

-- Plans per department and year; draws and commitments per plan and by date.
CREATE INDEX plans_by_department ON plans (department_id, year DESC);
CREATE INDEX draws_by_plan ON draws (plan_code) WHERE plan_code IS NOT NULL;
CREATE INDEX draw_commitments_by_date ON draw_commitments (draw_date DESC, draw_id);
CREATE INDEX draw_commitments_by_plan ON draw_commitments (plan_code) WHERE plan_code IS NOT NULL;

-- The kind of randomness of each completed draw, kept beside the draw so that
-- a list of draws does not parse every (large) record.
CREATE TABLE draw_sources (
    draw_id           TEXT PRIMARY KEY,  -- a draws.id (no foreign key: derived data)
    randomness_source TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO draw_sources (draw_id, randomness_source)
    SELECT id, json_extract(record_json, '$.randomness.source') FROM draws
    WHERE json_extract(record_json, '$.randomness.source') IS NOT NULL;
CREATE TRIGGER draws_source_insert AFTER INSERT ON draws
WHEN json_extract(new.record_json, '$.randomness.source') IS NOT NULL
BEGIN
    INSERT INTO draw_sources (draw_id, randomness_source)
    VALUES (new.id, json_extract(new.record_json, '$.randomness.source'));
END;
CREATE TRIGGER draw_sources_append_only_update BEFORE UPDATE ON draw_sources
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
CREATE TRIGGER draw_sources_append_only_delete BEFORE DELETE ON draw_sources
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
