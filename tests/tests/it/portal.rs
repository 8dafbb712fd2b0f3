//! The portal's published lists, as a citizen (pages) and a journalist (open
//! data) see them: departments, item lists, inspectors, plans, draws, results,
//! enterprises; search, filters, pages, corrections, 404s, CSV.
// The fixture helpers abort the test on a failed step, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::types::{EnterpriseDetail, Paged, ResultRow};
use gongkai_server::publish::{self, CommitmentSubmission, DrawSubmission};
use gongkai_server::storage::{
    Batch, Correction, Level, NewDepartment, NewEnterprise, NewInspector, NewItem, NewPlan, NewPlanLine, NewResult,
    Rectification, ResultCategory,
};
use gongkai_tests::{TestApp, spawn_empty};

const PROVINCE: &str = "测试省市场监督管理局";
const CITY: &str = "测试市市场监督管理局";
const DISTRICT: &str = "测试市东河区市场监督管理局";
const DISTRICT_CODE: &str = "990102";
const PLAN: &str = "990102-2025-P1";
/// The name of the first drawn enterprise (searched for by parts of it).
const STAR: &str = "测试市星辰食品有限公司";

fn record(seed: u64) -> draw::DrawRecord {
    let shape = draw::synthetic::Shape {
        objects: 40,
        strata: 2,
        inspectors: 12,
        select: 6,
        team_size: 2,
        load_cap: 3,
        history: 3,
        seed,
    };
    let mut input = draw::synthetic::input(&shape);
    // Drawn by the fixture's district, under its province and city.
    input.department = DISTRICT.to_owned();
    input.ancestors = vec![PROVINCE.to_owned(), CITY.to_owned()];
    for h in &mut input.history {
        h.department = if h.department == "市局" { CITY.to_owned() } else { DISTRICT.to_owned() };
    }
    // The first draw of the plan, and a second one later in the year.
    if seed == 1 {
        input.title = "2025年食品经营双随机抽查".to_owned();
    } else {
        input.title = "2025年第二批食品经营抽查".to_owned();
        input.draw_date = "2025-09-01".to_owned();
    }
    draw::draw(input, draw::Randomness::Demo { value: "00".repeat(32) }).unwrap()
}

/// What the fixture published.
struct Seeded {
    record: draw::DrawRecord,
    /// The first drawn enterprise (named [`STAR`]) and its result code (corrected once).
    star: String,
    star_result: String,
    /// A drawn enterprise whose result was never corrected.
    other_result: String,
    awaiting_id: String,
}

fn item(code: &str, name: &str, correction: Option<&str>) -> NewItem {
    NewItem {
        department_code: DISTRICT_CODE.to_owned(),
        item_code: code.to_owned(),
        seq: if code == "A01" { 1 } else { 2 },
        name: name.to_owned(),
        content: "计量器具的检定情况".to_owned(),
        legal_basis: if correction.is_some() {
            "《中华人民共和国计量法》（2018 年修正）第九条".to_owned()
        } else {
            "《中华人民共和国计量法》第九条".to_owned()
        },
        qualification: "持有计量执法证".to_owned(),
        method: vec!["现场核查".to_owned(), "书面审查".to_owned()],
        withdrawn: false,
        effective_from: if correction.is_some() { "2025-03-01" } else { "2024-01-01" }.to_owned(),
        published_at: "2024-01-01T09:00:00+08:00".to_owned(),
        correction: correction.map(|r| Correction { reason: r.to_owned() }),
    }
}

fn inspector(i: usize, name: &str, valid_until: &str, left: bool) -> NewInspector {
    NewInspector {
        department_code: DISTRICT_CODE.to_owned(),
        certificate: format!("1500{i:08}"),
        name: name.to_owned(),
        unit: format!("U{}", i % 3),
        post: "执法检查".to_owned(),
        qualifications: if i.is_multiple_of(2) {
            vec!["综合".to_owned(), "计量".to_owned()]
        } else {
            vec!["综合".to_owned()]
        },
        valid_from: "2020-01-01".to_owned(),
        valid_until: valid_until.to_owned(),
        conflicts: Vec::new(),
        left,
        published_at: "2025-01-02T09:00:00+08:00".to_owned(),
        correction: None,
    }
}

