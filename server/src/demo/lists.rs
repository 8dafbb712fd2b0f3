//! The demo jurisdiction's departments, item lists and annual plans.

use crate::storage::{Correction, Level, NewDepartment, NewItem, NewPlan, NewPlanLine};

use super::{CITY, CITY_CODE, DISTRICT, DISTRICT_CODE, PROVINCE, PROVINCE_CODE};

pub fn departments() -> Vec<NewDepartment> {
    let d = |code: &str, name: &str, level, parent: Option<&str>| NewDepartment {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        parent_code: parent.map(str::to_owned),
        published_at: "2016-08-25T09:00:00+08:00".to_owned(),
    };
    vec![
        d(PROVINCE_CODE, PROVINCE, Level::Province, None),
        d(CITY_CODE, CITY, Level::City, Some(PROVINCE_CODE)),
        d(DISTRICT_CODE, DISTRICT, Level::District, Some(CITY_CODE)),
        d("159903", "河朔市西河区市场监督管理局", Level::District, Some(CITY_CODE)),
    ]
}

/// 湖南省质量技术监督随机抽查事项清单 (seed 001, annex 2): names and legal
/// bases verbatim; the province of the demo publishes it as its own list.
pub const HUNAN_ITEMS: [(&str, &str); 14] = [
    ("管理体系和服务认证专项监督检查", "《中华人民共和国认证认可条例》"),
    ("CCC获证产品市场抽查", "《中华人民共和国认证认可条例》《强制性产品认证管理规定》（质检总局令第117号）"),
    ("食用农产品获认证产品监督抽查", "《中华人民共和国认证认可条例》"),
    ("检验检测机构资质认定监督检查", "《检验检测机构资质认定管理办法》（质检总局令第163号）"),
    ("定量包装商品净含量计量监督专项抽查项目", "《定量包装商品计量监督管理办法》（质检总局令第75号）"),
    ("能效标识计量专项监督检查", "《中华人民共和国节约能源法》《能源效率标识管理办法》（质检总局令第35号）"),
    (
        "法定计量检定机构（全国质检系统省级以上、专业计量站）专项监督检查",
        "《中华人民共和国计量法》《专业计量站管理办法》（国家技术监督局第24号令）、《法定计量检定机构监督管理办法》（国家质量技术监督局第15号令）",
    ),
    ("特种设备生产单位监督抽查（省局发证）", "《中华人民共和国特种设备安全法》"),
    ("特种设备检验检测机构监督抽查（省局发证）", "《中华人民共和国特种设备安全法》"),
    (
        "产品质量监督抽查（生产许可证发证企业）",
        "《中华人民共和国产品质量法》《产品质量监督抽查管理办法》（质检总局令第133号）",
    ),
    ("食品相关产品安全监管（监督抽查、证后监管、风险监测）", "《中华人民共和国食品安全法》"),
    (
        "开展“质检利剑”执法专项行动，对重点产品进行执法检查",
        "《中华人民共和国产品质量法》《中华人民共和国行政处罚法》等法律法规",
    ),
    ("开展区域整治，对区域内生产企业开展检查", "《中华人民共和国产品质量法》《中华人民共和国行政处罚法》等法律法规"),
    (
        "开展企业产品质量承诺活动，对作出质量承诺企业履行承诺情况开展检查",
        "《中华人民共和国产品质量法》《中华人民共和国行政处罚法》等法律法规",
    ),
];

/// (qualification, method) of each Hunan item; annex 2 gives only names and bases.
const HUNAN_DETAILS: [(&str, &str); 14] = [
    ("认证监管", "现场核查;书面审查"),
    ("认证监管", "现场核查;抽样检验"),
    ("认证监管", "现场核查;抽样检验"),
    ("检验检测", "现场核查;书面审查"),
    ("计量", "现场核查;抽样检验"),
    ("计量", "现场核查"),
    ("计量", "现场核查;书面审查"),
    ("特种设备", "现场核查;书面审查"),
    ("特种设备", "现场核查;书面审查"),
    ("产品质量", "现场核查;抽样检验"),
    ("食品相关产品", "现场核查;抽样检验"),
    ("产品质量", "现场核查;抽样检验"),
    ("产品质量", "现场核查"),
    ("产品质量", "现场核查;书面审查"),
];

