//! Many visitors at once: more requests in flight than the database has
//! connections (16 on PostgreSQL). Every one must be answered. A request that
//! held one connection while waiting for a second made 16 of them wait on each
//! other until the pool's acquire timeout, and the mixed load at 64 clients
//! answered nothing for 30 seconds, then error pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongkai_server::configuration::Settings;
use gongkai_tests::spawn_with;

#[tokio::test]
async fn sixty_four_visitors_at_once_on_draw_pages_and_lists_are_all_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    // Every request reaches the database: no page served from the cache.
    settings.page_cache_bytes = 0;
    let app = std::sync::Arc::new(spawn_with(settings, dir).await);
    let drawn = ["159902-2025-01", "159902-2025-02", "159902-2025-03", "159902-2025-04", "159900-2024-01"];
    let mut paths: Vec<String> = Vec::new();
    for round in 0..8 {
        for id in drawn {
            paths.push(format!("/draws/{id}"));
        }
        paths.extend([
            "/draws".to_owned(),
            "/results".to_owned(),
            format!("/enterprises?q=河朔&page={}", round % 2 + 1),
        ]);
    }
    assert_eq!(paths.len(), 64);

    let mut requests = tokio::task::JoinSet::new();
    for path in paths {
        let app = app.clone();
        requests.spawn(async move {
            let (status, html) = app.get(&path).await;
            (path, status, html)
        });
    }
    let mut answered = 0;
    while let Some(done) = requests.join_next().await {
        let (path, status, html) = done.unwrap();
        assert_eq!(status, 200, "{path}: {html}");
        if let Some(id) = path.strip_prefix("/draws/") {
            assert!(html.contains(id) && html.contains("③ 结果"), "{path} is the draw's page with its result");
        }
        answered += 1;
    }
    assert_eq!(answered, 64);
}
