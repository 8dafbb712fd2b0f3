//! `server import` as a department runs it: the real binary on real CSV and
//! JSON files (UTF-8, UTF-8 with a BOM, GBK) into a temporary SQLite file,
//! checked by what it prints, its exit code and what the database holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use draw::DrawRecord;
use draw::synthetic::{Shape, credit_code, input};
use gongkai_server::storage::SqliteStorage;

const DEMO: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn server(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(dir)
        .env("GONGKAI_DATABASE", dir.join("portal.db"))
        .args(args)
        .output()
        .expect("run the server binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs an import that must succeed.
fn import(dir: &Path, kind: &str, file: &str) -> Run {
    let run = server(dir, &["import", kind, file]);
    assert_eq!(run.code, 0, "{}", run.all());
    run
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

/// Counts rows with a query on the database the binary wrote.
fn count(dir: &Path, sql: &str) -> i64 {
    query::<(i64,)>(dir, sql)[0].0
}

fn query<T>(dir: &Path, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let storage = SqliteStorage::open(&dir.join("portal.db")).await.unwrap();
        sqlx::query_as::<_, T>(sql).fetch_all(storage.pool()).await.unwrap()
    })
}

const DEPARTMENTS: &str = "code,name,level,parent_code\n\
150000,省局,province,\n\
150100,市局,市,150000\n\
150102,区局,district,150100\n";

fn items_csv() -> String {
    "department_code,item_code,seq,name,content,legal_basis,qualification,method,effective_from,published_at\n\
     150102,I1,1,食品经营监督检查,经营条件；进货查验,《中华人民共和国食品安全法》,综合,现场核查;书面审查,2025-01-01,2025-01-02\n\
     150102,I2,2,广告监督检查,广告内容,《中华人民共和国广告法》,综合,现场核查,2025-01-01,2025-01-02T09:00:00+08:00\n"
        .to_owned()
}

/// Departments and items of the district, in UTF-8.
fn registered(dir: &Path) {
    write(dir, "departments.csv", DEPARTMENTS.as_bytes());
    import(dir, "departments", "departments.csv");
    write(dir, "items.csv", items_csv().as_bytes());
    import(dir, "items", "items.csv");
}

fn shape() -> Shape {
    Shape { objects: 40, strata: 2, inspectors: 12, select: 6, team_size: 2, load_cap: 3, history: 3, seed: 11 }
}

/// Runs a `gongkai` command line (the draw commands, whose library the server
/// uses) in this process; paths are given in full.
fn gongkai(args: &[&str]) -> ExitCode {
    #[derive(clap::Parser)]
    #[command(name = "gongkai")]
    struct Gongkai {
        #[command(subcommand)]
        command: gongkai_cli::Command,
    }
    let parsed = <Gongkai as clap::Parser>::try_parse_from(std::iter::once("gongkai").chain(args.iter().copied()));
    gongkai_cli::run(parsed.expect("valid usage").command)
}

/// Commits and draws the synthetic input of the district with `gongkai`, as a
/// department does before importing; returns the record.
fn drawn(dir: &Path) -> DrawRecord {
    fs::write(dir.join("input.json"), serde_json::to_vec_pretty(&input(&shape())).unwrap()).unwrap();
    let at = |name: &str| dir.join(name).display().to_string();
    let commit = gongkai(&["commit", "--input", &at("input.json"), "--out", &at("committed.json")]);
    assert_eq!(commit, ExitCode::SUCCESS);
    let draw = gongkai(&["draw", "--input", &at("committed.json"), "--demo", DEMO, "--out", &at("record.json")]);
    assert_eq!(draw, ExitCode::SUCCESS);
    serde_json::from_slice(&fs::read(dir.join("record.json")).unwrap()).unwrap()
}

/// The inspectors of the record as a CSV directory of the district.
fn inspectors_csv(record: &DrawRecord) -> String {
    let mut csv = "department_code,certificate,name,unit,post,qualifications,valid_from,valid_until\n".to_owned();
    for (i, p) in record.input.inspectors.iter().enumerate() {
        csv += &format!(
            "150102,{},检查员{i},{},执法,{},{},{}\n",
            p.cert,
            p.unit,
            p.qualifications.join(";"),
            p.valid_from,
            p.valid_until
        );
    }
    csv
}

#[test]
fn csv_in_utf8_with_a_bom_and_in_gbk_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(DEPARTMENTS.replace('\n', "\r\n").as_bytes());
    write(d, "departments.csv", &bom);
    let run = import(d, "departments", "departments.csv");
    assert!(run.stdout.contains("added: 3"), "{}", run.stdout);

    // Excel in China saves "CSV (逗号分隔)" in GBK; the header may be in Chinese.
    let items = items_csv().replacen(
        "department_code,item_code,seq,name,content,legal_basis,qualification,method,effective_from,published_at",
        "部门代码,事项代码,序号,事项名称,检查内容,依据,检查人员资格限制,检查方式,生效日期,公布时间",
        1,
    );
    assert!(items.starts_with("部门代码"));
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&items);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the fixture must not be UTF-8");
    write(d, "items.csv", &gbk);
    let run = import(d, "items", "items.csv");
    assert!(run.stdout.contains("added: 2"), "{}", run.stdout);

    let enterprises = format!(
        "credit_code,name,department_code,region,industry,licences,abnormal,serious_violation,penalised,credit_class\n\
         {},长沙某某餐饮管理有限公司,150102,芙蓉区,餐饮服务,食品经营许可证；营业执照,是,否,,b\n\
         {},长沙某某商贸有限公司,150102,芙蓉区,批发零售,,0,1,true,C类\n",
        credit_code(1),
        credit_code(2)
    );
    write(d, "enterprises.csv", enterprises.as_bytes());
    import(d, "enterprises", "enterprises.csv");

    let items: Vec<(String, String, String, String)> =
        query(d, "SELECT item_code, name, method, published_at FROM items ORDER BY item_code");
    assert_eq!(items[0].0, "I1");
    assert_eq!(items[0].1, "食品经营监督检查", "GBK is decoded");
    assert_eq!(items[0].2, "现场核查;书面审查");
    assert_eq!(items[0].3, "2025-01-02T00:00:00+08:00", "a date is midnight Beijing time");
    let deps: Vec<(String, String, Option<String>)> = query(
        d,
        "SELECT d.name, d.level, p.code FROM departments d LEFT JOIN departments p ON p.id = d.parent_id ORDER BY d.code",
    );
    assert_eq!(deps[2], ("区局".to_owned(), "district".to_owned(), Some("150100".to_owned())));
    let firms: Vec<(String, String, i64, i64, i64, String)> = query(
        d,
        "SELECT name, licences, abnormal, serious_violation, penalised, credit_class FROM enterprises ORDER BY name DESC",
    );
    assert_eq!(
        firms[0],
        ("长沙某某餐饮管理有限公司".to_owned(), "食品经营许可证;营业执照".to_owned(), 1, 0, 0, "B".to_owned())
    );
    assert_eq!((firms[1].3, firms[1].4, firms[1].5.as_str()), (1, 1, "C"));
    let found = count(d, "SELECT COUNT(*) FROM enterprise_names WHERE enterprise_names MATCH '餐饮管理'");
    assert_eq!(found, 1, "imported names are searchable");
}

