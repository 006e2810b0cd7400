//! MMS in the simulator: the media URLs of a send are fetched as Telnyx fetches them (a URL
//! that cannot be fetched refuses the send with 40317, "Invalid MMS content"), and what was
//! fetched is kept so that tests can compare the bytes; media the simulator serves itself
//! (`GET /sim/media/{id}`) make inbound MMS with Telnyx's `size` and `hash_sha256`.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::validate::Refusal;
use super::*;

use super::super::wire::MAX_MMS_BYTES;

/// One media URL of a send, as the simulator fetched it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchedMedia {
    pub url: String,
    pub content_type: Option<String>,
    pub size: usize,
    pub sha256: String,
    /// The bytes (left out of `GET /sim/messages`).
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Media the simulator serves itself: id → (content type, bytes).
pub(super) type Hosted = HashMap<String, (String, Vec<u8>)>;

impl Shared {
    /// Fetches every URL of a send; the first that fails refuses the send.
    pub(super) async fn fetch_media(&self, urls: &[String]) -> Result<Vec<FetchedMedia>, Refusal> {
        let refuse = |detail: String| {
            Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "40317",
                detail,
                Some("/media_urls"),
            )
        };
        let mut fetched = Vec::with_capacity(urls.len());
        let mut total = 0usize;
        for url in urls {
            let response = self.http.get(url).send().await.map_err(|error| {
                refuse(format!("The media URL {url} could not be fetched: {error}"))
            })?;
            if !response.status().is_success() {
                return Err(refuse(format!(
                    "The media URL {url} answered HTTP {}.",
                    response.status()
                )));
            }
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string);
            let bytes = response
                .bytes()
                .await
                .map_err(|error| refuse(format!("The media URL {url} could not be read: {error}")))?
                .to_vec();
            total += bytes.len();
            if total as u64 > MAX_MMS_BYTES {
                return Err(refuse(format!(
                    "The media add up to more than {MAX_MMS_BYTES} bytes."
                )));
            }
            fetched.push(FetchedMedia {
                url: url.clone(),
                content_type,
                size: bytes.len(),
                sha256: hex::encode(Sha256::digest(&bytes)),
                bytes,
            });
        }
        Ok(fetched)
    }

    /// Serves `bytes` at `/sim/media/{id}`; answers the id.
    pub(super) fn host(&self, content_type: &str, bytes: Vec<u8>) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        lock(&self.hosted).insert(id.clone(), (content_type.to_string(), bytes));
        id
    }

    /// The `media` of an inbound payload: URLs the simulator serves carry their type, size and
    /// hash, as Telnyx's do; others only the URL.
    pub(super) fn inbound_media(&self, urls: &[String]) -> Vec<Media> {
        let hosted = lock(&self.hosted);
        urls.iter()
            .map(|url| {
                let own = url
                    .rsplit_once("/sim/media/")
                    .and_then(|(_, id)| hosted.get(id));
                match own {
                    Some((content_type, bytes)) => Media {
                        url: Some(url.clone()),
                        content_type: Some(content_type.clone()),
                        hash_sha256: Some(hex::encode(Sha256::digest(bytes))),
                        sha256: None,
                        size: Some(bytes.len() as u64),
                    },
                    None => Media {
                        url: Some(url.clone()),
                        ..Media::default()
                    },
                }
            })
            .collect()
    }
}

pub(super) async fn get_hosted(id: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    match lock(&shared.hosted).get(id.as_str()) {
        Some((content_type, bytes)) => HttpResponse::Ok()
            .content_type(content_type.as_str())
            .body(bytes.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}
