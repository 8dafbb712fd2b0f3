//! `/feedback` (评价反馈, 001 art. 24): an inspected enterprise identifies
//! itself with its credit code and the feedback code printed on its written
//! result, then rates the department and each inspector within 10 working
//! days of delivery. Plain HTML forms (no JavaScript), an anti-forgery token,
//! rate limits, and a receipt once the submission is durable.
//!
//! The handlers here decide what the page shows ([`FeedbackScreen`]) and hand
//! it to the Leptos page (`app::pages::feedback`) as a request extension.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::calendar::{self, Calendar};
use app::feedback::{
    Conduct, FeedbackCode, FeedbackRequest, FeedbackScreen, FeedbackValues, FormProblem, Inspection, InspectorAnswers,
    MAX_CONTACT_CHARS, MAX_TEXT_CHARS, Receipt, Satisfaction, WindowState,
};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::configuration::{Clock, FeedbackLimits};
use crate::feedback::FeedbackKey;
use crate::startup::AppState;
use crate::storage::{NewFeedback, StorageError};

/// The largest form accepted, in bytes (1,000 characters of text, percent-encoded, and the rest).
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// The cookie that carries the random half of the anti-forgery token.
const COOKIE: &str = "gongkai_form";

/// A boxed renderer of the app for one request (leptos_axum's).
pub type Render = Arc<
    Mutex<
        Box<dyn Fn(Request) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> + Send + 'static>,
    >,
>;

/// What the feedback form needs: the key, the limits, the clock and the page renderer.
pub struct FeedbackService {
    key: FeedbackKey,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_credit_code: DefaultKeyedRateLimiter<String>,
    clock: Clock,
    render: Render,
    demo: bool,
    /// One feedback write at a time asks SQLite for its write lock: racing
    /// writers would otherwise sleep in SQLite's busy back-off (up to 100 ms a
    /// time) while holding pooled connections (p99 180 ms at 32 clients; 65 ms with the gate).
    write_gate: tokio::sync::Mutex<()>,
}

fn quota(per_ten_minutes: u32) -> Quota {
    let n = NonZeroU32::new(per_ten_minutes.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_secs(600) / n.get();
    Quota::with_period(period.max(Duration::from_nanos(1))).unwrap_or_else(|| Quota::per_second(n)).allow_burst(n)
}

impl FeedbackService {
    pub fn new(
        key: FeedbackKey,
        limits: FeedbackLimits,
        clock: Clock,
        render: Render,
        demo: bool,
    ) -> Arc<FeedbackService> {
        let service = Arc::new(FeedbackService {
            key,
            per_address: RateLimiter::keyed(quota(limits.per_address)),
            per_credit_code: RateLimiter::keyed(quota(limits.per_credit_code)),
            clock,
            render,
            demo,
            write_gate: tokio::sync::Mutex::new(()),
        });
        // Forget keys whose limits have fully recovered, now and then.
        let weak = Arc::downgrade(&service);
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    let Some(s) = weak.upgrade() else { break };
                    s.per_address.retain_recent();
                    s.per_credit_code.retain_recent();
                }
            });
        }
        service
    }

    fn wait<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Option<u64> {
        limiter
            .check_key(key)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
    }
}

/// The visitor's address, as the connection gives it.
fn peer(request: &Request) -> IpAddr {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// The random cookie value of the request, if it has a well-formed one.
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn new_cookie_value() -> String {
    let mut bytes = [0u8; 16];
    // Without OS randomness the token is still bound to the key; it just repeats.
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

/// `GET /feedback`: the first step, with the credit code and code from the
/// QR code's address filled in.
pub async fn show(State(state): State<AppState>, request: Request) -> Response {
    let mut credit_code = String::new();
    let mut code = String::new();
    for (name, value) in form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "credit_code" => credit_code = value.chars().take(40).collect(),
            "code" => {
                code = FeedbackCode::parse(&value)
                    .map(|c| c.grouped())
                    .unwrap_or_else(|_| value.chars().take(40).collect())
            }
            _ => {}
        }
    }
    let screen = FeedbackScreen::Identify { credit_code, code, problems: Vec::new() };
    page(&state, request, StatusCode::OK, screen).await
}