fn result(code: &str, draw_id: &str, credit: &str, name: &str, team: &[String], correction: Option<&str>) -> NewResult {
    NewResult {
        result_code: code.to_owned(),
        draw_id: draw_id.to_owned(),
        credit_code: draw::CreditCode::parse(credit).unwrap(),
        enterprise_name: name.to_owned(),
        department_code: DISTRICT_CODE.to_owned(),
        item_codes: vec!["A01".to_owned()],
        inspectors: team.to_vec(),
        inspected_on: "2025-06-10".to_owned(),
        reported_on: "2025-06-12".to_owned(),
        delivered_on: Some("2025-06-16".to_owned()),
        entered_on: Some("2025-06-20".to_owned()),
        category: if correction.is_some() { ResultCategory::CorrectedOnOrder } else { ResultCategory::NoProblem },
        findings: if correction.is_some() {
            "电子秤未按期检定，已责令改正".to_owned()
        } else {
            "检查中未发现问题".to_owned()
        },
        rectification_deadline: correction.map(|_| "2025-07-10".to_owned()),
        rectification: if correction.is_some() { Rectification::Pending } else { Rectification::None },
        penalty_case: None,
        published_at: "2025-06-25T09:00:00+08:00".to_owned(),
        correction: correction.map(|r| Correction { reason: r.to_owned() }),
    }
}

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
        d(DISTRICT_CODE, DISTRICT, Level::District, Some("990100")),
    ]))
    .await
    .unwrap();
    s.import(&Batch::Items(vec![item("A01", "计量器具监督检查", None), item("A02", "食品经营许可检查", None)]))
        .await
        .unwrap();
    s.import(&Batch::Items(vec![item(
        "A01",
        "计量器具监督检查",
        Some("计量法修正后更新依据 / the metrology law was amended"),
    )]))
    .await
    .unwrap();

    let rec = record(1);
    let mut inspectors: Vec<NewInspector> =
        (0..12).map(|i| inspector(i, &format!("检查员{i:02}"), "2030-12-31", false)).collect();
    inspectors.push(inspector(90, "王过期", "2020-12-31", false));
    inspectors.push(inspector(91, "李调离", "2030-12-31", true));
    s.import(&Batch::Inspectors(inspectors)).await.unwrap();

    let drawn: Vec<&draw::Selection> = rec.result.strata.iter().flat_map(|s| s.selected.iter()).collect();
    let star = drawn[0].object.clone();
    let enterprises = rec
        .input
        .objects
        .iter()
        .enumerate()
        .map(|(i, o)| NewEnterprise {
            credit_code: draw::CreditCode::parse(&o.id).unwrap(),
            name: if o.id == star { STAR.to_owned() } else { format!("测试市第{i}号商贸有限公司") },
            department_code: DISTRICT_CODE.to_owned(),
            region: "东河区".to_owned(),
            industry: "批发和零售业".to_owned(),
            licences: vec!["食品经营许可证".to_owned()],
            abnormal: o.abnormal,
            serious_violation: false,
            penalised: false,
            credit_class: 'B',
            published_at: "2025-01-05T09:00:00+08:00".to_owned(),
            correction: None,
        })
        .collect();
    s.import(&Batch::Enterprises(enterprises)).await.unwrap();

    s.import(&Batch::Plans(vec![NewPlan {
        department_code: DISTRICT_CODE.to_owned(),
        plan_code: PLAN.to_owned(),
        year: 2025,
        title: "2025年度双随机抽查工作计划".to_owned(),
        scope: "辖区内食品经营企业".to_owned(),
        inspector_requirements: "每户至少 2 名持证检查人员".to_owned(),
        window_start: "2025-06-01".to_owned(),
        window_end: "2025-10-01".to_owned(),
        published_at: "2025-03-20T09:00:00+08:00".to_owned(),
        max_inspections_per_year: None,
        min_per_stratum: None,
        lines: vec![NewPlanLine {
            item_code: "A01".to_owned(),
            stratum: "食品经营企业".to_owned(),
            ratio: "10%".to_owned(),
            frequency: "每年 1 次".to_owned(),
            object_count: Some(6),
        }],
        correction: None,
    }]))
    .await
    .unwrap();

    publish::publish_draw(
        &*s,
        DrawSubmission {
            department_path: Some(vec![PROVINCE.to_owned(), CITY.to_owned(), DISTRICT.to_owned()]),
            record_json: serde_json::to_string(&rec).unwrap(),
            committed_at: Some("2025-05-28T09:00:00+08:00".to_owned()),
            published_at: "2025-06-01T10:00:00+08:00".to_owned(),
            plan_code: Some(PLAN.to_owned()),
        },
    )
    .await
    .unwrap();

    let draw_id = rec.input.draw_id.as_str();
    let star_result = format!("{draw_id}-{star}");
    let other = &drawn[1].object;
    let other_result = format!("{draw_id}-{other}");
    s.import(&Batch::Results(vec![
        result(&star_result, draw_id, &star, STAR, &drawn[0].team, None),
        result(&other_result, draw_id, other, "测试市第二商贸有限公司", &drawn[1].team, None),
    ]))
    .await
    .unwrap();
    s.import(&Batch::Results(vec![result(
        &star_result,
        draw_id,
        &star,
        STAR,
        &drawn[0].team,
        Some("复核发现电子秤未检定，更正检查结果 / review found an unverified scale"),
    )]))
    .await
    .unwrap();

    // A draw of the current plan, committed and still waiting for its randomness.
    let next = record(2);
    let awaiting_id = next.input.draw_id.clone();
    publish::publish_commitment(
        &*s,
        CommitmentSubmission {
            department_code: DISTRICT_CODE.to_owned(),
            plan_code: Some(PLAN.to_owned()),
            input_json: serde_json::to_string(&next.input).unwrap(),
            committed_at: "2025-08-28T09:00:00+08:00".to_owned(),
        },
    )
    .await
    .unwrap();

    Seeded { record: rec, star, star_result, other_result, awaiting_id }
}

