//! The Casebook importer: turns case pages of existing web archives (saved files, folders of
//! them, or http(s) URLs) into case files of the corpus. The only crate that knows `scraper`.
//!
//! Per page: fetch and decode ([`fetch`]), find the facts ([`extract`], with an optional
//! site [`profile`]), normalise them through the taxonomy ([`normalize`]), and write the case
//! file atomically, updating instead of duplicating ([`write`]).

mod clean;
pub mod extract;
pub mod fetch;
mod labels;
mod layout;
pub mod normalize;
pub mod profile;
#[cfg(test)]
mod proptests;
mod runs;
pub mod write;

use std::path::PathBuf;
use std::time::Duration;

use casebook_corpus::Vocabulary;
use regex::Regex;

pub use profile::{Profile, ProfileError};
pub use write::Written;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Folder the case files go to.
    pub out: PathBuf,
    /// Site profile; generic extraction otherwise.
    pub profile: Option<Profile>,
    /// On listing pages given as URLs, follow the links whose absolute URL matches.
    pub follow: Option<Regex>,
    /// Most pages followed from one listing.
    pub max_follow: usize,
    /// Pause between two requests to the same site.
    pub delay: Duration,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Decide and report, write nothing.
    pub dry_run: bool,
    /// Overwrite files an editor changed since they were imported.
    pub force: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            out: PathBuf::from("corpus/cases"),
            profile: None,
            follow: None,
            max_follow: 200,
            delay: Duration::from_millis(500),
            timeout: Duration::from_secs(20),
            dry_run: false,
            force: false,
        }
    }
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written (or found unchanged, or held back because an editor changed it).
    Written(Written),
    /// The page holds no recognisable case, or it is a listing page.
    Skipped(String),
    /// The page could not be read, fetched or decoded.
    Failed(String),
}

/// One page and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageReport {
    /// The page as given (path or URL).
    pub source: String,
    /// What happened.
    pub outcome: Outcome,
}

impl std::fmt::Display for PageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = &self.source;
        match &self.outcome {
            Outcome::Written(Written::Imported(path)) => write!(f, "imported: {source} -> {}", path.display()),
            Outcome::Written(Written::Updated(path)) => write!(f, "updated: {source} -> {}", path.display()),
            Outcome::Written(Written::Unchanged(path)) => write!(f, "unchanged: {source} -> {}", path.display()),
            Outcome::Written(Written::NeedsReview(path, missing)) => {
                write!(f, "needs review: {source} -> {} (missing: {})", path.display(), missing.join(", "))
            }
            Outcome::Written(Written::EditedSinceImport(path)) => write!(
                f,
                "skipped: {source}: {} was changed by an editor since it was imported (use --force to overwrite)",
                path.display()
            ),
            Outcome::Skipped(why) => write!(f, "skipped: {source}: {why}"),
            Outcome::Failed(why) => write!(f, "failed: {source}: {why}"),
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub needs_review: usize,
    pub skipped: usize,
    pub failed: usize,
}

impl Summary {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Written(Written::Imported(_)) => self.imported += 1,
            Outcome::Written(Written::Updated(_)) => self.updated += 1,
            Outcome::Written(Written::Unchanged(_)) => self.unchanged += 1,
            Outcome::Written(Written::NeedsReview(..)) => self.needs_review += 1,
            Outcome::Written(Written::EditedSinceImport(_)) | Outcome::Skipped(_) => self.skipped += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} imported, {} updated, {} unchanged, {} need review, {} skipped, {} failed",
            self.imported, self.updated, self.unchanged, self.needs_review, self.skipped, self.failed
        )
    }
}

/// Runs imports.
pub struct Importer {
    vocabulary: Vocabulary,
    options: ImportOptions,
    existing: write::Existing,
    agent: ureq::Agent,
    max_year: i64,
}

impl Importer {
    /// An importer writing into `options.out`, normalising with `vocabulary`.
    pub fn new(vocabulary: Vocabulary, options: ImportOptions) -> Self {
        Importer {
            existing: write::Existing::scan(&options.out),
            agent: fetch::agent(options.timeout),
            vocabulary,
            options,
            max_year: casebook_corpus::max_award_year(),
        }
    }

