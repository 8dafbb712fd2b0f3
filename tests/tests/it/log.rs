//! The publication log (docs/LOG.md) as a visitor and an auditor see it: a
//! signed checkpoint, tiles and entry bundles laid out as C2SP tlog-tiles,
//! each entry hashing the content served at its URL, and `server log verify`
//! catching rows changed or deleted behind the portal's back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use gongkai_tests::{on_postgres, server_command, spawn_app};
use sha2::{Digest, Sha256};

/// RFC 6962 §2.1, written here independently of the server's tlog_tiles:
/// MTH of the leaves given as their leaf hashes.
fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = n.next_power_of_two() / 2;
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(mth(&leaves[..k]));
            h.update(mth(&leaves[k..]));
            h.finalize().into()
        }
    }
}

fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

async fn bytes(app: &gongkai_tests::TestApp, path: &str) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.bytes().await.unwrap().to_vec(), headers)
}

/// Splits an entry bundle (each entry after its big-endian u16 length).
fn entries_of(bundle: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bundle.len() {
        let n = usize::from(u16::from_be_bytes([bundle[at], bundle[at + 1]]));
        out.push(bundle[at + 2..at + 2 + n].to_vec());
        at += 2 + n;
    }
    out
}

/// Every publication in the database: draws, commitments, every version of
/// every directory record and report, departments with a code, calendar
/// years and feedback receipts.
async fn publications(app: &gongkai_tests::TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM draws) + (SELECT COUNT(*) FROM draw_commitments) + (SELECT COUNT(*) FROM items) \
         + (SELECT COUNT(*) FROM inspectors) + (SELECT COUNT(*) FROM enterprises) + (SELECT COUNT(*) FROM plans) \
         + (SELECT COUNT(*) FROM results) + (SELECT COUNT(*) FROM departments WHERE code IS NOT NULL) \
         + (SELECT COUNT(*) FROM calendar_years) + (SELECT COUNT(*) FROM declared_reports) \
         + (SELECT COUNT(*) FROM feedback_submissions)",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap()
}

/// Turns `table`'s append-only trigger `trigger` off, to change the table
/// behind the portal's back: dropped on SQLite, disabled on PostgreSQL (until [`trigger_on`]).
async fn trigger_off(sql: &sqlx::AnyPool, table: &str, trigger: &str) {
    let off = if on_postgres() {
        format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    } else {
        format!("DROP TRIGGER {trigger}")
    };
    sqlx::query(&off).execute(sql).await.unwrap();
}

/// Turns a trigger disabled by [`trigger_off`] on again (PostgreSQL; on SQLite it stays dropped).
async fn trigger_on(sql: &sqlx::AnyPool, table: &str, trigger: &str) {
    if on_postgres() {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}")).execute(sql).await.unwrap();
    }
}

/// The C2SP tile path of level-`level` tile `n` of width `w` (256: full).
fn tile_path(level: &str, n: u64, w: u64) -> String {
    assert!(n < 1000, "the test's trees are small");
    if w == 256 { format!("{level}/{n:03}") } else { format!("{level}/{n:03}.p/{w}") }
}

