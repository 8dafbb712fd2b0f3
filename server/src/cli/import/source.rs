//! Reading an import file into records: CSV (UTF-8 with or without a BOM, or
//! GBK as Excel writes it in China) or JSON (an array of objects), each record
//! with the line it starts on.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::{Failure, files, tabular};

/// A value of one field of a record.
#[derive(Debug, Clone)]
pub enum Value {
    /// A CSV cell or a JSON scalar (numbers and booleans as written).
    Text(String),
    /// A JSON array of scalars.
    List(Vec<String>),
    /// A JSON array of objects (the lines of a plan).
    Records(Vec<Record>),
}

/// One record of the file.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Line of the file the record starts on (1-based).
    pub line: u64,
    /// Field name (lowercase) → value; a field left out is absent.
    pub fields: BTreeMap<String, Value>,
}

/// The format of the file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Result<Self, Failure> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            _ => Err(Failure::unreadable(format!(
                "{} 的扩展名应为 .csv 或 .json / {} must end in .csv or .json",
                path.display(),
                path.display()
            ))),
        }
    }
}

/// The text of a file, its encoding decided for the whole file: UTF-8 (a BOM
/// is dropped) when it is valid UTF-8; GBK when no line is UTF-8 with
/// non-ASCII characters and every line decodes cleanly as GBK. A file with
/// both UTF-8 Chinese and lines that are not UTF-8 (a cell pasted from
/// another file) is refused, naming each line that is not UTF-8: decoding
/// it as GBK would store every Chinese field garbled.
pub fn decode(file: &str, bytes: &[u8], problems: &mut Vec<String>) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        problems.push(format!(
            "{file}:1: 文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）” / \
             the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\""
        ));
        return None;
    }
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    // Neither GBK nor UTF-8 uses 0x0A inside a character, so lines can be judged one by one.
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let utf8_chinese = had_bom || lines.iter().any(|l| !l.is_ascii() && std::str::from_utf8(l).is_ok());
    if utf8_chinese {
        for (i, line) in lines.iter().enumerate() {
            if std::str::from_utf8(line).is_err() {
                let n = i + 1;
                problems.push(format!(
                    "{file}:{n}: 文件是 UTF-8 编码，但此行不是（可能是从 GBK 文件粘贴的内容）；请将整个文件保存为同一种编码 / \
                     the file is UTF-8 but line {n} is not (perhaps pasted from a GBK file); save the whole file in one encoding"
                ));
            }
        }
        return None;
    }
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut bad = false;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(line) {
            Some(decoded) => text.push_str(&decoded),
            None => {
                bad = true;
                let n = i + 1;
                problems.push(format!(
                    "{file}:{n}: 此行既不是 UTF-8 也不是 GBK 编码，无法读取 / line {n} is neither UTF-8 nor GBK and cannot be read"
                ));
            }
        }
    }
    (!bad).then_some(text)
}

/// Reads the records of a CSV or JSON file. `columns` are the known field
/// names (for CSV the header must name only these and every `required` one;
/// for JSON unknown fields are problems). `nested` are the fields of a JSON
/// array of objects (the lines of a plan) and their own known names. CSV
/// headers may use the Chinese `aliases` (alias, column) of the columns.
pub fn read(
    path: &Path,
    columns: &[&str],
    required: &[&str],
    nested: Option<(&str, &[&str])>,
    aliases: &[(&str, &str)],
    problems: &mut Vec<String>,
) -> Result<Vec<Record>, Failure> {
    let format = Format::of(path)?;
    let file = path.display().to_string();
    let bytes = files::read_bytes(path)?;
    let Some(text) = decode(&file, &bytes, problems) else { return Ok(Vec::new()) };
    match format {
        Format::Csv => {
            let optional: Vec<&str> = columns.iter().filter(|c| !required.contains(c)).copied().collect();
            let Some(table) = tabular::parse_table(&file, &text, required, &optional, aliases, problems) else {
                return Ok(Vec::new());
            };
            let names: Vec<String> = table.header.iter().map(|h| h.to_lowercase()).collect();
            Ok(table
                .rows
                .into_iter()
                .map(|(line, cells)| Record {
                    line,
                    fields: names.iter().cloned().zip(cells.into_iter().map(Value::Text)).collect(),
                })
                .collect())
        }
        Format::Json => read_json(&file, &text, columns, nested, problems),
    }
}

fn read_json(
    file: &str,
    text: &str,
    columns: &[&str],
    nested: Option<(&str, &[&str])>,
    problems: &mut Vec<String>,
) -> Result<Vec<Record>, Failure> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Failure::unreadable(files::json_error(Path::new(file), &e)))?;
    let serde_json::Value::Array(elements) = value else {
        return Err(Failure::unreadable(format!(
            "{file}: 应为对象数组（[{{…}}, {{…}}]）/ must be an array of objects ([{{…}}, {{…}}])"
        )));
    };
    let starts = element_lines(text);
    let mut records = Vec::with_capacity(elements.len());
    for (k, element) in elements.into_iter().enumerate() {
        let line = starts.get(k).copied().unwrap_or(1);
        if let Some(record) = json_record(file, line, "", element, columns, nested, problems) {
            records.push(record);
        }
    }
    Ok(records)
}

