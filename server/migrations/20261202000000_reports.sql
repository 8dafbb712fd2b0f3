-- Yearly plan execution reports (年度检查计划执行情况, 001 art. 26).
--
-- The portal computes each department's report from what it published; these
-- are the two things the computation needs that were not published before.

-- Limits that differ between rules are settings of a plan, not constants:
-- * the most times one enterprise may be inspected in the plan's year
--   (NULL: 2, seed 001 art. 19; other rules say 1);
-- * the fewest objects to draw from every stratum that has eligible objects
--   (NULL: no such requirement; seed 004 asks for 1 per professional field).
ALTER TABLE plans ADD COLUMN max_inspections_per_year INTEGER CHECK (max_inspections_per_year >= 1);
ALTER TABLE plans ADD COLUMN min_per_stratum INTEGER CHECK (min_per_stratum >= 1);

-- A department's own report, as it published it (`server import report`):
-- its text and the figures it declares, shown beside the computed ones.
-- Append-only, versioned like every published record.
CREATE TABLE declared_reports (
    id                INTEGER PRIMARY KEY,
    department_id     INTEGER NOT NULL REFERENCES departments (id),
    year              INTEGER NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    title             TEXT    NOT NULL,
    text              TEXT    NOT NULL,
    figures_json      TEXT    NOT NULL,   -- {"drawn": 70, "problem_rate": 12.5, …}
    published_at      TEXT    NOT NULL,
    replaces          INTEGER REFERENCES declared_reports (id),
    correction_reason TEXT,
    UNIQUE (department_id, year, version)
);
CREATE TRIGGER declared_reports_append_only_update BEFORE UPDATE ON declared_reports
BEGIN SELECT RAISE(ABORT, 'published reports are append-only'); END;
CREATE TRIGGER declared_reports_append_only_delete BEFORE DELETE ON declared_reports
BEGIN SELECT RAISE(ABORT, 'published reports are append-only'); END;
