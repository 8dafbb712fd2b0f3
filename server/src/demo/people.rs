//! The demo's enterprises (检查对象名录库) and inspectors (执法检查人员名录库).

use std::collections::BTreeSet;

use draw::CreditCode;

use super::names::{self, INDUSTRIES};
use super::{CITY_CODE, DISTRICT_CODE, DemoError, Gen, KINDS, UNITS};
use crate::storage::{Correction, NewEnterprise, NewInspector};

const STREETS: [&str; 7] = ["东城街道", "西园街道", "南湖街道", "北关街道", "河滨街道", "新华街道", "东河工业园区"];

/// Industries (indexes into [`INDUSTRIES`]) that each kind of check covers.
const KIND_INDUSTRIES: [&[usize]; 7] =
    [&[0, 2, 3, 4, 5, 6, 7, 8], &[1], &[2, 3, 5], &[10], &[11, 9, 0], &[4, 6, 7], &[0, 7, 9]];

/// One enterprise of the demo, with what the draws need to know.
#[derive(Clone, Debug)]
pub struct Firm {
    pub code: CreditCode,
    pub name: String,
    pub department_code: &'static str,
    pub region: String,
    pub industry: String,
    pub licences: Vec<String>,
    /// Index into [`KINDS`] (district firms) or the professional field (city units).
    pub kind: usize,
    pub credit_class: char,
    pub abnormal: bool,
    pub serious_violation: bool,
    pub penalised: bool,
}

impl Firm {
    pub fn to_new(&self, published_at: &str) -> NewEnterprise {
        NewEnterprise {
            credit_code: self.code.clone(),
            name: self.name.clone(),
            department_code: self.department_code.to_owned(),
            region: self.region.clone(),
            industry: self.industry.clone(),
            licences: self.licences.clone(),
            abnormal: self.abnormal,
            serious_violation: self.serious_violation,
            penalised: self.penalised,
            credit_class: self.credit_class,
            published_at: published_at.to_owned(),
            correction: None,
        }
    }
}

/// The district's 800 enterprises, grouped by kind of check (sizes in [`KINDS`]).
pub fn district_firms(g: &mut Gen, seen: &mut BTreeSet<String>) -> Result<Vec<Firm>, DemoError> {
    let total: usize = KINDS.iter().map(|k| k.3).sum();
    let codes = names::credit_codes(g, "91", DISTRICT_CODE, total, seen)?;
    let mut taken = BTreeSet::new();
    let mut codes = codes.into_iter();
    let mut firms = Vec::with_capacity(total);
    for (kind, (_, _, _, size)) in KINDS.iter().enumerate() {
        for code in codes.by_ref().take(*size) {
            let industry = KIND_INDUSTRIES[kind][g.below(KIND_INDUSTRIES[kind].len())];
            let class = match g.below(100) {
                0..45 => 'A',
                45..80 => 'B',
                80..94 => 'C',
                _ => 'D',
            };
            let risky = matches!(class, 'C' | 'D');
            firms.push(Firm {
                code,
                name: names::enterprise(g, "河朔市东河区", industry, &mut taken),
                department_code: DISTRICT_CODE,
                region: format!("河朔市东河区{}", STREETS[g.below(STREETS.len())]),
                industry: INDUSTRIES[industry].0.to_owned(),
                licences: INDUSTRIES[industry].2.iter().map(|l| (*l).to_owned()).collect(),
                kind,
                credit_class: class,
                abnormal: g.chance(if risky { 120 } else { 10 }),
                serious_violation: g.chance(if class == 'D' { 150 } else { 2 }),
                penalised: g.chance(if risky { 100 } else { 8 }),
            });
        }
    }
    Ok(firms)
}

/// The ten professional fields of metrology (计量专业), strata of the city's
/// measurement-standard draw (seed 004: at least one standard per field).
pub const FIELDS: [&str; 10] =
    ["长度", "热学", "力学", "电磁", "无线电", "时间频率", "光学", "声学", "电离辐射", "化学"];

