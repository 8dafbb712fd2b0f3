//! The demo's feedback as a visitor meets it: try-out codes on `/demo/feedback`
//! (only in demo mode) that work in the form today, and the published counts
//! (pages, JSON, CSV) with small cells hidden and no submission's words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use gongkai_tests::{server_command, spawn_app, spawn_empty};
use reqwest::StatusCode;

fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.split(start).skip(1).filter_map(|s| s.split(end).next()).collect()
}

#[tokio::test]
async fn a_visitor_tries_the_form_with_a_demo_code_today() {
    let app = spawn_app().await;
    let (status, page) = app.get("/demo/feedback").await;
    assert_eq!(status, StatusCode::OK);
    let codes = between(&page, "<code class=\"code\">", "</code>");
    assert_eq!(codes.len(), 4, "four try-out codes");
    let link = between(&page, "href=\"/feedback?credit_code=", "\"")[0].replace("&amp;", "&");
    let credit_code = link.split('&').next().unwrap().to_owned();

    // The link fills in both codes.
    let resp = app.client.get(app.url(&format!("/feedback?credit_code={link}"))).send().await.unwrap();
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("gongkai_form="))
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{credit_code}\"")));
    assert!(html.contains(&format!("value=\"{}\"", codes[0])), "the code, grouped");
    let token = between(&html, "name=\"csrf\" value=\"", "\"")[0].to_owned();
    let post = |body: String| {
        app.client
            .post(app.url("/feedback"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &cookie)
            .body(body)
            .send()
    };
    let resp = post(format!("csrf={token}&step=identify&credit_code={credit_code}&code={}", codes[0])).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "the try-out window is open today");
    let form = resp.text().await.unwrap();
    let based_on = between(&form, "name=\"based_on\" value=\"", "\"")[0].to_owned();
    let mut body = format!(
        "csrf={token}&step=submit&credit_code={credit_code}&code={}&based_on={based_on}&department=5&text=%E5%BE%88%E5%A5%BD&contact=",
        codes[0]
    );
    let team = between(&form, "name=\"inspector_", "\"").len();
    assert_eq!(team, 2, "a team of two");
    for i in 0..team {
        let certificate = between(&form, &format!("name=\"inspector_{i}\" value=\""), "\"")[0];
        body.push_str(&format!("&inspector_{i}={certificate}&level_{i}=4"));
    }
    let resp = post(body).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("评价已提交并保存"));
    let (_, page) = app.get("/demo/feedback").await;
    assert!(page.contains("<td>1</td>"), "the demo page counts the version sent");
}

#[tokio::test]
async fn the_demo_page_does_not_exist_on_a_real_portal() {
    let app = spawn_empty().await;
    let (status, html) = app.get("/demo/feedback").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("code class=\"code\""));
}

#[tokio::test]
async fn published_counts_hide_small_cells_and_never_the_words() {
    let app = spawn_app().await;
    let sql = app.sql().await;
    let (status, body) = app.get("/api/feedback?department=159902&year=2025").await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let department = rows.iter().find(|r| r["certificate"].is_null()).expect("the department's row");

    // Counted independently: codes of the district's current 2025 results, and
    // their latest submissions whose window has closed.
    let issued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_codes f JOIN results r ON r.result_code = f.result_code \
         JOIN departments d ON d.id = r.department_id \
         WHERE d.code = '159902' AND r.year = 2025 AND r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    // Today in China (UTC+8), as SQLite's date('now', '+8 hours').
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let today = app::calendar::date((now + 8 * 3600).div_euclid(86_400));
    let received: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT s.result_code) FROM feedback_submissions s JOIN results r ON r.result_code = s.result_code \
         WHERE r.year = 2025 AND s.window_closes < $1",
    )
    .bind(&today)
    .fetch_one(&sql)
    .await
    .unwrap();
    assert_eq!(department["codes_issued"], issued);
    assert!(received >= 50, "the demo has feedback on most results: {received}");
    assert_eq!(department["received"], received);
    let levels = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"];
    let mut shown = 0;
    let mut hidden = 0;
    for l in levels {
        match &department[l] {
            serde_json::Value::Number(n) => {
                assert!(n.as_i64().unwrap() >= 5, "{l}: a shown count is at least 5");
                shown += n.as_i64().unwrap();
            }
            serde_json::Value::String(s) => {
                assert_eq!(s, "<5");
                hidden += 1;
            }
            other => panic!("{l}: {other}"),
        }
    }
    assert!(shown <= received && hidden != 1, "a single hidden cell could be worked out from the total");

    // Inspectors carry conduct counts; an inspector with few submissions shows only "<5".
    let inspectors: Vec<&serde_json::Value> = rows.iter().filter(|r| r["certificate"].is_string()).collect();
    assert!(inspectors.len() > 10);
    for r in &inspectors {
        assert!(r["inspector"].is_string(), "named from the directory");
        if r["received"] == "<5" {
            assert!(levels.iter().all(|l| r[*l] == "<5"));
        }
        assert!(r.get("money_or_gifts").is_some());
    }
    // The words of a submission are never published.
    for (path, words) in [("/api/feedback", "补充：整改材料已按要求提交"), ("/api/feedback.csv", "检查人员态度好")]
    {
        let (status, body) = app.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains(words), "{path}");
        assert!(!body.contains("text") && !body.contains("contact"), "{path}");
    }

    // The CSV has the same rows, and "<5" where JSON has it.
    let (_, csv) = app.get("/api/feedback.csv?department=159902&year=2025").await;
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("department_code,department,certificate,inspector,year,codes_issued,received,"));
    assert_eq!(lines.len() - 1, rows.len());
    assert!(csv.contains(",<5,"));

    // The pages show them: the department's and an inspector's.
    let (_, html) = app.get("/departments/159902").await;
    assert!(html.contains("企业评价反馈") && html.contains(&format!("<td class=\"num\">{issued}</td>")));
    let cert = inspectors[0]["certificate"].as_str().unwrap();
    let (_, html) = app.get(&format!("/inspectors/{cert}?lang=en")).await;
    assert!(html.contains("Feedback from inspected enterprises") && html.contains("Money or gifts asked or taken"));
}

#[tokio::test]
async fn the_supervisory_office_exports_every_version_and_the_file_is_its_owners_only() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("feedback-159902.csv");
    let database = app.database_arg();
    let args = |department: &'static str, out: &std::path::Path| {
        vec!["feedback", "export", "--department", department, "--out", out.to_str().unwrap(), "--database", &database]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| server_command(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run(args("159902", &out)), ExitCode::SUCCESS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("result_code,credit_code,version,receipt,submitted_at,sha256,subject,level,"));
    // One row per rating of every version, counted in the database.
    let ratings: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_ratings fr JOIN feedback_submissions s ON s.id = fr.submission_id \
         JOIN feedback_codes f ON f.result_code = s.result_code JOIN departments d ON d.id = f.department_id \
         WHERE d.code = '159902'",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(lines.len() as i64 - 1, ratings);
    assert!(text.contains("补充：整改材料已按要求提交"), "the words are in the export");
    assert!(lines.iter().any(|l| l.ends_with(",0")) && lines.iter().any(|l| l.ends_with(",1")), "versions marked");
    // An existing file is not overwritten; an unknown department is named.
    assert_eq!(run(args("159902", &out)), ExitCode::from(2));
    assert_eq!(run(args("999999", &dir.path().join("other.csv"))), ExitCode::from(1));
    assert!(!dir.path().join("other.csv").exists());
}
