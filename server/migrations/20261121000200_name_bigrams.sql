-- Two-character name search. Most Chinese words are two characters long, and
-- the trigram index (enterprise_names) cannot answer a query shorter than
-- three. This index holds every pair of adjacent characters of every
-- enterprise name (of every version) as a token, so that a two-character
-- query is one index lookup instead of a scan of a million names.
-- Rows are written by the storage layer when an enterprise is published
-- (server/src/storage/sqlite/write.rs, `name_bigrams`); the rowid is the
-- enterprises.id. Contentless: only the index is stored.
CREATE VIRTUAL TABLE enterprise_bigrams USING fts5 (grams, content = '', tokenize = 'unicode61');

WITH RECURSIVE pairs (id, name, k, gram) AS (
    SELECT id, name, 1, NULL FROM enterprises
    UNION ALL
    SELECT id, name, k + 1, substr(name, k, 2) FROM pairs WHERE k < length(name)
)
INSERT INTO enterprise_bigrams (rowid, grams)
SELECT id, group_concat(gram, ' ') FROM pairs WHERE gram IS NOT NULL GROUP BY id;
