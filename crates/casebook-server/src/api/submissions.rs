//! `/api/submissions*`: proposing a case (anyone, rate-limited per address) and reviewing
//! them (a token: the organiser of the call, or an admin; another organiser's call is 403).
//! A proposal is checked by the validation of `casebook check`: 422 `invalid_submission`
//! with the problem of each field.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_corpus::{CaseFields, Language, split_list};
use casebook_store::SubmissionStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::JsonBody;
use crate::auth::ApiUser;
use crate::error::{AppError, ErrorBody};
use crate::intake::{self, Proposal, SubmissionView};
use crate::state::{AppState, blocking};

/// The case fields of a proposal or an edit. `year` may be a number or text; `sector`,
/// `tags` and `partners` a list or one text (split at commas; partners at semicolons).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldsBody {
    pub title: Option<String>,
    pub organisation: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub year: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub sector: Option<Value>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub category: Option<String>,
    pub summary: Option<String>,
    /// The case study, markdown.
    pub body: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub tags: Option<Value>,
    pub website: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub partners: Option<Value>,
    /// Reviewers only (an entry to a call takes the call's).
    pub event: Option<String>,
    /// Reviewers only (an entry to a call takes the call's).
    pub award: Option<String>,
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list_of(value: &Value, commas: bool) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(text_of).filter(|s| !s.trim().is_empty()).collect(),
        other => split_list(&text_of(other), commas),
    }
}

impl FieldsBody {
    /// Applies the fields present onto `fields`.
    fn apply(self, fields: &mut CaseFields) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        set(&mut fields.title, self.title);
        set(&mut fields.organisation, self.organisation);
        set(&mut fields.year, self.year.as_ref().map(text_of));
        if let Some(sector) = &self.sector {
            fields.sector = list_of(sector, true);
        }
        set(&mut fields.region, self.region);
        set(&mut fields.city, self.city);
        set(&mut fields.country, self.country);
        set(&mut fields.category, self.category);
        set(&mut fields.summary, self.summary);
        set(&mut fields.body, self.body);
        if let Some(tags) = &self.tags {
            fields.tags = list_of(tags, true);
        }
        set(&mut fields.website, self.website);
        if let Some(partners) = &self.partners {
            fields.partners = list_of(partners, false);
        }
        set(&mut fields.event, self.event);
        set(&mut fields.award, self.award);
    }
}

/// Body of `POST /api/submissions`: the case fields, plus `contact_email` (required, never
/// published) and `call` (optional: the slug of an open call).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSubmission {
    pub call: Option<String>,
    pub contact_email: Option<String>,
    #[serde(flatten)]
    pub fields: FieldsBody,
}

/// Answer of `POST /api/submissions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    /// `pending`.
    pub status: String,
    /// The secret address where the submitter follows the entry (shown once).
    pub status_url: String,
}

/// Propose a case.
#[utoipa::path(post, operation_id = "create_submission", path = "/api/submissions", request_body = CreateSubmission, responses(
    (status = 201, description = "Stored (committed before the answer)", body = Created),
    (status = 400, description = "Not JSON, or an unknown field", body = ErrorBody),
    (status = 404, description = "No such call", body = ErrorBody),
    (status = 409, description = "`call_closed`: the call takes no entries", body = ErrorBody),
    (status = 413, description = "Body over 256 KiB", body = ErrorBody),
    (status = 422, description = "`invalid_submission`: `fields` holds the problem of each field", body = ErrorBody),
    (status = 429, description = "Too many requests from this address", body = ErrorBody)),
    tag = "submissions")]
pub async fn create(State(state): State<Arc<AppState>>, bytes: Bytes) -> Result<Response, AppError> {
    // Parsed by hand: `deny_unknown_fields` does not combine with the flattened fields.
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("invalid JSON body: {e}")))?;
    if let Value::Object(map) = &value {
        const KNOWN: &[&str] = &[
            "call",
            "contact_email",
            "title",
            "organisation",
            "year",
            "sector",
            "region",
            "city",
            "country",
            "category",
            "summary",
            "body",
            "tags",
            "website",
            "partners",
        ];
        if let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("unknown field `{unknown}`")));
        }
    }
    let body: CreateSubmission = serde_json::from_value(value)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("invalid JSON body: {e}")))?;
    let mut fields = CaseFields::default();
    body.fields.apply(&mut fields);
    let proposal = Proposal { call: body.call, fields, contact_email: body.contact_email.unwrap_or_default() };
    let worker = Arc::clone(&state);
    let (submission, token) = blocking(move || intake::submit(&worker, proposal)).await?;
    let created =
        Created { id: submission.id, status: "pending".into(), status_url: intake::status_url(&state, &token) };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Submissions the caller reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionList {
    pub submissions: Vec<SubmissionView>,
}

/// The review queue: the submissions of the caller's calls (every one for an admin), oldest
/// first; `?status=pending|accepted|rejected` and `?call=SLUG` narrow it.
#[utoipa::path(get, operation_id = "list_submissions", path = "/api/submissions", params(
    ("status" = Option<String>, Query, description = "pending, accepted or rejected"),
    ("call" = Option<String>, Query, description = "slug of one of the caller's calls")), responses(
    (status = 200, description = "The submissions", body = SubmissionList),
    (status = 400, description = "Unknown status", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A call of another organiser", body = ErrorBody)),
    security(("bearer" = [])), tag = "submissions")]