/// The seven kinds of checks of the district (as in seed 002) plus the
/// enterprise-information check: (item code, name, qualification, content).
pub const DISTRICT_ITEMS: [(&str, &str, &str, &str); 8] = [
    (
        "1-product-quality",
        "生产流通领域产品质量监督检查",
        "产品质量",
        "企业证照情况，原辅材料进货验货、出厂检验、销售台账等记录，生产条件、环境是否变更，产品信息标识。",
    ),
    (
        "2-food-related",
        "食品相关产品获证企业检查",
        "食品相关产品",
        "生产条件是否符合发证条件，合格供方清单，生产许可证标记和编号，出厂检验及检验记录。",
    ),
    (
        "3-production-licence",
        "工业产品生产许可证获证企业检查",
        "工业产品生产许可",
        "是否使用国家明令淘汰的设备和工艺，准予许可所依据的客观情况是否发生重大变化，产品包装标识。",
    ),
    (
        "4-testing-bodies",
        "检验检测机构检查",
        "检验检测",
        "是否未经检验检测出具数据、结果，篡改、编造原始数据，超出资质认定能力范围出具报告等。",
    ),
    (
        "5-metrology",
        "计量监督检查",
        "计量",
        "在用计量器具检定情况，定量包装商品净含量标注，能效水效标识，法定计量单位使用。",
    ),
    (
        "6-standards",
        "市场类标准监督检查",
        "标准化",
        "团体标准、企业标准自我声明公开：技术要求是否低于强制性国家标准，编号和名称是否符合规定。",
    ),
    ("7-barcodes", "商品条码使用检查", "商品条码", "应当标注商品条码的预包装产品是否在产品标识中标注商品条码。"),
    ("8-info-disclosure", "企业公示信息抽查", "企业信息公示", "企业年度报告、即时信息公示内容的真实性、及时性。"),
];

const DISTRICT_BASES: [&str; 8] = [
    "《中华人民共和国产品质量法》",
    "《中华人民共和国食品安全法》《中华人民共和国工业产品生产许可证管理条例》",
    "《中华人民共和国工业产品生产许可证管理条例》",
    "《检验检测机构资质认定管理办法》",
    "《中华人民共和国计量法》《定量包装商品计量监督管理办法》《能源效率标识管理办法》",
    "《中华人民共和国标准化法》《企业标准化管理办法》",
    "《商品条码管理办法》",
    "《企业信息公示暂行条例》",
];

/// The city's metrology items, as in seed 000 (Shandong) art. 3, and the
/// measurement-standard supervision of seed 004 (Tianjin).
pub const CITY_ITEMS: [(&str, &str, &str, &str); 4] = [
    (
        "JL-1",
        "法定计量检定机构（含计量授权机构）计量监督检查",
        "《中华人民共和国计量法》《法定计量检定机构监督管理办法》《计量授权管理办法》",
        "现场核查;书面审查",
    ),
    (
        "JL-2",
        "定量包装商品净含量计量监督检查",
        "《中华人民共和国计量法》《定量包装商品计量监督管理办法》",
        "现场核查;抽样检验",
    ),
    ("JL-3", "能效标识计量专项检查", "《中华人民共和国节约能源法》《能源效率标识管理办法》", "现场核查"),
    (
        "JL-4",
        "计量标准专项监督检查",
        "《中华人民共和国行政许可法》《中华人民共和国计量法》《中华人民共和国计量法实施细则》《计量标准考核办法》",
        "现场核查;书面审查",
    ),
];

fn methods(s: &str) -> Vec<String> {
    s.split(';').map(str::to_owned).collect()
}

fn hunan_item(i: usize) -> NewItem {
    let (name, basis) = HUNAN_ITEMS[i];
    let (qual, method) = HUNAN_DETAILS[i];
    NewItem {
        department_code: PROVINCE_CODE.to_owned(),
        item_code: format!("{:02}", i + 1),
        seq: i as u32 + 1,
        name: name.to_owned(),
        content: format!("依据{basis}开展{name}。"),
        legal_basis: basis.to_owned(),
        qualification: format!("持有行政执法证，具备{qual}专业知识"),
        method: methods(method),
        withdrawn: false,
        effective_from: "2016-09-01".to_owned(),
        published_at: "2016-08-25T09:00:00+08:00".to_owned(),
        correction: None,
    }
}

fn city_item(i: usize) -> NewItem {
    let (code, name, basis, method) = CITY_ITEMS[i];
    NewItem {
        department_code: CITY_CODE.to_owned(),
        item_code: code.to_owned(),
        seq: i as u32 + 1,
        name: name.to_owned(),
        content: format!("{name}：依据{basis}检查。"),
        legal_basis: basis.to_owned(),
        qualification: "持有行政执法证，具备计量专业知识；计量标准检查可邀请计量标准考评员".to_owned(),
        method: methods(method),
        withdrawn: false,
        effective_from: "2021-01-01".to_owned(),
        published_at: "2020-12-20T09:00:00+08:00".to_owned(),
        correction: None,
    }
}

