//! The columns of each kind of import file and how a record becomes a row of
//! a [`Batch`]. Every record is checked; a batch is built only when no record
//! has a problem.

use std::collections::BTreeMap;

use crate::storage::{
    Batch, Level, NewDepartment, NewEnterprise, NewInspector, NewItem, NewPlan, NewPlanLine, NewResult, Rectification,
    ResultCategory,
};

use super::fields::{Fields, Problems};
use super::source::{Record, Value};

/// Where a row of the batch came from: its line, and for a plan the line of
/// each of its lines (CSV) or of the plan (JSON).
#[derive(Debug, Clone)]
pub struct Origin {
    pub line: u64,
    pub nested: Vec<u64>,
}

/// The columns of one kind: all known names and the required ones.
pub struct Columns {
    pub all: &'static [&'static str],
    pub required: &'static [&'static str],
    /// JSON only: a nested array of objects and its fields.
    pub nested: Option<(&'static str, &'static [&'static str])>,
}

pub const DEPARTMENTS: Columns = Columns {
    all: &["code", "name", "level", "parent_code", "published_at"],
    required: &["code", "name", "level"],
    nested: None,
};

pub const ITEMS: Columns = Columns {
    all: &[
        "department_code",
        "item_code",
        "seq",
        "name",
        "content",
        "legal_basis",
        "qualification",
        "method",
        "withdrawn",
        "effective_from",
        "published_at",
        "correction_reason",
    ],
    required: &["department_code", "item_code", "seq", "name", "content", "legal_basis", "effective_from"],
    nested: None,
};

pub const INSPECTORS: Columns = Columns {
    all: &[
        "department_code",
        "certificate",
        "name",
        "unit",
        "post",
        "qualifications",
        "valid_from",
        "valid_until",
        "conflicts",
        "left",
        "published_at",
        "correction_reason",
    ],
    required: &["department_code", "certificate", "name", "unit", "valid_from", "valid_until"],
    nested: None,
};

pub const ENTERPRISES: Columns = Columns {
    all: &[
        "credit_code",
        "name",
        "department_code",
        "region",
        "industry",
        "licences",
        "abnormal",
        "serious_violation",
        "penalised",
        "credit_class",
        "published_at",
        "correction_reason",
    ],
    required: &["credit_code", "name", "department_code", "region", "industry", "credit_class"],
    nested: None,
};

const PLAN_FIELDS: [&str; 12] = [
    "plan_code",
    "department_code",
    "year",
    "title",
    "scope",
    "inspector_requirements",
    "window_start",
    "window_end",
    "published_at",
    "correction_reason",
    "max_inspections_per_year",
    "min_per_stratum",
];
const PLAN_LINE_FIELDS: [&str; 5] = ["item_code", "stratum", "ratio", "frequency", "object_count"];

/// Plans in CSV: one row per plan line, the plan's columns repeated (or left
/// empty) on its further rows.
pub const PLANS_CSV: Columns = Columns {
    all: &[
        "plan_code",
        "department_code",
        "year",
        "title",
        "scope",
        "inspector_requirements",
        "window_start",
        "window_end",
        "published_at",
        "correction_reason",
        "max_inspections_per_year",
        "min_per_stratum",
        "item_code",
        "stratum",
        "ratio",
        "frequency",
        "object_count",
    ],
    required: &["plan_code", "item_code", "stratum", "ratio", "frequency"],
    nested: None,
};

/// Plans in JSON: one object per plan with its `lines`.
pub const PLANS_JSON: Columns =
    Columns { all: &PLAN_FIELDS, required: &[], nested: Some(("lines", &PLAN_LINE_FIELDS)) };

pub const RESULTS: Columns = Columns {
    all: &[
        "result_code",
        "draw_id",
        "credit_code",
        "enterprise_name",
        "department_code",
        "item_codes",
        "inspectors",
        "inspected_on",
        "reported_on",
        "delivered_on",
        "entered_on",
        "category",
        "findings",
        "rectification_deadline",
        "rectification",
        "penalty_case",
        "published_at",
        "correction_reason",
    ],
    required: &[
        "draw_id",
        "credit_code",
        "enterprise_name",
        "department_code",
        "item_codes",
        "inspectors",
        "inspected_on",
        "reported_on",
        "category",
    ],
    nested: None,
};

/// Chinese column names accepted in CSV headers, as (Chinese, column). A name
/// listed for two columns means the first of them that the kind has.
const ALIASES: &[(&str, &str)] = &[
    ("代码", "code"),
    ("部门代码", "department_code"),
    ("上级部门代码", "parent_code"),
    ("上级代码", "parent_code"),
    ("层级", "level"),
    ("级别", "level"),
    ("名称", "name"),
    ("姓名", "name"),
    ("部门名称", "name"),
    ("事项名称", "name"),
    ("抽查事项名称", "name"),
    ("企业名称", "enterprise_name"),
    ("企业名称", "name"),
    ("事项代码", "item_code"),
    ("事项编码", "item_code"),
    ("序号", "seq"),
    ("检查内容", "content"),
    ("依据", "legal_basis"),
    ("检查依据", "legal_basis"),
    ("检查人员资格限制", "qualification"),
    ("检查方式", "method"),
    ("已废止", "withdrawn"),
    ("生效日期", "effective_from"),
    ("公布时间", "published_at"),
    ("公布日期", "published_at"),
    ("更正原因", "correction_reason"),
    ("执法证号", "certificate"),
    ("单位", "unit"),
    ("所属单位", "unit"),
    ("岗位", "post"),
    ("执法资格", "qualifications"),
    ("资格", "qualifications"),
    ("有效期起", "valid_from"),
    ("有效期止", "valid_until"),
    ("利害关系企业", "conflicts"),
    ("已调离", "left"),
    ("统一社会信用代码", "credit_code"),
    ("地区", "region"),
    ("所在地区", "region"),
    ("行业", "industry"),
    ("许可证", "licences"),
    ("经营异常名录", "abnormal"),
    ("严重违法失信名单", "serious_violation"),
    ("已受行政处罚", "penalised"),
    ("信用风险分类", "credit_class"),
    ("计划编号", "plan_code"),
    ("年度", "year"),
    ("计划名称", "title"),
    ("标题", "title"),
    ("抽查范围", "scope"),
    ("检查人员要求", "inspector_requirements"),
    ("开始日期", "window_start"),
    ("结束日期", "window_end"),
    ("分层", "stratum"),
    ("抽查对象", "stratum"),
    ("抽查比例", "ratio"),
    ("抽查频次", "frequency"),
    ("计划对象数", "object_count"),
    ("每户年度抽查次数上限", "max_inspections_per_year"),
    ("每层至少抽取数", "min_per_stratum"),
    ("结果编号", "result_code"),
    ("抽取编号", "draw_id"),
    ("检查事项", "item_codes"),
    ("检查人员", "inspectors"),
    ("检查日期", "inspected_on"),
    ("报告日期", "reported_on"),
    ("送达日期", "delivered_on"),
    ("录入日期", "entered_on"),
    ("检查结果", "category"),
    ("结果类别", "category"),
    ("发现问题", "findings"),
    ("整改期限", "rectification_deadline"),
    ("整改情况", "rectification"),
    ("处罚案件", "penalty_case"),
];

/// The Chinese header names a kind accepts.
pub fn aliases(columns: &Columns) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for &(zh, column) in ALIASES {
        if columns.all.contains(&column) && !out.iter().any(|(z, _)| *z == zh) {
            out.push((zh, column));
        }
    }
    out
}

