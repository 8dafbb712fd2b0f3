//! The feedback form (`/feedback`, 001 art. 24) against the real server: the
//! window in official working days (across National Day 2025 and its make-up
//! Saturday), wrong, foreign, reused and expired codes, a change as a new
//! version, the anti-forgery token, rate limits and hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use gongkai_server::configuration::{Clock, FeedbackLimits, Settings};
use gongkai_server::storage::{Batch, Correction, NewResult};
use gongkai_tests::{TestApp, server_command, spawn_with};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

fn unix(rfc3339: &str) -> i64 {
    draw::id::parse_rfc3339(rfc3339).unwrap()
}

/// One issued code, as the department's CSV lists it.
#[derive(Clone, Debug)]
struct Issued {
    result_code: String,
    credit_code: String,
    code: String,
}

struct Portal {
    app: TestApp,
    clock: Clock,
    codes: Vec<Issued>,
}

/// A portal with the demo data (whose 2025 results have codes and feedback), its
/// clock in October 2025, and codes issued for the district's 2024 results.
async fn portal(limits: FeedbackLimits) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    let clock = Clock::fixed(unix("2025-10-10T10:00:00+08:00"));
    settings.clock = clock.clone();
    settings.feedback = limits;
    let app = spawn_with(settings, dir).await;
    let out = app.database_path.with_file_name("codes.csv");
    let database = app.database_arg();
    // The portal's own key (beside the SQLite file on either backend): its form checks these codes.
    let key = app.database_path.with_file_name("feedback.key");
    let args = [
        "feedback",
        "codes",
        "--department",
        "159902",
        "--year",
        "2024",
        "--out",
        out.to_str().unwrap(),
        "--database",
        &database,
        "--key",
        key.to_str().unwrap(),
    ];
    assert_eq!(server_command(&args), ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&out).unwrap();
    let codes = text
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            Issued { result_code: cells[0].to_owned(), credit_code: cells[1].to_owned(), code: cells[5].to_owned() }
        })
        .collect::<Vec<_>>();
    assert!(codes.len() > 50);
    Portal { app, clock, codes }
}

/// A visitor: the anti-forgery cookie and token of the page it loaded.
struct Visitor {
    cookie: String,
    token: String,
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
        .collect::<Vec<_>>()
        .join("&")
}

impl Portal {
    async fn visit(&self, path: &str) -> Visitor {
        let resp = self.app.client.get(self.app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let set = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("gongkai_form="))
            .expect("the form's cookie");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
        let cookie = set.split(';').next().unwrap().to_owned();
        let html = resp.text().await.unwrap();
        Visitor { cookie, token: hidden(&html, "csrf") }
    }

