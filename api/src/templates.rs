//! Templates of canned replies: text with placeholders such as `{{contact.first_name|there}}`,
//! checked when a reply is saved and filled in for one conversation and one agent. Pure (std
//! only), so the SPA fills a reply with the very code that answers `POST …/render`.
//!
//! # The language
//!
//! - A placeholder is `{{variable}}` or `{{variable|fallback}}`. Whitespace around the
//!   variable and around the fallback is ignored: `{{ contact.name | there }}`.
//! - The variables, case-sensitive: `contact.first_name`, `contact.name`, `agent.name`,
//!   `tenant.name` ([`Variable`]). Any other name is an error naming it.
//! - A fallback is plain text: it holds no brace.
//! - Braces that open no placeholder are text: a single `{` or `}`, and `}}` outside a
//!   placeholder. In a run of three or more `{`, the last two open the placeholder, so
//!   `{{{contact.name}}}` reads `{Sarah Lee}`.
//! - A `{{` that is never closed by `}}` is an error, and so is a `{{` inside a placeholder
//!   (the first one was not closed), `{{}}` and a brace in a fallback.
//!
//! # Filling in
//!
//! A variable renders its value, trimmed. A variable without a value (or with a blank one)
//! renders its fallback, or nothing when it has none. A placeholder that renders nothing takes
//! the spacing it leaves behind with it, so the customer reads a natural sentence rather than
//! a hole:
//!
//! 1. Within a line, the spaces before it go when what follows is a space, closing
//!    punctuation (`, . ! ? ; : ) ] …`, quotes), a line break or the end of the text:
//!    `Hi {{contact.first_name}}, welcome` → `Hi, welcome`; `Thanks {{agent.name}}!` →
//!    `Thanks!`; `Hi {{contact.first_name}} and welcome` → `Hi and welcome`.
//! 2. A comma left dangling before closing punctuation, a line break or the end goes too:
//!    `Thanks, {{contact.first_name}}!` → `Thanks!`; `Hi, {{contact.first_name}}, welcome` →
//!    `Hi, welcome`; `See you, {{contact.first_name}}` → `See you`.
//! 3. At the start of a line, the spaces and separating punctuation (`, ; : . ! ?`) after it
//!    go: `{{contact.first_name}}, your order is ready` → `your order is ready`.
//! 4. A line left with nothing else goes with its line break: a signature line
//!    `{{agent.name}}` without a name leaves no empty line behind.
//!
//! Nothing else changes: a value is never altered, and text next to a variable that has a
//! value (or a fallback) stays exactly as written.

use std::fmt;

/// What a template can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    /// The customer's first name.
    ContactFirstName,
    /// The customer's name as the conversation knows it.
    ContactName,
    /// The name of the agent sending the reply.
    AgentName,
    /// The business's name.
    TenantName,
}

impl Variable {
    pub const ALL: [Variable; 4] = [
        Variable::ContactFirstName,
        Variable::ContactName,
        Variable::AgentName,
        Variable::TenantName,
    ];

