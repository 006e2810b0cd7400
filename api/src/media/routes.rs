use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::storage::MediaRow;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ids::MediaId;
use crate::state::AppState;
use crate::wire::{ErrorBody, Media, UploadMedia};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/media").route(web::post().to(upload)))
        .service(web::resource("/media/{id}").route(web::get().to(get)));
}

/// The signed links Telnyx fetches our outbound media through (no bearer token).
pub fn configure_public(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/media/{id}").route(web::get().to(get_signed)));
}

/// Uploads a picture or file to send in an MMS (`media_ids` of a message).
#[utoipa::path(post, operation_id = "upload_media", path = "/api/v1/media", tag = "media",
    request_body(content = UploadMedia, content_type = "multipart/form-data"),
    responses((status = 201, body = Media),
        (status = 400, description = "the multipart body cannot be read", body = ErrorBody),
        (status = 413, description = "`media_too_large`: over `PARLEY_MEDIA_MAX_BYTES`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: a type not allowed, or not multipart/form-data", body = ErrorBody),
        (status = 422, description = "`missing_file`: no (or an empty) `file` field", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    multipart: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let media = super::upload(&state, &caller, multipart).await?;
    Ok(HttpResponse::Created().json(media))
}

/// An item's bytes, with its `content-type`.
#[utoipa::path(get, operation_id = "get_media", path = "/api/v1/media/{id}", tag = "media",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "the bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`media_unavailable`: a customer's item still being fetched, or that could not be", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<MediaId>,
) -> Result<HttpResponse, ApiError> {
    let (row, bytes) = super::read(&state, caller.tenant_id, id.into_inner()).await?;
    Ok(bytes_response(&row, bytes))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Unix seconds after which the link is refused.
    pub expires: i64,
    /// Hex HMAC-SHA256 of the id and the expiry.
    pub signature: String,
}

/// An outbound item through the signed, expiring link Parley hands Telnyx in `media_urls`.
#[utoipa::path(get, operation_id = "get_media_by_link", path = "/media/{id}", tag = "media",
    params(("id" = Uuid, Path), LinkQuery),
    responses((status = 200, description = "the bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = ErrorBody),
        (status = 403, description = "the link is forged or expired", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn get_signed(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<MediaId>,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<LinkQuery>::from_query(request.query_string()).map_err(|error| {
        ApiError::bad_request(
            "invalid_query",
            None,
            format!("A link needs `expires` and `signature`: {error}"),
        )
    })?;
    let (row, bytes) =
        super::read_by_link(&state, id.into_inner(), query.expires, &query.signature).await?;
    Ok(bytes_response(&row, bytes))
}

fn bytes_response(row: &MediaRow, bytes: bytes::Bytes) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, row.content_type.as_str()))
        // An item's bytes never change.
        .insert_header((
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"));
    if let Some(sha256) = &row.sha256 {
        response.insert_header((header::ETAG, format!("\"{sha256}\"")));
    }
    response.body(bytes)
}
