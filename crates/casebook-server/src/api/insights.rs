//! `GET /api/insights?days=30`: what the archive was used for (organiser or admin token).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};

use crate::auth::ApiUser;
use crate::error::{AppError, ErrorBody};
use crate::params;
use crate::report::{InsightsView, days, insights_view};
use crate::state::{AppState, blocking};

/// Searches per day, top and zero-result queries, top filters, most viewed cases and
/// showcases over the last `days` days.
#[utoipa::path(
    get,
    path = "/api/insights",
    params(("days" = Option<u32>, Query, description = "Days to report, ending today: 1 to 366 (default 30)")),
    responses(
        (status = 200, description = "The insights of the period", body = InsightsView),
        (status = 400, description = "`days` is out of range", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "insights"
)]
pub async fn insights(
    State(state): State<Arc<AppState>>,
    ApiUser(_user): ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<InsightsView>, AppError> {
    let days = days(&params::pairs(query.as_deref()))?;
    Ok(Json(blocking(move || insights_view(&state, days)).await?))
}