    /// The name as written between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Variable::ContactFirstName => "contact.first_name",
            Variable::ContactName => "contact.name",
            Variable::AgentName => "agent.name",
            Variable::TenantName => "tenant.name",
        }
    }

    /// The variable of this name (exactly: names are case-sensitive).
    pub fn from_name(name: &str) -> Option<Variable> {
        Variable::ALL.into_iter().find(|v| v.name() == name)
    }

    fn value(self, context: &TemplateContext) -> Option<&str> {
        let value = match self {
            Variable::ContactFirstName => &context.contact_first_name,
            Variable::ContactName => &context.contact_name,
            Variable::AgentName => &context.agent_name,
            Variable::TenantName => &context.tenant_name,
        };
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values a template is filled with; `None` (or blank) renders the fallback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateContext {
    pub contact_first_name: Option<String>,
    pub contact_name: Option<String>,
    pub agent_name: Option<String>,
    pub tenant_name: Option<String>,
}

/// What a conversation knows of its customer's name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactNames<'a> {
    /// The conversation's `contact_name` (given by the customer or typed by an agent).
    pub contact_name: Option<&'a str>,
    /// The linked client record's names, when the conversation has one.
    pub client_first_name: Option<&'a str>,
    pub client_last_name: Option<&'a str>,
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl TemplateContext {
    /// Sets the contact's variables by the rule the AI assistant addresses customers by: the
    /// conversation's `contact_name` wins (`contact.name` is it, `contact.first_name` its first
    /// word), then the linked client record (`contact.first_name` is its first name,
    /// `contact.name` its first and last names).
    pub fn with_contact(mut self, names: ContactNames<'_>) -> TemplateContext {
        let client_name = [
            non_blank(names.client_first_name),
            non_blank(names.client_last_name),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        match non_blank(names.contact_name) {
            Some(name) => {
                self.contact_name = Some(name.to_string());
                self.contact_first_name = name.split_whitespace().next().map(str::to_string);
            }
            None => {
                self.contact_name = (!client_name.is_empty()).then_some(client_name);
                self.contact_first_name = non_blank(names.client_first_name)
                    .and_then(|first| first.split_whitespace().next())
                    .map(str::to_string);
            }
        }
        self
    }
}

/// Why a text is not a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `at` is the character offset (from 0) of the placeholder's `{{`.
    #[error(
        "The text uses `{{{{{}}}}}` (character {}), which is not a variable: use \
         contact.first_name, contact.name, agent.name or tenant.name (names are case-sensitive).",
        shown(.name), .at + 1
    )]
    UnknownVariable { name: String, at: usize },
    #[error(
        "The placeholder opened with `{{{{` at character {} is never closed with `}}}}`.",
        .at + 1
    )]
    Unclosed { at: usize },
    #[error(
        "The placeholder at character {} names no variable; write for example \
         `{{{{contact.first_name|there}}}}`.",
        .at + 1
    )]
    NoVariable { at: usize },
    #[error(
        "The fallback of `{{{{{}|…}}}}` (character {}) contains a brace; a fallback is plain text.",
        .variable, .at + 1
    )]
    BraceInFallback { variable: Variable, at: usize },
}

impl TemplateError {
    /// The character offset (from 0) of the placeholder at fault.
    pub fn at(&self) -> usize {
        match self {
            TemplateError::UnknownVariable { at, .. }
            | TemplateError::Unclosed { at }
            | TemplateError::NoVariable { at }
            | TemplateError::BraceInFallback { at, .. } => *at,
        }
    }
}

/// A name as an error message quotes it: at most 40 characters, on one line.
fn shown(name: &str) -> String {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > 40 {
        format!("{}…", one_line.chars().take(40).collect::<String>())
    } else {
        one_line
    }
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Placeholder {
        variable: Variable,
        /// Trimmed; `None` when absent or empty.
        fallback: Option<String>,
    },
}

/// A text checked to be a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

