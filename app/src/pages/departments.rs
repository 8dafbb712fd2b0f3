//! `/departments`: the departments, province → city → district.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::portal::departments_page;
use crate::components::filters::level_text;
use crate::components::load::loaded;
use crate::i18n::{Lang, use_lang};
use crate::types::Department;

/// A department's name, linked to its page when it has a code.
pub fn department_link(name: String, code: Option<String>) -> AnyView {
    match code {
        Some(code) => view! { <A href=format!("/departments/{code}")>{name}</A> }.into_any(),
        None => view! { <span>{name}</span> }.into_any(),
    }
}

fn branch(lang: Lang, all: &[Department], parent: Option<&str>, depth: usize) -> AnyView {
    let here: Vec<&Department> = all
        .iter()
        .filter(|d| match parent {
            None => d.parent_name.as_deref().is_none_or(|p| !all.iter().any(|x| x.name == p)),
            Some(p) => d.parent_name.as_deref() == Some(p),
        })
        .collect();
    if here.is_empty() || depth > 8 {
        return ().into_any();
    }
    let items = here
        .into_iter()
        .map(|d| {
            let count = match lang {
                Lang::Zh => format!("（{}，事项 {} 项）", level_text(lang, d.level), d.item_count),
                Lang::En => format!(" ({}, {} items)", level_text(lang, d.level), d.item_count),
            };
            view! {
                <li>
                    {department_link(d.name.clone(), d.code.clone())}
                    <span class="muted">{count}</span>
                    {branch(lang, all, Some(&d.name), depth + 1)}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="tree">{items}</ul> }.into_any()
}

#[component]
pub fn DepartmentsPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| departments_page());
    view! {
        <Title text=lang.pick("部门 · 公开", "Departments · Gongkai")/>
        <h1>{lang.pick("部门", "Departments")}</h1>
        <p class="lead">
            {lang.pick(
                "开展抽查的部门按省、市、县区逐级排列。点击部门查看它的随机抽查事项清单。",
                "The departments that run inspections, province → city → district. Open one to see its random inspection item list.",
            )}
        </p>
        <p>
            <a href="/api/departments" rel="external">"JSON"</a>
            " · "
            <a href="/api/departments.csv" rel="external" download="">"CSV"</a>
        </p>
        {loaded(
            data,
            move |departments: Vec<Department>| {
                if departments.is_empty() {
                    view! { <p>{lang.pick("尚未公布任何部门。", "No department has been published yet.")}</p> }
                        .into_any()
                } else {
                    view! { <nav aria-label=lang.pick("部门层级", "Department hierarchy")>{branch(lang, &departments, None, 0)}</nav> }
                        .into_any()
                }
            },
        )}
    }
}
