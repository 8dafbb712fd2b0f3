//! Loading a page's data: a fallback while it loads, the error notice (status
//! 500) when it cannot be read.

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::components::{ErrorNotice, set_status};
use crate::i18n::use_lang;

/// Renders `resource` with `render` once loaded.
pub fn loaded<T, F>(resource: Resource<Result<T, ServerFnError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p>{lang.pick("正在加载…", "Loading…")}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => render(data),
                        Err(_) => {
                            set_status(500);
                            view! { <ErrorNotice/> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
