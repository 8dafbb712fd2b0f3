//! The draw command line as a user runs it: the real `gongkai` binary in a
//! temporary folder, checked by what it prints, its exit code and the files
//! it writes (or does not write).
// Test helpers outside `#[test]` functions panic on purpose too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use draw::synthetic::{Shape, credit_code, input};
use draw::{Commitment, DrawInput, DrawRecord, PoolProof, Randomness, Verification};
use sha2::{Digest, Sha256};

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

fn gongkai(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run the gongkai binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write_json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn shape() -> Shape {
    Shape { objects: 80, strata: 3, inspectors: 12, select: 8, team_size: 2, load_cap: 3, history: 12, seed: 7 }
}

/// commit → draw with demo randomness; returns the input and the record path.
fn drawn(dir: &Path) -> (DrawInput, PathBuf) {
    let input = input(&shape());
    write_json(dir, "input.json", &input);
    let run = gongkai(dir, &["commit", "--input", "input.json", "--out", "committed.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = gongkai(dir, &["draw", "--input", "committed.json", "--demo", DEMO, "--out", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    (input, dir.join("record.json"))
}

#[test]
fn commit_draw_verify_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = input(&shape());
    write_json(d, "input.json", &input);
    let expected = draw::commit(&input).unwrap();

    let run = gongkai(d, &["commit", "--input", "input.json", "--out", "committed.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains(&expected.commitment), "{}", run.stdout);
    assert!(run.stdout.contains(&expected.objects_root), "{}", run.stdout);
    assert!(run.stdout.contains("objects: 80"), "{}", run.stdout);
    assert_eq!(read_json::<DrawInput>(&d.join("committed.json")), input);

    let run = gongkai(d, &["draw", "--input", "committed.json", "--demo", DEMO, "--out", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let record: DrawRecord = read_json(&d.join("record.json"));
    assert_eq!(record.commitment, expected.commitment);
    for s in &record.result.strata {
        assert!(
            run.stdout.contains(&format!(
                "stratum {}: pool {}, eligible {}, selected {}",
                s.id,
                s.pool,
                s.eligible,
                s.selected.len()
            )),
            "{}",
            run.stdout
        );
    }

    let run = gongkai(d, &["verify", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains('✓') && !run.stdout.contains('✗'), "{}", run.stdout);
    assert!(run.stdout.contains("the record matches"), "{}", run.stdout);

    let run = gongkai(d, &["verify", "--json", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let v: Verification = serde_json::from_str(&run.stdout).unwrap();
    assert!(v.is_match());

    // Not a record, or no file at all: exit code 2, and a message that says so.
    let run = gongkai(d, &["verify", "committed.json"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("not a draw record"), "{}", run.stderr);
    let run = gongkai(d, &["verify", "missing.json"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot read missing.json"), "{}", run.stderr);
}

#[test]
fn a_swapped_selection_is_named_by_stratum_position_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let mut record: DrawRecord = read_json(&path);
    let s = record.result.strata.iter().position(|s| !s.selected.is_empty()).unwrap();
    let stratum = record.result.strata[s].id.clone();
    let drawn_code = record.result.strata[s].selected[0].object.clone();
    let other = record
        .input
        .objects
        .iter()
        .find(|o| {
            o.stratum == stratum
                && !record.result.strata[s].selected.iter().any(|sel| sel.object == o.id)
                && !record.result.exclusions.iter().any(|e| e.object == o.id)
        })
        .unwrap()
        .id
        .clone();
    record.result.strata[s].selected[0].object = other.clone();
    write_json(d, "tampered.json", &record);

    let run = gongkai(d, &["verify", "tampered.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(&format!("stratum {stratum} position 1")))
        .unwrap_or_else(|| panic!("no line names the position:\n{}", run.stdout));
    assert!(line.contains(&drawn_code) && line.contains(&other), "{line}");
    assert!(line.contains('✗'), "{line}");
    assert!(run.stdout.contains("does NOT match"), "{}", run.stdout);
}

#[test]
fn a_removed_pool_object_breaks_the_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let mut record: DrawRecord = read_json(&path);
    let selected: Vec<String> =
        record.result.strata.iter().flat_map(|s| s.selected.iter().map(|x| x.object.clone())).collect();
    let i = record.input.objects.iter().position(|o| !selected.contains(&o.id)).unwrap();
    record.input.objects.remove(i);
    write_json(d, "tampered.json", &record);

    let run = gongkai(d, &["verify", "tampered.json"]);
    assert_eq!(run.code, 1, "exit 1: the record differs; {}", run.all());
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("✗") && l.contains("承诺值：应为") && l.contains("commitment: expected"))
        .unwrap_or_else(|| panic!("no commitment difference:\n{}", run.stdout));
    assert!(line.contains(&record.commitment), "{line}");
    assert!(run.stdout.contains("✗ 由公布的输入重算承诺值"), "{}", run.stdout);
}

#[test]
fn a_randomness_or_seed_mismatch_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let record: DrawRecord = read_json(&path);

    let mut other_randomness = record.clone();
    other_randomness.randomness = Randomness::Demo { value: "ff".repeat(32) };
    write_json(d, "randomness.json", &other_randomness);
    let run = gongkai(d, &["verify", "randomness.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    // A demo record's seed step says demo randomness, not public randomness.
    assert!(run.stdout.contains("✗ 种子由承诺值和演示随机数得出（演示随机数不是公共随机源）"), "{}", run.stdout);
    let line = run.stdout.lines().find(|l| l.contains("种子 / seed") && l.contains('✗')).unwrap();
    assert!(line.contains(&record.seed), "{line}");

    let mut other_seed = record.clone();
    other_seed.seed = "00".repeat(32);
    write_json(d, "seed.json", &other_seed);
    let run = gongkai(d, &["verify", "seed.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let line = run.stdout.lines().find(|l| l.contains("种子 / seed") && l.contains('✗')).unwrap();
    assert!(line.contains(&record.seed) && line.contains(&other_seed.seed), "{line}");

    // Randomness of another kind than the one committed to.
    let mut wrong_kind = record;
    wrong_kind.randomness = Randomness::PublicNumbers { key: "9319./2.5.8.10.12./".into() };
    write_json(d, "kind.json", &wrong_kind);
    let run = gongkai(d, &["verify", "kind.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("committed to demo randomness, published public-numbers"), "{}", run.stdout);
}

/// A small plan with its directories as CSV and as JSON.
struct Fixture {
    plan: serde_json::Value,
    objects_csv: String,
    inspectors_csv: String,
    history_csv: String,
    input: serde_json::Value,
}

fn fixture(team_size: u64) -> Fixture {
    let plan = serde_json::json!({
        "version": "v1",
        "draw_id": "150602-2025-07",
        "title": "食品经营者抽查",
        "department": "东胜区市场监督管理局",
        "unit": "执法大队",
        "ancestors": ["鄂尔多斯市市场监督管理局"],
        "draw_date": "2025-06-03",
        "randomness_source": {"source": "demo", "label": "测试"},
        "plan": {
            "strata": [
                {"id": "A", "name": "餐饮", "ratio": {"num": 1, "den": 2}},
                {"id": "B", "name": "销售", "ratio": {"num": 1, "den": 2}, "qualification": "食品"}
            ],
            "allocation": {"mode": "ratio"},
            "team": {"size": team_size, "load_cap": 4, "qualification": "综合", "units": ["执法大队"]}
        }
    });
    let c: Vec<String> = (0..6).map(|i| credit_code(1000 + i)).collect();
    let objects = serde_json::json!([
        {"id": c[0], "stratum": "A", "categories": ["餐饮", "小餐饮"], "abnormal": true, "serious_violation": false, "penalised": false},
        {"id": c[1], "stratum": "A", "categories": [], "abnormal": false, "serious_violation": false, "penalised": true},
        {"id": c[2], "stratum": "A", "categories": ["餐饮"], "abnormal": false, "serious_violation": false, "penalised": false},
        {"id": c[3], "stratum": "B", "categories": ["销售"], "abnormal": false, "serious_violation": true, "penalised": false},
        {"id": c[4], "stratum": "B", "categories": [], "abnormal": false, "serious_violation": false, "penalised": false},
        {"id": c[5], "stratum": "B", "categories": [], "abnormal": false, "serious_violation": false, "penalised": false}
    ]);
    let objects_csv = format!(
        "id,stratum,categories,abnormal,serious_violation,penalised\r\n\
         {},A,餐饮;小餐饮,是,否,\r\n\
         {},A,,0,0,1\r\n\
         {},A,餐饮,false,,FALSE\r\n\
         {},B,销售,,true,\r\n\
         {},B,,,,\r\n\
         {},B,,,,\r\n",
        c[0], c[1], c[2], c[3], c[4], c[5]
    );
    let inspectors = serde_json::json!([
        {"cert": "15060200001", "unit": "执法大队", "qualifications": ["综合", "食品"], "valid_from": "2022-01-01", "valid_until": "2027-12-31", "conflicts": [c[0]]},
        {"cert": "15060200002", "unit": "执法大队", "qualifications": ["综合", "食品"], "valid_from": "2022-01-01", "valid_until": "2027-12-31", "conflicts": []},
        {"cert": "15060200003", "unit": "执法大队", "qualifications": ["综合", "食品"], "valid_from": "2022-01-01", "valid_until": "2027-12-31", "conflicts": []},
        {"cert": "15060200004", "unit": "执法大队", "qualifications": ["综合"], "valid_from": "2022-01-01", "valid_until": "2027-12-31", "conflicts": []}
    ]);
    let inspectors_csv = format!(
        "cert,unit,qualifications,valid_from,valid_until,conflicts\n\
         15060200001,执法大队,综合;食品,2022-01-01,2027-12-31,{}\n\
         15060200002,执法大队,综合;食品,2022-01-01,2027-12-31,\n\
         15060200003,执法大队,综合;食品,2022-01-01,2027-12-31,\n\
         15060200004,执法大队,综合,2022-01-01,2027-12-31,\n",
        c[0]
    );
    let history = serde_json::json!([
        {"object": c[2], "department": "鄂尔多斯市市场监督管理局", "unit": "稽查支队", "date": "2025-03-11"}
    ]);
    let history_csv = format!("object,department,unit,date\n{},鄂尔多斯市市场监督管理局,稽查支队,2025-03-11\n", c[2]);
    let mut input = plan.clone();
    input["objects"] = objects;
    input["inspectors"] = inspectors;
    input["history"] = history;
    Fixture { plan, objects_csv, inspectors_csv, history_csv, input }
}

/// `commit` of the fixture's plan with its three CSV directories.
const COMMIT_CSV: [&str; 9] = [
    "commit",
    "--plan",
    "plan.json",
    "--objects",
    "objects.csv",
    "--inspectors",
    "inspectors.csv",
    "--history",
    "history.csv",
];

fn with_bom(text: &str) -> Vec<u8> {
    [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
}

#[test]
fn csv_with_a_bom_commits_like_the_equivalent_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture(2);
    write_json(d, "plan.json", &f.plan);
    write_json(d, "input.json", &f.input);
    fs::write(d.join("objects.csv"), with_bom(&f.objects_csv)).unwrap();
    fs::write(d.join("inspectors.csv"), with_bom(&f.inspectors_csv)).unwrap();
    fs::write(d.join("history.csv"), with_bom(&f.history_csv)).unwrap();

    let from_json = gongkai(d, &["commit", "--input", "input.json", "--json", "--out", "from-json.json"]);
    assert_eq!(from_json.code, 0, "{}", from_json.all());
    let from_csv = gongkai(d, &[&COMMIT_CSV[..], &["--json", "--out", "from-csv.json"]].concat());
    assert_eq!(from_csv.code, 0, "{}", from_csv.all());
    let a: Commitment = serde_json::from_str(&from_json.stdout).unwrap();
    let b: Commitment = serde_json::from_str(&from_csv.stdout).unwrap();
    assert_eq!(a, b);
    assert_eq!(read_json::<DrawInput>(&d.join("from-csv.json")), read_json::<DrawInput>(&d.join("from-json.json")));
    let input: DrawInput = serde_json::from_value(f.input).unwrap();
    assert_eq!(a.commitment, draw::commit(&input).unwrap().commitment);
}

/// Excel in China saves CSV as GBK: `commit` reads such directories as
/// `server import` does (the same reader, the encoding decided per file).
#[test]
fn gbk_directories_commit_like_the_equivalent_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture(2);
    write_json(d, "plan.json", &f.plan);
    let gbk = |text: &str| {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable && std::str::from_utf8(&bytes).is_err(), "GBK, not UTF-8: {text}");
        bytes.into_owned()
    };
    fs::write(d.join("objects.csv"), gbk(&f.objects_csv)).unwrap();
    fs::write(d.join("inspectors.csv"), gbk(&f.inspectors_csv)).unwrap();
    fs::write(d.join("history.csv"), gbk(&f.history_csv)).unwrap();
    let run = gongkai(d, &[&COMMIT_CSV[..], &["--json"]].concat());
    assert_eq!(run.code, 0, "{}", run.all());
    let from_gbk: Commitment = serde_json::from_str(&run.stdout).unwrap();
    let input: DrawInput = serde_json::from_value(f.input).unwrap();
    assert_eq!(from_gbk, draw::commit(&input).unwrap());

    // A UTF-8 file with one GBK line is refused naming the line, as by the import: exit 1.
    let mut mixed = f.objects_csv.into_bytes();
    mixed.extend_from_slice(&gbk(&format!("{},B,销售,,,\r\n", credit_code(1099))));
    fs::write(d.join("objects.csv"), mixed).unwrap();
    let run =
        gongkai(d, &["commit", "--plan", "plan.json", "--objects", "objects.csv", "--inspectors", "inspectors.csv"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("objects.csv:8: ") && run.stderr.contains("the file is UTF-8 but line 8 is not"),
        "{}",
        run.stderr
    );
}

/// Times are read strictly by the draw crate's one RFC 3339 parser.
#[test]
fn a_leap_second_or_an_impossible_offset_is_not_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_json(d, "input.json", &input(&shape()));
    for (time, why) in [
        ("2025-06-30T23:59:60Z", "a leap second, 60, is not accepted"),
        ("2025-06-03T10:00:00+99:99", "the offset is beyond ±23:59"),
    ] {
        let run = gongkai(d, &["commit", "--input", "input.json", "--drand-at", time, "--out", "committed.json"]);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.stderr.contains(&format!("--drand-at: “{time}”")) && run.stderr.contains(why), "{}", run.stderr);
        assert!(!d.join("committed.json").exists());
    }
    drawn(d);
    let run = gongkai(
        d,
        &[
            "draw",
            "--input",
            "committed.json",
            "--demo",
            DEMO,
            "--committed-at",
            "2025-06-30T23:59:60Z",
            "--out",
            "r.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("--committed-at:") && run.stderr.contains("leap second"), "{}", run.stderr);
    assert!(!d.join("r.json").exists());
}

#[test]
fn a_bad_check_character_in_csv_names_line_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture(2);
    write_json(d, "plan.json", &f.plan);
    // Line 3 holds the second object: change its check character.
    let good = credit_code(1001);
    let last = good.chars().last().unwrap();
    let bad = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    let mut lines: Vec<String> = f.objects_csv.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace(&good, &bad);
    // And line 6 has a boolean that is not one: both are reported at once.
    lines[5] = format!("{},B,,maybe,,", credit_code(1004));
    fs::write(d.join("objects.csv"), lines.join("\r\n")).unwrap();
    fs::write(d.join("inspectors.csv"), &f.inspectors_csv).unwrap();

    let run = gongkai(
        d,
        &[
            "commit",
            "--plan",
            "plan.json",
            "--objects",
            "objects.csv",
            "--inspectors",
            "inspectors.csv",
            "--out",
            "committed.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&bad))
        .unwrap_or_else(|| panic!("the bad code is not named:\n{}", run.stderr));
    assert!(line.contains("objects.csv 第 3 行 / line 3"), "{line}");
    assert!(line.contains(".id"), "{line}");
    assert!(line.contains("check character"), "{line}");
    assert!(
        run.stderr.contains("objects.csv 第 6 行第 4 列（abnormal）/ line 6, column 4 (abnormal)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 problem(s)"), "{}", run.stderr);
    assert!(!d.join("committed.json").exists());
    assert!(!run.stderr.contains("Error {") && !run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn an_infeasible_plan_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Teams of 4 where stratum B has only 3 qualified inspectors.
    let f = fixture(4);
    write_json(d, "input.json", &f.input);

    let run = gongkai(d, &["commit", "--input", "input.json", "--out", "committed.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("plan.team: 分层"), "{}", run.stderr);
    assert!(run.stderr.contains("检查组无法保证"), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot be staffed for every possible draw")
            && run.stderr.contains("fewer than 4 per team"),
        "{}",
        run.stderr
    );
    assert!(!d.join("committed.json").exists());

    let run = gongkai(d, &["draw", "--input", "input.json", "--demo", DEMO, "--out", "record.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("cannot be staffed for every possible draw")
            && run.stderr.contains("fewer than 4 per team"),
        "{}",
        run.stderr
    );
    assert!(!d.join("record.json").exists());
    let leftovers: Vec<_> = fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn a_recusal_draws_another_inspector_and_the_record_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let before = fs::read(&path).unwrap();
    let record: DrawRecord = read_json(&path);
    let first = record.result.strata.iter().find_map(|s| s.selected.first()).unwrap();
    let (object, recused) = (first.object.clone(), first.team[0].clone());

    let run = gongkai(
        d,
        &[
            "recuse",
            "record.json",
            "--object",
            &object,
            "--inspector",
            &recused,
            "--reason",
            "与企业负责人系近亲属",
            "--date",
            "2025-06-02",
            "--out",
            "recused.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let next: DrawRecord = read_json(&d.join("recused.json"));
    let replacement = &next.recusals[0].replacement;
    assert_ne!(replacement, &recused);
    assert!(run.stdout.contains(&format!("替换人员 / replacement: {replacement}")), "{}", run.stdout);
    let team = &next.result.strata.iter().find_map(|s| s.selected.iter().find(|x| x.object == object)).unwrap().team;
    assert!(team.contains(replacement) && !team.contains(&recused), "{team:?}");
    assert_eq!(fs::read(&path).unwrap(), before, "the old record must stay untouched");

    let run = gongkai(d, &["verify", "recused.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("    1 次回避；") && run.stdout.contains("    1 recusal; chain head"),
        "{}",
        run.stdout
    );

    // An inspector who is not on that team cannot step aside from it.
    let run = gongkai(
        d,
        &[
            "recuse",
            "record.json",
            "--object",
            &object,
            "--inspector",
            replacement,
            "--reason",
            "x",
            "--date",
            "2025-06-02",
            "--out",
            "again.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("is not on the team"), "{}", run.stderr);
    assert!(!d.join("again.json").exists());
}

#[test]
fn prove_succeeds_for_a_pool_member_and_fails_for_anyone_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (input, path) = drawn(d);
    let record: DrawRecord = read_json(&path);
    let member = input.objects[17].id.clone();

    let run = gongkai(d, &["prove", "record.json", "--object", &member]);
    assert_eq!(run.code, 0, "{}", run.all());
    let proof: PoolProof = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(proof.object, member);
    assert!(draw::check_pool_proof(&proof, &record.objects_root));
    assert!(run.stderr.contains("✓") && run.stderr.contains(&record.objects_root), "{}", run.stderr);

    // Before the draw, the committed inputs give the same proof.
    let run = gongkai(d, &["prove", "committed.json", "--object", &member]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(serde_json::from_str::<PoolProof>(&run.stdout).unwrap(), proof);

    // `lookup` is the same command ("was I in this draw?").
    let run = gongkai(d, &["lookup", "record.json", "--object", &member]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(serde_json::from_str::<PoolProof>(&run.stdout).unwrap(), proof);

    let outsider = credit_code(100_000);
    let run = gongkai(d, &["prove", "record.json", "--object", &outsider]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("is not in the object pool"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let run = gongkai(d, &["prove", "record.json", "--object", "not-a-code"]);
    assert_eq!(run.code, 1, "{}", run.all());
}

#[test]
fn drand_round_from_a_time_and_randomness_from_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut value = serde_json::to_value(input(&shape())).unwrap();
    value.as_object_mut().unwrap().remove("randomness_source");
    write_json(d, "plan.json", &value);

    // Without a source and without --drand-at, the missing field is named.
    let run = gongkai(d, &["commit", "--input", "plan.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("randomness_source"), "{}", run.stderr);

    // 2025-06-01T10:00:00.5 Beijing time = 1748743200.5 Unix: the round emitted at or after it.
    let round = draw::randomness::quicknet_round_at(1_748_743_201);
    let run = gongkai(
        d,
        &["commit", "--input", "plan.json", "--drand-at", "2025-06-01T10:00:00.5+08:00", "--out", "committed.json"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let emitted = draw::randomness::quicknet_round_time(round);
    assert!((1_748_743_201..1_748_743_204).contains(&emitted));
    assert!(run.stdout.contains(&format!("round {round}")), "{}", run.stdout);
    assert!(run.stdout.contains("2025-06-01T02:00:0"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2025-06-01T10:00:0") && run.stdout.contains("+08:00 (北京时间 / Beijing time)"),
        "{}",
        run.stdout
    );

    // A signature that is not quicknet's for that round is refused: nothing is drawn.
    let run = gongkai(
        d,
        &["draw", "--input", "committed.json", "--drand-signature", &"a1".repeat(48), "--out", "record.json"],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(&format!("the BLS signature of round {round} is not a valid quicknet signature")),
        "{}",
        run.stderr
    );
    assert!(!d.join("record.json").exists());

    // The real quicknet beacon of round 123 (api.drand.sh/52db9ba7…/public/123) is accepted.
    let round = 123;
    let mut committed: serde_json::Value = read_json(&d.join("committed.json"));
    committed["randomness_source"] = serde_json::json!({"source": "drand-quicknet", "round": round});
    write_json(d, "committed.json", &committed);
    let signature =
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92".to_owned();
    let run =
        gongkai(d, &["draw", "--input", "committed.json", "--drand-signature", &signature, "--out", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let record: DrawRecord = read_json(&d.join("record.json"));
    let expected = hex::encode(Sha256::digest(hex::decode(&signature).unwrap()));
    assert_eq!(
        record.randomness,
        Randomness::DrandQuicknet { round, signature: signature.clone(), randomness: expected.clone() }
    );
    assert_eq!(gongkai(d, &["verify", "record.json"]).code, 0);

    // The same beacon saved as the JSON drand serves gives the same record.
    let beacon = serde_json::json!({"round": round, "randomness": expected, "signature": signature});
    write_json(d, "beacon.json", &beacon);
    let run =
        gongkai(d, &["draw", "--input", "committed.json", "--randomness", "beacon.json", "--out", "record2.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(read_json::<DrawRecord>(&d.join("record2.json")), record);

    // Demo randomness for a drand commitment is refused, and nothing is written.
    let run = gongkai(d, &["draw", "--input", "committed.json", "--demo", DEMO, "--out", "record3.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("committed to drand-quicknet randomness, published demo"), "{}", run.stderr);
    assert!(!d.join("record3.json").exists());
}

/// SPEC §2 allows '-' in a certificate number, also as its first character:
/// `recuse --inspector --53YC0004` names that inspector, it is not an option.
#[test]
fn a_certificate_starting_with_a_hyphen_is_a_value_not_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut input = input(&shape());
    for p in &mut input.inspectors {
        p.cert = format!("--{}", p.cert);
    }
    write_json(d, "input.json", &input);
    let run = gongkai(d, &["commit", "--input", "input.json", "--out", "committed.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = gongkai(d, &["draw", "--input", "committed.json", "--demo", DEMO, "--out", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let record: DrawRecord = read_json(&d.join("record.json"));
    let first = record.result.strata.iter().find_map(|s| s.selected.first()).unwrap();
    let (object, recused) = (first.object.clone(), first.team[0].clone());
    assert!(recused.starts_with("--"));
    let run = gongkai(
        d,
        &[
            "recuse",
            "record.json",
            "--object",
            &object,
            "--inspector",
            &recused,
            "--reason",
            "与企业负责人系近亲属",
            "--date",
            "2025-06-03",
            "--out",
            "recused.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let next: DrawRecord = read_json(&d.join("recused.json"));
    assert_eq!(next.recusals[0].request.inspector, recused);
}

/// A record whose first drawn enterprise was dropped from the pool after the
/// randomness was known, with commitment, seed and result recomputed from
/// the same randomness (another enterprise comes first).
fn forged(d: &Path, record_path: &Path) -> (DrawRecord, DrawRecord) {
    let honest: DrawRecord = read_json(record_path);
    let s = honest.result.strata.iter().find(|s| !s.selected.is_empty()).unwrap();
    let first = s.selected[0].object.clone();
    let mut input = honest.input.clone();
    input.objects.retain(|o| o.id != first);
    let forged = draw::draw(input, honest.randomness.clone()).unwrap();
    let forged_first = &forged.result.strata.iter().find(|x| x.id == s.id).unwrap().selected[0].object;
    assert_ne!(forged_first, &first);
    write_json(d, "forged.json", &forged);
    (honest, forged)
}

/// §13 step 2: from the record alone only consistency is checked, and the
/// verifier says so; against the commitment published before the
/// randomness the forged record differs (exit 1).
#[test]
fn a_forged_record_passes_consistency_but_not_the_published_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let (honest, forged) = forged(d, &path);

    let run = gongkai(d, &["verify", "forged.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("consistency checked, NOT timing"), "{}", run.stdout);
    let run = gongkai(d, &["verify", "--json", "forged.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["timing_checked"], serde_json::json!(false));

    let run = gongkai(d, &["verify", "forged.json", "--commitment", &honest.commitment]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("the record's commitment vs the one published before the randomness"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&forged.commitment), "{}", run.stdout);
    assert!(!run.stdout.contains("NOT timing"), "{}", run.stdout);

    // The honest record against its published commitment (any hex case on the command line).
    let run = gongkai(d, &["verify", "record.json", "--commitment", &honest.commitment.to_uppercase(), "--json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let v: Verification = serde_json::from_str(&run.stdout).unwrap();
    assert!(v.is_match() && v.timing_checked);
    assert_eq!(v.published_commitment.as_deref(), Some(honest.commitment.as_str()));

    // Not a commitment: a usage error, exit 2.
    let run = gongkai(d, &["verify", "record.json", "--commitment", "abc"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("a commitment is 64 hex digits"), "{}", run.stderr);
}

/// A portal that answers `GET /api/draws/{id}` with the draw's summary, its
/// draw list search with no rows, and 404 for anything else; serves `requests` requests, then stops.
fn portal(id: &str, commitment: &str, requests: usize) -> String {
    portal_with_head(id, commitment, None, requests)
}

/// [`portal`], publishing also a recusal chain head with the draw.
fn portal_with_head(id: &str, commitment: &str, head: Option<&str>, requests: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (id, commitment, head) = (id.to_owned(), commitment.to_owned(), head.map(str::to_owned));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let (status, body) = if line.starts_with(&format!("GET /api/draws/{id} ")) {
                let mut summary = serde_json::json!({ "id": id, "commitment": commitment, "status": "drawn" });
                if let Some(head) = &head {
                    summary["recusal_head"] = serde_json::Value::String(head.clone());
                }
                ("200 OK", summary.to_string())
            } else if line.starts_with("GET /api/draws?q=") {
                ("200 OK", "[]".to_owned())
            } else {
                ("404 Not Found", "{}".to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}")
}

#[test]
fn verify_fetches_the_published_commitment_from_the_portal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let (honest, forged) = forged(d, &path);

    let url = portal(&honest.input.draw_id, &honest.commitment, 1);
    let run = gongkai(d, &["verify", "forged.json", "--portal", &url]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains(&forged.commitment) && run.stdout.contains(&honest.commitment), "{}", run.stdout);

    let url = portal(&honest.input.draw_id, &honest.commitment, 1);
    let run = gongkai(d, &["verify", "record.json", "--portal", &format!("{url}/")]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("checked against the commitment published before the randomness"), "{}", run.stdout);

    // A portal that does not know the draw: exit 2, nothing verified against it.
    let url = portal("another-draw", &honest.commitment, 2);
    let run = gongkai(d, &["verify", "record.json", "--portal", &url]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("the portal lists no commitment"), "{}", run.stderr);
}

/// Sets a field of a JSON document: `path` like `["objects", 0, "abnormal"]`.
fn set(doc: &mut serde_json::Value, path: &[serde_json::Value], to: serde_json::Value) {
    let mut at = doc;
    for (n, step) in path.iter().enumerate() {
        let last = n + 1 == path.len();
        at = match step {
            serde_json::Value::String(k) if last => {
                at.as_object_mut().unwrap().insert(k.clone(), to);
                return;
            }
            serde_json::Value::String(k) => at.get_mut(k.as_str()).unwrap(),
            serde_json::Value::Number(i) => at.get_mut(i.as_u64().unwrap() as usize).unwrap(),
            _ => unreachable!(),
        };
    }
}

/// The problem lines of a refusal: `  field: message`.
fn problem_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("  ")).collect()
}

/// SPEC §3.1/§3.2: the same JSON problems are refused by `commit` and by
/// `verify` (inside a record's input), every one reported with its record
/// and field: null for a set, 0 for a boolean, 1.0 and 2⁶⁴ for integers, a
/// missing field, an unknown nested field and a duplicate key.
#[test]
fn commit_and_verify_report_every_json_problem_with_record_and_field() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (input, path) = drawn(d);
    let (o0, o1, p0) = (input.objects[0].id.clone(), input.objects[1].id.clone(), input.inspectors[0].cert.clone());
    let breakage = |doc: &mut serde_json::Value, base: &[serde_json::Value]| {
        let at = |rest: &[serde_json::Value]| [base, rest].concat();
        set(doc, &at(&[json!("objects"), json!(0), json!("categories")]), json!(null));
        set(doc, &at(&[json!("objects"), json!(1), json!("abnormal")]), json!(0));
        set(doc, &at(&[json!("plan"), json!("team"), json!("size")]), json!(1.0));
        set(doc, &at(&[json!("plan"), json!("team"), json!("load_cap")]), json!(18446744073709551615u64));
        set(doc, &at(&[json!("objects"), json!(0), json!("risk")]), json!("high"));
        set(doc, &at(&[json!("inspectors"), json!(0), json!("unit")]), json!("__MISSING__"));
    };
    let finish = |doc: &serde_json::Value| {
        // 2⁶⁴ and a missing field, which serde_json's Value cannot hold or express directly.
        let text = serde_json::to_string_pretty(doc).unwrap();
        let text = text.replace("18446744073709551615", "18446744073709551616");
        let text = text.replace("\"unit\": \"__MISSING__\",", "");
        // A duplicate key: title twice.
        text.replacen("\"title\": ", "\"title\": \"x\", \"title\": ", 1)
    };
    let expected = [
        format!("objects[0] ({o0}).categories: 不得为 null"),
        format!("objects[1] ({o1}).abnormal: 应为 true 或 false，实为 0"),
        "plan.team.size: 应为 0 … 2⁶⁴−1 的整数".to_owned(),
        "plan.team.load_cap: 应为 0 … 2⁶⁴−1 的整数".to_owned(),
        format!("objects[0] ({o0}).risk: 未定义的字段"),
        format!("inspectors[0] ({p0}).unit: 缺少此字段"),
        "title: 键重复".to_owned(),
    ];

    let mut doc = serde_json::to_value(&input).unwrap();
    breakage(&mut doc, &[]);
    fs::write(d.join("broken-input.json"), finish(&doc)).unwrap();
    let run = gongkai(d, &["commit", "--input", "broken-input.json", "--out", "out.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(problem_lines(&run.stderr).len(), expected.len(), "{}", run.stderr);
    for e in &expected {
        assert!(run.stderr.contains(&format!("broken-input.json: {e}")), "{e}\n{}", run.stderr);
    }
    assert!(!d.join("out.json").exists());

    let mut doc: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    breakage(&mut doc, &[json!("input")]);
    fs::write(d.join("broken-record.json"), finish(&doc)).unwrap();
    let run = gongkai(d, &["verify", "broken-record.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(problem_lines(&run.stderr).len(), expected.len(), "{}", run.stderr);
    for e in expected.iter().filter(|e| !e.starts_with("title")) {
        assert!(run.stderr.contains(&format!("input.{e}")), "{e}\n{}", run.stderr);
    }
    // (The duplicated title is the record's own field here, not the input's.)
    assert!(run.stderr.contains("title: 键重复"), "{}", run.stderr);
}

/// SPEC §12: fields of the record's top level that it does not define are
/// ignored; the record's hex is lower case (upper case names the field);
/// `version` and `input.version` must agree.
#[test]
fn record_level_rules_unknown_top_level_fields_hex_case_and_versions() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let record: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();

    let mut extra = record.clone();
    set(&mut extra, &[json!("published_by")], json!("portal"));
    write_json(d, "extra.json", &extra);
    let run = gongkai(d, &["verify", "extra.json"]);
    assert_eq!(run.code, 0, "{}", run.all());

    let mut upper = record.clone();
    let c = record["commitment"].as_str().unwrap().to_uppercase();
    set(&mut upper, &[json!("commitment")], json!(c));
    set(&mut upper, &[json!("randomness"), json!("value")], json!(DEMO.to_uppercase()));
    write_json(d, "upper.json", &upper);
    let run = gongkai(d, &["verify", "upper.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("commitment: 十六进制须为小写"), "{}", run.stderr);

    let mut nested = record.clone();
    set(&mut nested, &[json!("result"), json!("strata"), json!(0), json!("note")], json!("x"));
    write_json(d, "nested.json", &nested);
    let run = gongkai(d, &["verify", "nested.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains(".note: 未定义的字段"), "{}", run.stderr);

    let mut versions = record.clone();
    set(&mut versions, &[json!("input"), json!("version")], json!("v2"));
    write_json(d, "versions.json", &versions);
    let run = gongkai(d, &["verify", "versions.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("✗ 公布的输入完整有效"), "{}", run.stdout);
    assert!(run.stdout.contains("differs from input.version 'v2'"), "{}", run.stdout);
}

/// SPEC §11.3: `recuse` binds the recusal into the recusal chain and prints
/// the head to publish; a reason edited afterwards (every link recomputed)
/// is consistent, but differs from the published head (exit 1).
#[test]
fn an_edited_recusal_reason_differs_from_the_published_chain_head() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, path) = drawn(d);
    let record: DrawRecord = read_json(&path);
    let first = record.result.strata.iter().find_map(|s| s.selected.first()).unwrap();
    let (object, recused) = (first.object.clone(), first.team[0].clone());
    let run = gongkai(
        d,
        &[
            "recuse",
            "record.json",
            "--object",
            &object,
            "--inspector",
            &recused,
            "--reason",
            "与企业负责人系近亲属",
            "--date",
            "2025-06-02",
            "--out",
            "recused.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let next: DrawRecord = read_json(&d.join("recused.json"));
    let head = draw::verify(&next).recusal_head.unwrap();
    assert!(run.stdout.contains(&format!("recusal chain head: {head}")), "{}", run.stdout);
    assert_eq!(next.recusals[0].prev.as_ref().map(String::len), Some(64));

    let run = gongkai(d, &["verify", "recused.json", "--recusal-head", &head]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = gongkai(d, &["verify", "recused.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("was not checked against the head the portal published"), "{}", run.stdout);

    let mut edited = next.clone();
    edited.recusals[0].request.reason = "工作安排".into();
    draw::link_recusals(&mut edited);
    write_json(d, "edited.json", &edited);
    let run = gongkai(d, &["verify", "edited.json"]);
    assert_eq!(run.code, 0, "consistent: {}", run.all());
    let run = gongkai(d, &["verify", "edited.json", "--recusal-head", &head]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("a published recusal was edited or removed"), "{}", run.stdout);

    // --portal takes the head the portal publishes with the draw, as well as the commitment.
    let url = portal_with_head(&next.input.draw_id, &next.commitment, Some(&head), 1);
    let run = gongkai(d, &["verify", "recused.json", "--portal", &url]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.stdout.contains("was not checked against the head"), "{}", run.stdout);
    let url = portal_with_head(&next.input.draw_id, &next.commitment, Some(&head), 1);
    let run = gongkai(d, &["verify", "edited.json", "--portal", &url]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("a published recusal was edited or removed"), "{}", run.stdout);
}

/// SPEC §3.1: `commit --out` writes the complete form of the input (every
/// optional field with its default), and `draw` embeds exactly that object.
#[test]
fn commit_writes_the_complete_input_and_the_record_embeds_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut doc = serde_json::to_value(input(&shape())).unwrap();
    // A minimal file: no version, no optional field.
    let top = doc.as_object_mut().unwrap();
    top.remove("version");
    top.remove("ancestors");
    top.remove("history");
    top["plan"].as_object_mut().unwrap().remove("directed");
    top["plan"]["team"].as_object_mut().unwrap().remove("qualification");
    for o in top["objects"].as_array_mut().unwrap() {
        let o = o.as_object_mut().unwrap();
        for f in ["categories", "abnormal", "serious_violation", "penalised"] {
            o.remove(f);
        }
    }
    write_json(d, "minimal.json", &doc);
    let run = gongkai(d, &["commit", "--input", "minimal.json", "--out", "committed.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let committed: serde_json::Value = read_json(&d.join("committed.json"));
    assert_eq!(committed["version"], "v1");
    assert_eq!(committed["ancestors"], serde_json::json!([]));
    assert_eq!(committed["history"], serde_json::json!([]));
    assert_eq!(committed["plan"]["directed"], serde_json::Value::Null);
    assert_eq!(committed["objects"][0]["abnormal"], serde_json::json!(false));
    let run = gongkai(d, &["draw", "--input", "committed.json", "--demo", DEMO, "--out", "record.json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let record: serde_json::Value = read_json(&d.join("record.json"));
    assert_eq!(record["input"], committed);
}
