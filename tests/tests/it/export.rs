//! Whole lists for spreadsheets: `/export/{list}.csv` (streamed) and `.xlsx`,
//! in the visitor's language, codes kept as text, file names saying what they
//! hold; and walking a whole list through the API with `after`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;

use gongkai_tests::spawn_app;
use serde_json::Value;

const RESULT_COLUMNS_ZH: &str = "企业名称,统一社会信用代码,检查部门,检查日期,检查结果,检查发现,整改情况,整改期限,检查事项,检查人员执法证号,抽取编号,结果编号,版本,公示时间（北京时间）,更正原因";
const RESULT_COLUMNS_EN: &str = "Enterprise,Unified social credit code,Department,Inspected on,Result,Findings,Rectification,Rectify by,Items,Inspectors' certificates,Draw,Result code,Version,Published (Beijing time),Correction reason";

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

async fn download(app: &gongkai_tests::TestApp, path: &str) -> Download {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    let header = |h: &str| resp.headers().get(h).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let (status, content_type, disposition) =
        (resp.status().as_u16(), header("content-type"), header("content-disposition"));
    Download { status, content_type, disposition, body: resp.bytes().await.unwrap().to_vec() }
}

/// The records of a CSV (after its byte-order mark).
fn records(body: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Every row of a list through the API, walked with `after`, 100 at a time.
async fn walk(app: &gongkai_tests::TestApp, list: &str, filters: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut after = i64::MAX.to_string();
    loop {
        let page: Value =
            serde_json::from_str(&app.get(&format!("/api/{list}?{filters}&per_page=100&after={after}")).await.1)
                .unwrap();
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_i64() {
            Some(next) => after = next.to_string(),
            None => return rows,
        }
    }
}

#[tokio::test]
async fn the_whole_result_list_as_csv_in_chinese_with_codes_kept_as_text() {
    let app = spawn_app().await;
    let d = download(&app, "/export/results.csv?year=2025").await;
    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    // The name says the list, the filter and the day (Beijing), in Chinese, with an English fallback.
    assert_eq!(
        d.disposition,
        "attachment; filename=\"results_2025_2026-11-30.csv\"; \
         filename*=UTF-8''%E6%A3%80%E6%9F%A5%E7%BB%93%E6%9E%9C_2025%E5%B9%B4_2026-11-30.csv"
    );
    let records = records(&d.body);
    assert_eq!(records[0].join(","), RESULT_COLUMNS_ZH);
    // Every result of the year, not one page: as many as the API counts (118 in the demo).
    let api: Value = serde_json::from_str(&app.get("/api/results?year=2025").await.1).unwrap();
    assert_eq!(api["total"], 118);
    assert_eq!(records.len() - 1, 118);
    // Credit codes as ="…" so that Excel keeps all 18 characters; digits-only ones included.
    let all_digits =
        records[1..].iter().filter(|r| r[1].len() == 21 && r[1][2..20].bytes().all(|b| b.is_ascii_digit()));
    assert!(all_digits.count() > 0, "the demo has credit codes of digits only");
    for r in &records[1..] {
        assert!(r[1].starts_with("=\"") && r[1].ends_with('"') && r[1].len() == 21, "{:?}", r[1]);
    }
    // Values in words: categories, rectification, items by name; no internal codes.
    let text = String::from_utf8(d.body.clone()).unwrap();
    assert!(text.contains("生产流通领域产品质量监督检查"), "items by name");
    assert!(!text.contains("1-product-quality"), "no item codes");
    assert!(text.contains(",已整改,") && text.contains(",未发现问题,"));
    assert!(!text.contains(",done,") && !text.contains(",pending,"));
    // The same rows as the API's, by result code.
    let mut from_api: Vec<String> = walk(&app, "results", "year=2025")
        .await
        .iter()
        .map(|r| r["result_code"].as_str().unwrap().to_owned())
        .collect();
    let mut from_csv: Vec<String> =
        records[1..].iter().map(|r| r[11].strip_prefix("=\"").unwrap().trim_end_matches('"').to_owned()).collect();
    from_api.sort();
    from_csv.sort();
    assert_eq!(from_csv, from_api);
}

#[tokio::test]
async fn in_english_the_columns_and_values_are_english() {
    let app = spawn_app().await;
    let d = download(&app, "/export/results.csv?year=2025&lang=en").await;
    assert_eq!(
        d.disposition,
        "attachment; filename=\"results_2025_2026-11-30.csv\"; filename*=UTF-8''results_2025_2026-11-30.csv"
    );
    let records = records(&d.body);
    assert_eq!(records[0].join(","), RESULT_COLUMNS_EN);
    let results: Vec<&str> = records[1..].iter().map(|r| r[4].as_str()).collect();
    assert!(results.contains(&"No problem found"));
    assert!(results.iter().all(|r| !r.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))), "{results:?}");
}

