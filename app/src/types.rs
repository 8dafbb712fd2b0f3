//! Types shared by the server (storage, API) and the browser (pages).

use serde::{Deserialize, Serialize};

pub use crate::model::{
    DrawStatus, ExclusionReason, InspectorStatus, ItemStatus, Level, Outcome, Position, Rectification, ResultCategory,
};

/// A commitment published before the randomness existed (draw not made yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StoredCommitment {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub summary: DrawSummary,
    /// The committed DrawInput exactly as published.
    pub input_json: String,
}

/// One published draw, as listed on the home page and by `/api/draws`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DrawSummary {
    pub id: String,
    pub department: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub draw_date: String,
    /// SHA-256 commitment, lowercase hex.
    pub commitment: String,
    /// When the commitment was published (RFC 3339), if recorded.
    pub committed_at: Option<String>,
    /// When the result was published (RFC 3339); `None` while the draw awaits its randomness.
    pub published_at: Option<String>,
    /// Kind of public randomness: `drand-quicknet`, `public-numbers` or `demo`.
    pub randomness_source: String,
    /// Drawn, or awaiting its randomness (committed, randomness not yet known or draw not yet made).
    pub status: DrawStatus,
}

impl DrawSummary {
    /// Demo randomness is chosen by the publisher, not a public beacon.
    pub fn is_demo(&self) -> bool {
        self.randomness_source == "demo"
    }

    /// Committed, but the randomness is not known yet (or the draw is not made yet).
    pub fn is_awaiting(&self) -> bool {
        self.status == DrawStatus::AwaitingRandomness
    }
}

/// A stored draw: its summary and the exact record JSON that was published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StoredDraw {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub summary: DrawSummary,
    pub record_json: String,
}

// ---------------------------------------------------------------------------
// The portal's lists (pages, `/api/…` JSON and CSV)
// ---------------------------------------------------------------------------

/// Rows per page when the address does not say.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// Most rows one page (or one JSON/CSV download) may ask for.
pub const MAX_PER_PAGE: u32 = 1000;
/// Lists count their rows up to this many; beyond it the total is shown as "more than".
pub const COUNT_CAP: u64 = 10_000;

/// The filters and the page of a list, exactly as in the address (`?q=…&page=2`).
///
/// Every field is text so that an empty form field (`?year=`) means "no filter"
/// instead of an error; the accessors below clean the values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListQuery {
    /// Search text: a name (substring) or a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Department code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
    /// Inspector's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Inspector's qualification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
    /// Draw status (`drawn`, `awaiting_randomness`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Result category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Rectification status (`none`, `pending`, `done`, `overdue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<String>,
    /// Walking a whole list (exports, `next_after` of the previous answer):
    /// the rows published before this position, newest first, instead of a page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

