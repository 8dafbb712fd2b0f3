//! `/inspectors/{certificate}`: one inspector with the history of the entry.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::inspector_page;
use crate::components::filters::{VersionNote, joined};
use crate::components::load::loaded;
use crate::components::log_check::LogCheck;
use crate::i18n::use_lang;
use crate::pages::inspectors::inspector_marks;
use crate::pages::not_found::NotFoundContent;
use crate::types::InspectorRow;

#[component]
pub fn InspectorPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let certificate = move || params.read().get("certificate").unwrap_or_default();
    let data = Resource::new(certificate, inspector_page);
    view! {
        {loaded(
            data,
            move |(versions, recusals): (Vec<InspectorRow>, Vec<crate::types::RecusalRow>)| {
                let Some(current) = versions.first().cloned() else {
                    return view! { <NotFoundContent what=certificate()/> }.into_any();
                };
                let history = versions
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let marks = inspector_marks(lang, &v);
                        view! {
                            <article class="version" class:version-old={k > 0}>
                                <VersionNote version=v.version current={k == 0} reason=v.correction_reason.clone()/>
                                <p>{marks}</p>
                                <dl class="facts">
                                    <div>
                                        <dt>{lang.pick("姓名", "Name")}</dt>
                                        <dd>{v.name.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("单位", "Unit")}</dt>
                                        <dd>{v.unit.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("岗位", "Post")}</dt>
                                        <dd>{v.post.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("资格", "Qualifications")}</dt>
                                        <dd>{joined(lang, &v.qualifications)}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("执法证有效期", "Certificate valid")}</dt>
                                        <dd>{format!("{} – {}", v.valid_from, v.valid_until)}</dd>
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
                        {lang.pick("执法证号 ", "Certificate ")}
                        <code>{current.certificate.clone()}</code>
                        " · "
                        <A href=format!("/departments/{}", current.department_code.clone().unwrap_or_default())>
                            {current.department.clone()}
                        </A>
                    </p>
                    <crate::components::feedback_stats::FeedbackSection
                        department=None
                        certificate=Some(current.certificate.clone())
                    />
                    <crate::components::recusals::RecusalSection
                        recusals=recusals
                        empty=lang.pick("没有公开的回避记录。", "No published recusal.")
                    />
                    <section aria-labelledby="history-title">
                        <h2 id="history-title">{lang.pick("现行信息与历史版本", "Current entry and earlier versions")}</h2>
                        {history}
                    </section>
                    <LogCheck kind="inspector" key=current.certificate.clone() version=current.version/>
                }
                    .into_any()
            },
        )}
    }
}
