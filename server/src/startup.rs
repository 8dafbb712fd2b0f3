//! Building the router and running the server.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use app::ssr::{DrawSource, Portal, PortalSource, Source};
use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::routing::{any, get};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::assets;
use crate::configuration::Settings;
use crate::demo;
use crate::routes;
use crate::routes::open_data;
use crate::security;
use crate::storage::{Storage, StorageError};
use crate::telemetry;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub storage: Arc<dyn Storage>,
    pub feedback: Arc<routes::feedback::FeedbackService>,
    /// The execution reports, computed and kept until something is published.
    pub reports: app::reports_ssr::ReportService,
    /// The publication log's signing key (checkpoints).
    pub log_key: Arc<crate::log::LogKey>,
}

/// What the feedback form needs from the settings.
pub struct FeedbackSetup {
    pub key: crate::feedback::FeedbackKey,
    pub limits: crate::configuration::FeedbackLimits,
    pub clock: crate::configuration::Clock,
    /// Demo data is seeded (the form points to the try-out codes).
    pub demo: bool,
    /// Who runs the deployment (every page's footer).
    pub site: app::types::SiteIdentity,
    /// The publication log's signing key.
    pub log_key: Arc<crate::log::LogKey>,
    /// The log's witnesses' verifier keys, and how many a reader requires.
    pub log_witnesses: Vec<String>,
    pub log_quorum: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("seeding the demo draws failed: {0}")]
    Demo(#[from] demo::DemoError),
    #[error("publishing the bundled working-day calendar failed: {0}")]
    Calendar(#[from] crate::publish::CalendarPublishError),
    #[error(transparent)]
    FeedbackKey(#[from] crate::feedback::KeyError),
    #[error(transparent)]
    LogKey(#[from] crate::log::KeyError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// The page routes of the app, generated once per process.
///
/// Generating them renders the app with resource loading suppressed by a
/// process-wide flag (leptos_server's `SuppressResourceLoad`): a resource first
/// polled meanwhile by another server in the same process (integration tests
/// start many) would never resolve. Generating once, before any server serves,
/// rules that out.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface: pages (server-rendered, with islands), server functions, JSON API, static files.
pub fn router(
    leptos_options: LeptosOptions,
    storage: Arc<dyn Storage>,
    feedback: FeedbackSetup,
    page_cache_bytes: u64,
) -> Router {
    let page_cache = (page_cache_bytes > 0)
        .then(|| crate::page_cache::PageCache::new(storage.clone(), feedback.clock.clone(), page_cache_bytes));
    let (leptos_options, bundle) = assets::fingerprint(leptos_options);
    let source = Source(storage.clone() as Arc<dyn DrawSource>);
    let portal = Portal(storage.clone() as Arc<dyn PortalSource>);
    let clock = feedback.clock.clone();
    let site = feedback.site.clone();
    let log_key = feedback.log_key.clone();
    let log_identity = app::types::LogIdentity {
        origin: log_key.origin.clone(),
        verifier_key: log_key.verifier_key.clone(),
        witnesses: feedback.log_witnesses.clone(),
        quorum: feedback.log_quorum,
    };
    let reports = app::reports_ssr::ReportService(Arc::new(app::reports_ssr::Reports::new(move || {
        draw::id::format_beijing(clock.now()).chars().take(10).collect()
    })));
    let context = {
        let reports = reports.clone();
        move || {
            provide_context(source.clone());
            provide_context(portal.clone());
            provide_context(reports.clone());
            provide_context(site.clone());
            provide_context(log_identity.clone());
        }
    };
    // The feedback page is rendered by its own handlers (GET and POST), which
    // hand it what to show; every other page by Leptos's route handlers.
    let render = leptos_axum::render_app_async_with_context(context.clone(), {
        let options = leptos_options.clone();
        move || shell(options.clone())
    });
    let render: routes::feedback::Render = Arc::new(std::sync::Mutex::new(Box::new(render)));
    let feedback =
        routes::feedback::FeedbackService::new(feedback.key, feedback.limits, feedback.clock, render, feedback.demo);
    let state = AppState { leptos_options: leptos_options.clone(), storage, feedback, reports, log_key };
    let pages: Vec<AxumRouteListing> = page_routes().into_iter().filter(|r| r.path() != "/feedback").collect();
    // The site's static files, else the app's 404 page (built once, cloned per request).
    let files = leptos_axum::file_and_error_handler_with_context::<AppState, _>(context.clone(), shell);
    Router::new()
        .route("/api/draws", get(open_data::draws))
        .route("/api/draws.csv", get(open_data::draws_csv))
        .route("/api/departments", get(open_data::departments))
        .route("/api/departments.csv", get(open_data::departments_csv))
        .route("/api/departments/{code}", get(open_data::department))
        .route("/api/items", get(open_data::items))
        .route("/api/items.csv", get(open_data::items_csv))
        .route("/api/items/{department}/{item}", get(open_data::item))
        .route("/api/reports", get(open_data::reports))
        .route("/api/reports.csv", get(open_data::reports_csv))
        .route("/api/reports/{department}/{year}", get(open_data::report))
        .route("/api/feedback", get(open_data::feedback))
        .route("/api/feedback.csv", get(open_data::feedback_csv))
        .route("/api/calendar", get(open_data::calendar))
        .route("/api/calendar/{year}", get(open_data::calendar_year))
        .route("/api/inspectors", get(open_data::inspectors))
        .route("/api/inspectors.csv", get(open_data::inspectors_csv))
        .route("/api/inspectors/{certificate}", get(open_data::inspector))
        .route("/api/plans", get(open_data::plans))
        .route("/api/plans.csv", get(open_data::plans_csv))
        .route("/api/plans/{code}", get(open_data::plan))
        .route("/api/results", get(open_data::results))
        .route("/api/results.csv", get(open_data::results_csv))
        .route("/api/results/{code}", get(open_data::result))
        .route("/api/enterprises", get(open_data::enterprises))
        .route("/api/enterprises.csv", get(open_data::enterprises_csv))
        .route("/api/enterprises/{code}", get(open_data::enterprise))
        .route("/api/draws/{id}", get(routes::draw_summary))
        .route("/api/draws/{id}/record.json", get(routes::record_json))
        .route("/api/draws/{id}/objects/{code}", get(routes::verify::lookup))
        .route("/api/draws/{id}/input.json", get(routes::verify::input_json))
        .route("/api/draws/{id}/pool.bin", get(routes::verify::pool_bin))
        .route("/api/draws/{id}/record-without-pool.json", get(routes::verify::record_without_pool))
        .route("/export/{file}", get(routes::export::export))
        .route("/spec.md", get(routes::spec))
        .route("/tools/{file}", get(routes::python_reference))
        .route("/verify-offline", get(routes::verify_offline))
        .route("/log/checkpoint", get(routes::log::checkpoint))
        .route("/log/tile/{*path}", get(routes::log::tile))
        .route("/api/log/rows/{kind}/{row}", get(routes::log::row))
        .route("/feedback", get(routes::feedback::show).post(routes::feedback::submit))
        .route("/feedback/receipt", axum::routing::post(routes::feedback::receipt))
        .leptos_routes_with_context(&state, pages, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .route("/api/{*rest}", any(routes::api_not_found))
        .fallback(move |state: State<AppState>, request: Request| {
            let files = files.clone();
            let bundle = bundle.clone();
            async move {
                if let Some(response) = bundle.response(request.uri().path(), request.headers()) {
                    return response;
                }
                // Only the site's public files are served: no file or folder whose name starts
                // with a dot (a build stamp, an editor's backup) is, whatever is in the folder.
                if request.uri().path().split('/').any(|segment| segment.starts_with('.')) {
                    let lang = routes::query::request_lang(&request);
                    return routes::query::error_response("/", lang, crate::error::AppError::NotFound(String::new()));
                }
                files(request.uri().clone(), state, request).await
            }
        })
        // Pages and JSON answers, kept until the next publication (with their ETags).
        .layer(axum::middleware::from_fn(move |request: Request, next: axum::middleware::Next| {
            let cache = page_cache.clone();
            async move {
                match cache {
                    Some(cache) => crate::page_cache::serve(State(cache), request, next).await,
                    None => next.run(request).await,
                }
            }
        }))
        // Pages, JSON, CSV and the WebAssembly bundles go out gzip- or
        // brotli-compressed to clients that accept it.
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(routes::query::uniform_errors))
        .layer(axum::middleware::from_fn(routes::query::guard))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span).on_response(
                    DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Millis),
                ))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(state)
}

/// A built server, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    request_timeout: std::time::Duration,
}