    /// Imports every input (file, folder or URL), calling `on_page` after each page.
    pub fn run(&mut self, inputs: &[String], on_page: &mut dyn FnMut(&PageReport)) -> Summary {
        let mut summary = Summary::default();
        let mut report = |report: PageReport, summary: &mut Summary| {
            summary.add(&report.outcome);
            on_page(&report);
        };
        for input in inputs {
            if input.starts_with("http://") || input.starts_with("https://") {
                let url = match url::Url::parse(input) {
                    Ok(url) => url,
                    Err(e) => {
                        report(
                            PageReport { source: input.clone(), outcome: Outcome::Failed(format!("invalid URL: {e}")) },
                            &mut summary,
                        );
                        continue;
                    }
                };
                if self.options.follow.is_some() {
                    for page in self.follow(&url) {
                        report(page, &mut summary);
                    }
                } else {
                    let page = fetch::fetch(&self.agent, &url);
                    report(self.process(input, page), &mut summary);
                }
                continue;
            }
            let path = PathBuf::from(input);
            if path.is_dir() {
                match fetch::html_files(&path) {
                    Ok(files) => {
                        for file in files {
                            let page = fetch::read_file(&file);
                            report(self.process(&file.display().to_string(), page), &mut summary);
                        }
                    }
                    Err(e) => report(
                        PageReport {
                            source: input.clone(),
                            outcome: Outcome::Failed(format!("cannot read the folder: {e}")),
                        },
                        &mut summary,
                    ),
                }
            } else {
                let page = fetch::read_file(&path);
                report(self.process(input, page), &mut summary);
            }
        }
        summary
    }

    /// Fetches a listing page and imports the pages it links to that match the pattern
    /// (same host only, at most `max_follow`, one request at a time with a pause).
    fn follow(&mut self, listing: &url::Url) -> Vec<PageReport> {
        let page = match fetch::fetch(&self.agent, listing) {
            Ok(page) => page,
            Err(e) => return vec![PageReport { source: listing.to_string(), outcome: Outcome::Failed(e.to_string()) }],
        };
        let base = page.url.clone().unwrap_or_else(|| listing.clone());
        let pattern = self.options.follow.clone();
        let document = scraper::Html::parse_document(&page.html);
        let mut links: Vec<url::Url> = Vec::new();
        if let Ok(anchor) = scraper::Selector::parse("a[href]") {
            for element in document.select(&anchor) {
                let Some(href) = element.value().attr("href") else { continue };
                let Ok(mut url) = base.join(href) else { continue };
                url.set_fragment(None);
                let same_site =
                    url.host_str() == base.host_str() && url.port_or_known_default() == base.port_or_known_default();
                if same_site
                    && pattern.as_ref().is_some_and(|p| p.is_match(url.as_str()))
                    && !links.contains(&url)
                    && url != base
                {
                    links.push(url);
                }
            }
        }
        let mut reports = vec![PageReport {
            source: listing.to_string(),
            outcome: Outcome::Skipped(format!(
                "listing page: following {} matching links",
                links.len().min(self.options.max_follow)
            )),
        }];
        for (i, url) in links.into_iter().take(self.options.max_follow).enumerate() {
            if i > 0 {
                std::thread::sleep(self.options.delay);
            }
            let page = fetch::fetch(&self.agent, &url);
            reports.push(self.process(url.as_str(), page));
        }
        reports
    }

    fn process(&mut self, source: &str, page: Result<fetch::Page, fetch::FetchError>) -> PageReport {
        let outcome = match page {
            Err(error) => Outcome::Failed(error.to_string()),
            Ok(page) => self.import_page(&page),
        };
        PageReport { source: source.to_string(), outcome }
    }

    fn import_page(&mut self, page: &fetch::Page) -> Outcome {
        let draft = extract::extract(&page.html, page.url.as_ref(), self.options.profile.as_ref());
        let case = match normalize::normalize(&draft, &self.vocabulary, self.max_year) {
            Ok(case) => case,
            Err(why) => return Outcome::Skipped(why),
        };
        if case.body.len() > casebook_corpus::MAX_FILE_BYTES / 2 {
            return Outcome::Skipped("the case text is over 512 KiB: not a case page".into());
        }
        // The page's own canonical URL identifies it best; else the http(s) URL it was
        // fetched from; a saved page without one is named as it was given (never by an
        // absolute path of this machine).
        let source_url = draft
            .canonical
            .clone()
            .or_else(|| page.url.as_ref().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| u.to_string()))
            .unwrap_or_else(|| page.label.clone());
        match write::write_case(
            &mut self.existing,
            &self.options.out,
            &case,
            &source_url,
            self.options.force,
            self.options.dry_run,
        ) {
            Ok(written) => Outcome::Written(written),
            Err(error) => Outcome::Failed(format!("cannot write the case file: {error}")),
        }
    }
}
