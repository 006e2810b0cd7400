//! Small helpers: the inbox filters and their URL form, query strings, times, debouncing.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use leptos::leptos_dom::helpers::{set_timeout_with_handle, TimeoutHandle};
use leptos::prelude::*;
use std::time::Duration;

/// The inbox's search and filters, exactly the list endpoint's query parameters. They live
/// in the page URL, so a reload or a shared link shows the same selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub q: String,
    pub from: String,
    pub to: String,
    pub qualification_status: String,
    pub channel: String,
    pub status: String,
    /// `me`, `unassigned` or a user's id.
    pub assignee: String,
    /// `true` for the conversations the AI handed to a person.
    pub needs_human: String,
}

/// The inbox's views: each a preset of the status, assignee and handoff filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    All,
    Open,
    Mine,
    Unassigned,
    NeedsPerson,
    Closed,
}

impl View {
    pub const ALL: [View; 6] = [
        View::All,
        View::Open,
        View::Mine,
        View::Unassigned,
        View::NeedsPerson,
        View::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::All => "All",
            View::Open => "Open",
            View::Mine => "Mine",
            View::Unassigned => "Unassigned",
            View::NeedsPerson => "Needs a person",
            View::Closed => "Closed",
        }
    }

    /// The element id of the view's tab.
    pub fn id(self) -> &'static str {
        match self {
            View::All => "view-all",
            View::Open => "view-open",
            View::Mine => "view-mine",
            View::Unassigned => "view-unassigned",
            View::NeedsPerson => "view-needs-person",
            View::Closed => "view-closed",
        }
    }

    /// `(status, assignee, needs_human)` as the list's query selects them.
    fn preset(self) -> (&'static str, &'static str, &'static str) {
        match self {
            View::All => ("", "", ""),
            View::Open => ("active", "", ""),
            View::Mine => ("active", "me", ""),
            View::Unassigned => ("active", "unassigned", ""),
            View::NeedsPerson => ("", "", "true"),
            View::Closed => ("closed", "", ""),
        }
    }

    /// The view the filters show, if they are one.
    pub fn of(filters: &Filters) -> Option<View> {
        let current = (
            filters.status.as_str(),
            filters.assignee.as_str(),
            filters.needs_human.as_str(),
        );
        View::ALL.into_iter().find(|view| view.preset() == current)
    }

    /// `filters` showing this view (search and other filters kept).
    pub fn apply(self, filters: &Filters) -> Filters {
        let (status, assignee, needs_human) = self.preset();
        Filters {
            status: status.into(),
            assignee: assignee.into(),
            needs_human: needs_human.into(),
            ..filters.clone()
        }
    }
}

impl Filters {
    pub const KEYS: [&'static str; 8] = [
        "q",
        "from",
        "to",
        "qualification_status",
        "channel",
        "status",
        "assignee",
        "needs_human",
    ];

    /// Reads the filters from URL query pairs (unknown keys are ignored).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Filters {
        let mut filters = Filters::default();
        for (key, value) in pairs {
            filters.set(key, value.trim().to_string());
        }
        filters
    }

    /// Sets one filter by its query key (an unknown key changes nothing).
    pub fn set(&mut self, key: &str, value: String) {
        match key {
            "q" => self.q = value,
            "from" => self.from = value,
            "to" => self.to = value,
            "qualification_status" => self.qualification_status = value,
            "channel" => self.channel = value,
            "status" => self.status = value,
            "assignee" => self.assignee = value,
            "needs_human" => self.needs_human = value,
            _ => {}
        }
    }

    /// One filter by its query key (empty for an unknown key).
    pub fn get(&self, key: &str) -> &str {
        match key {
            "q" => &self.q,
            "from" => &self.from,
            "to" => &self.to,
            "qualification_status" => &self.qualification_status,
            "channel" => &self.channel,
            "status" => &self.status,
            "assignee" => &self.assignee,
            "needs_human" => &self.needs_human,
            _ => "",
        }
    }

    /// The non-empty filters as query pairs, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        Filters::KEYS
            .iter()
            .filter_map(|key| {
                let value = self.get(key).trim();
                (!value.is_empty()).then(|| (*key, value.to_string()))
            })
            .collect()
    }

    /// `?q=…&status=…`, or the empty string when nothing is selected.
    pub fn to_query(&self) -> String {
        query_string(&self.pairs())
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }

    /// How many filters of the panel are set (shown on the Filters button): not the search
    /// text, nor what the view tabs choose.
    pub fn active_count(&self) -> usize {
        self.pairs()
            .iter()
            .filter(|(key, _)| !matches!(*key, "q" | "assignee" | "needs_human"))
            .filter(|(key, _)| *key != "status" || View::of(self).is_none())
            .count()
    }
}

