//! Moving data out and in, and checking it: online backups, showcase export and import as
//! JSON, and the integrity check that lists what is wrong with the database.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::showcases::{Showcase, Status};
use crate::{Result, Store, StoreError, now};

impl Store {
    /// `PRAGMA integrity_check` is `ok`.
    pub fn integrity_ok(&self) -> Result<bool> {
        Ok(self.problems()?.is_empty())
    }

    /// What is wrong with the database, empty when nothing is: SQLite's own
    /// `integrity_check` and `foreign_key_check`, and Casebook's invariant that no two cases
    /// of a showcase share a position (which a half-applied reorder would break).
    pub fn problems(&self) -> Result<Vec<String>> {
        let connection = self.lock();
        let mut problems = Vec::new();
        let mut integrity = connection.prepare("PRAGMA integrity_check")?;
        for row in integrity.query_map([], |row| row.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("integrity: {row}"));
            }
        }
        let mut foreign = connection.prepare("PRAGMA foreign_key_check")?;
        for row in foreign.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<i64>>(1)?)))? {
            let (table, rowid) = row?;
            problems.push(format!("foreign key: row {} of `{table}` points nowhere", rowid.unwrap_or_default()));
        }
        let mut positions = connection.prepare(
            "SELECT s.slug, i.position, COUNT(*) FROM showcase_items i JOIN showcases s ON s.id = i.showcase_id
             GROUP BY i.showcase_id, i.position HAVING COUNT(*) > 1",
        )?;
        for row in positions
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)))?
        {
            let (slug, position, count) = row?;
            problems.push(format!("showcase `{slug}`: {count} cases share position {position}"));
        }
        let mut accepted = connection.prepare(
            "SELECT id FROM submissions WHERE status = 'accepted' AND (case_id IS NULL OR case_path IS NULL)",
        )?;
        for row in accepted.query_map([], |row| row.get::<_, i64>(0))? {
            problems.push(format!("submission {} is accepted but names no case file", row?));
        }
        Ok(problems)
    }

    /// Writes a consistent copy of the database to `path` while it is in use (SQLite's
    /// online backup). The copy is written beside `path` and renamed into place once
    /// complete and checked, so `path` never holds a partial backup.
    pub fn backup(&self, path: &Path) -> Result<()> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        let _ = std::fs::remove_file(&partial);
        {
            let connection = self.lock();
            let mut target = Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(&connection, &mut target)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        let copy = Store::open(&partial)?;
        let problems = copy.problems()?;
        drop(copy);
        if !problems.is_empty() {
            let _ = std::fs::remove_file(&partial);
            return Err(StoreError::Invalid(format!("the backup copy failed its check: {}", problems.join("; "))));
        }
        for suffix in ["-wal", "-shm"] {
            let mut side = partial.as_os_str().to_owned();
            side.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(side));
        }
        std::fs::rename(&partial, path)?;
        Ok(())
    }

    /// Every showcase, call and submission as JSON (for `casebook showcases export`). The
    /// submissions carry their contact email and the hash of their status token (not the
    /// token), so an export is as private as the database.
    pub fn export(&self) -> Result<serde_json::Value> {
        let connection = self.lock();
        let slugs: Vec<String> = {
            let mut statement = connection.prepare("SELECT slug FROM showcases ORDER BY id")?;
            statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let showcases =
            slugs.iter().map(|s| Self::load(&connection, s).map(|(_, _, s)| s)).collect::<Result<Vec<_>>>()?;
        let (calls, submissions) = crate::transfer_intake::export(&connection)?;
        Ok(serde_json::json!({
            "format": "casebook-showcases",
            "version": 1,
            "showcases": showcases,
            "calls": calls,
            "submissions": submissions,
        }))
    }

    /// Imports showcases exported by [`Store::export`]: each replaces the showcase with the
    /// same slug, all in one transaction. Owners must exist. Calls (by slug) and submissions
    /// (by status token) of the export replace theirs too. Returns how many showcases were
    /// imported.
    pub fn import(&self, value: &serde_json::Value) -> Result<usize> {
        if value.get("format").and_then(|f| f.as_str()) != Some("casebook-showcases") {
            return Err(StoreError::Invalid("not a Casebook showcases export".into()));
        }
        let showcases: Vec<Showcase> = serde_json::from_value(value.get("showcases").cloned().unwrap_or_default())
            .map_err(|e| StoreError::Invalid(format!("invalid export: {e}")))?;
        let mut connection = self.lock();
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        crate::transfer_intake::import(&tx, value)?;
        for showcase in &showcases {
            let owner: i64 = tx
                .query_row("SELECT id FROM users WHERE name = ?1", [&showcase.owner], |row| row.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("user `{}` (owner of `{}`)", showcase.owner, showcase.slug))
                })?;
            tx.execute("DELETE FROM showcases WHERE slug = ?1", [&showcase.slug])?;
            let status = if showcase.status == Status::Published { "published" } else { "draft" };
            tx.execute(
                "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![showcase.slug, owner, showcase.title, showcase.event, showcase.date, showcase.description, status, showcase.updated_at],
            )?;
            let id = tx.last_insert_rowid();
            for (position, item) in showcase.items.iter().enumerate() {
                tx.execute(
                    "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, item.case_id, position as i64 + 1, item.note, item.last_title, now()],
                )?;
            }
        }
        tx.commit()?;
        Ok(showcases.len())
    }
}
