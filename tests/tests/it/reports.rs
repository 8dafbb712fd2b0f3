//! Yearly plan execution reports (年度检查计划执行情况) as a journalist reads
//! them: computed from what a small district published, with the figures
//! counted by hand below; the department's own report beside them; the list,
//! its filters and order; JSON and CSV; corrections that change the report.
// The fixture helpers abort the test on a failed step, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use gongkai_server::publish::{self, DrawSubmission};
use gongkai_server::storage::{
    Batch, Correction, Level, NewDepartment, NewEnterprise, NewInspector, NewItem, NewPlan, NewPlanLine, NewResult,
    Rectification, ResultCategory,
};
use gongkai_tests::{TestApp, server_command, spawn_empty};
use serde_json::Value;

const PROVINCE: &str = "测试省市场监督管理局";
const CITY: &str = "测试市市场监督管理局";
const DISTRICT: &str = "测试市东河区市场监督管理局";

/// The district's one draw of 2025: 20 supermarkets and 10 small shops, each
/// stratum at 1/10 rounded up (SPEC: ratio strata round up): 2 and 1 drawn.
fn record() -> draw::DrawRecord {
    let shape = draw::synthetic::Shape {
        objects: 30,
        strata: 2,
        inspectors: 8,
        select: 3,
        team_size: 2,
        load_cap: 2,
        history: 0,
        seed: 7,
    };
    let mut input = draw::synthetic::input(&shape);
    input.draw_id = "990102-2025-01".to_owned();
    input.title = "2025年食品经营双随机抽查".to_owned();
    input.department = DISTRICT.to_owned();
    input.ancestors = vec![PROVINCE.to_owned(), CITY.to_owned()];
    input.draw_date = "2025-05-28".to_owned();
    input.plan.strata[0].name = "大型超市".to_owned();
    input.plan.strata[1].name = "小型商店".to_owned();
    input.plan.allocation = draw::Allocation::Ratio;
    for (i, o) in input.objects.iter_mut().enumerate() {
        o.stratum = if i < 20 { "S00" } else { "S01" }.to_owned();
        o.abnormal = false;
    }
    input.history.clear();
    draw::draw(input, draw::Randomness::Demo { value: "11".repeat(32) }).unwrap()
}

fn plan(code: &str, published: &str, lines: &[(&str, &str)]) -> NewPlan {
    NewPlan {
        department_code: "990102".to_owned(),
        plan_code: code.to_owned(),
        year: 2025,
        title: format!("{code} 抽查计划"),
        scope: "辖区内食品经营企业".to_owned(),
        inspector_requirements: "每户至少 2 名持证检查人员".to_owned(),
        window_start: "2025-06-01".to_owned(),
        window_end: "2025-10-01".to_owned(),
        published_at: published.to_owned(),
        max_inspections_per_year: None,
        min_per_stratum: None,
        lines: lines
            .iter()
            .map(|(stratum, ratio)| NewPlanLine {
                item_code: "A01".to_owned(),
                stratum: (*stratum).to_owned(),
                ratio: (*ratio).to_owned(),
                frequency: "每年 1 次".to_owned(),
                object_count: None,
            })
            .collect(),
        correction: None,
    }
}

fn result(sel: &draw::Selection, dates: [&str; 4], category: ResultCategory) -> NewResult {
    let problem = category != ResultCategory::NoProblem;
    NewResult {
        result_code: format!("990102-2025-01-{}", sel.object),
        draw_id: "990102-2025-01".to_owned(),
        credit_code: draw::CreditCode::parse(&sel.object).unwrap(),
        enterprise_name: format!("超市{}", &sel.object[14..]),
        department_code: "990102".to_owned(),
        item_codes: vec!["A01".to_owned()],
        inspectors: sel.team.clone(),
        inspected_on: dates[0].to_owned(),
        reported_on: dates[1].to_owned(),
        delivered_on: Some(dates[2].to_owned()),
        entered_on: Some(dates[3].to_owned()),
        category,
        findings: if problem { "台账不全，已责令改正".to_owned() } else { "未发现问题".to_owned() },
        rectification_deadline: problem.then(|| "2025-07-10".to_owned()),
        rectification: if problem { Rectification::Done } else { Rectification::None },
        penalty_case: None,
        published_at: format!("{}T16:00:00+08:00", dates[3]),
        correction: None,
    }
}

