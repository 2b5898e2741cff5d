//! Taking cases in, the workflow the API and the pages share: a submission is checked by the
//! validation of `casebook check` (against the corpus's own taxonomy) with each problem tied
//! to its field, stored with a secret status address, and reviewed: edited, accepted (its
//! case file written into the corpus with the corpus crate's writer) or rejected. Also the
//! JSON views of calls and submissions.

use std::collections::BTreeMap;
use std::sync::Arc;

use casebook_corpus::{CaseFields, Context, Language, Vocabulary, WriteError, split_list, text::lookup_key};
use casebook_index::LabelledCase;
use casebook_store::{Call, NewSubmission, Submission, User, check_email};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// The vocabularies of the served corpus (its `taxonomy.yaml`, or the bundled one), read
/// for every check so that a change of the taxonomy applies at once.
pub fn vocabulary(state: &AppState) -> Result<Vocabulary, AppError> {
    Vocabulary::load(&state.config.corpus).map_err(AppError::internal)
}

/// Checks `fields` as `casebook check` would: the problem of each field, and the case when
/// there is none.
pub fn check(vocabulary: &Vocabulary, fields: &CaseFields) -> casebook_corpus::Checked {
    let context = Context {
        taxonomy: &vocabulary.taxonomy,
        config: &vocabulary.config,
        max_year: casebook_corpus::max_award_year(),
    };
    fields.check(&context)
}

/// A submission as received, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// Slug of the call it answers.
    pub call: Option<String>,
    /// The case.
    pub fields: CaseFields,
    /// The submitter's address.
    pub contact_email: String,
}

/// The call's facts an entry takes: its event and award, and a category spelled as the call
/// spells it (an entry to a call with categories must pick one of them, if any).
fn apply_call(call: &Call, fields: &mut CaseFields, errors: &mut BTreeMap<String, String>) {
    fields.event = call.event.clone().unwrap_or_default();
    fields.award = call.award.clone().unwrap_or_default();
    let category = fields.category.trim().to_string();
    if call.categories.is_empty() || category.is_empty() {
        return;
    }
    match call.categories.iter().find(|c| lookup_key(c) == lookup_key(&category)) {
        Some(known) => fields.category = known.clone(),
        None => {
            errors.insert(
                "category".into(),
                format!("unknown category {category:?}: choose one of {}", call.categories.join(", ")),
            );
        }
    }
}

/// Checks and stores a submission; returns it with the token of its status page. A call
/// that does not exist is 404, a closed one 409 (`call_closed`), problems 422 with `fields`.
pub fn submit(state: &AppState, proposal: Proposal) -> Result<(Submission, String), AppError> {
    let Proposal { call, mut fields, contact_email } = proposal;
    let mut errors = BTreeMap::new();
    if let Some(slug) = &call {
        let call = state.store.call(slug)?;
        match call.state() {
            casebook_store::CallState::Open => {}
            _ => return Err(casebook_store::StoreError::Closed(closed_message(&call)).into()),
        }
        apply_call(&call, &mut fields, &mut errors);
    } else {
        fields.event.clear();
        fields.award.clear();
    }
    let vocabulary = vocabulary(state)?;
    let checked = check(&vocabulary, &fields);
    for (field, message) in checked.errors {
        errors.entry(field).or_insert(message);
    }
    if let Err(message) = check_email(&contact_email) {
        errors.insert("contact_email".into(), message);
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_submission(errors));
    }
    Ok(state.store.create_submission(&NewSubmission { call, fields, contact_email })?)
}

/// Why a call takes no entries, in words.
pub fn closed_message(call: &Call) -> String {
    match call.state() {
        casebook_store::CallState::Upcoming => {
            format!("the call \"{}\" opens on {}: entries are taken from that day", call.title, call.opens)
        }
        _ => format!("the call \"{}\" closed on {}: it takes no more entries", call.title, call.closes),
    }
}

/// The absolute address of a status page.
pub fn status_url(state: &AppState, token: &str) -> String {
    format!("{}/submissions/{token}", state.public_url)
}

/// Replaces the fields of a pending submission after checking them (422 when invalid).
pub fn edit(state: &AppState, id: i64, user: &User, fields: &CaseFields) -> Result<Submission, AppError> {
    let checked = check(&vocabulary(state)?, fields);
    if !checked.errors.is_empty() {
        return Err(AppError::invalid_submission(checked.errors));
    }
    Ok(state.store.update_submission(id, user, fields)?)
}

/// Accepts a pending submission: its case file is written into the corpus (`cases/YEAR/`,
/// `source: submission`, never over an existing file), then the decision is recorded.
pub fn accept(state: &AppState, id: i64, user: &User, note: &str) -> Result<Submission, AppError> {
    let vocabulary = vocabulary(state)?;
    let corpus = state.config.corpus.clone();
    let undo_corpus = corpus.clone();
    let accepted = state.store.accept_submission(
        id,
        user,
        note,
        |submission| {
            let context = Context {
                taxonomy: &vocabulary.taxonomy,
                config: &vocabulary.config,
                max_year: casebook_corpus::max_award_year(),
            };
            match submission.fields.write_into(&corpus, &context) {
                Ok(written) => Ok((written.case_id, written.path.to_string_lossy().replace('\\', "/"))),
                Err(WriteError::Invalid(errors)) => Err(AppError::invalid_submission(errors)),
                Err(other) => Err(AppError::internal(other)),
            }
        },
        |path| {
            let _ = std::fs::remove_file(undo_corpus.join(path));
        },
    )?;
    tracing::info!(submission = id, case = accepted.case_id.as_deref().unwrap_or_default(), by = %user.name, "submission accepted");
    Ok(accepted)
}

