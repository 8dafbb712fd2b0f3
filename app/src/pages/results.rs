//! `/results`: inspection results (检查结果), searchable by enterprise name
//! (substring) or credit code, filtered by department, year, item, category
//! and rectification status, in pages.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::results_page;
use crate::components::filters::{
    DepartmentField, FilterForm, SelectField, TextField, YearField, rectification_options, result_rectification_text,
    use_list_query,
};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::use_lang;
use crate::types::{ResultCategory, ResultRow};

/// A table of results (current versions).
#[component]
pub fn ResultTable(results: Vec<ResultRow>, #[prop(into)] caption: String) -> impl IntoView {
    let lang = use_lang();
    let headers = [
        lang.pick("检查日期", "Inspected on"),
        lang.pick("企业", "Enterprise"),
        lang.pick("部门", "Department"),
        lang.pick("检查结果", "Result"),
        lang.pick("整改", "Rectification"),
    ];
    let rows = results
        .into_iter()
        .map(|r| {
            let corrected = (r.version > 1).then(|| {
                view! {
                    " "
                    <span class="tag">{lang.pick("已更正", "corrected")}</span>
                }
            });
            view! {
                <tr>
                    <td data-label=headers[0]>{r.inspected_on.clone()}</td>
                    <td data-label=headers[1]>
                        <A href=format!("/enterprises/{}", r.credit_code)>{r.enterprise_name.clone()}</A>
                        <br/>
                        <code class="small">{r.credit_code.clone()}</code>
                    </td>
                    <td data-label=headers[2]>{r.department.clone()}</td>
                    <td data-label=headers[3]>
                        <A href=format!("/results/{}", r.result_code)>{r.category.text(lang)}</A>
                        {corrected}
                    </td>
                    <td data-label=headers[4]>{result_rectification_text(lang, r.rectification_status, r.penalty_case.as_deref())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=caption
            caption_hidden=true
            class="stack result-list"
            headers=headers.to_vec()
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), results_page);
    view! {
        <PageHead
            heading=lang.pick("检查结果", "Inspection results")
            lead=lang.pick(
                "抽查结果依法向社会公示。可按企业名称（任意连续的几个字）或统一社会信用代码查询。更正后的结果显示现行版本，旧版本和更正原因在详情页中保留。",
                "Inspection results are published by law. Search by any part of an enterprise's name or by its unified social credit code. A corrected result shows its current version; the old one and the reason stay on its page.",
            )
        />
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let categories = std::iter::once((
                    ResultCategory::PROBLEMS.to_owned(),
                    lang.pick("发现问题（以下各类中有问题的全部）", "Any problem found (every category with a problem)").to_owned(),
                ))
                .chain(ResultCategory::ALL.iter().map(|c| (c.as_str().to_owned(), c.text(lang).to_owned())))
                .collect();
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/results", api: "/api/results" },
                    empty_results(lang, &q),
                    |rows| {
                        view! { <ResultTable results=rows caption=lang.pick("检查结果", "Inspection results")/> }
                            .into_any()
                    },
                );
                view! {
                    <FilterForm action="/results" label=lang.pick("查询检查结果", "Search the results")>
                        <TextField
                            name="q"
                            label=lang.pick("企业名称或统一社会信用代码", "Enterprise name or credit code")
                            value=q.q.clone()
                            hint=lang.pick("名称可输入任意连续的字，如“食品”", "Any part of the name, e.g. 食品")
                        />
                        <DepartmentField departments=departments value=q.department.clone()/>
                        <YearField value=q.year.clone()/>
                        <TextField
                            name="item"
                            label=lang.pick("抽查事项", "Inspection item")
                            value=q.item.clone()
                            hint=lang.pick("事项名称中的字、清单序号或事项编号，如“许可”或“3”", "Part of the item's name, its number in the list (e.g. 3) or its code")
                        />
                        <SelectField
                            name="category"
                            label=lang.pick("结果类别", "Category")
                            value=q.category.clone()
                            options=categories
                        />
                        <SelectField
                            name="rectification"
                            label=lang.pick("整改情况", "Rectification")
                            value=q.rectification.clone()
                            options=rectification_options(lang)
                        />
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}

/// What an empty list of results says: with a year chosen, why that year may
/// be empty and where its draws and plans are.
fn empty_results(lang: crate::i18n::Lang, q: &crate::types::ListQuery) -> AnyView {
    use crate::i18n::Lang;
    let Some(year) = q.year() else {
        return lang.pick("没有符合条件的检查结果。", "No result matches.").into_any();
    };
    let filtered = q.filters().iter().any(|(name, _)| *name != "year");
    let why = match (lang, filtered) {
        (Lang::Zh, true) => format!("{year} 年没有符合这些条件的检查结果。"),
        (Lang::En, true) => format!("No result of {year} matches these filters."),
        (Lang::Zh, false) => format!(
            "{year} 年还没有公示的检查结果。检查结果在每次检查完成后 20 个工作日内公示；当年的抽取完成、检查结束后才会出现在这里。"
        ),
        (Lang::En, false) => format!(
            "No result of {year} has been published yet. A result is published within 20 working days of its inspection; results appear here once the year's draws are made and their inspections done."
        ),
    };
    view! {
        {why}
        " "
        <A href=format!("/draws?year={year}")>{lang.pick("查看当年的抽取", "See the year's draws")}</A>
        {lang.pick("；", "; ")}
        <A href=format!("/plans?year={year}")>{lang.pick("当年的年度检查计划", "the year's annual plans")}</A>
        {lang.pick("。", ".")}
    }
    .into_any()
}