impl Template {
    /// Reads `text` (see the module's documentation for the language).
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        // `rest` starts at byte `offset` of `text`.
        let mut rest = text;
        let mut offset = 0;
        while let Some(found) = rest.find("{{") {
            // In a run of braces, the last two open the placeholder.
            let run = rest[found..].bytes().take_while(|&b| b == b'{').count();
            let open = found + run - 2;
            literal.push_str(&rest[..open]);
            let at = char_offset(text, offset + open);
            let inside = &rest[open + 2..];
            let close = inside.find("}}").ok_or(TemplateError::Unclosed { at })?;
            let body = &inside[..close];
            if body.contains("{{") {
                return Err(TemplateError::Unclosed { at });
            }
            let (name, fallback) = match body.split_once('|') {
                Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
                None => (body.trim(), None),
            };
            if name.is_empty() {
                return Err(TemplateError::NoVariable { at });
            }
            let variable =
                Variable::from_name(name).ok_or_else(|| TemplateError::UnknownVariable {
                    name: name.to_string(),
                    at,
                })?;
            if fallback.is_some_and(|f| f.contains(['{', '}'])) {
                return Err(TemplateError::BraceInFallback { variable, at });
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(Part::Placeholder {
                variable,
                fallback: fallback.filter(|f| !f.is_empty()).map(str::to_string),
            });
            let consumed = open + 2 + close + 2;
            rest = &rest[consumed..];
            offset += consumed;
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The variables the template uses, in order (repeated as often as they appear).
    pub fn variables(&self) -> impl Iterator<Item = Variable> + '_ {
        self.parts.iter().filter_map(|part| match part {
            Part::Placeholder { variable, .. } => Some(*variable),
            Part::Text(_) => None,
        })
    }

    /// The text with every placeholder filled from `context` (see the module's documentation
    /// for what an empty placeholder does to the text around it).
    pub fn render(&self, context: &TemplateContext) -> String {
        let pieces: Vec<Piece<'_>> = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => Piece::Text(text),
                Part::Placeholder { variable, fallback } => {
                    match variable.value(context).or(fallback.as_deref()) {
                        Some(value) => Piece::Text(value),
                        None => Piece::Gap,
                    }
                }
            })
            .collect();
        assemble(&pieces)
    }
}

/// Checks that `text` is a template.
pub fn validate(text: &str) -> Result<(), TemplateError> {
    Template::parse(text).map(|_| ())
}

/// Parses and fills `text` in one step.
pub fn render(text: &str, context: &TemplateContext) -> Result<String, TemplateError> {
    Ok(Template::parse(text)?.render(context))
}

/// The regular expression (ECMA-262, as JSON Schema reads it) of the texts that
/// [`Template::parse`] accepts and that are not blank (hold a character that is not
/// whitespace) nor hold U+0000. `whitespace` is the body of a character class of the
/// characters `str::trim` removes (e.g. `\u0009-\u000d\u0020…`).
pub fn pattern(whitespace: &str) -> String {
    let names = Variable::ALL
        .iter()
        .map(|v| v.name().replace('.', r"\."))
        .collect::<Vec<_>>()
        .join("|");
    let spaces = format!("[{whitespace}]*");
    // A placeholder, after any braces of its run that are text.
    let placeholder =
        format!(r"\{{*\{{\{{{spaces}(?:{names}){spaces}(?:\|[^\{{\}}\u0000]*)?\}}\}}");
    // A brace that opens nothing: the next character is not a brace, or there is none.
    let brace = r"\{(?:[^\{\u0000]|$)";
    let other = r"[^\{\u0000]";
    let first = format!(r"[^\{{\u0000{whitespace}]");
    format!("^{spaces}(?:{first}|{brace}|{placeholder})(?:{other}|{brace}|{placeholder})*$")
}

/// A rendered piece: text, or a placeholder that rendered nothing.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Gap,
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whitespace within a line.
fn is_space(c: char) -> bool {
    c.is_whitespace() && !is_line_break(c)
}

/// Punctuation that closes what comes before it.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | '!'
            | '?'
            | ';'
            | ':'
            | ')'
            | ']'
            | '}'
            | '…'
            | '\''
            | '"'
            | '’'
            | '”'
            | '»'
            | '，'
            | '。'
            | '！'
            | '？'
            | '；'
            | '：'
            | '、'
            | '）'
            | '」'
            | '』'
    )
}

/// Punctuation that separates a (vanished) word at the start of a line from the rest.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '.' | '!' | '?' | '…' | '，' | '、' | '；' | '：' | '。' | '！' | '？'
    )
}

fn is_comma(c: char) -> bool {
    matches!(c, ',' | '，' | '、')
}

