//! A whole portal copied from SQLite into an empty PostgreSQL database
//! (`server migrate-db`), and the proof that the copy is equal: every table
//! re-hashed row by row on both sides, and the log audited on the copy.
//!
//! The two schemas have the same tables and columns in the same order (a test
//! in `postgres` checks it), so the copy is generic: each table in the order
//! of its foreign keys, each row with its own numbers (ids, SQLite's hidden
//! row numbers where PostgreSQL has them as `rowid`), in one transaction.
//! Tables that PostgreSQL's triggers fill as the rows they follow are copied
//! (`draw_sources`, `*_superseded`) are filled that way and compared after;
//! the two-character name index is built from the names.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt as _;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

use super::{PgStorage, SqliteStorage, StorageError};

/// Tables filled by PostgreSQL triggers from the rows of another table.
const FILLED_BY_TRIGGERS: [&str; 3] = ["draw_sources", "results_superseded", "enterprises_superseded"];

/// Tables PostgreSQL's migrations fill (every kind of publication logged): compared, not copied.
const FILLED_BY_MIGRATIONS: [&str; 1] = ["log_kinds"];

/// Tables whose SQLite rows have a hidden row number that PostgreSQL keeps as its last column, `rowid`.
const ROWID_TABLES: [&str; 6] =
    ["calendar_years", "draws", "draw_commitments", "log_cosignatures", "feedback_codes", "demo_feedback_codes"];

/// Rows per INSERT (PostgreSQL takes at most 65,535 parameters per statement).
const PARAMETERS_PER_INSERT: usize = 60_000;

/// What was copied: each table and its number of rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopySummary {
    pub tables: Vec<(String, u64)>,
}

/// A SQLite table as the copy reads it.
#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<String>,
    /// The primary key's columns: the order rows are copied and compared in.
    key: Vec<String>,
    /// Tables it refers to.
    refers_to: BTreeSet<String>,
}

impl Table {
    /// The columns as selected from SQLite, in PostgreSQL's order.
    fn select_list(&self) -> String {
        let mut list = self.columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>();
        if ROWID_TABLES.contains(&self.name.as_str()) {
            list.push("rowid".to_owned());
        }
        list.join(", ")
    }

    /// Every table has a primary key (checked when they are read).
    fn order(&self) -> String {
        self.key.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    }

    fn pg_columns(&self) -> Vec<String> {
        let mut list = self.columns.clone();
        if ROWID_TABLES.contains(&self.name.as_str()) {
            list.push("rowid".to_owned());
        }
        list
    }
}

/// SQLite's tables (not its search indexes), parents before the tables that refer to them.
async fn sqlite_tables(from: &SqliteStorage) -> Result<Vec<Table>, StorageError> {
    let pool = from.pool();
    let virtual_tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
            .fetch_all(pool)
            .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut tables = BTreeMap::new();
    for name in names.into_iter().filter(|t| !virtual_tables.iter().any(|v| t == v || t.starts_with(&format!("{v}_"))))
    {
        let columns: Vec<(String, i64)> = sqlx::query_as("SELECT name, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(pool)
            .await?;
        let mut key: Vec<(i64, String)> = columns.iter().filter(|c| c.1 > 0).map(|c| (c.1, c.0.clone())).collect();
        key.sort();
        if key.is_empty() {
            return Err(StorageError::Log(format!("the table {name} has no primary key to copy its rows in order")));
        }
        let refers_to: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list($1)").bind(&name).fetch_all(pool).await?;
        tables.insert(
            name.clone(),
            Table {
                refers_to: refers_to.into_iter().filter(|t| *t != name).collect(),
                name,
                columns: columns.into_iter().map(|c| c.0).collect(),
                key: key.into_iter().map(|k| k.1).collect(),
            },
        );
    }
    // Parents first (a table's own references are rows in key order: an older id).
    let mut ordered: Vec<Table> = Vec::new();
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .values()
            .filter(|t| t.refers_to.iter().all(|r| ordered.iter().any(|o| &o.name == r)))
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            return Err(StorageError::Log(format!(
                "the tables {:?} refer to each other; no order to copy them in",
                tables.keys().collect::<Vec<_>>()
            )));
        }
        for name in ready {
            if let Some(t) = tables.remove(&name) {
                ordered.push(t);
            }
        }
    }
    Ok(ordered)
}

