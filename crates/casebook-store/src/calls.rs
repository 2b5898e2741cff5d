//! Calls for entries: an organiser opens one for a stage of a roadshow (title, event, award,
//! categories, opening and closing dates, a short text); companies submit to it while it is
//! open; from its accepted entries one step makes a draft showcase in call order.

use serde::{Deserialize, Serialize};

use crate::accounts::{Role, User};
use crate::db::{Conn, params};
use crate::showcases::{Showcase, remembered_title};
use crate::{Result, Store, StoreError, bounded, now, unique_slug};

/// Whether a call takes entries, by its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    /// Before its opening date.
    Upcoming,
    /// From its opening to its closing date, both included.
    Open,
    /// After its closing date.
    Closed,
}

impl CallState {
    /// The name used in the API and the pages.
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Upcoming => "upcoming",
            CallState::Open => "open",
            CallState::Closed => "closed",
        }
    }
}

/// A call for entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// URL name.
    pub slug: String,
    /// Title ("SMAU Napoli 2027: Innovation Award").
    pub title: String,
    /// Event or stage the accepted cases are shown at.
    pub event: Option<String>,
    /// Award the entries compete for.
    pub award: Option<String>,
    /// Award categories an entry may pick from (none: free text).
    pub categories: Vec<String>,
    /// First day entries are taken (`YYYY-MM-DD`, UTC).
    pub opens: String,
    /// Last day entries are taken (`YYYY-MM-DD`, UTC).
    pub closes: String,
    /// What the call is about (markdown).
    pub description: String,
    /// Owner's account name.
    pub owner: String,
    /// Unix time of the last change.
    pub updated_at: i64,
}

impl Call {
    /// Whether the call takes entries on `today` (`YYYY-MM-DD`).
    pub fn state_on(&self, today: &str) -> CallState {
        if today < self.opens.as_str() {
            CallState::Upcoming
        } else if today > self.closes.as_str() {
            CallState::Closed
        } else {
            CallState::Open
        }
    }

    /// Whether the call takes entries today.
    pub fn state(&self) -> CallState {
        self.state_on(&today())
    }

    /// The award year an entry defaults to: the year of the closing date.
    pub fn year(&self) -> &str {
        self.closes.get(..4).unwrap_or_default()
    }
}

/// Fields of a new call.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCall {
    pub title: String,
    pub event: Option<String>,
    pub award: Option<String>,
    pub categories: Vec<String>,
    pub opens: String,
    pub closes: String,
    pub description: Option<String>,
}

/// A partial update; absent fields stay, empty strings clear optional ones.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallPatch {
    pub title: Option<String>,
    pub event: Option<String>,
    pub award: Option<String>,
    pub categories: Option<Vec<String>>,
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub description: Option<String>,
}

const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 20_000;
const MAX_CATEGORIES: usize = 30;

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let (year, month, day) = casebook_corpus::civil_date(now().div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// `value` if it is a real calendar date written `YYYY-MM-DD`.
fn date(value: &str, what: &str) -> Result<String> {
    let value = value.trim();
    let invalid = || StoreError::Invalid(format!("{what} must be a date written YYYY-MM-DD, found {value:?}"));
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return Err(invalid()) };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(invalid());
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return Err(invalid());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(invalid()),
    };
    if !(1990..=2999).contains(&year) || day == 0 || day > days {
        return Err(invalid());
    }
    Ok(value.to_string())
}

fn optional(value: Option<&str>, max: usize, what: &str) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => Ok(Some(bounded(v, max, what)?).filter(|v| !v.is_empty())),
    }
}

fn categories(values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        let value = bounded(value, 100, "a category")?;
        if !value.is_empty() && !out.contains(&value) {
            out.push(value);
        }
    }
    if out.len() > MAX_CATEGORIES {
        return Err(StoreError::Invalid(format!("a call has at most {MAX_CATEGORIES} categories")));
    }
    Ok(out)
}

/// The checked facts of a call: title, event, award, categories, dates, description.
type CallFacts = (String, Option<String>, Option<String>, Vec<String>, String, String, String);

