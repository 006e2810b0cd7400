//! SMS encoding and segment counting (GSM 03.38), shared by the service and the SPA composer.
//!
//! A text that fits the GSM-7 basic and extension tables travels as GSM-7: 160 septets in a
//! single segment, 153 per segment once split (the user data header takes the rest).
//! Extension characters take two septets and are never split across segments. Anything else
//! makes the whole text UCS-2: 70 UTF-16 units alone, 67 per segment once split, and a
//! surrogate pair (most emoji) is never split either.

use crate::wire::SegmentsResponse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    /// The name Telnyx and our API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

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
            encoding: info.encoding.as_str().to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
