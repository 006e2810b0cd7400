//! Pictures and files (MMS): the types we take, uploads, reading them back, the signed links
//! Telnyx fetches outbound media through, and the items of customers' MMS (fetched from
//! Telnyx by a job, `fetch.rs`). Bytes live in the object store (`store.rs`) under their
//! SHA-256; rows and links to messages in `storage.rs`.

pub mod fetch;
pub mod links;
pub mod routes;
pub mod storage;
pub mod store;
pub mod words;

pub use words::{describe, preview};

use bytes::Bytes;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;
pub use links::MediaLinks;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ids::{MediaId, TenantId};
use crate::state::AppState;
use crate::wire::{Media, MediaStatus};
use storage::MediaRow;
use store::{MediaStore, StoreError};

pub use crate::mms::{allowed_type, ALLOWED_TYPES, MAX_MEDIA_PER_MESSAGE};

/// At most this many bytes of media in one MMS (Telnyx's limit; more is refused with 40317).
pub const MAX_MMS_BYTES: i64 = crate::mms::MAX_MMS_BYTES as i64;

/// The multipart field that holds the file.
pub const FILE_FIELD: &str = "file";

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0} files cannot be sent; allowed are image/jpeg, image/png, image/gif, image/webp, video/mp4, audio/mpeg, text/vcard and application/pdf.")]
    UnsupportedType(String),
    #[error("The body must be multipart/form-data with the file in the field `file`.")]
    NotMultipart,
    #[error("The file is larger than {limit} bytes.")]
    TooLarge { limit: usize },
    #[error("Send the file in the multipart field `file`.")]
    MissingFile,
    #[error("Unknown field `{0}`: the body has one field, `file`.")]
    UnknownField(String),
    #[error("The multipart body cannot be read: {0}")]
    Unreadable(String),
    #[error("media not found")]
    NotFound,
    #[error("This item is not available: {0}")]
    Unavailable(&'static str),
    #[error("The link is forged or expired.")]
    BadLink,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<MediaError> for ApiError {
    fn from(error: MediaError) -> Self {
        let message = error.to_string();
        match error {
            MediaError::UnsupportedType(_) | MediaError::NotMultipart => ApiError::Coded {
                status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message,
                field: Some(FILE_FIELD.to_string()),
            },
            MediaError::TooLarge { .. } => ApiError::Coded {
                status: actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                code: "media_too_large",
                message,
                field: Some(FILE_FIELD.to_string()),
            },
            MediaError::MissingFile => ApiError::invalid("missing_file", FILE_FIELD, message),
            MediaError::UnknownField(field) => ApiError::invalid("unknown_field", &field, message),
            MediaError::Unreadable(_) => {
                ApiError::bad_request("invalid_multipart", Some(FILE_FIELD), message)
            }
            MediaError::NotFound => ApiError::not_found("media"),
            MediaError::Unavailable(_) => ApiError::conflict("media_unavailable", None, message),
            MediaError::BadLink => ApiError::forbidden(message),
            MediaError::Store(error) => {
                tracing::error!(%error, "media store");
                ApiError::Unavailable {
                    code: "media_store_unavailable",
                    message: "The media store is not reachable right now; please retry shortly."
                        .to_string(),
                }
            }
            MediaError::Database(error) => error.into(),
            MediaError::Api(error) => error,
        }
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Keeps a content and its item in one transaction: the content's lock is held while the
/// object is written and the row inserted, so retention never removes it in between.
pub async fn keep_bytes(
    conn: &mut AsyncPgConnection,
    store: &MediaStore,
    row: &MediaRow,
    bytes: Bytes,
) -> Result<(), MediaError> {
    let sha256 = row.sha256.clone().unwrap_or_default();
    conn.transaction::<_, MediaError, _>(async |conn| {
        storage::lock_content(conn, &sha256).await?;
        store.put_if_absent(&sha256, bytes).await?;
        storage::insert(conn, row).await?;
        Ok(())
    })
    .await
}

/// `POST /api/v1/media`: reads the multipart body's `file` (stopping past the size limit),
/// checks its type, keeps it, and answers the new item.
pub async fn upload(
    state: &AppState,
    caller: &Caller,
    mut multipart: actix_multipart::Multipart,
) -> Result<Media, MediaError> {
    let limit = state.settings.media.max_bytes;
    let mut file: Option<(&'static str, Vec<u8>)> = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        match field.name() {
            Some(FILE_FIELD) if file.is_none() => {}
            Some(FILE_FIELD) => {
                return Err(MediaError::Unreadable(
                    "the field `file` is given twice".to_string(),
                ))
            }
            other => {
                return Err(MediaError::UnknownField(
                    other.unwrap_or_default().chars().take(100).collect(),
                ))
            }
        }
        let declared = field
            .content_type()
            .map(|mime| mime.essence_str().to_string())
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let content_type =
            allowed_type(&declared).ok_or(MediaError::UnsupportedType(declared.clone()))?;
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if bytes.len() + chunk.len() > limit {
                return Err(MediaError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((content_type, bytes));
    }
    let (content_type, bytes) = file.ok_or(MediaError::MissingFile)?;
    if bytes.is_empty() {
        return Err(MediaError::MissingFile);
    }
    let now = state.clock.now();
    let row = MediaRow {
        id: MediaId::random(),
        tenant_id: caller.tenant_id,
        status: MediaStatus::Stored,
        content_type: content_type.to_string(),
        size: bytes.len() as i64,
        sha256: Some(sha256_hex(&bytes)),
        source_url: None,
        declared_sha256: None,
        error: None,
        created_at: now,
        updated_at: now,
    };
    let mut conn = state.db().await?;
    keep_bytes(&mut conn, &state.media, &row, Bytes::from(bytes)).await?;
    Ok(Media::from(row))
}

fn multipart_error(error: actix_multipart::MultipartError) -> MediaError {
    use actix_multipart::MultipartError as E;
    match error {
        E::ContentTypeMissing | E::ContentTypeParse | E::ContentTypeIncompatible => {
            MediaError::NotMultipart
        }
        other => MediaError::Unreadable(other.to_string()),
    }
}

/// An item's bytes, for a reader of its tenant.
pub async fn read(
    state: &AppState,
    tenant_id: TenantId,
    id: MediaId,
) -> Result<(MediaRow, Bytes), MediaError> {
    let mut conn = state.db().await?;
    let row = storage::find_in_tenant(&mut conn, tenant_id, id)
        .await?
        .ok_or(MediaError::NotFound)?;
    drop(conn);
    bytes_of(state, row).await
}

async fn bytes_of(state: &AppState, row: MediaRow) -> Result<(MediaRow, Bytes), MediaError> {
    let sha256 = match (row.status, row.sha256.as_deref()) {
        (MediaStatus::Stored, Some(sha256)) => sha256.to_string(),
        (MediaStatus::Pending, _) => {
            return Err(MediaError::Unavailable("it is still being fetched"))
        }
        _ => {
            return Err(MediaError::Unavailable(
                "it could not be fetched from the carrier",
            ))
        }
    };
    let bytes = state.media.get(&sha256).await?;
    Ok((row, bytes))
}

/// An item's bytes through a signed link (Telnyx fetching what we send): the signature and
/// expiry are checked before anything is looked up.
pub async fn read_by_link(
    state: &AppState,
    id: MediaId,
    expires: i64,
    signature: &str,
) -> Result<(MediaRow, Bytes), MediaError> {
    if !state
        .media_links
        .verify(id, expires, signature, state.clock.now())
    {
        return Err(MediaError::BadLink);
    }
    let mut conn = state.db().await?;
    let row = storage::find(&mut conn, id)
        .await?
        .ok_or(MediaError::NotFound)?;
    drop(conn);
    bytes_of(state, row).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_contracts_types_are_taken() {
        assert_eq!(allowed_type("image/jpeg"), Some("image/jpeg"));
        assert_eq!(allowed_type("IMAGE/PNG; charset=x"), Some("image/png"));
        assert_eq!(allowed_type("text/vcard"), Some("text/vcard"));
        for refused in ["image/svg+xml", "text/html", "application/octet-stream", ""] {
            assert_eq!(allowed_type(refused), None, "{refused}");
        }
    }
}
