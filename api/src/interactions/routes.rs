use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::ClientId;
use crate::pagination::{page_from, page_size, Cursor};
use crate::phone::E164;
use crate::state::AppState;
use crate::wire::{CreateInteraction, ErrorBody, Interaction, Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/interactions")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    );
}

/// Records an interaction on another channel for the AI's cross-channel context.
#[utoipa::path(post, operation_id = "create_interaction", path = "/api/v1/interactions", tag = "clients", request_body = CreateInteraction,
    responses((status = 201, body = Interaction),
        (status = 404, description = "`client_id` names no client of the tenant", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateInteraction>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(super::create(&state, &caller, body.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InteractionQuery {
    /// E.164.
    pub phone_number: Option<String>,
    pub client_id: Option<ClientId>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A customer's recorded interactions (by `phone_number` or `client_id`; without either,
/// the tenant's all), newest first.
#[utoipa::path(get, operation_id = "list_interactions", path = "/api/v1/interactions", tag = "clients", params(InteractionQuery),
    responses((status = 200, body = Page<Interaction>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<InteractionQuery>,
) -> Result<web::Json<Page<Interaction>>, ApiError> {
    let limit = page_size(query.limit)?;
    let phone = query
        .phone_number
        .as_deref()
        .map(|p| {
            E164::parse_e164(p).map(E164::into_string).map_err(|e| {
                ApiError::bad_request("invalid_query", Some("phone_number"), e.to_string())
            })
        })
        .transpose()?;
    let before = Cursor::from_query(query.cursor.as_deref())?;
    let mut conn = state.db().await?;
    let rows = super::storage::recent_for(
        &mut conn,
        caller.tenant_id,
        phone.as_deref(),
        query.client_id,
        before,
        limit + 1,
    )
    .await?;
    Ok(web::Json(page_from(rows, limit, |i| {
        Cursor::new(i.occurred_at, i.id)
    })))
}