fn clean(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListQuery {
    pub fn q(&self) -> Option<&str> {
        clean(&self.q)
    }
    pub fn department(&self) -> Option<&str> {
        clean(&self.department)
    }
    pub fn year(&self) -> Option<i64> {
        clean(&self.year).and_then(|y| y.parse().ok())
    }
    pub fn unit(&self) -> Option<&str> {
        clean(&self.unit)
    }
    pub fn qualification(&self) -> Option<&str> {
        clean(&self.qualification)
    }
    pub fn status(&self) -> Option<&str> {
        clean(&self.status)
    }
    pub fn item(&self) -> Option<&str> {
        clean(&self.item)
    }
    pub fn category(&self) -> Option<&str> {
        clean(&self.category)
    }
    pub fn rectification(&self) -> Option<&str> {
        clean(&self.rectification)
    }
    /// 1-based page number (1 when missing or invalid).
    pub fn page(&self) -> u32 {
        clean(&self.page).and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1)
    }
    /// Rows per page, within 1..=[`MAX_PER_PAGE`].
    /// The position to walk the list from (see [`ListQuery::after`]), if given and a whole number.
    pub fn after(&self) -> Option<i64> {
        clean(&self.after).and_then(|a| a.parse::<i64>().ok()).filter(|a| *a >= 0)
    }
    pub fn per_page(&self) -> u32 {
        clean(&self.per_page).and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE)
    }
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page() - 1) * u64::from(self.per_page())
    }

    /// Builds a query from the pairs of an address's query string (already decoded).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = ListQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_owned());
            match k {
                "q" => q.q = v,
                "department" => q.department = v,
                "year" => q.year = v,
                "unit" => q.unit = v,
                "qualification" => q.qualification = v,
                "status" => q.status = v,
                "item" => q.item = v,
                "category" => q.category = v,
                "rectification" => q.rectification = v,
                "page" => q.page = v,
                "per_page" => q.per_page = v,
                "after" => q.after = v,
                _ => {}
            }
        }
        q
    }

    /// The non-empty filters as `(name, value)`, in a fixed order (page and per_page excluded).
    pub fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", self.q()),
            ("department", self.department()),
            ("year", clean(&self.year)),
            ("unit", self.unit()),
            ("qualification", self.qualification()),
            ("status", self.status()),
            ("item", self.item()),
            ("category", self.category()),
            ("rectification", self.rectification()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }

    /// The query string (with `?`, or empty) of this list at `page`: its
    /// filters, a non-default `per_page`, and the page when it is not the first.
    pub fn href_query(&self, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = self.filters().into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        if self.per_page() != DEFAULT_PER_PAGE {
            pairs.push(("per_page", self.per_page().to_string()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
        format!("?{}", joined.join("&"))
    }
}

/// Percent-encodes a query-string value (UTF-8; unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Matching rows, counted up to [`COUNT_CAP`] (then `total_is_lower_bound`).
    pub total: u64,
    /// `true` when there are more than `total` rows.
    pub total_is_lower_bound: bool,
    pub rows: Vec<T>,
    /// When walking with `after`: the position to ask for next (`None`: the list is done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

impl<T> Paged<T> {
    /// Number of pages known (at least 1).
    pub fn pages(&self) -> u32 {
        let per = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
    }
    /// Whether a next page exists.
    pub fn has_next(&self) -> bool {
        self.page < self.pages() || (self.total_is_lower_bound && self.rows.len() as u32 == self.per_page)
    }
}

/// A department (province → city → district).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Department {
    /// Permalink key; departments created only by a draw may lack one.
    pub code: Option<String>,
    pub name: String,
    /// When known.
    pub level: Option<Level>,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// Current, not withdrawn items of its list.
    pub item_count: i64,
}

/// One version of an item of a department's 随机抽查事项清单.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ItemRow {
    pub department_code: Option<String>,
    pub department: String,
    pub item_code: String,
    pub version: i64,
    pub seq: i64,
    pub name: String,
    pub content: String,
    pub legal_basis: String,
    pub qualification: String,
    /// Methods separated by `;`.
    pub method: String,
    pub status: ItemStatus,
    pub effective_from: String,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// One version of an inspector of the 执法检查人员名录库.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InspectorRow {
    pub department_code: Option<String>,
    pub department: String,
    pub certificate: String,
    pub version: i64,
    pub name: String,
    pub unit: String,
    pub post: String,
    /// Separated by `;`.
    pub qualifications: String,
    pub valid_from: String,
    pub valid_until: String,
    /// The certificate's validity ended before today (Beijing date).
    pub expired: bool,
    pub status: InspectorStatus,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// One version of an enterprise of the 检查对象名录库.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EnterpriseRow {
    pub credit_code: String,
    pub version: i64,
    pub name: String,
    pub department_code: Option<String>,
    pub department: String,
    pub region: String,
    pub industry: String,
    /// Separated by `;`.
    pub licences: String,
    /// On the 经营异常名录.
    pub abnormal: bool,
    /// On the 严重违法失信企业名单.
    pub serious_violation: bool,
    pub penalised: bool,
    /// `A`…`D`.
    pub credit_class: String,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// One version of an annual plan (年度检查计划).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PlanRow {
    pub plan_code: String,
    pub version: i64,
    pub year: i64,
    pub department_code: Option<String>,
    pub department: String,
    pub title: String,
    pub scope: String,
    pub inspector_requirements: String,
    pub window_start: String,
    pub window_end: String,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// One line of a plan version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PlanLineRow {
    pub version: i64,
    pub line: i64,
    pub item_code: String,
    /// Name of the item (current version), when it is on the department's list.
    pub item_name: Option<String>,
    pub stratum: String,
    pub ratio: String,
    pub frequency: String,
    pub object_count: Option<i64>,
}

/// A plan: every version (newest first) with its lines, and the draws made under it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub versions: Vec<PlanRow>,
    pub lines: Vec<PlanLineRow>,
    pub draws: Vec<DrawSummary>,
}

