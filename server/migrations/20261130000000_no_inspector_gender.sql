-- The rules require an inspector's name, unit, certificate number and
-- qualifications to be published (DOMAIN.md); gender is not required, so it is
-- neither collected nor kept.
ALTER TABLE inspectors DROP COLUMN gender;
