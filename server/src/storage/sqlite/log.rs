//! The publication log's tables (migration `publication_log`): entries and the
//! tree's stored hashes, appended in the publication's own transaction.

use sqlx::SqliteConnection;
use tlog_tiles::Hash;

use super::SqliteStorage;
use crate::log::{Entry, KnownHashes};
use crate::storage::StorageError;

fn tree_error(e: tlog_tiles::Error) -> StorageError {
    StorageError::Log(e.to_string())
}

/// Reads the stored hashes at `indexes` into `hashes`.
async fn fetch(conn: &mut SqliteConnection, hashes: &mut KnownHashes, indexes: &[u64]) -> Result<(), StorageError> {
    for chunk in indexes.chunks(500) {
        let list = serde_json::to_string(chunk).map_err(|e| StorageError::Log(e.to_string()))?;
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT idx, hash FROM log_hashes WHERE idx IN (SELECT value FROM json_each(?))")
                .bind(list)
                .fetch_all(&mut *conn)
                .await?;
        for (idx, hash) in rows {
            let hash: [u8; 32] =
                hash.try_into().map_err(|_| StorageError::Log(format!("stored hash {idx} is not 32 bytes")))?;
            hashes.known.insert(idx as u64, Hash(hash));
        }
    }
    Ok(())
}

/// Runs a tree computation, fetching the stored hashes it reads until it has them all.
async fn computed<T>(
    conn: &mut SqliteConnection,
    hashes: &mut KnownHashes,
    run: impl Fn(&KnownHashes) -> Result<T, tlog_tiles::Error>,
) -> Result<T, StorageError> {
    loop {
        let out = run(hashes);
        let missing = hashes.take_missing();
        if missing.is_empty() {
            return out.map_err(tree_error);
        }
        let before = hashes.known.len();
        fetch(conn, hashes, &missing).await?;
        if hashes.known.len() == before {
            return Err(StorageError::Log(format!("the log's stored hashes {missing:?} are missing")));
        }
    }
}

/// The number of entries in the log.
pub(crate) async fn size(conn: &mut SqliteConnection) -> Result<u64, StorageError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_entries").fetch_one(&mut *conn).await?;
    Ok(n as u64)
}

/// Appends `entries` to the log, in this transaction: each entry, and the
/// stored hashes it completes (RFC 6962, as Go's `sumdb/tlog` stores them).
pub(crate) async fn append(conn: &mut SqliteConnection, entries: &[Entry]) -> Result<(), StorageError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut n = size(conn).await?;
    let mut hashes = KnownHashes::default();
    for entry in entries {
        let leaf = entry.leaf_hash();
        let new = computed(conn, &mut hashes, |h| tlog_tiles::stored_hashes_for_record_hash(n, leaf, h)).await?;
        sqlx::query("INSERT INTO log_entries (idx, kind, key, version, entry) VALUES (?, ?, ?, ?, ?)")
            .bind(n as i64)
            .bind(entry.kind.as_str())
            .bind(&entry.key)
            .bind(i64::from(entry.version))
            .bind(entry.to_bytes())
            .execute(&mut *conn)
            .await?;
        let first = tlog_tiles::stored_hash_index(0, n);
        for (i, hash) in new.into_iter().enumerate() {
            let idx = first + i as u64;
            sqlx::query("INSERT INTO log_hashes (idx, hash) VALUES (?, ?)")
                .bind(idx as i64)
                .bind(hash.0.as_slice())
                .execute(&mut *conn)
                .await?;
            hashes.known.insert(idx, hash);
        }
        n += 1;
    }
    Ok(())
}

impl SqliteStorage {
    /// The log's size and root hash, read together.
    pub(crate) async fn read_log_head(&self) -> Result<(u64, Hash), StorageError> {
        let mut tx = self.pool.begin().await?;
        let n = size(&mut tx).await?;
        let mut hashes = KnownHashes::default();
        let root = computed(&mut tx, &mut hashes, |h| tlog_tiles::tree_hash(n, h)).await?;
        tx.commit().await?;
        Ok((n, root))
    }

    /// The stored hashes at `indexes`, in order (a tile's hashes).
    pub(crate) async fn read_log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        let mut hashes = KnownHashes::default();
        fetch(&mut conn, &mut hashes, indexes).await?;
        indexes
            .iter()
            .map(|i| {
                hashes.known.get(i).copied().ok_or_else(|| StorageError::Log(format!("stored hash {i} is missing")))
            })
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
        let mut publications = Vec::new();
        let commitments: Vec<(String, String, String)> =
            sqlx::query_as("SELECT draw_id, committed_at, input_json FROM draw_commitments ORDER BY draw_id")
                .fetch_all(&mut *tx)
                .await?;
        for (id, at, content) in commitments {
            publications.push((crate::log::Kind::DrawCommitment, id, 1, at, content.into_bytes()));
        }
        let draws: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, published_at, record_json FROM draws ORDER BY id").fetch_all(&mut *tx).await?;
        for (id, at, content) in draws {
            publications.push((crate::log::Kind::Draw, id, 1, at, content.into_bytes()));
        }
        tx.commit().await?;
        Ok(crate::storage::LogAudit {
            entries: entries.into_iter().map(|(i, e)| (i as u64, e)).collect(),
            hashes: hashes
                .into_iter()
                .map(|(i, h)| (i as u64, Hash(<[u8; 32]>::try_from(h.as_slice()).unwrap_or_default())))
                .collect(),
            publications,
        })
    }

    /// Logs every published draw and commitment that has no entry yet (a
    /// database from before the log, or rows written behind the portal's
    /// back are *not* logged this way: see `server log verify`), oldest first.
    pub(crate) async fn append_log_backfill(&self) -> Result<u64, StorageError> {
        let mut tx = self.begin_write().await?;
        let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_entries").fetch_one(&mut *tx).await?;
        if logged > 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        let commitments: Vec<(String, String, String)> =
            sqlx::query_as("SELECT draw_id, committed_at, input_json FROM draw_commitments")
                .fetch_all(&mut *tx)
                .await?;
        let draws: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, published_at, record_json FROM draws").fetch_all(&mut *tx).await?;
        let mut entries = Vec::new();
        for (id, at, content) in commitments {
            entries.push(
                crate::log::Entry::new(crate::log::Kind::DrawCommitment, &id, 1, &at, content.as_bytes())
                    .map_err(|e| StorageError::Log(e.to_string()))?,
            );
        }
        for (id, at, content) in draws {
            entries.push(
                crate::log::Entry::new(crate::log::Kind::Draw, &id, 1, &at, content.as_bytes())
                    .map_err(|e| StorageError::Log(e.to_string()))?,
            );
        }
        entries.sort_by(|a, b| {
            (&a.published_at, a.kind.as_str(), &a.key).cmp(&(&b.published_at, b.kind.as_str(), &b.key))
        });
        let n = entries.len() as u64;
        append(&mut tx, &entries).await?;
        tx.commit().await.map_err(|e| self.busy_or(e))?;
        Ok(n)
    }
}