/// `POST /feedback`: each step of the form.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    let address = peer(&request);
    let (parts, body) = request.into_parts();
    let head = Request::from_parts(parts.clone(), Body::empty());
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let problem = FormProblem::new(
                "form",
                format!("提交的内容过长（上限 {} KB），未保存任何内容。", MAX_BODY_BYTES / 1024),
                format!("What was sent is too long (the limit is {} KB); nothing was stored.", MAX_BODY_BYTES / 1024),
            );
            return page(&state, head, StatusCode::PAYLOAD_TOO_LARGE, identify_again("", "", problem)).await;
        }
    };
    let (status, screen) = step(&state, &parts.headers, address, &bytes).await;
    page(&state, head, status, screen).await
}

/// `POST /feedback/receipt`: the latest receipt of a code, as a file to keep.
pub async fn receipt(State(state): State<AppState>, request: Request) -> Response {
    let address = peer(&request);
    let (parts, body) = request.into_parts();
    let head = Request::from_parts(parts.clone(), Body::empty());
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return page(
            &state,
            head,
            StatusCode::PAYLOAD_TOO_LARGE,
            identify_again("", "", FormProblem::new("form", "提交的内容过长。", "What was sent is too long.")),
        )
        .await;
    };
    let found = match authenticate(&state, &parts.headers, address, &bytes).await {
        Ok(found) => found,
        Err((status, screen)) => return page(&state, head, status, screen).await,
    };
    let Some(latest) = found.target.latest else {
        let problem = FormProblem::new(
            "form",
            "这个评价码还没有提交过评价，没有回执。",
            "No feedback was sent with this code yet: there is no receipt.",
        );
        return page(
            &state,
            head,
            StatusCode::NOT_FOUND,
            identify_again(&found.credit_code, &found.code.grouped(), problem),
        )
        .await;
    };
    let file = serde_json::json!({
        "receipt": latest.number,
        "version": latest.version,
        "submitted_at": latest.submitted_at,
        "sha256": latest.sha256,
        "canonical": latest.canonical,
        "note": "sha256 is the SHA-256 of the UTF-8 bytes of `canonical` / sha256 为 canonical 字段 UTF-8 字节的 SHA-256",
    });
    let body = serde_json::to_vec_pretty(&file).unwrap_or_default();
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"receipt-{}.json\"", latest.number)),
        ],
        body,
    )
        .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Renders the page with `screen`, a fresh anti-forgery cookie if the visitor has none, and no caching.
async fn page(state: &AppState, request: Request, status: StatusCode, screen: FeedbackScreen) -> Response {
    let service = &state.feedback;
    let (mut parts, _) = request.into_parts();
    let existing = cookie_value(&parts.headers);
    let cookie = existing.clone().unwrap_or_else(new_cookie_value);
    let wait = if let FeedbackScreen::Wait { seconds } = &screen { Some(*seconds) } else { None };
    parts.extensions.insert(FeedbackRequest { screen, csrf: service.key.form_token(&cookie), demo: service.demo });
    parts.method = Method::GET;
    let future = {
        let render = match service.render.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        render(Request::from_parts(parts, Body::empty()))
    };
    let mut response = future.await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if existing.is_none() {
        // Strict: the cookie is never sent with another site's request, so a
        // forged form has neither it nor the token that matches it.
        let value = format!("{COOKIE}={cookie}; Path=/feedback; HttpOnly; SameSite=Strict; Max-Age=7200");
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.append(header::SET_COOKIE, v);
        }
    }
    if let Some(v) = wait.and_then(|seconds| HeaderValue::from_str(&seconds.to_string()).ok()) {
        h.insert(header::RETRY_AFTER, v);
    }
    response
}

fn identify_again(credit_code: &str, code: &str, problem: FormProblem) -> FeedbackScreen {
    FeedbackScreen::Identify { credit_code: credit_code.to_owned(), code: code.to_owned(), problems: vec![problem] }
}

