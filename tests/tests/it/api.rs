//! The JSON API and the stored records.

use gongkai_tests::{spawn_app, spawn_with};

#[tokio::test]
async fn lists_the_draws_as_json() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/api/draws")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let list: Vec<app::types::DrawSummary> = resp.json().await.unwrap();
    let ids: Vec<&str> = list.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "159902-2026-01",
            "159902-2026-90",
            "159902-2025-04",
            "159902-2025-03",
            "159902-2025-02",
            "159902-2025-01",
            "159900-2024-01",
            "159902-2024-01"
        ],
        "newest first (2026-90: the feedback try-out, seeded at the tests' clock, 2026-11-30)"
    );
    assert_eq!(list[6].department, "河朔市市场监督管理局");
    assert!(list.iter().all(|d| d.commitment.len() == 64));
    let (awaiting, drawn) = list.split_first().unwrap();
    assert!(
        awaiting.is_awaiting() && awaiting.randomness_source == "drand-quicknet" && awaiting.published_at.is_none()
    );
    assert!(drawn.iter().all(|d| d.randomness_source == "demo" && d.is_demo()), "the demo draws say so");
    assert!(drawn.iter().all(|d| !d.is_awaiting() && d.published_at.is_some()));
}

#[tokio::test]
async fn serves_the_exact_record_and_it_verifies() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/api/draws/159902-2025-01/record.json")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body = resp.text().await.unwrap();

    // Byte for byte what is stored.
    let stored: String = sqlx::query_scalar("SELECT record_json FROM draws WHERE id = '159902-2025-01'")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(body, stored);

    let record: draw::DrawRecord = serde_json::from_str(&body).unwrap();
    let v = draw::verify(&record);
    assert!(v.is_match(), "{:?}", v.differences);

    // A tampered record does not verify.
    let mut tampered = record.clone();
    let team = &mut tampered.result.strata[0].selected[0].team;
    team[0] = team[1].clone();
    assert!(!draw::verify(&tampered).is_match());
}

#[tokio::test]
async fn unknown_draws_and_api_paths_are_json_404s() {
    let app = spawn_app().await;
    for path in ["/api/draws/nope/record.json", "/api/nothing-here"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
        assert!(body["message"].as_str().unwrap().contains("没有找到"));
    }
}

#[tokio::test]
async fn restarting_on_the_same_database_keeps_the_draws_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.db");
    let first =
        spawn_with(gongkai_server::configuration::Settings::for_tests(path.clone()), tempfile::tempdir().unwrap())
            .await;
    let before = first.get("/api/draws/159902-2025-01/record.json").await.1;
    // The same database (on PostgreSQL, the one the first was given).
    let mut settings = gongkai_server::configuration::Settings::for_tests(path);
    settings.database = first.database.clone();
    let second = spawn_with(settings, dir).await;
    let list: Vec<serde_json::Value> = serde_json::from_str(&second.get("/api/draws").await.1).unwrap();
    assert_eq!(list.len(), 8, "seeding runs only on an empty database");
    assert_eq!(second.get("/api/draws/159902-2025-01/record.json").await.1, before);
}

#[tokio::test]
async fn without_demo_data_the_portal_says_nothing_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = gongkai_server::configuration::Settings::for_tests(dir.path().join("empty.db"));
    settings.seed_demo = false;
    let app = spawn_with(settings, dir).await;
    assert_eq!(app.get("/api/draws").await.1, "[]");
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("尚未公布任何抽取"));
}

