//! SQLite implementation (WAL, foreign keys on, embedded migrations).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use app::ssr::{DrawSource, SourceError};
use app::types::{DrawSummary, StoredDraw};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::{NewDraw, Storage, StorageError};

const SUMMARY_COLUMNS: &str = "d.id, dep.name AS department, d.title, d.draw_date, d.commitment, \
     d.committed_at, d.published_at, json_extract(d.record_json, '$.randomness.source') AS randomness_source";

#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    /// Opens (creating if missing, with its directory) the database file and migrates it.
    pub async fn open(path: &Path) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StorageError::Directory { path: dir.display().to_string(), source })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::connect(options).await
    }

    /// An in-memory database (one connection), for tests.
    pub async fn in_memory() -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self, StorageError> {
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The connection pool (for tests that check constraints directly).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait::async_trait]
impl DrawSource for SqliteStorage {
    async fn list_draws(&self) -> Result<Vec<DrawSummary>, SourceError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM draws d JOIN departments dep ON dep.id = d.department_id \
             ORDER BY d.draw_date DESC, d.id"
        );
        Ok(sqlx::query_as::<_, DrawSummary>(&sql).fetch_all(&self.pool).await?)
    }

    async fn find_draw(&self, id: &str) -> Result<Option<StoredDraw>, SourceError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, d.record_json FROM draws d \
             JOIN departments dep ON dep.id = d.department_id WHERE d.id = ?"
        );
        Ok(sqlx::query_as::<_, StoredDraw>(&sql).bind(id).fetch_optional(&self.pool).await?)
    }
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    async fn draw_count(&self) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM draws").fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn insert_draw(&self, draw: &NewDraw) -> Result<(), StorageError> {
        if draw.department_path.is_empty() {
            return Err(StorageError::NoDepartment);
        }
        let mut tx = self.pool.begin().await?;
        let mut parent: Option<i64> = None;
        for name in &draw.department_path {
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE name = ?")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            let id = match existing {
                Some(id) => id,
                None => sqlx::query("INSERT INTO departments (name, parent_id) VALUES (?, ?)")
                    .bind(name)
                    .bind(parent)
                    .execute(&mut *tx)
                    .await?
                    .last_insert_rowid(),
            };
            parent = Some(id);
        }
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM draws WHERE id = ?").bind(&draw.id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StorageError::DuplicateDraw(draw.id.clone()));
        }
        sqlx::query(
            "INSERT INTO draws (id, department_id, title, draw_date, commitment, record_json, committed_at, published_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&draw.id)
        .bind(parent)
        .bind(&draw.title)
        .bind(&draw.draw_date)
        .bind(&draw.commitment)
        .bind(&draw.record_json)
        .bind(&draw.committed_at)
        .bind(&draw.published_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn departments(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError> {
        let rows = sqlx::query("SELECT id, name, parent_id FROM departments ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("parent_id")?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str) -> NewDraw {
        NewDraw {
            id: id.to_owned(),
            department_path: vec!["省局".to_owned(), "市局".to_owned(), "区局".to_owned()],
            title: "测试抽取".to_owned(),
            draw_date: "2025-05-28".to_owned(),
            commitment: "ab".repeat(32),
            record_json: r#"{"x":1}"#.to_owned(),
            committed_at: Some("2025-05-26T09:00:00+08:00".to_owned()),
            published_at: "2025-05-28T10:00:00+08:00".to_owned(),
        }
    }

    #[tokio::test]
    async fn insert_then_read_back_exactly() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.insert_draw(&sample("d-1")).await.unwrap();
        let list = s.list_draws().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].department, "区局");
        let stored = s.find_draw("d-1").await.unwrap().unwrap();
        assert_eq!(stored.record_json, r#"{"x":1}"#);
        assert_eq!(stored.summary.committed_at.as_deref(), Some("2025-05-26T09:00:00+08:00"));
        assert!(s.find_draw("nope").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn department_chain_is_stored_once() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.insert_draw(&sample("d-1")).await.unwrap();
        s.insert_draw(&sample("d-2")).await.unwrap();
        let deps = s.departments().await.unwrap();
        assert_eq!(deps.len(), 3);
        assert_eq!(deps[0].2, None);
        assert_eq!(deps[1].2, Some(deps[0].0));
        assert_eq!(deps[2].2, Some(deps[1].0));
        assert_eq!(s.draw_count().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn published_draws_cannot_change() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.insert_draw(&sample("d-1")).await.unwrap();
        assert!(matches!(s.insert_draw(&sample("d-1")).await, Err(StorageError::DuplicateDraw(_))));
        let update = sqlx::query("UPDATE draws SET title = 'changed' WHERE id = 'd-1'").execute(s.pool()).await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM draws WHERE id = 'd-1'").execute(s.pool()).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(s.find_draw("d-1").await.unwrap().unwrap().summary.title, "测试抽取");
    }

    #[tokio::test]
    async fn foreign_keys_are_enforced() {
        let s = SqliteStorage::in_memory().await.unwrap();
        let r = sqlx::query(
            "INSERT INTO draws (id, department_id, title, draw_date, commitment, record_json, published_at) \
             VALUES ('x', 999, 't', '2025-01-01', 'c', '{}', 'now')",
        )
        .execute(s.pool())
        .await;
        assert!(r.is_err(), "a draw of an unknown department must be refused");
    }
}
