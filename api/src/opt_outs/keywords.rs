//! What a customer's message asks of the sender, by deterministic rules: a whole message of
//! STOP (and its family, with the FCC's REVOKE and OPT OUT) or a plain request such as "stop
//! texting me" or "please remove me from your list" opts out; START, UNSTOP and UNSTOP ALL
//! opt back in; HELP and INFO ask who is writing. Case, spaces and punctuation do not matter;
//! a request with more in it ("stop texting me at night", "don't stop") is not an opt-out,
//! and a person reads it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
}

/// Telnyx's default opt-out words, plus the FCC's REVOKE and OPT OUT (spaces removed).
const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const OPT_IN: &[&str] = &["START", "UNSTOP", "UNSTOPALL"];
const HELP: &[&str] = &["HELP", "INFO"];

/// Plain-language opt-outs, in the words left once politeness and "from your list" are taken
/// off (contractions spelt out: "don't" is "do not").
const OPT_OUT_PHRASES: &[&str] = &[
    "stop",
    "stop texting me",
    "stop texting",
    "stop txting me",
    "stop messaging me",
    "stop messaging",
    "stop sending me texts",
    "stop sending me messages",
    "stop sending me text messages",
    "stop sending texts",
    "stop sending messages",
    "stop contacting me",
    "stop all texts",
    "stop all messages",
    "stop the texts",
    "stop the messages",
    "stop these texts",
    "stop these messages",
    "do not text me",
    "do not message me",
    "do not contact me",
    "do not text this number",
    "do not send me texts",
    "do not send me messages",
    "never text me",
    "never contact me",
    "no more texts",
    "no more messages",
    "no more text messages",
    "remove me",
    "remove my number",
    "remove this number",
    "take me off",
    "take my number off",
    "unsubscribe me",
    "opt me out",
    "i want to opt out",
    "i want to unsubscribe",
    "i would like to opt out",
    "i would like to unsubscribe",
    "i want to stop receiving texts",
    "i want to stop receiving messages",
    "i do not want these texts",
    "i do not want these messages",
    "leave me alone",
    "lose my number",
    "delete my number",
];

/// Words around a request that do not change it.
const POLITE_PREFIXES: &[&[&str]] = &[
    &["please"],
    &["pls"],
    &["plz"],
    &["kindly"],
    &["hey"],
    &["hi"],
    &["hello"],
    &["ok"],
    &["okay"],
    &["just"],
    &["can", "you"],
    &["could", "you"],
    &["would", "you"],
    &["will", "you"],
    &["can", "u"],
    &["i", "want", "you", "to"],
    &["i", "need", "you", "to"],
    &["i", "would", "like", "you", "to"],
];
const POLITE_SUFFIXES: &[&[&str]] = &[
    &["please"],
    &["pls"],
    &["plz"],
    &["thanks"],
    &["thank", "you"],
    &["thx"],
    &["ty"],
    &["now"],
    &["right", "now"],
    &["asap"],
    &["immediately"],
    &["already"],
    &["again"],
    &["anymore"],
    &["any", "more"],
    &["ok"],
];
const LIST_OWNERS: &[&str] = &["your", "ur", "this", "the", "my"];
const LIST_WORDS: &[&str] = &[
    "list",
    "mailing",
    "texting",
    "text",
    "sms",
    "contact",
    "contacts",
    "marketing",
    "messaging",
];

/// The message with case, spaces and trailing punctuation removed, as compared.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['.', '!'])
        .to_uppercase()
}

/// What the opt-out is recorded as: the keyword, or the customer's words.
pub fn label(text: &str) -> String {
    let word = normalize(text);
    if OPT_OUT.contains(&word.as_str()) {
        return word;
    }
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    words.chars().take(60).collect()
}

pub fn classify(text: &str) -> Option<Keyword> {
    let word = normalize(text);
    if OPT_OUT.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else if HELP.contains(&word.as_str()) {
        Some(Keyword::Help)
    } else if is_plain_opt_out(text) {
        Some(Keyword::OptOut)
    } else {
        None
    }
}

/// The message's words, lower case, contractions spelt out.
fn words(text: &str) -> Vec<String> {
    let text = text.to_lowercase().replace(['’', '‘'], "'");
    let mut words = Vec::new();
    for word in text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|word| word.trim_matches('\''))
        .filter(|word| !word.is_empty())
    {
        match word {
            "don't" | "dont" => words.extend(["do", "not"].map(String::from)),
            "i'd" => words.extend(["i", "would"].map(String::from)),
            "i'm" | "im" => words.extend(["i", "am"].map(String::from)),
            other => words.push(other.to_string()),
        }
    }
    words
}

