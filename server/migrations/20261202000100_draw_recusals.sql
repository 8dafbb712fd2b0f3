-- Every public recusal (回避, 001 art. 18) of every completed draw, derived
-- from the record when it is published (in the same transaction, like
-- draw_objects): the inspector's and the enterprise's pages show them, not
-- only the draw's page. Draws published before this table are filled in
-- from their records.
CREATE TABLE draw_recusals (
    draw_id     TEXT    NOT NULL REFERENCES draws (id),
    seq         INTEGER NOT NULL,   -- 1-based, in the record's order
    credit_code TEXT    NOT NULL,   -- the enterprise
    inspector   TEXT    NOT NULL,   -- certificate of the inspector who recused
    replacement TEXT    NOT NULL,   -- certificate of the inspector drawn in their place
    reason      TEXT    NOT NULL,
    date        TEXT    NOT NULL,
    PRIMARY KEY (draw_id, seq)
) WITHOUT ROWID;
CREATE INDEX draw_recusals_by_inspector ON draw_recusals (inspector);
CREATE INDEX draw_recusals_by_replacement ON draw_recusals (replacement);
CREATE INDEX draw_recusals_by_enterprise ON draw_recusals (credit_code);

INSERT INTO draw_recusals (draw_id, seq, credit_code, inspector, replacement, reason, date)
SELECT d.id, CAST(r.key AS INTEGER) + 1, json_extract(r.value, '$.object'), json_extract(r.value, '$.inspector'),
       json_extract(r.value, '$.replacement'), json_extract(r.value, '$.reason'), json_extract(r.value, '$.date')
FROM draws d, json_each(d.record_json, '$.recusals') r;

CREATE TRIGGER draw_recusals_append_only_update BEFORE UPDATE ON draw_recusals
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
CREATE TRIGGER draw_recusals_append_only_delete BEFORE DELETE ON draw_recusals
BEGIN SELECT RAISE(ABORT, 'published draws are append-only'); END;
