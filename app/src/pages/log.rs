//! `/log`: the publication log (公示日志) for visitors: what it is, its
//! verifier key, where its checkpoint and tiles are, and how to check the
//! database against it (docs/LOG.md).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_lang;

#[component]
pub fn LogPage() -> impl IntoView {
    let lang = use_lang();
    let log = use_context::<crate::types::LogIdentity>().unwrap_or_default();
    let title = lang.pick("公示日志", "Publication log");
    view! {
        <Title text=title/>
        <article class="log">
            <h1>{title}</h1>
            <p>
                {lang.pick(
                    "本网站公示的每一项内容——每个部门、每个抽取承诺、每次抽取（含回避和替换），检查事项、检查人员、检查对象、年度计划、检查结果、年度计划执行情况报告和工作日历的每个版本（更正也是新版本），以及每份企业评价的回执（收到评价的时间和所提交内容的散列值，不含评价内容本身）——都按公示顺序记入一个只能追加的默克尔树（RFC 6962），与公示写入同一个数据库事务。每条记录写明公示内容的网址和它的 SHA-256 散列值，任何人都可以下载内容、计算散列值并比较。日志的检查点由本网站的密钥签名；日志一旦签名发布，此前的任何记录被修改或删除都会被发现。",
                    "Everything this site publishes — every department, every draw commitment, every draw (its recusals and replacements included), every version (a correction is a new version) of every inspection item, inspector, enterprise, annual plan, inspection result, plan execution report and working-day calendar year, and the receipt of every enterprise's feedback (when it was received and the hash of what was sent, not the feedback itself) — is added, in the order published, to an append-only Merkle tree (RFC 6962), in the same database transaction as the publication. Each entry names the address of what was published and its SHA-256 hash, so anyone can download the content, hash it and compare. The log's checkpoints are signed with this site's key: once a checkpoint is out, changing or deleting anything logged before it can be detected.",
                )}
            </p>
            <h2>{lang.pick("在浏览器中核对", "Checking in your browser")}</h2>
            <p>
                {lang.pick(
                    "每个抽取、检查结果、年度计划、检查事项、检查人员和企业的页面都写明它是公示日志的第几条，并在您的浏览器中核对：检查点的签名、这条记录包含在日志中的证明、页面所列内容的散列值，以及日志与本浏览器上次看到的检查点一致（检查点保存在本浏览器中），即此前公示的内容没有被改动或删除。核对不通过时，页面会给出警告，并提供两个检查点供下载作为证据。",
                    "Every page of a draw, inspection result, annual plan, inspection item, inspector or enterprise says which entry of the log it is and checks it in your browser: the checkpoint's signature, the proof that the entry is in the log, the hash of the content it lists, and that the log is consistent with the checkpoint this browser saw last time (kept in this browser), that is, that nothing published before was changed or removed. If a check fails, the page says so and offers both checkpoints to download as evidence.",
                )}
            </p>
            <h2>{lang.pick("验证公钥", "Verifier key")}</h2>
            <dl class="facts">
                <div>
                    <dt>{lang.pick("日志名称（origin）", "Origin")}</dt>
                    <dd><code>{log.origin.clone()}</code></dd>
                </div>
                <div>
                    <dt>{lang.pick("验证公钥（signed-note 格式，Ed25519）", "Verifier key (signed-note form, Ed25519)")}</dt>
                    <dd><code class="key">{log.verifier_key.clone()}</code></dd>
                </div>
            </dl>
            <h2>{lang.pick("见证者", "Witnesses")}</h2>
            {if log.witnesses.is_empty() {
                view! {
                    <p>
                        {lang.pick(
                            "本网站尚未配置见证者：检查点只有本网站自己的签名。",
                            "This site has no witnesses configured: its checkpoints carry only its own signature.",
                        )}
                    </p>
                }
                    .into_any()
            } else {
                let quorum = match lang {
                    crate::i18n::Lang::Zh => format!(
                        "见证者是独立于本网站的机构。每个新检查点都发给它们；只有在检查点确由本网站签名、且日志只是在此前见证的基础上追加时，它们才联署（C2SP tlog-witness）。联署带有见证者的时间，是检查点中每条记录在那时已经存在的第三方证据。浏览器核对时要求至少 {} 个见证者联署：",
                        log.quorum
                    ),
                    crate::i18n::Lang::En => format!(
                        "Witnesses are organisations independent of this site. Every new checkpoint is sent to them; they cosign it only if this site signed it and the log merely grew from what they witnessed before (C2SP tlog-witness). A cosignature carries the witness's time: third-party evidence that every entry in the checkpoint existed then. Your browser requires the cosignatures of at least {} of them:",
                        log.quorum
                    ),
                };
                view! {
                    <p>{quorum}</p>
                    <ul>
                        {log
                            .witnesses
                            .iter()
                            .map(|w| view! { <li><code class="key">{w.clone()}</code></li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <h2>{lang.pick("日志文件", "The log's files")}</h2>
            <p>
                {lang.pick(
                    "按 C2SP tlog-tiles 格式提供，可由任何 CDN 缓存：",
                    "Served in the C2SP tlog-tiles layout, which any CDN can cache:",
                )}
            </p>
            <ul>
                <li>
                    <a href="/log/checkpoint" rel="external"><code>"/log/checkpoint"</code></a>
                    {lang.pick("：最新检查点（记录数和树根，已签名）", ": the newest checkpoint (size and root, signed)")}
                </li>
                <li>
                    <code>"/log/tile/<L>/<N>[.p/<W>]"</code>
                    {lang.pick("：散列值分片", ": hash tiles")}
                </li>
                <li>
                    <code>"/log/tile/entries/<N>[.p/<W>]"</code>
                    {lang.pick("：日志记录本身", ": the entries themselves")}
                </li>
            </ul>
            <p>
                {lang.pick(
                    "记录格式、分片和检查点的说明见项目的 docs/LOG.md，可据此自行编写程序核对。部门可用命令 ",
                    "The entry format, the tiles and the checkpoint are described in the project's docs/LOG.md, enough to check the log with your own code. A department checks its database against the log with ",
                )}
                <code>"server log verify"</code>
                {lang.pick("核对数据库与日志是否一致；用 ", "; anyone holding a checkpoint (such as the evidence this page offers when a check fails) can have it checked against the log's key and the database with ")}
                <code>"server log checkpoint"</code>
                {lang.pick("可核对任何人保存的检查点（例如核对未通过时本页提供下载的证据）是否由本日志的密钥签署、与数据库一致。", ".")}
            </p>
        </article>
    }
}