/// A form body, strictly: `application/x-www-form-urlencoded` in UTF-8, no field twice.
fn parse_form(bytes: &[u8]) -> Result<Vec<(String, String)>, FormProblem> {
    let invalid = || {
        FormProblem::new(
            "form",
            "提交的内容不是有效的 UTF-8 表单，未保存任何内容。",
            "What was sent is not a valid UTF-8 form; nothing was stored.",
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|_| invalid())?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| -> Result<String, FormProblem> {
            let plus = s.replace('+', " ");
            percent_decode(&plus).ok_or_else(invalid)
        };
        let (name, value) = (decode(name)?, decode(value)?);
        if fields.iter().any(|(n, _)| *n == name) {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
            return Err(FormProblem::new(
                "form",
                format!("字段 {shown} 出现了两次，未保存任何内容。"),
                format!("The field {shown} was sent twice; nothing was stored."),
            ));
        }
        fields.push((name, value));
    }
    Ok(fields)
}

/// Percent-decoding that refuses bytes that are not UTF-8 (instead of replacing them).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

/// A code that matched, with the enterprise that typed it.
struct Found {
    credit_code: String,
    code: FeedbackCode,
    target: crate::storage::FeedbackTarget,
    fields: Vec<(String, String)>,
}

/// The token, the limits, the credit code and the code: the steps every post shares.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    bytes: &[u8],
) -> Result<Found, (StatusCode, FeedbackScreen)> {
    let service = &state.feedback;
    if let Some(seconds) = FeedbackService::wait(&service.per_address, &address) {
        return Err((StatusCode::TOO_MANY_REQUESTS, FeedbackScreen::Wait { seconds }));
    }
    let fields = parse_form(bytes).map_err(|p| (StatusCode::BAD_REQUEST, identify_again("", "", p)))?;
    let credit_code: String = field(&fields, "credit_code").trim().to_ascii_uppercase();
    let typed_code = field(&fields, "code").trim().to_owned();
    let shown_code: String = typed_code.chars().filter(|c| !c.is_control()).take(40).collect();
    let shown_credit: String = credit_code.chars().filter(|c| !c.is_control()).take(40).collect();
    let token_ok = cookie_value(headers).is_some_and(|c| {
        let expected = service.key.form_token(&c);
        // Equal lengths; the comparison's time does not depend on where they differ.
        let sent = field(&fields, "csrf").as_bytes();
        sent.len() == expected.len() && sent.iter().zip(expected.as_bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    });
    if !token_ok {
        let problem = FormProblem::new(
            "form",
            "表单已过期或不是从本站的评价页面提交的，未保存任何内容。请在本页重新填写并提交（浏览器需允许本站的 Cookie）。",
            "The form has expired or was not sent from this site's feedback page; nothing was stored. Fill it in again \
             on this page and send it (the browser must accept this site's cookie).",
        );
        return Err((StatusCode::FORBIDDEN, identify_again(&shown_credit, &shown_code, problem)));
    }
    let mut problems = Vec::new();
    if let Some((zh, en)) = app::components::lookup::code_problem(&credit_code) {
        problems.push(FormProblem::new("credit_code", zh, en));
    }
    let code = match FeedbackCode::parse(&typed_code) {
        Ok(code) => Some(code),
        Err(e) => {
            let (zh, en) = e.words();
            problems.push(FormProblem::new("code", zh, en));
            None
        }
    };
    let Some(code) = code.filter(|_| problems.is_empty()) else {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            FeedbackScreen::Identify { credit_code: shown_credit, code: shown_code, problems },
        ));
    };
    if let Some(seconds) = FeedbackService::wait(&service.per_credit_code, &credit_code) {
        return Err((StatusCode::TOO_MANY_REQUESTS, FeedbackScreen::Wait { seconds }));
    }
    let target = state.storage.feedback_target(&service.key.hash(&code)).await.map_err(|e| unavailable(&e))?;
    // An unknown code and a code of another enterprise get the same answer.
    let Some(target) = target.filter(|t| t.credit_code == credit_code) else {
        let problem = FormProblem::new(
            "code",
            "统一社会信用代码与评价码不符，或评价码无效。请核对检查结果告知书。",
            "The credit code and the feedback code do not match, or the code is not valid. Compare them with the written result.",
        );
        return Err((StatusCode::FORBIDDEN, identify_again(&credit_code, &code.grouped(), problem)));
    };
    Ok(Found { credit_code, code, target, fields })
}

