//! The server as an attacker meets it: security headers, caching, hostile
//! query strings, methods and paths, errors in the promised format, totals
//! past the last page, slow and idle connections, files that are not public.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use gongkai_server::configuration::Settings;
use gongkai_tests::{spawn_app, spawn_with};

const DRAW: &str = "159902-2025-01";

#[tokio::test]
async fn every_response_carries_the_security_headers_and_the_page_script_its_nonce() {
    let app = spawn_app().await;
    let mut nonces = Vec::new();
    for path in ["/", "/draws/159902-2025-01", "/api/draws", "/style.css", "/no-such-page", "/api/nope"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self' 'nonce-"), "{path}: {csp}");
        assert!(csp.contains("'wasm-unsafe-eval'") && !csp.contains("'unsafe-eval'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let body = resp.text().await.unwrap();
        if path == "/" || path.starts_with("/draws") {
            // Every inline script carries this response's nonce, and there is one (the island loader).
            let tags: Vec<&str> = body.split("<script").skip(1).map(|t| &t[..t.find('>').unwrap()]).collect();
            let inline: Vec<&&str> = tags.iter().filter(|t| !t.contains("src=")).collect();
            assert!(!inline.is_empty(), "{path}: the island loader is inline");
            for tag in inline {
                assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{tag}> lacks the nonce");
            }
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 6, "a fresh nonce per response");
}

#[tokio::test]
async fn what_never_changes_is_cached_long_with_an_etag_and_pages_briefly() {
    let app = spawn_app().await;
    let cache = |resp: &reqwest::Response| resp.headers()["cache-control"].to_str().unwrap().to_owned();

    let pool = app.client.get(app.url(&format!("/api/draws/{DRAW}/pool.bin"))).send().await.unwrap();
    assert_eq!(pool.status(), 200);
    assert_eq!(cache(&pool), "public, max-age=31536000, immutable");
    let input = app.client.get(app.url(&format!("/api/draws/{DRAW}/input.json"))).send().await.unwrap();
    assert_eq!(cache(&input), "public, max-age=31536000, immutable");

    let record = app.client.get(app.url(&format!("/api/draws/{DRAW}/record.json"))).send().await.unwrap();
    assert_eq!(record.status(), 200);
    assert_eq!(cache(&record), "public, max-age=300");
    let etag = record.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    let again = app
        .client
        .get(app.url(&format!("/api/draws/{DRAW}/record.json")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app
        .client
        .get(app.url(&format!("/api/draws/{DRAW}/record.json")))
        .header("if-none-match", "\"0000\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);

    let page = app.client.get(app.url("/draws")).send().await.unwrap();
    assert_eq!(cache(&page), "private, max-age=60");
    let missing = app.client.get(app.url("/api/nope")).send().await.unwrap();
    assert_eq!(cache(&missing), "no-store");
}

#[tokio::test]
async fn hostile_query_strings_are_400s_naming_the_parameter_in_json_and_html() {
    let app = spawn_app().await;
    // 50,000 bytes (past SQLite's LIKE pattern limit), and 5,000 Chinese characters.
    let long = "a".repeat(50_000);
    let chinese = "东".repeat(5_000);
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("/api/plans?q={long}"), "q", "too long"),
        (format!("/api/items?q={chinese}"), "q", "too long"),
        (format!("/api/results?q={long}"), "q", "too long"),
        (format!("/api/inspectors?q={long}"), "q", "too long"),
        ("/api/enterprises?q=a%00b".to_owned(), "q", "control character"),
        ("/api/results?page=abc".to_owned(), "page", "whole number"),
        ("/api/results?page=4294967296".to_owned(), "page", "whole number"),
        ("/api/results?q=a&q=b".to_owned(), "q", "more than once"),
        ("/api/draws?department=1&department=2".to_owned(), "department", "more than once"),
    ];
    for (path, field, words) in &cases {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{}", &path[..path.len().min(60)]);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "bad_parameter");
        assert_eq!(body["field"], *field);
        assert!(body["message_en"].as_str().unwrap().contains(words), "{body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{body}");
    }
    for path in [format!("/draws?q={long}"), format!("/items?q={long}"), "/results?q=%00".to_owned()] {
        let resp = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{}", &path[..30]);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = resp.text().await.unwrap();
        assert!(html.contains("<h1>请求无效</h1>") && html.contains("参数 q"), "{html}");
    }
    let (status, html) = app.get("/items?lang=en&q=%07").await;
    assert_eq!(status, 400);
    assert!(html.contains("lang=\"en\"") && html.contains("Bad request") && !html.contains("请求无效"), "{html}");
}

#[tokio::test]
async fn methods_other_than_get_and_malformed_paths_get_the_promised_error_format() {
    let app = spawn_app().await;
    // Reading only: a POST to the API, to a static file, to a Leptos server function.
    for (method, path) in [
        (reqwest::Method::POST, "/api/draws"),
        (reqwest::Method::DELETE, "/style.css"),
        (reqwest::Method::PUT, "/"),
        (reqwest::Method::POST, "/api/department_page"),
    ] {
        let resp = app.client.request(method.clone(), app.url(path)).body("").send().await.unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(resp.headers()["allow"], "GET, HEAD", "{method} {path}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        let body = resp.text().await.unwrap();
        if path.starts_with("/api/") {
            assert!(ct.starts_with("application/json"), "{method} {path}: {ct}");
            assert!(body.contains("\"method_not_allowed\""), "{body}");
        } else {
            assert!(ct.starts_with("text/html"), "{method} {path}: {ct}");
            assert!(body.contains("不支持的请求方法"), "{body}");
        }
    }
    // Too many headers, and too large ones.
    let mut many = reqwest::header::HeaderMap::new();
    for i in 0..150 {
        many.insert(
            reqwest::header::HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap(),
            "1".parse().unwrap(),
        );
    }
    let big = "b".repeat(40 * 1024);
    for (path, headers) in [
        ("/api/draws", many.clone()),
        ("/draws", many),
        ("/api/draws", {
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("x-big", big.parse().unwrap());
            h
        }),
    ] {
        let resp = app.client.get(app.url(path)).headers(headers).send().await.unwrap();
        assert_eq!(resp.status(), 431, "{path}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        let body = resp.text().await.unwrap();
        if path.starts_with("/api/") {
            assert!(body.contains("\"headers_too_large\"") && ct.starts_with("application/json"), "{body}");
        } else {
            assert!(ct.starts_with("text/html") && body.contains("请求头过大"), "{body}");
        }
    }
    // A path that is not UTF-8 once decoded.
    let resp = app.client.get(app.url("/api/inspectors/%FF%FE")).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(body["message_en"].as_str().unwrap().starts_with("Bad request"));
}

#[tokio::test]
async fn totals_past_the_last_page_are_the_real_totals() {
    let app = spawn_app().await;
    let first: serde_json::Value = app.client.get(app.url("/api/results")).send().await.unwrap().json().await.unwrap();
    let total = first["total"].as_u64().unwrap();
    assert!(total > 0);
    for path in ["/api/results?page=10", "/api/results?page=4294967295&per_page=1000", "/api/items?page=99"] {
        let body: serde_json::Value = app.client.get(app.url(path)).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["rows"].as_array().unwrap().len(), 0, "{path}");
        if path.starts_with("/api/results") {
            assert_eq!(body["total"].as_u64(), Some(total), "{path}: {body}");
        }
        assert!(body["total"].as_u64().unwrap() < 100_000, "{path}: {body}");
        assert_eq!(body["total_is_lower_bound"], false, "{path}");
    }
    let resp = app.client.get(app.url("/api/draws?page=50")).send().await.unwrap();
    assert_eq!(resp.headers()["x-total-count"], "8");
}

#[tokio::test]
async fn files_that_are_not_meant_to_be_public_are_not_served() {
    let app = spawn_app().await;
    // The site folder of the tests is target/site; whatever dot-files it holds, none is served.
    for path in ["/.gongkai-build-stamp", "/.env", "/pkg/.hidden", "/.git/config"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
    }
}

#[tokio::test]
async fn inspector_pages_and_open_data_do_not_publish_gender() {
    let app = spawn_app().await;
    let body: serde_json::Value =
        app.client.get(app.url("/api/inspectors")).send().await.unwrap().json().await.unwrap();
    let row = &body["rows"][0];
    assert!(row.get("certificate").is_some() && row.get("name").is_some() && row.get("unit").is_some());
    assert!(row.get("gender").is_none(), "{row}");
    let cert = row["certificate"].as_str().unwrap().to_owned();
    let (status, html) = app.get(&format!("/inspectors/{cert}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("性别") && !html.contains("男</dd>") && !html.contains("女</dd>"), "{html}");
    let (_, csv) = app.get("/api/inspectors.csv").await;
    assert!(!csv.lines().next().unwrap().contains("gender"), "{csv}");
}

/// Reads from a raw connection until it is closed; returns how long that took.
fn closed_within(stream: &mut std::net::TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(started.elapsed()),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn half_sent_requests_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.request_timeout = Duration::from_secs(1);
    let app = spawn_with(settings, dir).await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let (half, idle) = tokio::task::spawn_blocking(move || {
        // Half of a request's headers, then nothing.
        let mut half = std::net::TcpStream::connect(&addr).unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
        let half = closed_within(&mut half, Duration::from_secs(10));
        // One whole request, then an idle keep-alive connection.
        let mut idle = std::net::TcpStream::connect(&addr).unwrap();
        idle.write_all(b"GET /api/nope HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let idle = closed_within(&mut idle, Duration::from_secs(10));
        (half, idle)
    })
    .await
    .unwrap();
    let half = half.expect("a half-sent request is closed");
    assert!(half < Duration::from_secs(5), "{half:?}");
    let idle = idle.expect("an idle connection is closed");
    assert!(idle < Duration::from_secs(5), "{idle:?}");
}

#[tokio::test]
async fn a_name_that_excel_would_run_as_a_formula_is_text_in_the_csv_and_unchanged_in_json() {
    use gongkai_server::storage::{Batch, NewEnterprise};
    let app = spawn_app().await;
    let code = draw::CreditCode::complete("91990000MA0000777").unwrap();
    let name = "=HYPERLINK(\"http://example.invalid\",\"点击\")";
    let storage = app.storage().await;
    storage
        .import(&Batch::Enterprises(vec![NewEnterprise {
            credit_code: code.clone(),
            name: name.to_owned(),
            department_code: gongkai_server::demo::DISTRICT_CODE.to_owned(),
            region: "@SUM(1)".to_owned(),
            industry: "-2+3".to_owned(),
            licences: vec![],
            abnormal: false,
            serious_violation: false,
            penalised: false,
            credit_class: 'A',
            published_at: "2025-01-05T09:00:00+08:00".to_owned(),
            correction: None,
        }]))
        .await
        .unwrap();
    let (status, csv) = app.get(&format!("/api/enterprises.csv?q={code}")).await;
    assert_eq!(status, 200);
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"点击\"\")\""), "{row}");
    assert!(row.contains(",'@SUM(1),'-2+3,"), "{row}");
    let json: serde_json::Value =
        app.client.get(app.url(&format!("/api/enterprises?q={code}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(json["rows"][0]["name"], name);
    let (_, html) = app.get("/open-data").await;
    assert!(html.contains("单引号"), "the open-data page says so");
}

#[tokio::test]
async fn the_bundle_is_served_under_content_addressed_names_cached_for_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg").join("gongkai.js"), b"export default function() {}\n").unwrap();
    std::fs::write(site.join("pkg").join("gongkai.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.leptos.site_root = site.display().to_string().into();
    let app = spawn_with(settings, dir).await;

    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    let js = html.split("/pkg/gongkai.").nth(1).map(|rest| rest.split('"').next().unwrap().to_owned()).unwrap();
    assert!(js.len() == "0123456789abcdef.js".len() && js.ends_with(".js"), "{js}");
    let resp = app.client.get(app.url(&format!("/pkg/gongkai.{js}"))).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(resp.text().await.unwrap(), "export default function() {}\n");
    let wasm = html.split("/pkg/gongkai.").filter_map(|r| r.split('"').next()).find(|n| n.ends_with(".wasm")).unwrap();
    let resp = app.client.get(app.url(&format!("/pkg/gongkai.{wasm}"))).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/wasm");
    // The fixed names stay reachable, revalidated each time.
    let resp = app.client.get(app.url("/pkg/gongkai.js")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "public, no-cache");
    // A name that is not the bundle's is a 404.
    let resp = app.client.get(app.url("/pkg/gongkai.0000000000000000.js")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}