#[tokio::test]
async fn the_checkpoint_is_signed_and_the_tiles_give_its_root_and_every_entry_hashes_its_content() {
    let app = spawn_app().await;
    let (status, note, headers) = bytes(&app, "/log/checkpoint").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    let text = String::from_utf8(note.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "gongkai.localhost/log");
    let size: u64 = lines[1].parse().unwrap();
    assert_eq!(size as i64, publications(&app).await, "one entry per publication");
    assert!(size > 256, "the demo spans several tiles: {size}");
    assert_eq!(lines[3], "", "{text}");
    assert!(lines[4].starts_with("— gongkai.localhost/log "), "{text}");

    // The signature verifies with the verifier key `server log key` prints (read from the key file here).
    let key_file = app.database_path.parent().unwrap().join("log.key");
    let skey = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let vkey = verifier_key(skey.trim());
    let verifier = signed_note::StandardVerifier::new(&vkey).unwrap();
    let known = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    let parsed = signed_note::Note::from_bytes(&note).unwrap();
    assert!(parsed.verify(&known).is_ok(), "the checkpoint verifies with the log's key");
    // A forged checkpoint (another size, the same signature) does not.
    let forged = text.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1);
    let forged = signed_note::Note::from_bytes(forged.as_bytes()).unwrap();
    assert!(forged.verify(&known).is_err());

    // The level-0 tiles: the leaf hashes of the entries in the bundles, full tiles then the partial one.
    let (full, rest) = (size / 256, size % 256);
    let mut entries = Vec::new();
    let mut tiled: Vec<[u8; 32]> = Vec::new();
    for (n, w) in (0..full).map(|n| (n, 256)).chain((rest > 0).then_some((full, rest))) {
        let (status, tile, headers) = bytes(&app, &format!("/log/tile/{}", tile_path("0", n, w))).await;
        assert_eq!(status, 200, "tile 0/{n} width {w}");
        assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(tile.len() as u64, 32 * w);
        tiled.extend(tile.chunks(32).map(|c| <[u8; 32]>::try_from(c).unwrap()));
        let (status, bundle, _) = bytes(&app, &format!("/log/tile/{}", tile_path("entries", n, w))).await;
        assert_eq!(status, 200);
        let got = entries_of(&bundle);
        assert_eq!(got.len() as u64, w);
        entries.extend(got);
    }
    let leaves: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(leaves, tiled, "the tiles hold the entries' RFC 6962 leaf hashes");
    let root = base64::engine::general_purpose::STANDARD.decode(lines[2]).unwrap();
    assert_eq!(root, mth(&leaves), "the checkpoint's root is the Merkle tree hash of the entries");
    // Level 1: the roots of the full level-0 tiles.
    let (status, level1, _) = bytes(&app, &format!("/log/tile/{}", tile_path("1", 0, full))).await;
    assert_eq!(status, 200);
    for (i, h) in level1.chunks(32).enumerate() {
        assert_eq!(h, mth(&leaves[i * 256..(i + 1) * 256]), "level-1 hash {i}");
    }

    // Every entry: the documented form, and the SHA-256 of what its URL serves now.
    let mut kinds = std::collections::BTreeSet::new();
    for entry in &entries {
        let text = std::str::from_utf8(entry).unwrap();
        let fields: Vec<(&str, &str)> = text.lines().skip(1).map(|l| l.split_once(' ').unwrap()).collect();
        assert_eq!(text.lines().next(), Some("gongkai-log-entry/v1"));
        let names: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["kind", "key", "version", "published_at", "url", "sha256"], "{text}");
        let field = |name: &str| fields.iter().find(|(k, _)| *k == name).unwrap().1;
        kinds.insert(field("kind").to_owned());
        let (status, content, _) = bytes(&app, field("url")).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(hex::encode(Sha256::digest(&content)), field("sha256"), "{text}");
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "calendar-year",
            "department",
            "draw",
            "draw-commitment",
            "enterprise",
            "feedback-receipt",
            "inspector",
            "item",
            "plan",
            "report",
            "result"
        ]
    );

    // Tiles that do not exist, or are not spelled canonically, are 404.
    for bad in [
        tile_path("0", full, rest + 1),
        tile_path("0", full, 256),
        tile_path("0", full + 1, 1),
        tile_path("1", 0, full + 1),
        "2/000.p/1".to_owned(),
        "0/00.p/1".to_owned(),
        "0/x000/000.p/1".to_owned(),
        "0/000.p/0".to_owned(),
        "0/000.p/256".to_owned(),
        "8/000.p/1".to_owned(),
        "entries/000.p/01".to_owned(),
        "x/000.p/1".to_owned(),
        "0/000.p/1/..".to_owned(),
    ] {
        let (status, _, _) = bytes(&app, &format!("/log/tile/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
    }
    let (status, _, _) = bytes(&app, &format!("/log/tile/{}", tile_path("0", full, 1))).await;
    assert_eq!(status, 200, "an older partial width of an existing tile");
    for bad in [
        "/api/log/rows/result/0",
        "/api/log/rows/result/01",
        "/api/log/rows/draw/1",
        "/api/log/rows/results/1",
        "/api/log/rows/result/99999999",
    ] {
        let (status, _, _) = bytes(&app, bad).await;
        assert_eq!(status, 404, "{bad}");
    }
}

/// The verifier key of a signed-note Ed25519 private key, computed here.
fn verifier_key(skey: &str) -> String {
    let rest = skey.strip_prefix("PRIVATE+KEY+").unwrap();
    let (name, rest) = rest.split_once('+').unwrap();
    let (_id, key) = rest.split_once('+').unwrap();
    let key = base64::engine::general_purpose::STANDARD.decode(key).unwrap();
    assert_eq!(key[0], 1, "an Ed25519 key");
    let signing = ed25519_dalek::SigningKey::from_bytes(key[1..].try_into().unwrap());
    let public = signing.verifying_key();
    signed_note::new_ed25519_verifier_key(name, &public)
}

#[tokio::test]
async fn log_verify_passes_untouched_and_names_a_changed_or_deleted_publication() {
    let app = spawn_app().await;
    let db = app.database_arg();
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
    let storage = app.storage().await;
    assert_eq!(gongkai_server::log::audit(&storage.log_audit().await.unwrap()), Vec::<String>::new());

    let pool = app.sql().await;
    let changed: String = sqlx::query_scalar("SELECT id FROM draws ORDER BY id").fetch_one(&pool).await.unwrap();
    // 1. A record changed behind the portal's back (its append-only trigger out of the way first).
    trigger_off(&pool, "draws", "draws_append_only_update").await;
    let retitle = if on_postgres() {
        "UPDATE draws SET record_json = jsonb_set(record_json::jsonb, '{input,title}', '\"X\"')::text WHERE id = $1"
    } else {
        "UPDATE draws SET record_json = json_set(record_json, '$.input.title', 'X') WHERE id = $1"
    };
    let updated = sqlx::query(retitle).bind(&changed).execute(&pool).await.unwrap();
    assert_eq!(updated.rows_affected(), 1);
    trigger_on(&pool, "draws", "draws_append_only_update").await;
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::from(1));
    let findings = gongkai_server::log::audit(&storage.log_audit().await.unwrap());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].contains(&format!("(draw {changed} v1): the content published now differs from the one logged")),
        "{findings:?}"
    );
    assert!(findings[0].starts_with("公示日志第 "), "{findings:?}");

    // A result changed behind the portal's back: its category.
    let result: (i64, String) =
        sqlx::query_as("SELECT id, result_code FROM results ORDER BY id LIMIT 1").fetch_one(&pool).await.unwrap();
    trigger_off(&pool, "results", "results_append_only_update").await;
    sqlx::query("UPDATE results SET findings = findings || '（已改）' WHERE id = $1")
        .bind(result.0)
        .execute(&pool)
        .await
        .unwrap();
    trigger_on(&pool, "results", "results_append_only_update").await;
    let findings = gongkai_server::log::audit(&storage.log_audit().await.unwrap());
    assert!(
        findings.iter().any(|f| f.contains(&format!("(result {} v1): the content published now differs", result.1))),
        "{findings:?}"
    );

    // 2. A publication slipped in without an entry, and 3. the original commitment deleted.
    let committed: String = sqlx::query_scalar("SELECT draw_id FROM draw_commitments ORDER BY draw_id LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO draw_commitments (draw_id, department_id, plan_code, title, draw_date, commitment, input_json, \
         committed_at) SELECT 'slipped-in', department_id, plan_code, title, draw_date, commitment, input_json, \
         committed_at FROM draw_commitments WHERE draw_id = $1",
    )
    .bind(&committed)
    .execute(&pool)
    .await
    .unwrap();
    // Its append-only trigger and the foreign keys out of the way (on PostgreSQL, its system
    // triggers check those: DISABLE TRIGGER ALL, as PRAGMA foreign_keys = OFF on SQLite).
    let mut conn = pool.acquire().await.unwrap();
    if on_postgres() {
        sqlx::query("ALTER TABLE draw_commitments DISABLE TRIGGER ALL").execute(&mut *conn).await.unwrap();
    } else {
        sqlx::query("DROP TRIGGER draw_commitments_append_only_delete").execute(&mut *conn).await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.unwrap();
    }
    let deleted = sqlx::query("DELETE FROM draw_commitments WHERE draw_id = $1")
        .bind(&committed)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 1);
    if on_postgres() {
        sqlx::query("ALTER TABLE draw_commitments ENABLE TRIGGER ALL").execute(&mut *conn).await.unwrap();
    }
    let findings = gongkai_server::log::audit(&storage.log_audit().await.unwrap());
    assert_eq!(findings.len(), 4, "{findings:?}");
    assert!(
        findings.iter().any(|f| f.ends_with("draw-commitment slipped-in v1 is published but not in the log")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.ends_with(&format!("(draw-commitment {committed} v1) is no longer published"))),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.contains(&format!("(draw {changed} v1): the content published now differs"))),
        "{findings:?}"
    );
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::from(1));
}

