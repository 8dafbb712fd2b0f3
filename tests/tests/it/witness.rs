//! Witnesses of the publication log (C2SP tlog-witness, tlog-cosignature;
//! docs/LOG.md §7): the portal sends each new checkpoint to its witnesses and
//! serves their cosignatures; a witness refuses a forged checkpoint, a
//! checkpoint of a log it does not know, a rolled-back log and a forked one
//! (issue 14's tamper tests 3 and 4 at the witness).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use gongkai_server::configuration::{Database, Settings};
use gongkai_server::log::LogKey;
use gongkai_server::startup::Application;
use gongkai_server::storage::Batch;
use gongkai_server::witness::{AddCheckpoint, ConfiguredWitness, Witness, WitnessKey, WitnessReply, WitnessVerifier};
use gongkai_tests::{TestApp, on_postgres, server_command, spawn_app, spawn_with};

/// A witness named `name` serving on a free loopback port, for the log `log_vkey`.
async fn start_witness(dir: &std::path::Path, name: &str, log_vkey: &str) -> (String, String) {
    let key = WitnessKey::load_or_create(&dir.join(format!("{}.key", name.replace('/', "_"))), name).unwrap();
    let vkey = key.verifier_key.clone();
    let witness = Witness::open(key, vec![log_vkey.to_owned()], &dir.join(format!("{}.db", name.replace('/', "_"))))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Arc::new(witness).router()).await });
    (vkey, url)
}

/// Imports `count` new enterprises (credit codes from `from`) into the app's database.
async fn import_enterprises(app: &TestApp, from: u64, count: u64) {
    let department: String = sqlx::query_scalar("SELECT code FROM departments ORDER BY id LIMIT 1")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let rows = gongkai_tests::new_enterprises(&department, from..from + count, "见证测试");
    app.storage().await.import(&Batch::Enterprises(rows)).await.unwrap();
}

/// On PostgreSQL, a portal seeded with the demo and a copy of its database as
/// it is then (its URL). A copy (CREATE DATABASE … TEMPLATE) needs no other
/// session on the original, which a running portal holds: the copy is made
/// after the server is built once (seeding the demo) and dropped, before it
/// is built again, on the same database, to serve.
async fn postgres_portal_and_copy() -> (TestApp, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = gongkai_server::storage::create_test_database(&gongkai_tests::postgres_admin_url()).await.unwrap();
    let mut settings = Settings::for_tests(dir.path().join("gongkai.db"));
    settings.database = Database::Postgres(url.clone());
    drop(Application::build(settings.clone()).await.unwrap());
    let (cluster, name) = url.rsplit_once('/').unwrap();
    let admin = gongkai_tests::sql(&Database::Postgres(gongkai_tests::postgres_admin_url())).await;
    sqlx::query(&format!("CREATE DATABASE {name}_copy TEMPLATE {name}")).execute(&admin).await.unwrap();
    admin.close().await;
    (spawn_with(settings, dir).await, format!("{cluster}/{name}_copy"))
}

