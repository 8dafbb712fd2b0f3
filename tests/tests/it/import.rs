//! Files imported with `server import` into a database file, then the real
//! server started on that file: what was imported is what citizens see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::ExitCode;

use gongkai_server::configuration::{Database, Settings};
use gongkai_tests::{database_arg, new_database, server_command as server, spawn_with};

fn import(database: &Database, kind: &str, file: &Path) -> ExitCode {
    server(&["import", kind, file.to_str().unwrap(), "--database", &database_arg(database)])
}

const DEMO: &str = "8f1c2e4a6b3d5f7091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708";

#[tokio::test]
async fn an_imported_draw_is_published_with_its_teams() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let database = new_database(d.join("portal.db")).await;

    let departments = "code,name,level,parent_code\r\n\
        430000,湖南省市场监督管理局,province,\r\n\
        430100,长沙市市场监督管理局,city,430000\r\n\
        430102,长沙市芙蓉区市场监督管理局,district,430100\r\n";
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(departments.as_bytes());
    std::fs::write(d.join("departments.csv"), bom).unwrap();
    assert_eq!(import(&database, "departments", &d.join("departments.csv")), ExitCode::SUCCESS);

    let mut input = draw::synthetic::input(&draw::synthetic::Shape {
        objects: 60,
        strata: 2,
        inspectors: 12,
        select: 8,
        team_size: 2,
        load_cap: 3,
        history: 0,
        seed: 3,
    });
    input.draw_id = "430102-2025-03".to_owned();
    input.title = "2025 年食品经营者“双随机、一公开”抽查".to_owned();
    input.department = "长沙市芙蓉区市场监督管理局".to_owned();
    input.ancestors = vec!["湖南省市场监督管理局".to_owned(), "长沙市市场监督管理局".to_owned()];

    // The inspector directory, saved by Excel in GBK.
    let mut csv = "department_code,certificate,name,unit,qualifications,valid_from,valid_until\r\n".to_owned();
    for (i, p) in input.inspectors.iter().enumerate() {
        csv += &format!(
            "430102,{},检查员{i},{},{},{},{}\r\n",
            p.cert,
            p.unit,
            p.qualifications.join("；"),
            p.valid_from,
            p.valid_until
        );
    }
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    std::fs::write(d.join("inspectors.csv"), &gbk).unwrap();
    assert_eq!(import(&database, "inspectors", &d.join("inspectors.csv")), ExitCode::SUCCESS);

    let record = draw::draw(input, draw::Randomness::Demo { value: DEMO.to_owned() }).unwrap();
    let committed = d.join("committed.json");
    std::fs::write(&committed, serde_json::to_vec_pretty(&record.input).unwrap()).unwrap();
    let code = server(&[
        "import",
        "commitment",
        committed.to_str().unwrap(),
        "--department-code",
        "430102",
        "--committed-at",
        "2025-05-30T09:00:00+08:00",
        "--database",
        &database_arg(&database),
    ]);
    assert_eq!(code, ExitCode::SUCCESS);

    // A tampered record is refused and never shown.
    let mut tampered = record.clone();
    tampered.result.strata[0].selected[0].team.reverse();
    tampered.result.strata[0].selected[0].team[0] = "15009999999".to_owned();
    std::fs::write(d.join("tampered.json"), serde_json::to_vec_pretty(&tampered).unwrap()).unwrap();
    assert_eq!(import(&database, "draw", &d.join("tampered.json")), ExitCode::from(1));

    std::fs::write(d.join("record.json"), serde_json::to_vec_pretty(&record).unwrap()).unwrap();
    assert_eq!(import(&database, "draw", &d.join("record.json")), ExitCode::SUCCESS);

    let mut settings = Settings::for_tests(d.join("portal.db"));
    settings.database = database;
    settings.seed_demo = false;
    let app = spawn_with(settings, dir).await;

    let list: Vec<app::types::DrawSummary> = serde_json::from_str(&app.get("/api/draws").await.1).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].id, "430102-2025-03");
    assert_eq!(list[0].department, "长沙市芙蓉区市场监督管理局");
    assert_eq!(list[0].committed_at.as_deref(), Some("2025-05-30T09:00:00+08:00"));
    assert!(!list[0].is_awaiting());

    let (status, html) = app.get("/draws/430102-2025-03").await;
    assert_eq!(status, 200);
    assert!(html.contains("2025 年食品经营者“双随机、一公开”抽查"), "{html}");
    assert!(html.contains(&record.commitment));
    let mut members = 0;
    for stratum in &record.result.strata {
        for s in &stratum.selected {
            assert!(html.contains(&s.object), "{} is missing", s.object);
            for cert in &s.team {
                assert!(html.contains(cert), "team member {cert} is missing");
                members += 1;
            }
        }
    }
    assert_eq!(members, 16);
    assert!(!html.contains("15009999999"), "nothing of the tampered record is shown");
}
