//! The working-day calendar as the public and a department see it: the
//! bundled years served as open data and as a page, a year without a notice
//! refused in both languages, and a new year published with `server import
//! calendar` (corrections as new versions, bad files refused naming the field,
//! nothing written).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::ExitCode;

use gongkai_server::configuration::{Database, Settings};
use gongkai_tests::{database_arg, new_database, server_command as server, spawn_app, spawn_with};
use serde_json::{Value, json};

fn import_calendar(database: &Database, file: &Path, extra: &[&str]) -> ExitCode {
    let database = database_arg(database);
    let mut args = vec!["import", "calendar", file.to_str().unwrap(), "--database", &database];
    args.extend_from_slice(extra);
    server(&args)
}

/// A made-up year for the tests (no real notice): New Year's Day on a
/// Tuesday, a make-up Sunday before it.
fn test_year() -> Value {
    json!({
        "year": 2030,
        "notice": {
            "title": "测试用节假日安排（非真实通知）",
            "number": null,
            "issued": "2029-11-01",
            "url": "https://example.org/gongkai-test-notice-2030"
        },
        "holidays": [ { "name": "元旦", "from": "2030-01-01", "to": "2030-01-01" } ],
        "workdays": [ { "date": "2030-01-06", "holiday": "元旦" } ]
    })
}

#[tokio::test]
async fn the_bundled_years_are_open_data_with_their_notices() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/calendar/2025").await;
    assert_eq!(status, 200, "{body}");
    let year: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(year["year"], 2025);
    assert_eq!(year["notice"]["number"], "国办发明电〔2024〕12号");
    assert_eq!(year["working_days"], 248);
    assert_eq!(year["version"], 1);
    let holidays = year["holidays"].as_array().unwrap();
    assert!(holidays.iter().any(|h| h["name"] == "春节" && h["from"] == "2025-01-28" && h["to"] == "2025-02-04"));
    let workdays: Vec<&str> =
        year["workdays"].as_array().unwrap().iter().map(|w| w["date"].as_str().unwrap()).collect();
    assert_eq!(workdays, ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]);

    let (status, body) = app.get("/api/calendar").await;
    assert_eq!(status, 200);
    let all: Vec<Value> = serde_json::from_str(&body).unwrap();
    let totals: Vec<(i64, i64)> =
        all.iter().map(|y| (y["year"].as_i64().unwrap(), y["working_days"].as_i64().unwrap())).collect();
    assert_eq!(totals, [(2024, 251), (2025, 248), (2026, 248)]);

    // A year without a notice: 404, said in both languages.
    let resp = app.client.get(app.url("/api/calendar/2027")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let error: Value = resp.json().await.unwrap();
    assert_eq!(error["error"], "calendar_not_published");
    assert_eq!(error["message"], "2027 年的节假日安排尚未公布");
    assert_eq!(error["message_en"], "The holidays of 2027 have not been published yet");
    for hostile in ["abc", "2025%27", "20250", "-2025", "%3Cscript%3E"] {
        let (status, body) = app.get(&format!("/api/calendar/{hostile}")).await;
        assert_eq!(status, 404, "{hostile}: {body}");
        assert!(!body.contains("<script>"), "{hostile}: {body}");
    }
}

