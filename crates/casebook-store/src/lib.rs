//! Casebook's persistent state: accounts, web sessions, API tokens, showcases, calls,
//! submissions, insights and login limits, in an embedded SQLite database (the default) or
//! in a PostgreSQL database that several servers share. Every change that touches several
//! rows runs in one transaction.
//!
//! The whole interface is [`Store`]'s methods, written once for both backends over the
//! portable layer of `db.rs` (`sqlite.rs` and `pg.rs` run its statements). This file owns
//! the error type, opening a [`Location`], the three ways a method gets a connection
//! ([`Store::read`], [`Store::write`], [`Store::run`]) and the helpers every job shares.
//! Each job adds its methods to [`Store`] in its own module, which also holds that job's
//! SQL: `accounts`, `sessions`, `tokens`, `showcases`, `calls` (calls for entries),
//! `submissions` (public submissions and their review), `insights` (searches and views per
//! day), `login_limits` (failed logins), `transfer` (backup, export, import, integrity check).

mod accounts;
mod calls;
mod db;
mod insights;
mod location;
mod login_limits;
mod pg;
mod pg_types;
mod schema;
mod schema_postgres;
pub mod scratch;
mod secret;
mod sessions;
mod showcases;
mod sqlite;
mod submissions;
mod tokens;
mod transfer;
mod transfer_accounts;
mod transfer_intake;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use db::{Conn, Stats, params};

pub use accounts::{Role, User};
pub use calls::{Call, CallPatch, CallState, NewCall, today};
pub use db::{DbError, Dialect, PoolStatus};
pub use insights::{
    DayCount, FilterCount, InsightEvent, InsightReport, MAX_INSIGHT_TEXT, QueryCount, ViewCount, ViewKind,
};
pub use location::{Location, PostgresUrl, redact};
pub use secret::{constant_time_eq, random_hex};
pub use sessions::{SESSION_SECONDS, Session};
pub use showcases::{Item, NewShowcase, Showcase, ShowcasePatch, Status};
pub use submissions::{NewSubmission, Submission, SubmissionEvent, SubmissionStatus, check_email};
pub use tokens::TokenInfo;
pub use transfer::ExportScope;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbError),
    /// No such user, token or showcase.
    #[error("{0} not found")]
    NotFound(String),
    /// The change conflicts with existing data (a name taken, a case already listed).
    #[error("{0}")]
    Conflict(String),
    /// The input is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The caller may see that the thing exists but not act on it (another organiser's call).
    #[error("{0}")]
    Forbidden(String),
    /// The call for entries is not open.
    #[error("{0}")]
    Closed(String),
    /// The operating system gave no random bytes.
    #[error("no random bytes: {0}")]
    Random(String),
    /// Password hashing failed.
    #[error("password hashing failed")]
    Password,
    /// A file operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Db(DbError::Sqlite(error))
    }
}

/// Every fallible operation of the store returns this.
type Result<T> = std::result::Result<T, StoreError>;

