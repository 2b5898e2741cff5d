//! Throwaway PostgreSQL databases, for tests and measurements: [`ScratchDatabase`] creates
//! `casebook_test_<random>` through an administrator's connection and drops it when dropped,
//! so that tests run in parallel, each on its own database.
//!
//! The administrator URL comes from `CASEBOOK_TEST_POSTGRES` (set by `scripts/test.sh`,
//! which starts a throwaway server for the run). The administrator's work runs on a thread of
//! its own, so a scratch database can be made and dropped from inside an async test.

use crate::location::{Location, redact};
use crate::secret::random_hex;
use crate::{Store, StoreError};

/// The environment variable that holds the administrator URL of the test server.
pub const TEST_SERVER_VARIABLE: &str = "CASEBOOK_TEST_POSTGRES";

/// A database that exists until this is dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// A new database on the server of `CASEBOOK_TEST_POSTGRES`; panics with what to do when
    /// the variable is missing (the PostgreSQL tests never pass silently without a server).
    pub fn for_tests() -> ScratchDatabase {
        let admin_url = std::env::var(TEST_SERVER_VARIABLE).unwrap_or_else(|_| {
            panic!(
                "{TEST_SERVER_VARIABLE} is not set: the PostgreSQL tests need a server. Run scripts/test.sh (it \
                 starts a throwaway PostgreSQL for the run), or scripts/with-postgres.sh cargo test ..."
            )
        });
        ScratchDatabase::create(&admin_url).unwrap_or_else(|e| panic!("cannot create a test database: {e}"))
    }

    /// Creates a new database on the server of `admin_url` (a user allowed to create them).
    pub fn create(admin_url: &str) -> Result<ScratchDatabase, StoreError> {
        let name = format!("casebook_test_{}", random_hex(8)?);
        let url = with_database(admin_url, &name);
        admin(admin_url, format!("CREATE DATABASE {name}"))?;
        Ok(ScratchDatabase { admin_url: admin_url.to_string(), name, url })
    }

    /// The URL of the database (password included: never print it), with `pool_size=4`.
    pub fn url(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}pool_size=4", self.url)
    }

    /// The database as a store location.
    pub fn location(&self) -> Location {
        Location::parse(&self.url()).unwrap_or_else(|e| panic!("scratch URL: {e}"))
    }

    /// A store on the database.
    pub fn store(&self) -> Result<Store, StoreError> {
        Store::connect(&self.location())
    }

    /// Runs SQL in the database as the administrator (tests that break things on purpose).
    pub fn execute(&self, sql: &str) -> Result<(), StoreError> {
        admin(&self.url, sql.to_string())
    }
}

impl ScratchDatabase {
    /// Cuts every connection to the database and refuses new ones (`blocked`), or lets them
    /// in again: a database server that went away and came back, for tests.
    pub fn block_connections(&self, blocked: bool) -> Result<(), StoreError> {
        admin(&self.admin_url, format!("ALTER DATABASE {} ALLOW_CONNECTIONS {}", self.name, !blocked))?;
        if blocked {
            admin(
                &self.admin_url,
                format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                    self.name
                ),
            )?;
        }
        Ok(())
    }

    /// Every row of every table, as text (tests that check what is, or is not, stored).
    pub fn dump(&self) -> Result<String, StoreError> {
        let url = self.url.clone();
        let shown = redact(&url);
        std::thread::spawn(move || -> Result<String, StoreError> {
            let mut client = connect(&url, &shown)?;
            let db = |e: postgres::Error| StoreError::Db(e.into());
            let tables: Vec<String> = client
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
                    &[],
                )
                .map_err(db)?
                .iter()
                .map(|row| row.get(0))
                .collect();
            let mut text = String::new();
            for table in tables {
                for row in client.query(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"), &[]).map_err(db)? {
                    text.push_str(&row.get::<_, String>(0));
                    text.push('\n');
                }
            }
            Ok(text)
        })
        .join()
        .unwrap_or_else(|_| Err(StoreError::Invalid("the administrator's connection panicked".into())))
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Err(error) = admin(&self.admin_url, format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)) {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgresql", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or_default();
    let mut out = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

fn connect(url: &str, shown: &str) -> Result<postgres::Client, StoreError> {
    url.parse::<postgres::Config>()
        .map_err(|e| StoreError::Invalid(format!("invalid PostgreSQL URL `{shown}`: {e}")))?
        .connect(postgres::NoTls)
        .map_err(|e| StoreError::Db(e.into()))
}

/// Runs `sql` on its own connection, on a thread of its own.
fn admin(url: &str, sql: String) -> Result<(), StoreError> {
    let url = url.to_string();
    let shown = redact(&url);
    std::thread::spawn(move || -> Result<(), StoreError> {
        connect(&url, &shown)?.batch_execute(&sql).map_err(|e| StoreError::Db(e.into()))
    })
    .join()
    .unwrap_or_else(|_| Err(StoreError::Invalid("the administrator's connection panicked".into())))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(with_database("postgresql://pg@127.0.0.1:5999/postgres", "x"), "postgresql://pg@127.0.0.1:5999/x");
        assert_eq!(
            with_database("postgres://a:b@h/postgres?sslmode=disable", "x"),
            "postgres://a:b@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
