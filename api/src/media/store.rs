//! The object store that keeps media bytes, addressed by their SHA-256: a local folder or any
//! S3-compatible store (`PARLEY_MEDIA_STORE`), through the `object_store` crate. The same
//! content is kept once, whoever holds it and however often it was sent.

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::MediaStoreSpec;

/// Why the object store failed (reading, writing, or setting it up).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the media store is not set up right: {0}")]
    Setup(String),
    #[error("the media store has no object {0}")]
    Missing(String),
    #[error("media store: {0}")]
    Io(#[from] object_store::Error),
}

/// Where media bytes live; cheap to clone.
#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    /// Folder inside the store (an S3 prefix; empty for a local folder).
    prefix: String,
    description: String,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl MediaStore {
    /// Opens the store the settings name; a local folder is created when missing. Nothing is
    /// fetched over the network here.
    pub fn open(spec: &MediaStoreSpec) -> Result<MediaStore, StoreError> {
        match spec {
            MediaStoreSpec::Local(folder) => {
                std::fs::create_dir_all(folder).map_err(|error| {
                    StoreError::Setup(format!("cannot create {}: {error}", folder.display()))
                })?;
                let local = LocalFileSystem::new_with_prefix(folder)?;
                Ok(MediaStore {
                    inner: Arc::new(local),
                    prefix: String::new(),
                    description: format!("local folder {}", folder.display()),
                })
            }
            MediaStoreSpec::S3 {
                bucket,
                prefix,
                options,
            } => {
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                for (key, value) in options {
                    let key: AmazonS3ConfigKey = key
                        .parse()
                        .map_err(|error| StoreError::Setup(format!("{key}: {error}")))?;
                    builder = builder.with_config(key, value);
                }
                Ok(MediaStore {
                    inner: Arc::new(builder.build()?),
                    prefix: prefix.clone(),
                    description: format!("s3://{bucket}/{prefix}"),
                })
            }
        }
    }

    /// The object of a content: `<prefix>/sha256/<first two hex digits>/<hex>`.
    fn path(&self, sha256: &str) -> Path {
        let shard = sha256.get(..2).unwrap_or("00");
        if self.prefix.is_empty() {
            Path::from(format!("sha256/{shard}/{sha256}"))
        } else {
            Path::from(format!("{}/sha256/{shard}/{sha256}", self.prefix))
        }
    }

    /// Keeps `bytes` under their hash unless the store has them already.
    pub async fn put_if_absent(&self, sha256: &str, bytes: Bytes) -> Result<(), StoreError> {
        let path = self.path(sha256);
        match self.inner.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        self.inner.put(&path, PutPayload::from(bytes)).await?;
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes, StoreError> {
        let path = self.path(sha256);
        match self.inner.get(&path).await {
            Ok(result) => Ok(result.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => {
                Err(StoreError::Missing(sha256.to_string()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a content nothing refers to any more (absent already is fine).
    pub async fn delete(&self, sha256: &str) -> Result<(), StoreError> {
        match self.inner.delete(&self.path(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn exists(&self, sha256: &str) -> Result<bool, StoreError> {
        match self.inner.head(&self.path(sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_keeps_each_content_once() {
        let folder = std::env::temp_dir().join(format!("parley-media-{}", uuid::Uuid::new_v4()));
        let store = MediaStore::open(&MediaStoreSpec::Local(folder.clone())).expect("opens");
        let hash = "ab".repeat(32);
        assert!(!store.exists(&hash).await.expect("head"));
        store
            .put_if_absent(&hash, Bytes::from_static(b"one"))
            .await
            .expect("put");
        // The same content again is not written again.
        store
            .put_if_absent(&hash, Bytes::from_static(b"other"))
            .await
            .expect("put");
        assert_eq!(
            store.get(&hash).await.expect("get"),
            Bytes::from_static(b"one")
        );
        store.delete(&hash).await.expect("delete");
        store.delete(&hash).await.expect("delete twice");
        assert!(matches!(
            store.get(&hash).await,
            Err(StoreError::Missing(_))
        ));
        let _ = std::fs::remove_dir_all(folder);
    }
}
