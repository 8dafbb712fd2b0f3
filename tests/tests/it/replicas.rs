//! Read replicas (`GONGKAI_DATABASE_REPLICAS`) with a real streaming replica:
//! a primary and a hot standby copied from it with `pg_basebackup`, both on
//! loopback (`scripts/lib.sh` pg_start, pg_replica, pg_halt, pg_resume). Reads
//! are served by the replica; whoever publishes sees the publication at once
//! even while the replica lags; the replica stopped → the primary answers; the
//! primary stopped → the replica answers and publishing is refused with a
//! clear message. Runs with the PostgreSQL suite (`GONGKAI_TEST_BACKEND=postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gongkai_server::configuration::{Database, Settings};
use gongkai_server::storage::{Batch, StorageError};
use gongkai_tests::{new_enterprises, on_postgres, server_command, spawn_with};
use reqwest::StatusCode;

/// Runs `script` with `scripts/lib.sh` loaded and returns what it printed.
fn lib_sh(script: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source scripts/lib.sh && {script}"))
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The two clusters, deleted when the test ends (passed or not).
struct Clusters {
    primary: PathBuf,
    replica: PathBuf,
}

impl Drop for Clusters {
    fn drop(&mut self) {
        for dir in [&self.replica, &self.primary] {
            let _ = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("source scripts/lib.sh && pg_stop '{}'", dir.display()))
                .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
                .status();
        }
    }
}

/// `url` (a cluster's `…/postgres`) for the database `name`.
fn database_url(url: &str, name: &str) -> String {
    format!("{}/{name}", url.rsplit_once('/').unwrap().0)
}

