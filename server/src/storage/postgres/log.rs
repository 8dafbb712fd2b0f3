//! The publication log's tables in PostgreSQL: the same rows as SQLite's
//! (`storage::sqlite::log`), written with array parameters (`UNNEST`), one
//! statement per table and chunk.

use sqlx::PgConnection;
use tlog_tiles::Hash;

use crate::log::{Entry, LogTables};
use crate::storage::StorageError;
use crate::storage::listing::{LOG_KEYS_AUDIT_SQL, LOG_KEYS_INSERT, LOG_KIND_KEYS_SQL, LOG_RUN_INSERT, numbered};

/// The log's tables in a PostgreSQL transaction (or connection), for [`crate::log`]'s tree code.
pub(crate) struct PgLog<'a>(pub &'a mut PgConnection);

#[async_trait::async_trait]
impl LogTables for PgLog<'_> {
    /// Entries are numbered 0, 1, 2… (`idx` is the primary key), so this reads
    /// one index entry instead of counting the table.
    async fn size(&mut self) -> Result<u64, StorageError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").fetch_one(&mut *self.0).await?;
        Ok(n as u64)
    }

    async fn stored_hashes(&mut self, indexes: &[u64]) -> Result<Vec<(u64, Hash)>, StorageError> {
        let wanted: Vec<i64> = indexes.iter().map(|i| *i as i64).collect();
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)")
            .bind(wanted)
            .fetch_all(&mut *self.0)
            .await?;
        rows.into_iter()
            .map(|(idx, hash)| {
                let hash: [u8; 32] =
                    hash.try_into().map_err(|_| StorageError::Log(format!("stored hash {idx} is not 32 bytes")))?;
                Ok((idx as u64, Hash(hash)))
            })
            .collect()
    }

    async fn insert_entries(&mut self, first: u64, entries: &[Entry]) -> Result<(), StorageError> {
        let idx: Vec<i64> = (first..).take(entries.len()).map(|i| i as i64).collect();
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        let versions: Vec<i64> = entries.iter().map(|e| i64::from(e.version)).collect();
        let bytes: Vec<Vec<u8>> = entries.iter().map(Entry::to_bytes).collect();
        sqlx::query(
            "INSERT INTO log_entries (idx, kind, key, version, entry) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BYTEA[])",
        )
        .bind(idx)
        .bind(kinds)
        .bind(keys)
        .bind(versions)
        .bind(bytes)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn insert_keys(&mut self, run: u64, first: u64) -> Result<(), StorageError> {
        if run > 0 {
            sqlx::query(&numbered(LOG_RUN_INSERT)).bind(run as i64).execute(&mut *self.0).await?;
        }
        sqlx::query(&numbered(LOG_KEYS_INSERT)).bind(run as i64).bind(first as i64).execute(&mut *self.0).await?;
        Ok(())
    }

    async fn insert_hashes(&mut self, hashes: &[(u64, Hash)]) -> Result<(), StorageError> {
        let idx: Vec<i64> = hashes.iter().map(|(i, _)| *i as i64).collect();
        let values: Vec<Vec<u8>> = hashes.iter().map(|(_, h)| h.0.to_vec()).collect();
        sqlx::query("INSERT INTO log_hashes (idx, hash) SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[])")
            .bind(idx)
            .bind(values)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn insert_tile(&mut self, level: u8, n: u64, data: Vec<u8>) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO log_tiles (level, n, data) VALUES ($1, $2, $3)")
            .bind(i64::from(level))
            .bind(n as i64)
            .bind(data)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }
}

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{Row, TypeInfo, ValueRef};

use super::PgStorage;
use crate::log::Kind;
use crate::storage::LogPublication;
use crate::storage::logged::{self, ROW_KINDS, Rows, row_kind_of};

/// A column of a row as JSON, as SQLite's (`storage::sqlite::log`) gives it:
/// integers as numbers, texts as strings, NULL as null.
fn column_value(row: &PgRow, i: usize) -> Result<Value, StorageError> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let name = raw.type_info().name().to_owned();
    Ok(match name.as_str() {
        "INT8" => row.try_get::<i64, _>(i)?.into(),
        "INT4" => row.try_get::<i32, _>(i)?.into(),
        "INT2" => row.try_get::<i16, _>(i)?.into(),
        "FLOAT8" => row.try_get::<f64, _>(i)?.into(),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => row.try_get::<String, _>(i)?.into(),
        other => return Err(StorageError::Log(format!("a published column of type {other} has no content form"))),
    })
}

fn columns(row: &PgRow, from: usize) -> Result<Vec<(String, Value)>, StorageError> {
    use sqlx::Column as _;
    (from..row.columns().len()).map(|i| Ok((row.columns()[i].name().to_owned(), column_value(row, i)?))).collect()
}