impl Application {
    /// Opens the database (seeding the demo draws into an empty one if enabled),
    /// builds the router and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let storage =
            crate::storage::open_with_replicas(&settings.database, &settings.replicas, crate::storage::WRITE_WAIT)
                .await?;
        // A database from before the log (or before a kind was logged): its
        // publications become the log's next entries, before anything new.
        let logged = storage.log_backfill().await?;
        if logged > 0 {
            tracing::info!(entries = logged, "logged the publications made before the log");
        }
        // The working-day calendar's published years ship with the portal.
        let now = gongkai_cli::clock::beijing(gongkai_cli::clock::now().unwrap_or(0));
        let years = crate::publish::seed_calendar(&*storage, &now).await?;
        if !years.is_empty() {
            tracing::info!(?years, "published the bundled working-day calendar");
        }
        let key_path = crate::feedback::key_path_from_env(&settings.key_dir);
        let key = crate::feedback::FeedbackKey::load_or_create(&key_path)?;
        let log_key = Arc::new(crate::log::LogKey::load_or_create(&settings.log.key_path, &settings.log.origin)?);
        if settings.seed_demo {
            let today = app::calendar::day(&gongkai_cli::clock::beijing(settings.clock.now())[..10]).unwrap_or(0);
            let added = demo::seed_if_empty(&*storage, Some(&key), today).await?;
            if added > 0 {
                tracing::info!(draws = added, "seeded the demo draws");
            }
        }
        let addr = settings.leptos.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
        let address = listener.local_addr().map_err(|source| StartupError::Bind { addr, source })?;
        let request_timeout = settings.request_timeout;
        let feedback = FeedbackSetup {
            key,
            limits: settings.feedback,
            clock: settings.clock.clone(),
            demo: settings.seed_demo,
            site: settings.site.clone(),
            log_key: log_key.clone(),
            log_witnesses: settings.log.witnesses.iter().map(|w| w.verifier.verifier_key.clone()).collect(),
            log_quorum: settings.log.quorum,
        };
        // Every new checkpoint goes to the witnesses, which cosign it (docs/LOG.md §7).
        if !settings.log.witnesses.is_empty() {
            tokio::spawn(crate::witness::push_forever(
                storage.clone(),
                log_key,
                settings.log.witnesses.clone(),
                std::time::Duration::from_millis(500),
            ));
        }
        let router = router(settings.leptos, storage, feedback, settings.page_cache_bytes);
        Ok(Application { listener, router, address, request_timeout })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C or SIGTERM, then lets open requests finish (for up to 10 s).
    ///
    /// Each connection is served by hyper with a header-read timeout: a client
    /// that sends its headers slowly or only half of them, or keeps a
    /// connection idle, is disconnected.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        use hyper_util::rt::{TokioIo, TokioTimer};
        use hyper_util::service::TowerToHyperService;

        let Application { listener, router, address, request_timeout } = self;
        tracing::info!("listening on http://{address}");
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut stop = std::pin::pin!(shutdown_signal());
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(connection) => connection,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            // Handlers that limit by address (the feedback form) read it from the request.
            let service = TowerToHyperService::new(
                tower::ServiceBuilder::new()
                    .map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                        request
                    })
                    .service(router.clone()),
            );
            // HTTP/1.1 only. hyper's header-read timer runs whenever the connection
            // waits for a request's headers: a slow or half-sent request, and an
            // idle keep-alive connection, are closed after `request_timeout`.
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(request_timeout)
                // Room for more headers than the portal accepts, so that the guard
                // answers "too many headers" in the promised format (hyper's own is bare).
                .max_headers(routes::query::MAX_HEADERS * 2)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection ended");
                }
            });
        }
        drop(listener);
        if tokio::time::timeout(std::time::Duration::from_secs(10), graceful.shutdown()).await.is_err() {
            tracing::warn!("requests still open after 10 s; stopping anyway");
        }
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
