//! Whole lists for people, as spreadsheets (`/export/{list}.csv` and `.xlsx`):
//! column names and values in the visitor's language, codes kept as text.
//! The open-data API (`/api/…`) keeps the field names and stored values for
//! programs; this is its companion for Excel and WPS.

use crate::components::filters::{joined, result_rectification_text};
use crate::i18n::Lang;
use crate::model::{InspectorStatus, ItemStatus};
use crate::types::{DrawSummary, EnterpriseRow, InspectorRow, ItemRow, PlanRow, ResultRow};

/// One cell of an exported row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Words, names and dates.
    Text(String),
    /// An identifier a spreadsheet must not turn into a number (credit codes,
    /// certificate numbers: 18 digits would lose their last three).
    Code(String),
    Number(i64),
    Empty,
}

/// What cells are written with: the language, and the current names of the
/// items that the rows name by code.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub lang: Lang,
    /// Item code → its current name.
    pub item_names: std::collections::BTreeMap<String, String>,
}

/// A column: its name in both languages and how a row gives its cell.
pub struct Column<T> {
    pub zh: &'static str,
    pub en: &'static str,
    pub cell: fn(&T, &Context) -> Cell,
}

impl<T> Column<T> {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

/// A list that can be exported.
pub trait Export: Sized {
    /// The list's name in both languages (the file name and the sheet).
    const TITLE: (&'static str, &'static str);
    /// The list's path segment (`/export/{LIST}.csv`) and the English file name.
    const LIST: &'static str;
    fn columns() -> Vec<Column<Self>>;
}

fn text(s: &str) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, text)
}

fn yes_no(lang: Lang, b: bool) -> Cell {
    Cell::Text(if b { lang.pick("是", "yes") } else { lang.pick("否", "no") }.to_owned())
}

const fn col<T>(zh: &'static str, en: &'static str, cell: fn(&T, &Context) -> Cell) -> Column<T> {
    Column { zh, en, cell }
}

impl Export for ResultRow {
    const TITLE: (&'static str, &'static str) = ("检查结果", "Inspection results");
    const LIST: &'static str = "results";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("企业名称", "Enterprise", |r, _| text(&r.enterprise_name)),
            col("统一社会信用代码", "Unified social credit code", |r, _| Cell::Code(r.credit_code.clone())),
            col("检查部门", "Department", |r, _| text(&r.department)),
            col("检查日期", "Inspected on", |r, _| text(&r.inspected_on)),
            col("检查结果", "Result", |r, c| Cell::Text(r.category.text(c.lang).to_owned())),
            col("检查发现", "Findings", |r, _| text(&r.findings)),
            col("整改情况", "Rectification", |r, c| {
                let l = c.lang;
                Cell::Text(result_rectification_text(l, r.rectification_status, r.penalty_case.as_deref()))
            }),
            col("整改期限", "Rectify by", |r, _| opt(&r.rectification_deadline)),
            col("检查事项", "Items", |r, c| {
                let names: Vec<&str> = r
                    .item_codes
                    .split(';')
                    .map(str::trim)
                    .filter(|code| !code.is_empty())
                    .map(|code| c.item_names.get(code).map_or(code, String::as_str))
                    .collect();
                text(&names.join(c.lang.pick("、", ", ")))
            }),
            col("检查人员执法证号", "Inspectors' certificates", |r, c| {
                Cell::Code(joined(c.lang, &r.inspectors))
            }),
            col("抽取编号", "Draw", |r, _| Cell::Code(r.draw_id.clone())),
            col("结果编号", "Result code", |r, _| Cell::Code(r.result_code.clone())),
            col("版本", "Version", |r, _| Cell::Number(r.version)),
            col("公示时间（北京时间）", "Published (Beijing time)", |r, _| {
                Cell::Text(beijing(&r.published_at))
            }),
            col("更正原因", "Correction reason", |r, _| opt(&r.correction_reason)),
        ]
    }
}

