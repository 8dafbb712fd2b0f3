//! The demo's draws: inputs built from the directories, committed, drawn with
//! demo randomness (or, for the current year, awaiting a drand round).

use draw::protocol::RecusalRequest;
use draw::{
    Allocation, DrawInput, DrawRecord, HistoryEntry, Object, Plan, Randomness, RandomnessSource, Ratio, Stratum,
    TeamRule,
};
use sha2::{Digest, Sha256};

use super::people::{FIELDS, Firm, Officer};
use super::{CITY, CITY_CODE, DISTRICT, DISTRICT_CODE, DemoDraw, DemoError, Gen, KINDS, PROVINCE, UNIT_QUALITY, UNITS};
use crate::publish::CommitmentSubmission;

fn object(firm: &Firm, stratum: &str) -> Object {
    Object {
        id: firm.code.as_str().to_owned(),
        stratum: stratum.to_owned(),
        categories: vec![firm.industry.clone()],
        abnormal: firm.abnormal,
        serious_violation: firm.serious_violation,
        penalised: firm.penalised,
    }
}

fn entry(object: &str, department: &str, unit: &str, date: &str) -> HistoryEntry {
    HistoryEntry {
        object: object.to_owned(),
        department: department.to_owned(),
        unit: unit.to_owned(),
        date: date.to_owned(),
    }
}

/// Earlier inspections of the year (not from double-random draws: complaints,
/// referrals, the city's own checks): some firms twice by the drawing unit,
/// some by the city bureau, some by another unit of the district bureau.
fn history(g: &mut Gen, objects: &[Object], year: i32, draw_unit: &str) -> Vec<HistoryEntry> {
    let mut h = Vec::new();
    let pick = |g: &mut Gen| objects[g.below(objects.len())].id.clone();
    for i in 0..12 {
        let o = pick(g);
        h.push(entry(&o, DISTRICT, draw_unit, &format!("{year}-02-18")));
        h.push(entry(&o, DISTRICT, draw_unit, &format!("{year}-{}", if i % 2 == 0 { "04-09" } else { "03-27" })));
    }
    for _ in 0..9 {
        h.push(entry(&pick(g), CITY, "河朔市市场监督管理局产品质量安全监督管理科", &format!("{year}-04-15")));
    }
    for i in 0..8 {
        let unit = if i % 2 == 0 { "城东市场监管所" } else { "综合执法大队" };
        h.push(entry(&pick(g), DISTRICT, unit, &format!("{year}-03-12")));
    }
    for _ in 0..15 {
        h.push(entry(&pick(g), DISTRICT, draw_unit, &format!("{year}-01-20")));
    }
    h.sort_by(|a, b| (&a.object, &a.date, &a.department, &a.unit).cmp(&(&b.object, &b.date, &b.department, &b.unit)));
    h.dedup();
    h
}

/// 32 demo bytes derived from a label: fixed, and openly not a public beacon.
fn demo_randomness(label: &str) -> Randomness {
    Randomness::Demo { value: hex::encode(Sha256::digest(format!("gongkai demo randomness / {label}").as_bytes())) }
}

fn demo_source(label: &str) -> RandomnessSource {
    RandomnessSource::Demo { label: format!("演示随机数 {label} / demo randomness {label}") }
}

/// Commits, draws and (optionally) records one public recusal of the first
/// selected object's first inspector.
fn run(
    input: DrawInput,
    label: &str,
    times: (&str, &str),
    plan_code: &str,
    recusal: Option<(&str, &str)>,
) -> Result<DemoDraw, DemoError> {
    draw::commit(&input).map_err(|e| DemoError::Input(format!("{}: {e}", input.draw_id)))?;
    let mut record = draw::draw(input, demo_randomness(label)).map_err(|e| DemoError::Draw(e.to_string()))?;
    if let Some((reason, date)) = recusal {
        let first = record.result.strata.iter().flat_map(|s| &s.selected).next().cloned();
        if let Some(selection) = first {
            let inspector = selection.team.first().cloned().unwrap_or_default();
            let request = RecusalRequest {
                object: selection.object,
                inspector,
                reason: reason.to_owned(),
                date: date.to_owned(),
            };
            // Bound into the recusal chain (SPEC §11.3), as `gongkai recuse` does.
            record = draw::recuse_linked(&record, request).map_err(|e| DemoError::Draw(e.to_string()))?.0;
        }
    }
    record.committed_at = Some(times.0.to_owned());
    Ok(DemoDraw {
        record,
        committed_at: times.0.to_owned(),
        published_at: times.1.to_owned(),
        plan_code: plan_code.to_owned(),
    })
}

