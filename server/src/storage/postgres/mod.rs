//! PostgreSQL implementation (embedded migrations in `server/migrations-postgres/`,
//! the same tables and columns as SQLite's; see the migration's header for
//! what differs and why). Like `sqlite`, it only persists and reads: what a
//! publication means is decided above storage (`crate::log`, `crate::publish`).
//!
//! Chosen by `GONGKAI_DATABASE=postgres://…`. Every publishing transaction
//! holds one advisory lock (as SQLite's write lock serializes writers), and
//! rows get the numbers SQLite would give them (the table's largest + 1), so
//! the two backends publish the same rows, log entries and URLs.

use std::str::FromStr;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::StorageError;

mod feedback;
mod log;
mod publishing;
#[cfg(test)]
mod publishing_tests;
mod read;
#[cfg(test)]
mod read_tests;
mod replicas;
mod report;
mod storage;
mod trigrams;
mod write;
#[cfg(test)]
mod write_tests;

use log::PgLog;

#[derive(Clone, Debug)]
pub struct PgStorage {
    /// The primary: every write, and the reads when there are no replicas.
    pool: PgPool,
    /// Read replicas (`GONGKAI_DATABASE_REPLICAS`), see `replicas.rs`.
    replicas: Option<std::sync::Arc<replicas::Replicas>>,
    /// How long a publication waits for another to finish before giving up ([`StorageError::Busy`]).
    write_wait: std::time::Duration,
    /// How selective each trigram of the names is, for name searches (see `trigrams.rs`).
    trigrams: std::sync::Arc<trigrams::TrigramCache>,
}

