//! Names and identity as code: finding a customer's name in a message, telling names from
//! phrases ("I'm looking for a quote" is not a name), reading a model's structured
//! extraction, and reading yes/no answers to "is this Sarah?".
//!
//! Everything here is deterministic, so it works offline and is tested without any model.
//! The validator is deliberately conservative: missing a name costs one more "could I get
//! your name?", while a false name ("Thanks, Looking!") costs the customer's trust.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::provider::{ChatMessage, ChatRequest, Role};

/// Longer than this is not a name someone texts us.
pub const MAX_NAME_CHARS: usize = 40;
/// Words of a name, not counting particles like "van" or "de".
const MAX_NAME_WORDS: usize = 3;
/// Words of a name, particles included.
const MAX_NAME_TOKENS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub first: String,
    pub last: Option<String>,
}

impl PersonName {
    /// First and last name, separated by a space.
    pub fn full(&self) -> String {
        match &self.last {
            Some(last) => format!("{} {last}", self.first),
            None => self.first.clone(),
        }
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full())
    }
}

/// Why a candidate is not accepted as a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameRejection {
    #[error("the name is empty")]
    Empty,
    #[error("longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("more than {MAX_NAME_WORDS} words")]
    TooManyWords,
    #[error("contains digits")]
    Digits,
    #[error("looks like an email address or a link")]
    Contact,
    #[error("contains `{0}`, which names do not")]
    Character(char),
    #[error("a single letter")]
    SingleLetter,
    #[error("a title with a surname only")]
    SurnameOnly,
    #[error("`{0}` is not a name")]
    NotAName(String),
    #[error("profanity")]
    Profanity,
}

mod answers;
mod extract;
mod model;
#[cfg(test)]
mod tests;
mod validate;
mod words;

pub use answers::{identity_answer, is_affirmative, is_negative, IdentityAnswer};
pub use extract::{extract_name, extract_name_reply};
pub use model::{extraction_request, parse_extraction_json, transcript};
pub use validate::validate_name;