/// What the fixture published: the draw's selections (supermarkets first).
struct Seeded {
    supermarkets: Vec<draw::Selection>,
    shop: draw::Selection,
}

/// The district publishes two plans (one in April), one draw, and results
/// for the two supermarkets drawn (one report late); the small shop drawn
/// has no result although the window closed.
async fn seed(app: &TestApp) -> Seeded {
    let s = app.storage().await;
    let d = |code: &str, name: &str, level, parent: Option<&str>| NewDepartment {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        parent_code: parent.map(str::to_owned),
        published_at: "2024-01-02T09:00:00+08:00".to_owned(),
    };
    s.import(&Batch::Departments(vec![
        d("990000", PROVINCE, Level::Province, None),
        d("990100", CITY, Level::City, Some("990000")),
        d("990102", DISTRICT, Level::District, Some("990100")),
    ]))
    .await
    .unwrap();
    s.import(&Batch::Items(vec![NewItem {
        department_code: "990102".to_owned(),
        item_code: "A01".to_owned(),
        seq: 1,
        name: "食品经营监督检查".to_owned(),
        content: "食品经营许可和经营条件".to_owned(),
        legal_basis: "《中华人民共和国食品安全法》".to_owned(),
        qualification: "食品安全执法".to_owned(),
        method: vec!["现场核查".to_owned()],
        withdrawn: false,
        effective_from: "2024-01-01".to_owned(),
        published_at: "2024-01-01T09:00:00+08:00".to_owned(),
        correction: None,
    }]))
    .await
    .unwrap();
    let rec = record();
    let inspectors = rec
        .input
        .inspectors
        .iter()
        .map(|i| NewInspector {
            department_code: "990102".to_owned(),
            certificate: i.cert.clone(),
            name: format!("检查员{}", &i.cert[10..]),
            unit: i.unit.clone(),
            post: "执法检查".to_owned(),
            qualifications: i.qualifications.clone(),
            valid_from: "2020-01-01".to_owned(),
            valid_until: "2030-12-31".to_owned(),
            conflicts: Vec::new(),
            left: false,
            published_at: "2025-01-02T09:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect();
    s.import(&Batch::Inspectors(inspectors)).await.unwrap();
    let enterprises = rec
        .input
        .objects
        .iter()
        .map(|o| NewEnterprise {
            credit_code: draw::CreditCode::parse(&o.id).unwrap(),
            name: format!("超市{}", &o.id[14..]),
            department_code: "990102".to_owned(),
            region: "东河区".to_owned(),
            industry: "批发和零售业".to_owned(),
            licences: Vec::new(),
            abnormal: false,
            serious_violation: false,
            penalised: false,
            credit_class: 'B',
            published_at: "2025-01-05T09:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect();
    s.import(&Batch::Enterprises(enterprises)).await.unwrap();
    s.import(&Batch::Plans(vec![
        plan("990102-2025-P1", "2025-03-20T09:00:00+08:00", &[("大型超市", "10%"), ("小型商店", "≥20%")]),
        plan("990102-2025-P2", "2025-04-10T09:00:00+08:00", &[("餐饮企业", "5%")]),
    ]))
    .await
    .unwrap();
    publish::publish_draw(
        &*s,
        DrawSubmission {
            department_path: Some(vec![PROVINCE.to_owned(), CITY.to_owned(), DISTRICT.to_owned()]),
            record_json: serde_json::to_string(&rec).unwrap(),
            committed_at: Some("2025-05-27T09:00:00+08:00".to_owned()),
            published_at: "2025-05-28T10:00:00+08:00".to_owned(),
            plan_code: Some("990102-2025-P1".to_owned()),
        },
    )
    .await
    .unwrap();
    let supermarkets = rec.result.strata[0].selected.clone();
    let shop = rec.result.strata[1].selected[0].clone();
    assert_eq!((supermarkets.len(), rec.result.strata[1].selected.len()), (2, 1), "1/10 of 20 and of 10, rounded up");
    s.import(&Batch::Results(vec![
        // 10 → 12 June: 2 working days; 12 → 16 June: 2; 16 → 20 June: 4; published 8 after the inspection.
        result(&supermarkets[0], ["2025-06-10", "2025-06-12", "2025-06-16", "2025-06-20"], ResultCategory::NoProblem),
        // Report 11 → 23 June: 8 working days (late); 23 → 25 June: 2; 25 June → 2 July: 5; published 15 after.
        result(
            &supermarkets[1],
            ["2025-06-11", "2025-06-23", "2025-06-25", "2025-07-02"],
            ResultCategory::CorrectedOnOrder,
        ),
    ]))
    .await
    .unwrap();
    Seeded { supermarkets, shop }
}

async fn json(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["rules"].as_array().unwrap().iter().find(|r| r["rule"] == id).unwrap_or_else(|| panic!("no rule {id}"))
}

fn figure<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["figures"].as_array().unwrap().iter().find(|f| f["key"] == key).unwrap_or_else(|| panic!("no figure {key}"))
}

/// The field names of the first flat JSON object in `raw` after `from`, in the order written.
fn field_order(raw: &str, from: &str) -> Vec<String> {
    let start = raw.find(from).unwrap() + from.len();
    let object = &raw[start..];
    let object = &object[object.find('{').unwrap() + 1..object.find('}').unwrap()];
    let mut names = Vec::new();
    let mut rest = object;
    while let Some(i) = rest.find("\":") {
        let before = &rest[..i];
        names.push(before[before.rfind('"').unwrap() + 1..].to_owned());
        rest = &rest[i + 2..];
    }
    names
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn the_report_is_computed_from_what_was_published() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let r = json(&app, "/api/reports/990102/2025").await;
    assert_eq!(r["department"]["name"], DISTRICT);
    // Counted by hand: 2 plans, 1 draw, 3 drawn, 2 results (66.7 %), 1 with a problem (50.0 %).
    for (key, value) in [
        ("plans", 2.0),
        ("draws", 1.0),
        ("drawn", 3.0),
        ("inspected", 2.0),
        ("completion_rate", 66.7),
        ("problems", 1.0),
        ("problem_rate", 50.0),
        ("rectification_done", 1.0),
        ("inspectors", 4.0),
        ("on_time_rate", 100.0),
    ] {
        assert_eq!(figure(&r, key)["computed"].as_f64(), Some(value), "{key}");
    }
    let rows = r["plan_rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0]["stratum"], &rows[0]["eligible"], &rows[0]["drawn"], &rows[0]["inspected"]),
        (&Value::from("大型超市"), &Value::from(20), &Value::from(2), &Value::from(2))
    );
    assert_eq!(rows[1]["planned_ratio"], "≥20%");
    assert_eq!(rows[1]["inspected"], 0);
    // The report deadline, in working days: 2 on time, the other 8 days.
    let report_days = &r["deadlines"][0];
    assert_eq!(report_days["histogram"], serde_json::json!([[2, 1], [8, 1]]));

    // The rules: what a journalist would flag.
    let p = rule(&r, "plan_by_march");
    assert_eq!(p["state"], "violated");
    assert_eq!(p["cases"][0]["record"], "990102-2025-P2");
    assert_eq!(p["cases"][0]["breach"]["date"], "2025-04-10");
    let ratio = rule(&r, "ratio_per_stratum");
    assert_eq!(ratio["state"], "violated");
    assert_eq!(ratio["cases"].as_array().unwrap().len(), 1, "the supermarkets met 10 %");
    assert_eq!(
        ratio["cases"][0]["breach"],
        serde_json::json!({"kind": "below_ratio", "drawn": 1, "eligible": 10, "ratio": "≥20%"})
    );
    let late = rule(&r, "report_within5");
    assert_eq!(late["state"], "violated");
    assert_eq!(late["cases"][0]["record"], format!("990102-2025-01-{}", seeded.supermarkets[1].object));
    assert_eq!(late["cases"][0]["breach"]["days"], 8);
    let missing = rule(&r, "drawn_objects_inspected");
    assert_eq!(missing["state"], "violated");
    assert_eq!(missing["cases"][0]["name"], seeded.shop.object.as_str());
    for quiet in [
        "delivery_within5",
        "entry_within10",
        "publication_within20",
        "team_of_two",
        "certificate_valid",
        "drawn_team_inspected",
        "draw_verified",
        "yearly_limit",
        "higher_level_excluded",
        "inspection_in_window",
        "rectification_on_time",
    ] {
        assert_eq!(rule(&r, quiet)["state"], "met", "{quiet}: {}", rule(&r, quiet));
    }
    // No report published yet, and it was due by 31 January 2026 (the tests' clock is 30 November 2026).
    assert_eq!(rule(&r, "report_by_january")["state"], "violated");
    // Demo randomness has no public time: never "met".
    assert_eq!(r["draws"][0]["committed_first"], "cannot_check");
    assert_eq!(r["draws"][0]["verified"], "met");

    // The page says the same, in words.
    let (status, html) = app.get("/reports/990102/2025").await;
    assert_eq!(status, 200);
    assert!(html.contains("年度检查计划于 3 月 31 日前公布"), "{html}");
    assert!(html.contains("2025-04-10 公布，期限为 2025-03-31"));
    assert!(html.contains("可抽取 10 户，抽取 1 户（10.0%），计划比例 ≥20%"));
    assert!(html.contains("2025-06-11 至 2025-06-23：8 个工作日（期限 5 个）"));
    assert!(html.contains("66.7%"));
    assert!(html.contains(r#"<svg viewBox="#) && html.contains(r#"aria-hidden="true""#));
    assert!(html.contains(r#"<table class="chart-data">"#), "every chart has its data as a table");
}

#[tokio::test]
async fn a_department_s_own_report_is_shown_beside_the_computed_figures() {
    let app = spawn_empty().await;
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let database = app.database_arg();
    let import =
        |file: &std::path::Path| server_command(&["import", "--database", &database, "report", file.to_str().unwrap()]);
    // Hostile and wrong files are refused whole, with exit code 1, and nothing is written.
    for (name, text) in [
        ("unknown.json", r#"{"department_code":"990102","year":2025,"title":"t","text":"x","figures":{"votes":3}}"#),
        ("negative.json", r#"{"department_code":"990102","year":2025,"title":"t","text":"x","figures":{"drawn":-1}}"#),
        (
            "rate.json",
            r#"{"department_code":"990102","year":2025,"title":"t","text":"x","figures":{"problem_rate":140}}"#,
        ),
        ("fraction.json", r#"{"department_code":"990102","year":2025,"title":"t","text":"x","figures":{"drawn":2.5}}"#),
        ("nul.json", "{\"department_code\":\"990102\",\"year\":2025,\"title\":\"t\\u0000\",\"text\":\"x\"}"),
        ("extra.json", r#"{"department_code":"990102","year":2025,"title":"t","text":"x","secret":1}"#),
        (
            "formula.json",
            r#"{"department_code":"990102","year":2025,"title":"t","text":"x","figures":{"drawn":"=1+1"}}"#,
        ),
        ("year.json", r#"{"department_code":"990102","year":99999,"title":"t","text":"x"}"#),
        ("department.json", r#"{"department_code":"000000","year":2025,"title":"t","text":"x"}"#),
        (
            "second.json",
            r#"[{"department_code":"990102","year":2025,"title":"t","text":"x"},
                {"department_code":"990102","year":2024,"title":"t","text":"x","figures":{"drawn":"many"}}]"#,
        ),
    ] {
        assert_eq!(import(&write(dir.path(), name, text)), ExitCode::from(1), "{name}");
    }
    // Huge texts: a title over 200 characters, a text over 50,000.
    let long_title = format!(r#"{{"department_code":"990102","year":2025,"title":"{}","text":"x"}}"#, "题".repeat(201));
    assert_eq!(import(&write(dir.path(), "title.json", &long_title)), ExitCode::from(1));
    let long_text =
        format!(r#"{{"department_code":"990102","year":2025,"title":"t","text":"{}"}}"#, "文".repeat(50_001));
    assert_eq!(import(&write(dir.path(), "text.json", &long_text)), ExitCode::from(1));
    // Not UTF-8 (GBK bytes of 报告) and not JSON: the file cannot be read, exit 2.
    let gbk = dir.path().join("gbk.json");
    std::fs::write(&gbk, [b'{', b'"', 0xB1, 0xA8, 0xB8, 0xE6, b'"', b'}']).unwrap();
    assert_eq!(import(&gbk), ExitCode::from(2));
    assert_eq!(import(&write(dir.path(), "broken.json", "{\"department_code\":")), ExitCode::from(2));
    assert_eq!(import(&dir.path().join("missing.json")), ExitCode::from(2));
    let r = json(&app, "/api/reports/990102/2025").await;
    assert!(r["declared"].is_null(), "nothing was written");

    let file = write(
        dir.path(),
        "report.json",
        r#"{"department_code": "990102", "year": 2025,
            "title": "东河区2025年度抽查计划执行情况</title><script>alert(1)</script>",
            "text": "全年抽取企业3户，全部完成检查。\n<b>检查结果</b>均按时公示。",
            "published_at": "2026-01-20T10:00:00+08:00",
            "figures": {"drawn": 3, "inspected": 2, "completion_rate": 100, "problem_rate": 50.0}}"#,
    );
    assert_eq!(import(&file), ExitCode::SUCCESS);
    // Published once; a second time only as a correction.
    assert_eq!(import(&file), ExitCode::from(1));

    let r = json(&app, "/api/reports/990102/2025").await;
    assert_eq!(rule(&r, "report_by_january")["state"], "met", "published on 20 January");
    let completion = figure(&r, "completion_rate");
    assert_eq!((completion["declared"].as_f64(), completion["computed"].as_f64()), (Some(100.0), Some(66.7)));
    assert_eq!(completion["differs"], true);
    for same in ["drawn", "inspected", "problem_rate"] {
        assert_eq!(figure(&r, same)["differs"], false, "{same}");
    }
    assert_eq!(figure(&r, "penalty_cases")["declared"], Value::Null);

    let (_, html) = app.get("/reports/990102/2025").await;
    assert_eq!(html.matches(r#"<tr class="differs">"#).count(), 1, "one difference marked");
    assert!(html.contains("不一致"));
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;") && !html.contains("<script>alert(1)"), "escaped");
    assert!(html.contains("&lt;b&gt;检查结果&lt;/b&gt;"));
    let (_, en) = app.get("/reports/990102/2025?lang=en").await;
    assert!(en.contains("Differs") && en.contains("The yearly plan is published by 31 March"));

    // The figures as CSV: a BOM, the columns of the JSON fields in order, the same values.
    let csv = app.client.get(app.url("/api/reports/990102/2025.csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut lines = text.strip_prefix('\u{feff}').expect("a BOM").lines();
    assert_eq!(lines.next(), Some("key,computed,declared,differs"));
    assert!(text.contains("completion_rate,66.7,100.0,true\r\n"), "{text}");
    let raw = app.get("/api/reports/990102/2025").await.1;
    assert_eq!(field_order(&raw, "\"figures\":"), ["key", "computed", "declared", "differs"]);
}

#[tokio::test]
async fn the_list_filters_by_department_with_its_subordinates_and_sorts() {
    let app = spawn_empty().await;
    seed(&app).await;
    let list = json(&app, "/api/reports").await;
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the district has anything in 2025: {list}");
    let expected_fields = [
        "department_code",
        "department",
        "year",
        "plans",
        "draws",
        "drawn",
        "inspected",
        "completion_rate",
        "on_time_rate",
        "problem_rate",
        "rules_violated",
        "rules_cannot_check",
        "declared",
    ];
    assert_eq!(field_order(&app.get("/api/reports").await.1, "["), expected_fields);
    assert_eq!((rows[0]["year"].as_i64(), rows[0]["completion_rate"].as_f64()), (Some(2025), Some(66.7)));
    // plan_by_march, report_by_january, ratio_per_stratum, report_within5, drawn_objects_inspected.
    assert_eq!(rows[0]["rules_violated"], 5);

    // The province's view includes its city's district; another year or department has nothing.
    assert_eq!(json(&app, "/api/reports?department=990000").await.as_array().unwrap().len(), 1);
    assert_eq!(json(&app, "/api/reports?year=2024").await.as_array().unwrap().len(), 0);
    assert_eq!(json(&app, "/api/reports?department=000000").await.as_array().unwrap().len(), 0);

    let csv = app.get("/api/reports.csv?year=2025&sort=completion").await.1;
    let header = csv.strip_prefix('\u{feff}').unwrap().lines().next().unwrap().to_owned();
    assert_eq!(header, expected_fields.join(","));
    assert!(csv.contains(&format!("990102,{DISTRICT},2025,2,1,3,2,66.7,100.0,50.0,5,0,false")), "{csv}");

    let (status, html) = app.get("/reports?department=990100&sort=flags").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/reports/990102/2025""#), "{html}");
    assert!(html.contains(r#"aria-sort="ascending""#), "the chosen order is announced");
    // Hostile query values are escaped, not run.
    let (status, html) = app.get("/reports?department=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&sort=%3Cb%3E").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>x</script>") && !html.contains("<b>"), "{html}");

    for path in ["/reports/990102/2024", "/reports/000000/2025", "/reports/990102/abc", "/reports/990102/99999"] {
        assert_eq!(app.get(path).await.0, 404, "{path}");
    }
    let (status, body) = app.get("/api/reports/990102/1999").await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"], "not_found");
}

#[tokio::test]
async fn plan_settings_must_be_whole_numbers_of_at_least_one() {
    let app = spawn_empty().await;
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let database = app.database_arg();
    let header = "plan_code,department_code,year,title,scope,window_start,window_end,max_inspections_per_year,\
                  min_per_stratum,item_code,stratum,ratio,frequency";
    for (name, settings) in
        [("zero", "0,"), ("text", "两次,"), ("negative", ",-1"), ("formula", "=1+1,"), ("huge", "99999999999,")]
    {
        let file = write(
            dir.path(),
            &format!("{name}.csv"),
            &format!(
                "{header}\n990102-2025-P9,990102,2025,计划,范围,2025-06-01,2025-10-01,{settings},A01,全部,10%,每年 1 次\n"
            ),
        );
        let code = server_command(&["import", "--database", &database, "plans", file.to_str().unwrap()]);
        assert_eq!(code, ExitCode::from(1), "{name}");
    }
    let plans: Value = json(&app, "/api/plans?year=2025").await;
    assert_eq!(plans["total"], 2, "nothing written: {plans}");
    // A valid setting is the plan's limit in the report.
    let file = write(
        dir.path(),
        "ok.csv",
        &format!("{header}\n990102-2025-P9,990102,2025,计划,范围,2025-06-01,2025-10-01,1,1,A01,全部,10%,每年 1 次\n"),
    );
    assert_eq!(
        server_command(&["import", "--database", &database, "plans", file.to_str().unwrap()]),
        ExitCode::SUCCESS
    );
    let r = json(&app, "/api/reports/990102/2025").await;
    let p9 = r["plans"].as_array().unwrap().iter().find(|p| p["plan_code"] == "990102-2025-P9").unwrap();
    assert_eq!((&p9["max_inspections_per_year"], &p9["min_per_stratum"]), (&Value::from(1), &Value::from(1)));
    assert!(r["rules"].as_array().unwrap().iter().any(|c| c["rule"] == "minimum_per_stratum"));
}

#[tokio::test]
async fn a_correction_or_a_new_publication_changes_the_report_at_once() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let before = json(&app, "/api/reports/990102/2025").await;
    assert_eq!(figure(&before, "problem_rate")["computed"].as_f64(), Some(50.0));
    // The late result is corrected: no problem after all.
    let s = app.storage().await;
    let mut fixed = result(
        &seeded.supermarkets[1],
        ["2025-06-11", "2025-06-23", "2025-06-25", "2025-07-02"],
        ResultCategory::NoProblem,
    );
    fixed.published_at = "2025-08-01T09:00:00+08:00".to_owned();
    fixed.correction = Some(Correction { reason: "复核后更正检查结论".to_owned() });
    s.import(&Batch::Results(vec![fixed])).await.unwrap();
    let after = json(&app, "/api/reports/990102/2025").await;
    assert_eq!(figure(&after, "problem_rate")["computed"].as_f64(), Some(0.0));
    assert_eq!(after["results"]["corrected"], 1);
    // Publication is counted from the first version (2 July: on time), not the correction.
    assert_eq!(rule(&after, "publication_within20")["state"], "met");

    // The shop's result arrives: every drawn enterprise now has one.
    s.import(&Batch::Results(vec![result(
        &seeded.shop,
        ["2025-07-01", "2025-07-03", "2025-07-07", "2025-07-10"],
        ResultCategory::NoProblem,
    )]))
    .await
    .unwrap();
    let after = json(&app, "/api/reports/990102/2025").await;
    assert_eq!(figure(&after, "completion_rate")["computed"].as_f64(), Some(100.0));
    assert_eq!(rule(&after, "drawn_objects_inspected")["state"], "met");
}

#[tokio::test]
async fn the_demo_jurisdiction_has_imperfections_for_the_checks_to_find() {
    let app = gongkai_tests::spawn_app().await;
    let r = json(&app, "/api/reports/159902/2025").await;
    // The risk plan was published on 3 April.
    assert_eq!(rule(&r, "plan_by_march")["cases"][0]["record"], "159902-2025-R");
    // One enterprise inspected three times (the two small draws had no declared history).
    let limit = rule(&r, "yearly_limit");
    assert_eq!(limit["cases"].as_array().unwrap().len(), 1);
    assert_eq!(limit["cases"][0]["breach"], serde_json::json!({"kind": "over_limit", "count": 3, "limit": 2}));
    // Four late reports; strata below the plan's 10 %.
    assert_eq!(rule(&r, "report_within5")["cases"].as_array().unwrap().len(), 4);
    assert_eq!(rule(&r, "ratio_per_stratum")["state"], "violated");
    // The district's own report claims fewer draws and a lower problem rate.
    assert_eq!(figure(&r, "draws")["differs"], true);
    assert_eq!(figure(&r, "problem_rate")["differs"], true);
    // Feedback: a code for each of the 118 results of 2025 (70 + 41 + 3 + 4), and per inspector
    // the published counts of each of the six conduct problems.
    assert_eq!(r["feedback"]["codes_issued"], 118);
    let inspectors = r["feedback"]["inspectors"].as_array().unwrap();
    assert!(!inspectors.is_empty());
    assert!(inspectors.iter().all(|i| i["conduct_problems"].as_array().map(Vec::len) == Some(6)), "{inspectors:?}");
    let (_, html) = app.get("/reports/159902/2025").await;
    assert!(html.contains(r#"<table class="conduct">"#) && html.contains("索取或收受财物"), "{html}");
    // Its 2024 report agrees with the data.
    let r = json(&app, "/api/reports/159902/2024").await;
    assert!(r["figures"].as_array().unwrap().iter().all(|f| f["differs"] == false), "{}", r["figures"]);
}
