//! Phone numbers in E.164, read with the tenant's region as libphonenumber does.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id as Region;
use phonenumber::Mode;

/// A phone number in E.164 form (`+14165551234`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct E164(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a phone number is required")]
    Empty,
    #[error("a phone number may hold only digits, spaces, `+`, `-`, `.`, `(` and `)`")]
    InvalidCharacters,
    #[error("`{0}` is too short to be a phone number")]
    TooShort(String),
    #[error("`{0}` is too long to be a phone number")]
    TooLong(String),
    #[error(
        "`{input}` is not a valid phone number for region {region}; use E.164 such as +14165551234"
    )]
    Invalid { input: String, region: String },
    #[error(
        "`{0}` is not in E.164 form (a `+`, the country code and the number, e.g. +14165551234)"
    )]
    NotE164(String),
    #[error("`{0}` is not a known region code (use ISO 3166 codes such as US, CA, GB)")]
    UnknownRegion(String),
}

/// Parses an ISO 3166 region code (`US`, `GB`) that libphonenumber knows.
pub fn parse_region(code: &str) -> Result<Region, PhoneError> {
    Region::from_str(&code.trim().to_ascii_uppercase())
        .map_err(|_| PhoneError::UnknownRegion(code.to_string()))
}

/// What a search box's text looks for: the digits when it reads like a phone number (only
/// phone characters and at least three digits: `(416) 555`), else the lower-cased text.
pub fn search_term(q: &str) -> Option<String> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    Some(if phone_like && digits.len() >= 3 {
        digits
    } else {
        q.to_lowercase()
    })
}

impl E164 {
    /// Reads `input` as written by a person: E.164, or national form in `region`.
    pub fn parse(input: &str, region: &str) -> Result<E164, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let allowed = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
        if !trimmed.chars().all(allowed) || trimmed.chars().skip(1).any(|c| c == '+') {
            return Err(PhoneError::InvalidCharacters);
        }
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        if digits < 7 {
            return Err(PhoneError::TooShort(trimmed.to_string()));
        }
        if digits > 15 {
            return Err(PhoneError::TooLong(trimmed.to_string()));
        }
        let region_id = parse_region(region)?;
        let invalid = || PhoneError::Invalid {
            input: trimmed.to_string(),
            region: region.to_string(),
        };
        let number = phonenumber::parse(Some(region_id), trimmed).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(E164(number.format().mode(Mode::E164).to_string()))
    }

    /// Accepts only strict E.164 (as stored, or as Telnyx sends it).
    pub fn parse_e164(input: &str) -> Result<E164, PhoneError> {
        let trimmed = input.trim();
        let digits = trimmed.strip_prefix('+').unwrap_or("");
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotE164(trimmed.to_string()));
        }
        // The region is ignored for numbers with a country code.
        E164::parse(trimmed, "US")
    }

    /// A sender as the carrier gives it: any well-formed E.164 number (`+`, a country code
    /// not starting with 0, 7 to 15 digits), whether or not libphonenumber's metadata knows
    /// its range yet. The carrier delivered a message from it, so it exists.
    pub fn from_carrier(input: &str) -> Result<E164, PhoneError> {
        let trimmed = input.trim();
        let digits = trimmed.strip_prefix('+').unwrap_or("");
        let well_formed = (7..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if well_formed {
            Ok(E164(trimmed.to_string()))
        } else {
            Err(PhoneError::NotE164(trimmed.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number is in the US or Canada, where Telnyx delivers MMS.
    pub fn takes_mms(&self) -> bool {
        takes_mms(&self.0)
    }

    /// The digits without `+`, for searching.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether a stored E.164 number is in the US or Canada (not merely +1: the Caribbean
/// shares the country code), where Telnyx delivers MMS.
pub fn takes_mms(number: &str) -> bool {
    use phonenumber::country::Id;
    phonenumber::parse(None, number.trim())
        .ok()
        .and_then(|number| number.country().id())
        .is_some_and(|id| matches!(id, Id::US | Id::CA))
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_examples() {
        for (input, expected) in [
            ("+14165551234", "+14165551234"),
            ("+442071234567", "+442071234567"),
            ("4165551234", "+14165551234"),
            ("(416) 555-1234", "+14165551234"),
            ("416.555.1234", "+14165551234"),
            (" 1 416 555 1234 ", "+14165551234"),
        ] {
            assert_eq!(
                E164::parse(input, "US").map(E164::into_string),
                Ok(expected.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn mms_goes_to_the_us_and_canada_only() {
        assert!(takes_mms("+14165551234"));
        assert!(takes_mms("+12125551234"));
        assert!(!takes_mms("+18765551234"), "Jamaica shares +1");
        assert!(!takes_mms("+447911123456"));
        assert!(!takes_mms("nonsense"));
    }

    #[test]
    fn national_numbers_follow_the_region() {
        assert_eq!(
            E164::parse("020 7123 4567", "GB").map(E164::into_string),
            Ok("+442071234567".to_string())
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(E164::parse("", "US"), Err(PhoneError::Empty));
        assert_eq!(E164::parse("   ", "US"), Err(PhoneError::Empty));
        assert!(matches!(
            E164::parse("12345", "US"),
            Err(PhoneError::TooShort(_))
        ));
        assert!(matches!(
            E164::parse("416-CALL-NOW", "US"),
            Err(PhoneError::InvalidCharacters)
        ));
        assert!(matches!(
            E164::parse("+1 416 555 1234 5678 90", "US"),
            Err(PhoneError::TooLong(_))
        ));
        // A Canadian national number is not a British one.
        assert!(matches!(
            E164::parse("4165551234", "GB"),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            E164::parse("+999 1234567", "US"),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            E164::parse("4165551234", "XX"),
            Err(PhoneError::UnknownRegion(_))
        ));
    }

    #[test]
    fn search_terms() {
        assert_eq!(search_term("(416) 555").as_deref(), Some("416555"));
        assert_eq!(search_term("+1 416").as_deref(), Some("1416"));
        assert_eq!(search_term(" Sarah ").as_deref(), Some("sarah"));
        assert_eq!(search_term("41").as_deref(), Some("41"));
        assert_eq!(search_term("  "), None);
    }

    #[test]
    fn strict_form_requires_a_plus() {
        assert!(E164::parse_e164("4165551234").is_err());
        assert_eq!(
            E164::parse_e164("+14165551234").map(|n| n.digits().to_string()),
            Ok("14165551234".into())
        );
    }

    #[test]
    fn carriers_senders_need_only_be_well_formed() {
        // A range libphonenumber does not list (555 exchange numbers) still arrives.
        assert!(E164::from_carrier("+15555550100").is_ok());
        assert!(E164::from_carrier(" +447700900123 ").is_ok());
        for sender in [
            "12345",
            "+0123456789",
            "ACME",
            "+141655",
            "",
            "+1234567890123456",
        ] {
            assert!(E164::from_carrier(sender).is_err(), "{sender}");
        }
    }
}
