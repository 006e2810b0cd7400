use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::UserId;
use crate::pagination::{paginate, Cursor, PageQuery};
use crate::state::AppState;
use crate::wire::{CreateUser, ErrorBody, Page, Role, User};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/users/{id}").route(web::delete().to(delete)));
}

/// The tenant's users: every member of the team sees them, to assign conversations.
#[utoipa::path(get, operation_id = "list_users", path = "/api/v1/users", tag = "users",
    params(PageQuery),
    responses((status = 200, body = Page<User>)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let mut conn = state.db().await?;
    let rows = super::storage::list(&mut conn, caller.tenant_id).await?;
    Ok(web::Json(paginate(rows, &query, false, |u| {
        Cursor::new(u.created_at, u.id)
    })?))
}

/// Adds a user to the caller's tenant (admins only); the role defaults to `agent`.
#[utoipa::path(post, operation_id = "create_user", path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "`busy`: too many passwords are being hashed at once; `Retry-After` says when to try again", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let body = body.into_inner();
    let mut conn = state.db().await?;
    let user = super::create(
        &mut conn,
        state.passwords.clone(),
        super::NewUser {
            tenant_id: caller.tenant_id,
            name: body.name,
            email: body.email,
            password: body.password,
            role: body.role.unwrap_or(Role::Agent),
        },
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Removes a user (admins only; not yourself).
#[utoipa::path(delete, operation_id = "delete_user", path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = id.into_inner();
    if caller.user_id() == Some(id) {
        return Err(ApiError::conflict(
            "cannot_delete_self",
            None,
            "You cannot remove your own account; ask another admin.",
        ));
    }
    let mut conn = state.db().await?;
    super::remove(&mut conn, caller.tenant_id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