/// Percent-encodes a query component (everything but RFC 3986's unreserved characters).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `?a=1&b=x%20y` from pairs; empty when there are none.
pub fn query_string<K: AsRef<str>>(pairs: &[(K, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let joined: Vec<String> = pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                encode_component(key.as_ref()),
                encode_component(value)
            )
        })
        .collect();
    format!("?{}", joined.join("&"))
}

/// The file name of a `Content-Disposition: attachment; filename="x.csv"` header.
pub fn attachment_filename(header: &str) -> Option<String> {
    header.split(';').find_map(|part| {
        let (key, value) = part.trim().split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("filename") {
            return None;
        }
        let name = value.trim().trim_matches('"').trim();
        let safe: String = name
            .chars()
            .filter(|c| !matches!(c, '/' | '\\' | '\0'))
            .collect();
        (!safe.is_empty()).then_some(safe)
    })
}

/// A compact time for lists: `14:05` today, `Mon` this week, `Nov 3` this year, else the date.
pub fn short_time(at: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    let today = now.with_timezone(&offset);
    let days = today
        .date_naive()
        .signed_duration_since(local.date_naive())
        .num_days();
    if days == 0 {
        local.format("%H:%M").to_string()
    } else if (1..7).contains(&days) {
        local.format("%a").to_string()
    } else if local.year() == today.year() {
        local.format("%b %-d").to_string()
    } else {
        local.format("%Y-%m-%d").to_string()
    }
}

/// A full local time for tooltips and message details: `2026-11-25 14:05`.
pub fn full_time(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Now, from the browser's clock (chrono's own clock is not available on wasm).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The browser's UTC offset at `at` (daylight saving time included).
pub fn local_offset(at: DateTime<Utc>) -> FixedOffset {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    // Minutes to add to local time to get UTC: positive west of Greenwich.
    let minutes = date.get_timezone_offset() as i32;
    FixedOffset::west_opt(minutes * 60).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap())
}

/// [`short_time`] in the browser's time zone.
pub fn list_time(at: DateTime<Utc>) -> String {
    let now = now();
    short_time(at, now, local_offset(at))
}

/// [`full_time`] in the browser's time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    full_time(at, local_offset(at))
}

/// Today's date in the browser's time zone, `YYYY-MM-DD`.
pub fn today() -> String {
    let now = now();
    now.with_timezone(&local_offset(now))
        .format("%Y-%m-%d")
        .to_string()
}

/// A customer's number as the signed-in tenant reads it (see `parley::phone_format`).
pub fn phone_for_people(e164: &str) -> String {
    phone_for_account(use_context::<crate::components::shell::Account>(), e164)
}

/// [`phone_for_people`] where no component's context is at hand (a task, a callback).
pub fn phone_for_account(account: Option<crate::components::shell::Account>, e164: &str) -> String {
    let region = account
        .and_then(|account| {
            account
                .me
                .with_untracked(|me| me.as_ref().map(|me| me.tenant.default_region.clone()))
        })
        .unwrap_or_default();
    parley::phone_format::for_tenant(e164, &region)
}

/// The line the inbox list shows for a conversation. While a customer's message waits (it is
/// unread, or the AI handed it to a person) their own last line shows, not the reply after it
/// that would hide their question; otherwise the last line, prefixed by who wrote it when that
/// was not the customer.
pub fn list_preview(conversation: &parley::wire::Conversation) -> String {
    use parley::wire::Author;
    let last = conversation
        .last_message_preview
        .clone()
        .unwrap_or_default();
    let author = conversation.last_message_author;
    let waiting = conversation.needs_human || conversation.unread_count > 0;
    match (author, &conversation.last_customer_message_preview) {
        (Some(Author::Customer) | None, _) => last,
        (Some(_), Some(customer)) if waiting => customer.clone(),
        (Some(Author::Ai), _) => format!("AI: {last}"),
        (Some(Author::Agent), _) => format!("Agent: {last}"),
        (Some(Author::System), _) => format!("Automatic: {last}"),
    }
}

/// Whether a key press asks for the next (`Some(true)`) or previous (`Some(false)`)
/// conversation: `j`/`k` outside text fields, or Alt+↓/Alt+↑ anywhere.
pub fn list_step(event: &web_sys::KeyboardEvent) -> Option<bool> {
    use wasm_bindgen::JsCast;
    let typing = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element
                    .closest("dialog[open], [contenteditable=true]")
                    .ok()
                    .flatten()
                    .is_some()
        });
    let plain = !event.ctrl_key() && !event.meta_key() && !event.alt_key();
    match event.key().as_str() {
        "j" if plain && !typing => Some(true),
        "k" if plain && !typing => Some(false),
        "ArrowDown" if event.alt_key() => Some(true),
        "ArrowUp" if event.alt_key() => Some(false),
        _ => None,
    }
}