fn checked(new: &NewCall) -> Result<CallFacts> {
    let title = bounded(&new.title, MAX_TITLE, "the title")?;
    if title.is_empty() {
        return Err(StoreError::Invalid("a call needs a title".into()));
    }
    let opens = date(&new.opens, "the opening date")?;
    let closes = date(&new.closes, "the closing date")?;
    if closes < opens {
        return Err(StoreError::Invalid(format!("the call closes ({closes}) before it opens ({opens})")));
    }
    Ok((
        title,
        optional(new.event.as_deref(), MAX_TITLE, "the event")?,
        optional(new.award.as_deref(), MAX_TITLE, "the award")?,
        categories(&new.categories)?,
        opens,
        closes,
        optional(new.description.as_deref(), MAX_TEXT, "the description")?.unwrap_or_default(),
    ))
}

impl Store {
    /// A call by slug with its row id and its owner's row id.
    pub(crate) fn load_call(conn: &Conn<'_>, slug: &str) -> Result<(i64, i64, Call)> {
        let row = conn
            .query_opt(
                "SELECT c.id, c.owner_id, c.slug, c.title, c.event, c.award, c.categories, c.opens_on, c.closes_on,
                        c.description, u.name, c.updated_at
                 FROM calls c JOIN users u ON u.id = c.owner_id WHERE c.slug = ?1",
                params![slug],
            )?
            .ok_or_else(|| StoreError::NotFound(format!("call `{slug}`")))?;
        let categories: String = row.get(6)?;
        let call = Call {
            slug: row.get(2)?,
            title: row.get(3)?,
            event: row.get(4)?,
            award: row.get(5)?,
            categories: categories.lines().map(str::to_string).collect(),
            opens: row.get(7)?,
            closes: row.get(8)?,
            description: row.get(9)?,
            owner: row.get(10)?,
            updated_at: row.get(11)?,
        };
        Ok((row.get(0)?, row.get(1)?, call))
    }

    /// Opens a call owned by `owner`, with a unique slug made from its title.
    pub fn create_call(&self, owner: &User, new: &NewCall) -> Result<Call> {
        let (title, event, award, categories, opens, closes, description) = checked(new)?;
        self.write(|tx| {
            let slug = unique_slug(tx, "calls", &title, "call")?;
            tx.execute(
                "INSERT INTO calls (slug, owner_id, title, event, award, categories, opens_on, closes_on, description, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![slug, owner.id, title, event, award, categories.join("\n"), opens, closes, description, now()],
            )?;
            Ok(Self::load_call(tx, &slug)?.2)
        })
    }

    /// A call, whoever asks (calls are public).
    pub fn call(&self, slug: &str) -> Result<Call> {
        Ok(self.read(|conn| Self::load_call(conn, slug))?.2)
    }

    /// Calls listed for `viewer`: their own (every one, for an admin), newest deadline first;
    /// or, for anonymous visitors, those open or upcoming, nearest deadline first.
    pub fn calls(&self, viewer: Option<&User>) -> Result<Vec<Call>> {
        self.read(|conn| {
            let slugs = conn.query(
                "SELECT slug FROM calls
                 WHERE (CAST(?1 AS BIGINT) IS NULL AND closes_on >= ?3) OR CAST(?2 AS TEXT) = 'admin' OR owner_id = ?1
                 ORDER BY CASE WHEN CAST(?1 AS BIGINT) IS NULL THEN closes_on END ASC, closes_on DESC, id DESC",
                params![viewer.map(|u| u.id), viewer.map(|u| u.role.as_str()), today()],
            )?;
            slugs.iter().map(|row| Self::load_call(conn, &row.get::<String>(0)?).map(|(_, _, c)| c)).collect()
        })
    }