fn unavailable(e: &StorageError) -> (StatusCode, FeedbackScreen) {
    tracing::error!(error = %e, "feedback: storage");
    let problem = match e {
        // The primary is down: the pages are still read from the replicas.
        StorageError::Unavailable => FormProblem::new(
            "form",
            "评价暂时无法保存：主数据库暂时无法连接，本次未保存任何内容。已公示的内容仍可查看，请稍后再提交。",
            "Feedback cannot be stored right now: the primary database cannot be reached, and nothing was stored. \
             Published pages can still be read; please submit again later.",
        ),
        _ => FormProblem::new(
            "form",
            "系统暂时无法处理，未保存任何内容，请稍后再试。",
            "The portal cannot process this right now; nothing was stored. Please try again later.",
        ),
    };
    (StatusCode::SERVICE_UNAVAILABLE, identify_again("", "", problem))
}

/// One post of the form, from its bytes to what the page shows.
async fn step(state: &AppState, headers: &HeaderMap, address: IpAddr, bytes: &[u8]) -> (StatusCode, FeedbackScreen) {
    let found = match authenticate(state, headers, address, bytes).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let service = &state.feedback;
    let now = service.clock.now();
    let calendar = match published_calendar(state).await {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    let inspection = match inspection(state, &found.target.result_code, &calendar).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            let problem = FormProblem::new(
                "code",
                "这个评价码对应的检查结果已不再公示，无法评价。",
                "The result of this code is no longer published: no feedback can be given.",
            );
            return (StatusCode::FORBIDDEN, identify_again(&found.credit_code, &found.code.grouped(), problem));
        }
        Err(e) => return unavailable(&e),
    };
    let today = calendar::day(&gongkai_cli::clock::beijing(now)[..10]).unwrap_or(0);
    let window = window_state(&inspection, today);
    if window != WindowState::Open {
        return (
            StatusCode::FORBIDDEN,
            FeedbackScreen::Window { state: window, inspection, latest: found.target.latest },
        );
    }
    let based_on = found.target.latest.as_ref().map_or(0, |r| r.version);
    if field(&found.fields, "step") != "submit" {
        // The form, filled in with the latest version if there is one.
        let mut values = found
            .target
            .latest
            .as_ref()
            .and_then(|r| crate::feedback::values_of(&r.canonical, blank(&inspection)))
            .unwrap_or_else(|| blank(&inspection));
        values.credit_code = found.credit_code.clone();
        values.code = found.code.grouped();
        values.based_on = based_on;
        return (
            StatusCode::OK,
            FeedbackScreen::Form { inspection, values, problems: Vec::new(), latest: found.target.latest },
        );
    }
    let (values, problems) = read_answers(&found.fields, &inspection, &found.credit_code, &found.code);
    if !problems.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            FeedbackScreen::Form { inspection, values, problems, latest: found.target.latest },
        );
    }
    if values.based_on != based_on {
        let problem = replayed(found.target.latest.as_ref());
        let mut values = values;
        values.based_on = based_on;
        return (
            StatusCode::CONFLICT,
            FeedbackScreen::Form { inspection, values, problems: vec![problem], latest: found.target.latest },
        );
    }
    let submitted_at = gongkai_cli::clock::beijing(now);
    let (receipt, ratings) = crate::feedback::receipt(&inspection.result_code, &values, based_on + 1, &submitted_at);
    let new = NewFeedback {
        result_code: inspection.result_code.clone(),
        receipt: receipt.clone(),
        window_closes: inspection.closes_on.clone(),
        ratings,
        text: values.text.clone(),
        contact: values.contact.clone(),
    };
    let stored = {
        let _gate = service.write_gate.lock().await;
        state.storage.insert_feedback(&new).await
    };
    match stored {
        Ok(()) => {
            tracing::info!(version = receipt.version, "feedback stored");
            (
                StatusCode::OK,
                FeedbackScreen::Accepted {
                    inspection,
                    receipt,
                    credit_code: found.credit_code,
                    code: found.code.grouped(),
                },
            )
        }
        Err(StorageError::Rejected(_)) => {
            // Another version was stored meanwhile (the same form sent twice).
            let latest = state
                .storage
                .feedback_target(&service.key.hash(&found.code))
                .await
                .ok()
                .flatten()
                .and_then(|t| t.latest);
            let mut values = values;
            values.based_on = latest.as_ref().map_or(0, |r| r.version);
            (
                StatusCode::CONFLICT,
                FeedbackScreen::Form { inspection, values, problems: vec![replayed(latest.as_ref())], latest },
            )
        }
        Err(e) => unavailable(&e),
    }
}