    async fn post_raw(&self, path: &str, cookie: Option<&str>, body: Vec<u8>) -> (StatusCode, String) {
        let mut req = self
            .app
            .client
            .post(self.app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    async fn post(&self, v: &Visitor, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("csrf", v.token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw("/feedback", Some(&v.cookie), encode(&all).into_bytes()).await
    }

    async fn identify(&self, v: &Visitor, issued: &Issued) -> (StatusCode, String) {
        self.post(v, &[("step", "identify"), ("credit_code", &issued.credit_code), ("code", &issued.code)]).await
    }

    /// The form's answers: the department and every inspector rated `level`, "no gifts" answered no.
    fn answers(form: &str, level: &str, text: &str) -> Vec<(String, String)> {
        let mut fields = vec![
            ("step".to_owned(), "submit".to_owned()),
            ("credit_code".to_owned(), hidden(form, "credit_code")),
            ("code".to_owned(), hidden(form, "code")),
            ("based_on".to_owned(), hidden(form, "based_on")),
            ("department".to_owned(), level.to_owned()),
            ("text".to_owned(), text.to_owned()),
            ("contact".to_owned(), "0471-1234567".to_owned()),
        ];
        for i in 0.. {
            let name = format!("inspector_{i}");
            if !form.contains(&format!("name=\"{name}\"")) {
                break;
            }
            fields.push((name.clone(), hidden(form, &name)));
            fields.push((format!("level_{i}"), level.to_owned()));
            fields.push((format!("conduct_{i}_showed_certificate"), "yes".to_owned()));
            fields.push((format!("conduct_{i}_no_gifts"), "no".to_owned()));
        }
        fields
    }

    async fn submit(&self, v: &Visitor, fields: &[(String, String)]) -> (StatusCode, String) {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(v, &f).await
    }

    async fn versions(&self, result_code: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM feedback_submissions WHERE result_code = $1")
            .bind(result_code)
            .fetch_one(&self.app.sql().await)
            .await
            .unwrap()
    }

    async fn all_submissions(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM feedback_submissions").fetch_one(&self.app.sql().await).await.unwrap()
    }

    /// Publishes a correction of a result that says it was delivered on `delivered_on`.
    async fn deliver(&self, result_code: &str, delivered_on: &str) {
        let (status, body) = self.app.get(&format!("/api/results/{result_code}")).await;
        assert_eq!(status, StatusCode::OK);
        let r: serde_json::Value = serde_json::from_str::<Vec<serde_json::Value>>(&body).unwrap().remove(0);
        let s = |k: &str| r[k].as_str().map(str::to_owned);
        let list = |k: &str| s(k).unwrap().split(';').map(str::to_owned).collect::<Vec<_>>();
        let fixed = NewResult {
            result_code: result_code.to_owned(),
            draw_id: s("draw_id").unwrap(),
            credit_code: draw::CreditCode::parse(&s("credit_code").unwrap()).unwrap(),
            enterprise_name: s("enterprise_name").unwrap(),
            department_code: s("department_code").unwrap(),
            item_codes: list("item_codes"),
            inspectors: list("inspectors"),
            inspected_on: "2025-09-19".to_owned(),
            reported_on: "2025-09-24".to_owned(),
            delivered_on: Some(delivered_on.to_owned()),
            entered_on: Some("2025-09-30".to_owned()),
            category: serde_json::from_value(r["category"].clone()).unwrap(),
            findings: s("findings").unwrap(),
            rectification_deadline: s("rectification_deadline"),
            rectification: serde_json::from_value(r["rectification_status"].clone()).unwrap(),
            penalty_case: s("penalty_case"),
            published_at: "2025-09-30T16:00:00+08:00".to_owned(),
            correction: Some(Correction { reason: "更正送达日期 / delivery date corrected".to_owned() }),
        };
        self.app.storage().await.import(&Batch::Results(vec![fixed])).await.unwrap();
    }
}

#[tokio::test]
async fn the_window_runs_from_delivery_to_the_end_of_the_tenth_working_day_across_national_day() {
    let p = portal(FeedbackLimits::default()).await;
    let issued = p.codes[0].clone();
    // Delivered on Friday 2025-09-26: Sunday 09-28 is a make-up working day, 10-01 to 10-08
    // are holidays, Saturday 10-11 is a make-up working day; the 10th working day is 10-16.
    p.deliver(&issued.result_code, "2025-09-26").await;
    let v = p.visit("/feedback").await;

    p.clock.set(unix("2025-09-25T23:59:59+08:00"));
    let (status, html) = p.identify(&v, &issued).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("评价期尚未开始"), "{html}");
    assert!(html.contains("2025-09-26（送达之日）至 2025-10-16 24:00（北京时间）"));

    // During the holiday the window is open (holidays only do not count as working days).
    p.clock.set(unix("2025-10-05T09:00:00+08:00"));
    let (status, form) = p.identify(&v, &issued).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert!(form.contains("第二步"));

    // The last second of the 10th working day: accepted.
    p.clock.set(unix("2025-10-16T23:59:59+08:00"));
    let (status, form) = p.identify(&v, &issued).await;
    assert_eq!(status, StatusCode::OK);
    let answers = Portal::answers(&form, "4", "检查人员态度很好。\n建议提前告知所需资料。");
    let (status, receipt) = p.submit(&v, &answers).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert!(receipt.contains("评价已提交并保存"));
    // The receipt's SHA-256 is of the canonical submission it shows.
    let canonical = {
        let start = receipt.find("<pre>").unwrap() + 5;
        let end = receipt[start..].find("</pre>").unwrap() + start;
        receipt[start..end].replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    };
    let digest = hex::encode(Sha256::digest(canonical.as_bytes()));
    assert!(receipt.contains(&digest), "the receipt shows the SHA-256 of what it says was sent");
    let doc: serde_json::Value = serde_json::from_str(&canonical).unwrap();
    assert_eq!(doc["result_code"], issued.result_code.as_str());
    assert_eq!(doc["submitted_at"], "2025-10-16T23:59:59+08:00");
    assert_eq!(doc["department"]["level"], "satisfied");
    assert_eq!(doc["inspectors"][0]["conduct"]["no_gifts"], false);
    assert_eq!(doc["inspectors"][0]["conduct"]["kept_secrets"], serde_json::Value::Null);
    assert_eq!(doc["text"], "检查人员态度很好。\n建议提前告知所需资料。");
    assert_eq!(p.versions(&issued.result_code).await, 1);

    // One second later the window is closed: no new version, whatever the form.
    p.clock.set(unix("2025-10-17T00:00:00+08:00"));
    let (status, html) = p.identify(&v, &issued).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("评价期已结束"));
    assert!(html.contains("您提交过的评价"), "the firm still sees its receipt");
    let mut again = answers.clone();
    again.iter_mut().find(|(k, _)| k == "based_on").unwrap().1 = "1".to_owned();
    let (status, _) = p.submit(&v, &again).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p.versions(&issued.result_code).await, 1);
}