#[tokio::test]
async fn the_log_key_survives_restarts_and_another_origin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("keys").join("log.key");
    let first = gongkai_server::log::LogKey::load_or_create(&key_path, "example.gov.cn/log").unwrap();
    assert!(first.verifier_key.starts_with("example.gov.cn/log+"), "{}", first.verifier_key);
    let again = gongkai_server::log::LogKey::load_or_create(&key_path, "example.gov.cn/log").unwrap();
    assert_eq!(first.verifier_key, again.verifier_key);
    let other = gongkai_server::log::LogKey::load_or_create(&key_path, "other.example/log");
    assert!(matches!(other, Err(gongkai_server::log::KeyError::OtherOrigin { .. })));
    std::fs::write(dir.path().join("bad.key"), "not a key\n").unwrap();
    let bad = gongkai_server::log::LogKey::load_or_create(&dir.path().join("bad.key"), "example.gov.cn/log");
    assert!(matches!(bad, Err(gongkai_server::log::KeyError::Malformed { .. })));
}

#[tokio::test]
async fn a_database_from_before_the_log_has_its_publications_logged_when_the_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.db");
    let first = gongkai_tests::spawn_with(
        gongkai_server::configuration::Settings::for_tests(path.clone()),
        tempfile::tempdir().unwrap(),
    )
    .await;
    let (_, before, _) = bytes(&first, "/log/checkpoint").await;
    // Empty the log, as a database migrated from before it has it.
    let pool = first.sql().await;
    for table in ["log_entries", "log_keys", "log_runs", "log_hashes", "log_tiles", "log_kinds"] {
        trigger_off(&pool, table, &format!("{table}_append_only_delete")).await;
        sqlx::query(&format!("DELETE FROM {table}")).execute(&pool).await.unwrap();
        trigger_on(&pool, table, &format!("{table}_append_only_delete")).await;
    }
    let (_, empty, _) = bytes(&first, "/log/checkpoint").await;
    assert!(String::from_utf8(empty).unwrap().starts_with("gongkai.localhost/log\n0\n"));

    // Started again on the same database (on PostgreSQL, the one the first was given).
    let mut settings = gongkai_server::configuration::Settings::for_tests(path.clone());
    settings.database = first.database.clone();
    let again = gongkai_tests::spawn_with(settings, tempfile::tempdir().unwrap()).await;
    let (_, after, _) = bytes(&again, "/log/checkpoint").await;
    let size = |note: &[u8]| String::from_utf8(note.to_vec()).unwrap().lines().nth(1).unwrap().to_owned();
    assert_eq!(size(&after), size(&before));
    assert_eq!(size(&after).parse::<i64>().unwrap(), publications(&again).await);
    let db = again.database_arg();
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
    drop(dir);
}