fn replayed(latest: Option<&Receipt>) -> FormProblem {
    let (zh, en) = match latest {
        Some(r) => (
            format!(
                "这份表单已经提交过（或评价已在另一个页面修改），本次未保存。现有最新版本为第 {} 版，回执 {}。如需修改，请在下方重新提交。",
                r.version, r.number
            ),
            format!(
                "This form was already sent (or the feedback was changed on another page); nothing was stored this time. \
                 The latest is version {}, receipt {}. To change it, send the form below again.",
                r.version, r.number
            ),
        ),
        None => (
            "这份表单已过期，本次未保存，请重新提交。".to_owned(),
            "This form is out of date; nothing was stored. Please send it again.".to_owned(),
        ),
    };
    FormProblem::new("form", zh, en)
}

/// The working-day calendar as published (the bundled years are published at startup).
pub async fn published_calendar(state: &AppState) -> Result<Calendar, StorageError> {
    let years = state.storage.calendar_years().await?;
    Ok(Calendar::published(&years))
}

/// The inspection of a result, as the form shows it.
async fn inspection(
    state: &AppState,
    result_code: &str,
    calendar: &Calendar,
) -> Result<Option<Inspection>, StorageError> {
    let Some(result) = state.storage.result_versions(result_code).await?.into_iter().next() else {
        return Ok(None);
    };
    let certificates: Vec<String> = result.inspectors.split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let names = state.storage.directory_names(&[], &certificates).await?;
    let department_code = result.department_code.clone().unwrap_or_default();
    let mut items = Vec::new();
    for item in result.item_codes.split(';').filter(|c| !c.is_empty()) {
        let name = state.storage.item_versions(&department_code, item).await?.into_iter().next().map(|i| i.name);
        items.push((item.to_owned(), name.unwrap_or_else(|| item.to_owned())));
    }
    let closes_on = app::feedback::window_closes(calendar, result.delivered_on.as_deref());
    Ok(Some(Inspection {
        result_code: result.result_code,
        credit_code: result.credit_code,
        enterprise_name: result.enterprise_name,
        department: result.department,
        department_code: result.department_code,
        items,
        inspected_on: result.inspected_on,
        delivered_on: result.delivered_on,
        closes_on,
        team: certificates
            .iter()
            .map(|c| (c.clone(), names.inspectors.get(c).cloned().unwrap_or_else(|| c.clone())))
            .collect(),
    }))
}

/// Where the window stands on `today`: it opens on the day of delivery and
/// closes at the end of its 10th working day (open, if that day is not known
/// because the next year's holidays are not published yet).
pub fn window_state(inspection: &Inspection, today: calendar::Day) -> WindowState {
    let Some(delivered) = inspection.delivered_on.as_deref().and_then(calendar::day) else {
        return WindowState::NotDelivered;
    };
    if today < delivered {
        return WindowState::NotYetOpen;
    }
    match inspection.closes_on.as_deref().and_then(calendar::day) {
        Some(last) if today > last => WindowState::Closed,
        _ => WindowState::Open,
    }
}

fn blank(inspection: &Inspection) -> FeedbackValues {
    FeedbackValues {
        inspectors: inspection
            .team
            .iter()
            .map(|(certificate, _)| InspectorAnswers {
                certificate: certificate.clone(),
                level: None,
                conduct: vec![None; Conduct::ALL.len()],
            })
            .collect(),
        ..FeedbackValues::default()
    }
}

