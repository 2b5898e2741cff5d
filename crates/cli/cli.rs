//! Command-line arguments (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Casebook: an archive and search engine for innovation case studies.
///
/// A corpus is a folder with `cases/` (markdown files with YAML front matter) and optional
/// `taxonomy.yaml`, `synonyms.yaml` and `casebook.yaml`. `casebook index` builds a search
/// index from it; `casebook search` queries the index.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Format of the logs on standard error (`CASEBOOK_LOG` filters them).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        default_value_t = LogFormat::Text,
        env = "CASEBOOK_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One line per event for people; colours only on a terminal.
    Text,
    /// One JSON object per line for log collectors (`timestamp`, `level`, `message`, `target`, fields).
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every case of a corpus and report problems with file, line and column.
    ///
    /// Exit status: 0 when there is no error (warnings allowed), 1 when a case has an error.
    Check(CheckArgs),
    /// Build or update the search index of a corpus.
    ///
    /// Only changed files are re-indexed. The new index is written beside the current one
    /// and switched in atomically: a failed build leaves the previous index serving.
    /// Files with errors are skipped and listed.
    Index(IndexArgs),
    /// Search the index, with facet filters.
    ///
    /// Examples:
    ///   casebook search telemedicina
    ///   casebook search "AI manufacturing" --region Lombardia --year-from 2020
    ///   casebook search --sector health --sector ict --json
    Search(Box<SearchArgs>),
    /// Serve the JSON API and the website.
    ///
    /// Builds or updates the index first (only changed files), then serves it; a newly
    /// published index is picked up without restart. With --watch, the corpus is re-indexed
    /// when it changes. Prints `listening on http://ADDR` once ready.
    Serve(ServeArgs),
    /// Import case pages of existing web archives into the corpus.
    ///
    /// INPUT: HTML files, folders of saved pages (recursively) or http(s) URLs. Each page
    /// becomes one case file (or updates the one it produced before); pages with missing
    /// facts are written with `needs_review: true` and kept out of the index until fixed.
    /// Exit status 1 if a page failed outright.
    Import(ImportArgs),
    /// Manage accounts (admins manage accounts, organisers manage showcases).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage API tokens (`Authorization: Bearer <token>`).
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Write a consistent copy of the database, even while the server runs.
    ///
    /// SQLite: a checked copy of the database file. PostgreSQL: the whole JSON export
    /// (accounts, tokens, showcases, calls, submissions, insights), which `showcases import`
    /// reads back; use pg_dump for full backups of a PostgreSQL database.
    Backup(BackupArgs),
    /// Move showcases between deployments as JSON (with --all, a whole database: the way
    /// from SQLite to PostgreSQL and back).
    #[command(subcommand)]
    Showcases(ShowcasesCommand),
    /// Print the OpenAPI document of the HTTP API (as committed in docs/openapi.json).
    Openapi,
    /// Review public submissions from the terminal: list, show, accept, reject.
    ///
    /// Acting here is acting as an admin (the operator); `--by` names who decided, for the
    /// submission's history.
    #[command(subcommand)]
    Submissions(SubmissionsCommand),
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct DbArg {
    /// The store of accounts, sessions, tokens and showcases: a SQLite file (PATH or
    /// sqlite:PATH) or a PostgreSQL database shared by several servers
    /// (postgres://USER:PASSWORD@HOST:PORT/DB, optionally with ?pool_size=N, default 8).
    /// A password is never printed.
    #[arg(
        long,
        value_name = "PATH|URL",
        default_value = "data/casebook.db",
        env = "CASEBOOK_DB",
        hide_env_values = true,
        value_parser = parse_db
    )]
    pub db: DbSetting,
}

/// A `--db` value, checked when a command opens the store, so that a wrong URL is reported
/// by our error, which never shows the password (clap's own would print the whole value).
#[derive(Debug, Clone)]
pub struct DbSetting(Result<casebook_store::Location, String>);

impl DbArg {
    /// The store's location, or why the value is not one.
    pub fn location(&self) -> anyhow::Result<&casebook_store::Location> {
        self.db.0.as_ref().map_err(|message| anyhow::anyhow!("invalid --db (CASEBOOK_DB): {message}"))
    }
}

fn parse_db(value: &str) -> Result<DbSetting, std::convert::Infallible> {
    Ok(DbSetting(casebook_store::Location::parse(value).map_err(|e| e.to_string())))
}

