//! Settings from environment variables.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `GONGKAI_DATABASE` | `data/gongkai.db` | SQLite file, created (with its directory) if missing |
//! | `GONGKAI_DEMO` | `1` | `0` disables seeding the demo draws into an empty database |
//! | `LEPTOS_SITE_ADDR` | `127.0.0.1:3000` | address to listen on; port `0` picks a free port |
//! | `LEPTOS_SITE_ROOT` | `target/site` | static files and bundles (scripts/lib.sh build_site) |
//! | `LEPTOS_SITE_PKG_DIR` | `pkg` | directory of the browser bundle inside the site root |
//! | `LEPTOS_OUTPUT_NAME` | `gongkai` | file name of the browser bundle |
//! | `LEPTOS_ENV` | `DEV` | `PROD` or `DEV` |
//! | `RUST_LOG` | `info` | log filter |

use std::net::SocketAddr;
use std::path::PathBuf;

use leptos::config::{Env, LeptosOptions};

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_path: PathBuf,
    pub seed_demo: bool,
    /// How long a client may take to send a request's headers, and how long a
    /// connection may stay idle between requests, before it is closed.
    pub request_timeout: std::time::Duration,
    pub leptos: LeptosOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {value:?} ({reason})")]
    Invalid { name: &'static str, value: String, reason: String },
}

/// See [`Settings::request_timeout`].
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The database file: `GONGKAI_DATABASE`, or `data/gongkai.db`.
pub fn database_path_from_env() -> PathBuf {
    var("GONGKAI_DATABASE").unwrap_or_else(|| "data/gongkai.db".to_owned()).into()
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
        Ok(Settings {
            database_path: database_path_from_env(),
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

    /// Settings for tests: the given database, a free port on localhost, demo data on.
    pub fn for_tests(database_path: PathBuf) -> Self {
        Settings {
            database_path,
            seed_demo: true,
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