/// "Was I in this draw?": a drawn enterprise gets its stratum, position and
/// team; an undrawn one a proof that it was in the pool; a stranger none.
#[tokio::test]
async fn an_enterprise_can_look_itself_up_with_a_merkle_proof() {
    let app = spawn_app().await;
    let record: draw::DrawRecord =
        serde_json::from_str(&app.get("/api/draws/159902-2025-01/record.json").await.1).unwrap();
    let get = |code: String| {
        let url = app.url(&format!("/api/draws/159902-2025-01/objects/{code}"));
        let client = app.client.clone();
        async move {
            let resp = client.get(url).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };

    let stratum = &record.result.strata[0];
    let drawn = &stratum.selected[2];
    let (status, body) = get(drawn.object.clone()).await;
    assert_eq!(status, 200, "{body}");
    let found: draw::Lookup = serde_json::from_str(&body).unwrap();
    let placement = found.selected.expect("drawn");
    assert_eq!((placement.stratum.as_str(), placement.position), (stratum.id.as_str(), 3));
    assert_eq!(placement.team, drawn.team);
    assert!(draw::check_pool_proof(&found.proof.expect("in the pool"), &record.objects_root));

    let chosen: Vec<&str> =
        record.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.as_str())).collect();
    let undrawn = record.input.objects.iter().find(|o| !chosen.contains(&o.id.as_str())).unwrap();
    let found: draw::Lookup = serde_json::from_str(&get(undrawn.id.clone()).await.1).unwrap();
    assert!(found.selected.is_none());
    assert!(draw::check_pool_proof(&found.proof.expect("in the pool"), &record.objects_root));

    let excluded = &record.result.exclusions[0];
    let found: draw::Lookup = serde_json::from_str(&get(excluded.object.clone()).await.1).unwrap();
    assert_eq!(found.excluded, Some(excluded.reason));

    let stranger = draw::CreditCode::complete("91150000MA0000001").unwrap();
    let found: draw::Lookup = serde_json::from_str(&get(stranger.to_string()).await.1).unwrap();
    assert!(found.proof.is_none() && found.selected.is_none() && found.excluded.is_none());

    let mut wrong = stranger.to_string();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let (status, body) = get(wrong).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("统一社会信用代码无效"), "{body}");
    let (status, _) = app.get(&format!("/api/draws/no-such-draw/objects/{}", drawn.object)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_clients() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for path in ["/", "/api/draws", "/api/nope"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "{path}: a UUID, {id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "one per request");
    let resp = app.client.get(app.url("/api/draws")).header("x-request-id", "journalist-42").send().await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "journalist-42");
}

/// The keys of a JSON object in the order they are written (serde_json's
/// `Value` sorts them).
struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[tokio::test]
async fn every_csv_download_has_the_json_fields_in_the_json_order() {
    let app = spawn_app().await;
    for list in ["departments", "items", "inspectors", "plans", "draws", "results", "enterprises"] {
        let json = app.get(&format!("/api/{list}")).await.1;
        // The first row's keys as the server wrote them: paged lists hold their
        // rows in `rows`, the first versions of the API (draws, departments) are plain arrays.
        #[derive(serde::Deserialize)]
        struct Page {
            rows: Vec<Keys>,
        }
        let rows = serde_json::from_str::<Vec<Keys>>(&json)
            .or_else(|_| serde_json::from_str::<Page>(&json).map(|p| p.rows))
            .unwrap();
        let ordered = rows.into_iter().next().unwrap_or_else(|| panic!("{list}: no rows"));
        assert!(ordered.0.len() > 3, "{list}: {:?}", ordered.0);
        let csv = app.get(&format!("/api/{list}.csv")).await.1;
        let header: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().next().unwrap().split(',').collect();
        assert_eq!(header, ordered.0, "{list}: CSV columns follow the JSON fields, in order");
    }
}

/// "Any problem found" selects exactly the results whose category found a
/// problem: the sum of those categories, and none of the others.
#[tokio::test]
async fn the_problems_filter_selects_every_category_with_a_problem_and_no_other() {
    let app = spawn_app().await;
    let total = |path: String| {
        let app = &app;
        async move {
            let body: serde_json::Value = app.client.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
            body["total"].as_u64().unwrap()
        }
    };
    // Written out from the national categories: these five record a problem.
    let problems = [
        "发现问题已责令改正",
        "发现问题待后续处理",
        "未按规定公示应当公示的信息",
        "通过登记的住所（经营场所）无法联系",
        "不配合检查情节严重",
    ];
    let mut sum = 0;
    for c in problems {
        sum += total(format!("/api/results?per_page=1&category={c}")).await;
    }
    assert!(sum > 0);
    assert_eq!(total("/api/results?per_page=1&category=problems".to_owned()).await, sum);
    let body: serde_json::Value = app
        .client
        .get(app.url("/api/results?category=problems&per_page=1000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for row in body["rows"].as_array().unwrap() {
        assert!(problems.contains(&row["category"].as_str().unwrap()), "{row}");
    }
    // The results page offers it.
    let (_, html) = app.get("/results?category=problems").await;
    assert!(html.contains("发现问题（以下各类中有问题的全部）"));
}
