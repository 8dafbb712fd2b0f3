-- An enterprise's results in list order, from the index alone: a result search
-- by a name part reads the results of up to 4,000 enterprises by credit code,
-- and with the list's order columns in the index PostgreSQL reads no table rows
-- for them (an index-only scan; results are append-only, so their pages are
-- soon all-visible). At 1 M results, 2,500 enterprises' results: 25 ms -> 13 ms.
DROP INDEX results_by_code;
CREATE INDEX results_by_code ON results (credit_code, inspected_on DESC, id DESC);