pub async fn list(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<SubmissionList>, AppError> {
    let pairs = crate::params::pairs(query.as_deref());
    let status = match crate::params::first(&pairs, "status") {
        None | Some("") => None,
        Some(value) => Some(SubmissionStatus::parse(value).ok_or_else(|| {
            AppError::invalid("status", format!("use pending, accepted or rejected, found {value:?}"))
        })?),
    };
    let call = crate::params::first(&pairs, "call").filter(|c| !c.is_empty()).map(str::to_string);
    blocking(move || {
        let submissions = state.store.submissions(&user, status, call.as_deref())?;
        Ok(Json(SubmissionList { submissions: intake::submission_views(&state, submissions, Language::En)? }))
    })
    .await
}

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().map_err(|_| AppError::not_found(format!("no submission `{raw}`")))
}

/// One submission.
#[utoipa::path(get, operation_id = "get_submission", path = "/api/submissions/{id}", params(("id" = i64, Path)), responses(
    (status = 200, description = "The submission, its check and its rendering", body = SubmissionView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A submission to another organiser's call", body = ErrorBody),
    (status = 404, description = "No such submission", body = ErrorBody)),
    security(("bearer" = [])), tag = "submissions")]
pub async fn get(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<SubmissionView>, AppError> {
    let id = id_of(&id)?;
    blocking(move || {
        let submission = state.store.submission(id, &user)?;
        Ok(Json(intake::submission_view(&state, &intake::vocabulary(&state)?, submission, Language::En)))
    })
    .await
}

/// Edit the fields of a pending submission (those given; the result must pass the check).
#[utoipa::path(patch, operation_id = "update_submission", path = "/api/submissions/{id}", params(("id" = i64, Path)), request_body = FieldsBody, responses(
    (status = 200, description = "Updated", body = SubmissionView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A submission to another organiser's call", body = ErrorBody),
    (status = 404, description = "No such submission", body = ErrorBody),
    (status = 409, description = "Already accepted or rejected", body = ErrorBody),
    (status = 422, description = "`invalid_submission` with `fields`", body = ErrorBody)),
    security(("bearer" = [])), tag = "submissions")]
pub async fn update(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FieldsBody>,
) -> Result<Json<SubmissionView>, AppError> {
    let id = id_of(&id)?;
    blocking(move || {
        let mut fields = state.store.submission(id, &user)?.fields;
        body.apply(&mut fields);
        let updated = intake::edit(&state, id, &user, &fields)?;
        Ok(Json(intake::submission_view(&state, &intake::vocabulary(&state)?, updated, Language::En)))
    })
    .await
}

/// Body of `accept` (optional) and `reject`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Shown to the submitter on their status page.
    #[serde(default)]
    pub note: String,
}

/// An optional JSON body: none (or only blanks) is the default.
fn optional_body<T: Default + serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("invalid JSON body: {e}")))
}

/// Answer of `accept`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// The new case's id.
    pub case_id: String,
    /// Its file, relative to the corpus folder (`cases/2027/x.md`).
    pub path: String,
    /// `accepted`.
    pub status: String,
    /// When search finds it.
    pub message: String,
}

/// Accept a pending submission: its case file is written into the corpus (`source:
/// submission`; atomic; a case id from the title; never over an existing file).
#[utoipa::path(post, operation_id = "accept_submission", path = "/api/submissions/{id}/accept", params(("id" = i64, Path)), request_body(content = Decision, description = "Optional"), responses(
    (status = 200, description = "Written into the corpus: searchable after the next re-index", body = Accepted),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A submission to another organiser's call", body = ErrorBody),
    (status = 404, description = "No such submission", body = ErrorBody),
    (status = 409, description = "Already accepted or rejected", body = ErrorBody),
    (status = 422, description = "The fields no longer pass the check (`fields`)", body = ErrorBody)),
    security(("bearer" = [])), tag = "submissions")]
pub async fn accept(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Accepted>, AppError> {
    let id = id_of(&id)?;
    let decision: Decision = optional_body(&bytes)?;
    blocking(move || {
        let accepted = intake::accept(&state, id, &user, &decision.note)?;
        Ok(Json(Accepted {
            case_id: accepted.case_id.unwrap_or_default(),
            path: accepted.case_path.unwrap_or_default(),
            status: "accepted".into(),
            message: "the case file is in the corpus: it is searchable after the next re-index (with `casebook serve --watch`, within seconds)".into(),
        }))
    })
    .await
}

/// Reject a pending submission with a note for the submitter.
#[utoipa::path(post, operation_id = "reject_submission", path = "/api/submissions/{id}/reject", params(("id" = i64, Path)), request_body = Decision, responses(
    (status = 200, description = "Rejected", body = SubmissionView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A submission to another organiser's call", body = ErrorBody),
    (status = 404, description = "No such submission", body = ErrorBody),
    (status = 409, description = "Already accepted or rejected", body = ErrorBody)),
    security(("bearer" = [])), tag = "submissions")]
pub async fn reject(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<SubmissionView>, AppError> {
    let id = id_of(&id)?;
    let decision: Decision = optional_body(&bytes)?;
    blocking(move || {
        let rejected = intake::reject(&state, id, &user, &decision.note)?;
        Ok(Json(intake::submission_view(&state, &intake::vocabulary(&state)?, rejected, Language::En)))
    })
    .await
}
