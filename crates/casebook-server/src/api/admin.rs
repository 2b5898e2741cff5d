//! `/api/admin/*`: account management, for admin tokens only.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::error::{AppError, ErrorBody};
use crate::state::{AppState, blocking};

/// Accounts (admin only).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserView>,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub name: String,
    /// `admin` or `organiser`.
    pub role: String,
}

/// List accounts.
#[utoipa::path(get, operation_id = "list_users", path = "/api/admin/users", responses(
    (status = 200, description = "Every account", body = UserList),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "Not an admin", body = ErrorBody)),
    security(("bearer" = [])), tag = "admin")]
pub async fn users(State(state): State<Arc<AppState>>, Admin(admin): Admin) -> Result<Json<UserList>, AppError> {
    tracing::debug!(admin = %admin.name, "listing accounts");
    blocking(move || {
        let users = state.store.users()?;
        Ok(Json(UserList {
            users: users.into_iter().map(|u| UserView { name: u.name, role: u.role.as_str().into() }).collect(),
        }))
    })
    .await
}
