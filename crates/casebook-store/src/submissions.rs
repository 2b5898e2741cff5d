//! Public submissions and their review: a company proposes a case (to a call or to the
//! archive), follows it at a secret status address (only a hash of its token is stored), and
//! an organiser of the call (or an admin) edits, accepts or rejects it with a note. Every
//! step is recorded in the submission's history, with who took it and when. The contact
//! email is kept for the reviewers and never shown on the status page.

use serde::{Deserialize, Serialize};

use casebook_corpus::CaseFields;

use crate::accounts::{Role, User};
use crate::calls::CallState;
use crate::db::{Conn, Row, params};
use crate::{Result, Store, StoreError, bounded, now, secret};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    /// Waiting for a decision.
    Pending,
    /// Accepted: its case file is in the corpus.
    Accepted,
    /// Rejected, with a note.
    Rejected,
}

impl SubmissionStatus {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Rejected => "rejected",
        }
    }

    /// Parses `pending`, `accepted` or `rejected`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(SubmissionStatus::Pending),
            "accepted" => Some(SubmissionStatus::Accepted),
            "rejected" => Some(SubmissionStatus::Rejected),
            _ => None,
        }
    }
}

/// One step of a submission's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionEvent {
    /// Unix time.
    pub at: i64,
    /// Account name of the reviewer; `None` for the submitter.
    pub actor: Option<String>,
    /// `submitted`, `edited`, `accepted` or `rejected`.
    pub action: String,
    /// The note given with a decision.
    pub note: String,
}

/// A submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Row id, used by the reviewers' API.
    pub id: i64,
    /// Slug of the call it answers, if any.
    pub call: Option<String>,
    /// Pending, accepted or rejected.
    pub status: SubmissionStatus,
    /// The case as proposed (and edited by reviewers).
    pub fields: CaseFields,
    /// The submitter's address: for reviewers only.
    pub contact_email: String,
    /// The reviewer's note on the decision.
    pub note: String,
    /// The case id of the file written on acceptance.
    pub case_id: Option<String>,
    /// That file, relative to the corpus folder.
    pub case_path: Option<String>,
    /// Unix times.
    pub submitted_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
    /// Every step, oldest first.
    pub history: Vec<SubmissionEvent>,
}

/// A new submission.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The call it answers (it must be open).
    pub call: Option<String>,
    /// The case, already checked by the caller.
    pub fields: CaseFields,
    /// The submitter's address (checked with [`check_email`]).
    pub contact_email: String,
}

/// Longest decision note, in characters.
const MAX_NOTE: usize = 5_000;

/// The address if it looks like one (`name@domain.tld`, at most 254 characters, no spaces
/// or control characters), else the reason it does not.
pub fn check_email(value: &str) -> std::result::Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(casebook_corpus::REQUIRED.to_string());
    }
    if value.chars().count() > 254 {
        return Err("at most 254 characters".to_string());
    }
    let valid =
        value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }) && !value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'));
    if valid { Ok(value.to_string()) } else { Err("not an email address such as name@example.org".to_string()) }
}

const COLUMNS: &str = "s.id, c.slug, s.status, s.fields, s.contact_email, s.note, s.case_id, s.case_path,
                       s.submitted_at, s.updated_at, s.decided_at, c.owner_id";

/// A submission and the owner of its call (none: admins only review it).
type Loaded = (Submission, Option<i64>);

fn read(row: &Row) -> Result<Loaded> {
    let status: String = row.get(2)?;
    let fields: String = row.get(3)?;
    Ok((
        Submission {
            id: row.get(0)?,
            call: row.get(1)?,
            status: SubmissionStatus::parse(&status).unwrap_or(SubmissionStatus::Pending),
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            contact_email: row.get(4)?,
            note: row.get(5)?,
            case_id: row.get(6)?,
            case_path: row.get(7)?,
            submitted_at: row.get(8)?,
            updated_at: row.get(9)?,
            decided_at: row.get(10)?,
            history: Vec::new(),
        },
        row.get(11)?,
    ))
}

/// The history of a submission, oldest first.
pub(crate) fn history(conn: &Conn<'_>, id: i64) -> Result<Vec<SubmissionEvent>> {
    conn.query(
        "SELECT at, actor, action, note FROM submission_events WHERE submission_id = ?1 ORDER BY id",
        params![id],
    )?
    .iter()
    .map(|row| Ok(SubmissionEvent { at: row.get(0)?, actor: row.get(1)?, action: row.get(2)?, note: row.get(3)? }))
    .collect()
}

fn with_history(conn: &Conn<'_>, (mut submission, owner): Loaded) -> Result<Loaded> {
    submission.history = history(conn, submission.id)?;
    Ok((submission, owner))
}