/// The item after (or before) `current` in `items`; the first (or last) when none is current.
pub fn neighbour<T, K: PartialEq>(
    items: &[T],
    key: impl Fn(&T) -> K,
    current: Option<K>,
    forward: bool,
) -> Option<K> {
    let position = current.and_then(|current| items.iter().position(|item| key(item) == current));
    let index = match (position, forward) {
        (None, true) => 0,
        (None, false) => items.len().checked_sub(1)?,
        (Some(at), true) => at + 1,
        (Some(at), false) => at.checked_sub(1)?,
    };
    items.get(index).map(key)
}

thread_local! {
    /// What the tab shows: the page's title, and how many customer messages wait unread.
    static TITLE: std::cell::RefCell<(String, u32)> = const { std::cell::RefCell::new((String::new(), 0)) };
}

/// The tab's text: "(3) Ada Lee — Parley" while three messages wait unread.
pub fn tab_title(what: &str, unread: u32) -> String {
    let page = if what.is_empty() {
        "Parley".to_string()
    } else {
        format!("{what} — Parley")
    };
    if unread == 0 {
        page
    } else {
        format!("({unread}) {page}")
    }
}

fn show_title() {
    TITLE.with(|title| {
        let (what, unread) = &*title.borrow();
        leptos::prelude::document().set_title(&tab_title(what, *unread));
    });
}

/// The tab's title: `What — Parley` (with the unread count in front, see [`tab_title`]).
pub fn set_title(what: &str) {
    TITLE.with(|title| title.borrow_mut().0 = what.to_string());
    show_title();
}

/// How many customer messages wait unread in the inbox (shown in the tab's title).
pub fn set_unread_total(unread: u32) {
    TITLE.with(|title| title.borrow_mut().1 = unread);
    show_title();
}

/// Runs the last of a burst of calls after a quiet period (typing in a search box).
#[derive(Clone, Copy)]
pub struct Debouncer {
    pending: StoredValue<Option<TimeoutHandle>>,
    delay: Duration,
}

impl Debouncer {
    /// A debouncer owned by the current component: a pending call is dropped with it.
    pub fn new(delay: Duration) -> Debouncer {
        let pending = StoredValue::new(None::<TimeoutHandle>);
        on_cleanup(move || {
            if let Some(Some(handle)) = pending.try_get_value() {
                handle.clear();
            }
        });
        Debouncer { pending, delay }
    }

    pub fn call(&self, task: impl FnOnce() + 'static) {
        self.cancel();
        let pending = self.pending;
        let handle = set_timeout_with_handle(
            move || {
                pending.try_set_value(None);
                task();
            },
            self.delay,
        )
        .ok();
        self.pending.set_value(handle);
    }

    pub fn cancel(&self) {
        if let Some(Some(handle)) = self.pending.try_get_value() {
            handle.clear();
        }
        self.pending.try_set_value(None);
    }
}

