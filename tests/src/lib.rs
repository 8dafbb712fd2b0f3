//! Helpers for the cross-crate integration tests: the real server, started on
//! port 0 with a fresh SQLite file (seeded with the demo draws) per test.
// Test support: a failed setup step should abort the test with its message.
#![allow(clippy::expect_used)]

use std::path::PathBuf;

use gongkai_server::configuration::Settings;
use gongkai_server::startup::Application;

/// A running server and an HTTP client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub client: reqwest::Client,
    pub database_path: PathBuf,
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

/// Starts the server with the given settings; `dir` is kept alive with the app.
pub async fn spawn_with(settings: Settings, dir: tempfile::TempDir) -> TestApp {
    let database_path = settings.database_path.clone();
    let app = Application::build(settings).await.expect("the server starts");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("HTTP client");
    TestApp { address, client, database_path, _dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// GETs `path` and returns the status and the body.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        self.get_with(path, &[]).await
    }

    /// The server's database, opened a second time (WAL allows it), to publish test data.
    pub async fn storage(&self) -> gongkai_server::storage::SqliteStorage {
        gongkai_server::storage::SqliteStorage::open(&self.database_path).await.expect("the database opens")
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
