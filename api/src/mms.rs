//! What an MMS may carry, shared by the server and the SPA's composer (compiled to wasm): the
//! allowed content types, the size limits, and types and sizes in words.

/// The types an MMS may carry (the contract's list).
pub const ALLOWED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "video/mp4",
    "audio/mpeg",
    "text/vcard",
    "application/pdf",
];

/// At most this many items in one message (Telnyx's limit).
pub const MAX_MEDIA_PER_MESSAGE: usize = 10;

/// At most this many bytes of media in one MMS (Telnyx's limit; more is refused with 40317).
pub const MAX_MMS_BYTES: u64 = 1024 * 1024;

/// The largest upload unless `PARLEY_MEDIA_MAX_BYTES` says otherwise.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 1024 * 1024;

/// A content type as a header gives it, reduced to its essence (`image/jpeg`), when it is one
/// we take.
pub fn allowed_type(header: &str) -> Option<&'static str> {
    let essence = header
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ALLOWED_TYPES
        .iter()
        .copied()
        .find(|allowed| *allowed == essence)
}

/// Whether an item of this type shows as a picture.
pub fn is_picture(content_type: &str) -> bool {
    content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("image/")
}

/// A byte count as people read it: "812 B", "240 kB", "1.5 MB" (1 kB = 1,024 bytes, as the
/// limits count).
pub fn size_in_words(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = KB * KB;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < 10 * KB => format!("{:.1} kB", b as f64 / KB as f64),
        b if b < MB => format!("{} kB", (b + KB / 2) / KB),
        b => {
            let mb = b as f64 / MB as f64;
            if (mb - mb.round()).abs() < 0.05 {
                format!("{} MB", mb.round())
            } else {
                format!("{mb:.1} MB")
            }
        }
    }
}

/// The kind of file a type is, for a label: "PDF", "Picture (PNG)", "Contact card"…
pub fn type_in_words(content_type: &str) -> String {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/pdf" => "PDF".to_string(),
        "text/vcard" | "text/x-vcard" => "Contact card".to_string(),
        "audio/mpeg" => "Audio (MP3)".to_string(),
        "video/mp4" => "Video (MP4)".to_string(),
        _ => match essence.split_once('/') {
            Some(("image", sub)) => format!("Picture ({})", sub.to_ascii_uppercase()),
            Some(("video", _)) => "Video".to_string(),
            Some(("audio", _)) => "Audio".to_string(),
            _ => "File".to_string(),
        },
    }
}

/// Why a file cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachError {
    /// Its type is not one an MMS carries (the browser's type, perhaps empty).
    Type(String),
    /// It is larger than the upload limit.
    TooLarge { size: u64, limit: u64 },
    /// It is empty.
    Empty,
    /// With it, the message would carry more than [`MAX_MEDIA_PER_MESSAGE`] items.
    TooMany,
    /// With it, the message would carry more than [`MAX_MMS_BYTES`].
    TotalTooLarge,
}

impl std::fmt::Display for AttachError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachError::Type(kind) if kind.is_empty() => write!(
                f,
                "this kind of file cannot be sent; pictures (JPEG, PNG, GIF, WebP), MP4 video, MP3 audio, contact cards and PDFs can"
            ),
            AttachError::Type(kind) => write!(
                f,
                "{kind} files cannot be sent; pictures (JPEG, PNG, GIF, WebP), MP4 video, MP3 audio, contact cards and PDFs can"
            ),
            AttachError::TooLarge { size, limit } => {
                let (size, limit) = (size_in_words(*size), size_in_words(*limit));
                if size == limit {
                    write!(f, "it is larger than the limit of {limit}")
                } else {
                    write!(f, "it is {size}; the limit is {limit}")
                }
            }
            AttachError::Empty => write!(f, "the file is empty"),
            AttachError::TooMany => {
                write!(f, "a message carries at most {MAX_MEDIA_PER_MESSAGE} files")
            }
            AttachError::TotalTooLarge => write!(
                f,
                "the files of one message add up to at most {}",
                size_in_words(MAX_MMS_BYTES)
            ),
        }
    }
}

/// Checks a file before it is uploaded: its type and size, and what the message already
/// carries (`count` items of `total` bytes). Answers the type's essence.
pub fn check_attachment(
    content_type: &str,
    size: u64,
    limit: u64,
    count: usize,
    total: u64,
) -> Result<&'static str, AttachError> {
    let kind = allowed_type(content_type).ok_or_else(|| AttachError::Type(content_type.into()))?;
    if size == 0 {
        return Err(AttachError::Empty);
    }
    if size > limit {
        return Err(AttachError::TooLarge { size, limit });
    }
    if count >= MAX_MEDIA_PER_MESSAGE {
        return Err(AttachError::TooMany);
    }
    if total + size > MAX_MMS_BYTES {
        return Err(AttachError::TotalTooLarge);
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_by_their_essence() {
        assert_eq!(allowed_type("IMAGE/PNG; x=y"), Some("image/png"));
        assert_eq!(allowed_type("image/svg+xml"), None);
        assert!(is_picture("image/webp"));
        assert!(!is_picture("application/pdf"));
    }

    #[test]
    fn sizes_and_types_in_words() {
        assert_eq!(size_in_words(812), "812 B");
        assert_eq!(size_in_words(3 * 1024 + 100), "3.1 kB");
        assert_eq!(size_in_words(240 * 1024), "240 kB");
        assert_eq!(size_in_words(1024 * 1024), "1 MB");
        assert_eq!(size_in_words(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(type_in_words("application/pdf"), "PDF");
        assert_eq!(type_in_words("image/png"), "Picture (PNG)");
        assert_eq!(type_in_words("text/vcard"), "Contact card");
    }

    #[test]
    fn a_file_is_checked_before_it_is_uploaded() {
        let limit = DEFAULT_MAX_UPLOAD_BYTES as u64;
        assert_eq!(
            check_attachment("image/png", 10, limit, 0, 0),
            Ok("image/png")
        );
        assert_eq!(
            check_attachment("image/svg+xml", 10, limit, 0, 0),
            Err(AttachError::Type("image/svg+xml".into()))
        );
        assert_eq!(
            check_attachment("image/png", limit + 1, limit, 0, 0),
            Err(AttachError::TooLarge {
                size: limit + 1,
                limit
            })
        );
        assert_eq!(
            check_attachment("image/png", 0, limit, 0, 0),
            Err(AttachError::Empty)
        );
        assert_eq!(
            check_attachment("image/png", 10, limit, MAX_MEDIA_PER_MESSAGE, 0),
            Err(AttachError::TooMany)
        );
        assert_eq!(
            check_attachment("image/png", 600_000, limit, 1, 600_000),
            Err(AttachError::TotalTooLarge)
        );
        assert!(AttachError::TooLarge {
            size: 2 * 1024 * 1024,
            limit
        }
        .to_string()
        .contains("2 MB"));
        assert_eq!(
            AttachError::TooLarge {
                size: limit + 1,
                limit
            }
            .to_string(),
            "it is larger than the limit of 1 MB"
        );
    }
}