fn district_item(i: usize) -> NewItem {
    let (code, name, qual, content) = DISTRICT_ITEMS[i];
    NewItem {
        department_code: DISTRICT_CODE.to_owned(),
        item_code: code.to_owned(),
        seq: i as u32 + 1,
        name: name.to_owned(),
        content: content.to_owned(),
        legal_basis: DISTRICT_BASES[i].to_owned(),
        qualification: format!("持有行政执法证，具备{qual}检查资格"),
        method: methods("现场核查"),
        withdrawn: false,
        effective_from: "2024-01-01".to_owned(),
        published_at: "2023-12-28T09:00:00+08:00".to_owned(),
        correction: None,
    }
}

/// Every item (first versions), province, city and district.
pub fn items() -> Vec<NewItem> {
    let hunan = (0..HUNAN_ITEMS.len()).map(hunan_item);
    let city = (0..CITY_ITEMS.len()).map(city_item);
    let district = (0..DISTRICT_ITEMS.len()).map(district_item);
    hunan.chain(city).chain(district).collect()
}

/// Corrections of the item lists: new versions that say why.
pub fn item_corrections() -> Vec<NewItem> {
    let mut quantity = hunan_item(4);
    quantity.legal_basis = "《定量包装商品计量监督管理办法》（国家市场监督管理总局令第70号）".to_owned();
    quantity.content = format!("依据{}开展{}。", quantity.legal_basis, quantity.name);
    quantity.effective_from = "2023-06-01".to_owned();
    quantity.published_at = "2023-05-20T09:00:00+08:00".to_owned();
    quantity.correction = Some(Correction {
        reason: "《定量包装商品计量监督管理办法》修订（国家市场监督管理总局令第70号，2023年6月1日施行），更新依据"
            .to_owned(),
    });
    let mut metrology = district_item(4);
    metrology.method = methods("现场核查;抽样检验");
    metrology.effective_from = "2025-01-01".to_owned();
    metrology.published_at = "2024-12-20T09:00:00+08:00".to_owned();
    metrology.correction =
        Some(Correction { reason: "增加抽样检验方式，用于定量包装商品净含量检验".to_owned() });
    vec![quantity, metrology]
}

/// Plan line for a district kind with its number of objects.
fn line(item: &str, stratum: &str, ratio: &str, count: Option<u32>) -> NewPlanLine {
    NewPlanLine {
        item_code: item.to_owned(),
        stratum: stratum.to_owned(),
        ratio: ratio.to_owned(),
        frequency: "每年 1 次".to_owned(),
        object_count: count,
    }
}

fn district_quality_plan(year: i32, published: &str, total: u32) -> NewPlan {
    NewPlan {
        department_code: DISTRICT_CODE.to_owned(),
        plan_code: format!("{DISTRICT_CODE}-{year}-Q"),
        year,
        title: format!("{year}年质量计量标准化“双随机、一公开”抽查计划"),
        scope: format!(
            "辖区内产品质量、食品相关产品获证、工业产品生产许可证获证、检验检测机构、计量、市场类标准、商品条码七类检查对象，\
             检查比例不低于10%，共抽取{total}户企业；举报投诉较多的企业作为重点检查对象。"
        ),
        inspector_requirements:
            "从本局执法检查人员名录库随机选派，每户企业不少于2名检查人员，须具备相应检查资格；有利害关系的应当回避。"
                .to_owned(),
        window_start: format!("{year}-06-01"),
        window_end: format!("{year}-10-01"),
        published_at: published.to_owned(),
        max_inspections_per_year: None,
        min_per_stratum: None,
        lines: DISTRICT_ITEMS[..7].iter().map(|(code, name, _, _)| line(code, name, "≥10%", None)).collect(),
        correction: None,
    }
}

