//! "我在这次抽取中吗？/ Was I in this draw?": an enterprise enters its
//! 统一社会信用代码; the browser fetches its Merkle proof of membership in the
//! committed pool and checks it itself against the committed objects root.

use leptos::prelude::*;

use crate::components::verify::esc;
use crate::i18n::{Lang, use_lang};

/// The example in the empty field: a well-formed code (its check character is right).
pub const PLACEHOLDER: &str = "91430100MA4L00000F";

/// What the lookup found, in display form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupState {
    Idle,
    Running,
    /// The code is not a valid 统一社会信用代码 (message per language).
    Invalid {
        zh: String,
        en: String,
    },
    Found(Found),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub lookup: draw::Lookup,
    /// The proof was checked in the browser against the committed root.
    pub proof_ok: bool,
}

/// The reason a typed code is not a credit code, in Chinese and English.
pub fn code_problem(code: &str) -> Option<(String, String)> {
    use draw::IdError;
    match draw::id::check_credit_code(code) {
        Ok(_) => None,
        Err(IdError::CreditCodeLength(n)) => Some((
            format!("统一社会信用代码应为 18 位，您输入了 {n} 位。"),
            format!("A unified social credit code has 18 characters; you entered {n}."),
        )),
        Err(IdError::CreditCodeCharacter { position, character }) => Some((
            format!("第 {position} 位的“{character}”不是统一社会信用代码中可用的字符（不用 I、O、S、V、Z）。"),
            format!(
                "'{character}' at position {position} cannot appear in a credit code (I, O, S, V, Z are not used)."
            ),
        )),
        Err(IdError::CreditCodeCheck { expected, found }) => Some((
            format!("校验码（第 18 位）不对：按前 17 位应为“{expected}”，您输入的是“{found}”。请核对是否输错。"),
            format!(
                "The check character (18th) is wrong: from the first 17 it should be '{expected}', you entered '{found}'. Please check for a typo."
            ),
        )),
        Err(e) => Some((e.to_string(), e.to_string())),
    }
}

#[cfg(feature = "hydrate")]
async fn fetch_lookup(id: &str, code: &str, objects_root: &str) -> LookupState {
    let url = format!("/api/draws/{id}/objects/{code}");
    let response = match gloo_net::http::Request::get(&url).send().await {
        Ok(r) => r,
        Err(e) => return LookupState::Failed(format!("查询失败 / the lookup failed: {e}")),
    };
    if !response.ok() {
        return LookupState::Failed(format!("查询失败（HTTP {}） / the lookup failed", response.status()));
    }
    let text = match response.text().await {
        Ok(t) => t,
        Err(e) => return LookupState::Failed(format!("查询失败 / the lookup failed: {e}")),
    };
    let lookup: draw::Lookup = match serde_json::from_str(&text) {
        Ok(l) => l,
        Err(e) => return LookupState::Failed(format!("查询结果无效 / invalid answer: {e}")),
    };
    let proof_ok = match &lookup.proof {
        // The verifier module reads the proof from the answer as it came.
        Some(proof) => match crate::components::verify::wasm::check_lookup_proof(&text, objects_root).await {
            Ok(ok) => ok && proof.object == code,
            Err(e) => return LookupState::Failed(e),
        },
        None => false,
    };
    LookupState::Found(Found { lookup, proof_ok })
}

