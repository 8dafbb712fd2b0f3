//! Demo data: a fictional district market regulation bureau and its draws.
//!
//! Everything is generated from fixed seeds (no clock, no OS randomness), so the
//! demo database is the same on every machine. Names are fictional; credit codes
//! are well-formed (GB 11714 organisation code check digit, GB 32100 check
//! character). The randomness is labelled demo randomness: it is not a public beacon.

use std::collections::BTreeSet;

use draw::protocol::RecusalRequest;
use draw::{
    Allocation, CreditCode, DrawInput, DrawRecord, HistoryEntry, Inspector, Object, Plan, Randomness, RandomnessSource,
    Ratio, Stratum, TeamRule,
};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::storage::{NewDraw, Storage, StorageError};

pub const PROVINCE: &str = "朔方省市场监督管理局";
pub const CITY: &str = "河朔市市场监督管理局";
pub const DISTRICT: &str = "河朔市东河区市场监督管理局";
/// Fictional administrative division code of the district.
const REGION: &str = "159902";

const UNIT_QUALITY: &str = "质量计量标准化管理室";
const UNITS: [&str; 4] = [UNIT_QUALITY, "城东市场监管所", "城西市场监管所", "综合执法大队"];

/// The seven kinds of checks of the district's quality plan: (id, name, qualification, objects).
const KINDS: [(&str, &str, &str, usize); 7] = [
    ("1-product-quality", "产品质量监督检查", "产品质量", 220),
    ("2-food-related", "食品相关产品获证企业检查", "食品相关产品", 70),
    ("3-production-licence", "工业产品生产许可证获证企业检查", "工业产品生产许可", 90),
    ("4-testing-bodies", "检验检测机构检查", "检验检测", 30),
    ("5-metrology", "计量监督检查", "计量", 200),
    ("6-standards", "市场类标准监督检查", "标准化", 110),
    ("7-barcodes", "商品条码使用检查", "商品条码", 80),
];

const CATEGORIES: [&str; 8] = ["食品", "化工", "建材", "机电", "纺织", "日用品", "农资", "医疗器械"];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo input is invalid: {0}")]
    Input(String),
    #[error("demo draw failed: {0}")]
    Draw(String),
    #[error("cannot serialize the demo record: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A demo draw ready to publish.
#[derive(Debug, Clone)]
pub struct DemoDraw {
    pub record: DrawRecord,
    pub committed_at: String,
    pub published_at: String,
}

impl DemoDraw {
    pub fn to_new_draw(&self) -> Result<NewDraw, DemoError> {
        let input = &self.record.input;
        let mut department_path = input.ancestors.clone();
        department_path.push(input.department.clone());
        Ok(NewDraw {
            id: input.draw_id.clone(),
            department_path,
            title: input.title.clone(),
            draw_date: input.draw_date.clone(),
            commitment: self.record.commitment.clone(),
            record_json: serde_json::to_string_pretty(&self.record)?,
            committed_at: Some(self.committed_at.clone()),
            published_at: self.published_at.clone(),
            plan_code: None,
        })
    }
}

/// A deterministic generator for the demo data.
struct Gen(ChaCha20Rng);

impl Gen {
    fn new(seed: u64) -> Self {
        Gen(ChaCha20Rng::seed_from_u64(seed))
    }
    /// Roughly uniform in 0..n (the bias does not matter for demo data).
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }
}

/// GB 11714 check character of an 8-digit organisation code body.
fn org_check(body: &[u8; 8]) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.iter().zip(W).map(|(d, w)| u32::from(*d) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('0'),
    }
}

