//! Yes/no answers to "is this Sarah?" (identity confirmation).

use super::words::*;
use super::*;

/// The words of a message for yes/no reading: lowercase, apostrophes dropped ("that's" →
/// "thats"), split into clauses at sentence punctuation.
pub(super) fn clauses(text: &str) -> Vec<Vec<String>> {
    let lower: String = text
        .chars()
        .map(normalise_apostrophe)
        .flat_map(char::to_lowercase)
        .filter(|c| *c != '\'')
        .collect();
    lower
        .split([',', '.', '!', '?', ';', ':', '\n', '—', '–'])
        .map(|clause| {
            clause
                .split(|c: char| !(c.is_alphabetic() || is_mark(c)))
                .filter(|word| !word.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

pub(super) const YES_WORDS: &str = "
    yes yeah yep yup ya yah yea ye yeh yess yesss yas y sure correct affirmative absolutely
    definitely certainly indeed si sí oui ja yessir totally exactly
";
pub(super) const NO_WORDS: &str = "
    no nope nah naw nop noo nooo non nein negative wrong incorrect
";
/// Words before a yes or no that change nothing: "oh yes", "um no".
pub(super) const ANSWER_FILLERS: &str = "
    oh um umm uh hmm well hi hey hello haha lol ah
";
/// Anywhere in a message, these deny being the person asked about.
pub(super) const NO_PHRASES: &str = "
    wrong number | wrong person | not me | isnt me | not her | not him | this isnt |
    this is not | thats not | that is not | its not me | you have the wrong |
    youve got the wrong | no one by that name | nobody by that name | never heard of |
    no longer | not this number
";
/// A first clause that is exactly one of these confirms.
pub(super) const YES_CLAUSES: &str = "
    it is | me | speaking | guilty | present | sure is | it sure is
";
/// A first clause that starts with one of these confirms.
pub(super) const YES_PHRASES: &str = "
    its me | it is me | thats me | that is me | this is me | this is she | this is he |
    thats right | that is right | thats correct | that is correct | you got it | you bet |
    of course | for sure | thats my name | the one and only
";

pub(super) fn contains_phrase(words: &[String], phrase: &[&str]) -> bool {
    words
        .windows(phrase.len())
        .any(|window| window.iter().zip(phrase).all(|(word, p)| word == p))
}

pub(super) fn starts_with_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(word, p)| word == p)
}

/// The first clause's words after any "oh"/"um".
pub(super) fn answer_start(clauses: &[Vec<String>]) -> Vec<String> {
    let mut words: Vec<String> = clauses.iter().flatten().cloned().collect();
    let skip = words
        .iter()
        .take_while(|word| in_list(ANSWER_FILLERS, word))
        .count();
    words.drain(..skip);
    words
}

/// "No", "nope", "wrong number", "not me", "this isn't Sarah", "I'm not Sarah".
pub fn is_negative(text: &str) -> bool {
    let clauses = clauses(text);
    let all: Vec<String> = clauses.iter().flatten().cloned().collect();
    let start = answer_start(&clauses);
    let leading_no = start.first().is_some_and(|word| in_list(NO_WORDS, word))
        // "no problem", "no worries" answer something else.
        && !start
            .get(1)
            .is_some_and(|next| matches!(next.as_str(), "problem" | "worries" | "worry" | "prob"));
    // "I'm not Sarah", but not "I'm not sure what you mean".
    let denies_self = [&["im", "not"][..], &["i", "am", "not"][..]]
        .iter()
        .any(|phrase| {
            all.windows(phrase.len())
                .enumerate()
                .any(|(index, window)| {
                    window.iter().zip(phrase.iter()).all(|(word, p)| word == p)
                        && !all
                            .get(index + phrase.len())
                            .is_some_and(|next| matches!(next.as_str(), "sure" | "certain"))
                })
        });
    leading_no || denies_self || phrases(NO_PHRASES).any(|phrase| contains_phrase(&all, &phrase))
}

/// "Yes", "yep", "yeah that's me", "correct", "it is", "sí", "Yes, is the clinic open
/// Saturday?". Never true when [`is_negative`] is.
pub fn is_affirmative(text: &str) -> bool {
    if is_negative(text) {
        return false;
    }
    let clauses = clauses(text);
    let start = answer_start(&clauses);
    if start.first().is_some_and(|word| in_list(YES_WORDS, word)) {
        return true;
    }
    let first_clause: Vec<String> = match clauses.first() {
        Some(clause) => {
            let skip = clause
                .iter()
                .take_while(|word| in_list(ANSWER_FILLERS, word))
                .count();
            clause[skip..].to_vec()
        }
        None => return false,
    };
    phrases(YES_CLAUSES).any(|phrase| first_clause.iter().map(String::as_str).eq(phrase))
        || phrases(YES_PHRASES).any(|phrase| starts_with_phrase(&first_clause, &phrase))
}

/// The answer to "is this Sarah?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityAnswer {
    Confirmed,
    Denied,
    /// Neither: ask again or carry on without linking.
    Unclear,
}

/// Reads a reply to "is this {expected_first}?": a no, or another name, denies; a yes, or
/// the expected name, confirms.
pub fn identity_answer(text: &str, expected_first: &str) -> IdentityAnswer {
    if is_negative(text) {
        return IdentityAnswer::Denied;
    }
    let expected = expected_first
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if let Some(name) = extract_name_reply(text, true) {
        return if name.first.to_lowercase() == expected {
            IdentityAnswer::Confirmed
        } else {
            IdentityAnswer::Denied
        };
    }
    if is_affirmative(text) {
        IdentityAnswer::Confirmed
    } else {
        IdentityAnswer::Unclear
    }
}
