//! The printable sheet of `server feedback codes --sheet`: one slip per new
//! code, each with its enterprise's credit code and a QR code of the filled-in
//! feedback address, written only together with the codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::ExitCode;

use app::feedback::FeedbackCode;
use gongkai_tests::{server_command as server, spawn_app};

/// The fields of one CSV line (quoted fields with doubled quotes; no line breaks in fields).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

/// HTML escaping, written here independently of the server's.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The names of the files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_sheet_has_a_slip_per_code_and_is_written_only_together_with_the_codes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let key = dir.path().join("feedback.key");
    let database = app.database_arg();
    let args = |out: &Path, sheet: &Path, portal: &str| {
        vec![
            "feedback".to_owned(),
            "codes".to_owned(),
            "--department".to_owned(),
            "159902".to_owned(),
            "--year".to_owned(),
            "2024".to_owned(),
            "--out".to_owned(),
            out.to_str().unwrap().to_owned(),
            "--sheet".to_owned(),
            sheet.to_str().unwrap().to_owned(),
            "--portal-url".to_owned(),
            portal.to_owned(),
            "--database".to_owned(),
            database.clone(),
            "--key".to_owned(),
            key.to_str().unwrap().to_owned(),
        ]
    };
    let run = |a: Vec<String>| server(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let portal = "https://gongkai.example.gov.cn/";
    let sql = app.sql().await;
    let issued = || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM feedback_codes f JOIN results r ON r.result_code = f.result_code \
             WHERE r.year = 2024 AND r.id NOT IN (SELECT id FROM results_superseded)",
        )
        .fetch_one(&sql)
        .await
        .unwrap();
        n
    };

    // An existing sheet is never overwritten: refused before anything is written or issued.
    let (out, sheet) = (work.join("codes.csv"), work.join("sheet.html"));
    std::fs::write(&sheet, "an earlier sheet").unwrap();
    let refused = run(args(&out, &sheet, portal));
    assert_ne!(refused, ExitCode::SUCCESS);
    assert_eq!(refused, ExitCode::from(2));
    assert_eq!(std::fs::read_to_string(&sheet).unwrap(), "an earlier sheet");
    assert_eq!(files_in(&work), ["sheet.html"], "no CSV, no partial file");
    assert_eq!(issued().await, 0, "no code issued");

    // A portal address that is no http(s) address is refused too (content: exit code 1).
    let sheet = work.join("sheet-2024.html");
    assert_eq!(run(args(&out, &sheet, "javascript:alert(1)")), ExitCode::from(1));
    assert_eq!(files_in(&work), ["sheet.html"]);
    assert_eq!(issued().await, 0);

    // Without the conflict, every result gets its code, in the CSV and on the sheet.
    assert_eq!(run(args(&out, &sheet, portal)), ExitCode::SUCCESS);
    assert_eq!(files_in(&work), ["codes.csv", "sheet-2024.html", "sheet.html"], "no partial file remains");
    let results: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM results r JOIN departments d ON d.id = r.department_id \
         WHERE d.code = '159902' AND r.year = 2024 AND r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert!(results > 50, "{results}");
    assert_eq!(issued().await, results);

    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.strip_prefix('\u{feff}').expect("a byte-order mark").split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "result_code,credit_code,enterprise_name,inspected_on,delivered_on,feedback_code,feedback_opens,feedback_closes"
        )
    );
    let rows: Vec<Vec<String>> = lines.filter(|l| !l.is_empty()).map(fields).collect();
    assert_eq!(rows.len() as i64, results, "one CSV row per result (all codes issued: none went to the refused runs)");
    assert!(rows.iter().all(|r| r.len() == 8));

    let html = std::fs::read_to_string(&sheet).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"zh-CN\">"));
    assert!(!html.contains("<script") && !html.contains("<link"), "self-contained, no script");
    assert!(html.contains("break-after: page"));
    assert!(html.contains("https://gongkai.example.gov.cn/feedback?credit_code="));
    assert!(!html.contains("//feedback"), "the trailing / of --portal-url is dropped");
    let slips: Vec<&str> = html.split("<section class=\"slip\">").skip(1).collect();
    assert_eq!(slips.len(), rows.len(), "one slip per CSV row");
    assert_eq!(html.matches("<svg").count(), rows.len(), "a QR code per slip");

    for row in &rows {
        let (result_code, credit_code, name, grouped) = (&row[0], &row[1], &row[2], &row[5]);
        let code = FeedbackCode::parse(grouped).unwrap();
        let holding: Vec<&&str> = slips.iter().filter(|s| s.contains(grouped.as_str())).collect();
        assert_eq!(holding.len(), 1, "{grouped} is on exactly one slip");
        let slip = holding[0];
        // The code is printed beside its own enterprise and result …
        assert!(slip.contains(&html_text(credit_code)), "{grouped} next to {credit_code}");
        assert!(slip.contains(&html_text(result_code)), "{grouped} with {result_code}");
        let name = name.strip_prefix('\'').filter(|n| n.starts_with(['=', '+', '-', '@', '\t', '\r'])).unwrap_or(name);
        assert!(slip.contains(&html_text(name)), "{grouped} with {name}");
        // … and its QR code's address fills in both.
        let address =
            format!("https://gongkai.example.gov.cn/feedback?credit_code={credit_code}&amp;code={}", code.as_str());
        assert!(slip.contains(&address), "{address}");
    }
}
