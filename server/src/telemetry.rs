//! Logging with `tracing`; the filter comes from `RUST_LOG` (default `info`),
//! JSON lines with `GONGKAI_LOG_FORMAT=json`. Every request gets an id
//! (`x-request-id`, taken from the client or made here, and returned on the
//! response) and a span with its method, path and id; its end is logged with
//! the status and latency.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (e.g. from tests) do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only on a terminal (and never with NO_COLOR): logs in files stay plain.
    let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if std::env::var("GONGKAI_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.with_ansi(ansi).try_init()
    };
}

/// The span of one request: method, path and the request id (set by the
/// `SetRequestIdLayer` outside the trace layer).
pub fn request_span(request: &axum::extract::Request) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
}
