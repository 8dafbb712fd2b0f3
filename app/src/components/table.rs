//! Tables and pagination shared by the list pages.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{Lang, use_lang};
use crate::types::{ListQuery, Paged};

/// The `<title>`, `<h1>` and lead paragraph of a list page.
#[component]
pub fn PageHead(heading: &'static str, lead: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=format!("{heading} · {}", lang.pick("公开", "Gongkai"))/>
        <h1>{heading}</h1>
        <p class="lead">{lead}</p>
    }
}

/// Where a list lives: its page (`/results`) and its open-data address (`/api/results`).
#[derive(Clone, Copy, Debug)]
pub struct ListAt {
    pub page: &'static str,
    pub api: &'static str,
}

/// What a list page shows under its filter form: the rows as a table (or
/// `empty` when nothing matches), the pager, and the same page as open data.
pub fn paged_list<T>(
    page: Paged<T>,
    query: &ListQuery,
    at: ListAt,
    empty: impl IntoView + 'static,
    table: impl FnOnce(Vec<T>) -> AnyView,
) -> AnyView {
    let info = PageInfo::from(&page);
    let number = page.page;
    let list = if page.rows.is_empty() { view! { <p>{empty}</p> }.into_any() } else { table(page.rows) };
    view! {
        {list}
        <Pager base=at.page query=query.clone() info=info/>
        <DownloadLinks api=at.api query=query.clone() page=number/>
    }
    .into_any()
}

/// A table with a caption and column headers; the rows (`<tr>`) are the children.
/// Always renders an explicit `<tbody>` (what browsers build anyway) inside a
/// horizontally scrollable wrapper (phones).
#[component]
pub fn DataTable(
    /// Says what the table lists (read by screen readers).
    #[prop(into)]
    caption: String,
    /// Keeps the caption for screen readers only (when a heading above says the same).
    #[prop(optional)]
    caption_hidden: bool,
    /// Column headers.
    headers: Vec<&'static str>,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class=class>
                <caption class=caption_hidden.then_some("visually-hidden")>{caption}</caption>
                <thead>
                    <tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// Where a list is in its pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    pub total_is_lower_bound: bool,
    pub has_next: bool,
}

impl<T> From<&Paged<T>> for PageInfo {
    fn from(p: &Paged<T>) -> Self {
        PageInfo {
            page: p.page,
            pages: p.pages(),
            total: p.total,
            total_is_lower_bound: p.total_is_lower_bound,
            has_next: p.has_next(),
        }
    }
}

/// "第 N 页，共 M 页" (or "at least M" when the matches were not all counted).
pub fn page_of(lang: Lang, info: &PageInfo) -> String {
    let at_least = if info.has_next { info.pages.max(info.page.saturating_add(1)) } else { info.pages };
    match (lang, info.total_is_lower_bound) {
        (Lang::Zh, false) => format!("第 {} 页，共 {} 页", info.page, info.pages),
        (Lang::Zh, true) => format!("第 {} 页，至少 {} 页", info.page, at_least),
        (Lang::En, false) => format!("Page {} of {}", info.page, info.pages),
        (Lang::En, true) => format!("Page {} of at least {}", info.page, at_least),
    }
}

/// "共 N 条" (records found).
pub fn total_text(lang: Lang, info: &PageInfo) -> String {
    match (lang, info.total_is_lower_bound) {
        (Lang::Zh, false) => format!("共 {} 条", info.total),
        (Lang::Zh, true) => format!("超过 {} 条", info.total),
        (Lang::En, false) => format!("{} found", info.total),
        (Lang::En, true) => format!("more than {} found", info.total),
    }
}

/// Previous/next links with stable permalinks: `{base}?{filters}&page=N`.
/// Plain links, so paging works without JavaScript.
#[component]
pub fn Pager(
    /// Path of the list, e.g. `/results`.
    base: &'static str,
    query: ListQuery,
    info: PageInfo,
) -> impl IntoView {
    let lang = use_lang();
    let href = |page: u32| format!("{base}{}", query.href_query(page));
    let prev = (info.page > 1).then(|| {
        view! {
            <a rel="prev" href=href(info.page - 1)>
                {lang.pick("‹ 上一页", "‹ Previous")}
            </a>
        }
    });
    let next = info.has_next.then(|| {
        view! {
            <a rel="next" href=href(info.page + 1)>
                {lang.pick("下一页 ›", "Next ›")}
            </a>
        }
    });
    view! {
        <nav class="pager" aria-label=lang.pick("分页", "Pages")>
            <span class="pager-prev">{prev}</span>
            <span class="pager-status" aria-current="page">
                {page_of(lang, &info)}
                " · "
                {total_text(lang, &info)}
            </span>
            <span class="pager-next">{next}</span>
        </nav>
    }
}

/// Links to the same list as JSON and as CSV (open data).
#[component]
pub fn DownloadLinks(
    /// API path of the list, e.g. `/api/results`.
    api: &'static str,
    query: ListQuery,
    page: u32,
) -> impl IntoView {
    let lang = use_lang();
    let q = query.href_query(page);
    let csv = if q.is_empty() { "?format=csv".to_owned() } else { format!("{q}&format=csv") };
    // The whole filtered list, for spreadsheets, in the page's language.
    let list = api.trim_start_matches("/api/");
    let mut whole = query.clone();
    whole.per_page = None;
    let mut filters = whole.href_query(1);
    if lang == Lang::En {
        filters = if filters.is_empty() { "?lang=en".to_owned() } else { format!("{filters}&lang=en") };
    }
    view! {
        <p class="downloads">
            {lang.pick("下载全部符合条件的记录：", "Download every matching record: ")}
            <a
                href=format!("/export/{list}.xlsx{filters}")
                rel="external"
                type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                download=""
            >
                {lang.pick("Excel 文件（.xlsx）", "Excel workbook (.xlsx)")}
            </a>
            " · "
            <a href=format!("/export/{list}.csv{filters}") rel="external" type="text/csv" download="">
                "CSV"
            </a>
            <br/>
            {lang.pick("本页数据：", "This page's data: ")}
            <a href=format!("{api}{q}") rel="external" type="application/json">"JSON"</a>
            " · "
            <a href=format!("{api}{csv}") rel="external" type="text/csv" download="">
                {lang.pick("CSV（Excel 可直接打开）", "CSV (opens in Excel)")}
            </a>
            " · "
            <a href="/open-data">{lang.pick("接口说明", "API documentation")}</a>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(page: u32, pages: u32, total: u64, lower: bool, next: bool) -> PageInfo {
        PageInfo { page, pages, total, total_is_lower_bound: lower, has_next: next }
    }

    #[test]
    fn a_counted_list_says_how_many_pages() {
        assert_eq!(page_of(Lang::Zh, &info(2, 4, 39, false, true)), "第 2 页，共 4 页");
        assert_eq!(page_of(Lang::En, &info(4, 4, 39, false, false)), "Page 4 of 4");
        assert_eq!(total_text(Lang::Zh, &info(1, 4, 39, false, true)), "共 39 条");
    }

    #[test]
    fn an_uncounted_or_capped_list_says_at_least() {
        // Not counted: 2 full pages seen and a next one.
        assert_eq!(page_of(Lang::Zh, &info(2, 2, 20, true, true)), "第 2 页，至少 3 页");
        assert_eq!(page_of(Lang::En, &info(1, 200, 10_000, true, true)), "Page 1 of at least 200");
        assert_eq!(total_text(Lang::Zh, &info(1, 200, 10_000, true, true)), "超过 10000 条");
    }
}
