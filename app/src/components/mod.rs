//! Page furniture shared by every route.

pub mod charts;
pub mod feedback_stats;
pub mod filters;
pub mod load;
pub mod log_check;
pub mod lookup;
pub mod recusals;
pub mod table;
pub mod verify;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::i18n::{Lang, use_lang};

/// Sets the HTTP status of the response being rendered (server only).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let lang = use_lang();
    view! {
        <header class="site-header">
            <div class="wrap header-row">
                <A href="/" attr:class="brand">
                    <span class="brand-zh">"公开"</span>
                    <span class="brand-en">"Gongkai"</span>
                </A>
                <nav aria-label=lang.pick("主导航", "Main")>
                    <ul class="nav-list">
                        <li>
                            <A href="/">{lang.pick("首页", "Home")}</A>
                        </li>
                        <li>
                            <A href="/draws">{lang.pick("抽取", "Draws")}</A>
                        </li>
                        <li>
                            <A href="/results">{lang.pick("检查结果", "Results")}</A>
                        </li>
                        <li>
                            <A href="/enterprises">{lang.pick("企业查询", "Enterprises")}</A>
                        </li>
                        <li>
                            <A href="/plans">{lang.pick("年度计划", "Plans")}</A>
                        </li>
                        <li>
                            <A href="/reports">{lang.pick("执行情况", "Reports")}</A>
                        </li>
                        <li>
                            <A href="/items">{lang.pick("事项清单", "Item lists")}</A>
                        </li>
                        <li>
                            <A href="/inspectors">{lang.pick("检查人员", "Inspectors")}</A>
                        </li>
                        <li>
                            <A href="/departments">{lang.pick("部门", "Departments")}</A>
                        </li>
                        <li>
                            <a href="/feedback">{lang.pick("评价反馈", "Feedback")}</a>
                        </li>
                        <li>
                            <a href="/spec" rel="external">
                                {lang.pick("抽取协议规范", "Draw protocol spec")}
                            </a>
                        </li>
                        <li>
                            <A href="/open-data">{lang.pick("开放数据", "Open data")}</A>
                        </li>
                    </ul>
                </nav>
                <LangSwitch/>
            </div>
        </header>
    }
}

/// Links that reload the current page in the other language (and set the cookie).
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let link = move |target: Lang, label: &'static str| {
        // The same page in the other language: its path and query (filters, page) kept.
        let href = move || {
            let mut query = location.query.get();
            query.remove("lang");
            let kept = query.to_query_string();
            let sep = if kept.is_empty() { "?" } else { "&" };
            format!("{}{kept}{sep}lang={}", location.pathname.get(), target.code())
        };
        let current = (target == lang).then_some("true");
        view! {
            <a
                href=href
                rel="external"
                hreflang=target.html_lang()
                lang=target.html_lang()
                aria-current=current
                class="lang-link"
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="lang-switch" aria-label="语言 / Language">
            {link(Lang::Zh, "中文")}
            " | "
            {link(Lang::En, "English")}
        </nav>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let lang = use_lang();
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>
                    {lang.pick(
                        "公开（Gongkai）公布“双随机、一公开”抽查的抽取过程与结果，任何人都可以在自己的浏览器中重新计算每一次抽取。",
                        "Gongkai publishes the draws of China's double-random, one-public inspections; anyone can recompute every draw in their own browser.",
                    )}
                </p>
                <SiteIdentityFacts/>
                <p>
                    <a href="/spec" rel="external">{lang.pick("抽取协议规范", "Draw protocol spec")}</a>
                    " · "
                    <A href="/tools">{lang.pick("自行验证", "Verify it yourself")}</A>
                    " · "
                    <A href="/log">{lang.pick("公示日志", "Publication log")}</A>
                    " · "
                    <A href="/calendar">{lang.pick("法定工作日", "Working days")}</A>
                    " · "
                    <A href="/open-data">{lang.pick("开放数据", "Open data")}</A>
                </p>
            </div>
        </footer>
    }
}

/// The deployment's publisher, contact and filing numbers (server context; the
/// fields not configured are said to be so).
#[component]
fn SiteIdentityFacts() -> impl IntoView {
    let lang = use_lang();
    let site = use_context::<crate::types::SiteIdentity>().unwrap_or_default();
    let field = |label: &'static str, value: Option<String>| {
        let value = match value {
            Some(v) => crate::components::charts::data_text(v).into_any(),
            None => {
                view! { <span class="muted">{lang.pick("（演示站点，未配置）", "(demo site, not configured)")}</span> }
                    .into_any()
            }
        };
        view! {
            <div>
                <dt>{label}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    view! {
        <dl class="site-identity">
            {field(lang.pick("主办单位", "Published by"), site.publisher)}
            {field(lang.pick("联系方式", "Contact"), site.contact)}
            {field(lang.pick("网站标识码", "Government website code"), site.site_code)}
            {field(lang.pick("ICP备案号", "ICP filing number"), site.icp)}
            {field(lang.pick("公安机关备案号", "Public security filing number"), site.police_filing)}
        </dl>
    }
}

/// A message for when data could not be read.
#[component]
pub fn ErrorNotice() -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="notice notice-error" role="alert">
            <h2>{lang.pick("暂时无法显示", "Cannot be shown right now")}</h2>
            <p>
                {lang.pick(
                    "读取数据时出错。请稍后再试；如果问题持续，请联系网站管理员。",
                    "Reading the data failed. Please try again later; if it keeps failing, contact the site's administrators.",
                )}
            </p>
        </div>
    }
}

/// A publication time as people read it: Beijing time to the minute
/// ("北京时间 2025-08-21 16:00"), machine-readable in UTC; a value that is
/// not an RFC 3339 time (a date) as it is.
#[component]
pub fn BeijingTime(value: String) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    match crate::view::ShownTime::parse(&value) {
        Some(t) => {
            let minute = t.beijing.get(..16).unwrap_or(&t.beijing).to_owned();
            let text = format!("{}{minute}", lang.pick("北京时间 ", "Beijing time "));
            view! { <time datetime=t.utc.clone()>{text}</time> }.into_any()
        }
        None => view! { <time>{value}</time> }.into_any(),
    }
}