fn load(conn: &Conn<'_>, id: i64) -> Result<Loaded> {
    let row = conn
        .query_opt(
            &format!("SELECT {COLUMNS} FROM submissions s LEFT JOIN calls c ON c.id = s.call_id WHERE s.id = ?1"),
            params![id],
        )?
        .ok_or_else(|| StoreError::NotFound(format!("submission {id}")))?;
    with_history(conn, read(&row)?)
}

/// Whether `user` reviews submissions of a call owned by `owner` (none: admins only).
fn reviews(user: &User, owner: Option<i64>) -> bool {
    user.role == Role::Admin || owner == Some(user.id)
}

fn forbidden(id: i64) -> StoreError {
    StoreError::Forbidden(format!(
        "submission {id} answers a call of another organiser: only its organiser or an admin reviews it"
    ))
}

fn record(tx: &Conn<'_>, id: i64, actor: Option<&str>, action: &str, note: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO submission_events (submission_id, at, actor, action, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, now(), actor, action, note],
    )?;
    Ok(())
}

fn fields_json(fields: &CaseFields) -> Result<String> {
    serde_json::to_string(fields).map_err(|e| StoreError::Invalid(format!("cannot store the fields: {e}")))
}

impl Store {
    /// Stores a submission (to an open call, or to the archive) and returns it with the
    /// secret token of its status page, shown once: only its hash is kept. Committed before
    /// it returns, so an acknowledged submission survives a crash.
    pub fn create_submission(&self, new: &NewSubmission) -> Result<(Submission, String)> {
        let contact_email =
            check_email(&new.contact_email).map_err(|e| StoreError::Invalid(format!("contact_email: {e}")))?;
        let token = secret::random_hex(32)?;
        let fields = fields_json(&new.fields)?;
        let submission = self.write(|tx| {
            let call_id = match &new.call {
                None => None,
                Some(slug) => {
                    let (id, _, call) = Self::load_call(tx, slug)?;
                    match call.state() {
                        CallState::Open => Some(id),
                        CallState::Upcoming => {
                            return Err(StoreError::Closed(format!(
                                "the call \"{}\" opens on {}: entries are taken from that day",
                                call.title, call.opens
                            )));
                        }
                        CallState::Closed => {
                            return Err(StoreError::Closed(format!(
                                "the call \"{}\" closed on {}: it takes no more entries",
                                call.title, call.closes
                            )));
                        }
                    }
                }
            };
            let id = tx.insert(
                "INSERT INTO submissions (call_id, status, title, fields, contact_email, status_hash, submitted_at, updated_at)
                 VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
                params![call_id, new.fields.title.trim(), fields, contact_email, secret::hex(&secret::digest(&token)), now()],
            )?;
            record(tx, id, None, "submitted", "")?;
            Ok(load(tx, id)?.0)
        })?;
        Ok((submission, token))
    }

