//! Filter forms (plain GET forms: they work without JavaScript and give
//! addresses that can be bookmarked and shared) and small shared displays.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{Lang, use_lang};
use crate::types::{Department, Level, ListQuery, Rectification};

/// The list query of the current address.
pub fn use_list_query() -> Memo<ListQuery> {
    let map = use_query_map();
    Memo::new(move |_| {
        let m = map.read();
        ListQuery {
            q: m.get("q"),
            department: m.get("department"),
            year: m.get("year"),
            unit: m.get("unit"),
            qualification: m.get("qualification"),
            status: m.get("status"),
            item: m.get("item"),
            category: m.get("category"),
            rectification: m.get("rectification"),
            page: m.get("page"),
            per_page: m.get("per_page"),
            after: None,
        }
    })
}

/// A GET form that filters the list at `action`.
#[component]
pub fn FilterForm(
    action: &'static str,
    /// Accessible name of the form.
    label: &'static str,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    // On a phone the form is folded under a summary that says how many conditions
    // are set, so that the list comes first; on wider screens it is always shown (style.css).
    let set = use_list_query().get_untracked().filters().len();
    let summary = match (lang, set) {
        (Lang::Zh, 0) => "查询和筛选".to_owned(),
        (Lang::Zh, n) => format!("查询和筛选（已设 {n} 项条件）"),
        (Lang::En, 0) => "Search and filters".to_owned(),
        (Lang::En, 1) => "Search and filters (1 condition set)".to_owned(),
        (Lang::En, n) => format!("Search and filters ({n} conditions set)"),
    };
    view! {
        <details class="filter-box">
            <summary>{summary}</summary>
            <form method="get" action=action class="filters" role="search" aria-label=label>
                {children()}
                <div class="field field-submit">
                    <button type="submit">{lang.pick("查询", "Search")}</button>
                    <a href=action class="reset">{lang.pick("清除条件", "Clear")}</a>
                </div>
            </form>
        </details>
    }
}

/// A labelled text field.
#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    value: Option<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let hint_id = format!("f-{name}-hint");
    let described = hint.is_some().then(|| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                type="search"
                id=id
                name=name
                value=value.unwrap_or_default()
                placeholder=placeholder
                aria-describedby=described
            />
            {hint.map(|h| view! { <small id=hint_id class="hint">{h}</small> })}
        </div>
    }
}

/// A labelled select; the first option ("all") means no filter.
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    value: Option<String>,
    /// (value, text)
    options: Vec<(String, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("f-{name}");
    let current = value.unwrap_or_default();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=current.is_empty()>
                    {lang.pick("全部", "All")}
                </option>
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == current;
                        view! {
                            <option value=v selected=selected>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// Departments that have a code, as options (indented by level).
pub fn department_options(departments: &[Department]) -> Vec<(String, String)> {
    departments
        .iter()
        .filter_map(|d| {
            let code = d.code.clone()?;
            let indent = match d.level {
                Some(Level::City) => "　",
                Some(Level::District) => "　　",
                Some(Level::Province) | None => "",
            };
            Some((code, format!("{indent}{}", d.name)))
        })
        .collect()
}

/// The department filter.
#[component]
pub fn DepartmentField(departments: Vec<Department>, value: Option<String>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <SelectField
            name="department"
            label=lang.pick("部门", "Department")
            value=value
            options=department_options(&departments)
        />
    }
}

/// A year field (number).
#[component]
pub fn YearField(value: Option<String>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="field field-narrow">
            <label for="f-year">{lang.pick("年度", "Year")}</label>
            <input
                type="number"
                id="f-year"
                name="year"
                min="2000"
                max="2100"
                inputmode="numeric"
                value=value.unwrap_or_default()
            />
        </div>
    }
}

/// Text of a rectification status.
pub fn rectification_text(lang: Lang, status: Rectification) -> &'static str {
    match status {
        Rectification::None => lang.pick("无需整改", "none needed"),
        Rectification::Pending => lang.pick("整改中", "in progress"),
        Rectification::Done => lang.pick("已整改", "rectified"),
        Rectification::Overdue => lang.pick("逾期未整改", "overdue"),
    }
}

/// A result's rectification in words: a pending one whose case was referred
/// for penalty (立案查处) says so, rather than "in progress" for as long as
/// the case takes.
pub fn result_rectification_text(lang: Lang, status: Rectification, penalty_case: Option<&str>) -> String {
    match (status, penalty_case) {
        (Rectification::Pending, Some(case)) => match lang {
            Lang::Zh => format!("已移交立案查处（{case}）"),
            Lang::En => format!("referred for penalty proceedings ({case})"),
        },
        (status, _) => rectification_text(lang, status).to_owned(),
    }
}

/// The rectification statuses as options.
pub fn rectification_options(lang: Lang) -> Vec<(String, String)> {
    Rectification::ALL.iter().map(|s| (s.as_str().to_owned(), rectification_text(lang, *s).to_owned())).collect()
}

/// Text of a department level.
pub fn level_text(lang: Lang, level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Province) => lang.pick("省级", "province"),
        Some(Level::City) => lang.pick("市级", "city"),
        Some(Level::District) => lang.pick("县区级", "district"),
        None => "",
    }
}

/// "第 N 版" and, for a correction, why.
#[component]
pub fn VersionNote(version: i64, current: bool, reason: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let label = match lang {
        Lang::Zh => format!("第 {version} 版"),
        Lang::En => format!("Version {version}"),
    };
    let state = if current {
        view! { <strong class="tag tag-current">{lang.pick("现行版本", "current")}</strong> }.into_any()
    } else {
        view! { <span class="tag tag-old">{lang.pick("已被更正（旧版本）", "superseded (old version)")}</span> }
            .into_any()
    };
    view! {
        <p class="version-note">
            {label}
            " "
            {state}
            {reason.map(|r| {
                view! {
                    <br/>
                    <span class="correction-reason">{lang.pick("更正原因：", "Reason for the correction: ")}{r}</span>
                }
            })}
        </p>
    }
}

/// A `;`-separated list as text with the list separator of the language.
pub fn joined(lang: Lang, list: &str) -> String {
    list.split(';').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(lang.pick("、", ", "))
}