/// A SQLite value, as copied.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

fn sqlite_value(row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let name = raw.type_info().name().to_owned();
    Ok(match name.as_str() {
        "INTEGER" | "BOOLEAN" | "INT8" => Value::Integer(row.try_get(i)?),
        "REAL" => Value::Real(row.try_get(i)?),
        "BLOB" => Value::Blob(row.try_get(i)?),
        _ => Value::Text(row.try_get(i)?),
    })
}

fn pg_value(row: &sqlx::postgres::PgRow, i: usize) -> Result<Value, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let name = raw.type_info().name().to_owned();
    Ok(match name.as_str() {
        "INT8" => Value::Integer(row.try_get(i)?),
        "FLOAT8" => Value::Real(row.try_get(i)?),
        "BYTEA" => Value::Blob(row.try_get(i)?),
        _ => Value::Text(row.try_get(i)?),
    })
}

/// PostgreSQL's column types of `table` (`bigint`, `text`, `bytea`…), by column.
async fn pg_types(to: &PgStorage, table: &str) -> Result<BTreeMap<String, String>, StorageError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(to.pool())
    .await?;
    Ok(rows.into_iter().collect())
}

fn push_value(
    b: &mut sqlx::query_builder::Separated<'_, '_, sqlx::Postgres, &'static str>,
    table: &str,
    column: &str,
    pg_type: &str,
    value: Value,
) -> Result<(), StorageError> {
    let mismatch = |v: &Value| {
        StorageError::Log(format!("{table}.{column}: the value {v:?} does not fit PostgreSQL's column type {pg_type}"))
    };
    match (pg_type, value) {
        ("bigint", Value::Null) => b.push_bind(None::<i64>),
        ("bigint", Value::Integer(n)) => b.push_bind(Some(n)),
        ("double precision", Value::Null) => b.push_bind(None::<f64>),
        ("double precision", Value::Real(x)) => b.push_bind(Some(x)),
        ("double precision", Value::Integer(n)) => b.push_bind(Some(n as f64)),
        ("text", Value::Null) => b.push_bind(None::<String>),
        ("text", Value::Text(s)) => b.push_bind(Some(s)),
        ("bytea", Value::Null) => b.push_bind(None::<Vec<u8>>),
        ("bytea", Value::Blob(x)) => b.push_bind(Some(x)),
        (_, other) => return Err(mismatch(&other)),
    };
    Ok(())
}

