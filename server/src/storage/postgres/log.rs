//! The publication log's tables in PostgreSQL: the same rows as SQLite's
//! (`storage::sqlite::log`), written with array parameters (`UNNEST`), one
//! statement per table and chunk.

use sqlx::PgConnection;
use tlog_tiles::Hash;

use crate::log::{Entry, LogTables};
use crate::storage::StorageError;

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