/// `count` distinct well-formed credit codes of enterprises (登记管理部门 9, 类别 1).
fn credit_codes(g: &mut Gen, count: usize) -> Result<Vec<String>, DemoError> {
    let mut seen = BTreeSet::new();
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        let mut body = [0u8; 8];
        for d in &mut body {
            *d = g.below(10) as u8;
        }
        let digits: String = body.iter().map(|d| char::from(b'0' + d)).collect();
        let first17 = format!("91{REGION}{digits}{}", org_check(&body));
        let code = CreditCode::complete(&first17).map_err(|e| DemoError::Input(e.to_string()))?;
        if seen.insert(code.as_str().to_owned()) {
            codes.push(code.as_str().to_owned());
        }
    }
    Ok(codes)
}

fn objects(g: &mut Gen, codes: &[String], strata: &[(&str, usize)]) -> Vec<Object> {
    let mut out = Vec::with_capacity(codes.len());
    let mut next = codes.iter();
    for (stratum, n) in strata {
        for code in next.by_ref().take(*n) {
            let mut categories = vec![CATEGORIES[g.below(CATEGORIES.len())].to_owned()];
            if g.chance(150) {
                let extra = CATEGORIES[g.below(CATEGORIES.len())].to_owned();
                if !categories.contains(&extra) {
                    categories.push(extra);
                }
            }
            out.push(Object {
                id: code.clone(),
                stratum: (*stratum).to_owned(),
                categories,
                abnormal: g.chance(20),
                serious_violation: g.chance(5),
                penalised: g.chance(10),
            });
        }
    }
    out
}

fn inspectors(count: usize, qualifications: &[&str], prefix: &str) -> Vec<Inspector> {
    let n = qualifications.len();
    (0..count)
        .map(|i| {
            // Three qualifications each (fewer when there are fewer kinds).
            let quals: BTreeSet<String> =
                [i % n, (i + 2) % n, (i + 4) % n].into_iter().map(|q| qualifications[q].to_owned()).collect();
            // A few certificates are expired or not yet valid on the draw date.
            let (valid_from, valid_until) = match i % 17 {
                5 => ("2019-03-01", "2024-12-31"),
                11 => ("2025-09-01", "2030-08-31"),
                _ => ("2021-01-01", "2027-12-31"),
            };
            Inspector {
                cert: format!("{prefix}{:04}", 1 + i),
                unit: UNITS[i % UNITS.len()].to_owned(),
                qualifications: quals.into_iter().collect(),
                valid_from: valid_from.to_owned(),
                valid_until: valid_until.to_owned(),
                conflicts: Vec::new(),
            }
        })
        .collect()
}

/// This year's earlier inspections: some objects twice by this department, some by
/// the city bureau, some by another unit of the district bureau, some once.
fn history(g: &mut Gen, objects: &[Object], draw_unit: &str) -> Vec<HistoryEntry> {
    let mut h = Vec::new();
    let pick = |g: &mut Gen| objects[g.below(objects.len())].id.clone();
    let entry = |object: String, department: &str, unit: &str, date: &str| HistoryEntry {
        object,
        department: department.to_owned(),
        unit: unit.to_owned(),
        date: date.to_owned(),
    };
    for i in 0..12 {
        let o = pick(g);
        h.push(entry(o.clone(), DISTRICT, draw_unit, "2025-02-18"));
        h.push(entry(o, DISTRICT, draw_unit, if i % 2 == 0 { "2025-04-09" } else { "2025-03-27" }));
    }
    for _ in 0..9 {
        h.push(entry(pick(g), CITY, "河朔市市场监督管理局产品质量安全监督管理科", "2025-04-15"));
    }
    for i in 0..8 {
        let unit = if i % 2 == 0 { "城东市场监管所" } else { "综合执法大队" };
        h.push(entry(pick(g), DISTRICT, unit, "2025-03-12"));
    }
    for _ in 0..15 {
        h.push(entry(pick(g), DISTRICT, draw_unit, "2025-01-20"));
    }
    // The same enterprise may be picked twice above; keep entries unique.
    h.sort_by(|a, b| (&a.object, &a.date, &a.department, &a.unit).cmp(&(&b.object, &b.date, &b.department, &b.unit)));
    h.dedup();
    h
}