/// One version of an inspection result (检查结果).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ResultRow {
    pub result_code: String,
    pub version: i64,
    pub draw_id: String,
    pub credit_code: String,
    /// As at the inspection.
    pub enterprise_name: String,
    pub department_code: Option<String>,
    pub department: String,
    pub year: i64,
    /// Separated by `;`.
    pub item_codes: String,
    /// Certificates, separated by `;`.
    pub inspectors: String,
    pub inspected_on: String,
    pub reported_on: String,
    pub delivered_on: Option<String>,
    pub entered_on: Option<String>,
    pub category: ResultCategory,
    pub findings: String,
    pub rectification_deadline: Option<String>,
    pub rectification_status: Rectification,
    pub penalty_case: Option<String>,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// An enterprise in one completed draw (its row of `draw_objects`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DrawObjectRow {
    pub draw_id: String,
    pub title: String,
    pub draw_date: String,
    pub department: String,
    pub stratum: String,
    pub outcome: Outcome,
    pub position: Option<Position>,
    /// When selected: the team's certificates, separated by `;`.
    pub team: Option<String>,
    /// When excluded: why.
    pub exclusion_reason: Option<ExclusionReason>,
}

/// A public recusal (回避) of a draw, with the names the directories give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RecusalRow {
    pub draw_id: String,
    pub draw_title: String,
    pub credit_code: String,
    /// The enterprise's current name in the directory, when it is there.
    pub enterprise: Option<String>,
    /// Certificate of the inspector who recused, and their name.
    pub inspector: String,
    pub inspector_name: Option<String>,
    /// Certificate of the inspector drawn in their place, and their name.
    pub replacement: String,
    pub replacement_name: Option<String>,
    pub reason: String,
    pub date: String,
}

/// An enterprise's own page: every version, every draw, every result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseDetail {
    /// Newest first; the first is current.
    pub versions: Vec<EnterpriseRow>,
    /// Newest draw first.
    pub draws: Vec<DrawObjectRow>,
    /// Current versions, newest inspection first.
    pub results: Vec<ResultRow>,
    /// Public recusals from inspecting it, newest first.
    #[serde(default)]
    pub recusals: Vec<RecusalRow>,
}

/// A department's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentDetail {
    pub department: Department,
    pub children: Vec<Department>,
    /// Current versions of its items, by list order.
    pub items: Vec<ItemRow>,
}

/// The latest publications, for the home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latest {
    pub draws: Vec<DrawSummary>,
    pub results: Vec<ResultRow>,
    pub plans: Vec<PlanRow>,
}

/// A year's figures across the whole portal (current versions of the results), for the home page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearFigures {
    pub year: i64,
    /// Draws made (results published) in the year.
    pub draws: u64,
    /// Published inspection results of inspections in the year.
    pub results: u64,
    /// Of those, results in a category with a problem (发现问题).
    pub problems: u64,
    /// Results with a rectification to make (done, pending or overdue).
    pub rectifications: u64,
    /// Of those, rectified.
    pub rectified: u64,
}

/// What the home page shows beyond the latest publications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Home {
    pub latest: Latest,
    /// This year's figures, then last year's.
    pub figures: Vec<YearFigures>,
    /// The next draw awaiting its randomness: the one whose randomness comes first.
    pub next_draw: Option<crate::view::CommitmentView>,
}

/// The publication log's public facts (docs/LOG.md), shown on `/log`: its
/// origin and the verifier key its checkpoints are signed with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogIdentity {
    pub origin: String,
    /// signed-note verifier key: `<origin>+<key id>+<base64 public key>`.
    pub verifier_key: String,
    /// The witnesses' verifier keys (cosignature/v1), and how many of them a
    /// reader's browser requires on a checkpoint.
    pub witnesses: Vec<String>,
    pub quorum: usize,
}

/// A publication's entry in the publication log (docs/LOG.md): its leaf index
/// (from 0) and its exact text, which the page's check hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryView {
    pub index: u64,
    pub entry: String,
    /// Each witness's earliest cosignature of a checkpoint holding the entry:
    /// (witness name, Unix seconds as the witness signed it), by name.
    pub cosigned: Vec<(String, i64)>,
}

/// Who runs this deployment, as a government site's footer says (configured per
/// deployment; a field not configured is shown as not configured).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteIdentity {
    /// 主办单位: the publishing department.
    pub publisher: Option<String>,
    /// 联系方式: telephone, e-mail or address.
    pub contact: Option<String>,
    /// ICP备案号.
    pub icp: Option<String>,
    /// 公安机关备案号.
    pub police_filing: Option<String>,
    /// 网站标识码 (government website identifier).
    pub site_code: Option<String>,
}

