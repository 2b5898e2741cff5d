//! Showcases: curated, ordered lists of cases with notes, drafts or published; reading them
//! as a given viewer may see them and every change an owner (or an admin) may make.

use serde::{Deserialize, Serialize};

use crate::accounts::{Role, User};
use crate::db::{Conn, params};
use crate::{Result, Store, StoreError, bounded, now, unique_slug};

/// Draft or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Visible to its owner (and admins) only.
    Draft,
    /// Public.
    Published,
}

/// A case in a showcase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Case id.
    pub case_id: String,
    /// Curator note (markdown).
    pub note: String,
    /// The case title when it was added or last seen, shown if the case leaves the archive.
    pub last_title: String,
}

/// A showcase with its ordered items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Showcase {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Event or stage.
    pub event: Option<String>,
    /// Date (as written, e.g. 2026-10-14).
    pub date: Option<String>,
    /// Description (markdown).
    pub description: String,
    /// Draft or published.
    pub status: Status,
    /// Owner's name.
    pub owner: String,
    /// Unix time of the last change.
    pub updated_at: i64,
    /// Cases in order.
    pub items: Vec<Item>,
}

/// Fields of a new showcase.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewShowcase {
    /// Title (required).
    pub title: String,
    /// Event or stage.
    pub event: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Description (markdown).
    pub description: Option<String>,
}

/// A partial update; absent fields stay as they are, empty strings clear optional ones.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShowcasePatch {
    /// New title.
    pub title: Option<String>,
    /// New event.
    pub event: Option<String>,
    /// New date.
    pub date: Option<String>,
    /// New description.
    pub description: Option<String>,
}

/// Longest title or event, in characters.
const MAX_TITLE: usize = 200;
/// Longest description or note, in characters.
const MAX_TEXT: usize = 20_000;
/// Most cases in one showcase.
const MAX_ITEMS: usize = 500;

/// A case title as remembered by a showcase: it comes from the archive, not from the
/// organiser, so it is tidied rather than refused (control characters become spaces, and a
/// title longer than the showcase keeps is cut with an ellipsis).
pub(crate) fn remembered_title(title: &str) -> String {
    let spaced: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = spaced.trim().to_string();
    if clean.chars().count() <= MAX_TITLE * 2 {
        return clean;
    }
    let mut cut: String = clean.chars().take(MAX_TITLE * 2 - 1).collect();
    cut.push('…');
    cut
}

/// An optional field, checked like [`bounded`]; empty means absent.
fn optional(value: Option<&str>, max: usize, what: &str) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => Ok(Some(bounded(v, max, what)?).filter(|v| !v.is_empty())),
    }
}

impl Store {
    /// A showcase by slug with its row id and its owner's row id, whoever asks.
    pub(crate) fn load(conn: &Conn<'_>, slug: &str) -> Result<(i64, i64, Showcase)> {
        let row = conn
            .query_opt(
                "SELECT s.id, s.owner_id, s.slug, s.title, s.event, s.date, s.description, s.status, u.name, s.updated_at
                 FROM showcases s JOIN users u ON u.id = s.owner_id WHERE s.slug = ?1",
                params![slug],
            )?
            .ok_or_else(|| StoreError::NotFound(format!("showcase `{slug}`")))?;
        let status: String = row.get(7)?;
        let id: i64 = row.get(0)?;
        let items = conn
            .query(
                "SELECT case_id, note, last_title FROM showcase_items WHERE showcase_id = ?1 ORDER BY position",
                params![id],
            )?
            .iter()
            .map(|item| Ok(Item { case_id: item.get(0)?, note: item.get(1)?, last_title: item.get(2)? }))
            .collect::<Result<Vec<_>>>()?;
        let showcase = Showcase {
            slug: row.get(2)?,
            title: row.get(3)?,
            event: row.get(4)?,
            date: row.get(5)?,
            description: row.get(6)?,
            status: if status == "published" { Status::Published } else { Status::Draft },
            owner: row.get(8)?,
            updated_at: row.get(9)?,
            items,
        };
        Ok((id, row.get(1)?, showcase))
    }

    /// A showcase as `viewer` may see it: published ones to everyone; drafts to their owner
    /// and admins; otherwise not found.
    pub fn showcase(&self, slug: &str, viewer: Option<&User>) -> Result<Showcase> {
        let (_, owner, showcase) = self.read(|conn| Self::load(conn, slug))?;
        let visible =
            showcase.status == Status::Published || viewer.is_some_and(|u| u.role == Role::Admin || u.id == owner);
        if visible { Ok(showcase) } else { Err(StoreError::NotFound(format!("showcase `{slug}`"))) }
    }

