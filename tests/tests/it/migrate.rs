//! `server migrate-db`: a whole portal copied from SQLite into a new
//! PostgreSQL database (the test run's throwaway cluster) and proved equal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use std::path::PathBuf;

use gongkai_server::configuration::Settings;
use gongkai_server::startup::Application;
use gongkai_server::storage::{Batch, PgStorage, SqliteStorage, Storage as _};
use gongkai_tests::{new_enterprises, postgres_admin_url as admin_url, server_command};

/// A portal on SQLite, migrate-db's source, in `dir` (whichever backend the
/// run's servers use: `spawn_app` gives a PostgreSQL portal with
/// `GONGKAI_TEST_BACKEND=postgres`): built as the server builds it at its
/// first start (the demo seeded), then its database file and its storage.
async fn sqlite_portal(dir: &tempfile::TempDir) -> (PathBuf, SqliteStorage) {
    let path = dir.path().join("data").join("gongkai.db");
    drop(Application::build(Settings::for_tests(path.clone())).await.unwrap());
    let storage = SqliteStorage::open(&path).await.unwrap();
    (path, storage)
}

#[tokio::test]
async fn a_portal_is_copied_into_postgresql_and_proved_equal_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, storage) = sqlite_portal(&dir).await;
    // Something published after the demo, through the portal's own import.
    storage.import(&Batch::Enterprises(new_enterprises("159902", 900_000..900_020, "迁移测试"))).await.unwrap();
    let db = path.display().to_string();
    let url = gongkai_server::storage::create_test_database(&admin_url()).await.unwrap();
    assert_eq!(server_command(&["migrate-db", "--from", &db, "--to", &url]), ExitCode::SUCCESS);
    let copy = PgStorage::open(&url).await.unwrap();
    assert_eq!(copy.log_head().await.unwrap(), storage.log_head().await.unwrap());
    let names: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises WHERE name LIKE '迁移测试%'")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(names, 20);
    // A second copy into the same database is refused (exit 2) and writes nothing.
    let sqlite_url = format!("sqlite://{db}");
    assert_eq!(server_command(&["migrate-db", "--from", &sqlite_url, "--to", &url]), ExitCode::from(2));
    assert_eq!(copy.log_head().await.unwrap(), storage.log_head().await.unwrap());
}

#[tokio::test]
async fn bad_arguments_and_unreachable_databases_are_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = sqlite_portal(&dir).await;
    let db = path.display().to_string();
    let url = gongkai_server::storage::create_test_database(&admin_url()).await.unwrap();
    let missing = path.with_file_name("missing.db").display().to_string();
    for (from, to) in [
        (db.as_str(), "mysql://root@127.0.0.1/gongkai"),
        (db.as_str(), "/tmp/another.db"),
        (db.as_str(), "postgres://postgres@127.0.0.1:1/nowhere"),
        (missing.as_str(), url.as_str()),
        ("postgres://postgres@127.0.0.1/x", url.as_str()),
        ("javascript://%0aalert(1)", url.as_str()),
    ] {
        assert_eq!(server_command(&["migrate-db", "--from", from, "--to", to]), ExitCode::from(2), "{from} → {to}");
    }
    assert!(!path.with_file_name("missing.db").exists(), "a missing source is not created");
    // Nothing was written into the target by the refused runs: it still takes a copy.
    assert_eq!(server_command(&["migrate-db", "--from", &db, "--to", &url]), ExitCode::SUCCESS);
}
