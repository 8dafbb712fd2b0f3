//! Reading an import file into records: CSV (UTF-8 with or without a BOM, or
//! GBK as Excel writes it in China, decided per file by `gongkai_cli::tabular`,
//! the same reader as `gongkai commit`'s directories) or JSON (an array of
//! objects), each record with the line it starts on.

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
    let Some(text) = tabular::decode(&file, &bytes, problems) else { return Ok(Vec::new()) };
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

    /// One CSV reader: a GBK directory as Excel writes it is read alike by
    /// `gongkai commit` (its objects CSV) and by the import.
    #[test]
    fn commit_and_import_read_the_same_gbk_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("objects.csv");
        let code = draw::synthetic::credit_code(1);
        let text = format!("id,stratum,categories,abnormal\r\n{code},A,餐饮;小餐饮,是\r\n");
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable && std::str::from_utf8(&gbk).is_err(), "the file is GBK, not UTF-8");
        std::fs::write(&path, &gbk).unwrap();

        let columns = ["id", "stratum", "categories", "abnormal", "serious_violation", "penalised"];
        let mut problems = Vec::new();
        let records = read(&path, &columns, &columns[..2], None, &[], &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(matches!(&records[0].fields["categories"], Value::Text(t) if t == "餐饮;小餐饮"));

        let objects = tabular::objects(&path, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(objects.records[0].id, code);
        assert_eq!(objects.records[0].categories, vec!["餐饮", "小餐饮"]);
        assert!(objects.records[0].abnormal);
    }
}