/// The checkpoint the portal serves once it carries `lines` signature lines and has `size` entries (or more).
async fn served_checkpoint(app: &TestApp, lines: usize, size: u64) -> String {
    for _ in 0..100 {
        let (_, note) = app.get("/log/checkpoint").await;
        let n: u64 = note.lines().nth(1).unwrap().parse().unwrap();
        if n >= size && note.lines().filter(|l| l.starts_with('\u{2014}')).count() == lines {
            return note;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no checkpoint of {size} entries with {lines} signatures: {}", app.get("/log/checkpoint").await.1);
}

#[tokio::test]
async fn the_portal_sends_each_new_checkpoint_to_its_witnesses_and_serves_their_cosignatures() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data").join("gongkai.db");
    let mut settings = Settings::for_tests(database);
    let log_key = LogKey::load_or_create(&settings.log.key_path, &settings.log.origin).unwrap();
    let (w1, url1) = start_witness(dir.path(), "witness.test/w1", &log_key.verifier_key).await;
    let (w2, url2) = start_witness(dir.path(), "witness.test/w2", &log_key.verifier_key).await;
    settings.log.witnesses = ConfiguredWitness::parse_list(&format!("{w1} {url1}; {w2} {url2}/")).unwrap();
    settings.log.quorum = 2;
    let app = spawn_with(settings, tempfile::tempdir().unwrap()).await;

    let first = served_checkpoint(&app, 3, 1).await;
    let check = |note: &str| {
        let body = &note[..note.find("\n\n").unwrap() + 1];
        let lines: Vec<&str> = note.lines().filter(|l| l.starts_with('\u{2014}')).collect();
        assert!(lines[0].starts_with("\u{2014} gongkai.localhost/log "), "the log's own signature first: {note}");
        let times: Vec<u64> = [&w1, &w2]
            .iter()
            .map(|vkey| {
                let v = WitnessVerifier::parse(vkey).unwrap();
                lines.iter().find_map(|l| v.verify(body.as_bytes(), l)).expect("a valid cosignature by each witness")
            })
            .collect();
        // The log's signature still verifies with the cosignatures after it.
        let known = signed_note::VerifierList::new(vec![Box::new(
            signed_note::StandardVerifier::new(&log_key.verifier_key).unwrap(),
        )]);
        assert!(signed_note::Note::from_bytes(note.as_bytes()).unwrap().verify(&known).is_ok());
        times
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for t in check(&first) {
        assert!(t.abs_diff(now) < 120, "the witness's time is now: {t} vs {now}");
    }
    let size: u64 = first.lines().nth(1).unwrap().parse().unwrap();

    // A publication: the grown log is cosigned again, the witnesses checking its consistency.
    import_enterprises(&app, 8_000_000, 3).await;
    let grown = served_checkpoint(&app, 3, size + 3).await;
    assert_eq!(grown.lines().nth(1).unwrap(), (size + 3).to_string());
    check(&grown);
    let kept = app.storage().await.log_cosignatures(size).await.unwrap();
    assert_eq!(kept.len(), 2, "the earlier checkpoint's cosignatures are kept as evidence");
}

#[tokio::test]
async fn a_witness_refuses_forged_unknown_rolled_back_and_forked_checkpoints() {
    // On PostgreSQL, the second portal's database below is copied before the first one serves.
    let (first, postgres_copy) = if on_postgres() {
        let (first, copy) = postgres_portal_and_copy().await;
        (first, Some(copy))
    } else {
        (spawn_app().await, None)
    };
    let dir = tempfile::tempdir().unwrap();
    let key_path = first.database_path.parent().unwrap().join("log.key");
    let log_key = LogKey::load_or_create(&key_path, "gongkai.localhost/log").unwrap();
    let key = WitnessKey::load_or_create(&dir.path().join("w.key"), "witness.test/w1").unwrap();
    let verifier = WitnessVerifier::parse(&key.verifier_key).unwrap();
    let witness = Witness::open(key, vec![log_key.verifier_key.clone()], &dir.path().join("w.db")).await.unwrap();
    let storage = first.storage().await;
    let add = |old: u64, proof: Vec<tlog_tiles::Hash>, checkpoint: Vec<u8>| {
        AddCheckpoint { old, proof, checkpoint }.to_bytes()
    };

    // The first checkpoint: cosigned.
    let (n, root) = storage.log_head().await.unwrap();
    let note = log_key.checkpoint(n, root);
    let WitnessReply::Cosigned(line) = witness.add_checkpoint(&add(0, vec![], note.clone())).await else {
        panic!("the first checkpoint is cosigned")
    };
    let body = &note[..String::from_utf8(note.clone()).unwrap().find("\n\n").unwrap() + 1];
    assert!(verifier.verify(body, &line).is_some());
    // Sent again with a stale size: 409 with the size the witness is at.
    assert_eq!(witness.add_checkpoint(&add(0, vec![], note.clone())).await, WitnessReply::Conflict(n));

    // Forged: another size under the real signature; signed by another key of the same name.
    let text = String::from_utf8(note.clone()).unwrap();
    let forged = text.replacen(&format!("\n{n}\n"), &format!("\n{}\n", n + 1), 1);
    assert_eq!(witness.add_checkpoint(&add(n, vec![], forged.into_bytes())).await, WitnessReply::BadSignature);
    let other_dir = tempfile::tempdir().unwrap();
    let impostor = LogKey::load_or_create(&other_dir.path().join("log.key"), "gongkai.localhost/log").unwrap();
    assert_eq!(
        witness.add_checkpoint(&add(n, vec![], impostor.checkpoint(n + 1, root))).await,
        WitnessReply::BadSignature
    );
    // A log the witness does not know.
    let unknown = LogKey::load_or_create(&other_dir.path().join("other.key"), "other.example/log").unwrap();
    assert_eq!(
        witness.add_checkpoint(&add(n, vec![], unknown.checkpoint(n, root))).await,
        WitnessReply::UnknownLog("other.example/log".to_owned())
    );
    // Malformed.
    assert!(matches!(witness.add_checkpoint(b"old x\n\nnothing").await, WitnessReply::Malformed(_)));

    // A second portal with the same key and the same past: the database copied (on PostgreSQL, at the start).
    let second_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(second_dir.path().join("data")).unwrap();
    let copy = second_dir.path().join("data").join("gongkai.db");
    let mut settings = Settings::for_tests(copy.clone());
    match postgres_copy {
        Some(url) => settings.database = Database::Postgres(url),
        None => {
            sqlx::query("VACUUM INTO $1").bind(copy.to_str().unwrap()).execute(&first.sql().await).await.unwrap();
        }
    }
    std::fs::copy(&key_path, second_dir.path().join("data").join("log.key")).unwrap();
    let second = spawn_with(settings, second_dir).await;
    assert_eq!(second.storage().await.log_head().await.unwrap(), (n, root), "the same past");

    // The first grows by one; the witness follows with a consistency proof.
    import_enterprises(&first, 8_100_000, 1).await;
    let (n1, root1) = storage.log_head().await.unwrap();
    assert_eq!(n1, n + 1);
    let proof = storage.log_consistency(n, n1).await.unwrap();
    assert!(matches!(
        witness.add_checkpoint(&add(n, proof, log_key.checkpoint(n1, root1))).await,
        WitnessReply::Cosigned(_)
    ));
    // Rolled back: the old checkpoint again.
    assert!(matches!(witness.add_checkpoint(&add(n1, vec![], note.clone())).await, WitnessReply::Malformed(_)));

    // Forked: the copy publishes something else at the same size…
    let other = second.storage().await;
    import_enterprises(&second, 8_200_000, 1).await;
    let (m, fork_root) = other.log_head().await.unwrap();
    assert_eq!(m, n1);
    assert_ne!(fork_root, root1);
    assert_eq!(
        witness.add_checkpoint(&add(n1, vec![], log_key.checkpoint(m, fork_root))).await,
        WitnessReply::Conflict(n1)
    );
    // …and more: no consistency proof from the witnessed tree exists.
    import_enterprises(&second, 8_300_000, 2).await;
    let (m2, root2) = other.log_head().await.unwrap();
    let proof = other.log_consistency(n1, m2).await.unwrap();
    assert_eq!(witness.add_checkpoint(&add(n1, proof, log_key.checkpoint(m2, root2))).await, WitnessReply::BadProof);

    // Over HTTP, the codes of C2SP tlog-witness.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/add-checkpoint", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Arc::new(witness).router()).await });
    let client = reqwest::Client::new();
    let resp = client.post(&url).body(add(0, vec![], note.clone())).send().await.unwrap();
    assert_eq!(resp.status(), 409);
    assert_eq!(resp.headers()["content-type"], "text/x.tlog.size");
    assert_eq!(resp.text().await.unwrap(), format!("{n1}\n"));
    let forged = text.replacen(&format!("\n{n}\n"), &format!("\n{}\n", n1 + 5), 1);
    assert_eq!(client.post(&url).body(add(n1, vec![], forged.into_bytes())).send().await.unwrap().status(), 403);
    assert_eq!(
        client.post(&url).body(add(n1, vec![], unknown.checkpoint(n, root))).send().await.unwrap().status(),
        404
    );
    assert_eq!(client.post(&url).body("old 1\n").send().await.unwrap().status(), 400);
}

#[test]
fn server_witness_key_prints_the_verifier_key_and_refuses_a_key_of_another_name() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("w.key");
    let k = key.to_str().unwrap();
    assert_eq!(
        server_command(&["witness", "key", "--key", k, "--name", "witness.test/w1"]),
        std::process::ExitCode::SUCCESS
    );
    let vkey = WitnessKey::load_or_create(&key, "witness.test/w1").unwrap().verifier_key;
    assert!(vkey.starts_with("witness.test/w1+"));
    assert_eq!(
        server_command(&["witness", "key", "--key", k, "--name", "witness.test/w2"]),
        std::process::ExitCode::from(2)
    );
}
