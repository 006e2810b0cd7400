use actix_web::web;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{ErrorBody, Usage};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/usage").route(web::get().to(get)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// First day (`YYYY-MM-DD`, UTC); 29 days before `to` when absent.
    pub from: Option<String>,
    /// Last day, included; today when absent.
    pub to: Option<String>,
}

/// Per day: messages and segments in and out, and AI tokens. A report covers at most 366
/// days: a longer range ends 365 days after `from`, and `from` after `to` is an empty report;
/// the answer's `from` and `to` say which days it covers.
#[utoipa::path(get, operation_id = "get_usage", path = "/api/v1/usage", tag = "usage", params(UsageQuery),
    responses((status = 200, body = Usage), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UsageQuery>,
) -> Result<web::Json<Usage>, ApiError> {
    let today = state.clock.now().date_naive();
    let range = super::DayRange::requested(query.from.as_deref(), query.to.as_deref(), today)?;
    let mut conn = state.db().await?;
    Ok(web::Json(
        super::report(&mut conn, caller.tenant_id, range).await?,
    ))
}