/// The published versions of `kind` (those of `rows`), in row order, with
/// their content as [`crate::log::row_content`] writes it.
pub(crate) async fn published_rows(
    conn: &mut PgConnection,
    kind: Kind,
    rows: Rows,
) -> Result<Vec<LogPublication>, StorageError> {
    let Some(k) = row_kind_of(kind) else { return Ok(Vec::new()) };
    let (sql, bound) = logged::published_rows_query(k, rows);
    let rows = sqlx::query(&sql).bind(bound).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key: Option<String> = row.try_get(0)?;
        let id: i64 = row.try_get(1)?;
        let version: i64 = row.try_get(2)?;
        let published_at: Option<String> = row.try_get(3)?;
        let lines = if kind == Kind::Plan {
            let lines = sqlx::query(logged::PLAN_LINES).bind(id).fetch_all(&mut *conn).await?;
            let mut out = Vec::new();
            for line in &lines {
                out.push(logged::plan_line(columns(line, 0)?));
            }
            Some(out)
        } else {
            None
        };
        out.push(logged::row_publication(kind, key, id, version, published_at, &columns(&row, 4)?, lines));
    }
    Ok(out)
}

/// The largest row number of `kind`'s table (0 when empty).
pub(crate) async fn last_row(conn: &mut PgConnection, kind: Kind) -> Result<i64, StorageError> {
    let Some(k) = row_kind_of(kind) else { return Ok(0) };
    let n: Option<i64> = sqlx::query_scalar(&logged::last_row_query(k)).fetch_one(&mut *conn).await?;
    Ok(n.unwrap_or(0))
}

/// Logs the versions of `kind` added in this transaction since its row number was `before`.
pub(crate) async fn append_rows_after(conn: &mut PgConnection, kind: Kind, before: i64) -> Result<usize, StorageError> {
    let added = published_rows(conn, kind, Rows::After(before)).await?;
    crate::log::append(&mut PgLog(conn), &logged::entries_of(&added)?).await?;
    Ok(added.len())
}

/// Appends `entries` to the log in this transaction ([`crate::log::append`]).
pub(crate) async fn append(conn: &mut PgConnection, entries: &[Entry]) -> Result<(), StorageError> {
    crate::log::append(&mut PgLog(conn), entries).await
}

/// Every draw commitment and draw, as published.
async fn draw_publications(conn: &mut PgConnection) -> Result<Vec<LogPublication>, StorageError> {
    let mut out = Vec::new();
    for (kind, sql) in logged::DRAW_PUBLICATIONS {
        let rows: Vec<(String, String, String)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
        out.extend(rows.into_iter().map(|(key, at, content)| logged::draw_publication(kind, key, at, content)));
    }
    Ok(out)
}

impl PgStorage {
    /// A directory record's version as published (the content its log entry hashes).
    pub(crate) async fn read_log_row(&self, kind: Kind, row: i64) -> Result<Option<Vec<u8>>, StorageError> {
        let mut conn = self.reader().await?;
        Ok(published_rows(&mut conn, kind, Rows::Only(row)).await?.pop().map(|p| p.content))
    }

