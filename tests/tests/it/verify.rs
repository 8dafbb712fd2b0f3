//! The downloads for checking a draw oneself: committed inputs, the compact
//! pool (pool.bin) with the record without its pool, and the lookup with its
//! Merkle proof, against the real server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers of tests: a failure is a failed test

use app::types::DrawSummary;
use gongkai_tests::spawn_app;

async fn draws(app: &gongkai_tests::TestApp) -> Vec<DrawSummary> {
    let (status, body) = app.get("/api/draws").await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

async fn record(app: &gongkai_tests::TestApp, id: &str) -> draw::DrawRecord {
    let (status, body) = app.get(&format!("/api/draws/{id}/record.json")).await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn pool_bin_and_the_record_without_pool_give_back_the_record() {
    let app = spawn_app().await;
    let drawn = draws(&app).await.into_iter().find(|d| !d.is_awaiting()).expect("a completed demo draw");
    let whole = record(&app, &drawn.id).await;

    let resp = app.client.get(app.url(&format!("/api/draws/{}/pool.bin", drawn.id))).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let pool = resp.bytes().await.unwrap();
    assert!(pool.len() < 12 * whole.input.objects.len(), "{} bytes", pool.len());
    let (status, head) = app.get(&format!("/api/draws/{}/record-without-pool.json", drawn.id)).await;
    assert_eq!(status, 200);
    let mut joined: draw::DrawRecord = serde_json::from_str(&head).unwrap();
    assert!(joined.input.objects.is_empty());
    joined.input.objects = draw::pool_bin::decode(&pool).unwrap();

    let mut expected = whole.clone();
    expected.input.objects.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(joined, expected);
    assert_eq!(draw::verify(&joined), draw::verify(&whole));
    assert!(draw::verify(&joined).is_match());

    let (status, _) = app.get("/api/draws/no-such-draw/pool.bin").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn lookups_answer_like_the_record_and_their_proofs_check() {
    let app = spawn_app().await;
    let drawn = draws(&app).await.into_iter().find(|d| !d.is_awaiting()).expect("a completed demo draw");
    let whole = record(&app, &drawn.id).await;
    let chosen = &whole.result.strata.iter().find(|s| !s.selected.is_empty()).unwrap().selected[0].object;
    let other = &whole.input.objects.iter().find(|o| o.id != *chosen).unwrap().id;
    // Twice each: the second answer comes from the kept Merkle tree.
    for code in [chosen, other, chosen, other] {
        let (status, body) = app.get(&format!("/api/draws/{}/objects/{code}", drawn.id)).await;
        assert_eq!(status, 200);
        let found: draw::Lookup = serde_json::from_str(&body).unwrap();
        assert_eq!(found, draw::lookup(&whole, code).unwrap());
        assert!(draw::check_pool_proof(found.proof.as_ref().unwrap(), &whole.objects_root));
    }
}

#[tokio::test]
async fn an_awaiting_draw_offers_its_committed_inputs() {
    let app = spawn_app().await;
    let awaiting = draws(&app)
        .await
        .into_iter()
        .find(|d| d.is_awaiting())
        .expect("the demo data has a draw awaiting its randomness");
    let (status, body) = app.get(&format!("/api/draws/{}/input.json", awaiting.id)).await;
    assert_eq!(status, 200);
    let input: draw::DrawInput = serde_json::from_str(&body).unwrap();
    assert_eq!(draw::commit(&input).unwrap().commitment, awaiting.commitment);

    let (status, html) = app.get(&format!("/draws/{}", awaiting.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("抽取结果将在这里公布"), "{html}");
    assert!(html.contains(&awaiting.commitment));
    assert!(html.contains(&format!("/api/draws/{}/input.json", awaiting.id)));
    assert!(!html.contains("在浏览器中验证"));

    let (status, _) = app.get("/api/draws/no-such-draw/input.json").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_draw_is_served_with_its_commitment_and_recusal_chain_head_and_verify_portal_checks_both() {
    let app = spawn_app().await;
    // The demo draw with recusals: its recusals are bound into the chain.
    let id = "159902-2025-01";
    let (status, body) = app.get(&format!("/api/draws/{id}")).await;
    assert_eq!(status, 200);
    let summary: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rec = record(&app, id).await;
    assert!(!rec.recusals.is_empty() && rec.recusals.iter().all(|r| r.prev.is_some()), "the demo recusals are chained");
    assert_eq!(summary["id"], id);
    assert_eq!(summary["commitment"], rec.commitment.as_str());
    let head = summary["recusal_head"].as_str().expect("a recusal chain head").to_owned();
    assert_eq!(head.len(), 64);
    let (_, page) = app.get(&format!("/draws/{id}")).await;
    assert!(page.contains(&head), "the draw page shows the head");

    // What `gongkai verify --portal` does with them: the honest record verifies
    // against both; a record whose recusal reason was edited afterwards, with
    // every link recomputed as a forger would, does not.
    let hex32 = |h: &str| -> [u8; 32] { hex::decode(h).unwrap().try_into().unwrap() };
    let published = draw::record::Published {
        commitment: Some(hex32(summary["commitment"].as_str().unwrap())),
        recusal_head: Some(hex32(&head)),
    };
    let v = draw::verify_published(&rec, published);
    assert!(v.is_match() && v.timing_checked && v.recusal_head_checked, "{:?}", v.differences);
    let mut edited = rec.clone();
    edited.recusals[0].request.reason = "另一个理由".to_owned();
    draw::record::link_recusals(&mut edited);
    assert!(draw::verify(&edited).is_match(), "on its own the edited record is consistent");
    let v = draw::verify_published(&edited, published);
    assert!(!v.is_match(), "the published head catches the edit");
}
