//! The home page as a visitor meets it: a search, this year's figures, the
//! next draw, the glossary in the page's language and a footer that says who
//! runs the site; and the results list's item filter and empty years.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongkai_server::configuration::Settings;
use gongkai_tests::{spawn_app, spawn_with};
use serde_json::Value;

/// The text of an HTML fragment, tags removed and spaces collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `html` from the element with `class` to the end of its section.
fn section<'a>(html: &'a str, class: &str) -> &'a str {
    let start = html.find(&format!(r#"class="{class}""#)).unwrap_or_else(|| panic!("no {class} in {html}"));
    let end = html[start..].find("</section>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// A share in percent with one decimal, rounded half up, counted in integers.
fn percent(num: u64, den: u64) -> String {
    let tenths = (num * 2000 + den) / (den * 2);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[tokio::test]
async fn the_home_page_has_a_search_this_years_figures_and_the_next_draw() {
    let app = spawn_app().await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);

    // The search comes before the explanations and sends a name or code to the enterprise list.
    let search = html.find(r#"<form action="/enterprises" method="get" role="search" class="site-search">"#);
    assert!(search.is_some(), "{html}");
    assert!(search < html.find("什么是“双随机、一公开”"), "the search is near the top");
    assert!(html.contains(r#"<input id="site-q" name="q" type="search""#));
    assert!(html.contains(r#"<label for="site-q">查询企业</label>"#));
    // What the form sends finds the enterprise, by code and by part of its name.
    let results: Value = serde_json::from_str(&app.get("/api/results?year=2025&per_page=500").await.1).unwrap();
    let first = &results["rows"][0];
    let (code, name) = (first["credit_code"].as_str().unwrap(), first["enterprise_name"].as_str().unwrap());
    let (_, found) = app.get(&format!("/enterprises?q={code}")).await;
    assert!(found.contains(&format!(r#"href="/enterprises/{code}""#)), "{found}");
    let part: String = name.chars().take(4).collect();
    let (_, found) = app.get(&format!("/enterprises?q={}", urlencoding(&part))).await;
    assert!(found.contains(&format!(r#"href="/enterprises/{code}""#)));

    // This year's and last year's figures, counted here from the open data.
    let figures = text(section(&html, "year-figures"));
    assert!(figures.contains("今年的抽查"), "{figures}");
    for year in [2026, 2025] {
        let all: Value =
            serde_json::from_str(&app.get(&format!("/api/results?year={year}&per_page=500")).await.1).unwrap();
        let rows = all["rows"].as_array().unwrap();
        assert_eq!(all["total"].as_u64(), Some(rows.len() as u64), "every result of {year} on one page");
        let no_problem = ["未发现问题", "已关闭停业或正在组织清算", "未发现开展本次抽查涉及的经营活动"];
        let problems = rows.iter().filter(|r| !no_problem.contains(&r["category"].as_str().unwrap())).count() as u64;
        let status = |s: &str| rows.iter().filter(|r| r["rectification_status"] == s).count() as u64;
        let to_rectify = status("done") + status("pending") + status("overdue");
        let draws: Value = serde_json::from_str(&app.get(&format!("/api/draws?year={year}")).await.1).unwrap();
        let drawn = draws.as_array().unwrap().iter().filter(|d| d["status"] == "drawn").count();
        let expected = format!(
            "{year} 年 {drawn} {} {} {}",
            rows.len(),
            percent(problems, rows.len() as u64),
            percent(status("done"), to_rectify)
        );
        assert!(figures.contains(&expected), "{expected} in {figures}");
    }
    // The demo's 2025 in words and numbers, as the open data above gives them.
    assert!(figures.contains("2025 年 4 118 "), "{figures}");
    assert!(html.contains(r#"<a href="/results?year=2025">2025 年</a>"#));

    // The next draw: the awaiting one, with its drand round's time in Beijing time.
    let next = text(section(&html, "next-draw"));
    assert!(next.contains("下一次抽取"), "{next}");
    assert!(next.contains("drand 随机信标第 34832212 轮"), "{next}");
    // Round 34832212 of quicknet (genesis 1692803367, every 3 s): 2026-12-15 02:00:00 UTC.
    assert!(next.contains("北京时间 2026-12-15 10:00:00"), "{next}");
    assert!(section(&html, "next-draw").contains(r#"href="/draws/159902-2026-01""#));

    // In English, the same figures with English words.
    let (_, en) = app.get("/?lang=en").await;
    let figures = text(section(&en, "year-figures"));
    assert!(figures.contains("This year's inspections") && figures.contains("2025 4 118 "), "{figures}");
    assert!(text(section(&en, "next-draw")).contains("Beijing 2026-12-15 10:00:00"));
    assert!(en.contains(r#"<label for="site-q">Find an enterprise</label>"#));
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn the_glossary_explains_in_the_pages_language() {
    let app = spawn_app().await;
    let (_, zh) = app.get("/").await;
    let glossary = &zh[zh.find(r#"class="glossary""#).unwrap()..];
    assert!(glossary.contains("<dd>与检查对象有利害关系的检查人员不参加对它的检查</dd>"), "{glossary}");
    assert!(!glossary.contains("an inspector with an interest"), "no English explanation on the Chinese page");
    assert!(!glossary.contains(r#"<dd lang="en">"#));
    let (_, en) = app.get("/?lang=en").await;
    let glossary = &en[en.find(r#"class="glossary""#).unwrap()..];
    assert!(glossary.contains("<dd>an inspector with an interest in an object does not inspect it</dd>"));
    assert!(!glossary.contains("利害关系"));
}

#[tokio::test]
async fn the_footer_says_who_runs_the_site_and_escapes_what_is_configured() {
    // The demo: every identifier is said to be not configured.
    let app = spawn_app().await;
    let (_, html) = app.get("/results").await;
    let footer = &html[html.find(r#"<dl class="site-identity">"#).expect("footer facts")..];
    let footer = &footer[..footer.find("</dl>").unwrap()];
    for label in ["主办单位", "联系方式", "网站标识码", "ICP备案号", "公安机关备案号"] {
        assert!(footer.contains(&format!("<dt>{label}</dt>")), "{label} in {footer}");
    }
    assert_eq!(footer.matches("（演示站点，未配置）").count(), 5, "{footer}");
    let (_, en) = app.get("/draws?lang=en").await;
    assert_eq!(en.matches("(demo site, not configured)").count(), 5);
    assert!(en.contains("<dt>Published by</dt>"));

    // A deployment's own values, hostile ones escaped, on every page.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.site = app::types::SiteIdentity {
        publisher: Some("示范省市场监督管理局<script>alert(1)</script>".to_owned()),
        contact: Some("0000-12315 & \"support\"".to_owned()),
        icp: Some("示ICP备00000000号".to_owned()),
        police_filing: None,
        site_code: Some("0000000000".to_owned()),
    };
    let app = spawn_with(settings, dir).await;
    for path in ["/", "/draws/159902-2025-01", "/no-such-page"] {
        let (_, html) = app.get(path).await;
        assert!(html.contains("示范省市场监督管理局&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {html}");
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("0000-12315 &amp; &quot;support&quot;") || html.contains("0000-12315 &amp; \"support\""));
        assert!(html.contains("示ICP备00000000号") && html.contains("0000000000"));
        assert_eq!(html.matches("（演示站点，未配置）").count(), 1, "only the filing number is missing");
    }
}

#[tokio::test]
async fn the_item_filter_finds_results_by_number_name_or_code() {
    let app = spawn_app().await;
    let count = |v: &Value| v["total"].as_u64().unwrap();
    let by_code: Value =
        serde_json::from_str(&app.get("/api/results?item=3-production-licence&per_page=500").await.1).unwrap();
    assert!(count(&by_code) > 0);
    assert!(by_code["rows"].as_array().unwrap().iter().all(|r| r["item_codes"] == "3-production-licence"));
    // Its number in the Hunan list (3) and a part of its name (工业产品生产许可证获证企业检查) find the same.
    for q in ["3", "%E8%AE%B8%E5%8F%AF%E8%AF%81", "%20%E8%AE%B8%E5%8F%AF%E8%AF%81%20"] {
        let found: Value =
            serde_json::from_str(&app.get(&format!("/api/results?item={q}&per_page=500")).await.1).unwrap();
        assert_eq!(found["rows"], by_code["rows"], "item={q}");
    }
    // Hostile values find nothing and break nothing.
    for q in ["zzz", "%25", "_", "%27%20OR%201%3D1%20--", "%3Bx%3B"] {
        let (status, body) = app.get(&format!("/api/results?item={q}")).await;
        assert_eq!(status, 200, "item={q}");
        assert_eq!(count(&serde_json::from_str(&body).unwrap()), 0, "item={q}");
    }
    // The page's field says what it takes.
    let (_, html) = app.get("/results?item=3").await;
    assert!(html.contains(r#"<label for="f-item">抽查事项</label>"#), "{html}");
    assert!(html.contains("清单序号"));
    assert!(html.contains(r#"value="3""#));
}

#[tokio::test]
async fn a_result_names_its_items_and_links_them() {
    let app = spawn_app().await;
    let found: Value = serde_json::from_str(&app.get("/api/results?item=3-production-licence").await.1).unwrap();
    let code = found["rows"][0]["result_code"].as_str().unwrap();
    let department = found["rows"][0]["department_code"].as_str().unwrap();
    let (_, html) = app.get(&format!("/results/{code}")).await;
    let items = &html[html.find("检查事项</dt>").unwrap()..];
    let items = &items[..items.find("</dd>").unwrap()];
    // The district's own item of that code, or else the province's (which published the list).
    assert!(
        items.contains(&format!(
            r#"href="/items/{department}/3-production-licence">工业产品生产许可证获证企业检查</a>"#
        )) || items.contains(r#"href="/items/150000/3-production-licence">工业产品生产许可证获证企业检查</a>"#),
        "{items}"
    );
    assert!(!text(items).contains("3-production-licence"), "no internal code shown: {items}");
}

#[tokio::test]
async fn an_empty_year_of_results_says_why_and_where_to_look() {
    let app = spawn_app().await;
    let (status, html) = app.get("/results?year=2027").await;
    assert_eq!(status, 200);
    assert!(html.contains("2027 年还没有公示的检查结果。检查结果在每次检查完成后 20 个工作日内公示"), "{html}");
    assert!(html.contains(r#"<a href="/draws?year=2027">查看当年的抽取</a>"#));
    assert!(html.contains(r#"<a href="/plans?year=2027">当年的年度检查计划</a>"#));
    let (_, en) = app.get("/results?year=2027&lang=en").await;
    assert!(en.contains("No result of 2027 has been published yet."));
    // With other filters too, it is those that leave nothing.
    let (_, html) = app.get("/results?year=2025&q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%90%8D%E5%AD%97").await;
    assert!(html.contains("2025 年没有符合这些条件的检查结果。"), "{html}");
    // Without a year: the plain message.
    let (_, html) = app.get("/results?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%90%8D%E5%AD%97").await;
    assert!(html.contains("没有符合条件的检查结果。"));
}