#[tokio::test]
async fn the_log_page_shows_the_verifier_key_in_both_languages_and_every_page_links_it() {
    let app = spawn_app().await;
    let key = gongkai_server::log::LogKey::load_or_create(
        &app.database_path.parent().unwrap().join("log.key"),
        "gongkai.localhost/log",
    )
    .unwrap();
    let (status, html) = app.get("/log").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>公示日志</h1>"), "{html}");
    assert!(html.contains(&format!("<code class=\"key\">{}</code>", key.verifier_key)), "{html}");
    assert!(html.contains(r#"href="/log/checkpoint""#));
    let (status, html) = app.get("/log?lang=en").await;
    assert_eq!(status, 200);
    let article = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
    assert!(article.contains("<h1>Publication log</h1>"));
    assert!(article.contains(&key.verifier_key));
    assert!(
        !article.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "no Chinese on the English page: {article}"
    );
    for page in ["/", "/draws", "/tools?lang=en"] {
        let (_, html) = app.get(page).await;
        assert!(html.contains(r#"href="/log""#), "{page} links the log");
    }
}

/// The signed checkpoint's size and root, every entry (from the bundles) and
/// the level-0 tiles' hashes.
async fn read_tree(app: &gongkai_tests::TestApp) -> (u64, Vec<u8>, Vec<Vec<u8>>, Vec<[u8; 32]>) {
    let (_, note, _) = bytes(app, "/log/checkpoint").await;
    let text = String::from_utf8(note).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let size: u64 = lines[1].parse().unwrap();
    let root = base64::engine::general_purpose::STANDARD.decode(lines[2]).unwrap();
    let (full, rest) = (size / 256, size % 256);
    let (mut entries, mut tiled) = (Vec::new(), Vec::new());
    for (n, w) in (0..full).map(|n| (n, 256)).chain((rest > 0).then_some((full, rest))) {
        let (status, tile, _) = bytes(app, &format!("/log/tile/{}", tile_path("0", n, w))).await;
        assert_eq!(status, 200, "tile 0/{n} width {w}");
        tiled.extend(tile.chunks(32).map(|c| <[u8; 32]>::try_from(c).unwrap()));
        let (status, bundle, _) = bytes(app, &format!("/log/tile/{}", tile_path("entries", n, w))).await;
        assert_eq!(status, 200);
        entries.extend(entries_of(&bundle));
    }
    (size, root, entries, tiled)
}

#[tokio::test]
async fn a_large_import_is_logged_in_chunks_and_the_tree_stays_the_rfc_6962_tree() {
    use gongkai_server::storage::Batch;
    let app = spawn_app().await;
    let (before, ..) = read_tree(&app).await;
    let pool = app.sql().await;
    let department: String =
        sqlx::query_scalar("SELECT code FROM departments ORDER BY id LIMIT 1").fetch_one(&pool).await.unwrap();
    // 5,000 rows: more than one chunk of appends (2,048), starting mid-tile.
    let rows = gongkai_tests::new_enterprises(&department, 7_000_000..7_005_000, "日志测试");
    let storage = app.storage().await;
    storage.import(&Batch::Enterprises(rows)).await.unwrap();

    let (size, root, entries, tiled) = read_tree(&app).await;
    assert_eq!(size, before + 5_000);
    let leaves: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(leaves, tiled, "the tiles hold the entries' leaf hashes across the chunks");
    assert_eq!(root, mth(&leaves), "the checkpoint's root is the Merkle tree hash of every entry");
    // Each full tile was stored by the append that completed it (and is what was served above).
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM log_tiles WHERE level = 0").fetch_one(&pool).await.unwrap();
    assert_eq!(stored as u64, size / 256);
    for (i, entry) in entries[before as usize..].iter().enumerate() {
        let text = String::from_utf8(entry.clone()).unwrap();
        let key = draw::synthetic::credit_code(7_000_000 + i as u64);
        assert!(
            text.starts_with(&format!("gongkai-log-entry/v1\nkind enterprise\nkey {key}\nversion 1\n")),
            "entry {i}: {text}"
        );
    }
    assert_eq!(size as i64, publications(&app).await);
    let db = app.database_arg();
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
}

#[test]
fn server_log_key_create_makes_the_key_before_the_first_start_and_without_it_a_missing_key_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("gongkai.db");
    let database = db.to_str().unwrap();
    assert_eq!(server_command(&["log", "key", "--database", database]), std::process::ExitCode::from(2));
    assert_eq!(server_command(&["log", "key", "--create", "--database", database]), std::process::ExitCode::SUCCESS);
    let key = dir.path().join("data").join("log.key");
    assert!(std::fs::read_to_string(&key).unwrap().starts_with("PRIVATE+KEY+gongkai.localhost/log+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(!db.exists(), "no database is created by printing the key");
}

/// The entry of `kind` `key` version `version`, as the entry bundles give it: its index and fields.
async fn logged(app: &gongkai_tests::TestApp, kind: &str, key: &str) -> Vec<(u64, String)> {
    let (size, _, entries, _) = read_tree(app).await;
    assert_eq!(entries.len() as u64, size);
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, String::from_utf8(e.clone()).unwrap()))
        .filter(|(_, e)| e.contains(&format!("\nkind {kind}\nkey {key}\n")))
        .collect()
}

#[tokio::test]
async fn departments_calendar_years_reports_and_feedback_receipts_are_logged_and_checked() {
    use gongkai_server::storage::{Batch, Level, NewDepartment};
    let app = spawn_app().await;
    let pool = app.sql().await;
    let url_of = |entry: &str| entry.lines().find_map(|l| l.strip_prefix("url ")).unwrap().to_owned();
    let sha_of = |entry: &str| entry.lines().find_map(|l| l.strip_prefix("sha256 ")).unwrap().to_owned();

    // A feedback receipt: the receipt only (no text, no contact), whose SHA-256
    // is of the canonical submission the enterprise keeps.
    let (result_code, canonical, text, contact): (String, String, String, String) = sqlx::query_as(
        "SELECT result_code, canonical, text, contact FROM feedback_submissions WHERE text <> '' ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let entries = logged(&app, "feedback-receipt", &result_code).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (status, content, _) = bytes(&app, &url_of(&entries[0].1)).await;
    assert_eq!(status, 200);
    assert_eq!(hex::encode(Sha256::digest(&content)), sha_of(&entries[0].1));
    let receipt: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&content).unwrap();
    assert_eq!(
        receipt.keys().map(String::as_str).collect::<Vec<_>>(),
        ["receipt", "result_code", "sha256", "submitted_at", "version", "window_closes"]
    );
    assert_eq!(receipt["sha256"], hex::encode(Sha256::digest(canonical.as_bytes())));
    let served = String::from_utf8(content).unwrap();
    assert!(!served.contains(&text) && (contact.is_empty() || !served.contains(&contact)), "{served}");

    // Departments, calendar years and execution reports have their entries too.
    for (kind, key) in [("department", "159902"), ("calendar-year", "2026"), ("report", "159902/2024")] {
        let entries = logged(&app, kind, key).await;
        assert_eq!(entries.len(), 1, "{kind} {key}: {entries:?}");
        let (status, content, _) = bytes(&app, &url_of(&entries[0].1)).await;
        assert_eq!(status, 200, "{kind}");
        assert_eq!(hex::encode(Sha256::digest(&content)), sha_of(&entries[0].1), "{kind}");
    }

    // A department imported now is logged in the import's transaction.
    let (size, _, _, _) = read_tree(&app).await;
    app.storage()
        .await
        .import(&Batch::Departments(vec![NewDepartment {
            code: "159909".to_owned(),
            name: "河朔市北山区市场监督管理局".to_owned(),
            level: Level::District,
            parent_code: Some("159900".to_owned()),
            published_at: "2026-11-30T09:00:00+08:00".to_owned(),
        }]))
        .await
        .unwrap();
    let entries = logged(&app, "department", "159909").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, size, "the next entry");
    assert!(entries[0].1.contains("\npublished_at 2026-11-30T09:00:00+08:00\n"), "{}", entries[0].1);
    let (_, content, _) = bytes(&app, &url_of(&entries[0].1)).await;
    assert_eq!(
        String::from_utf8(content).unwrap(),
        r#"{"code":"159909","level":"district","name":"河朔市北山区市场监督管理局","parent_code":"159900","published_at":"2026-11-30T09:00:00+08:00"}"#
    );

    // A published department cannot be changed, not even with SQL.
    let refused = sqlx::query("UPDATE departments SET name = 'X' WHERE code = '159902'").execute(&pool).await;
    assert!(refused.unwrap_err().to_string().contains("published departments are append-only"));

    // A feedback receipt changed behind the portal's back is named by `server log verify`.
    let db = app.database_arg();
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
    trigger_off(&pool, "feedback_submissions", "feedback_submissions_append_only_update").await;
    sqlx::query("UPDATE feedback_submissions SET window_closes = '2099-12-31' WHERE result_code = $1")
        .bind(&result_code)
        .execute(&pool)
        .await
        .unwrap();
    trigger_on(&pool, "feedback_submissions", "feedback_submissions_append_only_update").await;
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::from(1));
    let findings = gongkai_server::log::audit(&app.storage().await.log_audit().await.unwrap());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].contains(&format!("(feedback-receipt {result_code} v1): the content published now differs")),
        "{findings:?}"
    );
}