/// Copies every table of `from` into `to`, which must be empty (just
/// migrated), in one transaction: all of it or nothing.
pub async fn sqlite_to_postgres(from: &SqliteStorage, to: &PgStorage) -> Result<CopySummary, StorageError> {
    let tables = sqlite_tables(from).await?;
    let mut tx = to.begin_write().await?;
    let published: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM log_entries) + (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM draws)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if published > 0 {
        return Err(StorageError::Log(
            "the PostgreSQL database is not empty: copy into a new database (created and migrated, nothing published)"
                .to_owned(),
        ));
    }
    // PostgreSQL's migrations list every kind as logged: so must the source.
    let logged: Vec<String> = sqlx::query_scalar("SELECT kind FROM log_kinds").fetch_all(from.pool()).await?;
    let unlogged: Vec<&str> =
        crate::log::Kind::ALL.iter().map(|k| k.as_str()).filter(|k| !logged.iter().any(|l| l == k)).collect();
    if !unlogged.is_empty() {
        return Err(StorageError::Log(format!(
            "the SQLite database has publications of kinds its log does not hold yet ({}): start the portal on it \
             once (it logs them), then copy it",
            unlogged.join(", ")
        )));
    }
    let mut summary = CopySummary::default();
    for table in tables
        .iter()
        .filter(|t| ![FILLED_BY_TRIGGERS.as_slice(), &FILLED_BY_MIGRATIONS].concat().contains(&t.name.as_str()))
    {
        let types = pg_types(to, &table.name).await?;
        let columns = table.pg_columns();
        let pg_types: Vec<String> = columns
            .iter()
            .map(|c| {
                types.get(c).cloned().ok_or_else(|| {
                    StorageError::Log(format!("{}.{c} is not a column of the PostgreSQL database", table.name))
                })
            })
            .collect::<Result<_, _>>()?;
        let insert_head = format!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
        );
        let per_insert = (PARAMETERS_PER_INSERT / columns.len()).max(1);
        let sql = format!("SELECT {} FROM \"{}\" ORDER BY {}", table.select_list(), table.name, table.order());
        let mut source = from.pool().acquire().await?;
        let mut rows = sqlx::query(&sql).fetch(&mut *source);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_insert);
        let mut copied = 0u64;
        loop {
            let next = rows.try_next().await?;
            if let Some(row) = &next {
                batch.push((0..columns.len()).map(|i| sqlite_value(row, i)).collect::<Result<_, _>>()?);
            }
            if batch.len() == per_insert || (next.is_none() && !batch.is_empty()) {
                let mut insert = sqlx::QueryBuilder::new(insert_head.clone());
                let mut failed = None;
                insert.push_values(batch.drain(..), |mut b, row| {
                    for ((value, column), pg_type) in row.into_iter().zip(&columns).zip(&pg_types) {
                        if let Err(e) = push_value(&mut b, &table.name, column, pg_type, value) {
                            failed.get_or_insert(e);
                        }
                    }
                });
                if let Some(e) = failed {
                    return Err(e);
                }
                copied += insert.build().execute(&mut *tx).await?.rows_affected();
            }
            if next.is_none() {
                break;
            }
        }
        summary.tables.push((table.name.clone(), copied));
    }
    // The two-character name index, from the names (as the PostgreSQL import fills it).
    sqlx::query(
        "INSERT INTO enterprise_bigrams (enterprise_id, bigram) \
         SELECT e.id, lower(substr(e.name, i, 2)) FROM enterprises e \
         CROSS JOIN LATERAL generate_series(1, char_length(e.name) - 1) i ON CONFLICT DO NOTHING",
    )
    .execute(&mut *tx)
    .await?;
    // Identity columns continue after the copied numbers.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX(\"{column}\"), 0) + 1, false) \
             FROM {table}"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(summary)
}

