//! Gongkai (公开): the Leptos application. Every page is rendered on the server
//! (feature `ssr`); only the islands (`#[island]`: the verify panel, the
//! "was I in this draw?" lookup, the commitment check) are compiled into the
//! browser bundle (feature `hydrate`) and come alive there.
// The view types of the draw page nest deeply; the release wasm build needs room.
#![recursion_limit = "256"]

pub mod api;
pub mod calendar;
pub mod components;
pub mod export;
pub mod feedback;
pub mod glossary;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod report;
#[cfg(feature = "ssr")]
pub mod reports_ssr;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod types;
pub mod view;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::{SiteFooter, SiteHeader};
use crate::i18n::Lang;
use crate::pages::{
    department::DepartmentPage, departments::DepartmentsPage, draw::DrawPage, draws::DrawsPage,
    enterprise::EnterprisePage, enterprises::EnterprisesPage, home::HomePage, inspector::InspectorPage,
    inspectors::InspectorsPage, item::ItemPage, items::ItemsPage, not_found::NotFound, open_data::OpenDataPage,
    plan::PlanPage, plans::PlansPage, report::ReportPage, reports::ReportsPage, result::ResultPage,
    results::ResultsPage,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::current_lang();
    // The one inline script (Leptos's island loader) carries the response's CSP nonce.
    #[cfg(feature = "ssr")]
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<ssr::CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.html_lang()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/style.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                // Defines window.gongkaiLoadVerifier for the verifying islands (a module: deferred, no inline script).
                <script type="module" src=components::verify::LOADER_URL></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Remembers a language chosen with `?lang=` in a cookie.
#[cfg(feature = "ssr")]
fn remember_lang_choice() {
    let Some(parts) = use_context::<http::request::Parts>() else { return };
    let cookie = parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok());
    let (lang, from_query) = i18n::resolve(parts.uri.query(), cookie);
    if !from_query {
        return;
    }
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&i18n::set_cookie_value(lang)))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The text of `<title>` as HTML. leptos_meta's server rendering inserts a
/// title as it is (`<title>{text}</title>`), so a published name such as
/// `</title><script>…` would become markup; every title goes through this.
/// (Titles are set only on the server: pages are not hydrated, islands set none.)
pub fn escape_title(text: String) -> String {
    if cfg!(feature = "ssr") { components::verify::esc(&text) } else { text }
}

/// The page's address, shown only on paper (`.print-only`): a printed page says where it came from.
#[component]
fn PrintAddress() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    #[allow(unused_mut)]
    let mut origin = String::new();
    #[cfg(feature = "ssr")]
    if let Some(host) = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned))
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
    {
        origin = format!("http://{host}");
    }
    let address = move || {
        let query = location.search.get();
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{origin}{}{query}", location.pathname.get())
    };
    view! { <p class="print-only print-url">{address}</p> }
}

/// The application: header, routed page, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang: Lang = i18n::current_lang();
    provide_context(lang);
    #[cfg(feature = "ssr")]
    remember_lang_choice();

    view! {
        // leptos_meta writes the title into `<title>` on the server without
        // escaping it, and titles carry published names: escape every one.
        <Title formatter=escape_title/>
        <Router>
            <a class="skip-link" href="#main">{lang.pick("跳到正文", "Skip to content")}</a>
            <SiteHeader/>
            <main id="main" tabindex="-1">
                <PrintAddress/>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("draws"), ParamSegment("id"))
                        view=DrawPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("draws") view=DrawsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("departments") view=DepartmentsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("departments"), ParamSegment("code"))
                        view=DepartmentPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("reports"), ParamSegment("department"), ParamSegment("year"))
                        view=ReportPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("items") view=ItemsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("items"), ParamSegment("department"), ParamSegment("item"))
                        view=ItemPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("inspectors") view=InspectorsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("inspectors"), ParamSegment("certificate"))
                        view=InspectorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("plans") view=PlansPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("plans"), ParamSegment("code"))
                        view=PlanPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("results") view=ResultsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("results"), ParamSegment("code"))
                        view=ResultPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("enterprises") view=EnterprisesPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("enterprises"), ParamSegment("code"))
                        view=EnterprisePage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("open-data") view=OpenDataPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("tools") view=pages::tools::ToolsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("log") view=pages::log::LogPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("calendar") view=pages::calendar::CalendarPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("spec") view=pages::spec::SpecPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("feedback") view=pages::feedback::FeedbackPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("demo"), StaticSegment("feedback"))
                        view=pages::demo_feedback::DemoFeedbackPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter/>
        </Router>
    }
}