#[tokio::test]
async fn wrong_foreign_and_mistyped_codes_are_refused_alike_and_a_change_is_a_new_version() {
    let p = portal(FeedbackLimits::default()).await;
    let mine = p.codes[0].clone();
    let theirs = p.codes.iter().find(|c| c.credit_code != mine.credit_code).unwrap().clone();
    p.deliver(&mine.result_code, "2025-10-09").await;
    p.clock.set(unix("2025-10-10T10:00:00+08:00"));
    let v = p.visit("/feedback").await;

    // A well-formed code that was never issued, and another firm's code: the same answer.
    let unknown = app::feedback::FeedbackCode::from_random([7; 10]).grouped();
    let (s1, h1) = p.identify(&v, &Issued { code: unknown, ..mine.clone() }).await;
    let (s2, h2) = p.identify(&v, &Issued { code: theirs.code.clone(), ..mine.clone() }).await;
    assert_eq!((s1, s2), (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN));
    let message = "统一社会信用代码与评价码不符，或评价码无效";
    assert!(h1.contains(message) && h2.contains(message));
    // A typo is caught by the check character before anything is looked up.
    let mut typo: Vec<char> = mine.code.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let (status, html) = p.identify(&v, &Issued { code: typo.into_iter().collect(), ..mine.clone() }).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("校验位不符"));
    // A mistyped credit code names the check character.
    let mut credit: Vec<char> = mine.credit_code.chars().collect();
    credit[17] = if credit[17] == '1' { '2' } else { '1' };
    let (status, html) = p.identify(&v, &Issued { credit_code: credit.into_iter().collect(), ..mine.clone() }).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("校验码（第 18 位）不对"));

    // Lower case and spaces are fine.
    let typed = Issued { code: mine.code.to_lowercase().replace('-', " "), ..mine.clone() };
    let (status, form) = p.identify(&v, &typed).await;
    assert_eq!(status, StatusCode::OK);
    let first = Portal::answers(&form, "5", "第一版");
    assert_eq!(p.submit(&v, &first).await.0, StatusCode::OK);
    // The same form sent again (a replay, a double click): refused, nothing stored.
    let (status, html) = p.submit(&v, &first).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("这份表单已经提交过"), "{html}");
    assert_eq!(p.versions(&mine.result_code).await, 1);

    // A change: the form comes back filled in, and is stored as version 2 beside version 1.
    let (status, form) = p.identify(&v, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("第一版") && form.contains("您已提交过评价（第 1 版"));
    let second = Portal::answers(&form, "2", "第二版：补充意见");
    let (status, html) = p.submit(&v, &second).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(p.versions(&mine.result_code).await, 2);
    let sql = p.app.sql().await;
    let texts: Vec<String> =
        sqlx::query_scalar("SELECT text FROM feedback_submissions WHERE result_code = $1 ORDER BY version")
            .bind(&mine.result_code)
            .fetch_all(&sql)
            .await
            .unwrap();
    assert_eq!(texts, ["第一版", "第二版：补充意见"]);
    let update = sqlx::query("UPDATE feedback_submissions SET text = 'x'").execute(&sql).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));

    // The receipt, downloaded with the code.
    let (status, file) = p
        .post_raw(
            "/feedback/receipt",
            Some(&v.cookie),
            encode(&[("csrf", &v.token), ("credit_code", &mine.credit_code), ("code", &mine.code)]).into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let receipt: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(receipt["version"], 2);
    let canonical = receipt["canonical"].as_str().unwrap();
    assert_eq!(receipt["sha256"], hex::encode(Sha256::digest(canonical.as_bytes())).as_str());
}

