//! Settings from environment variables.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `GONGKAI_DATABASE` | `data/gongkai.db` | SQLite file (a path or `sqlite://PATH`), created (with its directory) if missing; or a PostgreSQL database, `postgres://USER@HOST[:PORT]/DATABASE` (it must exist; the portal migrates it); any other URL is refused |
//! | `GONGKAI_PAGE_CACHE_MB` | `64` | memory for rendered pages and JSON answers kept until the next publication (`0`: none; `server/src/page_cache.rs`) |
//! | `GONGKAI_DEMO` | `1` | `0` disables seeding the demo draws into an empty database |
//! | `LEPTOS_SITE_ADDR` | `127.0.0.1:3000` | address to listen on; port `0` picks a free port |
//! | `LEPTOS_SITE_ROOT` | `target/site` | static files and bundles (scripts/lib.sh build_site) |
//! | `LEPTOS_SITE_PKG_DIR` | `pkg` | directory of the browser bundle inside the site root |
//! | `LEPTOS_OUTPUT_NAME` | `gongkai` | file name of the browser bundle |
//! | `LEPTOS_ENV` | `DEV` | `PROD` or `DEV` |
//! | `GONGKAI_FEEDBACK_KEY` | `feedback.key` beside the database | key of the feedback codes' hashes and the form's tokens (created, mode 0600) |
//! | `GONGKAI_FEEDBACK_ATTEMPTS_PER_ADDRESS` | `60` | feedback form posts per address per 10 minutes |
//! | `GONGKAI_FEEDBACK_ATTEMPTS_PER_CREDIT_CODE` | `20` | feedback form posts per credit code per 10 minutes |
//! | `GONGKAI_CLOCK` | the system clock | an RFC 3339 time the portal goes by instead (for tests and demonstrations: feedback windows, the demo's try-out draw) |
//! | `GONGKAI_SITE_PUBLISHER` | not configured | the footer's 主办单位 (the publishing department) |
//! | `GONGKAI_SITE_CONTACT` | not configured | the footer's 联系方式 (telephone, e-mail or address) |
//! | `GONGKAI_SITE_CODE` | not configured | the footer's 网站标识码 (government website code) |
//! | `GONGKAI_SITE_ICP` | not configured | the footer's ICP备案号 |
//! | `GONGKAI_SITE_POLICE_FILING` | not configured | the footer's 公安机关备案号 |
//! | `GONGKAI_LOG_ORIGIN` | `gongkai.localhost/log` | the publication log's origin: the first line of its checkpoints and its key's name (`<host>/log`, docs/LOG.md) |
//! | `GONGKAI_LOG_KEY` | `log.key` beside the database | the log's Ed25519 signing key (created, mode 0600) |
//! | `GONGKAI_LOG_WITNESSES` | none | witnesses checkpoints are sent to: `<verifier key> <URL>`, separated by `;` |
//! | `GONGKAI_LOG_QUORUM` | all of them | how many witnesses' cosignatures a reader's browser requires |
//! | `RUST_LOG` | `info` | log filter |

use std::net::SocketAddr;
use std::path::PathBuf;

use leptos::config::{Env, LeptosOptions};

#[derive(Clone, Debug)]
pub struct Settings {
    pub database: Database,
    /// Read replicas of a PostgreSQL database (`GONGKAI_DATABASE_REPLICAS`):
    /// their `postgres://…` URLs, in the order given.
    pub replicas: Vec<String>,
    /// Where keys are kept unless their variables say (the feedback-code key;
    /// the log's key is in [`LogSettings`]): [`Database::key_dir`].
    pub key_dir: PathBuf,
    pub seed_demo: bool,
    /// How long a client may take to send a request's headers, and how long a
    /// connection may stay idle between requests, before it is closed.
    pub request_timeout: std::time::Duration,
    pub leptos: LeptosOptions,
    /// The feedback form's limits.
    pub feedback: FeedbackLimits,
    /// What time it is (tests set it).
    pub clock: Clock,
    /// Who runs the deployment (the footer).
    pub site: app::types::SiteIdentity,
    /// The publication log's origin and signing key.
    pub log: LogSettings,
    /// The memory the page cache may use, in bytes (0: no cache).
    pub page_cache_bytes: u64,
}

