//! The JSON API under `/api/`: its handlers by resource (`search`, `cases`, `showcases`,
//! `admin`, `organisations`, `insights`, `calls`, `submissions`), the JSON body extractor,
//! and the OpenAPI document, generated from these definitions so that it cannot drift from
//! the code.

pub mod admin;
pub mod calls;
pub mod cases;
pub mod insights;
pub mod organisations;
pub mod search;
pub mod showcases;
pub mod submissions;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_corpus::Language;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::{AppError, ErrorBody};
use crate::views::CaseDetail;

/// A JSON request body; one that does not parse (or has an unknown field) is a 400
/// `invalid_body` naming the problem.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|error| {
            AppError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("invalid JSON body: {error}"))
                .into_response()
        })
    }
}

/// Label language from `?lang=`.
fn label_lang(query: Option<&str>) -> Result<Language, AppError> {
    let pairs = crate::params::pairs(query);
    match crate::params::first(&pairs, "lang") {
        None | Some("en") => Ok(Language::En),
        Some("it") => Ok(Language::It),
        Some(other) => Err(AppError::invalid("lang", format!("use it or en, found {other:?}"))),
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "The OpenAPI 3 document of this API")), tag = "meta")]
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casebook API",
        description = "Search an archive of innovation case studies, with disjunctive facets by sector, region, award year, award and language. Errors are `{\"error\": {\"code\", \"message\"}}` with status 400 (invalid parameter value) or 404 (unknown case or path).",
        license(name = "MIT")
    ),
    paths(
        search::search, search::search_json, cases::case, cases::similar, search::suggest, search::facets, openapi,
        showcases::list, showcases::create, showcases::get, showcases::update, showcases::delete,
        showcases::add_item, showcases::update_item, showcases::remove_item, showcases::reorder,
        showcases::publish, showcases::unpublish, admin::users,
        organisations::list, organisations::get, insights::insights,
        calls::list, calls::create, calls::get, calls::update, calls::showcase,
        submissions::create, submissions::list, submissions::get, submissions::update, submissions::accept,
        submissions::reject
    ),
    components(schemas(
        ErrorBody, CaseDetail, cases::SimilarResponse, search::SuggestResponse, search::FacetsResponse,
        organisations::OrganisationsResponse, crate::report::InsightsView
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "search", description = "Full-text and faceted search"),
        (name = "cases", description = "Single cases"),
        (name = "showcases", description = "Curated showcases of cases (writes need an API token: `Authorization: Bearer cbk_...`)"),
        (name = "admin", description = "Account management (admin tokens only)"),
        (name = "organisations", description = "Organisations across awards and years"),
        (name = "insights", description = "What the archive is used for, without personal data (organiser or admin tokens)"),
        (name = "calls", description = "Calls for entries (opening and changing one needs an API token)"),
        (name = "submissions", description = "Public submissions of cases (anyone) and their review (a token: the call's organiser or an admin)"),
        (name = "meta", description = "About the API")
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme used by the showcase endpoints.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("cbk_<id>_<secret>").build(),
            ),
        );
    }
}

/// The OpenAPI document as pretty JSON (as committed in `docs/openapi.json`).
pub fn openapi_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into());
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_parameters_match_the_parser() {
        let doc: serde_json::Value = serde_json::from_str(&openapi_json()).unwrap();
        let mut documented: Vec<String> = doc["paths"]["/api/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        documented.sort();
        let mut parsed: Vec<String> = crate::params::SEARCH_PARAMETERS.iter().map(|s| s.to_string()).collect();
        parsed.sort();
        assert_eq!(documented, parsed);
    }
}
