//! Finding the customer's name in a message ("my name is…", "this is…", a bare name after
//! we asked).

use super::words::*;
use super::*;

/// A word of a message with the punctuation around it taken off.
#[derive(Debug)]
pub(super) struct Token {
    /// The word as written, minus surrounding punctuation (an initial keeps its period).
    text: String,
    /// Lowercase, plain apostrophes: what patterns match.
    key: String,
    /// Sentence punctuation (or a line break) follows: a name does not run past it.
    ends_clause: bool,
    /// Followed by a colon ("Name: Sarah").
    colon: bool,
    /// Followed by a comma ("It's me, Sarah").
    comma: bool,
    /// No letters at all (an emoji, a number, a dash): ends a name, never part of one.
    separator: bool,
}

pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for line in text.lines() {
        let start = tokens.len();
        for raw in line.split_whitespace() {
            tokens.push(token(raw));
        }
        if let Some(last) = tokens[start..].last_mut() {
            last.ends_clause = true;
        }
    }
    tokens
}

pub(super) fn token(raw: &str) -> Token {
    let raw: String = raw.chars().map(normalise_apostrophe).collect();
    let leading = |c: char| !(c.is_alphabetic() || c.is_numeric() || is_mark(c));
    let body = raw.trim_start_matches(leading);
    let mut core = body.trim_end_matches(|c: char| !(c.is_alphabetic() || is_mark(c) || c == '.'));
    let mut trailing = &body[core.len()..];
    // A period ends the sentence unless it closes an initial ("J.") or a title ("Dr.").
    let stripped = core.trim_end_matches('.');
    let abbreviation = is_initials(core) || in_list(TITLES, &word_key(stripped));
    if stripped.len() != core.len() && !abbreviation {
        trailing = &body[stripped.len()..];
        core = stripped;
    }
    let separator = !core.chars().any(char::is_alphabetic);
    let ends_clause = trailing
        .chars()
        .any(|c| matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | ')' | '(' | '—' | '–'))
        || separator;
    Token {
        text: core.to_string(),
        key: word_key(core),
        ends_clause,
        colon: trailing.starts_with(':'),
        comma: trailing.starts_with(','),
        separator,
    }
}

/// The patterns that introduce a name. `^`: only at the start of a clause or after "my"
/// ("Name: Sarah", but not "my wife's name is Sarah"); a final `:` must follow the last
/// word; a final `,` may.
pub(super) const TRIGGERS: &str = "
    my name is | my name's | my names | ^name is | ^name's | ^name: | call me | this is |
    it's me, | it is me, | it's | its | it is | i'm | im | i am
";

/// The index just after `trigger` when it matches at `index`.
pub(super) fn trigger_end(trigger: &[&str], tokens: &[Token], index: usize) -> Option<usize> {
    let (first, rest) = trigger.split_first()?;
    let clause_start = first.starts_with('^');
    let mut words: Vec<&str> = Vec::with_capacity(trigger.len());
    words.push(first.trim_start_matches('^'));
    words.extend(rest);
    let last_index = words.len() - 1;
    let colon = words[last_index].ends_with(':');
    let comma = words[last_index].ends_with(',');
    words[last_index] = words[last_index].trim_end_matches([':', ',']);

    let end = index + words.len();
    let window = tokens.get(index..end)?;
    let words_match = window.iter().zip(&words).all(|(t, w)| t.key == *w);
    // The pattern's words run together: "I'm. Sarah" is two sentences.
    let unbroken = window[..last_index].iter().all(|t| !t.ends_clause);
    let last = &window[last_index];
    let ending_ok = if colon {
        last.colon
    } else {
        !last.ends_clause || (comma && last.comma)
    };
    let start_ok = !clause_start
        || index == 0
        || tokens[index - 1].ends_clause
        || tokens[index - 1].key == "my";
    (words_match && unbroken && ending_ok && start_ok).then_some(end)
}

