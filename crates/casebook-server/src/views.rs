//! The views the JSON API and the pages share: a case with its rendered body, a showcase with
//! its items resolved against the archive; and adding a case to a showcase, which both offer.
//! Each embeds the one labelled case record of the index ([`LabelledCase`]).

use casebook_corpus::Language;
use casebook_index::{Archive, LabelledCase, RelatedCase, StoredCase};
use casebook_store::{Showcase, Status, User};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// A case with its body rendered to sanitised HTML.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    /// The case's facts, labelled.
    #[serde(flatten)]
    pub case: LabelledCase,
    /// The body as HTML, sanitised: no script, no event handlers, no `javascript:` links.
    pub body_html: String,
    /// Path of the case page.
    pub url: String,
    /// Related cases, both ways (the ones it names and the ones that name it), oldest first.
    pub related: Vec<RelatedCase>,
}

/// The detail of a stored case with labels in `lang`.
pub fn case_detail(stored: &StoredCase, archive: &Archive, lang: Language) -> Result<CaseDetail, AppError> {
    Ok(CaseDetail {
        url: format!("/cases/{}", stored.record.id),
        body_html: crate::html::render_body(&stored.body_markdown),
        related: archive.related(&stored.record)?,
        case: archive.label(&stored.record, lang),
    })
}

/// A case of a showcase: its place and note, and the case's facts while it is in the
/// archive; a case that left the archive keeps its last known title.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    /// 1-based position.
    pub position: usize,
    /// Case id.
    pub case_id: String,
    /// Whether the case is still in the archive.
    pub in_archive: bool,
    /// Curator note (markdown).
    pub note: String,
    /// The last known title, for a case that left the archive (otherwise the case's own
    /// `title` is there).
    #[serde(rename = "title", skip_serializing_if = "Option::is_none")]
    pub last_title: Option<String>,
    /// The case's facts, labelled, while it is in the archive.
    #[serde(flatten)]
    pub case: Option<LabelledCase>,
    /// The title the showcase remembers (to refresh it when the case's title changed).
    #[serde(skip)]
    remembered_title: String,
}

impl ItemView {
    /// The title to show: the case's, or the last known one.
    pub fn title(&self) -> &str {
        match &self.case {
            Some(case) => &case.title,
            None => self.last_title.as_deref().unwrap_or_default(),
        }
    }
}

/// A showcase.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShowcaseView {
    pub slug: String,
    pub title: String,
    pub event: Option<String>,
    pub date: Option<String>,
    /// Markdown.
    pub description: String,
    /// `draft` or `published`.
    pub status: String,
    pub owner: String,
    /// Unix time of the last change.
    pub updated_at: i64,
    pub items: Vec<ItemView>,
}

/// Resolves a showcase's items against the archive (labels in `lang`). When a case's title
/// changed since it was added, the showcase remembers the new one, so that it is the one
/// shown if the case later leaves the archive.
pub fn showcase_view(state: &AppState, showcase: Showcase, lang: Language) -> Result<ShowcaseView, AppError> {
    let archive = state.archive();
    let mut items = Vec::with_capacity(showcase.items.len());
    for (i, item) in showcase.items.into_iter().enumerate() {
        let case = archive.case(&item.case_id)?.map(|stored| archive.label(&stored.record, lang));
        items.push(ItemView {
            position: i + 1,
            in_archive: case.is_some(),
            note: item.note,
            last_title: case.is_none().then(|| item.last_title.clone()),
            case,
            remembered_title: item.last_title,
            case_id: item.case_id,
        });
    }
    let renamed: Vec<(String, String)> = items
        .iter()
        .filter_map(|item| item.case.as_ref().filter(|case| case.title != item.remembered_title))
        .map(|case| (case.id.clone(), case.title.clone()))
        .collect();
    if !renamed.is_empty() {
        state.store.refresh_titles(&renamed)?;
    }
    Ok(ShowcaseView {
        slug: showcase.slug,
        title: showcase.title,
        event: showcase.event,
        date: showcase.date,
        description: showcase.description,
        status: if showcase.status == Status::Published { "published".into() } else { "draft".into() },
        owner: showcase.owner,
        updated_at: showcase.updated_at,
        items,
    })
}

/// Adds a case that exists in the archive to a showcase of `user`.
pub fn add_case(state: &AppState, slug: &str, user: &User, case_id: &str, note: &str) -> Result<Showcase, AppError> {
    let case = state.archive().case(case_id)?.ok_or_else(|| {
        AppError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "unknown_case",
            format!("no case `{case_id}` in the archive"),
        )
    })?;
    Ok(state.store.add_item(slug, user, case_id, &case.record.title, note)?)
}