/// 32 demo bytes derived from a label: fixed, and openly not a public beacon.
fn demo_randomness(label: &str) -> Randomness {
    Randomness::Demo { value: hex::encode(Sha256::digest(format!("gongkai demo randomness / {label}").as_bytes())) }
}

/// Commits, draws and (optionally) records one public recusal of the first
/// selected object's first inspector.
fn run(
    input: DrawInput,
    label: &str,
    committed_at: &str,
    published_at: &str,
    recusal: Option<(&str, &str)>,
) -> Result<DemoDraw, DemoError> {
    draw::commit(&input).map_err(|e| DemoError::Input(e.to_string()))?;
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
            record = draw::recuse(&record, request).map_err(|e| DemoError::Draw(e.to_string()))?;
        }
    }
    record.committed_at = Some(committed_at.to_owned());
    Ok(DemoDraw { record, committed_at: committed_at.to_owned(), published_at: published_at.to_owned() })
}

/// The quality, metrology and standardisation spot checks: ~800 enterprises in the
/// seven kinds of checks, 70 drawn in all with at least one per kind.
pub fn quality_draw() -> Result<DemoDraw, DemoError> {
    let mut g = Gen::new(2025_0528);
    let total: usize = KINDS.iter().map(|k| k.3).sum();
    let codes = credit_codes(&mut g, total)?;
    let strata_sizes: Vec<(&str, usize)> = KINDS.iter().map(|k| (k.0, k.3)).collect();
    let objects = objects(&mut g, &codes, &strata_sizes);
    let quals: Vec<&str> = KINDS.iter().map(|k| k.2).collect();
    let mut inspectors = inspectors(60, &quals, "DH2025");
    // Declared conflicts of interest (回避), part of the commitment.
    for (inspector, object) in [(2usize, 3usize), (2, 250), (9, 410), (30, 777)] {
        inspectors[inspector].conflicts.push(objects[object].id.clone());
    }
    let history = history(&mut g, &objects, UNIT_QUALITY);
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{REGION}-2025-01"),
        title: "2025年产品质量、计量、标准化“双随机、一公开”抽查".to_owned(),
        department: DISTRICT.to_owned(),
        unit: UNIT_QUALITY.to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: "2025-05-28".to_owned(),
        randomness_source: RandomnessSource::Demo {
            label: "演示随机数 2025-01 / demo randomness 2025-01".to_owned()
        },
        plan: Plan {
            strata: KINDS
                .iter()
                .map(|(id, name, qual, _)| Stratum {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    ratio: Ratio { num: 1, den: 10 },
                    qualification: Some((*qual).to_owned()),
                })
                .collect(),
            allocation: Allocation::Total { count: 70, min_one_per_stratum: true },
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
        inspectors,
        history,
    };
    run(
        input,
        "2025-01",
        "2025-05-26T09:00:00+08:00",
        "2025-05-28T10:30:00+08:00",
        Some(("与该企业法定代表人系近亲属 / close relative of the enterprise's legal representative", "2025-05-29")),
    )
}