/// The longest valid name made of the first words from `tokens` (up to a clause end or a
/// word like "and"/"from"): "I'm Sarah Lee nice to meet you" gives "Sarah Lee".
pub(super) fn name_at(tokens: &[Token]) -> Option<PersonName> {
    let mut words: Vec<&str> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        // "Văn An here" ends with a name; "Sarah an I…" (a typo of "and") does not.
        let name_ends_here = !words.is_empty()
            && in_list(INSIDE_NAMES, &token.key)
            && (token.ends_clause
                || tokens
                    .get(index + 1)
                    .is_none_or(|next| matches!(next.key.as_str(), "here" | "speaking")));
        if token.separator || (in_list(NAME_ENDERS, &token.key) && !name_ends_here) {
            break;
        }
        words.push(&token.text);
        if token.ends_clause || words.len() > MAX_NAME_TOKENS {
            break;
        }
    }
    (1..=words.len())
        .rev()
        .find_map(|count| validate_name(&words[..count].join(" ")).ok())
}

/// Skips greetings and fillers at the start: "Hi, Sarah here" → "Sarah here".
pub(super) fn skip_fillers(tokens: &[Token]) -> &[Token] {
    let skip = tokens
        .iter()
        .take_while(|token| token.separator || in_list(FILLERS, &token.key))
        .count();
    &tokens[skip..]
}

/// "Sarah here", "Hi, Sarah Lee speaking": a name followed by "here"/"speaking" at the
/// start of the message.
pub(super) fn name_before_here(tokens: &[Token]) -> Option<PersonName> {
    let tokens = skip_fillers(tokens);
    let position = tokens
        .iter()
        .take(MAX_NAME_TOKENS + 1)
        .position(|token| matches!(token.key.as_str(), "here" | "speaking"))?;
    if position == 0
        || tokens[..position]
            .iter()
            .any(|t| t.ends_clause || t.separator)
    {
        return None;
    }
    let words: Vec<&str> = tokens[..position].iter().map(|t| t.text.as_str()).collect();
    validate_name(&words.join(" ")).ok()
}

/// A name the customer states about themselves: "my name is …", "my name's …", "this is …",
/// "it's … here", "I'm …"/"I am …", "call me …", "name: …", "it is …", "… here". A bare
/// name is not enough here; see [`extract_name_reply`].
pub fn extract_name(text: &str) -> Option<PersonName> {
    let tokens = tokenize(text);
    for index in 0..tokens.len() {
        for trigger in phrases(TRIGGERS) {
            if let Some(after) = trigger_end(&trigger, &tokens, index) {
                if let Some(name) = name_at(&tokens[after..]) {
                    return Some(name);
                }
            }
        }
    }
    name_before_here(&tokens)
}

/// Like [`extract_name`], and when the agent has just asked for the customer's name, also
/// a reply that is just a name ("Sarah", "sarah lee", "Sure, José García!").
pub fn extract_name_reply(text: &str, asked_for_name: bool) -> Option<PersonName> {
    if let Some(name) = extract_name(text) {
        return Some(name);
    }
    if !asked_for_name {
        return None;
    }
    let tokens = tokenize(text);
    let tokens = skip_fillers(&tokens);
    // The first clause, without "here"/"thanks" after it, must be a name as a whole.
    let clause_len = tokens
        .iter()
        .position(|token| token.ends_clause || token.separator)
        .map(|index| {
            if tokens[index].separator {
                index
            } else {
                index + 1
            }
        })
        .unwrap_or(tokens.len());
    let mut clause = &tokens[..clause_len];
    while let Some((last, rest)) = clause.split_last() {
        if in_list(TRAILERS, &last.key) || last.separator {
            clause = rest;
        } else {
            break;
        }
    }
    let words: Vec<&str> = clause.iter().map(|t| t.text.as_str()).collect();
    validate_name(&words.join(" ")).ok()
}
