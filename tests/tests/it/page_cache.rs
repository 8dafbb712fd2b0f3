//! The page cache (server/src/page_cache.rs) as visitors see it: a page
//! served again is the same page with its own fresh CSP nonce, an `ETag`
//! brings `304 Not Modified`, and a publication — by the server or by
//! `server import` in another process — shows on the next request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongkai_server::storage::Batch;
use gongkai_tests::{new_enterprises, spawn_app};

/// The nonce of the page's scripts, and the one its `Content-Security-Policy` allows.
fn nonces(csp: &str, body: &str) -> (String, Vec<String>) {
    let allowed = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    let used = body.split(" nonce=\"").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect();
    (allowed, used)
}

async fn get(app: &gongkai_tests::TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_page_served_again_has_its_own_nonce_and_an_etag_that_brings_304() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let resp = get(&app, "/results", &[]).await;
        assert_eq!(resp.status(), 200);
        let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        let body = resp.text().await.unwrap();
        let (allowed, used) = nonces(&csp, &body);
        assert!(!used.is_empty(), "the page has scripts with a nonce");
        assert!(used.iter().all(|n| *n == allowed), "every script carries this response's nonce");
        seen.push((allowed.clone(), etag, body.replace(&allowed, "")));
    }
    assert!(seen[0].0 != seen[1].0 && seen[1].0 != seen[2].0, "a fresh nonce each time");
    assert!(seen.iter().all(|s| s.1 == seen[0].1 && s.2 == seen[0].2), "the same page, the same ETag");

    // The ETag sent back: 304, no body, and no new CSP for the copy the browser keeps.
    let resp = get(&app, "/results", &[("if-none-match", &seen[0].1)]).await;
    assert_eq!(resp.status(), 304);
    assert!(resp.headers().get("content-security-policy").is_none());
    assert_eq!(resp.headers()["etag"], seen[0].1.as_str());
    assert!(resp.bytes().await.unwrap().is_empty());
    let resp = get(&app, "/results", &[("if-none-match", "\"pdeadbeef\"")]).await;
    assert_eq!(resp.status(), 200, "another ETag: the page");

    // JSON answers too.
    let first = get(&app, "/api/results", &[]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let body = first.text().await.unwrap();
    let again = get(&app, "/api/results", &[]).await;
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert_eq!(again.text().await.unwrap(), body);
    assert_eq!(get(&app, "/api/results", &[("if-none-match", &etag)]).await.status(), 304);
}

#[tokio::test]
async fn a_publication_shows_on_the_next_request_whoever_published_it() {
    let app = spawn_app().await;
    let page = "/enterprises?q=%E7%BC%93%E5%AD%98%E6%B5%8B%E8%AF%95"; // 缓存测试
    let before = get(&app, page, &[]).await;
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();
    assert!(!before.text().await.unwrap().contains("缓存测试第1号有限公司"));
    assert_eq!(get(&app, page, &[("if-none-match", &etag)]).await.status(), 304);

    // Published through another connection to the database (as `server import` would, from another process).
    app.storage()
        .await
        .import(&Batch::Enterprises(new_enterprises("159902", 900_001..900_002, "缓存测试")))
        .await
        .unwrap();
    let after = get(&app, page, &[("if-none-match", &etag)]).await;
    assert_eq!(after.status(), 200, "the ETag of the page before the publication is no longer it");
    assert_ne!(after.headers()["etag"], etag.as_str());
    assert!(after.text().await.unwrap().contains("缓存测试第900001号有限公司"));

    // A feedback code issued (not a log entry, but counted in the published feedback figures) is a change too.
    let figures = get(&app, "/api/feedback", &[]).await.headers()["etag"].to_str().unwrap().to_owned();
    sqlx::query(
        "INSERT INTO feedback_codes (result_code, credit_code, department_id, code_hmac, issued_at) \
         SELECT result_code, credit_code, department_id, $1, '2026-11-30T10:00:00+08:00' \
         FROM results WHERE result_code NOT IN (SELECT result_code FROM feedback_codes) LIMIT 1",
    )
    .bind(format!("{:064}", 7))
    .execute(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(get(&app, "/api/feedback", &[("if-none-match", &figures)]).await.status(), 200);
}

#[tokio::test]
async fn languages_are_kept_apart_and_private_or_cookie_setting_answers_are_not_kept() {
    let app = spawn_app().await;
    let zh = get(&app, "/results", &[]).await.text().await.unwrap();
    let en = get(&app, "/results", &[("cookie", "gongkai_lang=en")]).await.text().await.unwrap();
    let zh_again = get(&app, "/results", &[]).await.text().await.unwrap();
    assert!(zh.contains("<html lang=\"zh-CN\""), "{}", &zh[..200]);
    assert!(en.contains("<html lang=\"en\""), "{}", &en[..200]);
    assert!(zh_again.contains("<html lang=\"zh-CN\""));

    // `?lang=` sets the cookie: that answer is not kept (nor given an ETag).
    let switched = get(&app, "/results?lang=en", &[]).await;
    assert!(switched.headers().contains_key("set-cookie"));
    assert!(!switched.headers().contains_key("etag"));
    // The feedback form (private) is never kept.
    let form = get(&app, "/feedback", &[]).await;
    assert!(!form.headers().contains_key("etag"));
    // Nor answers that are not 200.
    let missing = get(&app, "/enterprises/911599020000000000", &[]).await;
    assert_eq!(missing.status(), 404);
    assert!(!missing.headers().contains_key("etag"));
    let log = app.storage().await.log_size().await.unwrap();
    assert!(log > 0);
}
