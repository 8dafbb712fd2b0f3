//! The publication log's tables (migrations `publication_log`, `log_tiles`,
//! `log_keys`): entries, their keys and the tree's stored hashes, appended in
//! the publication's own transaction.

use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, TypeInfo, ValueRef};
use tlog_tiles::Hash;

use super::SqliteStorage;
use crate::log::{Entry, Kind, LogTables};
use crate::storage::listing::{LOG_KEYS_AUDIT_SQL, LOG_KEYS_INSERT, LOG_KIND_KEYS_SQL, LOG_RUN_INSERT};
use crate::storage::{LogPublication, StorageError};

pub(crate) use crate::storage::logged::Rows;
use crate::storage::logged::{self, ROW_KINDS, row_kind_of};

/// A column of a row as JSON: integers as numbers, reals as numbers, texts as strings, NULL as null.
fn column_value(row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let name = raw.type_info().name().to_owned();
    Ok(match name.as_str() {
        "INTEGER" | "BOOLEAN" | "INT8" => row.try_get::<i64, _>(i)?.into(),
        "REAL" => row.try_get::<f64, _>(i)?.into(),
        _ => row.try_get::<String, _>(i)?.into(),
    })
}

fn columns(row: &SqliteRow, from: usize) -> Result<Vec<(String, Value)>, sqlx::Error> {
    use sqlx::Column as _;
    (from..row.columns().len()).map(|i| Ok((row.columns()[i].name().to_owned(), column_value(row, i)?))).collect()
}

/// The published versions of `kind` (those of `rows`), in row order, with
/// their content as [`crate::log::row_content`] writes it.
pub(crate) async fn published_rows(
    conn: &mut SqliteConnection,
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
pub(crate) async fn last_row(conn: &mut SqliteConnection, kind: Kind) -> Result<i64, StorageError> {
    let Some(k) = row_kind_of(kind) else { return Ok(0) };
    let n: Option<i64> = sqlx::query_scalar(&logged::last_row_query(k)).fetch_one(&mut *conn).await?;
    Ok(n.unwrap_or(0))
}

/// Logs the versions of `kind` added in this transaction since its row number was `before`.
pub(crate) async fn append_rows_after(
    conn: &mut SqliteConnection,
    kind: Kind,
    before: i64,
) -> Result<usize, StorageError> {
    let added = published_rows(conn, kind, Rows::After(before)).await?;
    append(conn, &entries_of(&added)?).await?;
    Ok(added.len())
}

pub(crate) use crate::storage::logged::entries_of;

/// The log's tables in a SQLite transaction (or connection), for [`crate::log`]'s tree code.
pub(crate) struct SqliteLog<'a>(pub &'a mut SqliteConnection);

/// Rows per multi-row INSERT (5 parameters each, within SQLite's 32,766).
const INSERT_CHUNK: usize = 2048;