fn kind_strata(ratio: Ratio) -> Vec<Stratum> {
    KINDS
        .iter()
        .map(|(id, name, qual, _)| Stratum {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            ratio,
            qualification: Some((*qual).to_owned()),
        })
        .collect()
}

/// The district's quality, metrology and standardisation draw of a year: the
/// 800 enterprises in the seven kinds of checks, `count` drawn, at least one per kind.
fn quality_input(year: i32, count: u64, date: &str, firms: &[Firm], officers: &[Officer], g: &mut Gen) -> DrawInput {
    let objects: Vec<Object> = firms.iter().map(|f| object(f, KINDS[f.kind].0)).collect();
    let history = history(g, &objects, year, UNIT_QUALITY);
    DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{DISTRICT_CODE}-{year}-01"),
        title: format!("{year}年产品质量、计量、标准化“双随机、一公开”抽查"),
        department: DISTRICT.to_owned(),
        unit: UNIT_QUALITY.to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: date.to_owned(),
        randomness_source: demo_source(&format!("{year}-01")),
        plan: Plan {
            strata: kind_strata(Ratio { num: 1, den: 10 }),
            allocation: Allocation::Total { count, min_one_per_stratum: true },
            // At most 10 enterprises per inspector in this campaign.
            team: TeamRule {
                size: 2,
                load_cap: 10,
                qualification: None,
                units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
            },
            directed: None,
        },
        objects,
        inspectors: officers.iter().map(Officer::to_draw).collect(),
        history,
    }
}

pub fn quality_2024(firms: &[Firm], officers: &[Officer]) -> Result<DemoDraw, DemoError> {
    let mut g = Gen::new(2024_0527);
    let input = quality_input(2024, 60, "2024-05-27", firms, officers, &mut g);
    run(input, "2024-01", ("2024-05-24T09:00:00+08:00", "2024-05-27T10:30:00+08:00"), "159902-2024-Q", None)
}

pub fn quality_2025(firms: &[Firm], officers: &[Officer]) -> Result<DemoDraw, DemoError> {
    let mut g = Gen::new(2025_0528);
    let input = quality_input(2025, 70, "2025-05-28", firms, officers, &mut g);
    run(
        input,
        "2025-01",
        ("2025-05-26T09:00:00+08:00", "2025-05-28T10:30:00+08:00"),
        "159902-2025-Q",
        Some(("与该企业法定代表人系近亲属 / close relative of the enterprise's legal representative", "2025-05-29")),
    )
}

/// Credit-risk classes as strata, each with its own ratio (A 3 %, B 5 %, C 10 %, D 20 %).
/// `inspected` are this year's earlier inspections (the quality draw's results).
pub fn risk_2025(firms: &[Firm], officers: &[Officer], inspected: &[HistoryEntry]) -> Result<DemoDraw, DemoError> {
    let mut g = Gen::new(2025_0916);
    let classes = [
        ("A", "信用风险低（A类）", Ratio { num: 3, den: 100 }),
        ("B", "信用风险一般（B类）", Ratio { num: 5, den: 100 }),
        ("C", "信用风险较高（C类）", Ratio { num: 1, den: 10 }),
        ("D", "信用风险高（D类）", Ratio { num: 1, den: 5 }),
    ];
    let unit = "综合执法大队";
    let objects: Vec<Object> = firms.iter().map(|f| object(f, &f.credit_class.to_string())).collect();
    let mut history = history(&mut g, &objects, 2025, unit);
    history.extend(inspected.iter().cloned());
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{DISTRICT_CODE}-2025-02"),
        title: "2025年企业信息公示信用风险分类抽查".to_owned(),
        department: DISTRICT.to_owned(),
        unit: unit.to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: "2025-09-16".to_owned(),
        randomness_source: demo_source("2025-02"),
        plan: Plan {
            strata: classes
                .iter()
                .map(|(id, name, ratio)| Stratum {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    ratio: *ratio,
                    qualification: None,
                })
                .collect(),
            allocation: Allocation::Ratio,
            team: TeamRule {
                size: 2,
                load_cap: 6,
                qualification: Some("企业信息公示".to_owned()),
                units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
            },
            directed: None,
        },
        objects,
        inspectors: officers.iter().map(Officer::to_draw).collect(),
        history,
    };
    run(input, "2025-02", ("2025-09-12T09:00:00+08:00", "2025-09-16T10:00:00+08:00"), "159902-2025-R", None)
}

