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
                    "本网站公示的每次抽取和每个抽取承诺都按公示顺序记入一个只能追加的默克尔树（RFC 6962），与公示写入同一个数据库事务。每条记录写明公示内容的网址和它的 SHA-256 散列值，任何人都可以下载内容、计算散列值并比较。日志的检查点由本网站的密钥签名；日志一旦签名发布，此前的任何记录被修改或删除都会被发现。",
                    "Every draw and every draw commitment this site publishes is added, in the order published, to an append-only Merkle tree (RFC 6962), in the same database transaction as the publication. Each entry names the address of what was published and its SHA-256 hash, so anyone can download the content, hash it and compare. The log's checkpoints are signed with this site's key: once a checkpoint is out, changing or deleting anything logged before it can be detected.",
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
                {lang.pick("核对数据库与日志是否一致。", ".")}
            </p>
        </article>
    }
}