#[tokio::test]
async fn server_log_checkpoint_accepts_the_logs_checkpoints_and_refuses_forged_rolled_back_and_forked_ones() {
    let app = spawn_app().await;
    let db = app.database_arg();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let key_path = app.database_path.parent().unwrap().join("log.key");
    let key = gongkai_server::log::LogKey::load_or_create(&key_path, "gongkai.localhost/log").unwrap();
    let vkey = key.verifier_key.clone();
    // Without --verifier-key: the key of the log's key file beside the database. PostgreSQL has no
    // file to be beside: there, the log's verifier key is given.
    let check = |path: &str, extra: &[&str]| {
        let mut args = vec!["log", "checkpoint", path, "--database", &db];
        if on_postgres() && !extra.contains(&"--verifier-key") {
            args.extend_from_slice(&["--verifier-key", &vkey]);
        }
        args.extend_from_slice(extra);
        server_command(&args)
    };
    let (_, note, _) = bytes(&app, "/log/checkpoint").await;
    let text = String::from_utf8(note.clone()).unwrap();
    let size: u64 = text.lines().nth(1).unwrap().parse().unwrap();
    let root = tlog_tiles::Hash(
        base64::engine::general_purpose::STANDARD.decode(text.lines().nth(2).unwrap()).unwrap().try_into().unwrap(),
    );
    let served = file("served", &note);
    assert_eq!(check(&served, &[]), std::process::ExitCode::SUCCESS);

    // An older checkpoint of the same log still agrees with the database (the log only grows).
    let storage = app.storage().await;
    let older_root = storage.log_root(size - 10).await.unwrap().unwrap();
    assert_eq!(check(&file("older", &key.checkpoint(size - 10, older_root)), &[]), std::process::ExitCode::SUCCESS);
    assert_eq!(check(&served, &["--verifier-key", &vkey]), std::process::ExitCode::SUCCESS);

    // Tamper 4: a forged signature (another size under the same signature), a checkpoint signed by another key.
    let forged = text.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size - 1), 1);
    assert_eq!(check(&file("forged", forged.as_bytes()), &[]), std::process::ExitCode::from(1));
    let other_dir = tempfile::tempdir().unwrap();
    let other =
        gongkai_server::log::LogKey::load_or_create(&other_dir.path().join("k"), "gongkai.localhost/log").unwrap();
    assert_eq!(check(&file("other-key", &other.checkpoint(size, root)), &[]), std::process::ExitCode::from(1));
    assert_eq!(check(&served, &["--verifier-key", &other.verifier_key]), std::process::ExitCode::from(1));
    // Signed by the log's key, but not what the database holds: longer (rolled back) or another root (rewritten).
    assert_eq!(check(&file("longer", &key.checkpoint(size + 5, root)), &[]), std::process::ExitCode::from(1));
    assert_eq!(
        check(&file("forked", &key.checkpoint(size, tlog_tiles::Hash([7; 32]))), &[]),
        std::process::ExitCode::from(1)
    );
    // Another log's checkpoint.
    let elsewhere =
        gongkai_server::log::LogKey::load_or_create(&other_dir.path().join("e"), "example.org/log").unwrap();
    assert_eq!(
        check(&file("elsewhere", &elsewhere.checkpoint(size, root)), &["--verifier-key", &vkey]),
        std::process::ExitCode::from(1)
    );

    // Not a checkpoint, no file, a malformed key: exit code 2.
    for hostile in ["", "gongkai.localhost/log\n12\n", "<script>\n\n— x y\n", "gongkai.localhost/log\nNaN\nAAAA\n\n"]
    {
        assert_eq!(check(&file("hostile", hostile.as_bytes()), &[]), std::process::ExitCode::from(2), "{hostile:?}");
    }
    assert_eq!(check(&file("nul", b"gongkai.localhost/log\n1\n\0\n\n"), &[]), std::process::ExitCode::from(2));
    let missing = dir.path().join("missing").to_str().unwrap().to_owned();
    assert_eq!(check(&missing, &[]), std::process::ExitCode::from(2));
    assert_eq!(check(&served, &["--verifier-key", "not+a+key"]), std::process::ExitCode::from(2));
}

