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

// ---------------------------------------------------------------------------------------
// Word lists. All lowercase. Words that are also common first names (Will, May, Grace,
// Hope, Mark, Bill, Joy, Sunny…) are deliberately left out.

const GREETINGS: &str = "
    hi hii hiii hello helo hallo hey heyy heya hiya howdy yo sup greetings morning afternoon
    evening hola bonjour salut ciao gm bye goodbye cheers welcome
";

const YES_NO: &str = "
    yes yeah yep yup ya yah yea yas yess yesss sure ok okay okey kk no nope nah naw maybe
    correct incorrect right wrong affirmative negative absolutely definitely certainly indeed
    si sí oui non nein ja alright true false perhaps probably
";

const STOP_WORDS: &str = "
    the a an and or but nor so yet for with without to too of in into on onto at by from about
    above after before between during through over under up down out off again as if then than
    because since until while via per re is are was were be been am it its this that these
    those there here what who whom whose which when where why how i me my mine myself you your
    yours yourself u ur we us our ours they them their theirs he him his she her hers one
    someone somebody anyone anybody everyone everybody nobody noone nothing something anything
    everything all any some none each every both either neither other another such same own
    only just also very really more most much many few less least not never ever always still
    already even now soon later today tomorrow yesterday tonight asap anytime sometime first
    last next please pls plz thanks thank thx ty lol haha hehe hmm um uh oh ah oops omg wow idk
    btw fyi tbh etc can could would should must shall might cant dont wont im ive wanna gonna
    gotta kinda whatever nevermind dunno also actually currently honestly basically literally
    seriously totally usually finally hopefully unfortunately obviously recently quickly likely
    unlikely simply exactly completely almost instead otherwise anyway though although however
    else
";

const TIME_WORDS: &str = "
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat
    january february march september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec week weekend weekday month year day days hour hours minute minutes time
    noon night pm
";

const STATES: &str = "
    good great fine well sorry happy glad busy free ready back home away outside inside around
    nearby close closed open done new old interested available unavailable urgent important
    late early tired confused curious lost stuck worried concerned upset angry mad sad
    frustrated disappointed satisfied excited pleased nice bad sick ill hurt injured pregnant
    better worse fantastic excellent perfect wonderful terrible awful horrible amazing awesome
    cool hot cold warm expensive cheap broken weird strange ridiculous crazy serious real fake
    possible impossible easy hard difficult simple quick fast slow certain unsure positive able
    unable allowed alone married retired unemployed existing current former regular returning
    local hungry sleepy alive funny kidding joking legit human robot bot automated unknown
    anonymous private confidential secret different wondering looking calling texting asking
    hoping trying writing reaching checking waiting missing pending interesting boring meeting
    wedding building feeling regarding according including concerning upcoming ongoing
    outstanding thing things stuff afraid allergic anxious nervous scared stressed thankful
    grateful desperate exhausted sore dizzy deaf blind disabled diabetic vegan vegetarian
    student single divorced widowed
";

/// "I'm Canadian" is no name. Demonyms that are also names (Christian) stay out.
const DEMONYMS: &str = "
    american canadian mexican british english scottish welsh irish french german dutch
    belgian swiss austrian italian spanish portuguese greek turkish polish russian ukrainian
    swedish norwegian danish finnish chinese japanese korean vietnamese thai filipino
    indonesian malaysian indian pakistani bangladeshi iranian arab arabic israeli jewish
    muslim hindu buddhist catholic african nigerian kenyan egyptian asian european
    australian brazilian argentinian colombian peruvian chilean cuban jamaican haitian
    latino latina hispanic
";

const NOUNS: &str = "
    customer client patient member guest user owner manager parent mom mum mother dad father
    wife husband son daughter kid kids child friend neighbor neighbour boss person people
    family team staff admin test testing demo sample null nil undefined na quote quotes price
    prices pricing cost costs estimate appointment appointments appt booking reservation order
    orders delivery service services info information details question questions help support
    issue problem account invoice payment refund number phone cell mobile message email website
    address location office store shop clinic dentist cleaning checkup visit plan plans
    enterprise business company stop start unsubscribe subscribe cancel quit end optout
    emergency way car house job work school name names anonymous someone
";

