//! Media in words: the inbox preview of a message without text, and what the AI is told.

/// What the inbox shows for a message: its text, or what it carries when it has none.
pub fn preview(text: &str, content_types: &[&str]) -> String {
    if !text.trim().is_empty() || content_types.is_empty() {
        return text.to_string();
    }
    describe(content_types)
}

/// "a picture", "2 pictures", "a PDF and a picture": what a customer sent, in words (the
/// inbox preview and the AI's context).
pub fn describe(content_types: &[&str]) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for content_type in content_types {
        let kind = kind_of(content_type);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += 1,
            None => kinds.push((kind, 1)),
        }
    }
    let parts: Vec<String> = kinds
        .into_iter()
        .map(|(kind, count)| match count {
            1 => format!("a {kind}"),
            n => format!("{n} {kind}s"),
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn kind_of(content_type: &str) -> &'static str {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match essence {
        "application/pdf" => "PDF",
        "text/vcard" | "text/x-vcard" => "contact card",
        _ if essence.starts_with("image/") => "picture",
        _ if essence.starts_with("video/") => "video",
        _ if essence.starts_with("audio/") => "audio clip",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_customer_sent_in_words() {
        assert_eq!(describe(&["image/jpeg"]), "a picture");
        assert_eq!(describe(&["image/jpeg", "image/png"]), "2 pictures");
        assert_eq!(
            describe(&["application/pdf", "image/png", "video/mp4"]),
            "a PDF, a picture and a video"
        );
        assert_eq!(preview("", &["image/gif"]), "a picture");
        assert_eq!(preview("Look", &["image/gif"]), "Look");
    }
}