/// Units holding measurement standards (建标单位) supervised by the city.
pub fn city_units(g: &mut Gen, seen: &mut BTreeSet<String>) -> Result<Vec<Firm>, DemoError> {
    const INSTITUTIONS: [&str; 8] = [
        "河朔市计量检定测试所",
        "河朔市第一人民医院",
        "河朔市中心医院",
        "河朔市疾病预防控制中心",
        "河朔市环境监测站",
        "河朔市特种设备检验所",
        "河朔市产品质量检验所",
        "河朔市气象局计量站",
    ];
    const SUFFIXES: [&str; 6] =
        ["检测技术有限公司", "电力有限公司", "热力有限公司", "燃气有限公司", "仪器仪表有限公司", "钢铁有限公司"];
    let public = names::credit_codes(g, "12", CITY_CODE, INSTITUTIONS.len(), seen)?;
    let private = names::credit_codes(g, "91", CITY_CODE, 42, seen)?;
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut units = Vec::new();
    for (i, code) in public.into_iter().enumerate() {
        units.push((code, INSTITUTIONS[i].to_owned(), "事业单位"));
    }
    for code in private {
        let name = loop {
            let candidate = format!(
                "河朔市{}{}",
                names::enterprise(g, "", 9, &mut taken).trim_end_matches("商贸有限公司"),
                SUFFIXES[g.below(SUFFIXES.len())]
            );
            if taken.insert(candidate.clone()) {
                break candidate;
            }
        };
        units.push((code, name, "企业"));
    }
    Ok(units
        .into_iter()
        .enumerate()
        .map(|(i, (code, name, kind))| Firm {
            code,
            name,
            department_code: CITY_CODE,
            region: "河朔市".to_owned(),
            industry: format!("计量标准建标单位（{kind}）"),
            licences: vec!["计量标准考核证书".to_owned()],
            kind: i % FIELDS.len(),
            credit_class: if i % 9 == 4 { 'B' } else { 'A' },
            abnormal: false,
            serious_violation: false,
            penalised: i % 23 == 7,
        })
        .collect())
}

/// One inspector of the demo directory.
#[derive(Clone, Debug)]
pub struct Officer {
    pub department_code: &'static str,
    pub cert: String,
    pub name: String,
    pub unit: String,
    pub post: String,
    pub qualifications: Vec<String>,
    pub valid_from: String,
    pub valid_until: String,
    pub conflicts: Vec<String>,
}

impl Officer {
    pub fn to_new(&self, published_at: &str) -> NewInspector {
        NewInspector {
            department_code: self.department_code.to_owned(),
            certificate: self.cert.clone(),
            name: self.name.clone(),
            unit: self.unit.clone(),
            post: self.post.clone(),
            qualifications: self.qualifications.clone(),
            valid_from: self.valid_from.clone(),
            valid_until: self.valid_until.clone(),
            conflicts: self.conflicts.clone(),
            left: false,
            published_at: published_at.to_owned(),
            correction: None,
        }
    }

    pub fn to_draw(&self) -> draw::Inspector {
        draw::Inspector {
            cert: self.cert.clone(),
            unit: self.unit.clone(),
            qualifications: self.qualifications.clone(),
            valid_from: self.valid_from.clone(),
            valid_until: self.valid_until.clone(),
            conflicts: self.conflicts.clone(),
        }
    }
}

const POSTS: [&str; 5] = ["执法队员", "科员", "副所长", "执法队员", "副科长"];