#[test]
fn an_invalid_credit_code_is_refused_with_its_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let good = credit_code(5);
    let mut bad = credit_code(6);
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let csv = format!(
        "credit_code,name,department_code,region,industry,credit_class,abnormal\n\
         {good},甲公司,150102,芙蓉区,餐饮,A,\n\
         {bad},乙公司,150102,芙蓉区,餐饮,A,\n\
         {},丙公司,150102,芙蓉区,餐饮,E,也许\n",
        credit_code(7)
    );
    write(d, "enterprises.csv", csv.as_bytes());
    let run = server(d, &["import", "enterprises", "enterprises.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("enterprises.csv:3: credit_code: "), "{}", run.stderr);
    assert!(run.stderr.contains("check character should be"), "{}", run.stderr);
    assert!(run.stderr.contains("enterprises.csv:4: credit_class: "), "all problems at once: {}", run.stderr);
    assert!(run.stderr.contains("enterprises.csv:4: abnormal: "), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM enterprises"), 0, "not even the good line is imported");

    // Unknown department: found by the database, reported with its line too.
    let csv = format!(
        "credit_code,name,department_code,region,industry,credit_class\n{good},甲公司,150102,芙蓉区,餐饮,A\n{},丁公司,999999,芙蓉区,餐饮,A\n",
        credit_code(8)
    );
    write(d, "enterprises.csv", csv.as_bytes());
    let run = server(d, &["import", "enterprises", "enterprises.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("enterprises.csv:3: department_code: "), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM enterprises"), 0);
}

#[test]
fn an_unreadable_file_or_missing_column_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = server(d, &["import", "items", "missing.csv"]);
    assert_eq!(run.code, 2, "{}", run.all());
    write(d, "items.txt", b"x");
    let run = server(d, &["import", "items", "items.txt"]);
    assert_eq!(run.code, 2, "{}", run.all());
    write(d, "items.csv", b"department_code,item_code,seq,name,content,legal_basis,efective_from\n");
    let run = server(d, &["import", "items", "items.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("unknown column 'efective_from'"), "{}", run.stderr);
    assert!(run.stderr.contains("required column 'effective_from'"), "{}", run.stderr);
    // Neither UTF-8 nor GBK.
    write(d, "departments.csv", b"code,name,level\n150000,\xFF\xFF,province\n");
    let run = server(d, &["import", "departments", "departments.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("departments.csv:2: "), "{}", run.stderr);
}

#[test]
fn json_files_are_imported_with_lists_and_nested_plan_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let inspectors = serde_json::json!([
        {"department_code": "150102", "certificate": "15010200001", "name": "王某", "unit": "执法大队",
         "post": "科员", "qualifications": ["综合", "食品"], "valid_from": "2022-01-01",
         "valid_until": "2027-12-31", "conflicts": [credit_code(3)], "left": false},
        {"department_code": "150102", "certificate": "15010200002", "name": "李某", "unit": "执法大队",
         "qualifications": [], "valid_from": "2022-01-01", "valid_until": "2024-12-31", "left": "是"}
    ]);
    write(d, "inspectors.json", &serde_json::to_vec_pretty(&inspectors).unwrap());
    let run = import(d, "inspectors", "inspectors.json");
    assert!(run.stdout.contains("added: 2"), "{}", run.stdout);
    let rows: Vec<(String, String, String, String)> =
        query(d, "SELECT certificate, qualifications, conflicts, status FROM inspectors ORDER BY certificate");
    assert_eq!(rows[0], ("15010200001".into(), "综合;食品".into(), credit_code(3), "active".into()));
    assert_eq!(rows[1].3, "left");

    let plans = serde_json::json!([
        {"plan_code": "150102-2025", "department_code": "150102", "year": 2025, "title": "2025 年度抽查计划",
         "scope": "辖区内食品经营者", "window_start": "2025-06-01", "window_end": "2025-10-01",
         "lines": [
            {"item_code": "I1", "stratum": "餐饮", "ratio": "10%", "frequency": "每年 1 次", "object_count": 70},
            {"item_code": "I2", "stratum": "全部", "ratio": "5%", "frequency": "每年 1 次"}
         ]}
    ]);
    write(d, "plans.json", &serde_json::to_vec_pretty(&plans).unwrap());
    import(d, "plans", "plans.json");
    let lines: Vec<(i64, String, Option<i64>)> =
        query(d, "SELECT line, item_code, object_count FROM plan_lines ORDER BY line");
    assert_eq!(lines, vec![(1, "I1".into(), Some(70)), (2, "I2".into(), None)]);

    // A problem in JSON names the line of the object.
    let bad = "[\n  {\"department_code\": \"150102\", \"certificate\": \"15010200003\", \"name\": \"张某\",\n   \"unit\": \"执法大队\", \"valid_from\": \"2022-01-01\", \"valid_until\": \"2027-12-31\"},\n  {\"department_code\": \"150102\", \"certificate\": \"15010200004\", \"name\": \"赵某\",\n   \"unit\": \"执法大队\", \"gender\": \"未知\", \"valid_from\": \"2022-02-30\", \"valid_until\": \"2027-12-31\", \"colour\": 1}\n]\n";
    write(d, "more.json", bad.as_bytes());
    let run = server(d, &["import", "inspectors", "more.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("more.json:4: gender: "), "{}", run.stderr);
    assert!(run.stderr.contains("more.json:4: valid_from: "), "{}", run.stderr);
    assert!(run.stderr.contains("more.json:4: colour: "), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM inspectors"), 2);
}

#[test]
fn plans_in_csv_are_grouped_by_code_and_a_bad_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let csv = "plan_code,department_code,year,title,scope,window_start,window_end,item_code,stratum,ratio,frequency,object_count\n\
               P1,150102,2025,年度计划,全辖区,2025-06-01,2025-10-01,I1,餐饮,10%,每年 1 次,70\n\
               P1,,,,,,,I2,全部,5%,每年 1 次,\n\
               P2,150102,2025,专项计划,广告,2025-03-01,2025-04-01,I2,全部,3%,每年 1 次,\n\
               P2,,,,,,,I9,全部,3%,每年 1 次,\n";
    write(d, "plans.csv", csv.as_bytes());
    let run = server(d, &["import", "plans", "plans.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("plans.csv:5: item_code: "), "the plan line's own line: {}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM plans"), 0);

    write(d, "plans.csv", csv.replace(",I9,", ",I1,").as_bytes());
    let run = import(d, "plans", "plans.csv");
    assert!(run.stdout.contains("added: 2"), "{}", run.stdout);
    assert_eq!(count(d, "SELECT COUNT(*) FROM plan_lines"), 4);
}

#[test]
fn a_correction_is_version_2_and_version_1_stays() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let code = credit_code(9);
    let first = format!(
        "credit_code,name,department_code,region,industry,credit_class\n{code},某某食品有限公司,150102,芙蓉区,食品,A\n"
    );
    write(d, "enterprises.csv", first.as_bytes());
    import(d, "enterprises", "enterprises.csv");
    // The same record again without a reason is refused.
    let run = server(d, &["import", "enterprises", "enterprises.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("enterprises.csv:2: credit_code: "), "{}", run.stderr);

    let fix = format!(
        "credit_code,name,department_code,region,industry,credit_class,correction_reason\n\
         {code},某某食品科技有限公司,150102,芙蓉区,食品,B,名称变更登记 / name changed\n"
    );
    write(d, "fix.csv", fix.as_bytes());
    let run = import(d, "enterprises", "fix.csv");
    assert!(run.stdout.contains("corrected (new versions): 1"), "{}", run.stdout);
    let rows: Vec<(i64, String, String, Option<String>)> =
        query(d, "SELECT e.version, e.name, e.credit_class, e.correction_reason FROM enterprises e ORDER BY e.version");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0, rows[0].1.as_str(), rows[0].3.as_deref()), (1, "某某食品有限公司", None));
    assert_eq!(
        (rows[1].0, rows[1].1.as_str(), rows[1].2.as_str(), rows[1].3.as_deref()),
        (2, "某某食品科技有限公司", "B", Some("名称变更登记 / name changed"))
    );
    let replaces = count(d, "SELECT COUNT(*) FROM enterprises a JOIN enterprises b ON b.replaces = a.id");
    assert_eq!(replaces, 1, "version 2 says which row it replaces");
}

#[test]
fn results_must_name_a_published_draw_and_an_enterprise_selected_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let record = drawn(d);
    let run = import(d, "draw", "record.json");
    assert!(run.stdout.contains(&record.input.draw_id), "{}", run.stdout);
    write(d, "inspectors.csv", inspectors_csv(&record).as_bytes());
    import(d, "inspectors", "inspectors.csv");

    let chosen = &record.result.strata[0].selected[0];
    let selected: Vec<&str> =
        record.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.as_str())).collect();
    let not_drawn = record.input.objects.iter().map(|o| o.id.as_str()).find(|id| !selected.contains(id)).unwrap();
    let id = &record.input.draw_id;
    let team = chosen.team.join(";");
    let header = "draw_id,credit_code,enterprise_name,department_code,item_codes,inspectors,inspected_on,reported_on,category,findings,rectification_deadline,rectification\n";
    let good = format!(
        "{id},{},某某餐饮店,150102,I1；I2,{team},2025-06-10,2025-06-12,发现问题已责令改正,进货查验记录不全,2025-07-10,整改中\n",
        chosen.object
    );
    let csv = format!(
        "{header}{good}nope-2025,{},某某餐饮店,150102,I1,{team},2025-06-10,2025-06-12,未发现问题,,,\n\
         {id},{not_drawn},某某商店,150102,I1,{team},2025-06-10,2025-06-12,未发现问题,,,\n",
        chosen.object
    );
    write(d, "results.csv", csv.as_bytes());
    let run = server(d, &["import", "results", "results.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("results.csv:3: draw_id: "), "{}", run.stderr);
    assert!(run.stderr.contains("results.csv:4: credit_code: "), "{}", run.stderr);
    assert!(run.stderr.contains("was not drawn"), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM results"), 0);

    write(d, "results.csv", format!("{header}{good}").as_bytes());
    import(d, "results", "results.csv");
    let rows: Vec<(String, String, String, String)> =
        query(d, "SELECT result_code, item_codes, inspectors, rectification_status FROM results");
    assert_eq!(rows, vec![(format!("{id}-{}", chosen.object), "I1;I2".into(), team.clone(), "pending".into())]);
}

#[test]
fn a_tampered_draw_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let mut record = drawn(d);
    let selected: Vec<String> =
        record.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.clone())).collect();
    let other = record.input.objects.iter().find(|o| !selected.contains(&o.id)).unwrap().id.clone();
    record.result.strata[0].selected[0].object = other;
    fs::write(d.join("tampered.json"), serde_json::to_vec_pretty(&record).unwrap()).unwrap();
    let run = server(d, &["import", "draw", "tampered.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("was not published"), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM draws"), 0);
    // Committed inputs are not a draw record.
    let run = server(d, &["import", "draw", "committed.json"]);
    assert_eq!(run.code, 2, "{}", run.all());
}

#[test]
fn a_commitment_then_its_draw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let record = drawn(d);
    // The department code must be that of the input's drawing department.
    let run = server(d, &["import", "commitment", "committed.json", "--department-code", "150100"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("committed.json: department_code: "), "{}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM draw_commitments"), 0);
    let run = server(
        d,
        &[
            "import",
            "commitment",
            "committed.json",
            "--department-code",
            "150102",
            "--committed-at",
            "2025-05-30T09:00:00+08:00",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains(&record.commitment), "{}", run.stdout);
    assert_eq!(count(d, "SELECT COUNT(*) FROM draw_commitments"), 1);
    assert_eq!(count(d, "SELECT COUNT(*) FROM draws"), 0, "awaiting its randomness");
    // A commitment is published once.
    let run = server(d, &["import", "commitment", "committed.json", "--department-code", "150102"]);
    assert_eq!(run.code, 1, "{}", run.all());

    let run = server(d, &["import", "draw", "record.json", "--published-at", "2025-06-01T10:00:00+08:00"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let draws: Vec<(String, Option<String>, String, String)> = query(
        d,
        "SELECT d.id, d.committed_at, d.published_at, dep.name FROM draws d JOIN departments dep ON dep.id = d.department_id",
    );
    assert_eq!(
        draws,
        vec![(
            record.input.draw_id.clone(),
            Some("2025-05-30T09:00:00+08:00".to_owned()),
            "2025-06-01T10:00:00+08:00".to_owned(),
            "区局".to_owned()
        )]
    );
    assert_eq!(count(d, "SELECT COUNT(*) FROM departments"), 3, "the registered chain is used");
    let run = server(d, &["import", "draw", "record.json"]);
    assert_eq!(run.code, 1, "a published draw never changes: {}", run.all());
}

/// The example files under tests/fixtures/import (referred to by docs/import.md)
/// import in order into an empty database.
#[test]
fn the_example_files_import_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let items = fs::read(fixtures.join("items.csv")).unwrap();
    assert!(std::str::from_utf8(&items).is_err(), "items.csv is the GBK example");
    assert!(fs::read(fixtures.join("departments.csv")).unwrap().starts_with(b"\xEF\xBB\xBF"), "with a BOM");
    for (kind, file, added) in [
        ("departments", "departments.csv", 3),
        ("items", "items.csv", 3),
        ("inspectors", "inspectors.json", 3),
        ("enterprises", "enterprises.csv", 3),
        ("plans", "plans.csv", 1),
    ] {
        let path = fixtures.join(file);
        let run = import(d, kind, path.to_str().unwrap());
        assert!(run.stdout.contains(&format!("added: {added}；")), "{kind}: {}", run.stdout);
    }
    let methods: Vec<(String,)> = query(d, "SELECT method FROM items WHERE item_code = 'HN-01'");
    assert_eq!(methods[0].0, "现场核查;书面审查");
    let lines: Vec<(String, String, Option<i64>)> =
        query(d, "SELECT item_code, ratio, object_count FROM plan_lines ORDER BY line");
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2], ("HN-03".to_owned(), "20%".to_owned(), Some(3)));
}

#[test]
fn a_utf8_file_with_one_gbk_cell_is_refused_naming_the_line_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bytes = "code,name,level,parent_code\n150000,内蒙古自治区市场监督管理局,province,\n".as_bytes().to_vec();
    // Line 3: "市局" in GBK.
    bytes.extend_from_slice(b"150100,\xCA\xD0\xBE\xD6,city,150000\n");
    write(d, "departments.csv", &bytes);
    let run = server(d, &["import", "departments", "departments.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("departments.csv:3: ") && run.stderr.contains("the file is UTF-8 but line 3 is not"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("departments.csv:2: "), "line 2 is fine: {}", run.stderr);
    assert_eq!(count(d, "SELECT COUNT(*) FROM departments"), 0);
}

#[test]
fn control_characters_huge_names_and_implausible_dates_are_refused_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    let huge = "名".repeat(5_000_000 / 3);
    let csv = format!(
        "credit_code,name,department_code,region,industry,credit_class,published_at\n\
         {},某某\u{0}餐饮店,150102,东胜区,餐饮,A,\n\
         {},{huge},150102,东胜区,餐饮,A,\n\
         {},某某商店,150102,东胜区,餐饮,A,9999-12-31\n\
         {},某某超市,150102,东胜区\u{7},餐饮,A,2025-01-01\n",
        credit_code(1),
        credit_code(2),
        credit_code(3),
        credit_code(4),
    );
    write(d, "enterprises.csv", csv.as_bytes());
    let run = server(d, &["import", "enterprises", "enterprises.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let e = &run.stderr;
    assert!(e.contains("enterprises.csv:2: name: ") && e.contains("U+0000"), "{e}");
    assert!(e.contains("enterprises.csv:3: name: ") && e.contains("too long: 1666666 characters, at most 200"), "{e}");
    assert!(e.contains("enterprises.csv:4: published_at: ") && e.contains("nothing is published in advance"), "{e}");
    assert!(e.contains("enterprises.csv:5: region: ") && e.contains("U+0007"), "{e}");
    assert!(e.len() < 20_000, "the huge value is not echoed back: {} bytes", e.len());
    assert_eq!(count(d, "SELECT COUNT(*) FROM enterprises"), 0);

    // Results: an inspection in 1900 and a report in 9999 are implausible; a
    // date after today has not happened yet.
    let record = drawn(d);
    import(d, "draw", "record.json");
    write(d, "inspectors.csv", inspectors_csv(&record).as_bytes());
    import(d, "inspectors", "inspectors.csv");
    let chosen = &record.result.strata[0].selected[0];
    let team = chosen.team.join(";");
    let id = &record.input.draw_id;
    let header =
        "draw_id,credit_code,enterprise_name,department_code,item_codes,inspectors,inspected_on,reported_on,category\n";
    let csv = format!(
        "{header}{id},{},某某餐饮店,150102,I1,{team},1900-01-01,9999-12-31,未发现问题\n\
         {id},{},某某餐饮店,150102,I1,{team},2098-01-01,2098-01-02,未发现问题\n",
        chosen.object, record.result.strata[0].selected[1].object
    );
    write(d, "results.csv", csv.as_bytes());
    let run = server(d, &["import", "results", "results.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let e = &run.stderr;
    assert!(e.contains("results.csv:2: inspected_on: ") && e.contains("the date 1900-01-01 is implausible"), "{e}");
    assert!(e.contains("results.csv:2: reported_on: ") && e.contains("the date 9999-12-31 is implausible"), "{e}");
    assert!(e.contains("results.csv:3: inspected_on: ") && e.contains("it has not happened yet"), "{e}");
    assert_eq!(count(d, "SELECT COUNT(*) FROM results"), 0);
}

#[test]
fn a_second_import_waits_for_the_first_then_says_another_is_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    registered(d);
    // Another writer holds the database (as a long import would).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let holder = runtime.block_on(async {
        let storage = SqliteStorage::open(&d.join("portal.db")).await.unwrap();
        let mut conn = storage.pool().acquire().await.unwrap().detach();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
        conn
    });
    write(d, "departments.csv", b"code,name,level,parent_code\n150200,another,city,150000\n");
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(d)
        .env("GONGKAI_DATABASE", d.join("portal.db"))
        .env("GONGKAI_WRITE_WAIT", "2")
        .args(["import", "departments", "departments.csv"])
        .output()
        .unwrap();
    let waited = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another import or publication is running"), "{stderr}");
    assert!(stderr.contains("另一个导入或发布正在进行"), "{stderr}");
    assert!(!stderr.contains("database is locked"), "{stderr}");
    assert!(waited >= std::time::Duration::from_secs(2), "it waited for the lock: {waited:?}");
    drop(holder);
    // With the lock released, the same import goes through.
    import(d, "departments", "departments.csv");
    assert_eq!(count(d, "SELECT COUNT(*) FROM departments WHERE code = '150200'"), 1);
}

/// The draw commands left `server` for `gongkai` (cli/): the old command lines say where they went.
#[test]
fn the_draw_commands_point_to_gongkai() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["commit", "draw", "verify", "recuse", "prove"] {
        let run = server(dir.path(), &[command, "record.json", "--object", "x"]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("are now the gongkai command line"), "{}", run.stderr);
    }
}