    /// Changes a call of `editor` (an admin: any call); another organiser's call is 403.
    pub fn update_call(&self, slug: &str, editor: &User, patch: &CallPatch) -> Result<Call> {
        self.write(|tx| {
            let (id, owner, call) = Self::load_call(tx, slug)?;
            if editor.role != Role::Admin && editor.id != owner {
                return Err(StoreError::Forbidden(format!("call `{slug}` belongs to another organiser")));
            }
            let merged = NewCall {
                title: patch.title.clone().unwrap_or(call.title),
                event: patch.event.clone().or(call.event),
                award: patch.award.clone().or(call.award),
                categories: patch.categories.clone().unwrap_or(call.categories),
                opens: patch.opens.clone().unwrap_or(call.opens),
                closes: patch.closes.clone().unwrap_or(call.closes),
                description: Some(patch.description.clone().unwrap_or(call.description)),
            };
            let (title, event, award, categories, opens, closes, description) = checked(&merged)?;
            tx.execute(
                "UPDATE calls SET title = ?1, event = ?2, award = ?3, categories = ?4, opens_on = ?5, closes_on = ?6,
                                  description = ?7, updated_at = ?8 WHERE id = ?9",
                params![title, event, award, categories.join("\n"), opens, closes, description, now(), id],
            )?;
            Ok(Self::load_call(tx, slug)?.2)
        })
    }

    /// Makes a draft showcase of the accepted entries of a call, in call order: by category
    /// in the order the call lists them (entries without one last), then in the order they
    /// were submitted. Titled after the call, with its event.
    pub fn showcase_from_call(&self, slug: &str, user: &User) -> Result<Showcase> {
        self.write(|tx| {
            let (call_id, owner, call) = Self::load_call(tx, slug)?;
            if user.role != Role::Admin && user.id != owner {
                return Err(StoreError::Forbidden(format!("call `{slug}` belongs to another organiser")));
            }
            let mut accepted: Vec<(usize, String, String)> = tx
                .query(
                    "SELECT case_id, title, fields FROM submissions
                     WHERE call_id = ?1 AND status = 'accepted' AND case_id IS NOT NULL ORDER BY submitted_at, id",
                    params![call_id],
                )?
                .iter()
                .map(|row| {
                    let (case_id, title, fields): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
                    let category = serde_json::from_str::<casebook_corpus::CaseFields>(&fields)
                        .map(|f| f.category)
                        .unwrap_or_default();
                    let rank = call
                        .categories
                        .iter()
                        .position(|c| {
                            casebook_corpus::text::lookup_key(c) == casebook_corpus::text::lookup_key(&category)
                        })
                        .unwrap_or(call.categories.len());
                    Ok((rank, case_id, title))
                })
                .collect::<Result<_>>()?;
            if accepted.is_empty() {
                return Err(StoreError::Invalid(format!("call `{slug}` has no accepted entry yet")));
            }
            accepted.sort_by_key(|(rank, _, _)| *rank);
            let showcase_slug = unique_slug(tx, "showcases", &call.title, "showcase")?;
            let description = format!("The accepted entries of the call \"{}\".", call.title);
            let showcase_id = tx.insert(
                "INSERT INTO showcases (slug, owner_id, title, event, date, description, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, NULL, ?5, 'draft', ?6, ?6) RETURNING id",
                params![showcase_slug, user.id, call.title, call.event, description, now()],
            )?;
            for (position, (_, case_id, title)) in accepted.iter().enumerate() {
                tx.execute(
                    "INSERT INTO showcase_items (showcase_id, case_id, position, note, last_title, added_at)
                     VALUES (?1, ?2, ?3, '', ?4, ?5)",
                    params![showcase_id, case_id, position as i64 + 1, remembered_title(title), now()],
                )?;
            }
            Ok(Self::load(tx, &showcase_slug)?.2)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_states() {
        assert_eq!(date("2027-02-28", "d").unwrap(), "2027-02-28");
        for bad in ["2027-02-29", "2027-13-01", "27-01-01", "2027/01/01", "", "2027-1-01"] {
            assert!(date(bad, "d").is_err(), "{bad}");
        }
        assert!(date("2028-02-29", "d").is_ok());
        let call = Call {
            slug: "c".into(),
            title: "C".into(),
            event: None,
            award: None,
            categories: Vec::new(),
            opens: "2027-03-01".into(),
            closes: "2027-04-30".into(),
            description: String::new(),
            owner: "anna".into(),
            updated_at: 0,
        };
        assert_eq!(call.state_on("2027-02-28"), CallState::Upcoming);
        assert_eq!(call.state_on("2027-03-01"), CallState::Open);
        assert_eq!(call.state_on("2027-04-30"), CallState::Open);
        assert_eq!(call.state_on("2027-05-01"), CallState::Closed);
        assert_eq!(call.year(), "2027");
        assert_eq!(today().len(), 10);
    }
}