#[tokio::test]
async fn log_verify_names_an_entry_its_record_page_would_not_find() {
    let app = spawn_app().await;
    let db = app.database_arg();
    let pool = app.sql().await;
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
    // A result's key in the log's index by record pointed at another entry, behind the portal's back.
    let (code, idx): (String, i64) =
        sqlx::query_as("SELECT key, idx FROM log_keys WHERE kind = 'result' AND version = 1 ORDER BY key LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let page = format!("/results/{code}");
    let (status, html, _) = bytes(&app, &page).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-log-index=\"{idx}\"")), "the page names its entry: {page}");
    trigger_off(&pool, "log_keys", "log_keys_append_only_update").await;
    let moved = sqlx::query("UPDATE log_keys SET idx = 0 WHERE kind = 'result' AND key = $1 AND version = 1")
        .bind(&code)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected(), 1);
    trigger_on(&pool, "log_keys", "log_keys_append_only_update").await;
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::from(1));
    let findings = gongkai_server::log::audit(&app.storage().await.log_audit().await.unwrap());
    // Entry 0 has two keys pointing at it now, and the result's entry none.
    let (kind, key, version): (String, String, i64) =
        sqlx::query_as("SELECT kind, key, version FROM log_entries WHERE idx = 0").fetch_one(&pool).await.unwrap();
    let expected = [
        format!(
            "log entry 0 ({kind} {key} v{version}) is missing from, or wrong in, the log's index by record (log_keys)"
        ),
        format!(
            "log entry {idx} (result {code} v1) is missing from, or wrong in, the log's index by record (log_keys)"
        ),
    ];
    assert_eq!(findings.len(), 2, "{findings:?}");
    for (found, expected) in findings.iter().zip(&expected) {
        assert!(found.ends_with(expected.as_str()), "{found} / {expected}");
    }
}

