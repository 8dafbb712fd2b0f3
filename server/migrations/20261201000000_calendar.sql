-- The official working-day calendar (法定工作日): each year as its State
-- Council notice sets it out (the JSON of app::calendar::CalendarYear).
-- Append-only: a correction is a new version with its reason, the old one kept.
CREATE TABLE calendar_years (
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2099),
    version           INTEGER NOT NULL CHECK (version >= 1),
    document          TEXT    NOT NULL,
    published_at      TEXT    NOT NULL,
    correction_reason TEXT,
    PRIMARY KEY (year, version),
    CHECK ((version = 1) = (correction_reason IS NULL))
);

CREATE TRIGGER calendar_years_append_only_update BEFORE UPDATE ON calendar_years
BEGIN SELECT RAISE(ABORT, 'calendar years are append-only'); END;
CREATE TRIGGER calendar_years_append_only_delete BEFORE DELETE ON calendar_years
BEGIN SELECT RAISE(ABORT, 'calendar years are append-only'); END;