    /// The submission whose status page `token` opens (the submitter's view).
    pub fn submission_by_token(&self, token: &str) -> Result<Submission> {
        let missing = || StoreError::NotFound("submission".to_string());
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(missing());
        }
        self.read(|conn| {
            let row = conn
                .query_opt(
                    "SELECT id FROM submissions WHERE status_hash = ?1",
                    params![secret::hex(&secret::digest(token))],
                )?
                .ok_or_else(missing)?;
            Ok(load(conn, row.get(0)?)?.0)
        })
    }

    /// A submission as `viewer` may review it: 404 when there is none, 403 when it answers
    /// another organiser's call (or no call, for an organiser).
    pub fn submission(&self, id: i64, viewer: &User) -> Result<Submission> {
        let (submission, owner) = self.read(|conn| load(conn, id))?;
        if reviews(viewer, owner) { Ok(submission) } else { Err(forbidden(id)) }
    }

    /// The submissions `viewer` reviews (an admin: all; an organiser: those of their calls),
    /// optionally of one status and one call; oldest first. Another organiser's call is 403.
    pub fn submissions(
        &self,
        viewer: &User,
        status: Option<SubmissionStatus>,
        call: Option<&str>,
    ) -> Result<Vec<Submission>> {
        self.read(|conn| {
            if let Some(slug) = call {
                let (_, owner, _) = Self::load_call(conn, slug)?;
                if !reviews(viewer, Some(owner)) {
                    return Err(StoreError::Forbidden(format!("call `{slug}` belongs to another organiser")));
                }
            }
            let rows = conn.query(
                &format!(
                    "SELECT {COLUMNS} FROM submissions s LEFT JOIN calls c ON c.id = s.call_id
                     WHERE (CAST(?1 AS TEXT) IS NULL OR s.status = ?1) AND (CAST(?2 AS TEXT) IS NULL OR c.slug = ?2)
                       AND (CAST(?3 AS TEXT) = 'admin' OR c.owner_id = ?4)
                     ORDER BY s.submitted_at, s.id"
                ),
                params![status.map(SubmissionStatus::as_str), call, viewer.role.as_str(), viewer.id],
            )?;
            rows.iter().map(|row| with_history(conn, read(row)?).map(|(s, _)| s)).collect()
        })
    }

    /// Runs `change` on a pending submission `reviewer` may review, in one transaction (run
    /// again if it conflicted with a concurrent one on PostgreSQL).
    fn review<T, E: From<StoreError>>(
        &self,
        id: i64,
        reviewer: &User,
        mut change: impl FnMut(&Conn<'_>, &Submission) -> std::result::Result<T, E>,
    ) -> std::result::Result<(Submission, T), E> {
        self.write(|tx| {
            let (submission, owner) = load(tx, id)?;
            if !reviews(reviewer, owner) {
                return Err(forbidden(id).into());
            }
            if submission.status != SubmissionStatus::Pending {
                return Err(StoreError::Conflict(format!(
                    "submission {id} was already {}{}",
                    submission.status.as_str(),
                    submission.case_id.as_ref().map(|c| format!(" as case `{c}`")).unwrap_or_default()
                ))
                .into());
            }
            let done = change(tx, &submission)?;
            let (updated, _) = load(tx, id)?;
            Ok((updated, done))
        })
    }

    /// Replaces the fields of a pending submission (already checked by the caller).
    pub fn update_submission(&self, id: i64, editor: &User, fields: &CaseFields) -> Result<Submission> {
        let json = fields_json(fields)?;
        self.review(id, editor, |tx, _| {
            tx.execute(
                "UPDATE submissions SET fields = ?1, title = ?2, updated_at = ?3 WHERE id = ?4",
                params![json, fields.title.trim(), now(), id],
            )?;
            record(tx, id, Some(&editor.name), "edited", "")
        })
        .map(|(submission, ())| submission)
    }

    /// Accepts a pending submission: `write` puts its case file into the corpus and returns
    /// the case id and the file (relative to the corpus), then the decision is recorded, all
    /// while the submission is locked: accepting twice is a conflict (409), and a failed
    /// write leaves it pending. If the record cannot be committed, `undo` removes the file
    /// (and if the transaction is run again after a conflict, the file is removed and
    /// written again).
    pub fn accept_submission<E: From<StoreError>>(
        &self,
        id: i64,
        reviewer: &User,
        note: &str,
        mut write: impl FnMut(&Submission) -> std::result::Result<(String, String), E>,
        mut undo: impl FnMut(&str),
    ) -> std::result::Result<Submission, E> {
        let note = bounded(note, MAX_NOTE, "the note")?;
        let mut written: Option<String> = None;
        let result = self.review(id, reviewer, |tx, submission| {
            if let Some(path) = written.take() {
                undo(&path);
            }
            let (case_id, path) = write(submission)?;
            written = Some(path.clone());
            tx.execute(
                "UPDATE submissions SET status = 'accepted', note = ?1, case_id = ?2, case_path = ?3, decided_at = ?4,
                                        updated_at = ?4 WHERE id = ?5",
                params![note, case_id, path, now(), id],
            )?;
            record(tx, id, Some(&reviewer.name), "accepted", &note)?;
            Ok::<(), E>(())
        });
        match result {
            Ok((submission, ())) => Ok(submission),
            Err(error) => {
                if let Some(path) = written {
                    undo(&path);
                }
                Err(error)
            }
        }
    }

    /// Rejects a pending submission with a note for the submitter.
    pub fn reject_submission(&self, id: i64, reviewer: &User, note: &str) -> Result<Submission> {
        let note = bounded(note, MAX_NOTE, "the note")?;
        self.review(id, reviewer, |tx, _| {
            tx.execute(
                "UPDATE submissions SET status = 'rejected', note = ?1, decided_at = ?2, updated_at = ?2 WHERE id = ?3",
                params![note, now(), id],
            )?;
            record(tx, id, Some(&reviewer.name), "rejected", &note)
        })
        .map(|(submission, ())| submission)
    }
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn email_addresses() {
        assert_eq!(check_email(" anna@example.org ").unwrap(), "anna@example.org");
        for bad in ["", "anna", "anna@example", "a b@example.org", "<x>@example.org", "anna@.org", "a@b@c.org"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email(&format!("{}@example.org", "a".repeat(250))).is_err());
    }
}