/// Rejects a pending submission with a note.
pub fn reject(state: &AppState, id: i64, user: &User, note: &str) -> Result<Submission, AppError> {
    let rejected = state.store.reject_submission(id, user, note)?;
    tracing::info!(submission = id, by = %user.name, "submission rejected");
    Ok(rejected)
}

/// A call as the API and the pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallView {
    pub slug: String,
    pub title: String,
    pub event: Option<String>,
    pub award: Option<String>,
    /// Categories an entry may pick (none: free text).
    pub categories: Vec<String>,
    /// First day entries are taken, `YYYY-MM-DD` (UTC).
    pub opens: String,
    /// Last day entries are taken, `YYYY-MM-DD` (UTC).
    pub closes: String,
    /// Markdown.
    pub description: String,
    pub owner: String,
    /// `upcoming`, `open` or `closed`.
    pub state: String,
    /// The call's public page.
    pub url: String,
    /// The submission form of the call.
    pub submit_url: String,
}

impl From<Call> for CallView {
    fn from(call: Call) -> Self {
        CallView {
            state: call.state().as_str().to_string(),
            url: format!("/calls/{}", call.slug),
            submit_url: format!("/calls/{}/submit", call.slug),
            slug: call.slug,
            title: call.title,
            event: call.event,
            award: call.award,
            categories: call.categories,
            opens: call.opens,
            closes: call.closes,
            description: call.description,
            owner: call.owner,
        }
    }
}

/// One step of a submission's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Unix time.
    pub at: i64,
    /// The reviewer's account; null for the submitter.
    pub actor: Option<String>,
    /// `submitted`, `edited`, `accepted` or `rejected`.
    pub action: String,
    pub note: String,
}

/// A submission as its reviewers see it: its fields, the check's verdict, and the entry as
/// its case page would show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: i64,
    /// Slug of the call, if any.
    pub call: Option<String>,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// The case as proposed: `title`, `organisation`, `year` (text), `sector` (list), `region`,
    /// `city`, `country`, `event`, `award`, `category`, `summary`, `body`, `tags`, `website`,
    /// `partners`.
    #[schema(value_type = Object)]
    pub fields: CaseFields,
    /// The submitter's address (never published).
    pub contact_email: String,
    /// The decision's note.
    pub note: String,
    /// The case written on acceptance.
    pub case_id: Option<String>,
    /// Its file, relative to the corpus folder.
    pub path: Option<String>,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub history: Vec<EventView>,
    /// Whether the fields pass the checks of `casebook check` now.
    pub valid: bool,
    /// The problem of each field, when not valid.
    pub problems: BTreeMap<String, String>,
    /// The entry's facts labelled as its case page would show them, when valid.
    pub case: Option<LabelledCase>,
    /// The text rendered and sanitised as its case page would show it.
    pub body_html: String,
}

/// The view of a submission, checked now and labelled in `lang`.
pub fn submission_view(
    state: &AppState,
    vocabulary: &Vocabulary,
    submission: Submission,
    lang: Language,
) -> SubmissionView {
    let checked = check(vocabulary, &submission.fields);
    let case = checked.case.as_ref().map(|case| state.archive().label(&case.record, lang));
    SubmissionView {
        id: submission.id,
        call: submission.call,
        status: submission.status.as_str().to_string(),
        body_html: crate::html::render_body(&submission.fields.body),
        valid: checked.errors.is_empty() && case.is_some(),
        problems: checked.errors,
        case,
        fields: submission.fields,
        contact_email: submission.contact_email,
        note: submission.note,
        case_id: submission.case_id,
        path: submission.case_path,
        submitted_at: submission.submitted_at,
        decided_at: submission.decided_at,
        history: submission
            .history
            .into_iter()
            .map(|e| EventView { at: e.at, actor: e.actor, action: e.action, note: e.note })
            .collect(),
    }
}

/// The views of submissions (one vocabulary read for all).
pub fn submission_views(
    state: &Arc<AppState>,
    submissions: Vec<Submission>,
    lang: Language,
) -> Result<Vec<SubmissionView>, AppError> {
    let vocabulary = vocabulary(state)?;
    Ok(submissions.into_iter().map(|s| submission_view(state, &vocabulary, s, lang)).collect())
}

/// The fields of a posted form (`sector` and `tags` split at commas, `partners` at lines).
pub fn fields_of_form(form: &[(String, String)]) -> CaseFields {
    let text = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    CaseFields {
        title: text("title"),
        organisation: text("organisation"),
        year: text("year"),
        sector: split_list(&text("sector"), true),
        region: text("region"),
        city: text("city"),
        country: text("country"),
        event: text("event"),
        award: text("award"),
        category: text("category"),
        summary: text("summary"),
        body: text("body"),
        tags: split_list(&text("tags"), true),
        website: text("website"),
        partners: split_list(&text("partners"), false),
    }
}

/// A Unix time as `YYYY-MM-DD HH:MM UTC`.
pub fn date_time(seconds: i64) -> String {
    let (year, month, day) = casebook_corpus::civil_date(seconds.div_euclid(86_400));
    let minutes = seconds.rem_euclid(86_400) / 60;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_lists_and_dates() {
        let form = vec![
            ("sector".to_string(), "health, ict".to_string()),
            ("partners".to_string(), "Rossi, Bianchi & C.\nVerdi".to_string()),
        ];
        let fields = fields_of_form(&form);
        assert_eq!(fields.sector, ["health", "ict"]);
        assert_eq!(fields.partners, ["Rossi, Bianchi & C.", "Verdi"]);
        assert_eq!(date_time(86_400 + 3_660), "1970-01-02 01:01 UTC");
    }
}
