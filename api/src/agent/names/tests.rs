//! The name and identity rules, case by case.

use super::answers::*;
use super::extract::*;
use super::model::*;
use super::validate::*;
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