fn strip_prefix(words: &mut Vec<String>, prefix: &[&str]) -> bool {
    let matches = words.len() > prefix.len()
        && words
            .iter()
            .zip(prefix)
            .all(|(word, expected)| word == expected);
    if matches {
        words.drain(..prefix.len());
    }
    matches
}

fn strip_suffix(words: &mut Vec<String>, suffix: &[&str]) -> bool {
    let Some(start) = words
        .len()
        .checked_sub(suffix.len())
        .filter(|start| *start > 0)
    else {
        return false;
    };
    let matches = words[start..]
        .iter()
        .zip(suffix)
        .all(|(word, expected)| word == expected);
    if matches {
        words.truncate(start);
    }
    matches
}

/// "… from your (mailing) list", "… off your list": the list named at the end.
fn strip_list(words: &mut Vec<String>) {
    let Some(owner) = words
        .iter()
        .rposition(|word| LIST_OWNERS.contains(&word.as_str()))
    else {
        return;
    };
    let tail_is_list = owner + 1 < words.len()
        && words[owner + 1..]
            .iter()
            .all(|word| LIST_WORDS.contains(&word.as_str()));
    let before = owner.checked_sub(1).map(|i| words[i].as_str());
    if tail_is_list && matches!(before, Some("from" | "off" | "on")) {
        // "take me off your list" keeps its "off"; "remove me from your list" drops "from".
        let cut = if before == Some("off") {
            owner
        } else {
            owner - 1
        };
        words.truncate(cut);
    }
}

/// A plain-language request to stop, and nothing else.
fn is_plain_opt_out(text: &str) -> bool {
    let mut words = words(text);
    if words.is_empty() || words.len() > 16 {
        return false;
    }
    loop {
        let before = words.len();
        for prefix in POLITE_PREFIXES {
            strip_prefix(&mut words, prefix);
        }
        for suffix in POLITE_SUFFIXES {
            strip_suffix(&mut words, suffix);
        }
        strip_list(&mut words);
        if words.len() == before {
            break;
        }
    }
    let phrase = words.join(" ");
    OPT_OUT_PHRASES.contains(&phrase.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_message_case_and_space_insensitive() {
        for text in [
            "STOP",
            "stop",
            " Stop ",
            "STOP ALL",
            "stop all",
            "StopAll",
            "UNSUBSCRIBE",
            "cancel",
            "End",
            "quit",
            "revoke",
            "REVOKE",
            "opt out",
            "OPT OUT",
            "optout",
            "stop.",
        ] {
            assert_eq!(classify(text), Some(Keyword::OptOut), "{text}");
        }
        for text in ["START", "start", "Unstop", "UNSTOP ALL", "unstop all"] {
            assert_eq!(classify(text), Some(Keyword::OptIn), "{text}");
        }
        for text in ["help", "HELP", "info", "Info."] {
            assert_eq!(classify(text), Some(Keyword::Help), "{text}");
        }
    }

    #[test]
    fn plain_requests_to_stop_opt_out() {
        for text in [
            "stop texting me",
            "Stop texting me!",
            "please stop texting me",
            "Please stop texting me, thank you",
            "STOP TEXTING ME NOW",
            "stop messaging me please",
            "Stop sending me messages",
            "stop contacting me",
            "please remove me from your list",
            "Remove me from your mailing list please",
            "remove me from this list",
            "remove my number",
            "take me off your list",
            "Take me off the texting list thanks",
            "don't text me",
            "Don’t text me anymore",
            "do not contact me again",
            "never text me again",
            "no more texts please",
            "unsubscribe me",
            "opt me out",
            "I want to unsubscribe",
            "I'd like to opt out",
            "leave me alone",
            "Stop please",
            "ok stop",
            "can you stop texting me",
            "i want you to stop texting me",
        ] {
            assert_eq!(classify(text), Some(Keyword::OptOut), "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_opt_outs() {
        for text in [
            "don't stop",
            "do not stop",
            "where do I stop by?",
            "please stop texting me at night",
            "stopping by later",
            "can you stop by tomorrow",
            "stop by the shop at 5",
            "the leak won't stop",
            "help me book",
            "I need help with my order",
            "",
            "starting",
            "start the job monday",
            "remove the old part",
            "take me off the waitlist for friday and book me for monday",
            "cancel my appointment",
            "end of the day works",
            "quit the old plan",
            "remove me from the calendar",
            "unsubscribe me from the newsletter but keep texting",
        ] {
            assert_eq!(classify(text), None, "{text}");
        }
    }

    #[test]
    fn the_label_keeps_the_keyword_or_the_words() {
        assert_eq!(label("stop all"), "STOPALL");
        assert_eq!(label(" please  stop texting me "), "please stop texting me");
    }
}