/// Credit-risk classes as strata, each with its own ratio (A 3 %, B 5 %, C 10 %, D 20 %).
pub fn risk_draw() -> Result<DemoDraw, DemoError> {
    let mut g = Gen::new(2025_0916);
    let classes = [
        ("A", "信用风险低（A类）", Ratio { num: 3, den: 100 }, 140usize),
        ("B", "信用风险一般（B类）", Ratio { num: 5, den: 100 }, 110),
        ("C", "信用风险较高（C类）", Ratio { num: 1, den: 10 }, 40),
        ("D", "信用风险高（D类）", Ratio { num: 1, den: 5 }, 15),
    ];
    let total: usize = classes.iter().map(|c| c.3).sum();
    let codes = credit_codes(&mut g, total)?;
    let sizes: Vec<(&str, usize)> = classes.iter().map(|c| (c.0, c.3)).collect();
    let objects = objects(&mut g, &codes, &sizes);
    let unit = "综合执法大队";
    let mut inspectors = inspectors(24, &["企业信息公示"], "DH2025X");
    inspectors[4].conflicts.push(objects[290].id.clone());
    let history = history(&mut g, &objects, unit);
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{REGION}-2025-02"),
        title: "2025年企业信息公示信用风险分类抽查".to_owned(),
        department: DISTRICT.to_owned(),
        unit: unit.to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: "2025-09-16".to_owned(),
        randomness_source: RandomnessSource::Demo {
            label: "演示随机数 2025-02 / demo randomness 2025-02".to_owned()
        },
        plan: Plan {
            strata: classes
                .iter()
                .map(|(id, name, ratio, _)| Stratum {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    ratio: *ratio,
                    qualification: None,
                })
                .collect(),
            allocation: Allocation::Ratio,
            team: TeamRule {
                size: 2,
                load_cap: 4,
                qualification: Some("企业信息公示".to_owned()),
                units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
            },
            directed: None,
        },
        objects,
        inspectors,
        history,
    };
    run(input, "2025-02", "2025-09-12T09:00:00+08:00", "2025-09-16T10:00:00+08:00", None)
}

/// Every demo draw.
pub fn demo_draws() -> Result<Vec<DemoDraw>, DemoError> {
    Ok(vec![quality_draw()?, risk_draw()?])
}

/// Publishes the demo draws into an empty database; returns how many were added.
pub async fn seed_if_empty(storage: &dyn Storage) -> Result<usize, DemoError> {
    if storage.draw_count().await? > 0 {
        return Ok(0);
    }
    let draws = demo_draws()?;
    for d in &draws {
        storage.insert_draw(&d.to_new_draw()?).await?;
    }
    Ok(draws.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_check_digit_matches_gb_11714_example() {
        // 12345678: 3+14+27+40+25+48+28+16 = 201, 11 - 201 % 11 = 8.
        assert_eq!(org_check(&[1, 2, 3, 4, 5, 6, 7, 8]), '8');
        // 00000001: 2, 11 - 2 = 9; 00000000: 11 - 0 = 11 → '0'; 00000006: 12 % 11 = 1 → 10 → 'X'.
        assert_eq!(org_check(&[0, 0, 0, 0, 0, 0, 0, 1]), '9');
        assert_eq!(org_check(&[0; 8]), '0');
        assert_eq!(org_check(&[0, 0, 0, 0, 0, 0, 0, 6]), 'X');
    }

    #[test]
    fn demo_data_is_reproducible() {
        let a = quality_draw().unwrap();
        let b = quality_draw().unwrap();
        assert_eq!(a.record.commitment, b.record.commitment);
        assert_eq!(a.record.result, b.record.result);
    }

    #[test]
    fn quality_draw_matches_the_plan() {
        let d = quality_draw().unwrap();
        let input = &d.record.input;
        assert_eq!(input.objects.len(), 800);
        assert_eq!(input.plan.strata.len(), 7);
        for o in &input.objects {
            CreditCode::parse(&o.id).unwrap();
        }
        let selected: usize = d.record.result.strata.iter().map(|s| s.selected.len()).sum();
        assert_eq!(selected, 70);
        assert!(d.record.result.strata.iter().all(|s| !s.selected.is_empty()));
        assert!(d.record.result.strata.iter().flat_map(|s| &s.selected).all(|s| s.team.len() == 2));
        assert!(!d.record.result.exclusions.is_empty(), "the history must exclude some enterprises");
        assert_eq!(d.record.recusals.len(), 1, "the demo shows one public recusal");
        assert_eq!(d.record.committed_at.as_deref(), Some("2025-05-26T09:00:00+08:00"));
    }

    #[test]
    fn demo_records_verify() {
        for d in demo_draws().unwrap() {
            let v = draw::verify(&d.record);
            assert!(v.is_match(), "{}: {:?}", d.record.input.draw_id, v.differences);
        }
    }
}