/// The publication log's origin and the file of its signing key.
#[derive(Clone, Debug)]
pub struct LogSettings {
    pub origin: String,
    pub key_path: PathBuf,
    /// The witnesses checkpoints are sent to (`GONGKAI_LOG_WITNESSES`).
    pub witnesses: Vec<crate::witness::ConfiguredWitness>,
    /// How many of them a reader's browser requires (`GONGKAI_LOG_QUORUM`, default all).
    pub quorum: usize,
}

/// The log's origin when none is configured (the demo's).
pub const DEFAULT_LOG_ORIGIN: &str = "gongkai.localhost/log";

impl LogSettings {
    /// `GONGKAI_LOG_ORIGIN` and `GONGKAI_LOG_KEY` (default: `log.key` beside the database).
    /// `key_dir`: where the key is kept unless `GONGKAI_LOG_KEY` says ([`Database::key_dir`]).
    pub fn from_env(key_dir: &std::path::Path) -> Result<Self, ConfigError> {
        Self::from_vars(key_dir, var)
    }

    /// The log's settings from the variables `var` gives (the environment's, or a test's).
    fn from_vars(key_dir: &std::path::Path, var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let origin = var("GONGKAI_LOG_ORIGIN").unwrap_or_else(|| DEFAULT_LOG_ORIGIN.to_owned());
        let key_path = var("GONGKAI_LOG_KEY").map(PathBuf::from).unwrap_or_else(|| key_dir.join("log.key"));
        // A schema-less URL (C2SP tlog-checkpoint), which is also a signed-note
        // key name (no spaces or '+'): a host, maybe a port, and a path.
        let url_like = origin.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/:".contains(&b))
            && origin.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
        if origin.len() > 200 || !url_like {
            return Err(ConfigError::Invalid {
                name: "GONGKAI_LOG_ORIGIN",
                value: origin,
                reason: "expected the log's origin, a URL without its scheme such as gongkai.example.gov.cn/log \
                         (letters, digits and - . _ ~ / :)"
                    .to_owned(),
            });
        }
        let witnesses = match var("GONGKAI_LOG_WITNESSES") {
            Some(text) => crate::witness::ConfiguredWitness::parse_list(&text).map_err(|reason| {
                ConfigError::Invalid { name: "GONGKAI_LOG_WITNESSES", value: text.clone(), reason }
            })?,
            None => Vec::new(),
        };
        let quorum = match var("GONGKAI_LOG_QUORUM") {
            Some(text) => {
                let digits = text.bytes().all(|b| b.is_ascii_digit());
                text.parse::<usize>().ok().filter(|q| digits && *q <= witnesses.len()).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "GONGKAI_LOG_QUORUM",
                        value: text.clone(),
                        reason: format!("expected a number of witnesses from 0 to {}", witnesses.len()),
                    }
                })?
            }
            None => witnesses.len(),
        };
        Ok(LogSettings { origin, key_path, witnesses, quorum })
    }
}

/// How many feedback form posts are accepted per 10 minutes, by address and by credit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedbackLimits {
    pub per_address: u32,
    pub per_credit_code: u32,
}

impl Default for FeedbackLimits {
    fn default() -> Self {
        FeedbackLimits { per_address: 60, per_credit_code: 20 }
    }
}