/// Waits until the replica has replayed everything the primary has written.
async fn caught_up(primary: &sqlx::PgPool, replica: &str) {
    let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::TEXT").fetch_one(primary).await.unwrap();
    let started = Instant::now();
    loop {
        // A new connection each time: the replica may just have been restarted.
        if let Ok(pool) = sqlx::PgPool::connect(replica).await {
            let done: Option<bool> = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::TEXT::pg_lsn")
                .bind(&lsn)
                .fetch_one(&pool)
                .await
                .ok()
                .flatten();
            pool.close().await;
            if done == Some(true) {
                return;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the replica did not catch up with {lsn}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(url: &str, sql: &str) -> i64 {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn reads_go_to_a_replica_that_has_the_publications_and_survive_either_database_stopping() {
    if !on_postgres() {
        return; // runs once, with the suite on PostgreSQL
    }
    let clusters_dir = tempfile::tempdir().unwrap();
    let clusters =
        Clusters { primary: clusters_dir.path().join("primary"), replica: clusters_dir.path().join("replica") };
    let admin = lib_sh(&format!("pg_start '{}'", clusters.primary.display()));
    let admin_pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query("CREATE DATABASE portal TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'")
        .execute(&admin_pool)
        .await
        .unwrap();
    let replica_admin =
        lib_sh(&format!("pg_replica '{}' '{}'", clusters.primary.display(), clusters.replica.display()));
    let (primary, replica) = (database_url(&admin, "portal"), database_url(&replica_admin, "portal"));
    assert_eq!(count(&replica, "SELECT pg_is_in_recovery()::INT::BIGINT").await, 1, "a hot standby");

    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.database = Database::Postgres(primary.clone());
    settings.replicas = vec![replica.clone()];
    let app = spawn_with(settings, dir).await; // the demo is published on the primary
    let primary_pool = sqlx::PgPool::connect(&primary).await.unwrap();
    caught_up(&primary_pool, &replica).await;
    let (status, body) = app.get("/api/departments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("159902"), "the demo's departments: {body}");

    // 1. Reads are served by the replica: with its replay paused, a row written
    //    on the primary behind the portal's back (no publication, nothing
    //    logged) is not on a page read afterwards.
    sqlx::query("SELECT pg_wal_replay_pause()").execute(&sqlx::PgPool::connect(&replica).await.unwrap()).await.unwrap();
    sqlx::query(
        "INSERT INTO departments (id, name, code, level, published_at) \
         VALUES ((SELECT MAX(id) + 1 FROM departments), '副本核对局', '999901', 'district', '2026-11-30T10:00:00+08:00')",
    )
    .execute(&primary_pool)
    .await
    .unwrap();
    let (status, body) = app.get("/departments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("市场监督管理局") && !body.contains("副本核对局"), "read from the paused replica");

    // 2. Read-your-writes: a publication by another process (as `server import`)
    //    while the replica still lags is on the next page (read on the primary),
    //    although the replica does not have it yet.
    let publisher =
        gongkai_server::storage::open(&Database::Postgres(primary.clone()), gongkai_server::storage::WRITE_WAIT)
            .await
            .unwrap();
    let code = draw::synthetic::credit_code(9_100_000);
    publisher.import(&Batch::Enterprises(new_enterprises("159902", 9_100_000..9_100_001, "副本读写"))).await.unwrap();
    let (status, body) = app.get(&format!("/enterprises/{code}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("副本读写第9100000号有限公司"), "the publication is seen at once");
    assert_eq!(
        count(&replica, &format!("SELECT COUNT(*) FROM enterprises WHERE credit_code = '{code}'")).await,
        0,
        "the replica had not replayed it: the page came from the primary"
    );
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&sqlx::PgPool::connect(&replica).await.unwrap())
        .await
        .unwrap();
    caught_up(&primary_pool, &replica).await;
    let (_, body) = app.get("/api/departments.csv").await;
    assert!(body.contains("副本核对局"), "the replica caught up: {body}");

    // 3. The replica stopped: the primary answers, no error page.
    lib_sh(&format!("pg_halt '{}'", clusters.replica.display()));
    for path in
        [format!("/api/enterprises/{code}"), "/enterprises?q=副本读写".to_owned(), "/api/departments/999901".to_owned()]
    {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains("副本"), "{path}: {body}");
    }

    // 4. The primary stopped (the replica back and caught up): pages are read
    //    from the replica, and publishing is refused with a clear message.
    lib_sh(&format!("pg_resume '{}'", clusters.replica.display()));
    caught_up(&primary_pool, &replica).await;
    let server_storage = gongkai_server::storage::open_with_replicas(
        &Database::Postgres(primary.clone()),
        std::slice::from_ref(&replica),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    primary_pool.close().await;
    admin_pool.close().await;
    lib_sh(&format!("pg_halt '{}'", clusters.primary.display()));
    tokio::time::sleep(Duration::from_secs(3)).await; // the replica was left out for a while after its stop
    for path in [
        format!("/enterprises/{code}?lang=en"),
        "/enterprises?q=副本读写&lang=en".to_owned(),
        "/api/departments".to_owned(),
        "/api/enterprises?q=副本读写".to_owned(),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains("副本"), "{path}: {body}");
    }
    assert!(server_storage.generation().await.is_ok(), "the generation is read on the replica");
    match server_storage.import(&Batch::Enterprises(new_enterprises("159902", 9_100_001..9_100_002, "主库停止"))).await
    {
        Err(e @ StorageError::Unavailable) => {
            let message = e.to_string();
            assert!(message.contains("主数据库暂时无法连接") && message.contains("nothing was written"), "{message}");
        }
        other => panic!("publishing with the primary down gave {other:?}"),
    }
    // `server import` against the stopped primary: exit code 2, nothing written.
    let file = clusters_dir.path().join("calendar.txt");
    std::fs::write(&file, "x").unwrap();
    let args = ["import", "calendar", file.to_str().unwrap(), "--database", primary.as_str()];
    assert_eq!(server_command(&args), ExitCode::from(2));
    assert_eq!(
        count(&replica, "SELECT COUNT(*) FROM enterprises WHERE name LIKE '主库停止%'").await,
        0,
        "nothing was published"
    );
    drop(clusters);
}