/// A person's readable name for an enum value: `delivery_failed` → `Delivery failed`.
pub fn humanize(value: &str) -> String {
    let text = value.replace(['_', '.'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn filters_round_trip_through_the_url() {
        let filters = Filters::from_pairs([
            ("q", "416 555".to_string()),
            ("status", "active".to_string()),
            ("limit", "5".to_string()),
            ("from", "".to_string()),
        ]);
        assert_eq!(filters.q, "416 555");
        assert_eq!(filters.to_query(), "?q=416%20555&status=active");
        // `status=active` is the Open view's tab, not a panel filter.
        assert_eq!(filters.active_count(), 0);
        assert_eq!(View::of(&filters), Some(View::Open));
        let with_channel = Filters {
            channel: "sms".into(),
            ..filters.clone()
        };
        assert_eq!(with_channel.active_count(), 1);
        assert!(Filters::default().is_empty());
        assert_eq!(Filters::default().to_query(), "");
    }

    #[test]
    fn the_list_shows_the_customers_question_while_it_waits() {
        let mut conversation: parley::wire::Conversation =
            serde_json::from_value(serde_json::json!({
                "id": "6f9d5f3e-4a8b-4c3e-9f1a-2b7c8d9e0f11", "phone_number": "+14165550144",
                "tenant_phone_number": "+14165550100", "contact_name": null, "company": null,
                "client_id": null, "assistant_id": null, "status": "active",
                "qualification_status": "new", "channel": "sms", "ai_enabled": true,
                "opted_out": false, "identity": "unknown",
                "last_message_at": "2026-11-30T10:00:00Z",
                "last_message_preview": "A team member will follow up.",
                "last_message_author": "ai",
                "last_customer_message_preview": "Can I get a refund?",
                "unread_count": 0, "previous_conversation_id": null, "ai_paused_until": null,
                "assignee_id": null, "needs_human": false, "handoff_reason": null,
                "ai_error": null, "created_at": "2026-11-30T09:00:00Z",
                "updated_at": "2026-11-30T10:00:00Z"
            }))
            .unwrap();
        assert_eq!(
            list_preview(&conversation),
            "AI: A team member will follow up."
        );
        conversation.needs_human = true;
        assert_eq!(list_preview(&conversation), "Can I get a refund?");
        conversation.needs_human = false;
        conversation.unread_count = 1;
        assert_eq!(list_preview(&conversation), "Can I get a refund?");
        conversation.unread_count = 0;
        conversation.last_message_author = Some(parley::wire::Author::Customer);
        conversation.last_message_preview = Some("Thanks!".into());
        assert_eq!(list_preview(&conversation), "Thanks!");
        // A message with only a picture: the server's words for what it carries.
        conversation.last_message_preview = Some("a picture".into());
        assert_eq!(list_preview(&conversation), "a picture");
        conversation.last_message_author = Some(parley::wire::Author::Agent);
        conversation.last_message_preview = Some("2 pictures".into());
        assert_eq!(list_preview(&conversation), "Agent: 2 pictures");
    }

    #[test]
    fn j_and_k_walk_the_list_and_stop_at_its_ends() {
        let items = [1, 2, 3];
        assert_eq!(neighbour(&items, |i| *i, None, true), Some(1));
        assert_eq!(neighbour(&items, |i| *i, None, false), Some(3));
        assert_eq!(neighbour(&items, |i| *i, Some(2), true), Some(3));
        assert_eq!(neighbour(&items, |i| *i, Some(2), false), Some(1));
        assert_eq!(neighbour(&items, |i| *i, Some(3), true), None);
        assert_eq!(neighbour(&items, |i| *i, Some(1), false), None);
        assert_eq!(neighbour(&[] as &[i32], |i| *i, None, true), None);
    }

    #[test]
    fn the_tab_counts_unread_messages() {
        assert_eq!(tab_title("Inbox", 0), "Inbox — Parley");
        assert_eq!(tab_title("Ada Lee", 3), "(3) Ada Lee — Parley");
        assert_eq!(tab_title("", 1), "(1) Parley");
    }

    #[test]
    fn views_are_presets_that_keep_the_search() {
        let searched = Filters::from_pairs([("q", "smith".to_string())]);
        assert_eq!(View::of(&searched), Some(View::All));
        let mine = View::Mine.apply(&searched);
        assert_eq!(mine.to_query(), "?q=smith&status=active&assignee=me");
        assert_eq!(View::of(&mine), Some(View::Mine));
        let person = View::NeedsPerson.apply(&mine);
        assert_eq!(person.to_query(), "?q=smith&needs_human=true");
        let odd = Filters {
            status: "closed".into(),
            assignee: "me".into(),
            ..Filters::default()
        };
        assert_eq!(View::of(&odd), None);
    }

    #[test]
    fn encodes_query_components() {
        assert_eq!(
            encode_component("+1 (416) é&="),
            "%2B1%20%28416%29%20%C3%A9%26%3D"
        );
        assert_eq!(
            query_string(&[("input", "(416) 555-1234".to_string())]),
            "?input=%28416%29%20555-1234"
        );
    }

    #[test]
    fn reads_the_attachment_name() {
        assert_eq!(
            attachment_filename("attachment; filename=\"conversations-2026-11-25.csv\""),
            Some("conversations-2026-11-25.csv".to_string())
        );
        assert_eq!(attachment_filename("attachment"), None);
        assert_eq!(
            attachment_filename("attachment; filename=\"../x.csv\""),
            Some("..x.csv".to_string())
        );
    }

    #[test]
    fn short_times_depend_on_distance() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).unwrap();
        let same_day = Utc.with_ymd_and_hms(2026, 11, 25, 9, 5, 0).unwrap();
        assert_eq!(short_time(same_day, now, utc), "09:05");
        let monday = Utc.with_ymd_and_hms(2026, 11, 23, 9, 5, 0).unwrap();
        assert_eq!(short_time(monday, now, utc), "Mon");
        let earlier = Utc.with_ymd_and_hms(2026, 3, 2, 9, 5, 0).unwrap();
        assert_eq!(short_time(earlier, now, utc), "Mar 2");
        let last_year = Utc.with_ymd_and_hms(2025, 3, 2, 9, 5, 0).unwrap();
        assert_eq!(short_time(last_year, now, utc), "2025-03-02");
        let toronto = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(full_time(same_day, toronto), "2026-11-25 04:05");
    }

    #[test]
    fn humanizes_wire_names() {
        assert_eq!(humanize("delivery_failed"), "Delivery failed");
        assert_eq!(humanize("message.created"), "Message created");
        assert_eq!(humanize(""), "");
    }
}