/// The time the portal goes by: the system clock, or (in tests) a time set by hand.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::atomic::AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that shows `unix` until it is set again.
    pub fn fixed(unix: i64) -> Clock {
        Clock(Some(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(unix))))
    }

    /// Sets a fixed clock (a system clock is left alone).
    pub fn set(&self, unix: i64) {
        if let Some(t) = &self.0 {
            t.store(unix, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Seconds since 1970.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(std::sync::atomic::Ordering::SeqCst),
            None => gongkai_cli::clock::now().unwrap_or(0),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {value:?} ({reason})")]
    Invalid { name: &'static str, value: String, reason: String },
}

/// The time of [`Settings::for_tests`]: 2026-11-30T10:00:00+08:00.
pub const TEST_NOW: i64 = 1_796_004_000;

/// The page cache's memory when `GONGKAI_PAGE_CACHE_MB` is not set.
pub const DEFAULT_PAGE_CACHE_MB: u64 = 64;

/// `GONGKAI_PAGE_CACHE_MB`: decimal digits only, at most 65,536.
fn page_cache_mb(text: &str) -> Option<u64> {
    text.bytes().all(|b| b.is_ascii_digit()).then(|| text.parse().ok()).flatten().filter(|n| *n <= 65_536)
}

/// See [`Settings::request_timeout`].
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where the portal keeps its data (`GONGKAI_DATABASE`, `--database`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created (with its directory) if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://USER[:PASSWORD]@HOST[:PORT]/NAME`);
    /// the portal migrates its schema, the database itself must exist.
    Postgres(String),
}

impl Database {
    /// Where keys are kept unless configured: beside the SQLite file, or in
    /// `data/` where the portal runs on PostgreSQL.
    pub fn key_dir(&self) -> PathBuf {
        match self {
            Database::Sqlite(path) => path.parent().map_or_else(PathBuf::new, PathBuf::from),
            Database::Postgres(_) => PathBuf::from("data"),
        }
    }

    /// The database as told in messages: a PostgreSQL URL without its
    /// password (nor its parameters, which may hold one: `?password=`).
    pub fn shown(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => {
                let bare = url.split(['?', '#']).next().unwrap_or_default();
                match bare.split_once("://").and_then(|(s, rest)| {
                    let (user_info, host) = rest.split_once('@')?;
                    let user = user_info.split_once(':').map_or(user_info, |(u, _)| u);
                    Some(format!("{s}://{user}@{host}"))
                }) {
                    Some(shown) => shown,
                    None => bare.to_owned(),
                }
            }
        }
    }
}

/// The database: `GONGKAI_DATABASE`, or `data/gongkai.db`.
pub fn database_from_env() -> Result<Database, ConfigError> {
    database("GONGKAI_DATABASE", &var("GONGKAI_DATABASE").unwrap_or_else(|| "data/gongkai.db".to_owned()))
}

/// The database that `text` (the value of `name`) names: a SQLite file's
/// path or `sqlite://PATH`, or `postgres://…` / `postgresql://…`. Any other
/// URL is refused by name rather than taken for a path (`mysql://…` would
/// otherwise become a folder named `mysql:`).
pub fn database(name: &'static str, text: &str) -> Result<Database, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { name, value: text.to_owned(), reason };
    let scheme = text.split_once("://").map(|(s, _)| s).filter(|s| {
        s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
    });
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(Database::Sqlite(PathBuf::from(text))),
        Some("sqlite") => match &text["sqlite://".len()..] {
            "" => Err(invalid("expected sqlite://PATH, the database file's path after sqlite://".to_owned())),
            path => Ok(Database::Sqlite(PathBuf::from(path))),
        },
        Some("postgres" | "postgresql") => {
            let rest = &text[text.find("://").map_or(0, |i| i + 3)..];
            let host = rest.split_once('@').map_or(rest, |(_, h)| h);
            if host.is_empty() || host.starts_with('/') || !host.contains('/') || host.ends_with('/') {
                return Err(invalid(
                    "expected postgres://USER@HOST[:PORT]/DATABASE, with a host and a database name".to_owned(),
                ));
            }
            Ok(Database::Postgres(text.to_owned()))
        }
        Some(other) => Err(invalid(format!(
            "unknown database scheme “{other}”: give a database file's path, sqlite://PATH or postgres://…"
        ))),
    }
}

/// The read replicas of `primary` that `text` (the value of `name`) lists:
/// `postgres://…` URLs separated by commas (empty: none). Only a PostgreSQL
/// database has replicas; a replica that is the primary itself is refused too.
pub fn replicas(name: &'static str, text: &str, primary: &Database) -> Result<Vec<String>, ConfigError> {
    let invalid =
        |value: &str, reason: &str| ConfigError::Invalid { name, value: value.to_owned(), reason: reason.to_owned() };
    let listed: Vec<&str> = text.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
    if listed.is_empty() {
        return Ok(Vec::new());
    }
    let Database::Postgres(primary_url) = primary else {
        return Err(invalid(text, "read replicas need a PostgreSQL database (GONGKAI_DATABASE=postgres://…)"));
    };
    let mut urls: Vec<String> = Vec::new();
    for url in listed {
        match database(name, url)? {
            Database::Postgres(url) if url == *primary_url => {
                return Err(invalid(&url, "a replica's URL is the primary's (GONGKAI_DATABASE)"));
            }
            Database::Postgres(url) if urls.contains(&url) => {
                return Err(invalid(&url, "this replica is listed twice"));
            }
            Database::Postgres(url) => urls.push(url),
            Database::Sqlite(_) => {
                return Err(invalid(url, "expected postgres://USER@HOST[:PORT]/DATABASE URLs separated by commas"));
            }
        }
    }
    Ok(urls)
}

/// The SQLite database that `text` names (for what only SQLite has: the
/// source of `server migrate-db`); `postgres://…` is refused here.
pub fn database_path(name: &'static str, text: &str) -> Result<PathBuf, ConfigError> {
    match database(name, text)? {
        Database::Sqlite(path) => Ok(path),
        Database::Postgres(_) => Err(ConfigError::Invalid {
            name,
            value: text.to_owned(),
            reason: "expected a SQLite database: a file's path or sqlite://PATH".to_owned(),
        }),
    }
}

impl Settings {
    /// Reads the settings from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let site_addr: SocketAddr = {
            let value = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
            value.parse().map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                name: "LEPTOS_SITE_ADDR",
                value: value.clone(),
                reason: e.to_string(),
            })?
        };
        let env = match var("LEPTOS_ENV").map(|v| v.to_ascii_uppercase()).as_deref() {
            None | Some("DEV") | Some("DEVELOPMENT") => Env::DEV,
            Some("PROD") | Some("PRODUCTION") => Env::PROD,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LEPTOS_ENV",
                    value: other.to_owned(),
                    reason: "expected PROD or DEV".to_owned(),
                });
            }
        };
        let seed_demo = match var("GONGKAI_DEMO").as_deref() {
            None | Some("1") | Some("true") | Some("yes") => true,
            Some("0") | Some("false") | Some("no") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "GONGKAI_DEMO",
                    value: other.to_owned(),
                    reason: "expected 1 or 0".to_owned(),
                });
            }
        };
        let limit = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or(ConfigError::Invalid {
                    name,
                    value: v.clone(),
                    reason: "expected a whole number above 0".to_owned(),
                }),
            }
        };
        let defaults = FeedbackLimits::default();
        let feedback = FeedbackLimits {
            per_address: limit("GONGKAI_FEEDBACK_ATTEMPTS_PER_ADDRESS", defaults.per_address)?,
            per_credit_code: limit("GONGKAI_FEEDBACK_ATTEMPTS_PER_CREDIT_CODE", defaults.per_credit_code)?,
        };
        let clock = match var("GONGKAI_CLOCK") {
            None => Clock::system(),
            Some(v) => Clock::fixed(draw::id::parse_rfc3339(v.trim()).ok_or(ConfigError::Invalid {
                name: "GONGKAI_CLOCK",
                value: v.clone(),
                reason: "expected an RFC 3339 time such as 2026-11-30T10:00:00+08:00".to_owned(),
            })?),
        };
        let site = app::types::SiteIdentity {
            publisher: site_text("GONGKAI_SITE_PUBLISHER")?,
            contact: site_text("GONGKAI_SITE_CONTACT")?,
            site_code: site_text("GONGKAI_SITE_CODE")?,
            icp: site_text("GONGKAI_SITE_ICP")?,
            police_filing: site_text("GONGKAI_SITE_POLICE_FILING")?,
        };
        let database = database_from_env()?;
        let replicas =
            replicas("GONGKAI_DATABASE_REPLICAS", &var("GONGKAI_DATABASE_REPLICAS").unwrap_or_default(), &database)?;
        let page_cache_bytes = match var("GONGKAI_PAGE_CACHE_MB") {
            None => DEFAULT_PAGE_CACHE_MB << 20,
            Some(v) => {
                page_cache_mb(&v).ok_or_else(|| ConfigError::Invalid {
                    name: "GONGKAI_PAGE_CACHE_MB",
                    value: v.clone(),
                    reason: "expected a number of megabytes from 0 (no cache) to 65536".to_owned(),
                })? << 20
            }
        };
        Ok(Settings {
            feedback,
            clock,
            site,
            log: LogSettings::from_env(&database.key_dir())?,
            page_cache_bytes,
            key_dir: database.key_dir(),
            database,
            replicas,
            seed_demo,
            request_timeout: REQUEST_TIMEOUT,
            leptos: leptos_options(
                var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "gongkai".to_owned()),
                var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
                var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".to_owned()),
                site_addr,
                env,
            ),
        })
    }

    /// Settings for tests: the given database, a free port on localhost, demo
    /// data on, and the clock at [`TEST_NOW`] (so that the demo's try-out draw,
    /// dated from the day it is seeded, is the same in every run).
    pub fn for_tests(database_path: PathBuf) -> Self {
        Settings {
            log: LogSettings {
                origin: DEFAULT_LOG_ORIGIN.to_owned(),
                key_path: database_path.parent().map_or_else(|| PathBuf::from("log.key"), |d| d.join("log.key")),
                witnesses: Vec::new(),
                quorum: 0,
            },
            key_dir: database_path.parent().map_or_else(PathBuf::new, PathBuf::from),
            database: Database::Sqlite(database_path),
            replicas: Vec::new(),
            page_cache_bytes: DEFAULT_PAGE_CACHE_MB << 20,
            seed_demo: true,
            feedback: FeedbackLimits::default(),
            clock: Clock::fixed(TEST_NOW),
            site: app::types::SiteIdentity::default(),
            request_timeout: REQUEST_TIMEOUT,
            leptos: leptos_options(
                "gongkai".to_owned(),
                "target/site".to_owned(),
                "pkg".to_owned(),
                SocketAddr::from(([127, 0, 0, 1], 0)),
                Env::DEV,
            ),
        }
    }
}

