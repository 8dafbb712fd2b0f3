//! Reading the files the commands take, and writing their outputs atomically.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use draw::{DrawInput, DrawRecord};
use serde::de::DeserializeOwned;

use super::Failure;

/// The whole file as bytes; a file that cannot be read is exit code 2.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path)
        .map_err(|e| Failure::unreadable(format!("无法读取 {} / cannot read {}: {e}", path.display(), path.display())))
}

/// The whole file as UTF-8 text (a leading BOM is dropped).
pub fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes = read_bytes(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::unreadable(format!(
            "{} 不是 UTF-8 文本（第 {} 字节起）/ {} is not UTF-8 text (from byte {})",
            path.display(),
            e.utf8_error().valid_up_to(),
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Describes a JSON error with its place in the file.
pub fn json_error(path: &Path, e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io | serde_json::error::Category::Eof | serde_json::error::Category::Syntax => {
            "不是有效的 JSON / is not valid JSON"
        }
        serde_json::error::Category::Data => "内容不符合格式 / does not have the expected content",
    };
    format!(
        "{} 第 {} 行第 {} 列 / line {}, column {}: {what}: {}",
        path.display(),
        e.line(),
        e.column(),
        e.line(),
        e.column(),
        plain_serde_message(&e.to_string())
    )
}

/// serde_json appends " at line L column C" to its messages; the place is
/// already given in our own words.
fn plain_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Parses a JSON file into `T`; both an unreadable file and a parse failure
/// are exit code 2 ("not the file expected").
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| Failure::unreadable(json_error(path, &e)))
}

/// Reads a draw record, telling apart a record, the committed inputs and
/// anything else. Any failure is exit code 2.
pub fn read_record(path: &Path) -> Result<DrawRecord, Failure> {
    let text = read_text(path)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::unreadable(json_error(path, &e)))?;
    check_is_record(path, &value)?;
    // SPEC §3.1, §12: read strictly, every problem named by its field (exit 1:
    // it is a record, and what it says is wrong).
    draw::json::parse_record(&text).map_err(|e| {
        Failure::content(format!(
            "{} 不是有效的抽取记录，有 {} 处错误 / is not a valid draw record, {} problem(s):\n{}",
            path.display(),
            e.problems.len(),
            e.problems.len(),
            e.problems.iter().map(|p| format!("  {p}\n")).collect::<String>()
        ))
    })
}

/// Reads committed inputs (a `DrawInput`) strictly, by the rules of SPEC §3.1:
/// text that is not JSON is exit 2, an input with problems exit 1 naming every one.
pub fn read_input(path: &Path) -> Result<DrawInput, Failure> {
    let text = read_text(path)?;
    let _: serde_json::Value = serde_json::from_str(&text).map_err(|e| Failure::unreadable(json_error(path, &e)))?;
    draw::json::parse_input(&text).map_err(|e| input_problems(path, &e))
}

/// Every problem of an input file, one a line, named by file, record and field.
pub fn input_problems(path: &Path, e: &draw::InputError) -> Failure {
    Failure::content(format!(
        "{} 有 {} 处错误，未写出任何文件 / {} has {} problem(s); nothing was written:\n{}",
        path.display(),
        e.problems.len(),
        path.display(),
        e.problems.len(),
        e.problems.iter().map(|p| format!("  {}: {p}\n", path.display())).collect::<String>()
    ))
}

fn check_is_record(path: &Path, value: &serde_json::Value) -> Result<(), Failure> {
    let shown = path.display();
    match value.get("format").and_then(|f| f.as_str()) {
        Some(draw::record::FORMAT) => Ok(()),
        Some(other) => Err(Failure::unreadable(format!(
            "{shown} 的格式是 “{other}”，不是抽取记录（{}）/ its format is '{other}', not a draw record",
            draw::record::FORMAT
        ))),
        None if value.get("draw_id").is_some() && value.get("plan").is_some() => Err(Failure::unreadable(format!(
            "{shown} 是抽取输入（承诺的输入），不是抽取记录；请先运行 gongkai draw / \
             {shown} holds draw inputs (the committed inputs), not a draw record; run `gongkai draw` first"
        ))),
        None => Err(Failure::unreadable(format!(
            "{shown} 不是抽取记录（缺少 \"format\": \"{}\"）/ is not a draw record (no \"format\": \"{}\")",
            draw::record::FORMAT,
            draw::record::FORMAT
        ))),
    }
}

/// True when both paths exist and name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses to write an output over one of the command's inputs.
pub fn check_not_input(out: &Path, inputs: &[&Path]) -> Result<(), Failure> {
    if inputs.iter().any(|i| same_file(out, i)) {
        return Err(Failure::content(format!(
            "--out {} 是输入文件之一，不会覆盖它；请另选文件名 / is one of the inputs and will not be overwritten; choose another name",
            out.display()
        )));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so that `path` is either untouched or complete, never partial.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::unreadable(format!("无法写入 {} / cannot write {}: {e}", path.display(), path.display()))
    };
    let name = path
        .file_name()
        .ok_or_else(|| Failure::unreadable(format!("{} 不是文件名 / is not a file name", path.display())))?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temporary = folder.join(format!(".{}.{}.partial", name.to_string_lossy(), std::process::id()));
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create(true).truncate(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        // Best effort: the temporary file is ours and must not stay behind.
        let _ = fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Failure> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Failure::content(format!("无法生成 JSON / cannot encode JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}
