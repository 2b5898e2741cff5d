//! Casebook's persistent state: accounts, web sessions, API tokens and showcases, in an
//! embedded SQLite database (WAL, foreign keys, migrations at start-up). Every change that
//! touches several rows runs in one transaction.
//!
//! The whole interface is [`Store`]'s methods: a PostgreSQL backend for deployments with
//! several server instances would implement the same methods.
//!
//! This file owns the error type, opening the database (pragmas, migrations) and the
//! helpers every job shares. Each job adds its methods to [`Store`] in its own module, which
//! also holds that job's SQL: `accounts`, `sessions`, `tokens`, `showcases`, `calls` (calls
//! for entries), `submissions` (public submissions and their review), `insights` (searches
//! and views per day) and `transfer` (backup, export, import, integrity check).

mod accounts;
mod calls;
mod insights;
mod schema;
mod secret;
mod sessions;
mod showcases;
mod submissions;
mod tokens;
mod transfer;
mod transfer_intake;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

pub use accounts::{Role, User};
pub use calls::{Call, CallPatch, CallState, NewCall, today};
pub use insights::{
    DayCount, FilterCount, InsightEvent, InsightReport, MAX_INSIGHT_TEXT, QueryCount, ViewCount, ViewKind,
};
pub use secret::{constant_time_eq, random_hex};
pub use sessions::{SESSION_SECONDS, Session};
pub use showcases::{Item, NewShowcase, Showcase, ShowcasePatch, Status};
pub use submissions::{NewSubmission, Submission, SubmissionEvent, SubmissionStatus, check_email};
pub use tokens::TokenInfo;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
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
fn unique_slug(connection: &Connection, table: &str, title: &str, fallback: &str) -> Result<String> {
    let mut base = casebook_corpus::text::slugify(title);
    base.truncate(60);
    let base =
        if base.trim_matches('-').is_empty() { fallback.to_string() } else { base.trim_matches('-').to_string() };
    let mut slug = base.clone();
    let mut n = 2;
    let query = format!("SELECT 1 FROM {table} WHERE slug = ?1");
    while connection.query_row(&query, [&slug], |_| Ok(())).optional()?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

/// The database.
pub struct Store {
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let store = Store { connection: Mutex::new(connection) };
        store.migrate()?;
        Ok(store)
    }

    /// The connection, for one job's statements or transaction; a panic in another holder
    /// does not make the store unusable.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.connection.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Applies the migrations of [`schema::MIGRATIONS`] the database has not seen yet.
    fn migrate(&self) -> Result<()> {
        let mut connection = self.lock();
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", (index + 1) as i64)?;
            tx.commit()?;
            tracing::info!(version = index + 1, "database migrated");
        }
        Ok(())
    }
}

#[cfg(test)]
mod intake_tests;
#[cfg(test)]
mod tests;
