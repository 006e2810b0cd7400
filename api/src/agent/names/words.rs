//! The word lists the name rules read, and the word-level tests on them. All lowercase.
//! Words that are also common first names (Will, May, Grace, Hope, Mark, Bill, Joy, Sunny…)
//! are deliberately left out.

pub(super) const GREETINGS: &str = "
    hi hii hiii hello helo hallo hey heyy heya hiya howdy yo sup greetings morning afternoon
    evening hola bonjour salut ciao gm bye goodbye cheers welcome
";

pub(super) const YES_NO: &str = "
    yes yeah yep yup ya yah yea yas yess yesss sure ok okay okey kk no nope nah naw maybe
    correct incorrect right wrong affirmative negative absolutely definitely certainly indeed
    si sí oui non nein ja alright true false perhaps probably
";

pub(super) const STOP_WORDS: &str = "
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

pub(super) const TIME_WORDS: &str = "
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat
    january february march september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec week weekend weekday month year day days hour hours minute minutes time
    noon night pm
";

pub(super) const STATES: &str = "
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
pub(super) const DEMONYMS: &str = "
    american canadian mexican british english scottish welsh irish french german dutch
    belgian swiss austrian italian spanish portuguese greek turkish polish russian ukrainian
    swedish norwegian danish finnish chinese japanese korean vietnamese thai filipino
    indonesian malaysian indian pakistani bangladeshi iranian arab arabic israeli jewish
    muslim hindu buddhist catholic african nigerian kenyan egyptian asian european
    australian brazilian argentinian colombian peruvian chilean cuban jamaican haitian
    latino latina hispanic
";

pub(super) const NOUNS: &str = "
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
pub(super) const VERBS: &str = "
    look call text ask try write reach check wait go do get have make come think want need like
    know see tell say book schedule reschedule confirm send find take give leave run move pay
    buy sell change fix stay meet talk speak reply respond contact follow inquire enquire
    wonder interest request hear read expect return arrive drive walk eat sleep feel keep show
    use finish live rent regard inform update remind mean let put set pick drop bring sit stand
    joke apply sign register join charge owe lose learn teach study travel ship deliver receive
    worry hate enjoy watch wash clean type shop be am wish plan starve stress struggle
";

/// Verbs that are also names: stems of rejected -ing words, but fine as words ("Hope").
pub(super) const NAME_VERBS: &str = "
    hope will mark bill grant chase pat rob sue hunt cook win sing rush love dawn jack guy miss
    rain snow
";

pub(super) const PROFANITY: &str = "
    fuck fucking fucker fucked fuk fck fcuk shit shitty bullshit bitch bastard asshole ass arse
    arsehole dickhead cunt piss pissed damn crap slut whore wtf stfu motherfucker dumbass
    jackass prick twat wanker bollocks douche douchebag idiot stupid moron loser scam spam porn
    sex
";

pub(super) const TITLES: &str = "
    mr mrs ms miss mx dr prof sir madam maam ma'am mister missus doctor professor rev fr
";

/// Lowercase inside a name ("Pieter van der Berg", "Maria de la Cruz").
pub(super) const PARTICLES: &str = "
    van der den de del della des di da dos das du la le von ten ter bin ibn al el y
";

/// Particles that are no name on their own.
pub(super) const LONE_PARTICLES: &str = "
    der den de des dos das du la le von ten ter ibn y
";

/// Common words that are also family or given names, accepted after a name's first word.
pub(super) const INSIDE_NAMES: &str = "an he hu";

/// Words that end a name in running text: "Sarah *and* I…", "Mike *from* Acme".
pub(super) const NAME_ENDERS: &str = "
    and from with here speaking calling texting writing again but so i im i'm my for to about
    in on at the a an please pls thanks thank thx by btw lol who which that just of if when
    because or looking wanting wondering also
";

/// Leading words of a reply that come before a bare name: "Hi, Sarah", "Sure — Sarah".
pub(super) const FILLERS: &str = "
    hi hii hello hey heya hiya yo ok okay oh sure yes yeah yep yup sorry um uh umm well so good
    morning afternoon evening hola name haha lol
";

/// Trailing words after a bare name: "Sarah here", "Sarah, thanks".
pub(super) const TRAILERS: &str = "
    here speaking thanks thank you thx ty please pls lol
";

/// Whether `word` is one of the whitespace-separated words of `list`.
pub(super) fn in_list(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|item| item == word)
}

/// The phrases of a `|`-separated list, each as its words.
pub(super) fn phrases(list: &str) -> impl Iterator<Item = Vec<&str>> {
    list.split('|')
        .map(|phrase| phrase.split_whitespace().collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
}

/// The lookup form of a word: lowercase, typographic apostrophes plain, a trailing period
/// (of "Dr.") dropped.
pub(super) fn word_key(word: &str) -> String {
    word.trim_end_matches('.')
        .chars()
        .map(normalise_apostrophe)
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn normalise_apostrophe(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
        other => other,
    }
}

pub(super) fn is_common_word(key: &str) -> bool {
    [
        GREETINGS, YES_NO, STOP_WORDS, TIME_WORDS, STATES, DEMONYMS, NOUNS, VERBS, TITLES,
    ]
    .iter()
    .any(|list| in_list(list, key))
}

/// "looking", "getting", "hoping", "having": an -ing form of a common verb. Names ending in
/// -ing (Irving, Sterling, Fleming, Xiaoming, Ewing) have no such stem and pass.
pub(super) fn is_verb_ing(key: &str) -> bool {
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

pub(super) fn is_profane(key: &str) -> bool {
    in_list(PROFANITY, key) || key.contains("fuck")
}

/// A contraction such as "I'm", "we're", "don't", "Kevin's": not a name. "O'Brien" and
/// "D'Angelo" (a one-letter prefix) are.
pub(super) fn is_contraction(key: &str) -> bool {
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
pub(super) fn is_mark(c: char) -> bool {
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

pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || is_mark(c) || matches!(c, '\'' | '-' | '.' | ' ')
}

/// "J." or "J.R.": letters each followed by a period.
pub(super) fn is_initials(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    !chars.is_empty()
        && chars.len().is_multiple_of(2)
        && chars
            .chunks(2)
            .all(|pair| pair[0].is_alphabetic() && pair[1] == '.')
}

pub(super) fn looks_like_contact(text: &str) -> bool {
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
pub(super) fn clean_candidate(candidate: &str) -> String {
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
pub(super) fn capitalise_word(word: &str, inside: bool) -> String {
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

pub(super) fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
