-- A database these migrations create empty has no publication from before
-- the log: every kind is logged from its first publication on. (Without this,
-- the first start of a database filled by `server import` before the server
-- ever ran would read every publication, to find them all logged already.)
INSERT INTO log_kinds (kind)
SELECT k.kind FROM (
    SELECT 'draw-commitment' AS kind UNION ALL SELECT 'draw' UNION ALL SELECT 'item' UNION ALL
    SELECT 'inspector' UNION ALL SELECT 'enterprise' UNION ALL SELECT 'plan' UNION ALL SELECT 'result' UNION ALL
    SELECT 'department' UNION ALL SELECT 'calendar-year' UNION ALL SELECT 'report' UNION ALL
    SELECT 'feedback-receipt'
) k
WHERE NOT EXISTS (SELECT 1 FROM log_kinds)
  AND NOT EXISTS (SELECT 1 FROM log_entries)
  AND NOT EXISTS (SELECT 1 FROM draws)
  AND NOT EXISTS (SELECT 1 FROM draw_commitments)
  AND NOT EXISTS (SELECT 1 FROM items)
  AND NOT EXISTS (SELECT 1 FROM inspectors)
  AND NOT EXISTS (SELECT 1 FROM enterprises)
  AND NOT EXISTS (SELECT 1 FROM plans)
  AND NOT EXISTS (SELECT 1 FROM results)
  AND NOT EXISTS (SELECT 1 FROM departments WHERE code IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM calendar_years)
  AND NOT EXISTS (SELECT 1 FROM declared_reports)
  AND NOT EXISTS (SELECT 1 FROM feedback_submissions);
