//! Property tests of the parsers that read untrusted input: Telnyx's webhook bodies, list
//! cursors, the dates of list filters and Telnyx's timestamps, and the SMS segment counter.
//! Whatever the input, they never panic: they answer a value or a typed error, and the times
//! they accept lie in years 1 to 9999 (what people mean and PostgreSQL stores).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use parley::conversations::list::{parse_bound, Cursor as ListCursor};
use parley::pagination::Cursor;
use parley::sms::{analyze, fit_to_segments, Encoding};
use parley::telnyx::wire::{parse_timestamp, EventType, ParseError, WebhookEvent};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

fn accepted_year(at: DateTime<Utc>) -> bool {
    (1..=9999).contains(&at.year())
}

// --- webhooks ---------------------------------------------------------------------------

/// A `message.received` event shaped like Telnyx's reference example.
fn valid_event() -> Value {
    json!({
        "data": {
            "event_type": "message.received",
            "id": "b301ed3f-1490-491f-995f-6e64e69674d4",
            "occurred_at": "2026-11-25T10:00:00.000+00:00",
            "record_type": "event",
            "payload": {
                "cc": [], "completed_at": null, "cost": {"amount": "0.0000", "currency": "USD"},
                "direction": "inbound", "encoding": "GSM-7", "errors": [],
                "from": {"carrier": "T-Mobile USA", "line_type": "long_code",
                         "phone_number": "+14165551234", "status": "received"},
                "id": "84cca175-9755-4859-b67f-4730d7f58aa3",
                "media": [{"url": "https://example.com/a.jpg", "content_type": "image/jpeg",
                           "hash_sha256": "x", "size": 100}],
                "messaging_profile_id": "740572b6-099c-44a1-89b9-6c92163bc68d",
                "parts": 1, "received_at": "2026-11-25T10:00:00.000+00:00",
                "record_type": "message", "sent_at": null, "tags": [], "text": "Hello",
                "to": [{"carrier": "Telnyx", "line_type": "Wireless",
                        "phone_number": "+14165550100", "status": "webhook_delivered"}],
                "type": "SMS", "valid_until": null, "webhook_failover_url": null,
                "webhook_url": "https://example.com/webhooks"
            }
        },
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"}
    })
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("date-time"),
            Just("-262143-01-01T00:00:00"),
            Just("+262142-12-31T23:59:59"),
            Just("0000-01-01T00:00:00+01:00"),
            Just("9999-12-31T23:59:59-23:59"),
            Just("2026-11-25 10:00:00"),
            Just("delivered"),
            Just("sent"),
            Just("4294967296"),
            Just("-1"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every accessor a handler may call on a parsed event.
fn touch_everything(event: &WebhookEvent) {
    let payload = event.payload();
    let _ = (
        event.id(),
        event.kind(),
        event.message_id(),
        event.attempt(),
    );
    let _ = (event.delivery_status(), event.occurred_at());
    let _ = (
        payload.from_number(),
        payload.to_number(),
        payload.first_error(),
    );
    let _ = (
        payload.received_at_parsed(),
        payload.sent_at_parsed(),
        payload.completed_at_parsed(),
    );
    if let Some(error) = payload.first_error() {
        let _ = error.describe();
    }
}

/// What `parse` promises of an event it accepts.
fn check_accepted(event: &WebhookEvent) -> Result<(), TestCaseError> {
    prop_assert!(!event.id().trim().is_empty());
    prop_assert!(!event.data.event_type.trim().is_empty());
    if event.kind().is_message_event() {
        prop_assert!(!event.message_id().trim().is_empty());
    }
    for at in [
        event.occurred_at(),
        event.payload().received_at_parsed(),
        event.payload().sent_at_parsed(),
        event.payload().completed_at_parsed(),
    ]
    .into_iter()
    .flatten()
    {
        prop_assert!(accepted_year(at), "a timestamp in year {}", at.year());
    }
    touch_everything(event);
    Ok(())
}

/// Fields of the payload that a webhook is never refused over.
const LENIENT_PAYLOAD_FIELDS: &[&str] = &[
    "cc",
    "completed_at",
    "cost",
    "direction",
    "encoding",
    "errors",
    "from",
    "media",
    "messaging_profile_id",
    "parts",
    "received_at",
    "record_type",
    "sent_at",
    "tags",
    "text",
    "to",
    "type",
    "valid_until",
    "webhook_failover_url",
    "webhook_url",
    "subject",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn webhook_parse_never_panics_on_bytes(raw in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(event) = WebhookEvent::parse(&raw) {
            check_accepted(&event)?;
        }
    }

    #[test]
    fn webhook_parse_never_panics_on_json(value in any_json()) {
        let raw = serde_json::to_vec(&value).unwrap();
        if let Ok(event) = WebhookEvent::parse(&raw) {
            check_accepted(&event)?;
        }
    }

    /// Any value in a field we do not need still parses, with the same ids.
    #[test]
    fn odd_values_in_lenient_fields_never_refuse_the_event(
        field in prop::sample::select(LENIENT_PAYLOAD_FIELDS),
        value in any_json(),
        meta in any_json(),
        occurred_at in any_json(),
    ) {
        let mut event = valid_event();
        event["data"]["payload"][field] = value;
        event["meta"] = meta;
        event["data"]["occurred_at"] = occurred_at;
        let raw = serde_json::to_vec(&event).unwrap();
        let parsed = WebhookEvent::parse(&raw);
        prop_assert!(parsed.is_ok(), "refused over {field}: {parsed:?}");
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.id(), "b301ed3f-1490-491f-995f-6e64e69674d4");
        prop_assert_eq!(parsed.kind(), EventType::MessageReceived);
        prop_assert_eq!(parsed.message_id(), "84cca175-9755-4859-b67f-4730d7f58aa3");
        check_accepted(&parsed)?;
    }

    /// The fields an event cannot do without: replaced by anything, the event parses or is
    /// refused with a typed error naming what is missing.
    #[test]
    fn required_fields_replaced_give_a_typed_error(
        path in prop::sample::select(&[
            "/data", "/data/id", "/data/event_type", "/data/payload", "/data/payload/id",
        ][..]),
        value in any_json(),
        remove in any::<bool>(),
    ) {
        let mut event = valid_event();
        let (parent, key) = path.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            &mut event
        } else {
            event.pointer_mut(parent).unwrap()
        };
        let object = parent.as_object_mut().unwrap();
        if remove {
            object.remove(key);
        } else {
            object.insert(key.to_string(), value);
        }
        let raw = serde_json::to_vec(&event).unwrap();
        match WebhookEvent::parse(&raw) {
            Ok(parsed) => check_accepted(&parsed)?,
            Err(ParseError::Json(_)) => prop_assert!(false, "valid JSON refused as JSON"),
            Err(ParseError::Missing(_) | ParseError::Payload { .. }) => {}
        }
    }

    /// Byte-level damage to a valid body: never a panic.
    #[test]
    fn damaged_bodies_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut raw = serde_json::to_vec(&valid_event()).unwrap();
        for (index, byte, operation) in edits {
            let at = index.index(raw.len() + 1);
            match operation {
                0 if at < raw.len() => raw[at] = byte,
                1 => raw.insert(at, byte),
                _ if at < raw.len() => {
                    raw.remove(at);
                }
                _ => {}
            }
        }
        if let Ok(event) = WebhookEvent::parse(&raw) {
            check_accepted(&event)?;
        }
    }

    #[test]
    fn telnyx_timestamps_are_read_or_absent(text in timestamp_like()) {
        if let Some(at) = parse_timestamp(Some(&text)) {
            prop_assert!(accepted_year(at), "{text} read as year {}", at.year());
        }
    }
}