#[tokio::test]
async fn log_verify_names_a_stored_tile_that_does_not_match_the_tree_hashes() {
    let app = spawn_app().await;
    let db = app.database_arg();
    let pool = app.sql().await;
    let tiles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_tiles").fetch_one(&pool).await.unwrap();
    assert!(tiles >= 4, "the demo's log has full tiles: {tiles}");
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::SUCCESS);
    // The tile served for 0/001 swapped for other bytes, behind the portal's back.
    trigger_off(&pool, "log_tiles", "log_tiles_append_only_update").await;
    let zeros = if on_postgres() { "decode(repeat('00', 8192), 'hex')" } else { "zeroblob(8192)" };
    let swapped = sqlx::query(&format!("UPDATE log_tiles SET data = {zeros} WHERE level = 0 AND n = 1"))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(swapped.rows_affected(), 1);
    trigger_on(&pool, "log_tiles", "log_tiles_append_only_update").await;
    let (status, served, _) = bytes(&app, "/log/tile/0/001").await;
    assert_eq!((status, served), (200, vec![0; 8192]), "what a visitor would be served");
    assert_eq!(server_command(&["log", "verify", "--database", &db]), std::process::ExitCode::from(1));
    let findings = gongkai_server::log::audit(&app.storage().await.log_audit().await.unwrap());
    assert_eq!(
        findings,
        ["公示日志的分片 0/001 与树哈希不符 / the log's stored tile 0/001 does not match its tree hashes"]
    );
}

