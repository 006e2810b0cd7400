//! What the API accepts as text, written once for the server's checks and the OpenAPI patterns.

/// The characters `str::trim` removes (Unicode's White_Space), as inclusive ranges.
const WHITESPACE: &[(char, char)] = &[
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

/// Text never holds U+0000 (PostgreSQL cannot store it): the pattern of every request string.
pub const NO_NUL: &str = "^[^\\u0000]*$";

fn escape(c: char) -> String {
    format!("\\u{:04x}", c as u32)
}

/// The whitespace `str::trim` removes, as the body of a regular expression's character class
/// (`\u0009-\u000d\u0020…`).
pub fn whitespace_class() -> String {
    WHITESPACE
        .iter()
        .map(|&(low, high)| {
            if low == high {
                escape(low)
            } else {
                format!("{}-{}", escape(low), escape(high))
            }
        })
        .collect()
}

/// Text with at least one character that is not whitespace, and no U+0000.
pub fn not_blank_pattern() -> String {
    let class = whitespace_class();
    format!("^[^\\u0000]*[^\\u0000{class}][^\\u0000]*$")
}

/// One line of text, not blank: no control characters (`char::is_control`: U+0000–U+001F,
/// U+007F–U+009F) and at least one character that `str::trim` keeps.
pub fn one_line_pattern() -> String {
    let control = "\\u0000-\\u001f\\u007f-\\u009f";
    let class = whitespace_class();
    format!("^[^{control}]*[^{control}{class}][^{control}]*$")
}

/// Whether `text` holds nothing but whitespace (what the pattern above rules out).
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Characters as JSON Schema's `maxLength` counts them (code points).
pub fn length(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whitespace_table_is_what_trim_removes() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let listed = WHITESPACE
                .iter()
                .any(|&(low, high)| (low..=high).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn the_pattern_lists_each_range() {
        let pattern = not_blank_pattern();
        assert!(pattern.starts_with("^[^\\u0000]*[^\\u0000\\u0009-\\u000d\\u0020"));
        assert!(pattern.ends_with("\\u3000][^\\u0000]*$"));
    }
}