/// The lookup's answer, as HTML (text rather than views keeps the page bundle small).
fn found_html(lang: Lang, found: &Found, strata: &[(String, String)]) -> String {
    let Found { lookup, proof_ok } = found;
    let object = esc(&lookup.object);
    let Some(proof) = &lookup.proof else {
        return format!(
            "<p class=\"lookup-absent\"><strong>{object}</strong>{}</p><p class=\"muted\">{}</p>",
            lang.pick(" 不在本次抽取的名录库中，因此不可能被抽中。", " was not in this draw's pool, so it could not be drawn."),
            lang.pick(
                "（名录库是否完整，可下载抽取记录重算默克尔根来核对。）",
                "(Whether the pool is complete can be checked by downloading the record and recomputing the Merkle root.)"
            )
        );
    };
    let mut out = if *proof_ok {
        let text = match lang {
            Lang::Zh => format!(
                "在名录库中：默克尔包含证明已在您的浏览器中验证（共 {} 户中的第 {} 户，对照承诺的默克尔根）。",
                proof.size,
                proof.index + 1
            ),
            Lang::En => format!(
                "In the pool: the Merkle inclusion proof was checked in your browser (object {} of {}, against the committed root).",
                proof.index + 1,
                proof.size
            ),
        };
        format!("<p class=\"verify-ok proof-ok\"><span aria-hidden=\"true\">✓ </span>{text}</p>")
    } else {
        format!(
            "<p class=\"verify-bad proof-bad\"><span aria-hidden=\"true\">✗ </span>{}</p>",
            lang.pick(
                "服务器给出的包含证明与承诺的默克尔根不符！",
                "The inclusion proof from the server does NOT match the committed Merkle root!"
            )
        )
    };
    if let Some(reason) = lookup.excluded {
        out.push_str(&format!(
            "<p class=\"lookup-excluded\">{}<strong>{}</strong></p>",
            lang.pick("未参加抽取，原因：", "Not eligible for this draw: "),
            lang.pick(reason.zh(), reason.en())
        ));
    }
    match &lookup.selected {
        Some(p) => {
            // The stratum by its name (its id is an internal code), the id only if it has none.
            let name = strata.iter().find(|(id, _)| *id == p.stratum).map_or(p.stratum.as_str(), |(_, n)| n.as_str());
            let (name, team) = (esc(name), esc(&p.team.join("、")));
            out.push_str(&format!(
                "<p class=\"lookup-selected\"><strong>{}</strong>{}</p>",
                lang.pick("被抽中。", "Drawn."),
                match lang {
                    Lang::Zh => format!(" 分层：{name}，第 {} 位；检查组：{team}。", p.position),
                    Lang::En => format!(" Stratum {name}, position {}; team: {team}.", p.position),
                }
            ));
        }
        None if lookup.excluded.is_none() => out.push_str(&format!(
            "<p class=\"lookup-not-selected\">{}</p>",
            lang.pick("可抽，但未被抽中。", "Eligible, but not drawn.")
        )),
        None => {}
    }
    out
}

#[island]
pub fn LookupPanel(
    /// The draw id.
    id: String,
    /// The committed Merkle root of the pool (hex), from the page.
    objects_root: String,
    /// (stratum id, name) of the draw's strata.
    strata: Vec<(String, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let code = RwSignal::new(String::new());
    let state = RwSignal::new(LookupState::Idle);
    let input_id = format!("lookup-code-{id}");
    let error_id = format!("lookup-error-{id}");

    let submit = {
        let id = id.clone();
        let objects_root = objects_root.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let typed = code.get_untracked().trim().to_ascii_uppercase();
            if let Some((zh, en)) = code_problem(&typed) {
                state.set(LookupState::Invalid { zh, en });
                return;
            }
            state.set(LookupState::Running);
            #[cfg(feature = "hydrate")]
            {
                let id = id.clone();
                let root = objects_root.clone();
                leptos::task::spawn_local(async move {
                    let result = fetch_lookup(&id, &typed, &root).await;
                    state.set(result);
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&id, &objects_root);
        }
    };

    let invalid = move || matches!(state.get(), LookupState::Invalid { .. });
    let error_id_attr = error_id.clone();
    let result = move || {
        state.with(|s| match s {
            LookupState::Idle | LookupState::Invalid { .. } => String::new(),
            LookupState::Running => format!("<p>{}</p>", lang.pick("正在查询…", "Looking up…")),
            LookupState::Failed(m) => {
                format!("<p class=\"verify-bad\">{}</p>", esc(&crate::components::verify::failure_text(lang, m)))
            }
            LookupState::Found(f) => found_html(lang, f, &strata),
        })
    };
    let message = move || match state.get() {
        LookupState::Invalid { zh, en } => lang.pick(&zh, &en).to_owned(),
        _ => String::new(),
    };

    view! {
        <form class="lookup-form" on:submit=submit novalidate>
            <div>
                <label for=input_id.clone()>{lang.pick("统一社会信用代码", "Unified social credit code")}</label>
                <input
                    id=input_id.clone()
                    name="code"
                    type="text"
                    inputmode="text"
                    autocomplete="off"
                    spellcheck="false"
                    maxlength="40"
                    placeholder=PLACEHOLDER
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=error_id_attr
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
            </div>
            <button type="submit" class="action-button lookup-button" disabled=move || !ready.get()>
                {lang.pick("查询", "Look up")}
            </button>
        </form>
        <p id=error_id class="field-error" role="alert">{message}</p>
        <div class="lookup-result" role="status" aria-live="polite" inner_html=result></div>
        <noscript>
            <p>
                {lang.pick(
                    "在浏览器中查询需要启用 JavaScript。也可以下载抽取记录后用命令行查询并验证证明：",
                    "Looking up in the browser needs JavaScript. You can also download the record and check with the command-line tool: ",
                )}
                <code>{format!("gongkai prove {id}.record.json --object 统一社会信用代码")}</code>
            </p>
        </noscript>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_placeholder_is_a_valid_code() {
        assert!(draw::id::check_credit_code(super::PLACEHOLDER).is_ok());
    }
}