#[async_trait::async_trait]
impl LogTables for SqliteLog<'_> {
    /// Entries are numbered 0, 1, 2… (`idx` is the row id), so this reads one
    /// index entry instead of counting the table.
    async fn size(&mut self) -> Result<u64, StorageError> {
        size(self.0).await
    }

    async fn stored_hashes(&mut self, indexes: &[u64]) -> Result<Vec<(u64, Hash)>, StorageError> {
        let mut out = Vec::with_capacity(indexes.len());
        for chunk in indexes.chunks(500) {
            let list = serde_json::to_string(chunk).map_err(|e| StorageError::Log(e.to_string()))?;
            let rows: Vec<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT idx, hash FROM log_hashes WHERE idx IN (SELECT value FROM json_each(?))")
                    .bind(list)
                    .fetch_all(&mut *self.0)
                    .await?;
            for (idx, hash) in rows {
                let hash: [u8; 32] =
                    hash.try_into().map_err(|_| StorageError::Log(format!("stored hash {idx} is not 32 bytes")))?;
                out.push((idx as u64, Hash(hash)));
            }
        }
        Ok(out)
    }

    async fn insert_entries(&mut self, first: u64, entries: &[Entry]) -> Result<(), StorageError> {
        for (i, chunk) in entries.chunks(INSERT_CHUNK).enumerate() {
            let from = first + (i * INSERT_CHUNK) as u64;
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO log_entries (idx, kind, key, version, entry) ");
            insert.push_values(chunk.iter().zip(from..), |mut row, (entry, idx)| {
                row.push_bind(idx as i64)
                    .push_bind(entry.kind.as_str())
                    .push_bind(&entry.key)
                    .push_bind(i64::from(entry.version))
                    .push_bind(entry.to_bytes());
            });
            insert.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn insert_hashes(&mut self, hashes: &[(u64, Hash)]) -> Result<(), StorageError> {
        for part in hashes.chunks(INSERT_CHUNK * 2) {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO log_hashes (idx, hash) ");
            insert.push_values(part, |mut row, (idx, hash)| {
                row.push_bind(*idx as i64).push_bind(hash.0.to_vec());
            });
            insert.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn insert_keys(&mut self, run: u64, first: u64) -> Result<(), StorageError> {
        if run > 0 {
            sqlx::query(LOG_RUN_INSERT).bind(run as i64).execute(&mut *self.0).await?;
        }
        sqlx::query(LOG_KEYS_INSERT).bind(run as i64).bind(first as i64).execute(&mut *self.0).await?;
        Ok(())
    }

    async fn insert_tile(&mut self, level: u8, n: u64, data: Vec<u8>) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO log_tiles (level, n, data) VALUES (?, ?, ?)")
            .bind(i64::from(level))
            .bind(n as i64)
            .bind(data)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }
}

/// The number of entries in the log.
pub(crate) async fn size(conn: &mut SqliteConnection) -> Result<u64, StorageError> {
    let n: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").fetch_one(&mut *conn).await?;
    Ok(n as u64)
}

/// Appends `entries` to the log in this transaction ([`crate::log::append`]).
pub(crate) async fn append(conn: &mut SqliteConnection, entries: &[Entry]) -> Result<(), StorageError> {
    crate::log::append(&mut SqliteLog(conn), entries).await
}

/// Every draw commitment and draw, as published.
async fn draw_publications(conn: &mut SqliteConnection) -> Result<Vec<LogPublication>, StorageError> {
    let mut out = Vec::new();
    for (kind, sql) in logged::DRAW_PUBLICATIONS {
        let rows: Vec<(String, String, String)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
        out.extend(rows.into_iter().map(|(key, at, content)| logged::draw_publication(kind, key, at, content)));
    }
    Ok(out)
}

impl SqliteStorage {
    /// Benchmarks only (`log_bench`): appends `entries` in one transaction
    /// without any publication behind them (`server log verify` would name
    /// every one). Publishing appends through `insert_draw`, `insert_commitment`
    /// and `import`.
    #[doc(hidden)]
    pub async fn bench_append_log(&self, entries: &[Entry]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        append(&mut tx, entries).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }

    /// A directory record's version as published (the content its log entry hashes).
    pub(crate) async fn read_log_row(&self, kind: Kind, row: i64) -> Result<Option<Vec<u8>>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        Ok(published_rows(&mut conn, kind, Rows::Only(row)).await?.pop().map(|p| p.content))
    }

    /// The log's size.
    pub(crate) async fn read_log_size(&self) -> Result<u64, StorageError> {
        size(&mut *self.pool.acquire().await?).await
    }

    /// The log's size and root hash, read together.
    pub(crate) async fn read_log_head(&self) -> Result<(u64, Hash), StorageError> {
        let mut tx = self.pool.begin().await?;
        let n = size(&mut tx).await?;
        let root = crate::log::tree_root(&mut SqliteLog(&mut tx), n).await?;
        tx.commit().await?;
        Ok((n, root))
    }

    /// The root hash of the tree of the first `size` entries, if the log has that many.
    pub(crate) async fn read_log_root(&self, size: u64) -> Result<Option<Hash>, StorageError> {
        let mut tx = self.pool.begin().await?;
        if size > super::log::size(&mut tx).await? {
            return Ok(None);
        }
        let root = crate::log::tree_root(&mut SqliteLog(&mut tx), size).await?;
        tx.commit().await?;
        Ok(Some(root))
    }

    /// The consistency proof from the tree of `old` entries to the tree of `size`.
    pub(crate) async fn read_log_consistency(&self, old: u64, size: u64) -> Result<Vec<Hash>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        crate::log::consistency(&mut SqliteLog(&mut conn), old, size).await
    }

    /// Keeps a verified cosignature; a second one by the same witness for the same size is ignored.
    pub(crate) async fn insert_log_cosignature(&self, c: &crate::storage::LogCosignature) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO log_cosignatures (size, witness, time, line, received_at) \
             VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) ON CONFLICT (size, witness) DO NOTHING",
        )
        .bind(c.size as i64)
        .bind(&c.witness)
        .bind(c.time as i64)
        .bind(&c.line)
        .execute(&mut *tx)
        .await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(())
    }

    /// The cosignatures of the checkpoint of `size` entries.
    pub(crate) async fn read_log_cosignatures(
        &self,
        size: u64,
    ) -> Result<Vec<crate::storage::LogCosignature>, StorageError> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT witness, time, line FROM log_cosignatures WHERE size = ? ORDER BY witness")
                .bind(size as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(witness, time, line)| crate::storage::LogCosignature { size, witness, time: time as u64, line })
            .collect())
    }

    /// The largest size `witness` cosigned.
    pub(crate) async fn read_log_witness_size(&self, witness: &str) -> Result<Option<u64>, StorageError> {
        let n: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM log_cosignatures WHERE witness = ?")
            .bind(witness)
            .fetch_one(&self.pool)
            .await?;
        Ok(n.map(|n| n as u64))
    }

    /// A full hash tile as stored when it was completed (`None`: compute it from the hashes).
    pub(crate) async fn read_log_tile(&self, level: u8, n: u64) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(sqlx::query_scalar("SELECT data FROM log_tiles WHERE level = ? AND n = ?")
            .bind(i64::from(level))
            .bind(n as i64)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The stored hashes at `indexes`, in order (a tile's hashes).
    pub(crate) async fn read_log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        let hashes: std::collections::HashMap<u64, Hash> =
            SqliteLog(&mut conn).stored_hashes(indexes).await?.into_iter().collect();
        indexes
            .iter()
            .map(|i| hashes.get(i).copied().ok_or_else(|| StorageError::Log(format!("stored hash {i} is missing"))))
            .collect()
    }

    /// The entries with leaf indexes in `range`, in order.
    pub(crate) async fn read_log_entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StorageError> {
        let rows: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx")
                .bind(range.start as i64)
                .bind(range.end as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }

    /// Every entry, stored hash and logged kind of publication, for `server log verify`.
    pub(crate) async fn read_log_audit(&self) -> Result<crate::storage::LogAudit, StorageError> {
        let mut tx = self.pool.begin().await?;
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

    /// Logs every publication of each kind the log does not hold yet (all of
    /// them in a database from before the log; a kind added to the log later,
    /// when a database that has a log is upgraded), oldest first, and records
    /// those kinds as logged (`log_kinds`; a database created empty has them
    /// all from its migrations). From then on a kind's publications
    /// are logged only as they are published: rows written behind the portal's
    /// back into a logged kind are *not* logged this way (see `server log verify`).
    pub(crate) async fn append_log_backfill(&self) -> Result<u64, StorageError> {
        let mut tx = self.begin_write().await?;
        let logged: Vec<String> = sqlx::query_scalar("SELECT kind FROM log_kinds").fetch_all(&mut *tx).await?;
        let missing: Vec<Kind> = Kind::ALL.into_iter().filter(|k| !logged.iter().any(|l| l == k.as_str())).collect();
        if missing.is_empty() {
            tx.rollback().await?;
            return Ok(0);
        }
        let mut publications: Vec<LogPublication> =
            draw_publications(&mut tx).await?.into_iter().filter(|p| missing.contains(&p.kind)).collect();
        for k in ROW_KINDS.iter().filter(|k| missing.contains(&k.kind)) {
            publications.extend(published_rows(&mut tx, k.kind, Rows::All).await?);
        }
        // Those a publication logged already (e.g. a calendar year published at this start) stay as they are.
        // (Only kinds with publications to log are read: a log of millions
        // of entries of a kind with none is not scanned.)
        let mut already: std::collections::HashSet<(String, String, i64)> = std::collections::HashSet::new();
        for kind in missing.iter().filter(|k| publications.iter().any(|p| p.kind == **k)) {
            let rows: Vec<(String, i64)> =
                sqlx::query_as(LOG_KIND_KEYS_SQL).bind(kind.as_str()).fetch_all(&mut *tx).await?;
            already.extend(rows.into_iter().map(|(key, version)| (kind.as_str().to_owned(), key, version)));
        }
        let entries = logged::backfill_entries(publications, &already)?;
        let n = entries.len() as u64;
        append(&mut tx, &entries).await?;
        for kind in missing {
            sqlx::query("INSERT INTO log_kinds (kind) VALUES (?)").bind(kind.as_str()).execute(&mut *tx).await?;
        }
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(n)
    }
}
