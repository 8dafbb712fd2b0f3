//! SQLite implementation (WAL, foreign keys on, embedded migrations).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

mod feedback;
mod log;
mod read;
mod report;
mod write;

#[cfg(test)]
pub(crate) use log::SqliteLog;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::StorageError;

#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pool: SqlitePool,
    /// How long a writer waits for another writer's lock (SQLite's busy timeout).
    write_wait: Duration,
}

/// See [`SqliteStorage::open_waiting`].
pub const WRITE_WAIT: Duration = Duration::from_secs(60);

impl SqliteStorage {
    /// Opens (creating if missing, with its directory) the database file and migrates it.
    pub async fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_waiting(path, WRITE_WAIT).await
    }

    /// Opens the database; a write waits up to `write_wait` for another
    /// process's write (an import) to finish, then fails with [`StorageError::Busy`].
    pub async fn open_waiting(path: &Path, write_wait: Duration) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StorageError::Directory { path: dir.display().to_string(), source })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit returns once the WAL is on disk, so an acknowledged
            // submission (feedback, an import) survives a crash or a power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(write_wait);
        let mut storage = Self::connect(options).await?;
        storage.write_wait = write_wait;
        Ok(storage)
    }

    /// An in-memory database (one connection), for tests.
    pub async fn in_memory() -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, write_wait: WRITE_WAIT })
    }

    /// Starts a write transaction, taking SQLite's write lock at once
    /// (`BEGIN IMMEDIATE`: a deferred transaction that meets another writer
    /// fails at once instead of waiting). Waits up to the busy timeout, then
    /// [`StorageError::Busy`].
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StorageError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(|e| self.busy_or(e))
    }

    /// [`StorageError::Busy`] for SQLite's "database is locked", else the error itself.
    pub(crate) fn busy_or(&self, e: sqlx::Error) -> StorageError {
        let locked = matches!(&e, sqlx::Error::Database(db)
            if db.code().is_some_and(|c| c == "5" || c == "517" || c == "261")
                || db.message().contains("database is locked"));
        if locked { StorageError::Busy(self.write_wait.as_secs()) } else { StorageError::Database(e) }
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self, StorageError> {
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, write_wait: WRITE_WAIT })
    }

    /// The connection pool (for tests that check constraints directly).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use app::ssr::DrawSource;

    use super::*;
    use crate::publish::{CommitmentSubmission, DrawSubmission, VerifiedDraw, verify_commitment, verify_draw};
    use crate::storage::{Batch, Correction, Level, NewDepartment, NewItem, RowProblem, Storage};

    fn record(seed: u64) -> draw::DrawRecord {
        let shape = draw::synthetic::Shape {
            objects: 40,
            strata: 2,
            inspectors: 12,
            select: 6,
            team_size: 2,
            load_cap: 3,
            history: 3,
            seed,
        };
        let mut input = draw::synthetic::input(&shape);
        input.title = "测试抽取".to_owned();
        draw::draw(input, draw::Randomness::Demo { value: "00".repeat(32) }).unwrap()
    }

    fn sample(seed: u64) -> VerifiedDraw {
        verify_draw(DrawSubmission {
            record_json: serde_json::to_string(&record(seed)).unwrap(),
            department_path: Some(vec!["省局".to_owned(), "市局".to_owned(), "区局".to_owned()]),
            committed_at: Some("2025-05-26T09:00:00+08:00".to_owned()),
            published_at: "2025-05-28T10:00:00+08:00".to_owned(),
            plan_code: None,
        })
        .unwrap()
    }

    fn departments() -> Batch {
        let d = |code: &str, name: &str, level, parent: Option<&str>| NewDepartment {
            code: code.to_owned(),
            name: name.to_owned(),
            level,
            parent_code: parent.map(str::to_owned),
            published_at: "2025-01-02T09:00:00+08:00".to_owned(),
        };
        Batch::Departments(vec![
            d("150000", "省局", Level::Province, None),
            d("150100", "市局", Level::City, Some("150000")),
            d("150102", "区局", Level::District, Some("150100")),
        ])
    }

    fn item(code: &str, correction: Option<&str>) -> NewItem {
        NewItem {
            department_code: "150102".to_owned(),
            item_code: code.to_owned(),
            seq: 1,
            name: "计量监督检查".to_owned(),
            content: "计量器具".to_owned(),
            legal_basis: "《中华人民共和国计量法》".to_owned(),
            qualification: "计量".to_owned(),
            method: vec!["现场核查".to_owned()],
            withdrawn: false,
            effective_from: "2025-01-01".to_owned(),
            published_at: "2025-01-01T09:00:00+08:00".to_owned(),
            correction: correction.map(|r| Correction { reason: r.to_owned() }),
        }
    }

    #[tokio::test]
    async fn insert_then_read_back_exactly() {
        let s = SqliteStorage::in_memory().await.unwrap();
        let draw = sample(1);
        s.insert_draw(&draw).await.unwrap();
        let list = s.list_draws().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].department, "区局");
        assert_eq!(list[0].randomness_source, "demo");
        assert!(!list[0].is_awaiting());
        let stored = s.find_draw(&draw.summary.id).await.unwrap().unwrap();
        assert_eq!(stored.record_json, draw.record_json);
        assert_eq!(stored.summary.committed_at.as_deref(), Some("2025-05-26T09:00:00+08:00"));
        assert!(s.find_draw("nope").await.unwrap().is_none());
        let view: app::view::DrawView =
            serde_json::from_str(&s.find_draw_view(&draw.summary.id).await.unwrap().unwrap()).unwrap();
        assert_eq!(view.selected_count(), 6);
        let pool: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM draw_objects").fetch_one(s.pool()).await.unwrap();
        assert_eq!(pool, 40);
        let selected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM draw_objects WHERE outcome = 'selected'")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(selected, 6);
    }

    #[tokio::test]
    async fn department_chain_is_stored_once() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.insert_draw(&sample(1)).await.unwrap();
        s.insert_draw(&sample(2)).await.unwrap();
        let deps = s.departments().await.unwrap();
        assert_eq!(deps.len(), 3);
        assert_eq!(deps[0].2, None);
        assert_eq!(deps[1].2, Some(deps[0].0));
        assert_eq!(deps[2].2, Some(deps[1].0));
        assert_eq!(s.draw_count().await.unwrap(), 2);
        // Importing the departments afterwards completes them with codes.
        s.import(&departments()).await.unwrap();
        assert_eq!(s.departments().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn published_draws_cannot_change() {
        let s = SqliteStorage::in_memory().await.unwrap();
        let draw = sample(1);
        s.insert_draw(&draw).await.unwrap();
        assert!(matches!(s.insert_draw(&draw).await, Err(StorageError::DuplicateDraw(_))));
        let update = sqlx::query("UPDATE draws SET title = 'changed' WHERE id = ?")
            .bind(&draw.summary.id)
            .execute(s.pool())
            .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM draws WHERE id = ?").bind(&draw.summary.id).execute(s.pool()).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM draw_objects").execute(s.pool()).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(s.find_draw(&draw.summary.id).await.unwrap().unwrap().summary.title, "测试抽取");
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

    #[tokio::test]
    async fn an_import_with_any_bad_row_stores_nothing_and_names_every_row() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.import(&departments()).await.unwrap();
        let mut bad = item("2", None);
        bad.department_code = "999999".to_owned();
        let batch = Batch::Items(vec![item("1", None), bad, item("3", Some("typo"))]);
        let Err(StorageError::Rejected(problems)) = s.import(&batch).await else { panic!("accepted") };
        let at: Vec<(usize, &str)> = problems.iter().map(|p: &RowProblem| (p.index, p.field.as_str())).collect();
        assert_eq!(at, [(1, "department_code"), (2, "item_code")]);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items").fetch_one(s.pool()).await.unwrap();
        assert_eq!(n, 0, "nothing of a refused batch is stored");
    }

    #[tokio::test]
    async fn a_correction_is_a_new_version_and_the_old_one_stays() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.import(&departments()).await.unwrap();
        s.import(&Batch::Items(vec![item("1", None)])).await.unwrap();
        let again = s.import(&Batch::Items(vec![item("1", None)])).await;
        assert!(matches!(again, Err(StorageError::Rejected(_))), "a duplicate without a reason is refused");
        let mut fixed = item("1", Some("依据的法规已修订 / the legal basis was amended"));
        fixed.legal_basis = "《中华人民共和国计量法》（2018 修正）".to_owned();
        let summary = s.import(&Batch::Items(vec![fixed])).await.unwrap();
        assert_eq!((summary.added, summary.corrected), (0, 1));
        let rows: Vec<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT version, legal_basis, replaces FROM items ORDER BY version")
                .fetch_all(s.pool())
                .await
                .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, "《中华人民共和国计量法》");
        assert_eq!(rows[1].0, 2);
        assert!(rows[1].2.is_some());
        let update = sqlx::query("UPDATE items SET name = 'x'").execute(s.pool()).await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
    }

    #[tokio::test]
    async fn two_character_name_parts_are_found_through_the_bigram_index() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.import(&departments()).await.unwrap();
        let enterprise = crate::storage::NewEnterprise {
            credit_code: draw::CreditCode::parse(&draw::synthetic::credit_code(7)).unwrap(),
            name: "河朔市瑞丰食品有限公司".to_owned(),
            department_code: "150102".to_owned(),
            region: "东河区".to_owned(),
            industry: "食品制造".to_owned(),
            licences: Vec::new(),
            abnormal: false,
            serious_violation: false,
            penalised: false,
            credit_class: 'A',
            published_at: "2025-01-01T09:00:00+08:00".to_owned(),
            correction: None,
        };
        s.import(&Batch::Enterprises(vec![enterprise])).await.unwrap();
        let hits = |q: &'static str| {
            let pool = s.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM enterprise_bigrams WHERE enterprise_bigrams MATCH ?")
                    .bind(format!("\"{q}\""))
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(hits("瑞丰").await, 1);
        assert_eq!(hits("食品").await, 1);
        assert_eq!(hits("丰瑞").await, 0);
        assert_eq!(write::name_bigrams("瑞丰食品"), "瑞丰 丰食 食品");
    }

    #[tokio::test]
    async fn a_commitment_awaits_its_draw_and_must_match_it() {
        let s = SqliteStorage::in_memory().await.unwrap();
        s.import(&departments()).await.unwrap();
        let draw = sample(3);
        let rec = record(3);
        let commitment = verify_commitment(CommitmentSubmission {
            input_json: serde_json::to_string(&rec.input).unwrap(),
            department_code: "150102".to_owned(),
            plan_code: Some("150102-2025-Q".to_owned()),
            committed_at: "2025-05-26T09:00:00+08:00".to_owned(),
        })
        .unwrap();
        // Listed under another department than the input's drawing department: refused.
        let mut elsewhere = commitment.clone();
        elsewhere.department_code = "150100".to_owned();
        assert!(matches!(s.insert_commitment(&elsewhere).await, Err(StorageError::Rejected(..))));
        s.insert_commitment(&commitment).await.unwrap();
        let list = s.list_draws().await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].is_awaiting());
        assert_eq!(list[0].randomness_source, "demo");
        assert!(s.find_commitment(&draw.summary.id).await.unwrap().is_some());
        // A record whose commitment differs from the one published before is refused.
        let mut other = rec.clone();
        other.input.title = "另一次抽取".to_owned();
        let other = draw::draw(other.input, draw::Randomness::Demo { value: "00".repeat(32) }).unwrap();
        let other = verify_draw(DrawSubmission {
            record_json: serde_json::to_string(&other).unwrap(),
            department_path: None,
            committed_at: None,
            published_at: "2025-05-28T10:00:00+08:00".to_owned(),
            plan_code: None,
        })
        .unwrap();
        let err = s.insert_draw(&other).await.unwrap_err();
        assert!(
            matches!(&err, StorageError::CommitmentDiffers { published, .. } if *published == rec.commitment),
            "{err}"
        );
        s.insert_draw(&draw).await.unwrap();
        let list = s.list_draws().await.unwrap();
        assert_eq!(list.len(), 1, "a drawn commitment is listed once, as drawn");
        assert!(!list[0].is_awaiting());
        let plan: Option<String> = sqlx::query_scalar("SELECT plan_code FROM draws").fetch_one(s.pool()).await.unwrap();
        assert_eq!(plan.as_deref(), Some("150102-2025-Q"), "the draw keeps the plan its commitment named");
    }

    /// A log entry's bytes (the content is its url's, for a test).
    fn entry(kind: crate::log::Kind, key: &str, version: u32) -> crate::log::Entry {
        let url = format!("/test/{key}/{version}");
        crate::log::Entry::new(kind, key, version, "2025-01-01T09:00:00+08:00", &url, url.as_bytes()).unwrap()
    }

    #[tokio::test]
    async fn a_log_from_before_log_keys_keeps_every_entry_findable_by_its_key_and_append_only() {
        use app::ssr::PortalSource;

        use crate::log::Kind;
        // A database migrated up to the log's entries with their UNIQUE index, holding three entries
        // (and the tree's hashes, as a database of today computes them).
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap().foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
        let mut before = sqlx::migrate!("./migrations");
        before.migrations =
            before.migrations.iter().filter(|m| m.version < 20261210000000).cloned().collect::<Vec<_>>().into();
        before.run(&pool).await.unwrap();
        let old = [entry(Kind::Item, "150102/1", 1), entry(Kind::Result, "R-9", 1), entry(Kind::Item, "150102/1", 2)];
        for (idx, e) in old.iter().enumerate() {
            sqlx::query("INSERT INTO log_entries (idx, kind, key, version, entry) VALUES (?, ?, ?, ?, ?)")
                .bind(idx as i64)
                .bind(e.kind.as_str())
                .bind(&e.key)
                .bind(i64::from(e.version))
                .bind(e.to_bytes())
                .execute(&pool)
                .await
                .unwrap();
        }
        let today = SqliteStorage::in_memory().await.unwrap();
        today.bench_append_log(&old).await.unwrap();
        let hashes: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT idx, hash FROM log_hashes").fetch_all(today.pool()).await.unwrap();
        for (idx, hash) in hashes {
            sqlx::query("INSERT INTO log_hashes (idx, hash) VALUES (?, ?)")
                .bind(idx)
                .bind(hash)
                .execute(&pool)
                .await
                .unwrap();
        }

        sqlx::migrate!("./migrations").run(&pool).await.unwrap();
        let s = SqliteStorage { pool, write_wait: WRITE_WAIT };
        let found = s.log_entry("item", "150102/1", 2).await.unwrap().unwrap();
        assert_eq!((found.index, found.entry.as_bytes()), (2, old[2].to_bytes().as_slice()));
        assert_eq!(s.log_entry("result", "R-9", 1).await.unwrap().unwrap().index, 1);
        assert!(s.log_entry("result", "R-9", 2).await.unwrap().is_none());
        let indexes: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log_entries'")
                .fetch_all(s.pool())
                .await
                .unwrap();
        assert_eq!(indexes, Vec::<String>::new(), "log_entries keeps no index of keys");

        // Appending goes on from there, and each entry is found by its key.
        s.bench_append_log(&[entry(Kind::Result, "R-9", 2), entry(Kind::Enterprise, "91150102MA0000000X", 1)])
            .await
            .unwrap();
        assert_eq!(s.log_entry("result", "R-9", 2).await.unwrap().unwrap().index, 3);
        assert_eq!(s.log_entry("enterprise", "91150102MA0000000X", 1).await.unwrap().unwrap().index, 4);

        // A key logged before is refused with the whole append.
        let again = s.bench_append_log(&[entry(Kind::Plan, "P-1", 1), entry(Kind::Item, "150102/1", 2)]).await;
        let Err(StorageError::Database(sqlx::Error::Database(e))) = again else { panic!("accepted: {again:?}") };
        assert!(e.is_unique_violation(), "{e}");
        assert_eq!(s.read_log_size().await.unwrap(), 5);
        assert!(s.log_entry("plan", "P-1", 1).await.unwrap().is_none());

        // A large import's keys are a run of their own, found with the others.
        let import: Vec<_> = (0..70_000).map(|i| entry(Kind::Enterprise, &format!("E{i:05}"), 1)).collect();
        s.bench_append_log(&import).await.unwrap();
        s.bench_append_log(&[entry(Kind::Enterprise, "E00007", 2)]).await.unwrap();
        let runs: Vec<i64> = sqlx::query_scalar("SELECT run FROM log_runs").fetch_all(s.pool()).await.unwrap();
        assert_eq!(runs, [5]);
        assert_eq!(s.log_entry("enterprise", "E69999", 1).await.unwrap().unwrap().index, 5 + 69_999);
        assert_eq!(s.log_entry("enterprise", "E00007", 2).await.unwrap().unwrap().index, 5 + 70_000);
        assert_eq!(s.log_entry("item", "150102/1", 1).await.unwrap().unwrap().index, 0);
        let keys: Vec<(i64, i64)> = sqlx::query_as("SELECT run, COUNT(*) FROM log_keys GROUP BY run ORDER BY run")
            .fetch_all(s.pool())
            .await
            .unwrap();
        assert_eq!(keys, [(0, 6), (5, 70_000)]);

        for sql in [
            "UPDATE log_runs SET run = 0",
            "DELETE FROM log_runs",
            "UPDATE log_keys SET idx = 0",
            "DELETE FROM log_keys",
            "UPDATE log_entries SET key = 'other'",
            "DELETE FROM log_entries",
        ] {
            let refused = sqlx::query(sql).execute(s.pool()).await.unwrap_err();
            assert!(refused.to_string().contains("the publication log is append-only"), "{sql}: {refused}");
        }
    }
}
