//! `/draws`: every published draw (completed and awaiting randomness), with
//! filters (department, year, status) and pages.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::draws_page;
use crate::components::filters::{DepartmentField, FilterForm, SelectField, TextField, YearField, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::{Lang, use_lang};
use crate::types::{DrawStatus, DrawSummary};

/// Text of a draw's status.
pub fn status_text(lang: Lang, d: &DrawSummary) -> &'static str {
    if d.is_awaiting() {
        lang.pick("已承诺，等待随机数", "committed, awaiting randomness")
    } else {
        lang.pick("已抽取", "drawn")
    }
}

/// A table of draws (home page, plan pages, this list).
#[component]
pub fn DrawTable(draws: Vec<DrawSummary>, #[prop(into)] caption: String) -> impl IntoView {
    let lang = use_lang();
    let headers = [
        lang.pick("抽取日期", "Draw date"),
        lang.pick("抽取", "Draw"),
        lang.pick("部门", "Department"),
        lang.pick("状态", "Status"),
        lang.pick("承诺值", "Commitment"),
    ];
    let rows = draws
        .into_iter()
        .map(|d| {
            let href = format!("/draws/{}", d.id);
            let short = d.commitment.chars().take(16).collect::<String>();
            let demo = d.is_demo().then(|| {
                view! {
                    " "
                    <strong class="demo-tag">{lang.pick("演示随机数", "demo randomness")}</strong>
                }
            });
            let status = if d.is_awaiting() {
                view! { <strong class="tag tag-awaiting">{status_text(lang, &d)}</strong> }.into_any()
            } else {
                view! { <span class="tag">{status_text(lang, &d)}</span> }.into_any()
            };
            view! {
                <tr>
                    <td data-label=headers[0]>{d.draw_date.clone()}</td>
                    <td data-label=headers[1]>
                        <A href=href>{d.title.clone()}</A>
                        {demo}
                    </td>
                    <td data-label=headers[2]>{d.department.clone()}</td>
                    <td data-label=headers[3]>{status}</td>
                    <td data-label=headers[4]>
                        <code title=d.commitment.clone()>{short}"…"</code>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=caption
            caption_hidden=true
            class="stack draw-list"
            headers=headers.to_vec()
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn DrawsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), draws_page);
    view! {
        <PageHead
            heading=lang.pick("抽取", "Draws")
            lead=lang.pick(
                "每一次抽取都先公布承诺值，再用事后才产生的公共随机数抽取。点击任意一次抽取可查看结果并在浏览器中验证。",
                "Every draw publishes its commitment first and then draws with public randomness that did not exist yet. Open any draw to see its result and verify it in your browser.",
            )
        />
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let statuses = vec![
                    (DrawStatus::Drawn.as_str().to_owned(), lang.pick("已抽取", "drawn").to_owned()),
                    (
                        DrawStatus::AwaitingRandomness.as_str().to_owned(),
                        lang.pick("已承诺，等待随机数", "committed, awaiting randomness").to_owned(),
                    ),
                ];
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/draws", api: "/api/draws" },
                    lang.pick("没有符合条件的抽取。", "No draw matches."),
                    |rows| view! { <DrawTable draws=rows caption=lang.pick("抽取", "Draws")/> }.into_any(),
                );
                view! {
                    <FilterForm action="/draws" label=lang.pick("筛选抽取", "Filter draws")>
                        <TextField name="q" label=lang.pick("标题或编号", "Title or id") value=q.q.clone()/>
                        <DepartmentField departments=departments value=q.department.clone()/>
                        <YearField value=q.year.clone()/>
                        <SelectField
                            name="status"
                            label=lang.pick("状态", "Status")
                            value=q.status.clone()
                            options=statuses
                        />
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}
