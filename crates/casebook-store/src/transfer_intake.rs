//! Calls and submissions in the JSON export and import of `transfer.rs`: calls by slug (their
//! owner must exist), submissions by the hash of their status token (so their status
//! address keeps working after a move), each with its history.

use serde::{Deserialize, Serialize};

use crate::calls::Call;
use crate::db::{Conn, params};
use crate::submissions::{SubmissionEvent, SubmissionStatus};
use crate::{Result, Store, StoreError};

/// A submission as exported: every column, the call by slug, the history.
#[derive(Debug, Serialize, Deserialize)]
struct ExportedSubmission {
    call: Option<String>,
    status: String,
    title: String,
    fields: serde_json::Value,
    contact_email: String,
    status_hash: String,
    note: String,
    case_id: Option<String>,
    case_path: Option<String>,
    submitted_at: i64,
    updated_at: i64,
    decided_at: Option<i64>,
    history: Vec<SubmissionEvent>,
}

/// The calls and submissions of the database, oldest first.
pub(crate) fn export(conn: &Conn<'_>) -> Result<(Vec<Call>, Vec<serde_json::Value>)> {
    let calls = conn
        .query("SELECT slug FROM calls ORDER BY id", params![])?
        .iter()
        .map(|row| Store::load_call(conn, &row.get::<String>(0)?).map(|(_, _, c)| c))
        .collect::<Result<Vec<_>>>()?;
    let rows = conn.query(
        "SELECT s.id, c.slug, s.status, s.title, s.fields, s.contact_email, s.status_hash, s.note, s.case_id,
                s.case_path, s.submitted_at, s.updated_at, s.decided_at
         FROM submissions s LEFT JOIN calls c ON c.id = s.call_id ORDER BY s.id",
        params![],
    )?;
    let mut submissions = Vec::with_capacity(rows.len());
    for row in rows {
        let fields: String = row.get(4)?;
        let submission = ExportedSubmission {
            call: row.get(1)?,
            status: row.get(2)?,
            title: row.get(3)?,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            contact_email: row.get(5)?,
            status_hash: row.get(6)?,
            note: row.get(7)?,
            case_id: row.get(8)?,
            case_path: row.get(9)?,
            submitted_at: row.get(10)?,
            updated_at: row.get(11)?,
            decided_at: row.get(12)?,
            history: crate::submissions::history(conn, row.get(0)?)?,
        };
        submissions.push(serde_json::to_value(&submission).map_err(|e| StoreError::Invalid(e.to_string()))?);
    }
    Ok((calls, submissions))
}

/// The row id of the user called `name`, or an error naming what needed it.
pub(crate) fn owner_id(tx: &Conn<'_>, name: &str, of: &str) -> Result<i64> {
    tx.query_opt("SELECT id FROM users WHERE name = ?1", params![name])?
        .ok_or_else(|| StoreError::NotFound(format!("user `{name}` ({of})")))?
        .get(0)
}

/// Imports the calls and submissions of an export, in the caller's transaction.
pub(crate) fn import(tx: &Conn<'_>, value: &serde_json::Value) -> Result<()> {
    let invalid = |e: serde_json::Error| StoreError::Invalid(format!("invalid export: {e}"));
    let calls: Vec<Call> =
        serde_json::from_value(value.get("calls").cloned().unwrap_or(serde_json::json!([]))).map_err(invalid)?;
    let submissions: Vec<ExportedSubmission> =
        serde_json::from_value(value.get("submissions").cloned().unwrap_or(serde_json::json!([]))).map_err(invalid)?;
    for call in &calls {
        let owner = owner_id(tx, &call.owner, &format!("owner of call `{}`", call.slug))?;
        let existing: Option<i64> = tx
            .query_opt("SELECT id FROM calls WHERE slug = ?1", params![call.slug])?
            .map(|row| row.get(0))
            .transpose()?;
        let categories = call.categories.join("\n");
        match existing {
            Some(id) => tx.execute(
                "UPDATE calls SET owner_id = ?1, title = ?2, event = ?3, award = ?4, categories = ?5, opens_on = ?6,
                                  closes_on = ?7, description = ?8, updated_at = ?9 WHERE id = ?10",
                params![owner, call.title, call.event, call.award, categories, call.opens, call.closes, call.description, call.updated_at, id],
            )?,
            None => tx.execute(
                "INSERT INTO calls (slug, owner_id, title, event, award, categories, opens_on, closes_on, description, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![call.slug, owner, call.title, call.event, call.award, categories, call.opens, call.closes, call.description, call.updated_at],
            )?,
        };
    }
    for submission in &submissions {
        if SubmissionStatus::parse(&submission.status).is_none() {
            return Err(StoreError::Invalid(format!("invalid export: unknown status `{}`", submission.status)));
        }
        let call_id: Option<i64> = match &submission.call {
            Some(slug) => Some(
                tx.query_opt("SELECT id FROM calls WHERE slug = ?1", params![slug])?
                    .ok_or_else(|| StoreError::NotFound(format!("call `{slug}` of an exported submission")))?
                    .get(0)?,
            ),
            None => None,
        };
        tx.execute("DELETE FROM submissions WHERE status_hash = ?1", params![submission.status_hash])?;
        let id = tx.insert(
            "INSERT INTO submissions (call_id, status, title, fields, contact_email, status_hash, note, case_id, case_path,
                                      submitted_at, updated_at, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
            params![
                call_id,
                submission.status,
                submission.title,
                submission.fields.to_string(),
                submission.contact_email,
                submission.status_hash,
                submission.note,
                submission.case_id,
                submission.case_path,
                submission.submitted_at,
                submission.updated_at,
                submission.decided_at
            ],
        )?;
        for event in &submission.history {
            tx.execute(
                "INSERT INTO submission_events (submission_id, at, actor, action, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, event.at, event.actor, event.action, event.note],
            )?;
        }
    }
    Ok(())
}