/// Reports a key seen on an earlier line of the same file.
fn duplicate(seen: &mut BTreeMap<String, u64>, key: String, f: &mut Fields<'_>, field: &str) {
    if key.is_empty() {
        return;
    }
    let line = f.line();
    if let Some(first) = seen.insert(key.clone(), line) {
        seen.insert(key.clone(), first);
        f.report(
            field,
            format!("{key} 与第 {first} 行重复；每个记录在一个文件中只能出现一次 / {key} repeats line {first}; a record may appear once per file"),
        );
    }
}

/// Checks that `from` is not after `until` (both valid dates compare as text).
fn ordered(f: &mut Fields<'_>, from: (&str, &str), until: (&str, &str)) {
    let ok = |d: &str| draw::id::check_date(d).is_ok();
    if ok(from.1) && ok(until.1) && from.1 > until.1 {
        f.report(
            until.0,
            format!("{} 早于 {} {} / {} is before {} {}", until.1, from.0, from.1, until.1, from.0, from.1),
        );
    }
}

/// Builds the batch of one kind from the records, or reports problems.
pub fn build(kind: Kind, records: &[Record], problems: &mut Problems, now: &str) -> (Option<Batch>, Vec<Origin>) {
    let before = problems.list.len();
    let mut origins = Vec::new();
    let mut seen = BTreeMap::new();
    let simple = |r: &Record| Origin { line: r.line, nested: Vec::new() };
    macro_rules! rows {
        ($f:ident, $body:expr) => {{
            let mut rows = Vec::new();
            for record in records {
                let mut $f = Fields { record, problems: &mut *problems, now, prefix: String::new() };
                let row = $body;
                rows.push(row);
                origins.push(simple(record));
            }
            rows
        }};
    }
    let batch = match kind {
        Kind::Departments => Batch::Departments(rows!(f, department(&mut f, &mut seen))),
        Kind::Items => Batch::Items(rows!(f, item(&mut f, &mut seen))),
        Kind::Inspectors => Batch::Inspectors(rows!(f, inspector(&mut f, &mut seen))),
        Kind::Enterprises => {
            Batch::Enterprises(rows!(f, enterprise(&mut f, &mut seen)).into_iter().flatten().collect())
        }
        Kind::Results => Batch::Results(rows!(f, result(&mut f, &mut seen)).into_iter().flatten().collect()),
        Kind::PlansCsv => {
            let (plans, o) = plans_from_rows(records, problems, now);
            origins = o;
            Batch::Plans(plans)
        }
        Kind::PlansJson => Batch::Plans(rows!(f, plan_from_object(&mut f, &mut seen))),
    };
    if problems.list.len() > before || records.is_empty() {
        return (None, origins);
    }
    (Some(batch), origins)
}