#[tokio::test]
async fn forms_without_the_token_and_hostile_input_are_refused_with_nothing_written() {
    let p = portal(FeedbackLimits::default()).await;
    let mine = p.codes[0].clone();
    p.deliver(&mine.result_code, "2025-10-09").await;
    let v = p.visit("/feedback?lang=en").await;
    let (status, form) = p.identify(&v, &mine).await;
    assert_eq!(status, StatusCode::OK);
    // A formula is text to the portal, and stays text in the supervisory export.
    let good = Portal::answers(&form, "5", "=HYPERLINK(\"http://evil.example/\",\"fine\")");
    // The demo's own feedback on its 2025 results.
    let demo = p.all_submissions().await;

    // No cookie (a form posted from another site), or a token that is not the cookie's.
    let body =
        encode(&[("csrf", &v.token), ("step", "identify"), ("credit_code", &mine.credit_code), ("code", &mine.code)]);
    let (status, html) = p.post_raw("/feedback?lang=en", None, body.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("The form has expired or was not sent from this site"), "{html}");
    let other = p.visit("/feedback").await;
    let (status, _) = p.post_raw("/feedback", Some(&other.cookie), body.into_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        good.iter().map(|(k, v)| (k.clone(), if k == name { value.to_owned() } else { v.clone() })).collect()
    };
    // Over-long text, a control character, an over-long contact, a missing rating.
    let (status, html) = p.submit(&v, &with("text", &"字".repeat(1001))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("意见建议最多 1000 个字，您写了 1001 个"));
    let (status, html) = p.submit(&v, &with("text", "ok\u{7}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("U+0007"));
    let (status, html) = p.submit(&v, &with("contact", "a\u{0}b")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("U+0000"), "a NUL in the contact");
    let (status, _) = p.submit(&v, &with("contact", &"1".repeat(101))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, html) = p.submit(&v, &with("department", "6")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择对检查部门的总体评价"));
    // Markup in the text comes back as text.
    let (status, html) = p.submit(&v, &with("text", &format!("<script>alert(1)</script>{}", "x".repeat(1000)))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Also in the text area (whose content a browser reads as text up to `</textarea>`).
    assert!(!html.contains("<script>alert(1)") && html.contains("&lt;script&gt;alert(1)"));
    let (status, html) = p.submit(&v, &with("text", &format!("</textarea><b id=x>{}", "y".repeat(1000)))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("<b id=x>") && html.contains("&lt;/textarea&gt;&lt;b id=x&gt;"));
    // Bytes that are not UTF-8, and a body over the limit.
    let mut raw = format!("csrf={}&step=submit&text=", v.token).into_bytes();
    raw.extend_from_slice(b"%FF%FE");
    let (status, html) = p.post_raw("/feedback", Some(&v.cookie), raw).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("不是有效的 UTF-8"));
    let (status, html) = p.post_raw("/feedback", Some(&v.cookie), vec![b'a'; 40 * 1024]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("过长"));
    assert_eq!(p.versions(&mine.result_code).await, 0, "nothing of a refused form is stored");
    assert_eq!(p.all_submissions().await, demo, "nor anything else");

    // And the good form is accepted.
    let (status, html) = p.submit(&v, &good).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("评价已提交并保存"), "posted without the language cookie: Chinese");
    assert_eq!(p.versions(&mine.result_code).await, 1);
    assert_eq!(p.all_submissions().await, demo + 1);
    let out = p.app.database_path.with_file_name("export.csv");
    let database = p.app.database_arg();
    let export =
        ["feedback", "export", "--department", "159902", "--out", out.to_str().unwrap(), "--database", &database];
    assert_eq!(server_command(&export), ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&out).unwrap();
    let mine_rows: Vec<&str> = text.lines().filter(|l| l.starts_with(&mine.result_code)).collect();
    assert!(!mine_rows.is_empty());
    for row in &mine_rows {
        assert!(row.contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"fine\"\")\""), "{row}");
    }
    // Other methods and pages stay read-only.
    let resp = p.app.client.post(p.app.url("/results")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resp = p.app.client.get(p.app.url("/feedback/receipt")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn attempts_are_limited_per_credit_code_and_per_address_with_a_wait_time() {
    let p = portal(FeedbackLimits { per_address: 8, per_credit_code: 3 }).await;
    let v = p.visit("/feedback").await;
    let mine = p.codes[0].clone();
    let wrong = Issued { code: app::feedback::FeedbackCode::from_random([9; 10]).grouped(), ..mine.clone() };
    for _ in 0..3 {
        assert_eq!(p.identify(&v, &wrong).await.0, StatusCode::FORBIDDEN);
    }
    // The fourth attempt for this credit code waits, even with the right code.
    let resp = p
        .app
        .client
        .post(p.app.url("/feedback"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &v.cookie)
        .body(encode(&[
            ("csrf", &v.token),
            ("step", "identify"),
            ("credit_code", &mine.credit_code),
            ("code", &mine.code),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=200).contains(&wait), "{wait}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("尝试次数过多") && html.contains(&format!("请在 {wait} 秒")), "{html}");
    // Another firm from the same address may still try, until the address's limit.
    let mut others: Vec<Issued> = Vec::new();
    for c in &p.codes {
        if c.credit_code != mine.credit_code && others.iter().all(|o| o.credit_code != c.credit_code) {
            others.push(c.clone());
        }
    }
    for (i, other) in others.iter().take(4).enumerate() {
        let (status, html) = p.identify(&v, other).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}: {html}");
    }
    assert_eq!(p.identify(&v, &others[4]).await.0, StatusCode::TOO_MANY_REQUESTS, "the address's limit");
}
