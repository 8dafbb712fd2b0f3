//! The portal's pages, as a reader without JavaScript gets them.

use gongkai_tests::spawn_app;

#[tokio::test]
async fn home_page_explains_and_lists_the_published_draws() {
    let app = spawn_app().await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="zh-CN""#), "Chinese by default");
    assert!(html.contains("双随机、一公开"));
    assert!(html.contains("如何验证一次抽取"));
    assert!(html.contains("已公布的抽取"));
    // The demo draws are listed and linked.
    assert!(html.contains(r#"href="/draws/159902-2025-01""#), "{html}");
    assert!(html.contains(r#"href="/draws/159902-2025-02""#));
    assert!(html.contains("2025年产品质量、计量、标准化“双随机、一公开”抽查"));
    // Demo draws say so wherever they are listed.
    // (Six draws and the feedback try-out draw; the awaiting draw waits for drand.)
    assert_eq!(html.matches(r#"<strong class="demo-tag">演示随机数</strong>"#).count(), 7, "{html}");
    // The islands bundle is referenced.
    assert!(html.contains("/pkg/gongkai.js"));
    // Every table has an explicit tbody.
    assert_eq!(html.matches("<table").count(), html.matches("<tbody").count());
}

#[tokio::test]
async fn draw_page_shows_the_timeline_the_selection_and_the_teams() {
    let app = spawn_app().await;
    let record: draw::DrawRecord =
        serde_json::from_str(&app.get("/api/draws/159902-2025-01/record.json").await.1).unwrap();
    let (status, html) = app.get("/draws/159902-2025-01").await;
    assert_eq!(status, 200);
    assert!(html.contains("2025年产品质量、计量、标准化“双随机、一公开”抽查"));
    assert!(html.contains("河朔市东河区市场监督管理局"));
    assert!(html.contains("2025-05-28"));
    // Timeline: commitment, randomness (prominently demo), result.
    assert!(html.contains("① 承诺") && html.contains("② 随机源") && html.contains("③ 结果"));
    assert!(html.contains(&record.commitment));
    assert!(html.contains(&record.seed));
    assert!(html.contains("演示随机数 — 不是真正的公共随机信标"));
    // Committed at 2025-05-26T09:00:00+08:00: shown in Beijing time, with UTC alongside.
    assert!(html.contains("2025-05-26 09:00:00"), "committed-at time is shown in Beijing time");
    assert!(html.contains("datetime=\"2025-05-26T01:00:00Z\""), "committed-at time is machine-readable");
    // Every selected enterprise and every team member is on the page.
    let mut selected = 0;
    for stratum in &record.result.strata {
        for s in &stratum.selected {
            assert!(html.contains(&s.object), "{} is missing", s.object);
            for cert in &s.team {
                assert!(html.contains(cert), "{cert} is missing");
            }
            selected += 1;
        }
    }
    assert_eq!(selected, 70);
    // Names from the directories, linked, beside the codes the record holds.
    let first = &record.result.strata.iter().find(|s| !s.selected.is_empty()).unwrap().selected[0];
    let enterprise: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/enterprises/{}", first.object)).await.1).unwrap();
    let firm = enterprise["versions"][0]["name"].as_str().unwrap();
    assert!(html.contains(&format!(r#"<a href="/enterprises/{}">{firm}</a>"#, first.object)), "{firm}");
    let inspector: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/inspectors/{}", first.team[0])).await.1).unwrap();
    let officer = inspector[0]["name"].as_str().unwrap();
    assert!(html.contains(&format!(r#"<a href="/inspectors/{}">{officer}</a>"#, first.team[0])), "{officer}");
    assert!(html.contains("名称取自检查对象名录库和执法检查人员名录库的现行信息"));
    // Strata by their names; their ids are internal codes.
    for stratum in &record.result.strata {
        assert!(!html.contains(&format!(">{}<", stratum.id)), "{} shown as text", stratum.id);
    }
    // Each stratum as it was drawn: a share of the total, not a ratio it did not use.
    assert!(!html.contains("抽查比例 1/10，应抽"), "a total allocation is not described as a ratio");
    for stratum in &record.result.strata {
        let line = format!("本层应抽 {} 户，抽中 {} 户", stratum.quota, stratum.selected.len());
        assert!(html.contains(&line), "{line}");
    }
    // The issue's example: 19 of 215 eligible is 8.8 %, below the planned 1/10.
    assert!(html.contains("符合条件 215 户") && html.contains("占符合条件的 8.8%，低于计划抽查比例 1/10"), "{html}");
    let (_, english) = app.get("/draws/159902-2025-01?lang=en").await;
    assert!(
        english.contains("215 eligible") && english.contains("8.8% of the eligible, below the planned ratio of 1/10")
    );
    for name in ["产品质量监督检查", "计量监督检查", "商品条码使用检查"] {
        assert!(html.contains(name), "stratum {name} is missing");
    }
    // Exclusions per reason, the recusal, verification.
    assert!(html.contains("本年度已被抽查两次"));
    assert!(html.contains("本年度已被上级部门抽查"));
    let recusal = &record.recusals[0];
    assert!(html.contains(&recusal.replacement));
    assert!(html.contains("在浏览器中验证"));
    // Offline checks name the commitment published before the draw, and link to the tools.
    assert!(html.contains(&format!("gongkai verify 159902-2025-01.record.json --commitment {}", record.commitment)));
    assert!(
        html.contains(&format!(
            "python3 verify_record.py 159902-2025-01.record.json --commitment {}",
            record.commitment
        ))
    );
    assert!(html.contains(r#"href="/tools""#));
    assert!(html.contains(r#"href="/api/draws/159902-2025-01/record.json""#));
    assert!(html.contains(r#"href="/spec""#));
    assert_eq!(html.matches("<table").count(), html.matches("<tbody").count());
}

#[tokio::test]
async fn unknown_pages_and_draws_are_404_with_a_chinese_message() {
    let app = spawn_app().await;
    for path in ["/no-such-page", "/draws/no-such-draw"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("页面不存在"), "{path}: {html}");
        assert!(html.contains(r#"href="/""#), "{path} links home");
    }
}

#[tokio::test]
async fn english_is_chosen_by_query_and_remembered_by_cookie() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/?lang=en")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers().get("set-cookie").expect("language cookie").to_str().unwrap().to_owned();
    assert!(cookie.starts_with("gongkai_lang=en"), "{cookie}");
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Published draws"));

    // The cookie alone keeps English on other pages.
    let (status, html) = app.get_with("/draws/159902-2025-02", &[("cookie", "gongkai_lang=en")]).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Demo randomness — not a real public beacon"));
    assert!(html.contains("Verify in your browser"));

    // And the switch back to Chinese is a visible link.
    assert!(html.contains(r#"href="/draws/159902-2025-02?lang=zh""#));
}

#[tokio::test]
async fn the_spec_is_a_page_with_an_introduction_and_the_file_is_served_as_it_is() {
    let app = spawn_app().await;
    let (status, html) = app.get("/spec").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>抽取协议规范</h1>") && html.contains("简要说明"), "{html}");
    assert!(html.contains("承诺时谁都不知道它"), "the introduction for non-programmers");
    // The file rendered: its headings one level down, its tables as tables, a link to the file.
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("<h2>Gongkai draw protocol, version <code>v1</code></h2>"), "{html}");
    assert!(html.contains("<table>") && html.contains("<code>randomness_source</code>"));
    assert!(html.contains(r#"href="/spec.md""#));
    let (_, english) = app.get("/spec?lang=en").await;
    assert!(english.contains("<h1>The draw protocol</h1>") && english.contains("In short"));

    let resp = app.client.get(app.url("/spec.md")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/plain") && ct.contains("utf-8"), "{ct}");
    assert_eq!(resp.text().await.unwrap(), gongkai_server::routes::SPEC);
}

#[tokio::test]
async fn the_tools_page_explains_the_cli_and_serves_the_python_reference() {
    let app = spawn_app().await;
    let (status, html) = app.get("/tools").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>自行验证抽取</h1>"), "{html}");
    assert!(html.contains("cargo install --path cli"));
    for command in ["verify", "prove", "commit", "draw", "recuse"] {
        assert!(html.contains(&format!("<code>{command}</code>")), "{command}");
    }
    assert!(html.contains(r#"href="/tools/gongkai_draw.py""#) && html.contains(r#"href="/tools/verify_record.py""#));
    let (status, html) = app.get("/tools?lang=en").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Verify a draw yourself</h1>"));
    assert!(!html.contains("命令") && !html.contains("抽取"), "no Chinese on the English page");

    // The downloads are the repository's reference files, byte for byte.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../draw/reference");
    for file in ["gongkai_draw.py", "verify_record.py"] {
        let resp = app.client.get(app.url(&format!("/tools/{file}"))).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{file}");
        let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert_eq!(disposition, format!("attachment; filename=\"{file}\""));
        assert_eq!(resp.text().await.unwrap(), std::fs::read_to_string(root.join(file)).unwrap(), "{file}");
    }
    for other in ["check_vectors.py", "..%2FSPEC.md", "gongkai_draw.PY"] {
        let (status, _) = app.get(&format!("/tools/{other}")).await;
        assert_eq!(status, 404, "{other}");
    }

    // /verify-offline, the address the issue and visitors use, leads to this page in their language.
    for (path, cookie, to) in [
        ("/verify-offline", "", "/tools"),
        ("/verify-offline?lang=en", "", "/tools?lang=en"),
        ("/verify-offline", "gongkai_lang=en", "/tools?lang=en"),
        ("/verify-offline?lang=en%22%3E%3Cscript%3E", "", "/tools"),
        ("/verify-offline?draw=%3Cscript%3E&lang=en", "", "/tools?lang=en"),
    ] {
        let resp = app.client.get(app.url(path)).header("cookie", cookie).send().await.unwrap();
        assert_eq!(resp.status(), 308, "{path}");
        assert_eq!(resp.headers()["location"], to, "{path}");
        assert!(resp.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap_or("").starts_with("x=")), "{path}");
    }
}

#[tokio::test]
async fn a_storage_failure_gives_an_error_page_and_json_without_internals() {
    let app = spawn_app().await;
    // Break the database behind the server's back.
    sqlx::query("ALTER TABLE draws RENAME TO draws_gone").execute(&app.sql().await).await.unwrap();
    // What the backend says of the missing table (SQLite: "no such table: draws"; PostgreSQL: "relation … does not exist").
    let internals = if gongkai_tests::on_postgres() { "does not exist" } else { "no such table" };

    for path in ["/", "/draws/159902-2025-01"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 500, "{path}");
        assert!(html.contains("暂时无法显示"), "{path}: {html}");
        assert!(!html.contains(internals), "{path} leaks the database error");
    }
    let resp = app.client.get(app.url("/api/draws")).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    let body = resp.text().await.unwrap();
    assert!(body.contains(r#""error":"unavailable""#), "{body}");
    assert!(!body.contains(internals), "{body}");
}

#[tokio::test]
async fn pages_and_open_data_are_sent_compressed_to_clients_that_accept_it() {
    let app = spawn_app().await;
    for path in ["/draws/159902-2025-01", "/api/results", "/api/draws/159902-2025-01/record.json"] {
        let plain = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(plain.status(), 200);
        assert!(plain.headers().get("content-encoding").is_none(), "{path}: identity without Accept-Encoding");
        let plain_len = plain.bytes().await.unwrap().len();
        let gzip = app.client.get(app.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gzip.status(), 200);
        assert_eq!(gzip.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{path}");
        let gzip_len = gzip.bytes().await.unwrap().len();
        assert!(gzip_len * 2 < plain_len, "{path}: {gzip_len} bytes gzip vs {plain_len} plain");
    }
}

#[tokio::test]
async fn the_enterprise_page_shows_the_position_the_draw_gave() {
    let app = spawn_app().await;
    let record: draw::DrawRecord =
        serde_json::from_str(&app.get("/api/draws/159902-2025-01/record.json").await.1).unwrap();
    // The first selected enterprise of each stratum is at position 1 (§12: 1-based).
    for stratum in record.result.strata.iter().filter(|s| !s.selected.is_empty()).take(3) {
        let chosen = &stratum.selected[0];
        assert_eq!(chosen.position, 1);
        let (status, html) = app.get(&format!("/enterprises/{}", chosen.object)).await;
        assert_eq!(status, 200);
        assert!(html.contains("，第 1 位"), "{}: {html}", chosen.object);
        let (_, html) = app.get(&format!("/enterprises/{}?lang=en", chosen.object)).await;
        assert!(html.contains(", position 1"), "{}", chosen.object);
    }
}

#[tokio::test]
async fn a_stored_page_view_that_no_longer_parses_is_rebuilt_from_the_record() {
    let app = spawn_app().await;
    let (_, before) = app.get("/draws/159902-2025-01").await;
    // As if the view type had changed since the draw was published.
    let sql = app.sql().await;
    // Its append-only trigger out of the way: dropped (SQLite), disabled then enabled again (PostgreSQL).
    let on_postgres = gongkai_tests::on_postgres();
    let off = if on_postgres {
        "ALTER TABLE draws DISABLE TRIGGER draws_append_only_update"
    } else {
        "DROP TRIGGER draws_append_only_update"
    };
    sqlx::query(off).execute(&sql).await.unwrap();
    let changed = sqlx::query("UPDATE draws SET view_json = '{\"an\":\"older shape\"}' WHERE id = '159902-2025-01'")
        .execute(&sql)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    if on_postgres {
        sqlx::query("ALTER TABLE draws ENABLE TRIGGER draws_append_only_update").execute(&sql).await.unwrap();
    }
    let (status, after) = app.get("/draws/159902-2025-01").await;
    assert_eq!(status, 200);
    assert!(after.contains("在浏览器中验证"), "{after}");
    let main = |html: &str| html[html.find("<main").unwrap()..html.find("</main>").unwrap()].to_owned();
    assert_eq!(main(&after), main(&before), "the rebuilt page is the page");
}

#[tokio::test]
async fn result_categories_are_in_the_pages_language_and_the_data_keeps_the_chinese() {
    let app = spawn_app().await;
    let (status, en) = app.get("/results?lang=en").await;
    assert_eq!(status, 200);
    assert!(en.contains("No problem found"), "English category on the English list");
    // The filter's option values are the data's own text; what a reader sees is English.
    let mut visible = String::new();
    for (k, part) in en.split("value=\"").enumerate() {
        visible.push_str(if k == 0 { part } else { part.split_once('"').map_or("", |(_, rest)| rest) });
    }
    assert!(!visible.contains("未发现问题"), "no Chinese category on the English page");
    let (_, zh) = app.get("/results?lang=zh").await;
    assert!(zh.contains("未发现问题") && !zh.contains("No problem found"));
    let (_, json) = app.get("/api/results").await;
    assert!(json.contains("\"category\":\"未发现问题\""), "open data keeps the published text");
}

#[tokio::test]
async fn a_result_referred_for_penalty_says_so_instead_of_rectification_in_progress() {
    let app = spawn_app().await;
    let body: serde_json::Value =
        serde_json::from_str(&app.get("/api/results?rectification=pending&per_page=1000").await.1).unwrap();
    let referred = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["penalty_case"].is_string())
        .expect("the demo has a result referred for penalty");
    let (code, case) = (referred["result_code"].as_str().unwrap(), referred["penalty_case"].as_str().unwrap());
    let (status, html) = app.get(&format!("/results/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("已移交立案查处（{case}）")), "{html}");
    assert!(!html.contains("整改中"), "{html}");
    let (_, english) = app.get(&format!("/results/{code}?lang=en")).await;
    assert!(english.contains(&format!("referred for penalty proceedings ({case})")));
}

#[tokio::test]
async fn publication_times_are_beijing_time_in_words_not_raw_timestamps() {
    let app = spawn_app().await;
    let body: serde_json::Value = serde_json::from_str(&app.get("/api/results?per_page=1").await.1).unwrap();
    let row = &body["rows"][0];
    let (code, published) = (row["result_code"].as_str().unwrap(), row["published_at"].as_str().unwrap());
    // The demo publishes at 16:00 Beijing time on the entry date.
    assert!(published.ends_with("T16:00:00+08:00"), "{published}");
    let (_, html) = app.get(&format!("/results/{code}")).await;
    let date = &published[..10];
    assert!(html.contains(&format!("北京时间 {date} 16:00")), "{html}");
    assert!(!html.contains(&format!(">{published}<")), "raw timestamp shown");
    let (_, english) = app.get(&format!("/results/{code}?lang=en")).await;
    assert!(english.contains(&format!("Beijing time {date} 16:00")));
}

#[tokio::test]
async fn a_recusal_shows_on_the_inspectors_and_the_enterprises_pages_too() {
    // The demo's one public recusal: in the 2025 quality draw, inspector 1599020043 recused
    // from 911599028476417433 on 2025-05-29 and 1599020015 was drawn in their place.
    let app = spawn_app().await;
    let reason = "与该企业法定代表人系近亲属";
    for path in ["/inspectors/1599020043", "/inspectors/1599020015", "/enterprises/911599028476417433"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        let section = &main[main.find(r#"<section aria-labelledby="recusals-title">"#).expect(path)..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(section.contains("2025-05-29") && section.contains(reason), "{path}: {section}");
        assert!(section.contains(r#"href="/draws/159902-2025-01""#), "{path}");
        assert!(section.contains(r#"href="/enterprises/911599028476417433""#), "{path}");
        assert!(
            section.contains(r#"href="/inspectors/1599020043""#)
                && section.contains(r#"href="/inspectors/1599020015""#),
            "{path}: who recused and who replaced them"
        );
        assert_eq!(section.matches("<tr>").count(), 1 + 1, "{path}: a header and one recusal");
    }
    // An inspector who never recused or replaced anyone says so.
    let (_, html) = app.get("/inspectors/1599020001").await;
    assert!(html.contains("没有公开的回避记录。"), "{html}");
    // And the enterprise's open data carries it.
    let detail: serde_json::Value =
        serde_json::from_str(&app.get("/api/enterprises/911599028476417433").await.1).unwrap();
    assert_eq!(detail["recusals"][0]["inspector"], "1599020043");
    assert_eq!(detail["recusals"][0]["replacement"], "1599020015");
    assert_eq!(detail["recusals"][0]["draw_id"], "159902-2025-01");
}

#[tokio::test]
async fn the_draw_page_answers_first_and_links_the_plan_and_each_result() {
    let app = spawn_app().await;
    let (_, html) = app.get("/draws/159902-2025-01").await;
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} not on the page"));
    // The outcome, then verifying and the lookup, then the timeline and the long tables.
    assert!(at(r#"id="glance-title""#) < at(r#"id="verify-title""#));
    assert!(at(r#"id="verify-title""#) < at(r#"id="lookup-title""#));
    assert!(at(r#"id="lookup-title""#) < at(r#"id="timeline-title""#));
    assert!(at(r#"id="timeline-title""#) < at(r#"id="result-title""#));
    // Each stratum as drawn, linked to its table.
    assert!(html.contains(r##"<a href="#stratum-1">产品质量监督检查</a>"##), "{html}");
    assert!(html.contains("抽中 19 户（符合条件 215 户，8.8%）"));
    assert!(html.contains(r#"id="stratum-1""#) && html.contains(r#"id="stratum-7""#));
    // The plan it was drawn under.
    assert!(html.contains(r#"<a href="/plans/"#), "the plan is linked");
    // Every published result of the draw is linked from its enterprise's row.
    let results: serde_json::Value =
        serde_json::from_str(&app.get("/api/results?year=2025&per_page=500").await.1).unwrap();
    let of_draw: Vec<&serde_json::Value> =
        results["rows"].as_array().unwrap().iter().filter(|r| r["draw_id"] == "159902-2025-01").collect();
    assert_eq!(of_draw.len(), 70);
    for r in &of_draw {
        let link = format!(
            r#"<a href="/results/{}">{}</a>"#,
            r["result_code"].as_str().unwrap(),
            r["category"].as_str().unwrap()
        );
        assert!(html.contains(&link), "{link}");
    }
    assert!(html.contains("已公示 70 户的检查结果"));
    // A stratum of 19 starts folded, one of 6 open.
    // (The publication log section folds the entry's text too.)
    assert_eq!(html.matches(r#"<pre class="log-entry">"#).count(), 1);
    assert_eq!(html.matches("<details").count(), 7 + 1, "one fold per stratum, and the log entry's");
    assert_eq!(html.matches(r#"<details open"#).count() + html.matches(r#"open="" class="stratum-table""#).count(), 5);
}