    /// Showcases listed for `viewer`: their own (all, for admins), or the published ones for
    /// anonymous visitors; most recently changed first.
    pub fn showcases(&self, viewer: Option<&User>) -> Result<Vec<Showcase>> {
        self.read(|conn| {
            let slugs = conn.query(
                "SELECT slug FROM showcases
                 WHERE (CAST(?1 AS BIGINT) IS NULL AND status = 'published') OR CAST(?2 AS TEXT) = 'admin' OR owner_id = ?1
                 ORDER BY updated_at DESC, id DESC",
                params![viewer.map(|u| u.id), viewer.map(|u| u.role.as_str())],
            )?;
            slugs.iter().map(|row| Self::load(conn, &row.get::<String>(0)?).map(|(_, _, s)| s)).collect()
        })
    }

    /// Published showcases.
    pub fn published(&self) -> Result<Vec<Showcase>> {
        self.showcases(None)
    }

    /// Creates a showcase owned by `owner`, with a unique slug made from its title.
    pub fn create_showcase(&self, owner: &User, new: &NewShowcase) -> Result<Showcase> {
        let title = bounded(&new.title, MAX_TITLE, "the title")?;
        if title.is_empty() {
            return Err(StoreError::Invalid("a showcase needs a title".into()));
        }
        let event = optional(new.event.as_deref(), MAX_TITLE, "the event")?;
        let date = optional(new.date.as_deref(), 40, "the date")?;
        let description = optional(new.description.as_deref(), MAX_TEXT, "the description")?.unwrap_or_default();
        let slug = self.write(|tx| {
            let slug = unique_slug(tx, "showcases", &title, "showcase")?;
            tx.execute(
                "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'draft', ?7, ?7)",
                params![slug, owner.id, title, event, date, description, now()],
            )?;
            Ok::<_, StoreError>(slug)
        })?;
        self.showcase(&slug, Some(owner))
    }

