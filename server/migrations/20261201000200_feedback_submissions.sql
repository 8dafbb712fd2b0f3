-- Feedback (评价反馈, 001 art. 24): what an enterprise said about its
-- inspection, with the code it was given. One row per version: a change
-- within the window is a new version, the old one kept. Never public: only
-- the counts (with small cells suppressed) are published.
CREATE TABLE feedback_submissions (
    id            INTEGER PRIMARY KEY,
    result_code   TEXT    NOT NULL REFERENCES feedback_codes (result_code),
    version       INTEGER NOT NULL CHECK (version >= 1),
    receipt       TEXT    NOT NULL UNIQUE,
    submitted_at  TEXT    NOT NULL,          -- RFC 3339, Beijing time
    -- The last day of the window (YYYY-MM-DD); NULL while that year's holidays
    -- are not published. Counts include a submission once this day has passed.
    window_closes TEXT,
    canonical     TEXT    NOT NULL,          -- the canonical submission, as hashed
    sha256        TEXT    NOT NULL CHECK (length(sha256) = 64),
    text          TEXT    NOT NULL,
    contact       TEXT    NOT NULL,
    UNIQUE (result_code, version)
);

-- One rating per submission and subject: the department (certificate '') or an inspector.
CREATE TABLE feedback_ratings (
    submission_id INTEGER NOT NULL REFERENCES feedback_submissions (id),
    certificate   TEXT    NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    -- Conduct checks: 1 yes, 0 no (a problem), NULL not answered.
    showed_certificate INTEGER CHECK (showed_certificate IN (0, 1)),
    explained_scope    INTEGER CHECK (explained_scope IN (0, 1)),
    stayed_in_scope    INTEGER CHECK (stayed_in_scope IN (0, 1)),
    no_gifts           INTEGER CHECK (no_gifts IN (0, 1)),
    no_disruption      INTEGER CHECK (no_disruption IN (0, 1)),
    kept_secrets       INTEGER CHECK (kept_secrets IN (0, 1)),
    PRIMARY KEY (submission_id, certificate)
) WITHOUT ROWID;

CREATE TRIGGER feedback_submissions_append_only_update BEFORE UPDATE ON feedback_submissions
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;
CREATE TRIGGER feedback_submissions_append_only_delete BEFORE DELETE ON feedback_submissions
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;
CREATE TRIGGER feedback_ratings_append_only_update BEFORE UPDATE ON feedback_ratings
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;
CREATE TRIGGER feedback_ratings_append_only_delete BEFORE DELETE ON feedback_ratings
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;

-- Demo only (GONGKAI_DEMO): the codes a visitor may try the form with, in
-- clear, listed on /demo/feedback. A real portal never has a row here.
CREATE TABLE demo_feedback_codes (
    result_code TEXT NOT NULL PRIMARY KEY REFERENCES feedback_codes (result_code),
    code        TEXT NOT NULL
);
