//! SMS encoding and segment counting (GSM 03.38), shared by the service and the SPA composer.
//!
//! A text that fits the GSM-7 basic and extension tables travels as GSM-7: 160 septets in a
//! single segment, 153 per segment once split (the user data header takes the rest).
//! Extension characters take two septets and are never split across segments. Anything else
//! makes the whole text UCS-2: 70 UTF-16 units alone, 67 per segment once split, and a
//! surrogate pair (most emoji) is never split either.

pub use crate::wire::Encoding;
use crate::wire::SegmentsResponse;

/// Telnyx refuses texts of more than 10 segments (error 40302); we refuse them first.
pub const MAX_SEGMENTS: u32 = 10;
/// No longer text fits in ten segments (153 GSM-7 characters each); Unicode texts fit fewer.
pub const MAX_TEXT_CHARS: usize = MAX_SEGMENTS as usize * 153;

impl Encoding {
    fn single_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    fn multipart_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

/// How a text splits into SMS segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    pub encoding: Encoding,
    pub segments: u32,
    /// Unicode scalar values, as a person counts characters.
    pub characters: u32,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole text.
    pub units: u32,
    /// Units one segment holds for this text (160/153 or 70/67).
    pub units_per_segment: u32,
}

impl SegmentInfo {
    /// Whether the text needs more than one segment (the composer warns about it).
    pub fn is_multipart(&self) -> bool {
        self.segments > 1
    }
}

impl From<SegmentInfo> for SegmentsResponse {
    fn from(info: SegmentInfo) -> Self {
        SegmentsResponse {
            encoding: info.encoding,
            segments: info.segments,
            characters: info.characters,
            units_per_segment: info.units_per_segment,
        }
    }
}

/// The GSM 03.38 basic character set.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The GSM 03.38 extension table: each takes an escape septet plus its own.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

/// Septets a character takes in GSM-7, or `None` when GSM-7 cannot carry it.
fn gsm7_septets(character: char) -> Option<u32> {
    if GSM7_BASIC.contains(character) {
        Some(1)
    } else if GSM7_EXTENSION.contains(character) {
        Some(2)
    } else {
        None
    }
}

/// Counts segments by packing whole characters (each `units` wide) into segments.
fn pack(widths: impl Iterator<Item = u32> + Clone, encoding: Encoding) -> (u32, u32) {
    let total: u32 = widths.clone().sum();
    if total == 0 {
        return (0, encoding.single_segment_units());
    }
    if total <= encoding.single_segment_units() {
        return (1, encoding.single_segment_units());
    }
    let capacity = encoding.multipart_segment_units();
    let mut segments = 1;
    let mut used = 0;
    for width in widths {
        if used + width > capacity {
            segments += 1;
            used = 0;
        }
        used += width;
    }
    (segments, capacity)
}

/// Encoding and segment count of `text` as an SMS.
/// The first character that GSM-7 cannot carry: the one that makes the text UCS-2 (and its
/// segments 67 characters long). The composer names it, so the agent can replace a curly
/// quote or remove an emoji.
pub fn first_non_gsm7(text: &str) -> Option<char> {
    text.chars().find(|&c| gsm7_septets(c).is_none())
}

pub fn analyze(text: &str) -> SegmentInfo {
    let characters = text.chars().count() as u32;
    let gsm_widths: Option<Vec<u32>> = text.chars().map(gsm7_septets).collect();
    let (encoding, widths) = match gsm_widths {
        Some(widths) => (Encoding::Gsm7, widths),
        None => (
            Encoding::Ucs2,
            text.chars().map(|c| c.len_utf16() as u32).collect(),
        ),
    };
    let (segments, units_per_segment) = pack(widths.iter().copied(), encoding);
    SegmentInfo {
        encoding,
        segments,
        characters,
        units: widths.iter().sum(),
        units_per_segment,
    }
}

/// Whether `text` needs at most `max_segments` segments.
fn fits(text: &str, max_segments: u32) -> bool {
    analyze(text).segments <= max_segments
}

