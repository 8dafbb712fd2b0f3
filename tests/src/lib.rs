//! Helpers for the cross-crate integration tests: the real server, started on
//! port 0 with a fresh database (seeded with the demo draws) per test: a
//! SQLite file, or with `GONGKAI_TEST_BACKEND=postgres` a new database in the
//! test run's PostgreSQL cluster (`GONGKAI_TEST_POSTGRES`, scripts/test.sh).
// Test support: a failed setup step should abort the test with its message.
#![allow(clippy::expect_used)]

use std::path::PathBuf;

use gongkai_server::configuration::{Database, Settings};
use gongkai_server::startup::Application;

/// A running server and an HTTP client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub client: reqwest::Client,
    /// The SQLite file (where the keys are kept, beside it, on either backend).
    pub database_path: PathBuf,
    /// The database the server runs on.
    pub database: Database,
    /// Holds the database directory until the test ends.
    _dir: tempfile::TempDir,
}

/// Starts the server on a free port with a fresh database seeded with the demo draws.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    // A nested path: the server must create missing directories.
    let database_path = dir.path().join("data").join("gongkai.db");
    spawn_with(Settings::for_tests(database_path), dir).await
}

/// Starts the server on a free port with a fresh, empty database (no demo data).
pub async fn spawn_empty() -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.seed_demo = false;
    spawn_with(settings, dir).await
}

/// Whether the tests run on PostgreSQL (`GONGKAI_TEST_BACKEND=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("GONGKAI_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The test run's PostgreSQL cluster.
pub fn postgres_admin_url() -> String {
    std::env::var("GONGKAI_TEST_POSTGRES").expect(
        "GONGKAI_TEST_POSTGRES is not set (scripts/test.sh starts a cluster; by hand: eval \"$(scripts/pg.sh start)\")",
    )
}

/// A new database for commands run before any server (`server import …` into
/// a portal still to be started with [`spawn_with`], its `Settings::database`):
/// the SQLite file `path` (created by the first command), or on PostgreSQL
/// (`GONGKAI_TEST_BACKEND=postgres`) a new database in the test cluster.
pub async fn new_database(path: PathBuf) -> Database {
    if on_postgres() {
        let url = gongkai_server::storage::create_test_database(&postgres_admin_url())
            .await
            .expect("a new database in the test cluster");
        Database::Postgres(url)
    } else {
        Database::Sqlite(path)
    }
}

/// `database` as `server … --database` takes it: the SQLite file or the PostgreSQL URL.
pub fn database_arg(database: &Database) -> String {
    match database {
        Database::Sqlite(path) => path.display().to_string(),
        Database::Postgres(url) => url.clone(),
    }
}

/// `database` for SQL of the tests' own (SQL both backends run: `$1` parameters).
pub async fn sql(database: &Database) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = match database {
        Database::Sqlite(path) => format!("sqlite://{}", path.display()),
        Database::Postgres(url) => url.clone(),
    };
    sqlx::AnyPool::connect(&url).await.expect("the database opens")
}

/// Starts the server with the given settings; `dir` is kept alive with the app.
/// On PostgreSQL (`GONGKAI_TEST_BACKEND=postgres`), a SQLite database in the
/// settings is replaced by a new PostgreSQL database.
pub async fn spawn_with(mut settings: Settings, dir: tempfile::TempDir) -> TestApp {
    let database_path = match &settings.database {
        Database::Sqlite(path) => path.clone(),
        Database::Postgres(_) => dir.path().join("gongkai.db"),
    };
    if on_postgres() && matches!(settings.database, Database::Sqlite(_)) {
        let url = gongkai_server::storage::create_test_database(&postgres_admin_url())
            .await
            .expect("a new database in the test cluster");
        settings.database = Database::Postgres(url);
    }
    let database = settings.database.clone();
    let app = Application::build(settings).await.expect("the server starts");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("HTTP client");
    TestApp { address, client, database_path, database, _dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// GETs `path` and returns the status and the body.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        self.get_with(path, &[]).await
    }

    /// The server's database, opened a second time (as another process would), to publish test data.
    pub async fn storage(&self) -> std::sync::Arc<dyn gongkai_server::storage::Storage> {
        gongkai_server::storage::open(&self.database, gongkai_server::storage::WRITE_WAIT)
            .await
            .expect("the database opens")
    }

    /// The database for SQL of the tests' own (SQL both backends run: `$1` parameters).
    pub async fn sql(&self) -> sqlx::AnyPool {
        sql(&self.database).await
    }

    /// The database as `server … --database` takes it: the SQLite file or the PostgreSQL URL.
    pub fn database_arg(&self) -> String {
        database_arg(&self.database)
    }

    /// GETs `path` with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (reqwest::StatusCode, String) {
        let mut req = self.client.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.text().await.expect("body"))
    }
}

#[derive(clap::Parser)]
#[command(name = "server")]
struct ServerCli {
    #[command(subcommand)]
    command: gongkai_server::cli::Command,
}

/// Runs one `server …` command line in-process (on its own thread: the
/// command starts its own runtime) and returns its exit code.
pub fn server_command(args: &[&str]) -> std::process::ExitCode {
    use clap::Parser;
    let cli = ServerCli::try_parse_from(std::iter::once("server").chain(args.iter().copied())).expect("valid usage");
    std::thread::spawn(move || gongkai_server::cli::run(cli.command)).join().expect("the command does not panic")
}

/// New enterprises of `department` with the synthetic credit codes `codes`,
/// named `<label>第<i>号有限公司`, published at the tests' clock.
pub fn new_enterprises(
    department: &str,
    codes: std::ops::Range<u64>,
    label: &str,
) -> Vec<gongkai_server::storage::NewEnterprise> {
    codes
        .map(|i| gongkai_server::storage::NewEnterprise {
            credit_code: draw::CreditCode::parse(&draw::synthetic::credit_code(i)).expect("synthetic codes are valid"),
            name: format!("{label}第{i}号有限公司"),
            department_code: department.to_owned(),
            region: "测试区".to_owned(),
            industry: "测试业".to_owned(),
            licences: Vec::new(),
            abnormal: false,
            serious_violation: false,
            penalised: false,
            credit_class: 'A',
            published_at: "2026-11-30T10:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect()
}