/// `casebook users ...`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password is asked for (or read from standard input when it
    /// is not a terminal).
    Add {
        /// Login name.
        name: String,
        /// `organiser` or `admin`.
        #[arg(long, default_value = "organiser")]
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Remove an account with its sessions, tokens and showcases.
    Remove {
        /// Login name.
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Change a password (asked for, or read from standard input); ends the account's sessions.
    Passwd {
        /// Login name.
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `casebook tokens ...`.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token for an account; the token is printed alone on the last line.
    Create {
        /// The account the token acts as.
        user: String,
        /// A label to recognise it by.
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List tokens (of one account, or all).
    List {
        /// Only this account's.
        user: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token by its id (or the whole token).
    Revoke {
        /// Token id (`a1b2c3d4e5f6`) or the token itself.
        token: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `casebook backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy.
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

/// `casebook showcases ...`.
#[derive(Debug, Subcommand)]
pub enum ShowcasesCommand {
    /// Write every showcase, call and submission as JSON (to FILE, or standard output).
    Export {
        /// Output file (readable by its owner only).
        file: Option<PathBuf>,
        /// Also accounts (with password hashes), API tokens (hashes of their secrets) and
        /// insights: everything needed to move a deployment to another database.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Import an export; each showcase replaces the one with the same slug, accounts and
    /// tokens the database lacks are created (existing ones are kept).
    Import {
        /// The export file.
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `casebook submissions ...`.
#[derive(Debug, Subcommand)]
pub enum SubmissionsCommand {
    /// List submissions, oldest first: id, status, call, title, organisation.
    List {
        /// Only `pending`, `accepted` or `rejected` ones.
        #[arg(long)]
        status: Option<String>,
        /// Only those of this call (its slug).
        #[arg(long)]
        call: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Show a submission: its fields, the checks of `casebook check` on it, its history.
    Show {
        /// Submission id.
        id: i64,
        #[command(flatten)]
        corpus: CorpusArg,
        #[command(flatten)]
        db: DbArg,
    },
    /// Accept a pending submission: write its case file into the corpus (`cases/YEAR/ID.md`,
    /// `source: submission`, never over an existing file).
    Accept {
        /// Submission id.
        id: i64,
        /// Note for the submitter (shown on their status page).
        #[arg(long, default_value = "")]
        note: String,
        /// Who decided, for the history.
        #[arg(long, default_value = "operator")]
        by: String,
        #[command(flatten)]
        corpus: CorpusArg,
        #[command(flatten)]
        db: DbArg,
    },
    /// Reject a pending submission with a note for the submitter.
    Reject {
        /// Submission id.
        id: i64,
        /// Why (shown on the submitter's status page).
        #[arg(long)]
        note: String,
        /// Who decided, for the history.
        #[arg(long, default_value = "operator")]
        by: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `casebook import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Pages to import: files, folders, or http(s) URLs.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
    /// Folder to write case files to (default: the corpus's `cases/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub corpus: CorpusArg,
    /// Site profile (TOML) with the selectors of the source site; generic extraction otherwise.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// For URL inputs: treat them as listing pages and import the linked pages whose URL
    /// matches this regular expression (same site, one level).
    #[arg(long, value_name = "PATTERN")]
    pub follow: Option<String>,
    /// Most pages followed from one listing.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_pages: usize,
    /// Pause between requests to the site, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub delay_ms: u64,
    /// Report what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite case files that an editor changed since they were imported.
    #[arg(long)]
    pub force: bool,
}

/// `casebook serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000", env = "CASEBOOK_ADDR")]
    pub addr: std::net::SocketAddr,
    #[command(flatten)]
    pub corpus: CorpusArg,
    #[command(flatten)]
    pub index: IndexArg,
    /// Re-index when the corpus changes (a broken file is reported; the last good index keeps serving).
    #[arg(long, conflicts_with = "no_build")]
    pub watch: bool,
    /// Never build the index: serve the index folder as it is and switch to each generation
    /// another process publishes (replicas sharing an index folder that one builder updates
    /// with `casebook index`, possibly on a read-only volume).
    #[arg(long, env = "CASEBOOK_NO_BUILD")]
    pub no_build: bool,
    /// Public base URL for absolute links in feeds and the sitemap (default: http://ADDR).
    #[arg(long, value_name = "URL", env = "CASEBOOK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds between checks for a new index (and corpus changes with --watch).
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub poll_interval: f64,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// A secret that lets clients other than loopback read /metrics (`Authorization: Bearer
    /// TOKEN`); without it only loopback clients, not forwarded by a proxy, can.
    #[arg(long, value_name = "TOKEN", env = "CASEBOOK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Record insights for organisers (searches and page views per day, no personal data): on or off.
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = ["on", "off"], env = "CASEBOOK_INSIGHTS")]
    pub insights: String,
    /// Days of insights kept; older days are deleted.
    #[arg(long, value_name = "DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650), env = "CASEBOOK_INSIGHTS_RETENTION_DAYS")]
    pub insights_retention_days: u32,
    /// Memory for the response cache of repeated searches, facets and suggestions, in MiB
    /// (0 turns it off). It is emptied whenever a new index generation is served.
    #[arg(long, value_name = "MB", default_value_t = casebook_server::DEFAULT_CACHE_MB as u64, value_parser = clap::value_parser!(u64).range(0..=65536), env = "CASEBOOK_CACHE_MB")]
    pub cache_mb: u64,
    /// Turn the response cache off (as for benchmarks of the search core).
    #[arg(long)]
    pub no_cache: bool,
}

/// Overload and abuse limits of `casebook serve` (see docs/security.md).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Requests handled at once; beyond it requests are refused at once with 503 and Retry-After.
    #[arg(long, value_name = "N", default_value_t = 128, env = "CASEBOOK_MAX_IN_FLIGHT")]
    pub max_in_flight: usize,
    /// Searches, exports and suggestions per second per client address (0: no limit); beyond it, 429.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 10.0, env = "CASEBOOK_RATE_LIMIT")]
    pub rate_limit: f64,
    /// Requests a client may send in a burst before --rate-limit applies.
    #[arg(long, value_name = "N", default_value_t = 50, env = "CASEBOOK_RATE_BURST")]
    pub rate_burst: u32,
    /// Seconds a request may take before the answer is 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, env = "CASEBOOK_REQUEST_TIMEOUT")]
    pub request_timeout: f64,
    /// Behind a reverse proxy: take the client address from the last X-Forwarded-For entry.
    #[arg(long, env = "CASEBOOK_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
}

/// Where the corpus is.
#[derive(Debug, Args)]
pub struct CorpusArg {
    /// Corpus folder (holds `cases/`).
    #[arg(long, value_name = "DIR", default_value = "corpus", env = "CASEBOOK_CORPUS")]
    pub corpus: PathBuf,
}

/// Where the index is.
#[derive(Debug, Args)]
pub struct IndexArg {
    /// Index folder.
    #[arg(long, value_name = "DIR", default_value = "index", env = "CASEBOOK_INDEX")]
    pub index: PathBuf,
}

/// `casebook check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub corpus: CorpusArg,
    /// Print nothing but the summary line and errors (no warnings).
    #[arg(long)]
    pub quiet: bool,
}

