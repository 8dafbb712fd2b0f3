-- The two-character name index without a foreign key to enterprises: it is
-- derived data, written only by the Rust code in the transaction that adds the
-- enterprise version (postgres::write, insert_enterprises) and by migrate-db,
-- whose proof compares it with the names. Checking the key for each of a
-- name's ~16 pairs was most of the time of a large enterprise import (with
-- the pairs inserted in the index's order: 200,000 enterprises in 36 s
-- instead of 71 s).
ALTER TABLE enterprise_bigrams DROP CONSTRAINT enterprise_bigrams_enterprise_id_fkey;