/// The current name of an item, by department and code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ItemName {
    pub department_code: String,
    pub item_code: String,
    pub name: String,
}

// The fields of each list row, in order (CSV columns, the open-data page).

impl DrawSummary {
    pub const FIELDS: &'static [&'static str] = &[
        "id",
        "department",
        "title",
        "draw_date",
        "commitment",
        "committed_at",
        "published_at",
        "randomness_source",
        "status",
    ];
}

impl Department {
    pub const FIELDS: &'static [&'static str] = &["code", "name", "level", "parent_code", "parent_name", "item_count"];
}

impl ItemRow {
    pub const FIELDS: &'static [&'static str] = &[
        "department_code",
        "department",
        "item_code",
        "version",
        "seq",
        "name",
        "content",
        "legal_basis",
        "qualification",
        "method",
        "status",
        "effective_from",
        "published_at",
        "correction_reason",
    ];
}

impl InspectorRow {
    pub const FIELDS: &'static [&'static str] = &[
        "department_code",
        "department",
        "certificate",
        "version",
        "name",
        "unit",
        "post",
        "qualifications",
        "valid_from",
        "valid_until",
        "expired",
        "status",
        "published_at",
        "correction_reason",
    ];
}

impl EnterpriseRow {
    pub const FIELDS: &'static [&'static str] = &[
        "credit_code",
        "version",
        "name",
        "department_code",
        "department",
        "region",
        "industry",
        "licences",
        "abnormal",
        "serious_violation",
        "penalised",
        "credit_class",
        "published_at",
        "correction_reason",
    ];
}

impl PlanRow {
    pub const FIELDS: &'static [&'static str] = &[
        "plan_code",
        "version",
        "year",
        "department_code",
        "department",
        "title",
        "scope",
        "inspector_requirements",
        "window_start",
        "window_end",
        "published_at",
        "correction_reason",
    ];
}

impl ResultRow {
    pub const FIELDS: &'static [&'static str] = &[
        "result_code",
        "version",
        "draw_id",
        "credit_code",
        "enterprise_name",
        "department_code",
        "department",
        "year",
        "item_codes",
        "inspectors",
        "inspected_on",
        "reported_on",
        "delivered_on",
        "entered_on",
        "category",
        "findings",
        "rectification_deadline",
        "rectification_status",
        "penalty_case",
        "published_at",
        "correction_reason",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_form_fields_are_no_filters() {
        let q = ListQuery::from_pairs([("year", ""), ("q", "  "), ("department", "150102"), ("page", "x")]);
        assert_eq!(q.year(), None);
        assert_eq!(q.q(), None);
        assert_eq!(q.page(), 1);
        assert_eq!(q.filters(), [("department", "150102")]);
    }

    #[test]
    fn links_keep_the_filters_and_encode_them() {
        let q = ListQuery::from_pairs([("q", "河朔 食品"), ("year", "2025"), ("page", "3")]);
        assert_eq!(q.page(), 3);
        assert_eq!(q.href_query(4), "?q=%E6%B2%B3%E6%9C%94%20%E9%A3%9F%E5%93%81&year=2025&page=4");
        assert_eq!(q.href_query(1), "?q=%E6%B2%B3%E6%9C%94%20%E9%A3%9F%E5%93%81&year=2025");
        assert_eq!(ListQuery::default().href_query(1), "");
        let per = ListQuery::from_pairs([("per_page", "5000")]);
        assert_eq!(per.per_page(), MAX_PER_PAGE);
        assert_eq!(per.href_query(2), "?per_page=1000&page=2");
    }

    #[test]
    fn pages_round_up_and_a_capped_total_has_a_next_page() {
        let p = |total, page, rows: usize, capped| Paged {
            page,
            per_page: 10,
            total,
            total_is_lower_bound: capped,
            rows: vec![(); rows],
            next_after: None,
        };
        assert_eq!(p(0, 1, 0, false).pages(), 1);
        assert_eq!(p(21, 1, 10, false).pages(), 3);
        assert!(p(21, 2, 10, false).has_next());
        assert!(!p(21, 3, 1, false).has_next());
        assert!(p(30, 3, 10, true).has_next());
    }
}