/// A footer text from the environment: one line of at most 200 characters
/// without control characters (it is shown on every page).
fn site_text(name: &'static str) -> Result<Option<String>, ConfigError> {
    var(name).map(|v| parse_site_text(name, &v)).transpose()
}

fn parse_site_text(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let v = value.trim().to_owned();
    if v.chars().count() > 200 || v.chars().any(char::is_control) {
        return Err(ConfigError::Invalid {
            name,
            value: v,
            reason: "expected one line of at most 200 characters".to_owned(),
        });
    }
    Ok(v)
}

fn leptos_options(
    output_name: String,
    site_root: String,
    pkg_dir: String,
    addr: SocketAddr,
    env: Env,
) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(site_root)
        .site_pkg_dir(pkg_dir)
        .site_addr(addr)
        .env(env)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_texts_are_one_line_of_at_most_200_characters() {
        assert_eq!(parse_site_text("GONGKAI_SITE_ICP", " 示ICP备00000000号 ").unwrap(), "示ICP备00000000号");
        assert_eq!(parse_site_text("GONGKAI_SITE_CODE", &"字".repeat(200)).unwrap().chars().count(), 200);
        for bad in ["a\nb", "a\u{7}b", &"字".repeat(201)] {
            match parse_site_text("GONGKAI_SITE_PUBLISHER", bad) {
                Err(ConfigError::Invalid { name: "GONGKAI_SITE_PUBLISHER", .. }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn hostile_log_origins_and_quorums_are_refused_naming_the_variable() {
        let db = std::path::Path::new("/tmp/x");
        let dir = tempfile::tempdir().unwrap();
        let key = crate::witness::WitnessKey::load_or_create(&dir.path().join("w.key"), "w.example").unwrap();
        let witness = format!("{} http://127.0.0.1:9/", key.verifier_key);
        let with = |pairs: &[(&'static str, &str)]| {
            let pairs: Vec<(&'static str, String)> = pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            LogSettings::from_vars(db, move |name| {
                pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty())
            })
        };
        let ok = with(&[]).unwrap();
        assert_eq!(
            (ok.origin.as_str(), ok.quorum, ok.key_path.as_path()),
            (DEFAULT_LOG_ORIGIN, 0, std::path::Path::new("/tmp/x/log.key"))
        );
        for good in ["portal.example.gov.cn/log", "127.0.0.1:3000/log", "example.org/logs/v1_a~b"] {
            assert_eq!(with(&[("GONGKAI_LOG_ORIGIN", good)]).unwrap().origin, good);
        }
        let long = "a".repeat(201);
        for bad in
            ["a b", "a+b", "<script>/log", "日志/log", "a\nb", "a\u{0}b", "a\tb", "/log", "a\"b", "a'b", long.as_str()]
        {
            match with(&[("GONGKAI_LOG_ORIGIN", bad)]) {
                Err(ConfigError::Invalid { name: "GONGKAI_LOG_ORIGIN", value, .. }) => assert_eq!(value, bad),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        // The quorum: a number of the configured witnesses, at most all of them.
        let one = with(&[("GONGKAI_LOG_WITNESSES", &witness)]).unwrap();
        assert_eq!((one.witnesses.len(), one.quorum), (1, 1), "default: all of them");
        assert_eq!(with(&[("GONGKAI_LOG_WITNESSES", &witness), ("GONGKAI_LOG_QUORUM", "0")]).unwrap().quorum, 0);
        for bad in ["2", "-1", "1.0", "one", "1 ", "+1", "0x1", "99999999999999999999999", "1;DROP TABLE x", "<b>1</b>"]
        {
            match with(&[("GONGKAI_LOG_WITNESSES", &witness), ("GONGKAI_LOG_QUORUM", bad)]) {
                Err(ConfigError::Invalid { name: "GONGKAI_LOG_QUORUM", value, reason }) => {
                    assert_eq!(value, bad);
                    assert_eq!(reason, "expected a number of witnesses from 0 to 1");
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        match with(&[("GONGKAI_LOG_QUORUM", "1")]) {
            Err(ConfigError::Invalid { name: "GONGKAI_LOG_QUORUM", reason, .. }) => {
                assert_eq!(reason, "expected a number of witnesses from 0 to 0");
            }
            other => panic!("a quorum without witnesses gave {other:?}"),
        }
    }

    #[test]
    fn the_database_is_a_path_a_sqlite_url_or_a_postgres_url_and_other_urls_are_refused_by_name() {
        for (text, path) in [
            ("data/gongkai.db", "data/gongkai.db"),
            ("/srv/门户/gongkai.db", "/srv/门户/gongkai.db"),
            ("sqlite:///srv/gongkai.db", "/srv/gongkai.db"),
            ("sqlite://data/gongkai.db", "data/gongkai.db"),
            ("SQLite://x.db", "x.db"),
            ("./a:b.db", "./a:b.db"),
            ("1http://x", "1http://x"),
        ] {
            assert_eq!(database("GONGKAI_DATABASE", text).unwrap(), Database::Sqlite(PathBuf::from(path)), "{text}");
            assert_eq!(database_path("GONGKAI_DATABASE", text).unwrap(), PathBuf::from(path), "{text}");
        }
        for text in ["postgres://gongkai@127.0.0.1/gongkai", "postgresql://localhost:5433/x", "postgres://u:p@h/d"] {
            assert_eq!(database("GONGKAI_DATABASE", text).unwrap(), Database::Postgres(text.to_owned()));
        }
        assert_eq!(
            Database::Postgres("postgres://gongkai:s3cret@db.example:5432/portal".to_owned()).shown(),
            "postgres://gongkai@db.example:5432/portal",
            "no password in messages"
        );
        assert_eq!(
            Database::Postgres("postgres://h:5432/d?password=s3cret&sslmode=require".to_owned()).shown(),
            "postgres://h:5432/d"
        );
        assert_eq!(Database::Postgres("postgres://h/d".to_owned()).key_dir(), PathBuf::from("data"));
        assert_eq!(Database::Sqlite(PathBuf::from("/srv/g.db")).key_dir(), PathBuf::from("/srv"));
        for (text, reason) in [
            ("mysql://root@localhost/x", "unknown database scheme “mysql”"),
            ("file:///etc/passwd", "unknown database scheme “file”"),
            ("javascript://%0aalert(1)", "unknown database scheme “javascript”"),
            ("sqlite://", "expected sqlite://PATH"),
            ("postgres://", "expected postgres://USER@HOST[:PORT]/DATABASE"),
            ("postgres://gongkai@", "expected postgres://USER@HOST[:PORT]/DATABASE"),
            ("postgres://127.0.0.1", "expected postgres://USER@HOST[:PORT]/DATABASE"),
            ("postgres://127.0.0.1/", "expected postgres://USER@HOST[:PORT]/DATABASE"),
        ] {
            match database("GONGKAI_DATABASE", text) {
                Err(ConfigError::Invalid { name: "GONGKAI_DATABASE", value, reason: r }) => {
                    assert_eq!(value, text);
                    assert!(r.contains(reason), "{text}: {r}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
        // Only SQLite where only SQLite will do (migrate-db's source).
        match database_path("--from", "postgres://h/d") {
            Err(ConfigError::Invalid { name: "--from", reason, .. }) => assert!(reason.contains("SQLite"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn replicas_are_postgres_urls_of_a_postgres_database_and_hostile_lists_are_refused_by_name() {
        let primary = Database::Postgres("postgres://gongkai@10.0.0.1/portal".to_owned());
        assert_eq!(replicas("R", "", &primary).unwrap(), Vec::<String>::new());
        assert_eq!(replicas("R", " , ,", &primary).unwrap(), Vec::<String>::new());
        assert_eq!(
            replicas("R", "postgres://gongkai@10.0.0.2/portal, postgresql://gongkai@10.0.0.3:5433/portal", &primary)
                .unwrap(),
            vec![
                "postgres://gongkai@10.0.0.2/portal".to_owned(),
                "postgresql://gongkai@10.0.0.3:5433/portal".to_owned()
            ]
        );
        for (text, value, reason) in [
            ("data/replica.db", "data/replica.db", "expected postgres://USER@HOST[:PORT]/DATABASE URLs"),
            ("postgres://h/d,sqlite://x.db", "sqlite://x.db", "expected postgres://USER@HOST[:PORT]/DATABASE URLs"),
            ("<script>alert(1)</script>", "<script>alert(1)</script>", "expected postgres://"),
            ("javascript://%0aalert(1)", "javascript://%0aalert(1)", "unknown database scheme “javascript”"),
            ("postgres://h/d\0,x", "x", "expected postgres://"),
            ("postgres://", "postgres://", "expected postgres://USER@HOST[:PORT]/DATABASE"),
            ("postgres://gongkai@10.0.0.1/portal", "postgres://gongkai@10.0.0.1/portal", "is the primary's"),
            ("postgres://h/d, postgres://h/d", "postgres://h/d", "listed twice"),
        ] {
            match replicas("GONGKAI_DATABASE_REPLICAS", text, &primary) {
                Err(ConfigError::Invalid { name: "GONGKAI_DATABASE_REPLICAS", value: v, reason: r }) => {
                    assert_eq!(v, value, "{text}");
                    assert!(r.contains(reason), "{text}: {r}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
        match replicas("GONGKAI_DATABASE_REPLICAS", "postgres://h/d", &Database::Sqlite(PathBuf::from("g.db"))) {
            Err(ConfigError::Invalid { reason, .. }) => {
                assert!(reason.contains("need a PostgreSQL database"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_page_cache_size_is_a_number_of_megabytes() {
        assert_eq!(page_cache_mb("0"), Some(0));
        assert_eq!(page_cache_mb("64"), Some(64));
        assert_eq!(page_cache_mb("65536"), Some(65_536));
        for bad in ["65537", "-1", "+1", "1.5", "64MB", " 64", "", "１", "99999999999999999999999"] {
            assert_eq!(page_cache_mb(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_tests_clock_is_the_day_it_says() {
        // 2026-11-30 02:00 UTC, computed with Python's datetime.
        assert_eq!(TEST_NOW, 1_796_004_000);
        assert_eq!(draw::id::parse_rfc3339("2026-11-30T10:00:00+08:00"), Some(TEST_NOW));
        let clock = Clock::fixed(TEST_NOW);
        clock.set(TEST_NOW + 1);
        assert_eq!(clock.now(), TEST_NOW + 1);
    }
}