/// Characters that end a sentence (Latin, CJK and Arabic/Urdu punctuation).
const SENTENCE_ENDS: &[char] = &['.', '!', '?', '…', '。', '！', '？', '؟', '۔'];

/// `text` when it fits in `max_segments`; otherwise its longest start that does, cut after
/// the last whole sentence, or, when no sentence ends in the first third, after the last
/// whole word with an ellipsis. The ellipsis is `...` in GSM-7, so the cut never turns a
/// GSM-7 text into a (costlier) UCS-2 one.
pub fn fit_to_segments(text: &str, max_segments: u32) -> String {
    let text = text.trim();
    let max_segments = max_segments.max(1);
    if fits(text, max_segments) {
        return text.to_string();
    }
    // Character boundaries, so that every cut is at one.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect();
    // The longest start that fits with `suffix` appended (segment counts only grow as a
    // text grows, so a binary search finds it).
    let longest_fitting = |suffix: &str| {
        let (mut low, mut high) = (0, bounds.len() - 1);
        while low < high {
            let middle = (low + high).div_ceil(2);
            let candidate = format!("{}{suffix}", &text[..bounds[middle]]);
            if fits(&candidate, max_segments) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        bounds[low]
    };
    let fitting = &text[..longest_fitting("")];
    let sentence_end = fitting
        .char_indices()
        .filter(|(at, c)| {
            SENTENCE_ENDS.contains(c)
                && fitting[at + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(at, c)| at + c.len_utf8())
        .next_back();
    if let Some(end) = sentence_end.filter(|end| *end * 3 >= fitting.len()) {
        return fitting[..end].trim_end().to_string();
    }
    let ellipsis = match analyze(text).encoding {
        Encoding::Gsm7 => "...",
        Encoding::Ucs2 => "…",
    };
    let room = &text[..longest_fitting(ellipsis)];
    // The last whole word, unless the start is one long word.
    let cut = match room.rfind(char::is_whitespace) {
        Some(space) if space > 0 && !text[room.len()..].starts_with(char::is_whitespace) => {
            &room[..space]
        }
        _ => room,
    };
    format!("{}{ellipsis}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_that_forces_ucs2_is_named() {
        assert_eq!(first_non_gsm7("Hello {there} €5"), None);
        assert_eq!(first_non_gsm7("It\u{2019}s ready 😀"), Some('\u{2019}'));
        assert_eq!(first_non_gsm7("ok 😀"), Some('😀'));
    }

    fn gsm(n: usize) -> String {
        "a".repeat(n)
    }

    #[test]
    fn gsm7_single_and_split() {
        assert_eq!(analyze(&gsm(160)).segments, 1);
        assert_eq!(analyze(&gsm(160)).encoding, Encoding::Gsm7);
        let split = analyze(&gsm(161));
        assert_eq!((split.segments, split.units_per_segment), (2, 153));
        assert_eq!(analyze(&gsm(306)).segments, 2);
        assert_eq!(analyze(&gsm(307)).segments, 3);
    }

    #[test]
    fn ucs2_single_and_split() {
        let seventy = "é".repeat(0) + &"Ж".repeat(70);
        let info = analyze(&seventy);
        assert_eq!((info.encoding, info.segments), (Encoding::Ucs2, 1));
        let info = analyze(&"Ж".repeat(71));
        assert_eq!((info.segments, info.units_per_segment), (2, 67));
        assert_eq!(analyze(&"Ж".repeat(134)).segments, 2);
        assert_eq!(analyze(&"Ж".repeat(135)).segments, 3);
    }

    #[test]
    fn extension_characters_take_two_septets_and_never_split() {
        // 153 basic characters plus the euro sign: 155 septets, still one segment.
        let text = gsm(153) + "€";
        let info = analyze(&text);
        assert_eq!(
            (info.encoding, info.units, info.segments),
            (Encoding::Gsm7, 155, 1)
        );
        // 159 + € = 161 septets: two segments.
        assert_eq!(analyze(&(gsm(159) + "€")).segments, 2);
        // 152 + € + 8 more: the € would straddle the boundary at 153, so it moves on.
        let straddling = gsm(152) + "€" + &gsm(8);
        assert_eq!(analyze(&straddling).segments, 2);
        assert_eq!(analyze(&"{".repeat(80)).segments, 1);
        assert_eq!(analyze(&"{".repeat(81)).segments, 2);
    }

    #[test]
    fn emoji_forces_ucs2_and_counts_two_units() {
        let info = analyze("Hi 😀");
        assert_eq!(info.encoding, Encoding::Ucs2);
        assert_eq!((info.characters, info.units, info.segments), (4, 5, 1));
        // 69 units + an emoji (2 units) = 71: two segments; the pair is not split.
        let info = analyze(&(gsm(66) + "😀" + "aa"));
        assert_eq!((info.units, info.segments), (70, 1));
        let info = analyze(&(gsm(66) + "😀😀"));
        assert_eq!((info.units, info.segments), (70, 1));
        let info = analyze(&(gsm(66) + "😀😀a"));
        assert_eq!((info.units, info.segments), (71, 2));
    }

    #[test]
    fn accented_latin_in_the_gsm_table_stays_gsm7() {
        assert_eq!(
            analyze("Café à la carte, señor! ¿Qué?").encoding,
            Encoding::Gsm7
        );
        assert_eq!(analyze("naïve").encoding, Encoding::Ucs2);
    }

    #[test]
    fn empty_text_has_no_segments() {
        assert_eq!(analyze("").segments, 0);
    }

    #[test]
    fn fitting_leaves_short_texts_alone() {
        assert_eq!(fit_to_segments("  Hello there!  ", 1), "Hello there!");
        assert_eq!(fit_to_segments(&gsm(306), 2), gsm(306));
    }

    #[test]
    fn fitting_cuts_at_a_sentence_boundary() {
        let sentence = "Our clinic is open Monday to Friday, nine to five. ";
        let long = sentence.repeat(20);
        let cut = fit_to_segments(&long, 3);
        assert!(analyze(&cut).segments <= 3, "{cut}");
        assert!(cut.ends_with("nine to five."), "{cut}");
        assert!(long.starts_with(&cut));
        assert!(cut.len() > 153 * 2, "keeps as much as fits: {}", cut.len());
    }

    #[test]
    fn fitting_cuts_cyrillic_to_ten_segments() {
        // 700 Cyrillic characters: 11 UCS-2 segments; Telnyx refuses more than 10.
        let long = "Здравствуйте, мы работаем каждый день. ".repeat(18);
        assert!(analyze(&long).segments > 10);
        let cut = fit_to_segments(&long, 10);
        let info = analyze(&cut);
        assert!(
            info.segments <= 10 && info.encoding == Encoding::Ucs2,
            "{info:?}"
        );
        assert!(cut.ends_with("день."), "{cut}");
        let one = fit_to_segments(&long, 1);
        assert!(analyze(&one).segments == 1 && one.ends_with('.'), "{one}");
    }

    #[test]
    fn fitting_without_sentences_cuts_at_a_word_with_an_ellipsis() {
        let words = "word ".repeat(100);
        let cut = fit_to_segments(&words, 1);
        assert!(cut.ends_with("word..."), "{cut}");
        assert_eq!(analyze(&cut).encoding, Encoding::Gsm7);
        assert!(analyze(&cut).segments == 1);
        let one_word = "x".repeat(400);
        let cut = fit_to_segments(&one_word, 1);
        assert_eq!(cut, format!("{}...", "x".repeat(157)));
        let emoji = "😀".repeat(200);
        let cut = fit_to_segments(&emoji, 1);
        assert!(cut.ends_with('…') && analyze(&cut).segments == 1, "{cut}");
    }
}