fn json_record(
    file: &str,
    line: u64,
    prefix: &str,
    element: serde_json::Value,
    columns: &[&str],
    nested: Option<(&str, &[&str])>,
    problems: &mut Vec<String>,
) -> Option<Record> {
    let serde_json::Value::Object(object) = element else {
        let at = prefix.trim_end_matches('.');
        let at = if at.is_empty() { String::new() } else { format!(" {at}:") };
        problems.push(format!("{file}:{line}:{at} 此元素不是对象 / this element is not an object"));
        return None;
    };
    let mut record = Record { line, fields: BTreeMap::new() };
    for (written, value) in object {
        let name = written.to_lowercase();
        let key = format!("{prefix}{written}");
        if let Some((list, inner)) = nested.filter(|(list, _)| *list == name) {
            let serde_json::Value::Array(items) = value else {
                problems.push(format!("{file}:{line}: {list}: 应为对象数组 / must be an array of objects"));
                continue;
            };
            let lines = items
                .into_iter()
                .enumerate()
                .filter_map(|(k, v)| json_record(file, line, &format!("{list}[{k}]."), v, inner, None, problems))
                .collect();
            record.fields.insert(name, Value::Records(lines));
            continue;
        }
        if !columns.contains(&name.as_str()) {
            let known = columns.iter().chain(nested.iter().map(|(n, _)| n)).copied().collect::<Vec<_>>().join(", ");
            problems.push(format!(
                "{file}:{line}: {key}: 未知的字段，可用的字段为 {known} / unknown field; the fields are {known}"
            ));
            continue;
        }
        let value = match value {
            serde_json::Value::Null => Value::Text(String::new()),
            serde_json::Value::String(s) => Value::Text(s.trim().to_owned()),
            serde_json::Value::Bool(b) => Value::Text(b.to_string()),
            serde_json::Value::Number(n) => Value::Text(n.to_string()),
            serde_json::Value::Array(items) => {
                let mut list = Vec::new();
                for item in items {
                    match item {
                        serde_json::Value::String(s) if !s.trim().is_empty() => list.push(s.trim().to_owned()),
                        serde_json::Value::String(_) => {}
                        serde_json::Value::Number(n) => list.push(n.to_string()),
                        _ => problems
                            .push(format!("{file}:{line}: {key}: 列表中只能有字符串 / a list may hold only strings")),
                    }
                }
                Value::List(list)
            }
            serde_json::Value::Object(_) => {
                problems.push(format!(
                    "{file}:{line}: {key}: 应为字符串、数字、布尔值或列表 / must be a string, number, boolean or list"
                ));
                continue;
            }
        };
        record.fields.insert(name, value);
    }
    Some(record)
}

/// The line on which each element of the top-level JSON array starts.
fn element_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut depth = 0u32;
    let mut in_string = false;
    let mut escaped = false;
    let mut expecting = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if depth == 1 && expecting && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_of_each_array_element() {
        let text = "[\n  {\"a\": \"x,[{\\\"\"},\n  {\"a\": [1,\n 2]}, {\"b\": {}}\n]\n";
        assert_eq!(element_lines(text), vec![2, 3, 4]);
    }

    #[test]
    fn a_utf8_file_with_one_gbk_cell_is_refused_naming_the_line() {
        let mut problems = Vec::new();
        // Line 2 is UTF-8 Chinese ("企业"), line 3 has "企业" in GBK.
        let mut bytes = "name,unit\n企业,东胜区\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xC6\xF3\xD2\xB5,x\n");
        assert!(decode("f.csv", &bytes, &mut problems).is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("f.csv:3: "), "{problems:?}");
        assert!(problems[0].contains("the file is UTF-8 but line 3 is not"), "{problems:?}");
        // The same with a BOM and only ASCII besides the GBK line.
        problems.clear();
        let mut bytes = b"\xEF\xBB\xBFname\nabc\n".to_vec();
        bytes.extend_from_slice(b"\xC6\xF3\xD2\xB5\n");
        assert!(decode("f.csv", &bytes, &mut problems).is_none());
        assert!(problems[0].starts_with("f.csv:3: "), "{problems:?}");
    }

    #[test]
    fn decodes_gbk_and_names_undecodable_lines() {
        let mut problems = Vec::new();
        // "企业" in GBK.
        let text = decode("f.csv", b"name\n\xC6\xF3\xD2\xB5\n", &mut problems).unwrap();
        assert_eq!(text, "name\n企业\n");
        assert!(problems.is_empty());
        let bom = decode("f.csv", "\u{feff}a,b\n".as_bytes(), &mut problems).unwrap();
        assert_eq!(bom, "a,b\n");
        assert!(decode("f.csv", b"ok\n\xC6\xF3\n\xFF\xFF\n", &mut problems).is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("f.csv:3:"), "{problems:?}");
        problems.clear();
        assert!(decode("f.csv", b"\xFF\xFEa\x00,\x00b\x00", &mut problems).is_none());
        assert!(problems[0].contains("UTF-16"), "{problems:?}");
    }
}