impl Export for EnterpriseRow {
    const TITLE: (&'static str, &'static str) = ("检查对象名录", "Enterprises");
    const LIST: &'static str = "enterprises";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("企业名称", "Name", |e, _| text(&e.name)),
            col("统一社会信用代码", "Unified social credit code", |e, _| Cell::Code(e.credit_code.clone())),
            col("登记部门", "Department", |e, _| text(&e.department)),
            col("地区", "Region", |e, _| text(&e.region)),
            col("行业", "Industry", |e, _| text(&e.industry)),
            col("许可", "Licences", |e, c| text(&joined(c.lang, &e.licences))),
            col("列入经营异常名录", "On the abnormal operations list", |e, c| yes_no(c.lang, e.abnormal)),
            col("列入严重违法失信名单", "On the serious violation list", |e, c| {
                yes_no(c.lang, e.serious_violation)
            }),
            col("已受行政处罚", "Penalised", |e, c| yes_no(c.lang, e.penalised)),
            col("信用风险分类", "Credit risk class", |e, _| text(&e.credit_class)),
            col("版本", "Version", |e, _| Cell::Number(e.version)),
            col("公示时间（北京时间）", "Published (Beijing time)", |e, _| {
                Cell::Text(beijing(&e.published_at))
            }),
            col("更正原因", "Correction reason", |e, _| opt(&e.correction_reason)),
        ]
    }
}

impl Export for InspectorRow {
    const TITLE: (&'static str, &'static str) = ("执法检查人员名录", "Inspectors");
    const LIST: &'static str = "inspectors";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("姓名", "Name", |i, _| text(&i.name)),
            col("执法证号", "Certificate", |i, _| Cell::Code(i.certificate.clone())),
            col("部门", "Department", |i, _| text(&i.department)),
            col("单位", "Unit", |i, _| text(&i.unit)),
            col("岗位", "Post", |i, _| text(&i.post)),
            col("资格", "Qualifications", |i, c| text(&joined(c.lang, &i.qualifications))),
            col("执法证有效期起", "Certificate valid from", |i, _| text(&i.valid_from)),
            col("执法证有效期至", "Certificate valid until", |i, _| text(&i.valid_until)),
            col("执法证已过期", "Certificate expired", |i, c| yes_no(c.lang, i.expired)),
            col("状态", "Status", |i, c| {
                let l = c.lang;
                Cell::Text(
                    match i.status {
                        InspectorStatus::Active => l.pick("在册", "serving"),
                        InspectorStatus::Left => l.pick("已调离", "left the directory"),
                    }
                    .to_owned(),
                )
            }),
            col("版本", "Version", |i, _| Cell::Number(i.version)),
            col("公示时间（北京时间）", "Published (Beijing time)", |i, _| {
                Cell::Text(beijing(&i.published_at))
            }),
            col("更正原因", "Correction reason", |i, _| opt(&i.correction_reason)),
        ]
    }
}

impl Export for PlanRow {
    const TITLE: (&'static str, &'static str) = ("年度检查计划", "Annual plans");
    const LIST: &'static str = "plans";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("年度", "Year", |p, _| Cell::Number(p.year)),
            col("计划名称", "Plan", |p, _| text(&p.title)),
            col("部门", "Department", |p, _| text(&p.department)),
            col("检查对象范围", "Scope", |p, _| text(&p.scope)),
            col("检查人员要求", "Inspector requirements", |p, _| text(&p.inspector_requirements)),
            col("检查开始日期", "Window from", |p, _| text(&p.window_start)),
            col("检查结束日期", "Window until", |p, _| text(&p.window_end)),
            col("计划编号", "Plan code", |p, _| Cell::Code(p.plan_code.clone())),
            col("版本", "Version", |p, _| Cell::Number(p.version)),
            col("公示时间（北京时间）", "Published (Beijing time)", |p, _| {
                Cell::Text(beijing(&p.published_at))
            }),
            col("更正原因", "Correction reason", |p, _| opt(&p.correction_reason)),
        ]
    }
}

impl Export for ItemRow {
    const TITLE: (&'static str, &'static str) = ("随机抽查事项清单", "Inspection items");
    const LIST: &'static str = "items";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("部门", "Department", |i, _| text(&i.department)),
            col("序号", "No.", |i, _| Cell::Number(i.seq)),
            col("抽查事项", "Item", |i, _| text(&i.name)),
            col("检查内容", "What is checked", |i, _| text(&i.content)),
            col("依据", "Legal basis", |i, _| text(&i.legal_basis)),
            col("检查人员资格", "Inspector qualification", |i, _| text(&i.qualification)),
            col("检查方式", "Method", |i, c| text(&joined(c.lang, &i.method))),
            col("状态", "Status", |i, c| {
                let l = c.lang;
                Cell::Text(
                    match i.status {
                        ItemStatus::Active => l.pick("有效", "in force"),
                        ItemStatus::Withdrawn => l.pick("已取消", "withdrawn"),
                    }
                    .to_owned(),
                )
            }),
            col("生效日期", "Effective from", |i, _| text(&i.effective_from)),
            col("事项编号", "Item code", |i, _| Cell::Code(i.item_code.clone())),
            col("版本", "Version", |i, _| Cell::Number(i.version)),
            col("公示时间（北京时间）", "Published (Beijing time)", |i, _| {
                Cell::Text(beijing(&i.published_at))
            }),
            col("更正原因", "Correction reason", |i, _| opt(&i.correction_reason)),
        ]
    }
}