/// The district's 60 inspectors: three kinds of checks each, some also
/// enterprise-information checks; one certificate expired at the end of 2024,
/// one valid only from September 2025; conflicts declared with some firms.
pub fn district_officers(g: &mut Gen, firms: &[Firm]) -> Vec<Officer> {
    let n = KINDS.len();
    let mut officers: Vec<Officer> = (0..60)
        .map(|i| {
            let mut quals: BTreeSet<String> =
                [i % n, (i + 2) % n, (i + 4) % n].into_iter().map(|q| KINDS[q].2.to_owned()).collect();
            if i % 5 == 0 || i % 5 == 2 || i % 5 == 3 {
                quals.insert("企业信息公示".to_owned());
            }
            let (valid_from, valid_until) = match i {
                5 => ("2019-03-01", "2024-12-31"),
                11 => ("2025-09-01", "2030-08-31"),
                _ => ("2021-01-01", "2027-12-31"),
            };
            let (name, _gender) = names::person(g, i);
            Officer {
                department_code: DISTRICT_CODE,
                cert: format!("{DISTRICT_CODE}{:04}", 1 + i),
                name,
                unit: UNITS[i % UNITS.len()].to_owned(),
                post: POSTS[i % POSTS.len()].to_owned(),
                qualifications: quals.into_iter().collect(),
                valid_from: valid_from.to_owned(),
                valid_until: valid_until.to_owned(),
                conflicts: Vec::new(),
            }
        })
        .collect();
    // Declared conflicts of interest (回避), part of every commitment.
    for (officer, firm) in [(2usize, 3usize), (2, 250), (9, 410), (30, 777), (44, 290)] {
        officers[officer].conflicts.push(firms[firm].code.as_str().to_owned());
    }
    officers
}

/// The city's metrology inspectors.
pub fn city_officers(g: &mut Gen, units: &[Firm]) -> Vec<Officer> {
    let mut officers: Vec<Officer> = (0..14)
        .map(|i| {
            let (name, _gender) = names::person(g, i + 100);
            let mut quals = vec!["计量".to_owned()];
            if i % 2 == 0 {
                quals.push("计量标准考评".to_owned());
            }
            Officer {
                department_code: CITY_CODE,
                cert: format!("{CITY_CODE}{:04}", 1 + i),
                name,
                unit: if i % 3 == 0 { "综合行政执法支队".to_owned() } else { "计量处".to_owned() },
                post: if i == 0 { "处长".to_owned() } else { "科员".to_owned() },
                qualifications: quals,
                valid_from: "2020-07-01".to_owned(),
                valid_until: "2028-06-30".to_owned(),
                conflicts: Vec::new(),
            }
        })
        .collect();
    officers[3].conflicts.push(units[0].code.as_str().to_owned());
    officers
}

/// Corrections of the directories: a renamed enterprise and a transferred inspector.
/// The directory after `corrections`: an inspector who left is gone, a
/// corrected one has the corrected unit, post, qualifications, validity and conflicts.
pub fn corrected(officers: &[Officer], corrections: &[NewInspector]) -> Vec<Officer> {
    officers
        .iter()
        .filter_map(|o| match corrections.iter().rev().find(|c| c.certificate == o.cert) {
            None => Some(o.clone()),
            Some(c) if c.left => None,
            Some(c) => Some(Officer {
                unit: c.unit.clone(),
                post: c.post.clone(),
                qualifications: c.qualifications.clone(),
                valid_from: c.valid_from.clone(),
                valid_until: c.valid_until.clone(),
                conflicts: c.conflicts.clone(),
                ..o.clone()
            }),
        })
        .collect()
}

pub fn corrections(firms: &[Firm], officers: &[Officer]) -> (Vec<NewEnterprise>, Vec<NewInspector>) {
    let mut renamed = firms[5].to_new("2025-08-20T09:00:00+08:00");
    renamed.name = renamed.name.replace("有限公司", "股份有限公司");
    renamed.correction = Some(Correction { reason: "企业名称变更登记（2025年8月12日）".to_owned() });
    let mut moved = officers[7].to_new("2026-02-02T09:00:00+08:00");
    moved.unit = "城西市场监管所".to_owned();
    moved.correction = Some(Correction { reason: "工作调动，所属单位变更".to_owned() });
    let mut left = officers[58].to_new("2026-04-01T09:00:00+08:00");
    left.left = true;
    left.correction = Some(Correction { reason: "退休，移出执法检查人员名录库".to_owned() });
    (vec![renamed], vec![moved, left])
}
