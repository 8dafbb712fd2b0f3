//! `/tools`: how anyone re-checks a draw without trusting the portal — in the
//! browser, with the `gongkai` command line (crate `cli/`, built from the
//! draw crate alone), or with the independent Python reference implementation
//! (`draw/reference/`, served under `/tools/`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_lang;

/// The files of the Python reference implementation served for download.
pub const PYTHON_FILES: &[&str] = &["gongkai_draw.py", "verify_record.py"];

/// One command of the `gongkai` tool.
struct Command {
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    example: &'static str,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "verify",
        zh: "重新计算一份抽取记录并逐项比较；加 --commitment 或 --portal 时还核对承诺值是在随机数产生前公布的。",
        en: "Re-runs a draw record and compares every value; with --commitment or --portal it also checks that the commitment was published before the randomness.",
        example: "gongkai verify RECORD.json --commitment HEX",
    },
    Command {
        name: "prove",
        zh: "给出某企业在对象库中的包含证明（别名 lookup），企业不在库中时退出码为 1。",
        en: "Prints an enterprise's proof of inclusion in the pool (alias lookup); exit code 1 when it is not in the pool.",
        example: "gongkai prove RECORD.json --object CREDIT_CODE",
    },
    Command {
        name: "commit",
        zh: "部门在抽取前校验输入并计算要公布的承诺值。",
        en: "For a department, before a draw: validates the inputs and computes the commitment to publish.",
        example: "gongkai commit --input INPUT.json --out COMMITTED.json",
    },
    Command {
        name: "draw",
        zh: "用公共随机数（drand 信标或公开号码）进行抽取并写出记录。",
        en: "Makes the draw with the public randomness (a drand beacon or public numbers) and writes the record.",
        example: "gongkai draw --input COMMITTED.json --drand-signature HEX --out RECORD.json",
    },
    Command {
        name: "recuse",
        zh: "登记一次回避并从回避随机流抽取替换人员，写出新记录。",
        en: "Records a recusal, draws the replacement from the recusal stream and writes a new record.",
        example: "gongkai recuse RECORD.json --object CREDIT_CODE --inspector CERT --reason TEXT --date YYYY-MM-DD --out NEW.json",
    },
];

#[component]
pub fn ToolsPage() -> impl IntoView {
    let lang = use_lang();
    let title = lang.pick("自行验证抽取", "Verify a draw yourself");
    let commands = COMMANDS
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row"><code>{c.name}</code></th>
                    <td>{lang.pick(c.zh, c.en)}</td>
                    <td><code>{c.example}</code></td>
                </tr>
            }
        })
        .collect_view();
    let python = PYTHON_FILES
        .iter()
        .map(|f| {
            view! {
                <li>
                    <a href=format!("/tools/{f}") download=*f rel="external"><code>{*f}</code></a>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=title/>
        <article class="tools">
            <h1>{title}</h1>
            <p>
                {lang.pick(
                    "每次抽取都可以由任何人独立复核，不必信任本网站：抽取记录含有全部输入，按公开的规范重新计算即可得到同样的结果。下面三种方法彼此独立。",
                    "Anyone can re-check every draw without trusting this site: a draw record holds all of its inputs, and recomputing it by the published spec gives the same result. The three ways below are independent of each other.",
                )}
            </p>
            <p>
                {lang.pick(
                    "只凭记录本身只能检查一致性。要确认输入在随机数产生之前已经确定，请核对记录的承诺值与抽取页面上“事先公布的承诺值”相同（命令行用 --commitment 给出，或用 --portal 从本网站取得）。",
                    "A record alone only proves its own consistency. To confirm that the inputs were fixed before the randomness existed, check the record's commitment against the commitment published before the draw, shown on the draw's page (give it with --commitment, or let the tool fetch it with --portal).",
                )}
            </p>

            <section aria-labelledby="browser-title">
                <h2 id="browser-title">{lang.pick("1. 在浏览器中", "1. In your browser")}</h2>
                <p>
                    {lang.pick(
                        "打开任意一次抽取，点击“在浏览器中验证”。需要启用 JavaScript 和 WebAssembly；计算在您的电脑上完成。",
                        "Open any draw and press \"Verify in your browser\". It needs JavaScript and WebAssembly; the computation runs on your own computer.",
                    )}
                    " "
                    <a href="/draws">{lang.pick("全部抽取", "All draws")}</a>
                </p>
            </section>

            <section aria-labelledby="cli-title">
                <h2 id="cli-title">{lang.pick("2. 命令行工具 gongkai", "2. The gongkai command-line tool")}</h2>
                <p>
                    {lang.pick(
                        "gongkai 只依赖抽取算法本身（与本网站和浏览器使用的是同一份代码），不需要数据库或网站。安装 Rust 后，在项目源代码目录中运行：",
                        "gongkai depends only on the draw algorithm itself (the same code this site and your browser run), with no database or web server. With Rust installed, run in the project's source directory:",
                    )}
                </p>
                <pre><code>"cargo install --path cli"</code></pre>
                <table class="data">
                    <caption>{lang.pick("命令", "Commands")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("命令", "Command")}</th>
                            <th scope="col">{lang.pick("用途", "What it does")}</th>
                            <th scope="col">{lang.pick("示例", "Example")}</th>
                        </tr>
                    </thead>
                    <tbody>{commands}</tbody>
                </table>
                <p>
                    {lang.pick(
                        "退出码：0 一致；1 内容有误或不一致（逐项列出）；2 文件无法读取或用法错误。每个命令的 --help 给出全部选项。",
                        "Exit codes: 0 the record matches; 1 the content is wrong or differs (every difference listed); 2 a file cannot be read, or wrong usage. Each command's --help lists every option.",
                    )}
                </p>
            </section>

            <section aria-labelledby="python-title">
                <h2 id="python-title">{lang.pick("3. Python 参考实现", "3. The Python reference implementation")}</h2>
                <p>
                    {lang.pick(
                        "另一份完全独立的实现，只依据规范编写，只用 Python 3 标准库。下载两个文件放在同一目录：",
                        "A second, fully independent implementation written from the spec alone, using only Python 3's standard library. Download both files into one folder:",
                    )}
                </p>
                <ul>{python}</ul>
                <pre><code>"python3 verify_record.py RECORD.json --commitment HEX"</code></pre>
                <p>
                    {lang.pick(
                        "它不检查 drand 信标的 BLS 签名（只检查随机数 = SHA-256(签名)）；签名可用 gongkai verify 或浏览器验证检查。",
                        "It does not check the drand beacon's BLS signature (only that the randomness is SHA-256 of the signature); gongkai verify and the browser check the signature.",
                    )}
                </p>
            </section>

            <section aria-labelledby="spec-title">
                <h2 id="spec-title">{lang.pick("自行编写", "Write your own")}</h2>
                <p>
                    {lang.pick(
                        "规范写明了每一步（输入、承诺值、种子、资格、抽取、检查组、回避），以及检查实现是否正确的测试向量：",
                        "The spec states every step (inputs, commitment, seed, eligibility, selection, teams, recusals), and the test vectors that show an implementation is right:",
                    )}
                    " "
                    <a href="/spec" rel="external">{lang.pick("抽取协议规范", "Draw protocol spec")}</a>
                </p>
            </section>
        </article>
    }
}