impl Export for DrawSummary {
    const TITLE: (&'static str, &'static str) = ("抽取", "Draws");
    const LIST: &'static str = "draws";
    fn columns() -> Vec<Column<Self>> {
        vec![
            col("抽取日期", "Draw date", |d, _| text(&d.draw_date)),
            col("抽取名称", "Draw", |d, _| text(&d.title)),
            col("部门", "Department", |d, _| text(&d.department)),
            col("状态", "Status", |d, c| Cell::Text(crate::pages::draws::status_text(c.lang, d).to_owned())),
            col("随机源", "Public randomness", |d, c| {
                let l = c.lang;
                Cell::Text(
                    match d.randomness_source.as_str() {
                        "drand-quicknet" => l.pick("drand quicknet 随机信标", "drand quicknet beacon"),
                        "public-numbers" => l.pick("公开开奖号码", "public lottery numbers"),
                        _ => l.pick("演示随机数（不是公共随机信标）", "demo randomness (not a public beacon)"),
                    }
                    .to_owned(),
                )
            }),
            col("承诺值（SHA-256）", "Commitment (SHA-256)", |d, _| Cell::Code(d.commitment.clone())),
            col("承诺时间（北京时间）", "Committed (Beijing time)", |d, _| {
                d.committed_at.as_deref().map_or(Cell::Empty, |t| Cell::Text(beijing(t)))
            }),
            col("结果公布时间（北京时间）", "Result published (Beijing time)", |d, _| {
                d.published_at.as_deref().map_or(Cell::Empty, |t| Cell::Text(beijing(t)))
            }),
            col("抽取编号", "Draw id", |d, _| Cell::Code(d.id.clone())),
        ]
    }
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM:SS` Beijing time (as stored if it does not parse).
fn beijing(rfc3339: &str) -> String {
    crate::view::ShownTime::parse(rfc3339).map_or_else(|| rfc3339.to_owned(), |t| t.beijing)
}

/// The file name of an export, without its extension: the list's name, the
/// filters in force and the day, e.g. `检查结果_2025年_159902_2026-11-30`
/// (ASCII in English: `results_2025_159902_2026-11-30`). Filter values are
/// reduced to letters, digits and CJK characters, so no name can carry a path
/// or a quote.
pub fn file_name<T: Export>(lang: Lang, filters: &[(&str, &str)], today: &str) -> String {
    let mut parts = vec![lang.pick(T::TITLE.0, T::LIST).to_owned()];
    for (key, value) in filters {
        let clean: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || ('\u{4e00}'..='\u{9fff}').contains(c))
            .take(24)
            .collect();
        if clean.is_empty() {
            continue;
        }
        parts.push(match (lang, *key) {
            (Lang::Zh, "year") => format!("{clean}年"),
            _ => clean,
        });
    }
    parts.push(today.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect());
    parts.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_say_the_list_the_filters_and_the_day_and_carry_no_path_or_quote() {
        let f = [("year", "2025"), ("department", "159902")];
        assert_eq!(file_name::<ResultRow>(Lang::Zh, &f, "2026-11-30"), "检查结果_2025年_159902_2026-11-30");
        assert_eq!(file_name::<ResultRow>(Lang::En, &f, "2026-11-30"), "results_2025_159902_2026-11-30");
        let hostile = [("q", "../\"食品\";\r\n<x>"), ("category", "%%")];
        assert_eq!(file_name::<EnterpriseRow>(Lang::Zh, &hostile, "2026-11-30"), "检查对象名录_食品x_2026-11-30");
    }

    #[test]
    fn every_list_names_each_column_in_both_languages() {
        fn check<T: Export>() {
            let columns = T::columns();
            assert!(columns.len() >= 8, "{}", T::LIST);
            for c in &columns {
                assert!(c.zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{}", c.zh);
                assert!(c.en.is_ascii(), "{}", c.en);
            }
        }
        check::<ResultRow>();
        check::<EnterpriseRow>();
        check::<InspectorRow>();
        check::<PlanRow>();
        check::<ItemRow>();
        check::<DrawSummary>();
    }
}
