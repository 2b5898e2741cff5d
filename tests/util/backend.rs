//! The store backend a test runs on: SQLite (a file in the workspace, as in production by
//! default) or PostgreSQL (a throwaway database of its own on the server that
//! `scripts/test.sh` starts; without it the test fails and says so). `on_both_backends!`
//! runs a test function once on each.

use casebook_store::scratch::ScratchDatabase;
use casebook_store::{Location, Store};

use super::Workspace;

/// Which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A test's database, dropped (PostgreSQL) with it.
pub struct TestDatabase {
    location: Location,
    scratch: Option<ScratchDatabase>,
}

impl Backend {
    /// A new database for a test in `workspace` (SQLite: `data/casebook.db` in it).
    pub fn database(self, workspace: &Workspace) -> TestDatabase {
        match self {
            Backend::Sqlite => {
                TestDatabase { location: Location::sqlite(workspace.path().join("data/casebook.db")), scratch: None }
            }
            Backend::Postgres => {
                let scratch = ScratchDatabase::for_tests();
                TestDatabase { location: scratch.location(), scratch: Some(scratch) }
            }
        }
    }
}

impl TestDatabase {
    pub fn location(&self) -> Location {
        self.location.clone()
    }

    /// The value of `--db` for the binary (a PostgreSQL URL holds its password).
    pub fn arg(&self) -> String {
        match &self.scratch {
            Some(scratch) => scratch.url(),
            None => self.location.to_string(),
        }
    }

    /// Another store on the same database (another server, say).
    pub fn store(&self) -> Store {
        Store::connect(&self.location).expect("open the test database")
    }

    /// The same database for another server (a restart); dropping it keeps the database.
    pub fn shared(&self) -> TestDatabase {
        TestDatabase { location: self.location.clone(), scratch: None }
    }

    /// Everything the database holds, as bytes (SQLite: its files in `workspace`; PostgreSQL:
    /// every row as text), to check that something is not stored.
    pub fn raw(&self, workspace: &Workspace) -> Vec<u8> {
        match &self.scratch {
            Some(scratch) => scratch.dump().expect("dump the test database").into_bytes(),
            None => {
                let mut bytes = std::fs::read(workspace.path().join("data/casebook.db")).unwrap_or_default();
                bytes.extend(std::fs::read(workspace.path().join("data/casebook.db-wal")).unwrap_or_default());
                bytes
            }
        }
    }

    /// The PostgreSQL database, to break on purpose.
    pub fn scratch(&self) -> Option<&ScratchDatabase> {
        self.scratch.as_ref()
    }
}

/// `on_both_backends!(a, b)`: async tests `sqlite::a`, `postgres::a`, ... calling
/// `a(Backend::Sqlite)` and `a(Backend::Postgres)`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    super::$name($crate::util::backend::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    super::$name($crate::util::backend::Backend::Postgres).await
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;