// --- cursors ----------------------------------------------------------------------------

/// A time in years 1..=9999, to the microsecond.
fn storable_time() -> impl Strategy<Value = DateTime<Utc>> {
    let first = Utc
        .with_ymd_and_hms(1, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_micros();
    let last = Utc
        .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .unwrap()
        .timestamp_micros();
    (first..=last).prop_map(|micros| DateTime::from_timestamp_micros(micros).unwrap())
}

/// Strings matching an anchored regular expression.
fn pattern(regex: &'static str) -> impl Strategy<Value = String> {
    let inner = regex.trim_start_matches('^').trim_end_matches('$');
    proptest::string::string_regex(inner).expect("a regular expression proptest supports")
}

/// Texts shaped like cursors (`<micros>.<id>` and `<micros>.<micros>.<id>`) with numbers of
/// any size and sign, ids of any form, and stray text.
fn cursor_like() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-1_000_000_000_000_000_000i128..1_000_000_000_000_000_000).prop_map(|n| n.to_string()),
        Just(i64::MIN.to_string()),
        Just(i64::MAX.to_string()),
        Just("-62135596800000001".to_string()),
        Just("253402300800000000".to_string()),
        any::<u128>().prop_map(|n| Uuid::from_u128(n).simple().to_string()),
        any::<u128>().prop_map(|n| Uuid::from_u128(n).to_string()),
        ".{0,12}",
    ];
    prop::collection::vec(part, 0..5).prop_map(|parts| parts.join("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn page_cursors_round_trip(at in storable_time(), id in any::<u128>()) {
        let cursor = Cursor::new(at, Uuid::from_u128(id));
        prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn page_cursors_decode_or_refuse(text in prop_oneof![".{0,80}", cursor_like()]) {
        if let Some(cursor) = Cursor::decode(&text) {
            prop_assert!(accepted_year(cursor.at), "a cursor at year {}", cursor.at.year());
        }
        let answer = Cursor::from_query(Some(&text));
        if let Err(error) = answer {
            let body = error.body().error;
            prop_assert_eq!(body.field.as_deref(), Some("cursor"));
        }
    }

    /// Every string the documented pattern allows is a cursor the API accepts (schemathesis
    /// sends such strings and expects no 400).
    #[test]
    fn page_cursors_of_the_documented_form_decode(text in pattern(parley::pagination::CURSOR_PATTERN)) {
        prop_assert!(Cursor::decode(&text).is_some(), "{text} refused");
    }

    #[test]
    fn list_cursors_of_the_documented_form_decode(text in pattern(parley::conversations::list::CURSOR_PATTERN)) {
        prop_assert!(ListCursor::decode(&text).is_some(), "{text} refused");
    }

    #[test]
    fn list_cursors_round_trip(snapshot in storable_time(), key in storable_time(), id in any::<u128>()) {
        let cursor = ListCursor { snapshot, key, id: Uuid::from_u128(id) };
        prop_assert_eq!(ListCursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn list_cursors_decode_or_refuse(text in prop_oneof![".{0,80}", cursor_like()]) {
        if let Some(cursor) = ListCursor::decode(&text) {
            prop_assert!(accepted_year(cursor.snapshot) && accepted_year(cursor.key),
                "a cursor at years {} and {}", cursor.snapshot.year(), cursor.key.year());
        }
    }
}

// --- dates ------------------------------------------------------------------------------

/// Strings near the forms the date parsers read: dates and RFC 3339 times with any year
/// (signed, many digits), any month, day and offset, and arbitrary text.
fn timestamp_like() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        -300_000i64..300_000,
        -1i64..=1,
        9998i64..=10_001,
        Just(-262_144i64),
        Just(-262_143),
        Just(262_142),
        Just(262_143),
    ];
    let date = (year, 0u32..14, 0u32..33).prop_map(|(y, m, d)| {
        let sign = if y < 0 {
            "-"
        } else if y > 9999 {
            "+"
        } else {
            ""
        };
        format!("{sign}{:04}-{m:02}-{d:02}", y.abs())
    });
    let offset = prop_oneof![
        Just("Z".to_string()),
        (0u32..25, 0u32..61, any::<bool>())
            .prop_map(|(h, m, east)| format!("{}{h:02}:{m:02}", if east { "+" } else { "-" })),
    ];
    let time = (
        0u32..25,
        0u32..61,
        0u32..62,
        prop::option::of(0u32..1_000_000_000),
    );
    let rfc3339 = (
        date.clone(),
        time,
        offset,
        prop_oneof![Just("T"), Just(" "), Just("t")],
    )
        .prop_map(|(date, (h, m, s, fraction), offset, separator)| {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{date}{separator}{h:02}:{m:02}:{s:02}{fraction}{offset}")
        });
    prop_oneof![date, rfc3339, ".{0,40}", "[0-9:+TZ .-]{0,32}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// `from`/`to` of the inbox list: read in years 1..=9999 or refused naming the field.
    #[test]
    fn list_bounds_are_storable_or_refused(text in timestamp_like(), end_of_day in any::<bool>()) {
        match parse_bound(&text, "from", end_of_day) {
            Ok(at) => prop_assert!(accepted_year(at), "{text} read as year {}", at.year()),
            Err(error) => {
                let body = error.body().error;
                prop_assert_eq!(body.code.as_str(), "invalid_query");
                prop_assert_eq!(body.field.as_deref(), Some("from"));
            }
        }
    }

    /// A date covers its whole UTC day.
    #[test]
    fn list_bounds_read_dates_as_whole_days(year in 1i32..=9999, ordinal in 1u32..=366) {
        let Some(date) = NaiveDate::from_yo_opt(year, ordinal) else { return Ok(()) };
        let text = format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
        let start = parse_bound(&text, "from", false).unwrap();
        let end = parse_bound(&text, "to", true).unwrap();
        prop_assert_eq!(start, date.and_hms_opt(0, 0, 0).unwrap().and_utc());
        prop_assert_eq!(end - start, Duration::days(1) - Duration::microseconds(1));
    }
}

/// A request body with an optional client-given time, read as the API reads `occurred_at`.
#[derive(Debug, serde::Deserialize)]
struct WithTime {
    #[serde(default, deserialize_with = "parley::timestamps::deserialize_optional")]
    at: Option<DateTime<Utc>>,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// A time in a request body is within years 1..=9999 or a deserialisation error (which
    /// the API answers 422 naming the field).
    #[test]
    fn body_times_are_storable_or_refused(text in timestamp_like()) {
        let body = json!({ "at": text }).to_string();
        if let Ok(WithTime { at: Some(at) }) = serde_json::from_str::<WithTime>(&body) {
            prop_assert!(accepted_year(at), "{text} read as year {}", at.year());
        }
    }
}

// --- SMS segments -----------------------------------------------------------------------

/// Texts mixing GSM-7 basic characters, extension characters (two septets), accented
/// letters outside GSM-7, Cyrillic and emoji (two UTF-16 units).
fn sms_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 .,!?@£$]{0,400}",
        "[a-z€{}\\[\\]~|^\\\\]{0,400}",
        "[a-zЖïé€😀]{0,200}",
        "[a-z😀👍🏽]{0,100}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn segment_counts_hold_the_text(text in sms_text()) {
        let info = analyze(&text);
        prop_assert_eq!(info.characters as usize, text.chars().count());
        let (single, multipart) = match info.encoding {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        };
        match info.encoding {
            Encoding::Ucs2 => prop_assert_eq!(info.units as usize, text.encode_utf16().count()),
            Encoding::Gsm7 => prop_assert!(
                info.characters <= info.units && info.units <= 2 * info.characters
            ),
        }
        if text.is_empty() {
            prop_assert_eq!(info.segments, 0);
        } else if info.units <= single {
            prop_assert_eq!((info.segments, info.units_per_segment), (1, single));
        } else {
            prop_assert_eq!(info.units_per_segment, multipart);
            prop_assert!(info.segments >= 2);
            prop_assert!(info.segments * info.units_per_segment >= info.units);
            // A character is at most two units wide: no segment but the last is left with
            // more than one unit free.
            prop_assert!(info.segments <= info.units.div_ceil(multipart - 1));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An AI answer cut to a segment budget: it fits, it is the start of the answer (with an
    /// ellipsis when cut mid-sentence), it is the whole answer when that fits, and a GSM-7
    /// answer stays GSM-7.
    #[test]
    fn answers_cut_to_a_budget_fit_and_keep_their_start(
        text in prop_oneof![sms_text(), "([A-Za-z]{1,12}[ .!?]{1,2}){0,200}"],
        budget in 0u32..12,
    ) {
        let cut = fit_to_segments(&text, budget);
        let whole = text.trim();
        prop_assert!(analyze(&cut).segments <= budget.max(1), "{} segments", analyze(&cut).segments);
        if analyze(whole).segments <= budget.max(1) {
            prop_assert_eq!(cut.as_str(), whole);
        } else {
            let start = cut
                .strip_suffix("...")
                .or_else(|| cut.strip_suffix('…'))
                .unwrap_or(&cut);
            prop_assert!(whole.starts_with(start), "{cut:?} is not a start of the answer");
            if analyze(whole).encoding == Encoding::Gsm7 {
                prop_assert_eq!(analyze(&cut).encoding, Encoding::Gsm7);
            }
        }
    }
}