/// Verbs: rejected as words, and the stems of rejected -ing words ("looking" → "look").
const VERBS: &str = "
    look call text ask try write reach check wait go do get have make come think want need like
    know see tell say book schedule reschedule confirm send find take give leave run move pay
    buy sell change fix stay meet talk speak reply respond contact follow inquire enquire
    wonder interest request hear read expect return arrive drive walk eat sleep feel keep show
    use finish live rent regard inform update remind mean let put set pick drop bring sit stand
    joke apply sign register join charge owe lose learn teach study travel ship deliver receive
    worry hate enjoy watch wash clean type shop be am wish plan starve stress struggle
";

/// Verbs that are also names: stems of rejected -ing words, but fine as words ("Hope").
const NAME_VERBS: &str = "
    hope will mark bill grant chase pat rob sue hunt cook win sing rush love dawn jack guy miss
    rain snow
";

const PROFANITY: &str = "
    fuck fucking fucker fucked fuk fck fcuk shit shitty bullshit bitch bastard asshole ass arse
    arsehole dickhead cunt piss pissed damn crap slut whore wtf stfu motherfucker dumbass
    jackass prick twat wanker bollocks douche douchebag idiot stupid moron loser scam spam porn
    sex
";

const TITLES: &str = "
    mr mrs ms miss mx dr prof sir madam maam ma'am mister missus doctor professor rev fr
";

/// Lowercase inside a name ("Pieter van der Berg", "Maria de la Cruz").
const PARTICLES: &str = "
    van der den de del della des di da dos das du la le von ten ter bin ibn al el y
";

/// Particles that are no name on their own.
const LONE_PARTICLES: &str = "
    der den de des dos das du la le von ten ter ibn y
";

/// Common words that are also family or given names, accepted after a name's first word.
const INSIDE_NAMES: &str = "an he hu";

/// Words that end a name in running text: "Sarah *and* I…", "Mike *from* Acme".
const NAME_ENDERS: &str = "
    and from with here speaking calling texting writing again but so i im i'm my for to about
    in on at the a an please pls thanks thank thx by btw lol who which that just of if when
    because or looking wanting wondering also
";

/// Leading words of a reply that come before a bare name: "Hi, Sarah", "Sure — Sarah".
const FILLERS: &str = "
    hi hii hello hey heya hiya yo ok okay oh sure yes yeah yep yup sorry um uh umm well so good
    morning afternoon evening hola name haha lol
";

/// Trailing words after a bare name: "Sarah here", "Sarah, thanks".
const TRAILERS: &str = "
    here speaking thanks thank you thx ty please pls lol
";

/// Whether `word` is one of the whitespace-separated words of `list`.
fn in_list(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|item| item == word)
}

/// The phrases of a `|`-separated list, each as its words.
fn phrases(list: &str) -> impl Iterator<Item = Vec<&str>> {
    list.split('|')
        .map(|phrase| phrase.split_whitespace().collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
}

/// The lookup form of a word: lowercase, typographic apostrophes plain, a trailing period
/// (of "Dr.") dropped.
fn word_key(word: &str) -> String {
    word.trim_end_matches('.')
        .chars()
        .map(normalise_apostrophe)
        .flat_map(char::to_lowercase)
        .collect()
}

fn normalise_apostrophe(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
        other => other,
    }
}

fn is_common_word(key: &str) -> bool {
    [
        GREETINGS, YES_NO, STOP_WORDS, TIME_WORDS, STATES, DEMONYMS, NOUNS, VERBS, TITLES,
    ]
    .iter()
    .any(|list| in_list(list, key))
}

/// "looking", "getting", "hoping", "having": an -ing form of a common verb. Names ending in
/// -ing (Irving, Sterling, Fleming, Xiaoming, Ewing) have no such stem and pass.
fn is_verb_ing(key: &str) -> bool {
    let Some(stem) = key.strip_suffix("ing") else {
        return false;
    };
    if stem.chars().count() < 2 {
        return false;
    }
    let known = |stem: &str| in_list(VERBS, stem) || in_list(NAME_VERBS, stem);
    if known(stem) || known(&format!("{stem}e")) {
        return true;
    }
    // "getting" → "get", "running" → "run"
    let mut chars: Vec<char> = stem.chars().collect();
    let doubled = chars.len() >= 2 && chars[chars.len() - 1] == chars[chars.len() - 2];
    if doubled {
        chars.pop();
        let undoubled: String = chars.into_iter().collect();
        return known(&undoubled);
    }
    false
}