/// The kinds of [`Batch`] files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Departments,
    Items,
    Inspectors,
    Enterprises,
    PlansCsv,
    PlansJson,
    Results,
}

fn department(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> NewDepartment {
    let code = f.required("code");
    duplicate(seen, code.clone(), f, "code");
    let name = f.required("name");
    let level = match f.choice(
        "level",
        &[&["province", "省", "省级"], &["city", "市", "市级"], &["district", "区", "县", "区县", "区县级"]],
    ) {
        Some(0) => Level::Province,
        Some(1) => Level::City,
        _ => Level::District,
    };
    let parent_code = f.optional("parent_code");
    if parent_code.as_deref() == Some(code.as_str()) {
        f.report("parent_code", "上级部门不能是自己 / a department cannot be its own parent");
    }
    NewDepartment { code, name, level, parent_code, published_at: f.published_at() }
}

fn item(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> NewItem {
    let department_code = f.required("department_code");
    let item_code = f.required("item_code");
    duplicate(seen, format!("{department_code} {item_code}"), f, "item_code");
    NewItem {
        department_code,
        item_code,
        seq: f.number("seq", true).unwrap_or(0),
        name: f.required("name"),
        content: f.required("content"),
        legal_basis: f.required("legal_basis"),
        qualification: f.text("qualification"),
        method: f.list("method"),
        withdrawn: f.flag("withdrawn"),
        effective_from: f.date("effective_from"),
        published_at: f.published_at(),
        correction: f.correction(),
    }
}

fn inspector(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> NewInspector {
    let department_code = f.required("department_code");
    let certificate = f.required("certificate");
    if !certificate.is_empty()
        && let Err(e) = draw::id::check_certificate(&certificate)
    {
        f.report("certificate", e);
    }
    duplicate(seen, certificate.clone(), f, "certificate");
    let name = f.required("name");
    let unit = f.required("unit");
    let valid_from = f.date("valid_from");
    let valid_until = f.date("valid_until");
    ordered(f, ("valid_from", &valid_from), ("valid_until", &valid_until));
    NewInspector {
        department_code,
        certificate,
        name,
        unit,
        post: f.text("post"),
        qualifications: f.list("qualifications"),
        valid_from,
        valid_until,
        conflicts: f.credit_codes("conflicts"),
        left: f.flag("left"),
        published_at: f.published_at(),
        correction: f.correction(),
    }
}

fn enterprise(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> Option<NewEnterprise> {
    let credit_code = f.credit_code("credit_code");
    if let Some(code) = &credit_code {
        duplicate(seen, code.to_string(), f, "credit_code");
    }
    let name = f.required("name");
    let department_code = f.required("department_code");
    let region = f.required("region");
    let industry = f.required("industry");
    let licences = f.list("licences");
    let abnormal = f.flag("abnormal");
    let serious_violation = f.flag("serious_violation");
    let penalised = f.flag("penalised");
    let credit_class = match f.choice("credit_class", &[&["A", "A类"], &["B", "B类"], &["C", "C类"], &["D", "D类"]])
    {
        Some(k) => ['A', 'B', 'C', 'D'][k],
        None => 'A',
    };
    let published_at = f.published_at();
    let correction = f.correction();
    Some(NewEnterprise {
        credit_code: credit_code?,
        name,
        department_code,
        region,
        industry,
        licences,
        abnormal,
        serious_violation,
        penalised,
        credit_class,
        published_at,
        correction,
    })
}

const RECTIFICATION: [&[&str]; 4] =
    [&["none", "无"], &["pending", "整改中"], &["done", "已整改"], &["overdue", "逾期未整改"]];

fn result(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> Option<NewResult> {
    let draw_id = f.required("draw_id");
    let credit_code = f.credit_code("credit_code");
    let result_code = match f.optional("result_code") {
        Some(code) => code,
        None => format!("{draw_id}-{}", credit_code.as_ref().map(|c| c.as_str()).unwrap_or_default()),
    };
    duplicate(seen, result_code.clone(), f, "result_code");
    let enterprise_name = f.required("enterprise_name");
    let department_code = f.required("department_code");
    let item_codes = f.list("item_codes");
    if item_codes.is_empty() {
        f.report("item_codes", "至少一个抽查事项 / at least one item is required");
    }
    let inspectors = f.list("inspectors");
    if inspectors.is_empty() {
        f.report("inspectors", "至少一名检查人员 / at least one inspector is required");
    }
    let inspected_on = f.date("inspected_on");
    let reported_on = f.date("reported_on");
    ordered(f, ("inspected_on", &inspected_on), ("reported_on", &reported_on));
    let delivered_on = f.optional_date("delivered_on");
    let entered_on = f.optional_date("entered_on");
    let category_text = f.required("category");
    let category = ResultCategory::parse(&category_text).unwrap_or_else(|| {
        if !category_text.is_empty() {
            let all = ResultCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("，");
            f.report(
                "category",
                format!(
                    "“{category_text}” 不是检查结果类别之一（{all}）/ '{category_text}' is not one of the result categories ({all})"
                ),
            );
        }
        ResultCategory::NoProblem
    });
    let findings = f.text("findings");
    let rectification_deadline = f.optional_date("rectification_deadline");
    let rectification = if f.text("rectification").is_empty() {
        Rectification::None
    } else {
        match f.choice("rectification", &RECTIFICATION) {
            Some(1) => Rectification::Pending,
            Some(2) => Rectification::Done,
            Some(3) => Rectification::Overdue,
            _ => Rectification::None,
        }
    };
    let penalty_case = f.optional("penalty_case");
    let published_at = f.published_at();
    let correction = f.correction();
    Some(NewResult {
        result_code,
        draw_id,
        credit_code: credit_code?,
        enterprise_name,
        department_code,
        item_codes,
        inspectors,
        inspected_on,
        reported_on,
        delivered_on,
        entered_on,
        category,
        findings,
        rectification_deadline,
        rectification,
        penalty_case,
        published_at,
        correction,
    })
}

/// The plan fields of a record (a CSV row or a JSON object).
fn plan_head(f: &mut Fields<'_>) -> NewPlan {
    let plan_code = f.required("plan_code");
    let department_code = f.required("department_code");
    let year: i32 = f.number("year", true).unwrap_or(0);
    if year != 0 && !(1900..=9999).contains(&year) {
        f.report("year", format!("年度 {year} 无效 / year {year} is not valid"));
    }
    let title = f.required("title");
    let scope = f.required("scope");
    let inspector_requirements = f.text("inspector_requirements");
    let window_start = f.date("window_start");
    let window_end = f.date("window_end");
    ordered(f, ("window_start", &window_start), ("window_end", &window_end));
    let max_inspections_per_year = at_least_one(f, "max_inspections_per_year");
    let min_per_stratum = at_least_one(f, "min_per_stratum");
    NewPlan {
        department_code,
        plan_code,
        year,
        title,
        scope,
        inspector_requirements,
        window_start,
        window_end,
        published_at: f.published_at(),
        max_inspections_per_year,
        min_per_stratum,
        lines: Vec::new(),
        correction: f.correction(),
    }
}

/// An optional plan setting: a whole number of at least 1.
fn at_least_one(f: &mut Fields<'_>, name: &str) -> Option<u32> {
    let n: Option<u32> = f.number(name, false);
    if n == Some(0) {
        f.report(name, "应为不小于 1 的整数，或留空 / must be a whole number of at least 1, or empty");
        return None;
    }
    n
}

fn plan_line(f: &mut Fields<'_>) -> NewPlanLine {
    NewPlanLine {
        item_code: f.required("item_code"),
        stratum: f.required("stratum"),
        ratio: f.required("ratio"),
        frequency: f.required("frequency"),
        object_count: f.number("object_count", false),
    }
}

fn plan_from_object(f: &mut Fields<'_>, seen: &mut BTreeMap<String, u64>) -> NewPlan {
    let mut plan = plan_head(f);
    duplicate(seen, plan.plan_code.clone(), f, "plan_code");
    if let Some(Value::Records(lines)) = f.record.fields.get("lines") {
        for (k, line) in lines.iter().enumerate() {
            let mut lf =
                Fields { record: line, problems: &mut *f.problems, now: f.now, prefix: format!("lines[{k}].") };
            plan.lines.push(plan_line(&mut lf));
        }
    }
    if plan.lines.is_empty() {
        f.report("lines", "计划至少要有一行抽查事项 / a plan needs at least one line");
    }
    plan
}

/// Groups CSV rows by `plan_code` (in order of first appearance). The plan's
/// columns come from its first row; on further rows they may be left empty,
/// and if given must be the same.
fn plans_from_rows(records: &[Record], problems: &mut Problems, now: &str) -> (Vec<NewPlan>, Vec<Origin>) {
    let mut plans: Vec<NewPlan> = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    let mut first_rows: Vec<&Record> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for record in records {
        let mut f = Fields { record, problems: &mut *problems, now, prefix: String::new() };
        let code = f.required("plan_code");
        let line = plan_line(&mut f);
        match index.get(&code) {
            Some(&k) => {
                let first = first_rows[k];
                for name in PLAN_FIELDS.iter().filter(|n| **n != "plan_code") {
                    let here = text_of(record, name);
                    let there = text_of(first, name);
                    if !here.is_empty() && here != there {
                        f.report(
                            name,
                            format!(
                                "与本计划第一行（第 {} 行）的 “{there}” 不同；同一计划的各行此列应相同或留空 / differs from '{there}' on the plan's first line ({}); the rows of one plan must repeat it or leave it empty",
                                first.line, first.line
                            ),
                        );
                    }
                }
                plans[k].lines.push(line);
                origins[k].nested.push(record.line);
            }
            None => {
                let mut plan = plan_head(&mut f);
                plan.lines.push(line);
                index.insert(code, plans.len());
                plans.push(plan);
                first_rows.push(record);
                origins.push(Origin { line: record.line, nested: vec![record.line] });
            }
        }
    }
    (plans, origins)
}

fn text_of<'a>(record: &'a Record, name: &str) -> &'a str {
    match record.fields.get(name) {
        Some(Value::Text(t)) => t,
        _ => "",
    }
}