/// The `<main>` of the page (not the data serialized for hydration), with
/// `&amp;` in attributes decoded.
async fn page(app: &TestApp, path: &str) -> String {
    let (status, html) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {html}");
    assert_eq!(html.matches("<table").count(), html.matches("<tbody").count(), "{path}: every table has a tbody");
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("main ends");
    html[start..end].replace("&amp;", "&")
}

/// The first table row (`<tr>…</tr>`) of the page that contains `needle`.
fn row_with<'a>(html: &'a str, needle: &str) -> &'a str {
    html.split("<tr")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap_or(r))
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle}"))
}

/// The raw bytes of a download.
async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn departments_form_a_hierarchy_and_show_their_item_lists() {
    let app = spawn_empty().await;
    seed(&app).await;
    let html = page(&app, "/departments").await;
    let (p, c, d) = (html.find(PROVINCE).unwrap(), html.find(CITY).unwrap(), html.find(DISTRICT).unwrap());
    assert!(p < c && c < d, "province, then city, then district");
    assert!(html.contains(r#"href="/departments/990102""#));

    let html = page(&app, "/departments/990102").await;
    assert!(html.contains(&format!("<h1>{DISTRICT}</h1>")), "{html}");
    assert!(html.contains(r#"href="/items/990102/A01""#) && html.contains("食品经营许可检查"));
    assert!(html.contains(r#"href="/departments/990100""#), "links its parent");
    // The current version's legal basis, not the old one.
    assert!(html.contains("（2018 年修正）"));
}

#[tokio::test]
async fn an_item_shows_its_current_version_and_its_history_with_the_reason() {
    let app = spawn_empty().await;
    seed(&app).await;
    let html = page(&app, "/items/990102/A01").await;
    assert!(html.contains("现行版本") && html.contains("已被更正（旧版本）"));
    assert!(html.contains("计量法修正后更新依据"), "the correction reason is shown");
    let new = html.find("（2018 年修正）").unwrap();
    let old = html.find("《中华人民共和国计量法》第九条").unwrap();
    assert!(new < old, "the current version comes first");
    assert!(html.contains("2025-03-01") && html.contains("现场核查、书面审查"));

    let list = page(&app, "/items?department=990102").await;
    assert_eq!(list.matches(r#"href="/items/990102/A01""#).count(), 1, "one row per item, the current version");
    let api: Paged<app::types::ItemRow> =
        serde_json::from_str(&app.get("/api/items?department=990102").await.1).unwrap();
    assert_eq!(api.total, 2);
    assert_eq!(api.rows[0].version, 2);
    let versions: Vec<app::types::ItemRow> = serde_json::from_str(&app.get("/api/items/990102/A01").await.1).unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
}

#[tokio::test]
async fn the_inspector_directory_marks_expired_certificates_and_inspectors_who_left() {
    let app = spawn_empty().await;
    seed(&app).await;
    let html = page(&app, "/inspectors").await;
    assert!(html.contains(r#"<label for="f-q">"#), "the search field has a label");
    assert!(row_with(&html, "王过期").contains("执法证已过期"), "marked in words");
    assert!(row_with(&html, "李调离").contains("已调离"));
    assert!(!row_with(&html, "检查员01").contains("执法证已过期"));

    let html = page(&app, "/inspectors?q=过期").await;
    assert!(html.contains("王过期") && !html.contains("检查员01"), "search by part of the name");
    let html = page(&app, "/inspectors?status=expired").await;
    assert!(html.contains("王过期") && !html.contains("李调离"));
    let html = page(&app, "/inspectors?qualification=计量&unit=U0").await;
    assert!(html.contains("检查员00") && html.contains("检查员06") && !html.contains("检查员03"));
    assert!(!html.contains("检查员01"), "检查员01 lacks the qualification");

    let html = page(&app, "/inspectors/150000000090").await;
    assert!(html.contains("王过期") && html.contains("执法证已过期") && html.contains("2020-12-31"));
    let (status, _) = app.get("/inspectors/000000000000").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_plan_shows_its_lines_and_the_draws_made_under_it() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let html = page(&app, "/plans?year=2025").await;
    assert!(html.contains(&format!(r#"href="/plans/{PLAN}""#)));
    let html = page(&app, "/plans?year=2024").await;
    assert!(!html.contains(&format!(r#"href="/plans/{PLAN}""#)), "filtered by year");

    let html = page(&app, &format!("/plans/{PLAN}")).await;
    for text in ["辖区内食品经营企业", "每户至少 2 名持证检查人员", "10%", "每年 1 次", "2025-06-01 – 2025-10-01"]
    {
        assert!(html.contains(text), "{text} is missing");
    }
    assert!(html.contains("计量器具监督检查"), "the line names its item");
    assert!(html.contains(&format!(r#"href="/draws/{}""#, seeded.record.input.draw_id)));
    assert!(html.contains(&format!(r#"href="/draws/{}""#, seeded.awaiting_id)));
    assert!(html.contains("等待随机数"));
}

#[tokio::test]
async fn draws_are_filtered_by_status_and_the_home_page_shows_the_latest_publications() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let drawn = &seeded.record.input.draw_id;
    let html = page(&app, "/draws?status=awaiting_randomness").await;
    assert!(html.contains(&seeded.awaiting_id) && !html.contains(&format!("/draws/{drawn}\"")));
    let html = page(&app, "/draws?status=drawn&department=990102&year=2025").await;
    assert!(!html.contains(&seeded.awaiting_id) && html.contains(&format!("/draws/{drawn}\"")));
    let html = page(&app, "/draws?year=2019").await;
    assert!(html.contains("没有符合条件的抽取"));
    // The language switch keeps the filters.
    let (_, full) = app.get("/draws?year=2019").await;
    assert!(full.contains(r#"href="/draws?year=2019&amp;lang=en""#), "{full}");

    let list: Vec<app::types::DrawSummary> = serde_json::from_str(&app.get("/api/draws").await.1).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, seeded.awaiting_id, "newest first");
    assert!(list[0].is_awaiting());

    let html = page(&app, "/").await;
    assert!(html.contains("如何验证一次抽取"));
    assert!(row_with(&html, &seeded.awaiting_id).contains("等待随机数"));
    assert!(html.contains(&format!(r#"href="/results/{}""#, seeded.star_result)), "latest results");
    assert!(html.contains(&format!(r#"href="/plans/{PLAN}""#)), "latest plans");
}

#[tokio::test]
async fn results_are_found_by_a_chinese_name_part_or_a_credit_code() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let link = format!(r#"href="/results/{}""#, seeded.star_result);
    let other = format!(r#"href="/results/{}""#, seeded.other_result);
    // Three characters and more go through the trigram index, fewer through LIKE.
    for q in ["星辰食品", "辰食品有限", "星辰", "辰"] {
        let html = page(&app, &format!("/results?q={}", app::types::url_encode(q))).await;
        assert!(html.contains(&link), "{q} finds the result");
        assert!(!html.contains(&other), "{q} finds nothing else");
        assert!(html.contains(&format!(r#"value="{q}""#)), "the form keeps the search");
    }
    let html = page(&app, &format!("/results?q={}", seeded.star.to_lowercase())).await;
    assert!(html.contains(&link) && !html.contains(&other), "by credit code");
    let html = page(&app, "/results?q=不存在的企业名").await;
    assert!(html.contains("没有符合条件的检查结果"));

    let html = page(&app, "/results?rectification=pending").await;
    assert!(html.contains(&link) && !html.contains(&other), "the correction made it pending");
    let html = page(&app, &format!("/results?category={}", app::types::url_encode("未发现问题"))).await;
    assert!(!html.contains(&link) && html.contains(&other), "the old category no longer counts");
    let html = page(&app, "/results?year=2025&department=990102&item=A01").await;
    assert!(html.contains(&link) && html.contains(&other));
    let html = page(&app, "/results?item=A02").await;
    assert!(!html.contains(&link));
}

#[tokio::test]
async fn a_corrected_result_shows_both_versions_with_the_reason() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let html = page(&app, &format!("/results/{}", seeded.star_result)).await;
    let new = html.find("电子秤未按期检定，已责令改正").expect("the current version");
    let old = html.find("检查中未发现问题").expect("the old version stays visible");
    assert!(new < old, "current first");
    assert!(html.contains("第 2 版") && html.contains("第 1 版"));
    assert!(html.contains("现行版本") && html.contains("已被更正（旧版本）"));
    assert!(html.contains("复核发现电子秤未检定，更正检查结果"));
    assert!(html.contains("整改中") && html.contains("2025-07-10"));

    // Lists show the current version once.
    let api: Paged<ResultRow> = serde_json::from_str(&app.get("/api/results").await.1).unwrap();
    let mine: Vec<&ResultRow> = api.rows.iter().filter(|r| r.result_code == seeded.star_result).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].version, 2);
    assert_eq!(api.total, 2);
    let versions: Vec<ResultRow> =
        serde_json::from_str(&app.get(&format!("/api/results/{}", seeded.star_result)).await.1).unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[0].correction_reason.as_deref().unwrap().contains("复核"));
}

#[tokio::test]
async fn an_enterprise_page_shows_every_draw_and_result() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    let rec = &seeded.record;
    let html = page(&app, &format!("/enterprises/{}", seeded.star)).await;
    assert!(html.contains(&format!("<h1>{STAR}</h1>")), "{html}");
    let drawn = &rec.result.strata.iter().flat_map(|s| s.selected.iter()).next().unwrap();
    assert!(html.contains("抽中"));
    for cert in &drawn.team {
        assert!(html.contains(cert.as_str()), "team member {cert}");
    }
    assert!(html.contains(&format!(r#"href="/results/{}""#, seeded.star_result)));

    // An excluded enterprise sees why, in both languages.
    let excluded = &rec.result.exclusions[0];
    let html = page(&app, &format!("/enterprises/{}", excluded.object)).await;
    assert!(html.contains("被排除") && html.contains(excluded.reason.zh()), "{html}");
    let (_, en) = app.get_with(&format!("/enterprises/{}", excluded.object), &[("cookie", "gongkai_lang=en")]).await;
    assert!(en.contains(excluded.reason.en()));

    let detail: EnterpriseDetail =
        serde_json::from_str(&app.get(&format!("/api/enterprises/{}", seeded.star)).await.1).unwrap();
    assert_eq!(detail.versions[0].name, STAR);
    assert_eq!(detail.draws.len(), 1);
    assert_eq!(detail.draws[0].outcome, app::types::Outcome::Selected);
    assert_eq!(detail.results.len(), 1, "the current version of each result");

    // Search by a part of the name, and by code.
    let html = page(&app, &format!("/enterprises?q={}", app::types::url_encode("星辰食品"))).await;
    assert!(html.contains(&format!(r#"href="/enterprises/{}""#, seeded.star)));
    assert!(!html.contains("第1号商贸"));
    let found: Paged<app::types::EnterpriseRow> =
        serde_json::from_str(&app.get(&format!("/api/enterprises?q={}", seeded.star)).await.1).unwrap();
    assert_eq!(found.rows.len(), 1);
}

#[tokio::test]
async fn lists_have_pages_with_stable_links_that_keep_the_filters() {
    let app = spawn_empty().await;
    seed(&app).await;
    // Three characters: the trigram index finds and counts the 39 enterprises called 第…号商贸.
    let q = app::types::url_encode("号商贸");
    let html = page(&app, &format!("/enterprises?q={q}&per_page=10")).await;
    assert!(html.contains("第 1 页，共 4 页") && html.contains("共 39 条"), "{html}");
    assert!(html.contains(&format!(r#"rel="next" href="/enterprises?q={q}&per_page=10&page=2""#)), "{html}");
    assert!(!html.contains(r#"rel="prev""#));
    let html = page(&app, &format!("/enterprises?q={q}&per_page=10&page=4")).await;
    assert!(html.contains("第 4 页，共 4 页"));
    assert!(html.contains(&format!(r#"rel="prev" href="/enterprises?q={q}&per_page=10&page=3""#)));
    assert!(!html.contains(r#"rel="next""#));
    assert_eq!(html.matches(r#"href="/enterprises/9"#).count(), 9, "the last page has the remaining 9");

    // Two characters: the bigram index finds and counts them too.
    let two = app::types::url_encode("商贸");
    let html = page(&app, &format!("/enterprises?q={two}&per_page=10&page=2")).await;
    assert!(html.contains("第 2 页，共 4 页") && html.contains("共 39 条"), "{html}");
    assert!(html.contains(&format!(r#"rel="next" href="/enterprises?q={two}&per_page=10&page=3""#)));
    // One character is scanned and not counted: the pages still go on.
    let one = app::types::url_encode("贸");
    let html = page(&app, &format!("/enterprises?q={one}&per_page=10&page=2")).await;
    assert!(html.contains("第 2 页，至少 3 页"), "{html}");
    let html = page(&app, &format!("/enterprises?q={two}&per_page=10&page=4")).await;
    assert_eq!(html.matches(r#"href="/enterprises/9"#).count(), 9);
    assert!(!html.contains(r#"rel="next""#), "a short page is the last");

    let p1: Paged<app::types::EnterpriseRow> =
        serde_json::from_str(&app.get(&format!("/api/enterprises?q={q}&per_page=10")).await.1).unwrap();
    let p2: Paged<app::types::EnterpriseRow> =
        serde_json::from_str(&app.get(&format!("/api/enterprises?q={q}&per_page=10&page=2")).await.1).unwrap();
    assert_eq!((p1.total, p1.rows.len(), p2.rows.len()), (39, 10, 10));
    assert!(p1.rows.iter().all(|a| p2.rows.iter().all(|b| a.credit_code != b.credit_code)), "pages do not overlap");
}

#[tokio::test]
async fn csv_downloads_have_a_bom_a_header_and_the_same_filters() {
    let app = spawn_empty().await;
    let seeded = seed(&app).await;
    for path in ["/api/results.csv?rectification=pending", "/api/results?format=csv&rectification=pending"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(resp.headers()["content-disposition"].to_str().unwrap().contains("results.csv"));
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], ResultRow::FIELDS.join(","));
        assert_eq!(lines.len(), 2, "only the pending result: {text}");
        assert!(lines[1].starts_with(&format!("{},2,", seeded.star_result)));
        assert!(lines[1].contains(STAR));
    }
    let raw = bytes(&app, "/api/inspectors.csv?status=expired").await;
    let text = String::from_utf8(raw).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}department_code,"));
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("王过期") && lines[1].contains(",true,"), "expired = true");
    for path in ["/api/items.csv", "/api/plans.csv", "/api/draws.csv", "/api/enterprises.csv", "/api/departments.csv"] {
        assert!(bytes(&app, path).await.starts_with(b"\xEF\xBB\xBF"), "{path}");
    }
    let html = page(&app, "/open-data").await;
    for endpoint in ["/api/results", "/api/enterprises/{credit_code}", "/api/inspectors.csv", "rectification"] {
        assert!(html.contains(endpoint), "{endpoint} is documented");
    }
}

#[tokio::test]
async fn unknown_codes_are_404_pages_and_json() {
    let app = spawn_empty().await;
    seed(&app).await;
    let unknown_code = draw::CreditCode::complete("91990000MA0000001").unwrap().to_string();
    for path in [
        "/departments/000000".to_owned(),
        "/items/990102/ZZZ".to_owned(),
        "/inspectors/nobody".to_owned(),
        "/plans/no-plan".to_owned(),
        "/results/no-result".to_owned(),
        format!("/enterprises/{unknown_code}"),
    ] {
        let (status, html) = app.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("页面不存在"), "{path}");
    }
    for path in ["/api/results/nope", "/api/plans/nope", "/api/items/990102/ZZZ", "/api/departments/000000"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
        assert!(body["message_en"].is_string());
    }
    let (status, body) = app.get("/api/enterprises/not-a-code").await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid_credit_code"));
}
