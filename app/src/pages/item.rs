//! `/items/{department_code}/{item_code}`: one item with its version history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::item_page;
use crate::components::filters::{VersionNote, joined};
use crate::components::load::loaded;
use crate::components::log_check::LogCheck;
use crate::i18n::use_lang;
use crate::pages::not_found::NotFoundContent;
use crate::types::{ItemRow, ItemStatus};

#[component]
pub fn ItemPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("department").unwrap_or_default(), p.get("item").unwrap_or_default())
    };
    let data = Resource::new(key, |(department, item)| item_page(department, item));
    view! {
        {loaded(
            data,
            move |versions: Vec<ItemRow>| {
                let Some(current) = versions.first().cloned() else {
                    let (d, i) = key();
                    return view! { <NotFoundContent what=format!("{d}/{i}")/> }.into_any();
                };
                let dep_code = current.department_code.clone().unwrap_or_default();
                let history = versions
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let withdrawn = (v.status == ItemStatus::Withdrawn).then(|| {
                            view! {
                                <p>
                                    <strong class="tag tag-warn">{lang.pick("本事项已取消", "This item is withdrawn")}</strong>
                                </p>
                            }
                        });
                        view! {
                            <article class="version" class:version-old={k > 0}>
                                <h3>{v.name.clone()}</h3>
                                <VersionNote version=v.version current={k == 0} reason=v.correction_reason.clone()/>
                                {withdrawn}
                                <dl class="facts">
                                    <div>
                                        <dt>{lang.pick("检查内容", "What is checked")}</dt>
                                        <dd>{v.content}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("依据", "Legal basis")}</dt>
                                        <dd>{v.legal_basis}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查人员资格限制", "Inspector qualification")}</dt>
                                        <dd>{v.qualification}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查方式", "Method")}</dt>
                                        <dd>{joined(lang, &v.method)}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("生效日期", "Effective from")}</dt>
                                        <dd>{v.effective_from}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("公布时间", "Published")}</dt>
                                        <dd><crate::components::BeijingTime value=v.published_at.clone()/></dd>
                                    </div>
                                </dl>
                            </article>
                        }
                    })
                    .collect_view();
                view! {
                    <Title text=format!("{} · {}", current.name, lang.pick("公开", "Gongkai"))/>
                    <h1>{current.name.clone()}</h1>
                    <p>
                        <A href=format!("/departments/{dep_code}")>{current.department.clone()}</A>
                        " · "
                        {lang.pick("事项编号 ", "item ")}
                        <code>{current.item_code.clone()}</code>
                    </p>
                    <section aria-labelledby="history-title">
                        <h2 id="history-title">{lang.pick("现行版本与历史版本", "Current and earlier versions")}</h2>
                        {history}
                    </section>
                    <LogCheck
                        kind="item"
                        key=format!("{dep_code}/{}", current.item_code)
                        version=current.version
                    />
                    <p>
                        <A href=format!("/results?department={dep_code}&item={}", current.item_code)>
                            {lang.pick("按本事项查看检查结果", "Results of this item")}
                        </A>
                    </p>
                }
                    .into_any()
            },
        )}
    }
}
