//! `/open-data`: every JSON and CSV endpoint, its parameters and its fields.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::table::DataTable;
use crate::i18n::{Lang, use_lang};
use crate::types::{
    DEFAULT_PER_PAGE, Department, DrawSummary, EnterpriseRow, InspectorRow, ItemRow, MAX_PER_PAGE, PlanRow, ResultRow,
};

struct Endpoint {
    path: &'static str,
    zh: &'static str,
    en: &'static str,
    params: &'static str,
    csv: Option<&'static str>,
    fields: &'static [&'static str],
}

const LIST_PARAMS: &str = "page, per_page";

fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            path: "/api/departments",
            zh: "全部部门（省、市、县区），JSON 数组。",
            en: "Every department (province, city, district), a JSON array.",
            params: "format=csv",
            csv: Some("/api/departments.csv"),
            fields: Department::FIELDS,
        },
        Endpoint {
            path: "/api/departments/{code}",
            zh: "一个部门：department、children（下级部门）、items（现行事项）。",
            en: "One department: department, children, items (current).",
            params: "",
            csv: None,
            fields: &["department", "children", "items"],
        },
        Endpoint {
            path: "/api/items",
            zh: "随机抽查事项（每个事项的现行版本）。",
            en: "Random inspection items (the current version of each).",
            params: "department, q, status (active|withdrawn)",
            csv: Some("/api/items.csv"),
            fields: ItemRow::FIELDS,
        },
        Endpoint {
            path: "/api/items/{department}/{item}",
            zh: "一个事项的全部版本，最新在前。",
            en: "Every version of one item, newest first.",
            params: "",
            csv: None,
            fields: ItemRow::FIELDS,
        },
        Endpoint {
            path: "/api/inspectors",
            zh: "执法检查人员名录（现行信息）。expired = 执法证有效期已过（北京时间日期）。",
            en: "The inspector directory (current entries). expired = the certificate's validity has ended (Beijing date).",
            params: "q (姓名/执法证号 name/certificate), department, unit, qualification, status (active|expired|left)",
            csv: Some("/api/inspectors.csv"),
            fields: InspectorRow::FIELDS,
        },
        Endpoint {
            path: "/api/inspectors/{certificate}",
            zh: "一名检查人员的全部版本。",
            en: "Every version of one inspector's entry.",
            params: "",
            csv: None,
            fields: InspectorRow::FIELDS,
        },
        Endpoint {
            path: "/api/plans",
            zh: "年度检查计划（现行版本）。",
            en: "Annual inspection plans (current versions).",
            params: "year, department, q (标题 title)",
            csv: Some("/api/plans.csv"),
            fields: PlanRow::FIELDS,
        },
        Endpoint {
            path: "/api/plans/{code}",
            zh: "一个计划：versions（全部版本）、lines（各版本的事项、分层、比例、频次）、draws（按本计划的抽取）。",
            en: "One plan: versions, lines (item, stratum, ratio, frequency per version), draws made under it.",
            params: "",
            csv: None,
            fields: &["versions", "lines", "draws"],
        },
        Endpoint {
            path: "/api/draws",
            zh: "抽取，最新在前，JSON 数组（兼容第一版接口）；总数在响应头 X-Total-Count，翻页链接在 Link。status = drawn（已抽取）或 awaiting_randomness（已承诺，等待随机数）。",
            en: "Draws, newest first, as a JSON array (compatible with the first version); the total is in the X-Total-Count header, page links in Link. status = drawn or awaiting_randomness.",
            params: "department, year, status, q (标题或编号 title or id)",
            csv: Some("/api/draws.csv"),
            fields: DrawSummary::FIELDS,
        },
        Endpoint {
            path: "/api/draws/{id}/record.json",
            zh: "抽取记录原文（可用浏览器、命令行工具或自编程序验证）。",
            en: "The draw record exactly as published (verify it in the browser, with the command-line tool or your own code).",
            params: "",
            csv: None,
            fields: &[],
        },
        Endpoint {
            path: "/api/draws/{id}/objects/{credit_code}",
            zh: "某企业是否在这次抽取的名录中：默克尔证明、排除原因、抽中位置。",
            en: "Was this enterprise in the draw: Merkle proof, exclusion reason, position.",
            params: "",
            csv: None,
            fields: &[],
        },
        Endpoint {
            path: "/api/results",
            zh: "检查结果（现行版本），最新检查在前。",
            en: "Inspection results (current versions), newest inspection first.",
            params: "q (企业名称任意连续的字或统一社会信用代码 any part of the name, or the credit code), department, year, item, category (a category, or problems = every category that records a problem), rectification (none|pending|done|overdue)",
            csv: Some("/api/results.csv"),
            fields: ResultRow::FIELDS,
        },
        Endpoint {
            path: "/api/results/{code}",
            zh: "一条检查结果的全部版本，现行版本在前；更正的版本带 correction_reason。",
            en: "Every version of one result, current first; a correction carries correction_reason.",
            params: "",
            csv: None,
            fields: ResultRow::FIELDS,
        },
        Endpoint {
            path: "/api/feedback",
            zh: "企业评价反馈的公开统计：每个部门、每位检查人员每个检查年份一行（certificate 为空的是部门本身）。每份评价在评价期结束后计入（取其最新版本）；少于 5 份的数字写作字符串 \"<5\"。单份评价内容不公开。",
            en: "Published feedback counts: one row per department and per inspector and year of inspection (an empty certificate is the department itself). A submission counts (its latest version) once its window has closed; any count below 5 is the string \"<5\". Individual submissions are never published.",
            params: "department, year, certificate",
            csv: Some("/api/feedback.csv"),
            fields: crate::feedback::FeedbackStatsRow::FIELDS,
        },
        Endpoint {
            path: "/api/reports",
            zh: "年度检查计划执行情况：每个部门每年一行，由公布的计划、抽取和结果计算。比例为百分数（一位小数），无可计算时为 null；rules_violated、rules_cannot_check 为违反、无法核对的规则数；declared 表示部门是否自行公布了报告。",
            en: "Yearly plan execution reports: one row per department and year, computed from the published plans, draws and results. Rates are percentages (one decimal), null when there is nothing to rate; rules_violated and rules_cannot_check count the rules violated and those that cannot be checked; declared says whether the department published its own report.",
            params: "department (含下级部门 / with its subordinates), year, sort (department|completion|on_time|problem_rate|flags)",
            csv: Some("/api/reports.csv"),
            fields: crate::report::Headline::FIELDS,
        },
        Endpoint {
            path: "/api/reports/{department}/{year}",
            zh: "一份执行情况报告的全部内容（JSON）：计划执行、抽取、时限（工作日分布）、结果、检查人员、评价、每条规则的核对结果（met / violated / cannot_check，违反的记录逐条列出）以及部门自报数字与计算数字的对照。{year} 写作 2025.csv 时以 CSV 给出对照表 figures（列 key, computed, declared, differs）。",
            en: "One execution report, whole (JSON): plans, draws, timeliness (working-day distributions), results, inspectors, feedback, every rule check (met / violated / cannot_check, with every violating record) and the declared figures beside the computed ones. With {year} written 2025.csv: the figures as CSV (columns key, computed, declared, differs).",
            params: "",
            csv: Some("/api/reports/{department}/{year}.csv"),
            fields: &[
                "department",
                "year",
                "as_of",
                "plans",
                "plan_rows",
                "draws",
                "deadlines",
                "results",
                "inspectors",
                "feedback",
                "rules",
                "figures",
                "declared",
            ],
        },
        Endpoint {
            path: "/api/enterprises",
            zh: "检查对象名录库中的企业（现行信息）。",
            en: "Enterprises of the object directory (current entries).",
            params: "q (名称或统一社会信用代码 name or credit code), department",
            csv: Some("/api/enterprises.csv"),
            fields: EnterpriseRow::FIELDS,
        },
        Endpoint {
            path: "/api/enterprises/{credit_code}",
            zh: "一家企业：versions（名录信息的全部版本）、draws（参加过的每一次抽取：selected 抽中 / not_selected 未抽中 / excluded 被排除及原因）、results（历年检查结果）。",
            en: "One enterprise: versions, draws (every draw it was in: selected / not_selected / excluded with the reason), results.",
            params: "",
            csv: None,
            fields: &["versions", "draws", "results"],
        },
        Endpoint {
            path: "/api/calendar",
            zh: "法定工作日：每个已公布年份的放假和调休上班日，及其所依据的国务院办公厅通知；working_days 为全年工作日数。",
            en: "Official working days: each published year's holidays and make-up working days, with the State Council notice they come from; working_days is the year's number of working days.",
            params: "",
            csv: None,
            fields: CALENDAR_FIELDS,
        },
        Endpoint {
            path: "/api/calendar/{year}",
            zh: "一个年份；尚未公布的年份返回 404（calendar_not_published）。",
            en: "One year; a year not yet published is a 404 (calendar_not_published).",
            params: "",
            csv: None,
            fields: CALENDAR_FIELDS,
        },
    ]
}

