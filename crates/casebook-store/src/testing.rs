//! What the store's unit tests share: a database of either backend ([`TestDb`]) and
//! `on_both_backends!`, which runs each test function once on SQLite and once on a
//! PostgreSQL database of its own (the server of `CASEBOOK_TEST_POSTGRES`; without it the
//! PostgreSQL tests fail and say how to run them).

use std::path::PathBuf;

use crate::db::params;
use crate::scratch::ScratchDatabase;
use crate::{Dialect, Store};

/// Every table of the schema.
pub const TABLES: [&str; 11] = [
    "users",
    "sessions",
    "tokens",
    "showcases",
    "showcase_items",
    "insight_searches",
    "insight_views",
    "calls",
    "submissions",
    "submission_events",
    "login_failures",
];

/// A database for one test, and a folder for its files.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    postgres: Option<ScratchDatabase>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb { dir: tempfile::tempdir().unwrap(), postgres: None }
    }

    pub fn postgres() -> TestDb {
        TestDb { dir: tempfile::tempdir().unwrap(), postgres: Some(ScratchDatabase::for_tests()) }
    }

    /// A store on this database (each call opens another connection to the same data).
    pub fn store(&self) -> Store {
        match &self.postgres {
            None => Store::open(&self.dir.path().join("casebook.db")).unwrap(),
            Some(scratch) => scratch.store().unwrap(),
        }
    }

    /// Another, empty database of the same backend.
    pub fn other(&self) -> TestDb {
        if self.postgres.is_some() { TestDb::postgres() } else { TestDb::sqlite() }
    }

    /// A file path in the test's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Everything the database holds, as bytes: the SQLite files, or every row of every
    /// table as text (to check that no secret is stored).
    pub fn raw(&self, store: &Store) -> Vec<u8> {
        match store.dialect() {
            Dialect::Sqlite => {
                let mut bytes = std::fs::read(self.path("casebook.db")).unwrap();
                bytes.extend(std::fs::read(self.path("casebook.db-wal")).unwrap_or_default());
                bytes
            }
            Dialect::Postgres => {
                let mut text = String::new();
                for table in TABLES {
                    let rows =
                        store.run(|c| c.query(&format!("SELECT CAST(t AS TEXT) FROM {table} t"), params![])).unwrap();
                    for row in rows {
                        text.push_str(&row.get::<String>(0).unwrap());
                        text.push('\n');
                    }
                }
                text.into_bytes()
            }
        }
    }
}

/// `on_both_backends!(a, b)`: tests `sqlite::a`, `postgres::a`, ... calling `a(&TestDb)`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::testing::TestDb::sqlite()) } )+
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&$crate::testing::TestDb::postgres()) } )+
        }
    };
}
pub(crate) use on_both_backends;
