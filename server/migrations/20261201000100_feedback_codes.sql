-- Feedback codes (评价码, 001 art. 24): one per published result, printed on
-- the written result for the enterprise. Only an HMAC-SHA256 of each code is
-- kept, under a key held outside the database (GONGKAI_FEEDBACK_KEY).
CREATE TABLE feedback_codes (
    result_code   TEXT    NOT NULL PRIMARY KEY,
    credit_code   TEXT    NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    code_hmac     TEXT    NOT NULL UNIQUE CHECK (length(code_hmac) = 64),
    issued_at     TEXT    NOT NULL
);
CREATE INDEX feedback_codes_by_department ON feedback_codes (department_id);

CREATE TRIGGER feedback_codes_append_only_update BEFORE UPDATE ON feedback_codes
BEGIN SELECT RAISE(ABORT, 'feedback codes are append-only'); END;
CREATE TRIGGER feedback_codes_append_only_delete BEFORE DELETE ON feedback_codes
BEGIN SELECT RAISE(ABORT, 'feedback codes are append-only'); END;
