//! Feedback codes (001 art. 24) as a department issues them with `server
//! feedback codes`: one per result, typable with a check character, written
//! for the department only; the database keeps a keyed hash, never a code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use app::feedback::FeedbackCode;
use gongkai_tests::{server_command as server, spawn_app};
use sha2::{Digest, Sha256};

/// HMAC-SHA256 written out from RFC 2104, independently of the server's `hmac` crate.
fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let inner = Sha256::digest(inner);
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(inner.iter().copied()).collect();
    hex::encode(Sha256::digest(outer))
}

#[tokio::test]
async fn a_department_gets_one_code_per_result_and_the_portal_keeps_only_keyed_hashes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (out, key) = (dir.path().join("codes-2024.csv"), dir.path().join("secret").join("feedback.key"));
    let database = app.database_arg();
    let args = |out: &std::path::Path| {
        vec![
            "feedback".to_owned(),
            "codes".to_owned(),
            "--department".to_owned(),
            "159902".to_owned(),
            "--year".to_owned(),
            "2024".to_owned(),
            "--out".to_owned(),
            out.to_str().unwrap().to_owned(),
            "--database".to_owned(),
            database.clone(),
            "--key".to_owned(),
            key.to_str().unwrap().to_owned(),
        ]
    };
    let run = |a: Vec<String>| server(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run(args(&out)), ExitCode::SUCCESS);

    let sql = app.sql().await;
    let results: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM results r JOIN departments d ON d.id = r.department_id \
         WHERE d.code = '159902' AND r.year = 2024 AND r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert!(results > 50, "{results}");

    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some(
            "result_code,credit_code,enterprise_name,inspected_on,delivered_on,feedback_code,feedback_opens,feedback_closes"
        )
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows.len() as i64, results, "one code per current result");
    let key_hex = std::fs::read_to_string(&key).unwrap();
    let key_bytes = hex::decode(key_hex.trim()).unwrap();
    assert_eq!(key_bytes.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "owner only");
    }
    // Working days from /api/calendar: weekdays that are no holiday, and make-up days.
    let calendar: Vec<serde_json::Value> = serde_json::from_str(&app.get("/api/calendar").await.1).unwrap();
    let day = |d: &str| app::calendar::day(d).unwrap();
    let (mut off, mut on) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for y in &calendar {
        for h in y["holidays"].as_array().unwrap() {
            off.extend(day(h["from"].as_str().unwrap())..=day(h["to"].as_str().unwrap()));
        }
        on.extend(y["workdays"].as_array().unwrap().iter().map(|w| day(w["date"].as_str().unwrap())));
    }
    // 1970-01-01 (day 0) was a Thursday.
    let working = |d: i64| on.contains(&d) || ((d + 3).rem_euclid(7) < 5 && !off.contains(&d));
    let mut seen = std::collections::BTreeSet::new();
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT result_code, code_hmac FROM feedback_codes").fetch_all(&sql).await.unwrap();
    let stored: std::collections::BTreeMap<String, String> = stored.into_iter().collect();
    for row in &rows {
        let (result_code, code) = (&row[0], &row[5]);
        // Printed in four groups of four, with a valid check character.
        assert_eq!(code.len(), 19, "{code}");
        let parsed = FeedbackCode::parse(code).unwrap();
        assert!(seen.insert(parsed.as_str().to_owned()), "codes are distinct");
        // The database holds the keyed hash of this code, for this result.
        assert_eq!(stored.get(result_code), Some(&hmac_sha256(&key_bytes, parsed.as_str().as_bytes())));
        // The window: from delivery to the end of the 10th working day after it,
        // counted here from the calendar the portal serves.
        let (opens, closes) = (&row[6], &row[7]);
        assert_eq!(opens, &row[4]);
        let (from, to) = (day(opens), day(closes));
        let counted = (from + 1..=to).filter(|d| working(*d)).count();
        assert!(counted == 10 && working(to), "{opens} – {closes}: {counted} working days");
    }
    // Besides the demo's own codes (its 2025 results), exactly these.
    let demo: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_codes f JOIN results r ON r.result_code = f.result_code \
         WHERE r.year <> 2024 AND r.id NOT IN (SELECT id FROM results_superseded)",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert_eq!(stored.len() as i64, results + demo);

    // No code is anywhere in the database: in its files (SQLite), in any row of any table (PostgreSQL).
    let haystack = if gongkai_tests::on_postgres() {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&sql)
        .await
        .unwrap();
        assert!(tables.contains(&"feedback_codes".to_owned()), "{tables:?}");
        let mut rows = String::new();
        for table in tables {
            let texts: Vec<String> = sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"))
                .fetch_all(&sql)
                .await
                .unwrap();
            rows.extend(texts);
        }
        rows
    } else {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal"] {
            if let Ok(b) = std::fs::read(format!("{database}{suffix}")) {
                bytes.extend(b);
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    };
    assert!(haystack.contains(&rows[0][0]), "the database is read: its result codes are in it");
    for row in &rows {
        let plain = row[5].replace('-', "");
        assert!(!haystack.contains(&plain) && !haystack.contains(&row[5]), "a code is stored in the database");
    }

    // A second run finds every result served: no file, no new codes.
    let again = dir.path().join("again.csv");
    assert_eq!(run(args(&again)), ExitCode::SUCCESS);
    assert!(!again.exists());
    // An existing file is never overwritten (its codes could not be had again).
    assert_eq!(run(args(&out)), ExitCode::from(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}