#[tokio::test]
async fn a_list_longer_than_a_stretch_is_streamed_whole_and_each_row_once() {
    let app = spawn_app().await;
    // The 850 demo enterprises, read 100 at a time (9 stretches).
    let d = download(&app, "/export/enterprises.csv?per_page=100").await;
    assert_eq!(d.status, 200);
    let rows = records(&d.body);
    let codes: Vec<String> =
        rows[1..].iter().map(|r| r[1].trim_start_matches("=\"").trim_end_matches('"').to_owned()).collect();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "no row twice");
    let api: Value = serde_json::from_str(&app.get("/api/enterprises").await.1).unwrap();
    assert_eq!(codes.len() as u64, api["total"].as_u64().unwrap());
    assert!(codes.len() > 800);
    // The API walk gives the same enterprises, newest first, each once.
    let walked = walk(&app, "enterprises", "").await;
    let mut walked: Vec<String> = walked.iter().map(|e| e["credit_code"].as_str().unwrap().to_owned()).collect();
    walked.sort();
    assert_eq!(walked, unique);
    // A name search walks the same way (the matches come from the name index).
    let page: Value =
        serde_json::from_str(&app.get("/api/enterprises?q=%E9%A3%9F%E5%93%81&per_page=1000").await.1).unwrap();
    let walked = walk(&app, "enterprises", "q=%E9%A3%9F%E5%93%81").await;
    assert_eq!(walked.len(), page["rows"].as_array().unwrap().len());
    // Draws are walked by page: all of them.
    let d = download(&app, "/export/draws.csv?per_page=2").await;
    let api: Value = serde_json::from_str(&app.get("/api/draws").await.1).unwrap();
    assert_eq!(records(&d.body).len() - 1, api.as_array().unwrap().len());
}

#[tokio::test]
async fn the_xlsx_workbook_keeps_codes_as_text_and_has_every_row() {
    let app = spawn_app().await;
    let d = download(&app, "/export/results.xlsx?year=2025&department=159902").await;
    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(d.disposition.contains("filename=\"results_159902_2025_2026-11-30.xlsx\""), "{}", d.disposition);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(d.body)).expect("a zip file");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
    // A header row and one row per result.
    let api: Value =
        serde_json::from_str(&app.get("/api/results?year=2025&department=159902&per_page=500").await.1).unwrap();
    let rows = api["rows"].as_array().unwrap();
    assert_eq!(sheet.matches("<row ").count(), rows.len() + 1);
    assert!(sheet.contains("<t>企业名称</t>") && sheet.contains("<t>统一社会信用代码</t>"));
    // An all-digit credit code is a string cell, not a number that would lose digits.
    let digits = rows
        .iter()
        .map(|r| r["credit_code"].as_str().unwrap())
        .find(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .expect("an all-digit credit code in the demo");
    assert!(sheet.contains(&format!("<is><t>{digits}</t></is>")), "{digits} as text");
    assert!(!sheet.contains(&format!("<v>{digits}</v>")));
    // The sheet is named for the list.
    let mut book = String::new();
    zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut book).unwrap();
    assert!(book.contains(r#"<sheet name="检查结果""#), "{book}");
}

#[tokio::test]
async fn hostile_filters_and_unknown_lists_are_refused_or_harmless() {
    let app = spawn_app().await;
    // A hostile search: no match, a header only, a file name without quotes, paths or markup.
    let d = download(&app, "/export/results.csv?q=%22%3B%20rm%20-rf%20..%2F..%2F%3Cscript%3E%E9%A3%9F").await;
    assert_eq!(d.status, 200);
    assert_eq!(records(&d.body).len(), 1);
    assert_eq!(
        d.disposition,
        "attachment; filename=\"results_rmrfscript_2026-11-30.csv\"; \
         filename*=UTF-8''%E6%A3%80%E6%9F%A5%E7%BB%93%E6%9E%9C_rmrfscript%E9%A3%9F_2026-11-30.csv"
    );
    // Unknown lists and formats: the site's 404 page.
    for path in ["/export/secrets.csv", "/export/results.exe", "/export/results", "/export/..%2Fresults.csv"] {
        let d = download(&app, path).await;
        assert_eq!(d.status, 404, "{path}");
        assert!(d.content_type.starts_with("text/html"), "{path}");
    }
    // A bad position: a clear 400 naming the parameter.
    let (status, body) = app.get("/api/results?after=-1").await;
    assert_eq!(status, 400);
    assert!(body.contains("\"field\":\"after\""), "{body}");
    let d = download(&app, "/export/results.csv?after=abc").await;
    assert_eq!(d.status, 400);
}

#[tokio::test]
async fn list_pages_link_the_whole_list_with_their_filters() {
    let app = spawn_app().await;
    let (_, html) = app.get("/results?year=2025&page=2").await;
    assert!(html.contains(r#"href="/export/results.xlsx?year=2025""#), "{html}");
    assert!(html.contains(r#"href="/export/results.csv?year=2025""#));
    assert!(html.contains("下载全部符合条件的记录"));
    let (_, en) = app.get("/inspectors?lang=en&unit=x").await;
    assert!(en.contains(r#"href="/export/inspectors.xlsx?unit=x&amp;lang=en""#), "{en}");
}