/// The first character of the text after piece `index`.
fn next_char(pieces: &[Piece<'_>], index: usize) -> Option<char> {
    pieces[index + 1..].iter().find_map(|piece| match piece {
        Piece::Text(text) => text.chars().next(),
        Piece::Gap => None,
    })
}

/// Whether the rest of the line after piece `index` holds only spaces, separators and
/// placeholders that rendered nothing.
fn rest_of_line_is_empty(pieces: &[Piece<'_>], index: usize) -> bool {
    for piece in &pieces[index + 1..] {
        if let Piece::Text(text) = piece {
            for c in text.chars() {
                if is_line_break(c) {
                    return true;
                }
                if !is_space(c) && !is_separator(c) {
                    return false;
                }
            }
        }
    }
    true
}

/// The text of the line being written: what follows the last line break of `out`.
fn current_line(out: &str) -> &str {
    match out.rfind(is_line_break) {
        Some(index) => {
            let width = out[index..].chars().next().map_or(1, char::len_utf8);
            &out[index + width..]
        }
        None => out,
    }
}

fn trim_spaces_end(out: &mut String) {
    let kept = out.trim_end_matches(is_space).len();
    out.truncate(kept);
}

/// Removes one line break (`\r\n` counts as one) from the end of `out`.
fn pop_line_break(out: &mut String) {
    if out.ends_with("\r\n") {
        out.truncate(out.len() - 2);
    } else if let Some(c) = out.chars().next_back().filter(|&c| is_line_break(c)) {
        out.truncate(out.len() - c.len_utf8());
    }
}

/// Removes one line break (`\r\n` counts as one) from the start of `text`.
fn strip_line_break(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("\r\n") {
        return rest;
    }
    match text.chars().next() {
        Some(c) if is_line_break(c) => &text[c.len_utf8()..],
        _ => text,
    }
}

/// What a placeholder that vanished at the start of a line removes from the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    /// Spaces and separators (rule 3).
    Separators,
    /// The rest of the line and its line break (rule 4).
    Line,
}

/// Joins the pieces, tidying around the gaps (the module documentation's rules).
fn assemble(pieces: &[Piece<'_>]) -> String {
    let mut out = String::new();
    let mut skip = Skip::Nothing;
    for (index, piece) in pieces.iter().enumerate() {
        match *piece {
            Piece::Text(text) => {
                let mut text = text;
                if skip != Skip::Nothing {
                    text = text.trim_start_matches(|c| is_space(c) || is_separator(c));
                    if text.is_empty() {
                        continue;
                    }
                    if skip == Skip::Line {
                        text = strip_line_break(text);
                    }
                    skip = Skip::Nothing;
                }
                out.push_str(text);
            }
            Piece::Gap => {
                if current_line(&out).chars().all(is_space) {
                    if rest_of_line_is_empty(pieces, index) {
                        // Rule 4: the line goes (its indentation now, its break later).
                        trim_spaces_end(&mut out);
                        skip = Skip::Line;
                    } else if skip == Skip::Nothing {
                        skip = Skip::Separators;
                    }
                    continue;
                }
                let next = next_char(pieces, index);
                let closes = next.is_none_or(|c| is_line_break(c) || is_closing(c));
                if closes || next.is_some_and(is_space) {
                    // Rule 1.
                    trim_spaces_end(&mut out);
                    // Rule 2.
                    if closes && out.chars().next_back().is_some_and(is_comma) {
                        out.pop();
                        trim_spaces_end(&mut out);
                    }
                }
            }
        }
    }
    if skip == Skip::Line {
        // The vanished line was the last one: its line break goes.
        pop_line_break(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named() -> TemplateContext {
        TemplateContext {
            contact_first_name: Some("Sarah".into()),
            contact_name: Some("Sarah Lee".into()),
            agent_name: Some("Ann".into()),
            tenant_name: Some("Acme Plumbing".into()),
        }
    }

    fn empty() -> TemplateContext {
        TemplateContext::default()
    }

    fn fill(text: &str, context: &TemplateContext) -> String {
        render(text, context).unwrap_or_else(|error| panic!("{text:?}: {error}"))
    }

    #[test]
    fn every_variable_renders_its_value() {
        assert_eq!(
            fill(
                "Hi {{contact.first_name}} ({{contact.name}}), {{agent.name}} from {{tenant.name}} here.",
                &named()
            ),
            "Hi Sarah (Sarah Lee), Ann from Acme Plumbing here."
        );
    }

    #[test]
    fn whitespace_inside_the_braces_is_ignored() {
        assert_eq!(fill("Hi {{ contact.name }}!", &named()), "Hi Sarah Lee!");
        assert_eq!(fill("Hi {{\tcontact.name\n}}!", &named()), "Hi Sarah Lee!");
        assert_eq!(
            fill("Hi {{ contact.first_name | there }}!", &empty()),
            "Hi there!"
        );
        assert_eq!(
            fill("Hi {{contact.first_name|my friend}}!", &empty()),
            "Hi my friend!"
        );
    }

    #[test]
    fn a_missing_value_renders_the_fallback() {
        assert_eq!(
            fill("Hi {{contact.first_name|there}}, ", &empty()),
            "Hi there, "
        );
        // A value wins over the fallback.
        assert_eq!(
            fill("Hi {{contact.first_name|there}}, ", &named()),
            "Hi Sarah, "
        );
        // A blank value is no value; a value is trimmed.
        let blank = TemplateContext {
            contact_first_name: Some("   ".into()),
            agent_name: Some("  Ann ".into()),
            ..empty()
        };
        assert_eq!(
            fill(
                "Hi {{contact.first_name|there}}, {{agent.name}} here",
                &blank
            ),
            "Hi there, Ann here"
        );
        // Each variable has its own fallback.
        assert_eq!(
            fill("{{tenant.name|Our team}} and {{agent.name|us}}", &empty()),
            "Our team and us"
        );
        // A fallback may hold `|` and punctuation.
        assert_eq!(fill("{{agent.name|A|B, C}}", &empty()), "A|B, C");
    }

    #[test]
    fn a_missing_value_without_fallback_leaves_a_natural_sentence() {
        let cases = [
            ("Hi {{contact.first_name}}, ", "Hi, "),
            ("Hi {{contact.first_name}}, welcome", "Hi, welcome"),
            ("Hi {{contact.first_name}}!", "Hi!"),
            ("Hi {{contact.first_name}}.", "Hi."),
            ("Hi {{contact.first_name}}", "Hi"),
            ("Hi {{contact.first_name}} and welcome", "Hi and welcome"),
            ("Hi {{contact.first_name}}  and welcome", "Hi  and welcome"),
            ("Thanks, {{contact.first_name}}!", "Thanks!"),
            ("See you, {{contact.first_name}}", "See you"),
            ("Hi, {{contact.first_name}}, welcome", "Hi, welcome"),
            (
                "Thanks, {{contact.first_name}} we'll call",
                "Thanks, we'll call",
            ),
            ("(call me, {{agent.name}})", "(call me)"),
            ("Hi {{contact.first_name|}}!", "Hi!"),
            ("Hi {{contact.first_name}} {{contact.name}}!", "Hi!"),
            ("Hi {{contact.first_name}}{{contact.name}}!", "Hi!"),
            ("Hi {{contact.first_name}}\nYour order", "Hi\nYour order"),
            ("Thanks, {{agent.name}}\nBye", "Thanks\nBye"),
            // At the start of a line, the separator after it goes.
            (
                "{{contact.first_name}}, your order is ready",
                "your order is ready",
            ),
            ("{{contact.first_name}} thanks", "thanks"),
            ("Hello\n{{contact.first_name}}! Welcome", "Hello\nWelcome"),
            ("{{contact.first_name}} {{contact.name}} hi", "hi"),
            // A line left empty goes with its line break.
            (
                "{{contact.first_name}}\nYour order is ready.",
                "Your order is ready.",
            ),
            ("Thanks!\n{{agent.name}}", "Thanks!"),
            ("Thanks!\r\n{{agent.name}}", "Thanks!"),
            ("Thanks!\n  {{agent.name}}  \nBye", "Thanks!\nBye"),
            ("Thanks!\n– {{agent.name}}", "Thanks!\n–"),
            ("Hi\n\n{{agent.name}}\n\nBye", "Hi\n\n\nBye"),
            ("{{agent.name}}", ""),
            // Next to a letter the spaces stay: nothing is glued together.
            ("Call {{agent.name}}(ext)", "Call (ext)"),
            ("Hi{{contact.first_name}} there", "Hi there"),
        ];
        for (text, expected) in cases {
            assert_eq!(fill(text, &empty()), expected, "{text:?}");
        }
    }

    #[test]
    fn text_next_to_a_value_stays_as_written() {
        assert_eq!(
            fill("Thanks, {{contact.first_name}}!", &named()),
            "Thanks, Sarah!"
        );
        assert_eq!(fill("  {{agent.name}}  \n", &named()), "  Ann  \n");
        assert_eq!(
            fill("Hi {{contact.first_name|there}}, ", &empty()),
            "Hi there, "
        );
    }

    #[test]
    fn an_unknown_variable_is_named() {
        let error = validate("Hi {{contact.nmae}}!").unwrap_err();
        assert_eq!(
            error,
            TemplateError::UnknownVariable {
                name: "contact.nmae".into(),
                at: 3
            }
        );
        assert!(error.to_string().contains("`{{contact.nmae}}`"), "{error}");
        assert!(error.to_string().contains("character 4"), "{error}");
        // Names are case-sensitive.
        assert!(matches!(
            validate("{{Contact.Name}}"),
            Err(TemplateError::UnknownVariable { name, .. }) if name == "Contact.Name"
        ));
        assert!(matches!(
            validate("{{ agent }}"),
            Err(TemplateError::UnknownVariable { name, .. }) if name == "agent"
        ));
        // Whitespace inside a name is not ignored.
        assert!(validate("{{contact. name}}").is_err());
        // A long name is shortened in the message.
        let long = format!("{{{{{}}}}}", "x".repeat(500));
        let message = validate(&long).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn unclosed_and_empty_placeholders_are_errors() {
        assert_eq!(
            validate("Hi {{contact.name"),
            Err(TemplateError::Unclosed { at: 3 })
        );
        assert_eq!(validate("{{"), Err(TemplateError::Unclosed { at: 0 }));
        assert_eq!(
            validate("Hi {{contact.name}"),
            Err(TemplateError::Unclosed { at: 3 })
        );
        // The first was not closed before the next one opened.
        assert_eq!(
            validate("Hi {{contact.name and {{agent.name}}"),
            Err(TemplateError::Unclosed { at: 3 })
        );
        assert_eq!(validate("a {{}}"), Err(TemplateError::NoVariable { at: 2 }));
        assert_eq!(
            validate("{{ |there}}"),
            Err(TemplateError::NoVariable { at: 0 })
        );
        assert_eq!(
            validate("{{agent.name|a{b}}"),
            Err(TemplateError::BraceInFallback {
                variable: Variable::AgentName,
                at: 0
            })
        );
        assert!(validate("{{agent.name|a}b}}").is_err());
        for error in [
            validate("{{").unwrap_err(),
            validate("{{}}").unwrap_err(),
            validate("{{agent.name|{}}").unwrap_err(),
        ] {
            assert!(error.to_string().ends_with('.'), "{error}");
        }
    }

    #[test]
    fn single_braces_are_text() {
        let cases = [
            ("a { b } c", "a { b } c"),
            ("{", "{"),
            ("}", "}"),
            ("}}", "}}"),
            ("a }} b", "a }} b"),
            ("{x}", "{x}"),
            ("{{{contact.name}}}", "{Sarah Lee}"),
            ("{{{{contact.name}}", "{{Sarah Lee"),
            ("{{contact.name}}}}", "Sarah Lee}}"),
            ("{ {{agent.name}} }", "{ Ann }"),
            ("x{", "x{"),
            ("{\n", "{\n"),
        ];
        for (text, expected) in cases {
            assert_eq!(fill(text, &named()), expected, "{text:?}");
        }
    }

    #[test]
    fn unicode_is_kept_and_positions_count_characters() {
        let context = TemplateContext {
            contact_first_name: Some("Zoë".into()),
            contact_name: Some("Zoë Ångström".into()),
            agent_name: Some("José".into()),
            tenant_name: Some("Café ☕ Ünïcode".into()),
        };
        assert_eq!(
            fill(
                "¡Hola {{contact.first_name}}! 👋 {{agent.name}} de {{tenant.name}} — 你好 {{contact.name}}。",
                &context
            ),
            "¡Hola Zoë! 👋 José de Café ☕ Ünïcode — 你好 Zoë Ångström。"
        );
        assert_eq!(
            fill("¡Hola {{contact.first_name|amigo}}! 👋", &empty()),
            "¡Hola amigo! 👋"
        );
        assert_eq!(fill("你好 {{contact.first_name}}。", &empty()), "你好。");
        assert_eq!(
            validate("👋👋 {{nom}}"),
            Err(TemplateError::UnknownVariable {
                name: "nom".into(),
                at: 3
            })
        );
        // Unicode whitespace around a name is whitespace.
        assert_eq!(fill("{{\u{a0}agent.name\u{3000}}}", &named()), "Ann");
    }

    #[test]
    fn empty_and_plain_texts() {
        assert_eq!(Template::parse("").unwrap().parts(), &[] as &[Part]);
        assert_eq!(fill("", &named()), "");
        assert_eq!(
            fill("No placeholders here.", &empty()),
            "No placeholders here."
        );
        assert_eq!(fill("  spaced  \n", &empty()), "  spaced  \n");
    }

    #[test]
    fn parts_and_variables() {
        let template = Template::parse("Hi {{ contact.first_name | there }}, {{agent.name|}}!")
            .expect("template");
        assert_eq!(
            template.parts(),
            &[
                Part::Text("Hi ".into()),
                Part::Placeholder {
                    variable: Variable::ContactFirstName,
                    fallback: Some("there".into())
                },
                Part::Text(", ".into()),
                Part::Placeholder {
                    variable: Variable::AgentName,
                    fallback: None
                },
                Part::Text("!".into()),
            ]
        );
        assert_eq!(
            template.variables().collect::<Vec<_>>(),
            [Variable::ContactFirstName, Variable::AgentName]
        );
        for variable in Variable::ALL {
            assert_eq!(Variable::from_name(variable.name()), Some(variable));
        }
        assert_eq!(Variable::from_name("CONTACT.NAME"), None);
    }

    #[test]
    fn the_contact_comes_from_the_conversation_then_the_client() {
        let context = |names| TemplateContext::default().with_contact(names);
        let named = context(ContactNames {
            contact_name: Some("  Sarah Jane Lee "),
            client_first_name: Some("Sally"),
            client_last_name: Some("Lee"),
        });
        assert_eq!(named.contact_first_name.as_deref(), Some("Sarah"));
        assert_eq!(named.contact_name.as_deref(), Some("Sarah Jane Lee"));
        let client = context(ContactNames {
            contact_name: Some("   "),
            client_first_name: Some("Priya"),
            client_last_name: Some("Patel"),
        });
        assert_eq!(client.contact_first_name.as_deref(), Some("Priya"));
        assert_eq!(client.contact_name.as_deref(), Some("Priya Patel"));
        let last_only = context(ContactNames {
            client_last_name: Some("Patel"),
            ..ContactNames::default()
        });
        assert_eq!(last_only.contact_first_name, None);
        assert_eq!(last_only.contact_name.as_deref(), Some("Patel"));
        assert_eq!(context(ContactNames::default()), TemplateContext::default());
    }

    #[test]
    fn the_pattern_names_every_variable_and_no_nul() {
        let pattern = pattern(r"\u0020");
        assert!(pattern.starts_with(r"^[\u0020]*(?:[^\{\u0000\u0020]|"));
        assert!(pattern.ends_with(")*$"));
        for variable in Variable::ALL {
            assert!(pattern.contains(&variable.name().replace('.', r"\.")));
        }
    }
}