#[tokio::test]
async fn the_calendar_page_shows_each_year_in_both_languages() {
    let app = spawn_app().await;
    let (status, html) = app.get("/calendar").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>法定工作日</h1>"), "{html}");
    assert!(html.contains("国办发明电〔2024〕12号"));
    assert!(html.contains("全年法定工作日 248 天") && html.contains("全年法定工作日 251 天"));
    let at = html.find(r#"<time datetime="2025-09-28">"#).expect("the make-up Sunday");
    assert!(html[at..at + 120].contains("周日"), "{}", &html[at..at + 120]);
    assert!(html.contains(r#"href="https://m.gmw.cn/2024-11/12/content_1303894933.htm""#));
    assert_eq!(html.matches("<table").count(), html.matches("<tbody").count());

    let (status, html) = app.get("/calendar?lang=en").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Official working days</h1>"));
    assert!(html.contains("248 working days in the year."));
    assert!(html.contains("National Day and Mid-Autumn Festival"));
    let at = html.find(r#"<time datetime="2025-09-28">"#).expect("the make-up Sunday");
    assert!(html[at..at + 120].contains("Sunday"), "{}", &html[at..at + 120]);
    // Nothing Chinese in the English page's content but the notices' document
    // numbers, marked as Chinese (the site's name and language switch are in the header).
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    let mut rest = main.to_owned();
    while let Some(start) = rest.find(r#"<span lang="zh-CN">"#) {
        let end = rest[start..].find("</span>").map_or(rest.len(), |e| start + e + 7);
        rest.replace_range(start..end, "");
    }
    let chinese: String = rest.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).collect();
    assert!(chinese.is_empty(), "Chinese on the English page: {chinese}");
}

#[tokio::test]
async fn a_department_publishes_a_new_year_and_corrects_it_as_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let database = new_database(d.join("portal.db")).await;
    let file = d.join("2030.json");

    // A make-up day on a Monday is not one: refused naming the field, nothing written.
    let mut bad = test_year();
    bad["workdays"][0]["date"] = json!("2030-01-07");
    std::fs::write(&file, serde_json::to_vec(&bad).unwrap()).unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(1));
    // A notice address that is not a web address, and a field the format does not have.
    let mut hostile = test_year();
    hostile["notice"]["url"] = json!("javascript:alert(1)");
    std::fs::write(&file, serde_json::to_vec(&hostile).unwrap()).unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(1));
    let mut unknown = test_year();
    unknown["weekends"] = json!([]);
    std::fs::write(&file, serde_json::to_vec(&unknown).unwrap()).unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(1));
    std::fs::write(&file, b"{ not json").unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(2));

    std::fs::write(&file, serde_json::to_vec(&test_year()).unwrap()).unwrap();
    assert_eq!(import_calendar(&database, &file, &["--published-at", "2029-11-02T09:00:00+08:00"]), ExitCode::SUCCESS);
    // Published once: again without a reason is refused.
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(1));
    let mut corrected = test_year();
    corrected["workdays"] = json!([]);
    std::fs::write(&file, serde_json::to_vec(&corrected).unwrap()).unwrap();
    assert_eq!(
        import_calendar(&database, &file, &["--correction-reason", "调休安排以正式通知为准"]),
        ExitCode::SUCCESS
    );

    let mut settings = Settings::for_tests(d.join("portal.db"));
    settings.database = database;
    settings.seed_demo = false;
    let app = spawn_with(settings, dir).await;
    let (status, body) = app.get("/api/calendar/2030").await;
    assert_eq!(status, 200, "{body}");
    let year: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(year["version"], 2);
    assert_eq!(year["correction_reason"], "调休安排以正式通知为准");
    assert_eq!(year["workdays"], json!([]));
    // 2030: 261 weekdays, less New Year's Day.
    assert_eq!(year["working_days"], 260);
    // The bundled years were published beside it at the first start.
    let (_, body) = app.get("/api/calendar").await;
    let years: Vec<i64> =
        serde_json::from_str::<Vec<Value>>(&body).unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2024, 2025, 2026, 2030]);
    // The first version is kept.
    let versions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_years WHERE year = 2030")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(versions, 2);
}

/// Hostile values in a calendar file: markup is published as text and escaped
/// on the page (title included), and control characters, NUL, over-long
/// names and a file that is not UTF-8 are refused with nothing written.
#[tokio::test]
async fn hostile_calendar_files_are_refused_or_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let database = new_database(d.join("portal.db")).await;
    let file = d.join("2030.json");
    for (field, value) in [
        ("name", json!("元旦\u{0}")),
        ("name", json!("元旦\u{7}")),
        ("name", json!("节".repeat(201))),
        ("name", json!("")),
    ] {
        let mut y = test_year();
        y["holidays"][0][field] = value;
        std::fs::write(&file, serde_json::to_vec(&y).unwrap()).unwrap();
        assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(1));
    }
    let mut gbk = b"{\"year\": 2030, \"notice\": {\"title\": \"".to_vec();
    gbk.extend_from_slice(&[0xB2, 0xE2, 0xCA, 0xD4]); // 测试 in GBK
    gbk.extend_from_slice(b"\"}}");
    std::fs::write(&file, gbk).unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::from(2));

    let markup = "<script>alert(1)</script>=cmd|' /C calc'!A0";
    let mut y = test_year();
    y["holidays"][0]["name"] = json!(markup);
    y["notice"]["title"] = json!(markup);
    std::fs::write(&file, serde_json::to_vec(&y).unwrap()).unwrap();
    assert_eq!(import_calendar(&database, &file, &[]), ExitCode::SUCCESS);

    let mut settings = Settings::for_tests(d.join("portal.db"));
    settings.database = database;
    settings.seed_demo = false;
    let app = spawn_with(settings, dir).await;
    let (status, html) = app.get("/calendar").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"), "markup is escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
    assert!(!title.contains('<'), "{title}");
    let (_, body) = app.get("/api/calendar/2030").await;
    let year: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(year["holidays"][0]["name"], markup, "kept as published");
}