/// Each table's rows re-hashed (SHA-256 of every row's values, in key order)
/// on both sides: the tables whose rows differ, named; empty when the copy
/// is equal.
pub async fn differences(from: &SqliteStorage, to: &PgStorage) -> Result<Vec<String>, StorageError> {
    let mut out = Vec::new();
    for table in sqlite_tables(from).await? {
        let sql = format!("SELECT {} FROM {} ORDER BY {}", table.select_list(), table.name, table.order());
        let mut sqlite_hash = Sha256::new();
        let mut sqlite_rows = 0u64;
        let mut rows = sqlx::query(&sql).fetch(from.pool());
        while let Some(row) = rows.try_next().await? {
            let values: Vec<Value> =
                (0..table.pg_columns().len()).map(|i| sqlite_value(&row, i)).collect::<Result<_, _>>()?;
            sqlite_hash.update(serde_json::to_vec(&values)?);
            sqlite_rows += 1;
        }
        drop(rows);
        let pg_sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            table.pg_columns().iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
            table.name,
            table.order()
        );
        let mut pg_hash = Sha256::new();
        let mut pg_rows = 0u64;
        let mut rows = sqlx::query(&pg_sql).fetch(to.pool());
        while let Some(row) = rows.try_next().await? {
            let values: Vec<Value> =
                (0..table.pg_columns().len()).map(|i| pg_value(&row, i)).collect::<Result<_, _>>()?;
            pg_hash.update(serde_json::to_vec(&values)?);
            pg_rows += 1;
        }
        if sqlite_rows != pg_rows || sqlite_hash.finalize() != pg_hash.finalize() {
            out.push(format!(
                "{}: {sqlite_rows} rows in SQLite, {pg_rows} in PostgreSQL, not the same rows",
                table.name
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Storage as _, create_test_database};

    async fn fresh_pg() -> PgStorage {
        let admin = std::env::var("GONGKAI_TEST_POSTGRES").expect(
            "GONGKAI_TEST_POSTGRES is not set (scripts/test.sh starts a cluster; by hand: eval \"$(scripts/pg.sh start)\")",
        );
        PgStorage::open(&create_test_database(&admin).await.unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn the_demo_portal_is_copied_equal_and_its_log_verifies_on_postgresql() {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        crate::demo::seed_if_empty(&sqlite, None, 0).await.unwrap();
        let pg = fresh_pg().await;
        let summary = sqlite_to_postgres(&sqlite, &pg).await.unwrap();
        let count = |t: &str| summary.tables.iter().find(|(n, _)| n == t).map(|(_, n)| *n);
        assert_eq!(count("departments"), Some(4));
        assert_eq!(count("log_kinds"), None, "listed by the migrations, compared below");
        assert!(count("enterprises").unwrap() >= 850);
        assert_eq!(differences(&sqlite, &pg).await.unwrap(), Vec::<String>::new());
        // The log: the same head, and every entry matches a publication as PostgreSQL serves it.
        let head = sqlite.log_head().await.unwrap();
        assert!(head.0 > 1000, "{head:?}");
        assert_eq!(pg.log_head().await.unwrap(), head);
        let audit = pg.log_audit().await.unwrap();
        assert_eq!(crate::log::audit(&audit), Vec::<String>::new());
        let sqlite_audit = sqlite.log_audit().await.unwrap();
        assert_eq!(audit.publications.len(), sqlite_audit.publications.len());
        assert!(audit.publications == sqlite_audit.publications, "each publication's content, byte for byte");
        // The two-character index has each enterprise's name pairs.
        let pairs: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM enterprise_bigrams b JOIN enterprises e ON e.id = b.enterprise_id \
             WHERE strpos(lower(e.name), b.bigram) = 0",
        )
        .fetch_one(pg.pool())
        .await
        .unwrap();
        assert_eq!(pairs, 0);
        // New rows continue after the copied numbers.
        let next: i64 = sqlx::query_scalar("INSERT INTO departments (name) VALUES ('新部门') RETURNING id")
            .fetch_one(pg.pool())
            .await
            .unwrap();
        assert_eq!(next, 5);
        // A second copy into the same database is refused, and changes nothing.
        let again = sqlite_to_postgres(&sqlite, &pg).await.unwrap_err();
        assert!(again.to_string().contains("not empty"), "{again}");
        assert_eq!(
            differences(&sqlite, &pg).await.unwrap(),
            ["departments: 4 rows in SQLite, 5 in PostgreSQL, not the same rows"]
        );
    }

    #[tokio::test]
    async fn a_row_changed_behind_the_copy_is_named() {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        crate::demo::seed_if_empty(&sqlite, None, 0).await.unwrap();
        let pg = fresh_pg().await;
        sqlite_to_postgres(&sqlite, &pg).await.unwrap();
        // As a superuser could: triggers off, one enterprise renamed, triggers on. (The demo has
        // 850 enterprises and one correction: 851 versions.)
        for sql in [
            "ALTER TABLE enterprises DISABLE TRIGGER USER",
            "UPDATE enterprises SET name = name || '（改）' WHERE id = 7",
            "ALTER TABLE enterprises ENABLE TRIGGER USER",
        ] {
            sqlx::query(sql).execute(pg.pool()).await.unwrap();
        }
        assert_eq!(
            differences(&sqlite, &pg).await.unwrap(),
            ["enterprises: 851 rows in SQLite, 851 in PostgreSQL, not the same rows"]
        );
        let audit = pg.log_audit().await.unwrap();
        assert_eq!(crate::log::audit(&audit).len(), 1, "the log names the changed enterprise too");
    }
}
