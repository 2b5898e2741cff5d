//! `casebook check`: report every problem of a corpus.

use std::process::ExitCode;

use anyhow::Context;
use casebook_corpus::Corpus;

use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let root = &args.corpus.corpus;
    let corpus = Corpus::load(root).with_context(|| format!("cannot check the corpus in `{}`", root.display()))?;
    for diagnostic in &corpus.diagnostics {
        if diagnostic.is_error() || !args.quiet {
            println!("{diagnostic}");
        }
    }
    let errors = corpus.error_count();
    let warnings = corpus.warning_count();
    println!(
        "checked {} {}: {} valid {}, {} {}, {} {}",
        corpus.files,
        plural(corpus.files, "file", "files"),
        corpus.cases.len(),
        plural(corpus.cases.len(), "case", "cases"),
        errors,
        plural(errors, "error", "errors"),
        warnings,
        plural(warnings, "warning", "warnings"),
    );
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