pub fn plans() -> Vec<NewPlan> {
    let risk = NewPlan {
        department_code: DISTRICT_CODE.to_owned(),
        plan_code: format!("{DISTRICT_CODE}-2025-R"),
        year: 2025,
        title: "2025年企业信息公示信用风险分类抽查计划".to_owned(),
        scope: "辖区内企业，按信用风险分类确定抽查比例：A类3%，B类5%，C类10%，D类20%。".to_owned(),
        inspector_requirements: "具备企业信息公示检查资格的执法人员，每户2名。".to_owned(),
        window_start: "2025-09-15".to_owned(),
        window_end: "2025-11-30".to_owned(),
        // Published in April, after the 31 March of 001 art. 15 (for the execution report to find).
        published_at: "2025-04-03T09:00:00+08:00".to_owned(),
        max_inspections_per_year: None,
        min_per_stratum: None,
        lines: vec![
            line("8-info-disclosure", "信用风险低（A类）", "3%", None),
            line("8-info-disclosure", "信用风险一般（B类）", "5%", None),
            line("8-info-disclosure", "信用风险较高（C类）", "10%", None),
            line("8-info-disclosure", "信用风险高（D类）", "20%", None),
        ],
        correction: None,
    };
    let standards = NewPlan {
        department_code: CITY_CODE.to_owned(),
        plan_code: format!("{CITY_CODE}-2024-JL"),
        year: 2024,
        title: "2024年计量标准专项监督检查计划".to_owned(),
        scope: "市级主持考核的计量标准及建标单位；现场监督抽查比例不少于建标单位总数的20%，每个专业计量领域至少抽取1项计量标准。"
            .to_owned(),
        inspector_requirements: "计量专业执法人员，可邀请计量标准考评员参加，每个建标单位不少于2名。".to_owned(),
        window_start: "2024-06-01".to_owned(),
        window_end: "2024-07-31".to_owned(),
        published_at: "2024-03-20T09:00:00+08:00".to_owned(),
        max_inspections_per_year: None,
        // Seed 004: at least one metrology standard of every professional field.
        min_per_stratum: Some(1),
        lines: vec![line("JL-4", "每个专业计量领域为一层", "≥20%", None)],
        correction: None,
    };
    vec![
        district_quality_plan(2024, "2024-03-22T09:00:00+08:00", 60),
        standards,
        district_quality_plan(2025, "2025-03-24T09:00:00+08:00", 70),
        risk,
        district_quality_plan(2026, "2026-03-23T09:00:00+08:00", 70),
    ]
}

/// The 2026 quality plan's window was extended: a corrected plan.
pub fn plan_corrections() -> Vec<NewPlan> {
    let mut plan = district_quality_plan(2026, "2026-05-15T09:00:00+08:00", 70);
    plan.window_end = "2026-12-31".to_owned();
    plan.correction = Some(Correction {
        reason: "抽取时间调整至2026年12月，检查时间相应延长至2026年12月31日".to_owned(),
    });
    vec![plan]
}

/// The district's own execution reports: 2024's agrees with the published
/// data; 2025's claims every drawn enterprise inspected and a lower problem
/// rate than its results show (for the report page to mark).
pub fn declared_reports(results: &[crate::storage::NewResult]) -> Vec<crate::storage::NewDeclaredReport> {
    let of = |prefix: &str| results.iter().filter(|r| r.result_code.starts_with(prefix)).count() as f64;
    let figures = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let report = |year: i64, published: &str, text: &str, pairs: &[(&str, f64)]| crate::storage::NewDeclaredReport {
        department_code: DISTRICT_CODE.to_owned(),
        year,
        title: format!("河朔市东河区市场监督管理局{year}年度“双随机、一公开”抽查计划执行情况"),
        text: text.to_owned(),
        figures: figures(pairs),
        published_at: published.to_owned(),
        correction_reason: None,
    };
    vec![
        report(
            2024,
            "2025-01-21T10:00:00+08:00",
            "2024年，我局按照年度抽查计划，对辖区内产品质量、计量、标准化等七类检查对象开展“双随机、一公开”抽查。\n\
             全年随机抽取企业60户，均已完成检查并在国家企业信用信息公示系统公示检查结果，检查结果公示率100%。\n\
             对发现问题的企业，已依法责令改正或立案查处，并持续跟踪整改情况。",
            &[
                ("plans", 1.0),
                ("draws", 1.0),
                ("drawn", 60.0),
                ("inspected", of("159902-2024-")),
                ("completion_rate", 100.0),
            ],
        ),
        report(
            2025,
            "2026-01-23T10:00:00+08:00",
            "2025年，我局完成产品质量、计量、标准化“双随机、一公开”抽查和企业信息公示信用风险分类抽查。\n\
             全年抽取的企业全部完成检查，检查结果均在规定时限内公示，抽查比例符合年度计划要求。\n\
             检查中发现问题的，均已责令整改，问题发现率为8.0%。",
            &[
                ("plans", 2.0),
                ("draws", 2.0),
                ("inspected", of("159902-2025-")),
                ("completion_rate", 100.0),
                ("problem_rate", 8.0),
                ("on_time_rate", 100.0),
            ],
        ),
    ]
}
