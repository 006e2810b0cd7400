use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::ConversationId;
use crate::pagination::{page_size, Cursor, PageQuery};
use crate::state::AppState;
use crate::wire::{CreateNote, ErrorBody, Note, Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/conversations/{id}/notes")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    );
}

/// The conversation's internal notes, oldest first.
#[utoipa::path(get, operation_id = "list_notes", path = "/api/v1/conversations/{id}/notes", tag = "notes",
    params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = Page<Note>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Note>>, ApiError> {
    let limit = page_size(query.limit)?;
    let after = Cursor::from_query(query.cursor.as_deref())?;
    Ok(web::Json(
        super::list(&state, &caller, id.into_inner(), after, limit).await?,
    ))
}

/// Adds an internal note: the team sees it in the timeline; the customer never does (also on
/// opted-out conversations).
#[utoipa::path(post, operation_id = "create_note", path = "/api/v1/conversations/{id}/notes", tag = "notes",
    params(("id" = Uuid, Path)), request_body = CreateNote,
    responses((status = 201, body = Note), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    body: JsonBody<CreateNote>,
) -> Result<HttpResponse, ApiError> {
    let text = super::NoteText::try_from(body.into_inner().text)?;
    let note = super::add(&state, &caller, id.into_inner(), text).await?;
    Ok(HttpResponse::Created().json(note))
}