/// The options of every connection to `url`: each statement planned for its
/// parameters (`plan_cache_mode`). The statements are prepared once per
/// connection and cached; after five runs PostgreSQL would otherwise plan them
/// once for any parameters, and a name search (`name ILIKE $1 … ORDER BY id
/// LIMIT 50`) then walked 10 million enterprises in id order (10 s) instead of
/// asking the trigram index about the one name it finds (measured with
/// `scripts/bench-scale-pg.sh`).
pub(super) fn connect_options(url: &str) -> Result<PgConnectOptions, StorageError> {
    Ok(PgConnectOptions::from_str(url)?.options([("plan_cache_mode", "force_custom_plan")]))
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://…`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        Self::open_with(url, &[], super::WRITE_WAIT).await
    }

    /// Connects to the primary at `url` and migrates it; reads go to the
    /// `replicas` (`postgres://…` URLs of its streaming standbys) when they
    /// have what the primary has published (see `replicas.rs`). A publication
    /// waits up to `write_wait` for another one to finish.
    pub async fn open_with(
        url: &str,
        replicas: &[String],
        write_wait: std::time::Duration,
    ) -> Result<Self, StorageError> {
        let unreachable = |e: sqlx::Error| if replicas::unreachable(&e) { StorageError::Unavailable } else { e.into() };
        let options = connect_options(url)?;
        // One connection first: a server that refuses or is not there is an
        // error at once, not after the pool's retries.
        let first = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options).await.map_err(unreachable)?;
        sqlx::Connection::close(first).await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(PRIMARY_WAIT)
            .connect_with(options)
            .await
            .map_err(unreachable)?;
        sqlx::migrate!("./migrations-postgres").run(&pool).await?;
        let replicas = match replicas {
            [] => None,
            urls => Some(std::sync::Arc::new(replicas::Replicas::new(urls)?)),
        };
        let storage = Self { pool, replicas, write_wait, trigrams: Default::default() };
        // Reads must see the schema just migrated (and everything before it).
        storage.published().await?;
        Ok(storage)
    }

    /// The connection pool (for tests that check constraints directly).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Starts a publishing transaction. Publications are serialized, as
    /// SQLite's write lock serializes them: each holds a transaction-scoped
    /// advisory lock, so the log's appends (which read its right edge) never
    /// interleave, on this node or on any other connected to the primary.
    ///
    /// The primary unreachable: [`StorageError::Unavailable`]; another
    /// publication still running after `write_wait`: [`StorageError::Busy`]
    /// (as SQLite's busy timeout).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StorageError> {
        if self.replicas.as_ref().is_some_and(|r| r.primary.is_down()) {
            return Err(StorageError::Unavailable);
        }
        let mut tx = match self.pool.begin().await {
            Ok(tx) => tx,
            Err(e) if replicas::unreachable(&e) => {
                if let Some(r) = &self.replicas {
                    r.primary.mark_down();
                }
                return Err(StorageError::Unavailable);
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query("SELECT set_config('lock_timeout', $1, true)")
            .bind(format!("{}ms", self.write_wait.as_millis().max(1)))
            .execute(&mut *tx)
            .await?;
        match sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PUBLISH_LOCK).execute(&mut *tx).await {
            Ok(_) => Ok(tx),
            // lock_not_available: the lock was not granted within lock_timeout.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {
                Err(StorageError::Busy(self.write_wait.as_secs()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Benchmarks only: appends `entries` in one transaction without any
    /// publication behind them (see `SqliteStorage::bench_append_log`).
    #[doc(hidden)]
    pub async fn bench_append_log(&self, entries: &[crate::log::Entry]) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        crate::log::append(&mut PgLog(&mut tx), entries).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The log's number of entries.
    pub async fn log_size(&self) -> Result<u64, StorageError> {
        use crate::log::LogTables as _;
        PgLog(&mut *self.reader().await?).size().await
    }

    /// The log's size and root hash, read together (one snapshot).
    pub async fn log_head(&self) -> Result<(u64, tlog_tiles::Hash), StorageError> {
        use crate::log::LogTables as _;
        let mut conn = self.reader().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        let n = PgLog(&mut tx).size().await?;
        let root = crate::log::tree_root(&mut PgLog(&mut tx), n).await?;
        tx.commit().await?;
        Ok((n, root))
    }

    /// The root hash of the log's first `size` entries (`None` when the log is shorter).
    pub async fn log_root(&self, size: u64) -> Result<Option<tlog_tiles::Hash>, StorageError> {
        use crate::log::LogTables as _;
        let mut conn = self.reader().await?;
        if size > PgLog(&mut conn).size().await? {
            return Ok(None);
        }
        Ok(Some(crate::log::tree_root(&mut PgLog(&mut conn), size).await?))
    }

    /// The consistency proof (RFC 6962) from the log's first `old` entries to its first `size`.
    pub async fn log_consistency(&self, old: u64, size: u64) -> Result<Vec<tlog_tiles::Hash>, StorageError> {
        crate::log::consistency(&mut PgLog(&mut *self.reader().await?), old, size).await
    }

    /// The entries with leaf indexes in `range`, in order.
    pub async fn log_entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StorageError> {
        Ok(sqlx::query_scalar("SELECT entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx")
            .bind(range.start as i64)
            .bind(range.end as i64)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }
}

/// How long a statement waits for a connection to the primary (its pool's
/// acquire timeout, sqlx's default): an unreachable primary is then
/// [`StorageError::Unavailable`]. Not shorter: under load (64 clients on 16
/// connections, the 1 M bench) waits of 10 s were seen, and a shorter timeout
/// turned them into error pages.
const PRIMARY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The advisory lock every publishing transaction holds (any fixed number;
/// this one spells "gongkai" in ASCII).
const PUBLISH_LOCK: i64 = 0x0067_6f6e_676b_6169;

/// For tests: a new, empty database in the cluster at `admin_url` (the test
/// run's throwaway cluster, `GONGKAI_TEST_POSTGRES`), its URL returned.
/// Created with a UTF-8 `C.UTF-8` character type, as `pg_trgm` needs to index
/// Chinese names (see the migration).
#[doc(hidden)]
pub async fn create_test_database(admin_url: &str) -> Result<String, sqlx::Error> {
    use sqlx::Connection as _;
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| sqlx::Error::Io(std::io::Error::other(e.to_string())))?;
    let name = format!("t_{}", hex::encode(random));
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
    ))
    .execute(&mut admin)
    .await?;
    admin.close().await?;
    let mut options = PgConnectOptions::from_str(admin_url)?;
    options = options.database(&name);
    Ok(format!("postgres://{}@{}:{}/{name}", options.get_username(), options.get_host(), options.get_port()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::log::{Entry, Kind};
    use crate::storage::SqliteStorage;
    use crate::storage::sqlite::SqliteLog;

    /// The test run's cluster (`scripts/test.sh` starts one; by hand: `eval "$(scripts/pg.sh start)"`).
    fn admin_url() -> String {
        std::env::var("GONGKAI_TEST_POSTGRES").expect(
            "GONGKAI_TEST_POSTGRES is not set: the PostgreSQL tests need a cluster \
             (scripts/test.sh starts one; by hand: eval \"$(scripts/pg.sh start)\")",
        )
    }

    async fn fresh() -> PgStorage {
        let url = create_test_database(&admin_url()).await.unwrap();
        PgStorage::open(&url).await.unwrap()
    }

    /// Tables whose SQLite rows are addressed by the hidden `rowid`: an explicit
    /// last column in PostgreSQL (see the migration's header).
    const ROWID_TABLES: [&str; 6] =
        ["calendar_years", "draws", "draw_commitments", "log_cosignatures", "feedback_codes", "demo_feedback_codes"];

    #[tokio::test]
    async fn the_schema_has_sqlites_tables_with_the_same_columns_in_the_same_order() {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        let pg = fresh().await;
        let virtual_tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .fetch_all(sqlite.pool())
        .await
        .unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx%' ORDER BY name",
        )
        .fetch_all(sqlite.pool())
        .await
        .unwrap();
        // FTS5's own tables (the virtual table and its shadow tables) are SQLite's search index.
        let tables: Vec<String> = tables
            .into_iter()
            .filter(|t| !virtual_tables.iter().any(|v| t == v || t.starts_with(&format!("{v}_"))))
            .collect();
        let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in &tables {
            let mut columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(t)
                .fetch_all(sqlite.pool())
                .await
                .unwrap();
            if ROWID_TABLES.contains(&t.as_str()) {
                columns.push("rowid".to_owned());
            }
            expected.insert(t.clone(), columns);
        }
        // The two-character name index: an FTS5 table in SQLite, a table of (bigram, enterprise) here.
        expected.insert("enterprise_bigrams".to_owned(), vec!["enterprise_id".to_owned(), "bigram".to_owned()]);
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name, ordinal_position",
        )
        .fetch_all(pg.pool())
        .await
        .unwrap();
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (table, column) in rows {
            found.entry(table).or_default().push(column);
        }
        assert!(expected.len() > 20, "SQLite's tables: {:?}", expected.keys());
        assert_eq!(found, expected);
    }

    /// The database's own message of a refused statement.
    fn refusal<T: std::fmt::Debug>(r: Result<T, sqlx::Error>) -> String {
        match r {
            Err(sqlx::Error::Database(e)) => e.message().to_owned(),
            other => panic!("expected the database to refuse, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn published_rows_are_refused_changes_with_the_same_messages_as_in_sqlite() {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        let pg = fresh().await;
        // The same rows, written with the same SQL in both.
        let rows = [
            "INSERT INTO departments (id, name, code, level, published_at) \
             VALUES (1, '河朔市市场监督管理局', '159902', 'city', '2025-01-02T09:00:00+08:00')",
            "INSERT INTO departments (id, name) VALUES (2, '未公布的部门')",
            "INSERT INTO items (department_id, item_code, version, seq, name, content, legal_basis, qualification, \
             method, status, effective_from, published_at) VALUES (1, 'A1', 1, 1, '计量监督检查', '计量器具', \
             '《中华人民共和国计量法》', '计量', '现场核查', 'active', '2025-01-01', '2025-01-01T09:00:00+08:00')",
            "INSERT INTO log_entries (idx, kind, key, version, entry) VALUES (0, 'item', '159902/A1', 1, 'x')",
        ];
        for sql in rows {
            sqlx::query(sql).execute(sqlite.pool()).await.unwrap();
            sqlx::query(sql).execute(pg.pool()).await.unwrap();
        }
        let refused = [
            ("UPDATE departments SET name = '改名' WHERE id = 1", "published departments are append-only"),
            ("DELETE FROM departments WHERE id = 1", "published departments are append-only"),
            ("UPDATE items SET name = '改名'", "published items are append-only"),
            ("DELETE FROM items", "published items are append-only"),
            ("UPDATE log_entries SET key = 'other'", "the publication log is append-only"),
            ("DELETE FROM log_entries", "the publication log is append-only"),
            (
                "INSERT INTO items (department_id, item_code, version, seq, name, content, legal_basis, qualification, \
              method, status, effective_from, published_at) VALUES (1, 'A2', 0, 1, 'n', 'c', 'l', 'q', 'm', \
              'active', '2025-01-01', '2025-01-01T09:00:00+08:00')",
                "",
            ),
        ];
        for (sql, message) in refused {
            let (in_sqlite, in_pg) = (
                refusal(sqlx::query(sql).execute(sqlite.pool()).await),
                refusal(sqlx::query(sql).execute(pg.pool()).await),
            );
            if message.is_empty() {
                // A CHECK: each database words it its own way; both refuse.
                assert!(in_sqlite.contains("CHECK") && in_pg.contains("check"), "{sql}: {in_sqlite} / {in_pg}");
            } else {
                assert_eq!((in_sqlite.as_str(), in_pg.as_str()), (message, message), "{sql}");
            }
        }
        // An unpublished department (named by a draw, no code yet) may still be completed.
        for pool_sql in ["UPDATE departments SET code = '159903', level = 'district' WHERE id = 2"] {
            sqlx::query(pool_sql).execute(sqlite.pool()).await.unwrap();
            sqlx::query(pool_sql).execute(pg.pool()).await.unwrap();
        }
        // PostgreSQL's TRUNCATE skips row triggers: refused by its own.
        assert_eq!(
            refusal(sqlx::query("TRUNCATE items CASCADE").execute(pg.pool()).await),
            "published items are append-only"
        );
    }

    /// RFC 6962's Merkle tree hash, written out here from the RFC (not with `tlog_tiles`).
    fn rfc6962_root(leaves: &[Vec<u8>]) -> [u8; 32] {
        fn hash(parts: &[&[u8]]) -> [u8; 32] {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().into()
        }
        match leaves.len() {
            0 => hash(&[]),
            1 => hash(&[&[0], &leaves[0]]),
            n => {
                let k = n.next_power_of_two() / 2;
                hash(&[&[1], &rfc6962_root(&leaves[..k]), &rfc6962_root(&leaves[k..])])
            }
        }
    }

    fn entries(from: u32, n: u32) -> Vec<Entry> {
        (from..from + n)
            .map(|i| {
                let key = format!("159902/A{i}");
                let url = format!("/items/{i}");
                Entry::new(Kind::Item, &key, 1, "2025-01-01T09:00:00+08:00", &url, format!("content {i}").as_bytes())
                    .unwrap()
            })
            .collect()
    }

    #[tokio::test]
    async fn the_log_appends_the_same_tree_and_tiles_in_both_backends() {
        let sqlite = SqliteStorage::in_memory().await.unwrap();
        let pg = fresh().await;
        // Three appends (the second crosses the first full tile, 256 entries), each in a transaction.
        let batches = [entries(0, 100), entries(100, 300), entries(400, 3)];
        for batch in &batches {
            pg.bench_append_log(batch).await.unwrap();
            let mut tx = sqlite.pool().begin().await.unwrap();
            crate::log::append(&mut SqliteLog(&mut tx), batch).await.unwrap();
            tx.commit().await.unwrap();
        }
        let all: Vec<Vec<u8>> = batches.iter().flatten().map(Entry::to_bytes).collect();
        assert_eq!(pg.log_size().await.unwrap(), 403);
        assert_eq!(pg.log_head().await.unwrap().1.0, rfc6962_root(&all));
        for size in [1, 255, 256, 257, 400, 403] {
            let root = pg.log_root(size).await.unwrap().unwrap();
            assert_eq!(root.0, rfc6962_root(&all[..size as usize]), "root of {size}");
        }
        assert_eq!(pg.log_root(404).await.unwrap(), None);
        assert_eq!(pg.log_entries(401..500).await.unwrap(), all[401..]);
        // Row for row the same tables.
        let hashes = "SELECT idx, hash FROM log_hashes ORDER BY idx";
        let pg_hashes: Vec<(i64, Vec<u8>)> = sqlx::query_as(hashes).fetch_all(pg.pool()).await.unwrap();
        let sqlite_hashes: Vec<(i64, Vec<u8>)> = sqlx::query_as(hashes).fetch_all(sqlite.pool()).await.unwrap();
        assert_eq!(pg_hashes.len(), sqlite_hashes.len());
        assert!(pg_hashes == sqlite_hashes);
        let tiles = "SELECT level, n, data FROM log_tiles ORDER BY level, n";
        let pg_tiles: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(tiles).fetch_all(pg.pool()).await.unwrap();
        let sqlite_tiles: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(tiles).fetch_all(sqlite.pool()).await.unwrap();
        assert_eq!(pg_tiles.iter().map(|(l, n, d)| (*l, *n, d.len())).collect::<Vec<_>>(), [(0, 0, 8192)]);
        assert!(pg_tiles == sqlite_tiles);
        let entries_sql = "SELECT idx, kind, key, version, entry FROM log_entries ORDER BY idx";
        let pg_entries: Vec<(i64, String, String, i64, Vec<u8>)> =
            sqlx::query_as(entries_sql).fetch_all(pg.pool()).await.unwrap();
        let sqlite_entries: Vec<(i64, String, String, i64, Vec<u8>)> =
            sqlx::query_as(entries_sql).fetch_all(sqlite.pool()).await.unwrap();
        assert!(pg_entries == sqlite_entries);
        assert_eq!(pg_entries[402].4, all[402]);
        // The consistency proof from 100 to 403 entries, the same read from both.
        let proof = pg.log_consistency(100, 403).await.unwrap();
        let mut sconn = sqlite.pool().acquire().await.unwrap();
        assert_eq!(proof, crate::log::consistency(&mut SqliteLog(&mut sconn), 100, 403).await.unwrap());
        assert!(!proof.is_empty());
    }

    #[tokio::test]
    async fn concurrent_publications_append_one_after_the_other() {
        let pg = fresh().await;
        // Without the publishing lock both would read the same right edge and
        // one would fail on the entry number taken by the other.
        let appends: Vec<_> = (0..4)
            .map(|i| {
                let pg = pg.clone();
                tokio::spawn(async move { pg.bench_append_log(&entries(i * 50, 50)).await })
            })
            .collect();
        for a in appends {
            a.await.unwrap().unwrap();
        }
        let stored = pg.log_entries(0..1000).await.unwrap();
        assert_eq!(stored.len(), 200);
        assert_eq!(pg.log_head().await.unwrap(), (200, tlog_tiles::Hash(rfc6962_root(&stored))));
    }

    #[tokio::test]
    async fn a_publication_waiting_longer_than_the_write_wait_for_another_is_busy_and_writes_nothing() {
        use crate::storage::{Batch, NewDepartment, Storage as _};
        let url = create_test_database(&admin_url()).await.unwrap();
        let pg = PgStorage::open_with(&url, &[], std::time::Duration::from_secs(1)).await.unwrap();
        // Another publisher holds the lock (as a long import would).
        let mut other = pg.pool().acquire().await.unwrap();
        sqlx::query("SELECT pg_advisory_lock($1)").bind(PUBLISH_LOCK).execute(&mut *other).await.unwrap();
        let department = NewDepartment {
            code: "990001".to_owned(),
            name: "等待测试局".to_owned(),
            level: crate::storage::Level::Province,
            parent_code: None,
            published_at: "2025-01-02T09:00:00+08:00".to_owned(),
        };
        let started = std::time::Instant::now();
        match pg.import(&Batch::Departments(vec![department.clone()])).await {
            Err(e @ StorageError::Busy(1)) => {
                assert!(e.to_string().contains("another import or publication is running"))
            }
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "it gave up after its wait");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM departments").fetch_one(pg.pool()).await.unwrap();
        assert_eq!(n, 0, "nothing written");
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(PUBLISH_LOCK).execute(&mut *other).await.unwrap();
        pg.import(&Batch::Departments(vec![department])).await.unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_primary_is_unavailable_with_a_bilingual_message() {
        // A port nothing listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        match PgStorage::open(&format!("postgres://postgres@127.0.0.1:{port}/portal")).await {
            Err(e @ StorageError::Unavailable) => {
                let message = e.to_string();
                assert!(message.contains("主数据库暂时无法连接") && message.contains("cannot be reached"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
