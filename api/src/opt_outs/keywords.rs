//! Carrier keywords: a whole message of STOP (and its family) opts out, START opts back in,
//! HELP asks for information. Case and spaces do not matter ("Stop all", "opt out").

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
const OPT_IN: &[&str] = &["START", "UNSTOP"];
const HELP: &[&str] = &["HELP"];

/// The message with case, spaces and trailing punctuation removed, as compared.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['.', '!'])
        .to_uppercase()
}

pub fn classify(text: &str) -> Option<Keyword> {
    let word = normalize(text);
    if OPT_OUT.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else if HELP.contains(&word.as_str()) {
        Some(Keyword::Help)
    } else {
        None
    }
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
            "opt out",
            "OPT-OUT".replace('-', " ").as_str(),
            "stop.",
        ] {
            assert_eq!(classify(text), Some(Keyword::OptOut), "{text}");
        }
        for text in ["START", "start", "Unstop"] {
            assert_eq!(classify(text), Some(Keyword::OptIn), "{text}");
        }
        assert_eq!(classify("help"), Some(Keyword::Help));
        for text in [
            "please stop texting me at night",
            "stopping by later",
            "don't stop",
            "help me book",
            "",
            "starting",
        ] {
            assert_eq!(classify(text), None, "{text}");
        }
    }
}