/// The fields of a published calendar year (`/api/calendar`).
const CALENDAR_FIELDS: &[&str] =
    &["year", "notice", "holidays", "workdays", "working_days", "version", "published_at", "correction_reason"];

#[component]
pub fn OpenDataPage() -> impl IntoView {
    let lang = use_lang();
    let rows = endpoints()
        .into_iter()
        .map(|e| {
            let params = if e.params.is_empty() {
                "—".to_owned()
            } else if e.csv.is_some() {
                format!("{}, {LIST_PARAMS}", e.params)
            } else {
                e.params.to_owned()
            };
            let csv = e.csv.map(|c| {
                view! {
                    <br/>
                    <code>{c}</code>
                }
            });
            let fields = if e.fields.is_empty() { "—".to_owned() } else { e.fields.join(", ") };
            view! {
                <tr>
                    <td>
                        <code>{e.path}</code>
                        {csv}
                    </td>
                    <td>{lang.pick(e.zh, e.en)}</td>
                    <td>
                        <code>{params}</code>
                    </td>
                    <td>
                        <code class="small">{fields}</code>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let paging = match lang {
        Lang::Zh => format!(
            "列表接口的筛选条件和翻页参数与对应页面完全相同：把页面地址中的 /results 换成 /api/results 即得到同一页数据。page 从 1 开始；per_page 默认 {DEFAULT_PER_PAGE}，最多 {MAX_PER_PAGE}。JSON 列表返回 {{page, per_page, total, total_is_lower_bound, rows}}；total_is_lower_bound 为 true 时，实际条数多于 total。"
        ),
        Lang::En => format!(
            "The list endpoints take exactly the filters and page parameters of their pages: replace /results with /api/results in a page's address to get the same page of data. page starts at 1; per_page defaults to {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE}. A JSON list is {{page, per_page, total, total_is_lower_bound, rows}}; when total_is_lower_bound is true there are more rows than total."
        ),
    };
    view! {
        <Title text=lang.pick("开放数据 · 公开", "Open data · Gongkai")/>
        <h1>{lang.pick("开放数据", "Open data")}</h1>
        <p class="lead">
            {lang.pick(
                "本站公布的每一份清单都可以下载为 JSON 或 CSV，供记者、研究者和任何人核对、统计和比较。无需注册。",
                "Every list published here can be downloaded as JSON or CSV, for journalists, researchers and anyone to check, count and compare. No registration.",
            )}
        </p>
        <section aria-labelledby="whole-title">
            <h2 id="whole-title">{lang.pick("下载整个列表（Excel）", "Whole lists for spreadsheets")}</h2>
            <p>
                {lang.pick(
                    "每个列表页下方的“下载全部符合条件的记录”给出整个筛选结果（不止一页），列名和取值为中文（英文页面为英文），文件名写明清单、筛选条件和下载日期：",
                    "Below every list, \"Download every matching record\" gives the whole filtered list (not one page), its columns and values in the page's language, in a file named for the list, the filters and the day:",
                )}
            </p>
            <ul>
                <li>
                    <code>"/export/{results|enterprises|inspectors|plans|items|draws}.xlsx?…"</code>
                    {lang.pick(
                        "：Excel 工作簿，统一社会信用代码、执法证号等编号为文本单元格，不会被改成科学计数法或丢失末位；最多 1,048,575 行（Excel 的上限），超过时请下载 CSV。",
                        ": an Excel workbook; credit codes, certificate numbers and other codes are text cells, never turned into 9.11599E+17 or cut to 15 digits; at most 1,048,575 rows (Excel's limit), more is refused with a message: take the CSV.",
                    )}
                </li>
                <li>
                    <code>"/export/{…}.csv?…"</code>
                    {lang.pick(
                        "：CSV（UTF-8 带 BOM），边读边传，任何大小都可以；编号写成 =\"…\" 的形式，Excel 和 WPS 打开时按文本保留全部位数。",
                        ": CSV (UTF-8 with a BOM), streamed as it is read, of any size; codes are written as =\"…\" so that Excel and WPS keep every digit as text.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "程序遍历整个列表时，可用 after 代替 page：先传 after=9223372036854775807，之后每次传上一次返回的 next_after，直到不再返回 next_after。此时按公布先后倒序，不受翻页深度影响。/api/draws 返回数组，按 page 翻页，下一页见响应头 Link。",
                        "A program walking a whole list can use after instead of page: first after=9223372036854775807, then each time the next_after of the previous answer, until there is none. Rows then come newest-published first, at the same speed however deep. /api/draws answers an array and pages with page; its Link header names the next page.",
                    )}
                </li>
            </ul>
        </section>
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">{lang.pick("通用约定", "Conventions")}</h2>
            <ul>
                <li>{paging}</li>
                <li>
                    {lang.pick(
                        "CSV：UTF-8 编码并带 BOM（Excel 可直接正确显示中文），第一行为字段名，字段与 JSON 相同。在列表地址后加 ?format=csv，或使用 .csv 地址。",
                        "CSV: UTF-8 with a byte-order mark (Excel shows the Chinese correctly), a header row, the same fields as the JSON. Add ?format=csv to a list address, or use its .csv address.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "为防止电子表格把文字当作公式执行，CSV 中以 =、+、-、@、制表符或回车开头的文字单元格前加一个英文单引号 '（JSON 中保持原样）。",
                        "So that a spreadsheet never runs text as a formula, a CSV text cell that starts with =, +, -, @, a tab or a carriage return gets a leading ' (JSON keeps the value as it is).",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "查询参数每个最多 200 个字符，不能含控制字符，不能重复；page、per_page、year、after 须为非负整数。否则返回 400，field 指出出错的参数。",
                        "Each query parameter has at most 200 characters, no control characters, and appears once; page, per_page, year and after are whole numbers. Otherwise the answer is 400, with field naming the parameter.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "名称搜索 q 按任意连续的字查找：3 个字及以上用三字索引；更短或极常见的名称部分（如“有限公司”）逐条比对，此时不统计总数（total_is_lower_bound 为 true），可继续翻页。",
                        "The name search q finds any run of characters: from 3 characters through a trigram index; shorter or very common parts (such as 有限公司) are compared row by row and then not counted (total_is_lower_bound is true); keep paging.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "日期为 YYYY-MM-DD，时间为带时区的 RFC 3339；多个值（资格、许可证、检查人员、事项）以英文分号 ; 分隔。",
                        "Dates are YYYY-MM-DD, times RFC 3339 with offset; several values (qualifications, licences, inspectors, items) are separated by ';'.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "已公布的记录不会被修改或删除。更正是同一编号的新版本（version 加 1，correction_reason 说明原因）；列表只显示现行版本，详情接口返回全部版本。",
                        "Published records are never changed or deleted. A correction is a new version of the same key (version + 1, with correction_reason); lists show the current versions, detail endpoints return every version.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "出错时返回相应的 HTTP 状态码和 JSON：{\"error\", \"message\"（中文）, \"message_en\"}。",
                        "Errors come with their HTTP status and JSON: {\"error\", \"message\" (Chinese), \"message_en\"}.",
                    )}
                </li>
            </ul>
        </section>
        <section aria-labelledby="endpoints-title">
            <h2 id="endpoints-title">{lang.pick("接口", "Endpoints")}</h2>
            <DataTable
                caption=lang.pick("开放数据接口、参数和字段", "Open data endpoints, parameters and fields")
                class="api-list"
                headers=vec![
                    lang.pick("地址", "Address"),
                    lang.pick("内容", "What it returns"),
                    lang.pick("参数", "Parameters"),
                    lang.pick("字段", "Fields"),
                ]
            >
                {rows}
            </DataTable>
        </section>
    }
}
