//! `casebook import`: case pages of existing archives -> corpus files.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use casebook_corpus::Vocabulary;
use casebook_import::{ImportOptions, Importer, Profile};

use crate::cli::ImportArgs;

pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let corpus = &args.corpus.corpus;
    let vocabulary =
        Vocabulary::load(corpus).with_context(|| format!("cannot read the vocabularies of `{}`", corpus.display()))?;
    let profile = match &args.profile {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the profile `{}`", path.display()))?;
            Some(Profile::from_toml(&text).with_context(|| format!("invalid profile `{}`", path.display()))?)
        }
        None => None,
    };
    let follow = match &args.follow {
        Some(pattern) => {
            Some(regex::Regex::new(pattern).with_context(|| format!("invalid --follow pattern {pattern:?}"))?)
        }
        None => None,
    };
    let options = ImportOptions {
        out: args.out.clone().unwrap_or_else(|| corpus.join("cases")),
        profile,
        follow,
        max_follow: args.max_pages,
        delay: Duration::from_millis(args.delay_ms),
        dry_run: args.dry_run,
        force: args.force,
        ..ImportOptions::default()
    };
    let mut importer = Importer::new(vocabulary, options);
    let summary = importer.run(&args.inputs, &mut |page| println!("{page}"));
    let dry = if args.dry_run { " (dry run: nothing written)" } else { "" };
    println!("{summary}{dry}");
    Ok(if summary.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
