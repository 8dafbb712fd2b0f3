//! "在浏览器中验证 / Verify in your browser": downloads the published record and
//! recomputes the draw with the `draw` crate compiled to WebAssembly.

use leptos::prelude::*;

use crate::i18n::use_lang;

/// What a verification found, in display form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub matched: bool,
    pub steps: Vec<StepLine>,
    pub differences: Vec<DifferenceLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepLine {
    pub zh: &'static str,
    pub en: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DifferenceLine {
    /// Where, in words (Chinese first).
    pub location: String,
    /// What the re-run computed.
    pub recomputed: String,
    pub published: String,
}

impl Outcome {
    pub fn from_verification(v: &draw::Verification) -> Outcome {
        Outcome {
            matched: v.is_match(),
            steps: v
                .steps
                .iter()
                .map(|s| StepLine { zh: s.kind.zh(), en: s.kind.en(), ok: s.ok, detail: s.detail.clone() })
                .collect(),
            differences: v
                .differences
                .iter()
                .map(|d| DifferenceLine {
                    location: d.location.clone(),
                    recomputed: d.expected.clone(),
                    published: d.published.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyState {
    Idle,
    Running,
    Done(Outcome),
    /// The record could not be downloaded or read.
    Failed(String),
}

/// Downloads `url` and verifies the record it holds.
#[cfg(feature = "hydrate")]
pub async fn fetch_and_verify(url: &str) -> VerifyState {
    let response = match gloo_net::http::Request::get(url).send().await {
        Ok(r) => r,
        Err(e) => return VerifyState::Failed(format!("无法下载抽取记录 / cannot download the record: {e}")),
    };
    if !response.ok() {
        return VerifyState::Failed(format!(
            "无法下载抽取记录（HTTP {}）/ cannot download the record (HTTP {})",
            response.status(),
            response.status()
        ));
    }
    let record: draw::DrawRecord = match response.json().await {
        Ok(r) => r,
        Err(e) => {
            return VerifyState::Failed(format!("抽取记录格式无效 / the record is not a valid draw record: {e}"));
        }
    };
    VerifyState::Done(Outcome::from_verification(&draw::verify(&record)))
}

#[component]
pub fn VerifyPanel(
    /// The draw id.
    id: String,
) -> impl IntoView {
    let lang = use_lang();
    // Effects run only in the browser, after hydration: until then the button is inert.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let state = RwSignal::new(VerifyState::Idle);
    let url = format!("/api/draws/{id}/record.json");

    let run = move |_| {
        if state.with_untracked(|s| *s == VerifyState::Running) {
            return;
        }
        state.set(VerifyState::Running);
        #[cfg(feature = "hydrate")]
        {
            let url = url.clone();
            leptos::task::spawn_local(async move {
                let result = fetch_and_verify(&url).await;
                state.set(result);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &url;
    };

    let result = move || match state.get() {
        VerifyState::Idle => ().into_any(),
        VerifyState::Running => {
            view! { <p class="verify-running">{lang.pick("正在重新计算…", "Recomputing…")}</p> }.into_any()
        }
        VerifyState::Failed(message) => view! {
            <p class="verify-bad">
                <span aria-hidden="true">"✗ "</span>
                {message}
            </p>
        }
        .into_any(),
        VerifyState::Done(outcome) => {
            let steps = outcome
                .steps
                .iter()
                .map(|step| {
                    let mark = if step.ok { "✓" } else { "✗" };
                    let class = if step.ok { "step-ok" } else { "step-bad" };
                    view! {
                        <li class=class>
                            <span aria-hidden="true">{mark}" "</span>
                            <strong>{lang.pick(step.zh, step.en)}</strong>
                            <br/>
                            <small class="muted">{step.detail.clone()}</small>
                        </li>
                    }
                })
                .collect_view();
            let differences = outcome
                .differences
                .iter()
                .map(|d| {
                    view! {
                        <li>
                            <strong>{d.location.clone()}</strong>
                            {lang.pick("：重新计算得到 ", ": recomputed ")}
                            <code>{d.recomputed.clone()}</code>
                            {lang.pick("，而公布的是 ", ", but the published value is ")}
                            <code>{d.published.clone()}</code>
                        </li>
                    }
                })
                .collect_view();
            if outcome.matched {
                view! {
                    <p class="verify-ok">
                        <span aria-hidden="true">"✓ "</span>
                        {lang.pick("与公布结果一致", "Matches the published result")}
                    </p>
                    <details>
                        <summary>{lang.pick("验证步骤", "Verification steps")}</summary>
                        <ul class="steps-list">{steps}</ul>
                    </details>
                }
                .into_any()
            } else {
                view! {
                    <p class="verify-bad">
                        <span aria-hidden="true">"✗ "</span>
                        {lang.pick("与公布结果不一致", "Does NOT match the published result")}
                    </p>
                    <h3>{lang.pick("不一致之处", "Differences")}</h3>
                    <ul class="differences">{differences}</ul>
                    <h3>{lang.pick("验证步骤", "Verification steps")}</h3>
                    <ul class="steps-list">{steps}</ul>
                }
                .into_any()
            }
        }
    };

    view! {
        <div class="verify-panel">
            <button
                type="button"
                class="verify-button"
                on:click=run
                disabled=move || !ready.get() || state.with(|s| *s == VerifyState::Running)
            >
                {lang.pick("在浏览器中验证", "Verify in your browser")}
            </button>
            <noscript>
                <p>
                    {lang.pick(
                        "浏览器验证需要启用 JavaScript 和 WebAssembly。也可以按下面的方法离线验证。",
                        "Verifying in the browser needs JavaScript and WebAssembly. You can also verify offline as described below.",
                    )}
                </p>
            </noscript>
            <div class="verify-result" role="status" aria-live="polite">
                {result}
            </div>
        </div>
    }
}
