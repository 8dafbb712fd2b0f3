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

-- Results per category in date order (e.g. "this year's results without problems").
CREATE INDEX results_by_category_inspected ON results (category, inspected_on DESC, id DESC);
-- Draws per department in date order, covering the id (pages of a department's draws).
CREATE INDEX draws_by_department_date ON draws (department_id, draw_date DESC, id);

-- The rows of the two largest tables that a correction has replaced, so that
-- "current versions only" is a lookup by id and a page of a list can be found
-- in an index without reading the rows it skips.
CREATE TABLE results_superseded (id INTEGER PRIMARY KEY);  -- a results.id
INSERT OR IGNORE INTO results_superseded (id) SELECT replaces FROM results WHERE replaces IS NOT NULL;
CREATE TRIGGER results_superseded_insert AFTER INSERT ON results
WHEN new.replaces IS NOT NULL
BEGIN INSERT OR IGNORE INTO results_superseded (id) VALUES (new.replaces); END;
CREATE TRIGGER results_superseded_append_only_update BEFORE UPDATE ON results_superseded
BEGIN SELECT RAISE(ABORT, 'published results are append-only'); END;
CREATE TRIGGER results_superseded_append_only_delete BEFORE DELETE ON results_superseded
BEGIN SELECT RAISE(ABORT, 'published results are append-only'); END;

CREATE TABLE enterprises_superseded (id INTEGER PRIMARY KEY);  -- an enterprises.id
INSERT OR IGNORE INTO enterprises_superseded (id) SELECT replaces FROM enterprises WHERE replaces IS NOT NULL;
CREATE TRIGGER enterprises_superseded_insert AFTER INSERT ON enterprises
WHEN new.replaces IS NOT NULL
BEGIN INSERT OR IGNORE INTO enterprises_superseded (id) VALUES (new.replaces); END;
CREATE TRIGGER enterprises_superseded_append_only_update BEFORE UPDATE ON enterprises_superseded
BEGIN SELECT RAISE(ABORT, 'published enterprises are append-only'); END;
CREATE TRIGGER enterprises_superseded_append_only_delete BEFORE DELETE ON enterprises_superseded
BEGIN SELECT RAISE(ABORT, 'published enterprises are append-only'); END;

-- The inspector directory in list order.
CREATE INDEX inspectors_in_order ON inspectors (department_id, unit, name, certificate);