#[test]
fn a_database_url_of_another_scheme_is_an_error_and_creates_nothing() {
    // (postgres:// is no longer another scheme: the portal runs on PostgreSQL too.)
    for url in ["mssql://sa@127.0.0.1:1433/gongkai", "mysql://root@localhost/gongkai"] {
        let folder = std::path::Path::new(url.split_once("//").unwrap().0);
        assert_eq!(server_command(&["log", "verify", "--database", url]), std::process::ExitCode::from(2), "{url}");
        assert_eq!(server_command(&["log", "key", "--create", "--database", url]), std::process::ExitCode::from(2));
        assert!(!folder.exists(), "{url}: no folder {} was created", folder.display());
    }
}

#[tokio::test]
async fn a_database_created_empty_logs_every_kind_from_the_start_so_its_first_start_reads_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let database = gongkai_tests::new_database(dir.path().join("fresh.db")).await;
    drop(gongkai_server::storage::open(&database, gongkai_server::storage::WRITE_WAIT).await.unwrap());
    let pool = gongkai_tests::sql(&database).await;
    let mut kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM log_kinds").fetch_all(&pool).await.unwrap();
    kinds.sort();
    let mut all: Vec<String> = gongkai_server::log::Kind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    all.sort();
    assert_eq!(kinds, all);
}
