//! `xtask bindgen --out-dir DIR --out-name NAME INPUT.wasm`: what
//! `wasm-bindgen --target web --no-typescript --out-dir DIR --out-name NAME INPUT.wasm`
//! does, with wasm-bindgen's own library, so that building the site on a new
//! machine does not first install wasm-bindgen-cli (its test runner, web
//! server and HTTP client included). `scripts/test.sh` checks that the output
//! is byte for byte the command's.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: xtask bindgen --out-dir DIR --out-name NAME INPUT.wasm";

struct Bindgen {
    out_dir: PathBuf,
    out_name: String,
    input: PathBuf,
}

fn parse(args: &[String]) -> Result<Bindgen, String> {
    let [command, rest @ ..] = args else { return Err(USAGE.into()) };
    if command != "bindgen" {
        return Err(format!("unknown task {command:?}; {USAGE}"));
    }
    let (mut out_dir, mut out_name, mut input) = (None, None, None);
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out-dir" => out_dir = it.next().map(PathBuf::from),
            "--out-name" => out_name = it.next().cloned(),
            other if !other.starts_with("--") && input.is_none() => input = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument {other:?}; {USAGE}")),
        }
    }
    match (out_dir, out_name, input) {
        (Some(out_dir), Some(out_name), Some(input)) => Ok(Bindgen { out_dir, out_name, input }),
        _ => Err(USAGE.into()),
    }
}

/// The settings of `wasm-bindgen --target web --no-typescript` (every other
/// option at the command's default).
#[allow(deprecated)]
fn run(task: &Bindgen) -> Result<(), String> {
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.web(true).map_err(|e| format!("{e:#}"))?;
    b.input_path(&task.input)
        .debug(false)
        .demangle(true)
        .keep_lld_exports(false)
        .keep_debug(false)
        .split_debug_info(false)
        .remove_name_section(false)
        .remove_producers_section(false)
        .typescript(false)
        .omit_imports(false)
        .omit_default_module_path(false)
        .split_linked_modules(false)
        .js_string_builtins(false)
        .ts_typed_array_buffers(false)
        .reference_types(false)
        .reset_state_function(false)
        .force_enable_abort_handler(false)
        .out_name(&task.out_name);
    b.generate(&task.out_dir).map_err(|e| format!("{}: {e:#}", task.input.display()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(|task| run(&task)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}
