//! Moving data out and in, and checking it: backups, the JSON export and import (also the
//! way from SQLite to PostgreSQL and back), and the integrity check that lists what is wrong
//! with the database.

use std::path::{Path, PathBuf};

use crate::db::{Conn, Dialect, params};
use crate::showcases::{Showcase, Status};
use crate::{Result, Store, StoreError, now};

/// What an export holds beyond showcases, calls and submissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportScope {
    /// Accounts (with their password hashes) and API tokens (with the hashes of their
    /// secrets): what moving a whole deployment needs, and what sharing showcases must not
    /// carry.
    pub accounts: bool,
    /// The insights counters.
    pub insights: bool,
}

impl ExportScope {
    /// Everything: a migration or a backup.
    pub const ALL: ExportScope = ExportScope { accounts: true, insights: true };
}

impl Store {
    /// Whether [`Store::problems`] finds nothing.
    pub fn integrity_ok(&self) -> Result<bool> {
        Ok(self.problems()?.is_empty())
    }

    /// What is wrong with the database, empty when nothing is: on SQLite its own
    /// `integrity_check` and `foreign_key_check` (PostgreSQL enforces foreign keys itself),
    /// and on both Casebook's invariants: no two cases of a showcase share a position (which
    /// a half-applied reorder would break), and every accepted submission names its file.
    pub fn problems(&self) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut problems = Vec::new();
            if conn.dialect() == Dialect::Sqlite {
                for row in conn.query("PRAGMA integrity_check", params![])? {
                    let row: String = row.get(0)?;
                    if row != "ok" {
                        problems.push(format!("integrity: {row}"));
                    }
                }
                for row in conn.query("PRAGMA foreign_key_check", params![])? {
                    let (table, rowid): (String, Option<i64>) = (row.get(0)?, row.get(1)?);
                    problems.push(format!("foreign key: row {} of `{table}` points nowhere", rowid.unwrap_or_default()));
                }
            }
            for row in conn.query(
                "SELECT s.slug, i.position, COUNT(*) FROM showcase_items i JOIN showcases s ON s.id = i.showcase_id
                 GROUP BY s.slug, i.showcase_id, i.position HAVING COUNT(*) > 1 ORDER BY s.slug, i.position",
                params![],
            )? {
                let (slug, position, count): (String, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
                problems.push(format!("showcase `{slug}`: {count} cases share position {position}"));
            }
            for row in conn.query(
                "SELECT id FROM submissions WHERE status = 'accepted' AND (case_id IS NULL OR case_path IS NULL) ORDER BY id",
                params![],
            )? {
                problems.push(format!("submission {} is accepted but names no case file", row.get::<i64>(0)?));
            }
            Ok(problems)
        })
    }

    /// Writes a backup to `path`, never leaving a partial one there (it is written beside
    /// `path` and renamed into place once complete). SQLite: a consistent copy of the file
    /// while it is in use (the online backup), checked before it is kept. PostgreSQL: the
    /// whole JSON export ([`ExportScope::ALL`]), which `import` reads back; `pg_dump` is the
    /// full backup of a PostgreSQL database.
    pub fn backup(&self, path: &Path) -> Result<()> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let _ = std::fs::remove_file(&partial);
        match &self.backend {
            crate::Backend::Sqlite { connection, .. } => {
                {
                    let connection = Self::lock(connection);
                    let mut target = rusqlite::Connection::open(&partial)?;
                    let backup = rusqlite::backup::Backup::new(&connection, &mut target)?;
                    backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
                }
                let copy = Store::open(&partial)?;
                let problems = copy.problems()?;
                drop(copy);
                if !problems.is_empty() {
                    let _ = std::fs::remove_file(&partial);
                    return Err(StoreError::Invalid(format!(
                        "the backup copy failed its check: {}",
                        problems.join("; ")
                    )));
                }
                for suffix in ["-wal", "-shm"] {
                    let mut side = partial.as_os_str().to_owned();
                    side.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(side));
                }
            }
            crate::Backend::Postgres(_) => {
                let export = self.export_scoped(ExportScope::ALL)?;
                let text = serde_json::to_string_pretty(&export).map_err(|e| StoreError::Invalid(e.to_string()))?;
                write_private(&partial, text.as_bytes())?;
            }
        }
        std::fs::rename(&partial, path)?;
        Ok(())
    }

    /// Every showcase, call and submission as JSON (for `casebook showcases export`). The
    /// submissions carry their contact email and the hash of their status token (not the
    /// token), so an export is as private as the database.
    pub fn export(&self) -> Result<serde_json::Value> {
        self.export_scoped(ExportScope::default())
    }

    /// The export, with accounts, tokens and insights as `scope` asks (`showcases export
    /// --all`: the way from one database to another).
    pub fn export_scoped(&self, scope: ExportScope) -> Result<serde_json::Value> {
        self.read(|conn| {
            let showcases = conn
                .query("SELECT slug FROM showcases ORDER BY id", params![])?
                .iter()
                .map(|row| Self::load(conn, &row.get::<String>(0)?).map(|(_, _, s)| s))
                .collect::<Result<Vec<_>>>()?;
            let (calls, submissions) = crate::transfer_intake::export(conn)?;
            let mut export = serde_json::json!({
                "format": "casebook-showcases",
                "version": 1,
                "showcases": showcases,
                "calls": calls,
                "submissions": submissions,
            });
            if scope.accounts {
                export["users"] = crate::transfer_accounts::export_users(conn)?;
                export["tokens"] = crate::transfer_accounts::export_tokens(conn)?;
            }
            if scope.insights {
                export["insights"] = crate::transfer_accounts::export_insights(conn)?;
            }
            Ok(export)
        })
    }

    /// Imports an export of [`Store::export`] or [`Store::export_scoped`], all in one
    /// transaction: accounts the database lacks are created (existing ones are kept as they
    /// are), each showcase replaces the one with the same slug (its owner must exist), calls
    /// (by slug) and submissions (by status token) replace theirs, tokens and insights
    /// counters are added where missing. Returns how many showcases were imported.
    pub fn import(&self, value: &serde_json::Value) -> Result<usize> {
        if value.get("format").and_then(|f| f.as_str()) != Some("casebook-showcases") {
            return Err(StoreError::Invalid("not a Casebook showcases export".into()));
        }
        let showcases: Vec<Showcase> = serde_json::from_value(value.get("showcases").cloned().unwrap_or_default())
            .map_err(|e| StoreError::Invalid(format!("invalid export: {e}")))?;
        self.write(|tx| {
            crate::transfer_accounts::import_users(tx, value)?;
            crate::transfer_intake::import(tx, value)?;
            for showcase in &showcases {
                import_showcase(tx, showcase)?;
            }
            crate::transfer_accounts::import_tokens(tx, value)?;
            crate::transfer_accounts::import_insights(tx, value)?;
            Ok(showcases.len())
        })
    }
}

fn import_showcase(tx: &Conn<'_>, showcase: &Showcase) -> Result<()> {
    let owner: i64 = tx
        .query_opt("SELECT id FROM users WHERE name = ?1", params![showcase.owner])?
        .ok_or_else(|| StoreError::NotFound(format!("user `{}` (owner of `{}`)", showcase.owner, showcase.slug)))?
        .get(0)?;
    tx.execute("DELETE FROM showcases WHERE slug = ?1", params![showcase.slug])?;
    let status = if showcase.status == Status::Published { "published" } else { "draft" };
    let id = tx.insert(
        "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        params![
            showcase.slug,
            owner,
            showcase.title,
            showcase.event,
            showcase.date,
            showcase.description,
            status,
            showcase.updated_at
        ],
    )?;
    for (position, item) in showcase.items.iter().enumerate() {
        tx.execute(
            "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, item.case_id, position as i64 + 1, item.note, item.last_title, now()],
        )?;
    }
    Ok(())
}

/// Writes `bytes` to a new file readable by its owner only, flushed to disk.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