/// `casebook index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub corpus: CorpusArg,
    #[command(flatten)]
    pub index: IndexArg,
    /// Exit with status 1 if any file was skipped because of errors.
    #[arg(long)]
    pub strict: bool,
    /// Rebuild every case instead of updating only changed files.
    #[arg(long)]
    pub full: bool,
}

/// `casebook search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query text (several words are joined). Quote phrases, prefix a word with - to exclude
    /// it; pass such a query as one argument: `casebook search "energia -fotovoltaico"`.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub index: IndexArg,
    /// Sector id, label or alias; repeat to select several (ORed).
    #[arg(long, value_name = "S")]
    pub sector: Vec<String>,
    /// Country code, NUTS code or region name; repeat to select several (ORed).
    #[arg(long, value_name = "R")]
    pub region: Vec<String>,
    /// One award year.
    #[arg(long, value_name = "Y", conflicts_with_all = ["year_from", "year_to"])]
    pub year: Option<u16>,
    /// First award year.
    #[arg(long, value_name = "A")]
    pub year_from: Option<u16>,
    /// Last award year.
    #[arg(long, value_name = "B")]
    pub year_to: Option<u16>,
    /// Award name; repeat to select several.
    #[arg(long, value_name = "NAME")]
    pub award: Vec<String>,
    /// Case language (it or en); repeat to select both.
    #[arg(long, value_name = "L")]
    pub language: Vec<String>,
    /// Organisation slug or name (spellings and legal forms do not matter); repeat for several.
    #[arg(long, value_name = "ORG")]
    pub organisation: Vec<String>,
    /// Order: relevance, year_desc, year_asc or title.
    #[arg(long, value_name = "KEY", default_value = "relevance")]
    pub sort: String,
    /// Matching: last (all words first, then relax), all, or any.
    #[arg(long = "match", value_name = "MODE", default_value = "last")]
    pub match_mode: String,
    /// Page number, from 1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub page: usize,
    /// Results per page (1-100).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Language of facet labels: en or it.
    #[arg(long, value_name = "L")]
    pub lang: Option<String>,
    /// Print the search response as JSON.
    #[arg(long)]
    pub json: bool,
    /// Run every request of a JSON Lines file (one per line, keys as the API's parameters)
    /// and print one JSON response per line.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["query", "json"])]
    pub batch: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