    /// The stored hashes at `indexes`, in order (a tile's hashes).
    pub async fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        let mut conn = self.reader().await?;
        let hashes: std::collections::HashMap<u64, Hash> =
            PgLog(&mut conn).stored_hashes(indexes).await?.into_iter().collect();
        indexes
            .iter()
            .map(|i| hashes.get(i).copied().ok_or_else(|| StorageError::Log(format!("stored hash {i} is missing"))))
            .collect()
    }

    /// A full hash tile as stored when it was completed (`None`: compute it from the hashes).
    pub async fn log_tile(&self, level: u8, n: u64) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(sqlx::query_scalar("SELECT data FROM log_tiles WHERE level = $1 AND n = $2")
            .bind(i64::from(level))
            .bind(n as i64)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    /// Keeps a verified cosignature; a second one by the same witness for the same size is ignored.
    pub async fn log_add_cosignature(&self, c: &crate::storage::LogCosignature) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO log_cosignatures (size, witness, time, line, received_at) \
             VALUES ($1, $2, $3, $4, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) \
             ON CONFLICT (size, witness) DO NOTHING",
        )
        .bind(c.size as i64)
        .bind(&c.witness)
        .bind(c.time as i64)
        .bind(&c.line)
        .execute(&self.pool)
        .await?;
        self.published().await
    }

    /// The cosignatures of the checkpoint of `size` entries, by witness name.
    pub async fn log_cosignatures(&self, size: u64) -> Result<Vec<crate::storage::LogCosignature>, StorageError> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT witness, time, line FROM log_cosignatures WHERE size = $1 ORDER BY witness")
                .bind(size as i64)
                .fetch_all(&mut *self.reader().await?)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(witness, time, line)| crate::storage::LogCosignature { size, witness, time: time as u64, line })
            .collect())
    }

    /// The largest checkpoint size `witness` cosigned, if any.
    pub async fn log_witness_size(&self, witness: &str) -> Result<Option<u64>, StorageError> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM log_cosignatures WHERE witness = $1")
            .bind(witness)
            .fetch_one(&mut *self.reader().await?)
            .await?;
        Ok(n.map(|n| n as u64))
    }

    /// The database's generation (see `Storage::generation`): the log's size,
    /// and the last cosignature, feedback code and demo code kept.
    ///
    /// With replicas it is read on the primary, with the primary's log
    /// position: a new generation (a publication by anyone, this process or
    /// another) is then required of the replicas that answer the reads (see
    /// `replicas.rs`). The primary unreachable: read where the pages are read.
    pub async fn generation(&self) -> Result<Vec<i64>, StorageError> {
        macro_rules! generation_sql {
            () => {
                "SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries), \
                 (SELECT COALESCE(MAX(rowid), 0) FROM log_cosignatures), \
                 (SELECT COALESCE(MAX(rowid), 0) FROM feedback_codes), \
                 (SELECT COALESCE(MAX(rowid), 0) FROM demo_feedback_codes)"
            };
        }
        type Row = (i64, i64, i64, i64);
        let generation = |r: Row| vec![r.0, r.1, r.2, r.3];
        let Some(replicas) = &self.replicas else {
            return Ok(generation(sqlx::query_as::<_, Row>(generation_sql!()).fetch_one(&self.pool).await?));
        };
        if let Some(mut conn) = super::replicas::connect(&self.pool, &replicas.primary).await {
            // pg_current_wal_lsn() after the snapshot's publications: at or past their commits.
            let sql = concat!(generation_sql!(), ", (pg_current_wal_lsn() - '0/0')::BIGINT");
            match sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(sql).fetch_one(&mut *conn).await {
                Ok((a, b, c, d, lsn)) => {
                    let g = generation((a, b, c, d));
                    replicas.saw_generation(&g, lsn);
                    return Ok(g);
                }
                Err(e) if super::replicas::unreachable(&e) => replicas.primary.mark_down(),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(generation(sqlx::query_as::<_, Row>(generation_sql!()).fetch_one(&mut *self.reader().await?).await?))
    }

    /// Every entry, stored hash, full tile and publication, for `server log verify`.
    pub async fn log_audit(&self) -> Result<crate::storage::LogAudit, StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        let entries: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT idx, entry FROM log_entries ORDER BY idx").fetch_all(&mut *tx).await?;
        let hashes: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT idx, hash FROM log_hashes ORDER BY idx").fetch_all(&mut *tx).await?;
        let tiles: Vec<(i64, i64, Vec<u8>)> =
            sqlx::query_as("SELECT level, n, data FROM log_tiles ORDER BY level, n").fetch_all(&mut *tx).await?;
        let keys: Vec<(i64, String, String, i64)> = sqlx::query_as(LOG_KEYS_AUDIT_SQL).fetch_all(&mut *tx).await?;
        let mut publications = draw_publications(&mut tx).await?;
        for k in &ROW_KINDS {
            publications.extend(published_rows(&mut tx, k.kind, Rows::All).await?);
        }
        tx.commit().await?;
        Ok(crate::storage::LogAudit {
            entries: entries.into_iter().map(|(i, e)| (i as u64, e)).collect(),
            hashes: hashes
                .into_iter()
                .map(|(i, h)| (i as u64, Hash(<[u8; 32]>::try_from(h.as_slice()).unwrap_or_default())))
                .collect(),
            tiles: tiles.into_iter().map(|(l, n, data)| (l as u8, n as u64, data)).collect(),
            keys: keys.into_iter().map(|(i, kind, key, version)| (i as u64, kind, key, version)).collect(),
            publications,
        })
    }

    /// Logs every publication of each kind the log does not hold yet (see
    /// `SqliteStorage::append_log_backfill`); a database created by the
    /// migrations lists every kind, so this only matters for copied ones.
    pub async fn log_backfill(&self) -> Result<u64, StorageError> {
        let mut tx = self.begin_write().await?;
        let logged_kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM log_kinds").fetch_all(&mut *tx).await?;
        let missing: Vec<Kind> =
            Kind::ALL.into_iter().filter(|k| !logged_kinds.iter().any(|l| l == k.as_str())).collect();
        if missing.is_empty() {
            tx.rollback().await?;
            return Ok(0);
        }
        let mut publications: Vec<LogPublication> =
            draw_publications(&mut tx).await?.into_iter().filter(|p| missing.contains(&p.kind)).collect();
        for k in ROW_KINDS.iter().filter(|k| missing.contains(&k.kind)) {
            publications.extend(published_rows(&mut tx, k.kind, Rows::All).await?);
        }
        let mut already = std::collections::HashSet::new();
        for kind in missing.iter().filter(|k| publications.iter().any(|p| p.kind == **k)) {
            let rows: Vec<(String, i64)> =
                sqlx::query_as(&numbered(LOG_KIND_KEYS_SQL)).bind(kind.as_str()).fetch_all(&mut *tx).await?;
            already.extend(rows.into_iter().map(|(key, version)| (kind.as_str().to_owned(), key, version)));
        }
        let entries = logged::backfill_entries(publications, &already)?;
        let n = entries.len() as u64;
        append(&mut tx, &entries).await?;
        for kind in missing {
            sqlx::query("INSERT INTO log_kinds (kind) VALUES ($1)").bind(kind.as_str()).execute(&mut *tx).await?;
        }
        self.commit(tx).await?;
        Ok(n)
    }
}
