//! Read replicas (`GONGKAI_DATABASE_REPLICAS`): PostgreSQL standbys streaming
//! from the primary, which answer the pages' and the API's reads while
//! everything is published on the primary.
//!
//! Which database answers a read ([`PgStorage::reader`]):
//! 1. a replica, in turn, that has replayed the primary's write-ahead log up
//!    to the *required* position: the primary's position after the last
//!    publication this process knows of — its own (a feedback receipt, a
//!    cosignature: [`PgStorage::commit`]) or anyone's (a `server import` run
//!    elsewhere), which the per-request [`PgStorage::generation`] check reads
//!    on the primary together with the generation. So whoever has just
//!    published sees the publication on the next page (read-your-writes),
//!    and a page never shows less than the page before it;
//! 2. else the primary;
//! 3. else, when the primary cannot be reached, a replica that has not caught
//!    up: an older page is better than an error while the primary is down
//!    (publishing is refused meanwhile: [`StorageError::Unavailable`]).
//!
//! A database that cannot be reached (connection refused, no answer within
//! [`CONNECT_WAIT`]) is left out for [`DOWN_FOR`] and then tried again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

use super::PgStorage;
use crate::storage::StorageError;

/// How long a read waits for a connection to a replica, or to the primary
/// when replicas exist, before it goes elsewhere.
pub(super) const CONNECT_WAIT: Duration = Duration::from_secs(1);

/// How long a database that could not be reached is left out.
pub(super) const DOWN_FOR: Duration = Duration::from_secs(2);

/// The primary's current write-ahead-log position, as a number.
const PRIMARY_LSN: &str = "SELECT (pg_current_wal_lsn() - '0/0')::BIGINT";

/// How far a standby has replayed the primary's log (a database that is not a
/// standby answers with its own position).
const REPLAYED_LSN: &str = "SELECT (COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) - '0/0')::BIGINT";

/// A database that may be unreachable for a while.
#[derive(Debug, Default)]
pub(super) struct Reachability(Mutex<Option<Instant>>);

impl Reachability {
    pub(super) fn is_down(&self) -> bool {
        self.0.lock().map(|until| until.is_some_and(|t| Instant::now() < t)).unwrap_or(false)
    }

    pub(super) fn mark_down(&self) {
        if let Ok(mut until) = self.0.lock() {
            *until = Some(Instant::now() + DOWN_FOR);
        }
    }
}

#[derive(Debug)]
struct Replica {
    pool: PgPool,
    /// How far it had replayed when last asked.
    replayed: AtomicU64,
    reachable: Reachability,
}

/// The replicas of a [`PgStorage`], and what reads require of them.
#[derive(Debug)]
pub(super) struct Replicas {
    list: Vec<Replica>,
    next: AtomicUsize,
    /// The primary's log position that a replica must have replayed to answer.
    required: AtomicU64,
    /// The generation last read on the primary (a new one moves `required`).
    generation: Mutex<Vec<i64>>,
    pub(super) primary: Reachability,
}

impl Replicas {
    /// Pools for `urls` (connected lazily: a replica that is down at start is
    /// simply left out until it answers).
    pub(super) fn new(urls: &[String]) -> Result<Self, StorageError> {
        let mut list = Vec::new();
        for url in urls {
            let options = super::connect_options(url)?;
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(CONNECT_WAIT)
                .connect_lazy_with(options);
            list.push(Replica { pool, replayed: AtomicU64::new(0), reachable: Reachability::default() });
        }
        Ok(Self {
            list,
            next: AtomicUsize::new(0),
            required: AtomicU64::new(0),
            generation: Mutex::new(Vec::new()),
            primary: Reachability::default(),
        })
    }

    /// Reads must now see the primary's log up to `lsn`.
    pub(super) fn require(&self, lsn: i64) {
        self.required.fetch_max(lsn.max(0) as u64, Ordering::SeqCst);
    }

    /// A new generation read on the primary at `lsn`: reads must see it.
    pub(super) fn saw_generation(&self, generation: &[i64], lsn: i64) {
        if let Ok(mut last) = self.generation.lock()
            && last.as_slice() != generation
        {
            self.require(lsn);
            *last = generation.to_vec();
        }
    }
}

/// A connection within [`CONNECT_WAIT`], or `None` (and the database left out for a while).
pub(super) async fn connect(pool: &PgPool, reachable: &Reachability) -> Option<PoolConnection<Postgres>> {
    if reachable.is_down() {
        return None;
    }
    match tokio::time::timeout(CONNECT_WAIT, pool.acquire()).await {
        Ok(Ok(conn)) => Some(conn),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database unreachable: left out for a while");
            reachable.mark_down();
            None
        }
        Err(_) => {
            tracing::warn!("database did not answer in time: left out for a while");
            reachable.mark_down();
            None
        }
    }
}

impl PgStorage {
    /// A connection for a read (see the module's documentation for which database answers).
    pub(super) async fn reader(&self) -> Result<PoolConnection<Postgres>, StorageError> {
        let Some(replicas) = &self.replicas else { return Ok(self.pool.acquire().await?) };
        let required = replicas.required.load(Ordering::SeqCst);
        let n = replicas.list.len();
        let first = replicas.next.fetch_add(1, Ordering::Relaxed);
        let mut behind = None;
        for i in 0..n {
            let replica = &replicas.list[(first + i) % n];
            let Some(mut conn) = connect(&replica.pool, &replica.reachable).await else { continue };
            if replica.replayed.load(Ordering::SeqCst) >= required {
                return Ok(conn);
            }
            match sqlx::query_scalar::<_, i64>(REPLAYED_LSN).fetch_one(&mut *conn).await {
                Ok(lsn) => {
                    replica.replayed.fetch_max(lsn.max(0) as u64, Ordering::SeqCst);
                    if lsn.max(0) as u64 >= required {
                        return Ok(conn);
                    }
                    behind.get_or_insert(conn);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "replica failed: left out for a while");
                    replica.reachable.mark_down();
                }
            }
        }
        if let Some(conn) = connect(&self.pool, &replicas.primary).await {
            return Ok(conn);
        }
        behind.ok_or(StorageError::Unavailable)
    }

    /// Commits a publishing transaction; with replicas, reads must then see it.
    pub(super) async fn commit(&self, tx: sqlx::Transaction<'static, Postgres>) -> Result<(), StorageError> {
        tx.commit().await?;
        self.published().await
    }

    /// After a write on the primary: with replicas, reads must see the primary's log up to here.
    pub(super) async fn published(&self) -> Result<(), StorageError> {
        if let Some(replicas) = &self.replicas {
            let lsn: i64 = sqlx::query_scalar(PRIMARY_LSN).fetch_one(&self.pool).await?;
            replicas.require(lsn);
        }
        Ok(())
    }
}

/// Whether `e` says the database could not be reached (rather than refusing a statement).
pub(super) fn unreachable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_))
}