    /// Runs `change` on a showcase `editor` may edit, in one transaction, then returns it.
    fn edit<F>(&self, slug: &str, editor: &User, mut change: F) -> Result<Showcase>
    where
        F: FnMut(&Conn<'_>, i64, &Showcase) -> Result<()>,
    {
        self.write(|tx| {
            let (id, owner, showcase) = Self::load(tx, slug)?;
            if editor.role != Role::Admin && editor.id != owner {
                return Err(StoreError::NotFound(format!("showcase `{slug}`")));
            }
            change(tx, id, &showcase)?;
            tx.execute("UPDATE showcases SET updated_at = ?1 WHERE id = ?2", params![now(), id])?;
            let (_, _, updated) = Self::load(tx, slug)?;
            Ok(updated)
        })
    }

    /// Changes title, event, date or description.
    pub fn update_showcase(&self, slug: &str, editor: &User, patch: &ShowcasePatch) -> Result<Showcase> {
        let title = match &patch.title {
            Some(t) => {
                let t = bounded(t, MAX_TITLE, "the title")?;
                if t.is_empty() {
                    return Err(StoreError::Invalid("a showcase needs a title".into()));
                }
                Some(t)
            }
            None => None,
        };
        let event = patch.event.as_deref().map(|e| optional(Some(e), MAX_TITLE, "the event")).transpose()?;
        let date = patch.date.as_deref().map(|d| optional(Some(d), 40, "the date")).transpose()?;
        let description = patch.description.as_deref().map(|d| bounded(d, MAX_TEXT, "the description")).transpose()?;
        self.edit(slug, editor, |tx, id, _| {
            if let Some(title) = &title {
                tx.execute("UPDATE showcases SET title = ?1 WHERE id = ?2", params![title, id])?;
            }
            if let Some(event) = &event {
                tx.execute("UPDATE showcases SET event = ?1 WHERE id = ?2", params![event, id])?;
            }
            if let Some(date) = &date {
                tx.execute("UPDATE showcases SET date = ?1 WHERE id = ?2", params![date, id])?;
            }
            if let Some(description) = &description {
                tx.execute("UPDATE showcases SET description = ?1 WHERE id = ?2", params![description, id])?;
            }
            Ok(())
        })
    }

    /// Publishes or unpublishes.
    pub fn set_status(&self, slug: &str, editor: &User, status: Status) -> Result<Showcase> {
        let value = if status == Status::Published { "published" } else { "draft" };
        self.edit(slug, editor, |tx, id, _| {
            tx.execute("UPDATE showcases SET status = ?1 WHERE id = ?2", params![value, id])?;
            Ok(())
        })
    }

    /// Deletes a showcase and its items.
    pub fn delete_showcase(&self, slug: &str, editor: &User) -> Result<()> {
        self.write(|tx| {
            let (id, owner, _) = Self::load(tx, slug)?;
            if editor.role != Role::Admin && editor.id != owner {
                return Err(StoreError::NotFound(format!("showcase `{slug}`")));
            }
            tx.execute("DELETE FROM showcases WHERE id = ?1", params![id])?;
            Ok(())
        })
    }

    /// Appends a case (with its current title) at the end.
    pub fn add_item(&self, slug: &str, editor: &User, case_id: &str, title: &str, note: &str) -> Result<Showcase> {
        let note = bounded(note, MAX_TEXT, "the note")?;
        let title = remembered_title(title);
        self.edit(slug, editor, |tx, id, showcase| {
            if showcase.items.iter().any(|i| i.case_id == case_id) {
                return Err(StoreError::Conflict(format!("case `{case_id}` is already in the showcase")));
            }
            if showcase.items.len() >= MAX_ITEMS {
                return Err(StoreError::Invalid(format!("a showcase holds at most {MAX_ITEMS} cases")));
            }
            tx.execute(
                "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at)
                 VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM showcase_items WHERE showcase_id = ?1), ?3, ?4, ?5)",
                params![id, case_id, note, title, now()],
            )?;
            Ok(())
        })
    }

    /// Removes a case.
    pub fn remove_item(&self, slug: &str, editor: &User, case_id: &str) -> Result<Showcase> {
        self.edit(slug, editor, |tx, id, _| {
            let removed =
                tx.execute("DELETE FROM showcase_items WHERE showcase_id = ?1 AND case_id = ?2", params![id, case_id])?;
            if removed == 0 { Err(StoreError::NotFound(format!("case `{case_id}` in the showcase"))) } else { Ok(()) }
        })
    }

    /// Sets the note of a case.
    pub fn set_note(&self, slug: &str, editor: &User, case_id: &str, note: &str) -> Result<Showcase> {
        let note = bounded(note, MAX_TEXT, "the note")?;
        self.edit(slug, editor, |tx, id, _| {
            let changed = tx.execute(
                "UPDATE showcase_items SET note = ?1 WHERE showcase_id = ?2 AND case_id = ?3",
                params![note, id, case_id],
            )?;
            if changed == 0 { Err(StoreError::NotFound(format!("case `{case_id}` in the showcase"))) } else { Ok(()) }
        })
    }

    /// Puts the cases in the given order, which must list each case exactly once.
    pub fn reorder(&self, slug: &str, editor: &User, case_ids: &[String]) -> Result<Showcase> {
        self.edit(slug, editor, |tx, id, showcase| {
            let mut current: Vec<&str> = showcase.items.iter().map(|i| i.case_id.as_str()).collect();
            let mut wanted: Vec<&str> = case_ids.iter().map(String::as_str).collect();
            current.sort_unstable();
            wanted.sort_unstable();
            if current != wanted {
                return Err(StoreError::Invalid(
                    "the new order must list every case of the showcase exactly once".into(),
                ));
            }
            for (position, case_id) in case_ids.iter().enumerate() {
                tx.execute(
                    "UPDATE showcase_items SET position = ?1 WHERE showcase_id = ?2 AND case_id = ?3",
                    params![position as i64 + 1, id, case_id],
                )?;
            }
            Ok(())
        })
    }

    /// Moves a case one place up (`-1`) or down (`1`).
    pub fn move_item(&self, slug: &str, editor: &User, case_id: &str, offset: i64) -> Result<Showcase> {
        let showcase = self.showcase(slug, Some(editor))?;
        let mut order: Vec<String> = showcase.items.iter().map(|i| i.case_id.clone()).collect();
        let Some(index) = order.iter().position(|c| c == case_id) else {
            return Err(StoreError::NotFound(format!("case `{case_id}` in the showcase")));
        };
        let target = index as i64 + offset;
        if target >= 0 && (target as usize) < order.len() {
            order.swap(index, target as usize);
        }
        self.reorder(slug, editor, &order)
    }

    /// Updates the remembered titles of cases still in the archive.
    pub fn refresh_titles(&self, titles: &[(String, String)]) -> Result<()> {
        self.run(|conn| {
            for (case_id, title) in titles {
                let title = remembered_title(title);
                conn.execute(
                    "UPDATE showcase_items SET last_title = ?1 WHERE case_id = ?2 AND last_title <> ?1",
                    params![title, case_id],
                )?;
            }
            Ok(())
        })
    }
}