fn is_profane(key: &str) -> bool {
    in_list(PROFANITY, key) || key.contains("fuck")
}

/// A contraction such as "I'm", "we're", "don't", "Kevin's": not a name. "O'Brien" and
/// "D'Angelo" (a one-letter prefix) are.
fn is_contraction(key: &str) -> bool {
    match key.rsplit_once('\'') {
        Some((prefix, suffix)) => {
            prefix.chars().count() > 1
                && matches!(suffix, "s" | "re" | "ll" | "ve" | "d" | "m" | "t")
                || (prefix == "i" && matches!(suffix, "m" | "d" | "ll" | "ve"))
        }
        None => false,
    }
}

/// Combining marks and the signs of Indic scripts, which `char::is_alphabetic` does not
/// cover but which spell names ("Nguyễn" typed with combining accents, "प्रिया").
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0963}'
        | '\u{0966}'..='\u{0DFF}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
        && !c.is_numeric()
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || is_mark(c) || matches!(c, '\'' | '-' | '.' | ' ')
}

/// "J." or "J.R.": letters each followed by a period.
fn is_initials(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    !chars.is_empty()
        && chars.len().is_multiple_of(2)
        && chars
            .chunks(2)
            .all(|pair| pair[0].is_alphabetic() && pair[1] == '.')
}

fn looks_like_contact(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains('@') || lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    // "acme.com", "gmail.co" (but not the initials of "J.R.")
    lower.split(' ').any(|word| {
        let parts: Vec<&str> = word.split('.').collect();
        parts.len() >= 2
            && parts
                .windows(2)
                .any(|pair| pair[0].chars().count() >= 2 && pair[1].chars().count() >= 2)
    })
}

/// Strips quotes and sentence punctuation around a candidate and normalises its spacing and
/// apostrophes. A final period stays when it belongs to an initial ("Sarah J.").
fn clean_candidate(candidate: &str) -> String {
    let normalised: String = candidate.chars().map(normalise_apostrophe).collect();
    let words: Vec<&str> = normalised.split_whitespace().collect();
    let mut text = words.join(" ");
    let edge = |c: char| {
        matches!(
            c,
            '"' | '\'' | '\u{201C}' | '\u{201D}' | '«' | '»' | '(' | ')' | '[' | ']' | '*' | '_'
        )
    };
    loop {
        let before = text.len();
        text = text.trim_matches(edge).trim().to_string();
        let trimmed = text.trim_end_matches([',', '!', '?', ';', ':']);
        text = trimmed.trim_end().to_string();
        let last_word = text.rsplit(' ').next().unwrap_or_default();
        if text.ends_with('.') && !is_initials(last_word) {
            text.pop();
        }
        if text.len() == before {
            return text;
        }
    }
}

