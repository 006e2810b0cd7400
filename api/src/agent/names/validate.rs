//! The validator: whether a candidate is plausibly a person's name.

use super::words::*;
use super::*;

/// Checks that `candidate` is plausibly a person's name and returns it capitalised, split
/// into first name and the rest.
pub fn validate_name(candidate: &str) -> Result<PersonName, NameRejection> {
    let cleaned = clean_candidate(candidate);
    if cleaned.is_empty() {
        return Err(NameRejection::Empty);
    }
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(NameRejection::TooLong);
    }
    if looks_like_contact(&cleaned) {
        return Err(NameRejection::Contact);
    }
    if cleaned.chars().any(char::is_numeric) {
        return Err(NameRejection::Digits);
    }
    if let Some(bad) = cleaned.chars().find(|c| !is_name_char(*c)) {
        return Err(NameRejection::Character(bad));
    }
    let mut words: Vec<&str> = cleaned.split(' ').collect();
    if words.len() > MAX_NAME_TOKENS {
        return Err(NameRejection::TooManyWords);
    }
    if in_list(TITLES, &word_key(words[0])) {
        // "Dr. Sarah Lee" is Sarah; "Mr. Smith" gives no first name.
        if words.len() >= 3 {
            words.remove(0);
        } else {
            return Err(NameRejection::SurnameOnly);
        }
    }
    let significant = words
        .iter()
        .filter(|word| !in_list(PARTICLES, &word_key(word)))
        .count();
    if significant > MAX_NAME_WORDS {
        return Err(NameRejection::TooManyWords);
    }
    let first = words[0];
    let first_key = word_key(first);
    if first_key.chars().count() == 1 && (words.len() == 1 || !first.ends_with('.')) {
        return Err(NameRejection::SingleLetter);
    }
    for (index, word) in words.iter().enumerate() {
        check_word(word, index > 0)?;
    }
    // "de" or "de la" alone is no name; "Al" and "Van" are.
    if (words.len() == 1 && in_list(LONE_PARTICLES, &first_key))
        || (words.len() > 1 && significant == 0)
    {
        return Err(NameRejection::NotAName(first_key));
    }
    let mut capitalised = words
        .iter()
        .enumerate()
        .map(|(index, word)| capitalise_word(word, index > 0));
    let first = capitalised.next().unwrap_or_default();
    let rest: Vec<String> = capitalised.collect();
    Ok(PersonName {
        first,
        last: (!rest.is_empty()).then(|| rest.join(" ")),
    })
}

/// `inside`: not the first word, where a few short words are names ("Văn An", "Wei He").
pub(super) fn check_word(word: &str, inside: bool) -> Result<(), NameRejection> {
    let starts_with_letter = word.chars().next().is_some_and(char::is_alphabetic);
    if !starts_with_letter {
        return Err(NameRejection::Character(word.chars().next().unwrap_or(' ')));
    }
    if word.ends_with('-') || word.ends_with('\'') || word.contains("--") || word.contains("''") {
        return Err(NameRejection::NotAName(word.to_string()));
    }
    if word.contains('.') && !is_initials(word) && !in_list(TITLES, &word_key(word)) {
        return Err(NameRejection::Character('.'));
    }
    let key = word_key(word);
    if is_profane(&key) {
        return Err(NameRejection::Profanity);
    }
    if inside && in_list(INSIDE_NAMES, &key) {
        return Ok(());
    }
    if is_contraction(&key) || is_common_word(&key) || is_verb_ing(&key) {
        return Err(NameRejection::NotAName(key));
    }
    Ok(())
}
