//! The 404 page (status 404).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::set_status;
use crate::i18n::use_lang;

/// Body of a "not found" answer; also used for unknown draw ids.
#[component]
pub fn NotFoundContent(
    /// What was looked for, e.g. a draw id.
    #[prop(optional, into)]
    what: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    set_status(404);
    view! {
        <Title text=lang.pick("页面不存在 · 公开", "Page not found · Gongkai")/>
        <section class="not-found">
            <h1>{lang.pick("页面不存在", "Page not found")}</h1>
            {what.map(|w| view! { <p><code>{w}</code></p> })}
            <p>
                {lang.pick(
                    "您要找的页面或抽取记录不存在，可能是链接有误，或记录尚未公布。",
                    "The page or draw record you are looking for does not exist: the link may be wrong, or the record is not published yet.",
                )}
            </p>
            <p>
                <A href="/">{lang.pick("返回首页，查看已公布的抽取", "Back to the home page and the published draws")}</A>
            </p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <NotFoundContent/> }
}