/// Capitalises one word of a name. Mixed case as typed ("McDonald", "DeShawn") stays;
/// lowercase or shouted words are capitalised per part ("o'brien" → "O'Brien",
/// "anne-marie" → "Anne-Marie", "mcdonald" → "McDonald").
fn capitalise_word(word: &str, inside: bool) -> String {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let has_lower = letters.iter().any(|c| c.is_lowercase());
    let has_upper_after_first = letters.iter().skip(1).any(|c| c.is_uppercase());
    let key = word_key(word);
    if inside && in_list(PARTICLES, &key) && !(has_lower && has_upper_after_first) {
        let first_upper = word.chars().next().is_some_and(char::is_uppercase);
        // "van" stays "van"; a typed "Van" inside a name is the family's own spelling.
        return if first_upper && has_lower {
            word.to_string()
        } else {
            key
        };
    }
    if has_lower && has_upper_after_first {
        return upper_first(word);
    }
    let lower = word.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut part_start = true;
    let mut part_len = 0;
    for c in lower.chars() {
        if part_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            part_start = false;
            part_len = 1;
            continue;
        }
        match c {
            '-' | '.' => part_start = true,
            // Only after a one-letter prefix: "O'Brien", "D'Angelo", but "Ma'ake".
            '\'' => part_start = part_len == 1,
            _ => {}
        }
        if c.is_alphabetic() {
            part_len += 1;
        } else {
            part_len = 0;
        }
        out.push(c);
    }
    // "AJ", "TJ", "JJ": initials said as a name.
    if letters.len() == 2 && word.chars().count() == 2 && key.ends_with('j') {
        return word.to_uppercase();
    }
    if let Some(rest) = out.strip_prefix("Mc") {
        let mut chars = rest.chars();
        if let Some(third) = chars.next().filter(|_| rest.chars().count() >= 2) {
            return format!("Mc{}{}", third.to_uppercase(), chars.as_str());
        }
    }
    out
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

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
fn check_word(word: &str, inside: bool) -> Result<(), NameRejection> {
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

// ---------------------------------------------------------------------------------------
// Extraction from a message.

/// A word of a message with the punctuation around it taken off.
#[derive(Debug)]
struct Token {
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

fn tokenize(text: &str) -> Vec<Token> {
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

fn token(raw: &str) -> Token {
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
const TRIGGERS: &str = "
    my name is | my name's | my names | ^name is | ^name's | ^name: | call me | this is |
    it's me, | it is me, | it's | its | it is | i'm | im | i am
";

/// The index just after `trigger` when it matches at `index`.
fn trigger_end(trigger: &[&str], tokens: &[Token], index: usize) -> Option<usize> {
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
fn name_at(tokens: &[Token]) -> Option<PersonName> {
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
fn skip_fillers(tokens: &[Token]) -> &[Token] {
    let skip = tokens
        .iter()
        .take_while(|token| token.separator || in_list(FILLERS, &token.key))
        .count();
    &tokens[skip..]
}

/// "Sarah here", "Hi, Sarah Lee speaking": a name followed by "here"/"speaking" at the
/// start of the message.
fn name_before_here(tokens: &[Token]) -> Option<PersonName> {
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

// ---------------------------------------------------------------------------------------
// Model-assisted extraction.

const EXTRACTION_PROMPT: &str = "You read an SMS conversation between a business's agent and \
a customer, and extract the customer's own name if the customer has stated it.\n\
Answer with only a JSON object: {\"first_name\": string or null, \"last_name\": string or null}.\n\
Rules:\n\
- Only a name the customer gives for themselves (\"my name is…\", \"this is…\", \"I'm…\", or \
a bare name in reply to the agent asking for it).\n\
- Phrases such as \"I'm looking for a quote\", \"I'm interested\" or \"this is urgent\" are not \
names.\n\
- Never use a name the agent used, a business name, or another person the customer mentions.\n\
- When unsure, answer null.";

/// A conversation as the extraction prompt reads it: one line per message, oldest first.
pub fn transcript(history: &[(Role, String)]) -> String {
    history
        .iter()
        .filter(|(role, _)| *role != Role::System)
        .map(|(role, text)| {
            let speaker = if *role == Role::User {
                "Customer"
            } else {
                "Agent"
            };
            format!(
                "{speaker}: {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The structured name-extraction request (JSON mode, temperature 0). Its answer goes
/// through [`parse_extraction_json`], which validates it.
pub fn extraction_request(model: &str, conversation_text: &str) -> ChatRequest {
    ChatRequest {
        model: model.to_string(),
        messages: vec![
            ChatMessage::system(EXTRACTION_PROMPT),
            ChatMessage::user(format!("Conversation:\n{conversation_text}")),
        ],
        temperature: 0.0,
        max_tokens: Some(100),
        json_mode: true,
        facts: None,
    }
}

/// Reads `{"first_name": …, "last_name": …}` from a model's answer (code fences, extra
/// keys, nulls and camelCase tolerated) and validates it.
pub fn parse_extraction_json(content: &str) -> Option<PersonName> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let value: Value = serde_json::from_str(content.get(start..=end)?).ok()?;
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| value.get(*key).and_then(Value::as_str))
            .map(str::trim)
            .filter(|text| !text.is_empty())
    };
    let first = text(&["first_name", "firstName", "first", "given_name"]);
    let last = text(&["last_name", "lastName", "last", "family_name", "surname"]);
    let Some(first) = first else {
        // Some models put the whole name in `name`.
        return text(&["name", "full_name"]).and_then(|name| validate_name(name).ok());
    };
    let validated = validate_name(first).ok()?;
    match last.map(validate_name) {
        // The model's split wins: {"first_name": "Anne Marie", "last_name": "Lee"}.
        Some(Ok(last)) => Some(PersonName {
            first: validated.full(),
            last: Some(last.full()),
        }),
        _ => Some(validated),
    }
}

// ---------------------------------------------------------------------------------------
// Identity confirmation ("is this Sarah?").

/// The words of a message for yes/no reading: lowercase, apostrophes dropped ("that's" →
/// "thats"), split into clauses at sentence punctuation.
fn clauses(text: &str) -> Vec<Vec<String>> {
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

const YES_WORDS: &str = "
    yes yeah yep yup ya yah yea ye yeh yess yesss yas y sure correct affirmative absolutely
    definitely certainly indeed si sí oui ja yessir totally exactly
";
const NO_WORDS: &str = "
    no nope nah naw nop noo nooo non nein negative wrong incorrect
";
/// Words before a yes or no that change nothing: "oh yes", "um no".
const ANSWER_FILLERS: &str = "
    oh um umm uh hmm well hi hey hello haha lol ah
";
/// Anywhere in a message, these deny being the person asked about.
const NO_PHRASES: &str = "
    wrong number | wrong person | not me | isnt me | not her | not him | this isnt |
    this is not | thats not | that is not | its not me | you have the wrong |
    youve got the wrong | no one by that name | nobody by that name | never heard of |
    no longer | not this number
";
/// A first clause that is exactly one of these confirms.
const YES_CLAUSES: &str = "
    it is | me | speaking | guilty | present | sure is | it sure is
";
/// A first clause that starts with one of these confirms.
const YES_PHRASES: &str = "
    its me | it is me | thats me | that is me | this is me | this is she | this is he |
    thats right | that is right | thats correct | that is correct | you got it | you bet |
    of course | for sure | thats my name | the one and only
";

fn contains_phrase(words: &[String], phrase: &[&str]) -> bool {
    words
        .windows(phrase.len())
        .any(|window| window.iter().zip(phrase).all(|(word, p)| word == p))
}

fn starts_with_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(word, p)| word == p)
}

/// The first clause's words after any "oh"/"um".
fn answer_start(clauses: &[Vec<String>]) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn name(first: &str, last: Option<&str>) -> PersonName {
        PersonName {
            first: first.to_string(),
            last: last.map(str::to_string),
        }
    }

    #[test]
    fn names_are_found_in_messages() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("my name is Sarah", "Sarah", None),
            ("My name is sarah lee", "Sarah", Some("Lee")),
            (
                "Hi, my name's José García and I need a quote",
                "José",
                Some("García"),
            ),
            ("this is Mike from Acme", "Mike", None),
            ("Hi this is Zoë!", "Zoë", None),
            ("it's Siobhán here", "Siobhán", None),
            (
                "It's Nguyễn Văn An here, about my order",
                "Nguyễn",
                Some("Văn An"),
            ),
            ("I'm Sarah, I'd like to book a cleaning", "Sarah", None),
            ("im kevin", "Kevin", None),
            ("this is Sarah an I need a quote", "Sarah", None),
            ("I am Anne-Marie O'Brien.", "Anne-Marie", Some("O'Brien")),
            ("call me Al", "Al", None),
            ("Name: Jürgen Müller", "Jürgen", Some("Müller")),
            ("it is Priya", "Priya", None),
            ("Hey! I’m Conor O’Brien", "Conor", Some("O'Brien")),
            ("I'm Sarah Lee nice to meet you", "Sarah", Some("Lee")),
            ("I'm looking for a quote, my name is Dana", "Dana", None),
            ("this is urgent, I'm Tom", "Tom", None),
            ("MY NAME IS SARAH CONNOR", "Sarah", Some("Connor")),
            ("my name is Ronald McDonald", "Ronald", Some("McDonald")),
            ("my name is ronald mcdonald", "Ronald", Some("McDonald")),
            ("I am Pieter van der Berg", "Pieter", Some("van der Berg")),
            ("Sarah here, do you have openings?", "Sarah", None),
            ("Hi, Dana Scully speaking", "Dana", Some("Scully")),
            ("it's me, Hope", "Hope", None),
            ("this is Will", "Will", None),
            ("my name is Dr. Sarah Lee", "Sarah", Some("Lee")),
            ("I'm Irving", "Irving", None),
            ("my name is Xiaoming", "Xiaoming", None),
            ("name's D'Angelo", "D'Angelo", None),
            ("I'm John, Sarah's husband", "John", None),
            ("my name is J.R. Ewing", "J.R.", Some("Ewing")),
            ("i am maría josé", "María", Some("José")),
            ("This is DeShawn", "DeShawn", None),
        ];
        for (text, first, last) in cases {
            assert_eq!(
                extract_name(text),
                Some(name(first, *last)),
                "extracting from {text:?}"
            );
        }
    }

    #[test]
    fn phrases_are_not_names() {
        let cases = [
            "I'm looking for a quote",
            "I'm interested in whitening",
            "this is urgent",
            "I'm good thanks",
            "I'm fine",
            "I'm ok",
            "im here",
            "I'm back",
            "I'm sorry",
            "I'm not sure",
            "I'm new here",
            "I'm running late",
            "I'm just checking in",
            "I'm having trouble with my bill",
            "I'm a new patient",
            "I'm at the store",
            "I'm 34",
            "I'm Sarah's husband",
            "this is about my appointment",
            "this is Mike's phone",
            "this is ridiculous",
            "it's fine",
            "it's about my bill",
            "it's me again",
            "it's Tuesday",
            "it is what it is",
            "call me tomorrow",
            "call me back please",
            "call me at 4165551234",
            "my wife's name is Sarah",
            "Is this Sarah's office?",
            "I'm wondering about prices",
            "I'm hoping to book",
            "I'm free tomorrow",
            "I'm Canadian",
            "I'm afraid not",
            "I'm allergic to latex",
            "I'm starving",
            "It's raining",
            "I'm available monday",
            "Can you call me?",
            "my name is fuck off",
            "my name is sarah@example.com",
            "this is www.acme.com",
            "Hello",
            "yes",
            "Sarah",
        ];
        for text in cases {
            assert_eq!(extract_name(text), None, "{text:?} holds no name");
        }
    }

    #[test]
    fn bare_names_count_only_after_asking() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Sarah", "Sarah", None),
            ("sarah lee", "Sarah", Some("Lee")),
            ("josé garcía", "José", Some("García")),
            ("Sure, Zoë!", "Zoë", None),
            ("Siobhán, and I need a cleaning", "Siobhán", None),
            ("O'Brien, Conor", "O'Brien", None),
            ("Sarah 😊", "Sarah", None),
            ("Hi! Nguyễn", "Nguyễn", None),
            ("Anne-Marie thanks", "Anne-Marie", None),
            ("hope", "Hope", None),
        ];
        for (text, first, last) in cases {
            assert_eq!(
                extract_name_reply(text, true),
                Some(name(first, *last)),
                "reply {text:?}"
            );
            if extract_name(text).is_none() {
                assert_eq!(extract_name_reply(text, false), None, "unasked {text:?}");
            }
        }
        for text in [
            "yes",
            "no",
            "why do you need it?",
            "What are your hours?",
            "Tuesday works",
            "I'd rather not say",
            "S",
            "ok",
            "thanks",
            "book me in please",
            "555-1234",
            "👍",
            "",
        ] {
            assert_eq!(extract_name_reply(text, true), None, "reply {text:?}");
        }
    }

    #[test]
    fn the_validator_accepts_names() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Sarah", "Sarah", None),
            ("sarah", "Sarah", None),
            ("SARAH LEE", "Sarah", Some("Lee")),
            ("josé garcía", "José", Some("García")),
            ("Zoë", "Zoë", None),
            ("o'brien", "O'Brien", None),
            ("Conor O'Brien", "Conor", Some("O'Brien")),
            ("McDonald", "McDonald", None),
            ("nguyễn", "Nguyễn", None),
            ("anne-marie", "Anne-Marie", None),
            ("Siobhán Ní Bhriain", "Siobhán", Some("Ní Bhriain")),
            ("Thomas Müller", "Thomas", Some("Müller")),
            ("pieter van der berg", "Pieter", Some("van der Berg")),
            ("Maria de la Cruz", "Maria", Some("de la Cruz")),
            ("Ludwig van Beethoven", "Ludwig", Some("van Beethoven")),
            ("Sarah J.", "Sarah", Some("J.")),
            ("J.R. Smith", "J.R.", Some("Smith")),
            ("Ma'ake", "Ma'ake", None),
            ("Søren Kierkegaard", "Søren", Some("Kierkegaard")),
            ("Łukasz", "Łukasz", None),
            ("Nguye\u{0302}\u{0303}n", "Nguye\u{0302}\u{0303}n", None),
            ("李小龙", "李小龙", None),
            ("Nguyễn Văn An", "Nguyễn", Some("Văn An")),
            ("Wei He", "Wei", Some("He")),
            ("Владимир", "Владимир", None),
            ("  \"Sarah\"  ", "Sarah", None),
            ("Sarah.", "Sarah", None),
            ("Grace", "Grace", None),
            ("Sterling Archer", "Sterling", Some("Archer")),
            ("Al", "Al", None),
            ("Van Morrison", "Van", Some("Morrison")),
            ("Mrs. Sarah Lee", "Sarah", Some("Lee")),
            ("Kelly-Ann Smith-Jones", "Kelly-Ann", Some("Smith-Jones")),
            ("DeShawn", "DeShawn", None),
            ("tj", "TJ", None),
            ("Ed", "Ed", None),
            ("Rain", "Rain", None),
            ("Christian", "Christian", None),
            ("प्रिया", "प्रिया", None),
            ("محمد علي", "محمد", Some("علي")),
        ];
        for (input, first, last) in cases {
            assert_eq!(
                validate_name(input),
                Ok(name(first, *last)),
                "validating {input:?}"
            );
        }
    }

    #[test]
    fn the_validator_rejects_non_names() {
        use NameRejection::*;
        let not_a_name = |word: &str| NotAName(word.to_string());
        let cases: Vec<(&str, NameRejection)> = vec![
            ("", Empty),
            ("   ", Empty),
            ("I'm looking for a quote", TooManyWords),
            ("looking for a quote", TooManyWords),
            ("I'm interested", not_a_name("i'm")),
            ("interested", not_a_name("interested")),
            ("this is urgent", not_a_name("this")),
            ("urgent", not_a_name("urgent")),
            ("good", not_a_name("good")),
            ("fine", not_a_name("fine")),
            ("OK", not_a_name("ok")),
            ("here", not_a_name("here")),
            ("back", not_a_name("back")),
            ("sorry", not_a_name("sorry")),
            ("not sure", not_a_name("not")),
            ("Sarah2", Digits),
            ("4165551234", Digits),
            ("hi", not_a_name("hi")),
            ("Hello", not_a_name("hello")),
            ("hey", not_a_name("hey")),
            ("yes", not_a_name("yes")),
            ("no", not_a_name("no")),
            ("nope", not_a_name("nope")),
            ("the", not_a_name("the")),
            ("a", SingleLetter),
            ("for", not_a_name("for")),
            ("with", not_a_name("with")),
            ("looking", not_a_name("looking")),
            ("getting", not_a_name("getting")),
            ("texting", not_a_name("texting")),
            ("HELP", not_a_name("help")),
            ("STOP", not_a_name("stop")),
            ("QUOTE", not_a_name("quote")),
            ("sarah@example.com", Contact),
            ("https://acme.com", Contact),
            ("acme.com", Contact),
            ("Sarah Jane Lee Smith", TooManyWords),
            ("Bartholomew Maximilian Fitzgerald-Worthington", TooLong),
            ("shit", Profanity),
            ("Fucking Sarah", Profanity),
            ("J", SingleLetter),
            ("J.", SingleLetter),
            ("😀", Character('😀')),
            ("Sarah 🙂", Character('🙂')),
            ("Sarah_Lee", Character('_')),
            ("Mr. Smith", SurnameOnly),
            ("Kevin's", not_a_name("kevin's")),
            ("don't", not_a_name("don't")),
            ("Tuesday", not_a_name("tuesday")),
            ("null", not_a_name("null")),
            ("unknown", not_a_name("unknown")),
            ("customer", not_a_name("customer")),
            ("de", not_a_name("de")),
            ("-Sarah", Character('-')),
        ];
        for (input, rejection) in cases {
            assert_eq!(validate_name(input), Err(rejection), "validating {input:?}");
        }
    }

    #[test]
    fn extraction_answers_are_parsed_and_validated() {
        let cases: &[(&str, Option<PersonName>)] = &[
            (
                r#"{"first_name": "sarah", "last_name": "lee"}"#,
                Some(name("Sarah", Some("Lee"))),
            ),
            (r#"{"first_name": "Zoë", "last_name": null}"#, Some(name("Zoë", None))),
            (
                "```json\n{\"first_name\": \"José\", \"last_name\": \"García\", \"confidence\": 0.9}\n```",
                Some(name("José", Some("García"))),
            ),
            (
                r#"Sure! {"firstName": "Anne Marie", "lastName": "O'Brien"}"#,
                Some(name("Anne Marie", Some("O'Brien"))),
            ),
            (
                r#"{"first_name": "Sarah Lee", "last_name": null}"#,
                Some(name("Sarah", Some("Lee"))),
            ),
            (
                r#"{"first_name": "Sarah", "last_name": "looking"}"#,
                Some(name("Sarah", None)),
            ),
            (r#"{"name": "Siobhán Murphy"}"#, Some(name("Siobhán", Some("Murphy")))),
            (r#"{"first_name": null, "last_name": null}"#, None),
            (r#"{"first_name": "", "last_name": ""}"#, None),
            (r#"{"first_name": "null"}"#, None),
            (r#"{"first_name": "Looking", "last_name": "For A Quote"}"#, None),
            (r#"{"first_name": "interested"}"#, None),
            (r#"{"first_name": 42}"#, None),
            ("not json", None),
            ("{broken", None),
            ("", None),
        ];
        for (content, expected) in cases {
            assert_eq!(
                &parse_extraction_json(content),
                expected,
                "parsing {content:?}"
            );
        }
    }

    #[test]
    fn the_extraction_request_asks_for_json() {
        let request = extraction_request(
            "gpt-4o-mini",
            &transcript(&[
                (Role::Assistant, "Hi! Could I get your name?".to_string()),
                (Role::User, "sure,\n it's Sarah".to_string()),
            ]),
        );
        assert!(request.json_mode);
        assert_eq!(request.temperature, 0.0);
        assert_eq!(request.model, "gpt-4o-mini");
        assert_eq!(request.messages.len(), 2);
        assert_eq!(request.messages[0].role, Role::System);
        assert!(request.messages[0].content.contains("first_name"));
        assert_eq!(
            request.messages[1].content,
            "Conversation:\nAgent: Hi! Could I get your name?\nCustomer: sure, it's Sarah"
        );
        assert!(request.facts.is_none());
    }

    #[test]
    fn yes_and_no_answers() {
        let yes = [
            "yes",
            "Yes!",
            "yep",
            "yeah that's me",
            "Yeah, that’s me",
            "correct",
            "It is",
            "it is!",
            "sí",
            "Si",
            "yup, what's up?",
            "Yes, is the clinic open Saturday?",
            "that's me",
            "It's me",
            "speaking",
            "oh yes",
            "Absolutely",
            "sure",
            "That's right",
            "of course",
            "Y",
        ];
        for text in yes {
            assert!(is_affirmative(text), "{text:?} is a yes");
            assert!(!is_negative(text), "{text:?} is not a no");
        }
        let no = [
            "no",
            "No.",
            "nope",
            "Nah",
            "wrong number",
            "You have the wrong number",
            "not me",
            "this isn't sarah",
            "This is not Sarah",
            "No, this is Mike",
            "sorry, wrong person",
            "I'm not Sarah",
            "she no longer has this number",
            "that's not me",
            "um no",
        ];
        for text in no {
            assert!(is_negative(text), "{text:?} is a no");
            assert!(!is_affirmative(text), "{text:?} is not a yes");
        }
        let neither = [
            "What are your hours?",
            "Who is this?",
            "I need a quote",
            "no problem",
            "I'm not sure what you mean",
            "It is open on Saturday?",
            "ok",
            "",
            "hello",
            "Is the clinic open?",
        ];
        for text in neither {
            assert!(!is_affirmative(text), "{text:?} is not a yes");
            assert!(!is_negative(text), "{text:?} is not a no");
        }
    }

    #[test]
    fn identity_answers() {
        use IdentityAnswer::*;
        let cases = [
            ("yes", Confirmed),
            ("Yes, is the clinic open Saturday?", Confirmed),
            ("Sarah here", Confirmed),
            ("sarah", Confirmed),
            ("this is Sarah", Confirmed),
            ("no", Denied),
            ("wrong number", Denied),
            ("This is Mike", Denied),
            ("Mike", Denied),
            ("No, this is Sarah's husband", Denied),
            ("What are your hours?", Unclear),
            ("who is this?", Unclear),
        ];
        for (text, expected) in cases {
            assert_eq!(identity_answer(text, "Sarah"), expected, "{text:?}");
        }
        assert_eq!(identity_answer("it's josé", "José García"), Confirmed);
    }

    #[test]
    fn names_display_in_full() {
        assert_eq!(name("Sarah", Some("Lee")).to_string(), "Sarah Lee");
        assert_eq!(name("Sarah", None).full(), "Sarah");
    }
}