/// Unix time now, in seconds.
fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `value` trimmed, refused if longer than `max` characters or holding control characters
/// other than line breaks and tabs; `what` names it in the error.
fn bounded(value: &str, max: usize, what: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(StoreError::Invalid(format!("{what} is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(StoreError::Invalid(format!("{what} contains control characters")));
    }
    Ok(value.to_string())
}

/// A slug made from `title` that no row of `table` has yet (`table` is one of this crate's
/// tables with a `slug` column: a constant, never user input).
fn unique_slug(conn: &Conn<'_>, table: &str, title: &str, fallback: &str) -> Result<String> {
    let mut base = casebook_corpus::text::slugify(title);
    base.truncate(60);
    let base =
        if base.trim_matches('-').is_empty() { fallback.to_string() } else { base.trim_matches('-').to_string() };
    let mut slug = base.clone();
    let mut n = 2;
    let query = format!("SELECT 1 FROM {table} WHERE slug = ?1");
    while conn.query_opt(&query, params![slug])?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

/// The database: a SQLite file behind one connection, or a pool of PostgreSQL connections.
pub struct Store {
    backend: Backend,
    stats: Stats,
}

enum Backend {
    Sqlite { connection: Mutex<rusqlite::Connection> },
    Postgres(pg::Pool),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.dialect_name())
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let connection = sqlite::open(path)?;
        let stats = Stats::default();
        stats.size.store(1, Ordering::Relaxed);
        Ok(Store { backend: Backend::Sqlite { connection: Mutex::new(connection) }, stats })
    }

    /// Opens the store at `location`: a SQLite file, or a PostgreSQL database (connecting
    /// once and applying migrations; the pool's other connections open when first needed).
    pub fn connect(location: &Location) -> Result<Store> {
        match location {
            Location::Sqlite(path) => Store::open(path),
            Location::Postgres(url) => {
                let pool = pg::Pool::start(url.config()?, url.pool_size())?;
                let stats = Stats::default();
                stats.size.store(pool.size(), Ordering::Relaxed);
                pool.migrate(&stats)?;
                Ok(Store { backend: Backend::Postgres(pool), stats })
            }
        }
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    fn dialect_name(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// The SQLite connection; a panic in another holder does not make the store unusable.
    fn lock(connection: &Mutex<rusqlite::Connection>) -> MutexGuard<'_, rusqlite::Connection> {
        connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `work` with statements that each commit on their own (no transaction): for a
    /// single statement, or statements whose order alone is enough.
    pub(crate) fn run<T>(&self, work: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite { connection, .. } => {
                let connection = Self::lock(connection);
                let _busy = Busy::new(&self.stats);
                work(&Conn::sqlite(&connection, &self.stats))
            }
            Backend::Postgres(pool) => pool.run(&self.stats, work),
        }
    }

    /// Runs `work` on a consistent snapshot (PostgreSQL: a read-only repeatable-read
    /// transaction; SQLite: the one connection, which nothing else uses meanwhile).
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite { .. } => self.run(work),
            Backend::Postgres(pool) => pool.read(&self.stats, work),
        }
    }

    /// Runs `work` in a write transaction, committed when it returns `Ok`, rolled back
    /// otherwise. SQLite takes the write lock first (`BEGIN IMMEDIATE`); PostgreSQL runs it
    /// `SERIALIZABLE` and runs it again when it conflicted with a concurrent transaction of
    /// another server, so `work` may run more than once and must only have effects it undoes
    /// when it fails.
    pub(crate) fn write<T, E: From<StoreError>>(
        &self,
        mut work: impl FnMut(&Conn<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &self.backend {
            Backend::Sqlite { connection, .. } => {
                let mut connection = Self::lock(connection);
                let _busy = Busy::new(&self.stats);
                let tx = sqlite::begin_write(&mut connection).map_err(|e| E::from(self.failed(e.into())))?;
                let value = work(&Conn::sqlite(&tx, &self.stats))?;
                tx.commit().map_err(|e| E::from(self.failed(e.into())))?;
                Ok(value)
            }
            Backend::Postgres(pool) => pool.write(&self.stats, work),
        }
    }

    /// Counts a failure outside a statement (a begin or a commit).
    fn failed(&self, error: StoreError) -> StoreError {
        self.stats.errors.fetch_add(1, Ordering::Relaxed);
        error
    }

    /// Whether the database answers (`SELECT 1`): the store check of `/healthz`.
    pub fn ping(&self) -> Result<()> {
        self.run(|conn| conn.query("SELECT 1", params![]).map(drop))
    }

    /// The figures of the store's connections, for `/metrics`.
    pub fn pool_status(&self) -> PoolStatus {
        PoolStatus {
            backend: self.dialect_name(),
            size: self.stats.size.load(Ordering::Relaxed),
            in_use: self.stats.in_use.load(Ordering::Relaxed),
            errors: self.stats.errors.load(Ordering::Relaxed),
        }
    }
}

/// Counts a connection as busy while it lives.
struct Busy<'a>(&'a Stats);

impl<'a> Busy<'a> {
    fn new(stats: &'a Stats) -> Self {
        stats.in_use.fetch_add(1, Ordering::Relaxed);
        Busy(stats)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.in_use.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod intake_tests;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