/// Reads and checks the answers of the form; every problem is named by its field.
fn read_answers(
    fields: &[(String, String)],
    inspection: &Inspection,
    credit_code: &str,
    code: &FeedbackCode,
) -> (FeedbackValues, Vec<FormProblem>) {
    let mut problems = Vec::new();
    let level = |name: &str| field(fields, name).parse::<u8>().ok().and_then(Satisfaction::from_value);
    let mut values = blank(inspection);
    values.credit_code = credit_code.to_owned();
    values.code = code.grouped();
    match field(fields, "based_on").parse::<u32>() {
        Ok(n) => values.based_on = n,
        Err(_) => problems.push(FormProblem::new(
            "form",
            "表单不完整（缺少版本号），未保存任何内容，请重新打开评价页面。",
            "The form is incomplete (its version is missing); nothing was stored. Open the feedback page again.",
        )),
    }
    values.department = level("department");
    if values.department.is_none() {
        problems.push(FormProblem::new(
            "department",
            "请选择对检查部门的总体评价（五个等级之一）。",
            "Choose one of the five levels for the department.",
        ));
    }
    for (i, answers) in values.inspectors.iter_mut().enumerate() {
        let (certificate, name) = &inspection.team[i];
        if field(fields, &format!("inspector_{i}")) != certificate {
            problems.push(FormProblem::new(
                "form",
                "检查组名单已更新，请按本页显示的检查人员重新填写。",
                "The team has changed since the form was shown: fill it in again for the inspectors shown here.",
            ));
        }
        answers.level = level(&format!("level_{i}"));
        if answers.level.is_none() {
            problems.push(FormProblem::new(
                &format!("level_{i}"),
                format!("请选择对检查人员{name}的评价（五个等级之一）。"),
                format!("Choose one of the five levels for the inspector {name}."),
            ));
        }
        for (k, c) in Conduct::ALL.iter().enumerate() {
            let name_k = format!("conduct_{i}_{}", c.key());
            answers.conduct[k] = match field(fields, &name_k) {
                "yes" => Some(true),
                "no" => Some(false),
                "" => None,
                _ => {
                    problems.push(FormProblem::new(&name_k, "请选择“是”或“否”。", "Choose yes or no."));
                    None
                }
            };
        }
    }
    let text = field(fields, "text").replace("\r\n", "\n").replace('\r', "\n");
    let count = text.chars().count();
    if count > MAX_TEXT_CHARS {
        problems.push(FormProblem::new(
            "text",
            format!("意见建议最多 {MAX_TEXT_CHARS} 个字，您写了 {count} 个。"),
            format!("Comments have at most {MAX_TEXT_CHARS} characters; you wrote {count}."),
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
        problems.push(FormProblem::new(
            "text",
            format!("意见建议中有不可见的控制字符（U+{:04X}），请删除后再提交。", u32::from(c)),
            format!(
                "The comments contain an invisible control character (U+{:04X}); remove it and send again.",
                u32::from(c)
            ),
        ));
    }
    let contact = field(fields, "contact").trim().to_owned();
    let count = contact.chars().count();
    if count > MAX_CONTACT_CHARS {
        problems.push(FormProblem::new(
            "contact",
            format!("联系方式最多 {MAX_CONTACT_CHARS} 个字，您写了 {count} 个。"),
            format!("The contact has at most {MAX_CONTACT_CHARS} characters; you wrote {count}."),
        ));
    }
    if let Some(c) = contact.chars().find(|c| c.is_control()) {
        problems.push(FormProblem::new(
            "contact",
            format!("联系方式中有不可见的控制字符（U+{:04X}）。", u32::from(c)),
            format!("The contact contains an invisible control character (U+{:04X}).", u32::from(c)),
        ));
    }
    values.text = text;
    values.contact = contact;
    (values, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_read_strictly() {
        assert_eq!(
            parse_form(b"a=1&text=%E4%B8%AD+%E6%96%87%0A").unwrap(),
            [("a".to_owned(), "1".to_owned()), ("text".to_owned(), "中 文\n".to_owned())]
        );
        assert_eq!(parse_form(b"text=%FF%FE").unwrap_err().field, "form", "bytes that are not UTF-8");
        assert_eq!(parse_form(b"text=%E4%B8").unwrap_err().field, "form", "a cut character");
        assert_eq!(parse_form(b"text=%G1").unwrap_err().field, "form");
        assert!(parse_form(b"a=1&a=2").unwrap_err().en.contains("twice"));
        assert_eq!(parse_form(b"a=%2B").unwrap(), [("a".to_owned(), "+".to_owned())]);
    }

    #[test]
    fn quotas_allow_their_burst_then_refuse() {
        let limiter: DefaultKeyedRateLimiter<u8> = RateLimiter::keyed(quota(3));
        assert!((0..3).all(|_| limiter.check_key(&1).is_ok()));
        assert!(limiter.check_key(&1).is_err());
        assert!(limiter.check_key(&2).is_ok(), "per key");
    }
}