/// The city's measurement-standard draw (seed 004): ≥ 20 % of the units, at
/// least one per professional field (ratio strata round up).
pub fn standards_2024(units: &[Firm], officers: &[Officer]) -> Result<DemoDraw, DemoError> {
    let objects: Vec<Object> = units.iter().map(|u| object(u, &format!("F{:02}", u.kind + 1))).collect();
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{CITY_CODE}-2024-01"),
        title: "2024年计量标准专项监督检查建标单位抽取".to_owned(),
        department: CITY.to_owned(),
        unit: "计量处".to_owned(),
        ancestors: vec![PROVINCE.to_owned()],
        draw_date: "2024-05-30".to_owned(),
        randomness_source: demo_source("2024-JL"),
        plan: Plan {
            strata: FIELDS
                .iter()
                .enumerate()
                .map(|(i, f)| Stratum {
                    id: format!("F{:02}", i + 1),
                    name: format!("{f}专业计量标准"),
                    ratio: Ratio { num: 1, den: 5 },
                    qualification: None,
                })
                .collect(),
            allocation: Allocation::Ratio,
            team: TeamRule {
                size: 2,
                load_cap: 3,
                qualification: Some("计量".to_owned()),
                units: vec!["计量处".to_owned(), "综合行政执法支队".to_owned()],
            },
            directed: None,
        },
        objects,
        inspectors: officers.iter().map(Officer::to_draw).collect(),
        history: Vec::new(),
    };
    run(input, "2024-JL", ("2024-05-27T09:00:00+08:00", "2024-05-30T10:00:00+08:00"), "159900-2024-JL", None)
}

/// The current year's draw waits for the drand quicknet round of
/// 2026-12-15 10:00 Beijing time (02:00 UTC).
pub fn awaited_round() -> u64 {
    let unix = super::dates::days("2026-12-15") * 86_400 + 2 * 3_600;
    draw::randomness::quicknet_round_at(unix)
}

/// The current year's quality draw: committed, waiting for a future drand round.
pub fn quality_2026(firms: &[Firm], officers: &[Officer]) -> Result<CommitmentSubmission, DemoError> {
    let mut g = Gen::new(2026_1120);
    let mut input = quality_input(2026, 70, "2026-12-15", firms, officers, &mut g);
    input.randomness_source = RandomnessSource::DrandQuicknet { round: awaited_round() };
    Ok(CommitmentSubmission {
        department_code: DISTRICT_CODE.to_owned(),
        plan_code: Some("159902-2026-Q".to_owned()),
        input_json: serde_json::to_string_pretty(&input)?,
        committed_at: "2026-11-20T09:00:00+08:00".to_owned(),
    })
}

/// The final team of each selected object, after recusals.
pub(crate) fn final_teams(record: &DrawRecord) -> Vec<(String, String, Vec<String>)> {
    record
        .result
        .strata
        .iter()
        .flat_map(|s| s.selected.iter().map(move |sel| (s.id.clone(), sel)))
        .map(|(stratum, sel)| {
            let team = sel
                .team
                .iter()
                .map(|cert| {
                    record
                        .recusals
                        .iter()
                        .find(|r| r.request.object == sel.object && &r.request.inspector == cert)
                        .map(|r| r.replacement.clone())
                        .unwrap_or_else(|| cert.clone())
                })
                .collect();
            (stratum, sel.object.clone(), team)
        })
        .collect()
}

/// A small 2025 draw of the district in which every pool enterprise is drawn
/// (ratio 1/1): the follow-up of September and the special check of October.
/// They carry a realistic mistake for the execution report to find: the
/// department declared no history for them, so the protocol could not
/// exclude enterprises inspected earlier in the year, and one enterprise is
/// inspected three times.
pub fn small_2025(
    number: &str,
    title: &str,
    date: &str,
    pool: &[&Firm],
    officers: &[Officer],
) -> Result<DemoDraw, DemoError> {
    let unit = "城东市场监管所";
    let objects: Vec<Object> = pool.iter().map(|f| object(f, "all")).collect();
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{DISTRICT_CODE}-2025-{number}"),
        title: title.to_owned(),
        department: DISTRICT.to_owned(),
        unit: unit.to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: date.to_owned(),
        randomness_source: demo_source(&format!("2025-{number}")),
        plan: Plan {
            strata: vec![Stratum {
                id: "all".to_owned(),
                name: "全部检查对象".to_owned(),
                ratio: Ratio { num: 1, den: 1 },
                qualification: None,
            }],
            allocation: Allocation::Ratio,
            team: TeamRule {
                size: 2,
                load_cap: 4,
                qualification: None,
                units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
            },
            directed: None,
        },
        objects,
        inspectors: officers.iter().map(Officer::to_draw).collect(),
        history: Vec::new(),
    };
    let times = (format!("{date}T09:00:00+08:00"), format!("{date}T15:00:00+08:00"));
    run(input, &format!("2025-{number}"), (&times.0, &times.1), "159902-2025-Q", None)
}
