//! `make bench`: Parley with an inbox of a real size on this machine (release build, one
//! instance, PostgreSQL on the same machine), each figure printed beside the limit it runs
//! against and the ratio.
//!
//! 0. Seeding: one tenant; 100,000 conversations and 1,000,000 messages go straight in with SQL
//!    (`INSERT … SELECT … FROM generate_series`): varied names, companies, phone numbers,
//!    statuses and times over a year, some conversations closed, a few customers opted out;
//!    then VACUUM ANALYZE, as autovacuum leaves tables of this size.
//! 1. List: `GET /api/v1/conversations`, the first page, pages deep down the `next_cursor`
//!    chain, and the filters (status, qualification status, last-activity range); a
//!    conversation's messages. Limit: p95 under 100 ms.
//! 2. Search: the list's `q` (contact name, company, phone digits) with a few terms, the
//!    first page and the pages after. Limit: p95 under 200 ms.
//! 3. CSV export of every conversation from the release binary in a process of its own: rows
//!    a second as the body streams (goal 20,000/s) and the process's peak resident memory
//!    (`VmHWM`, limit 256 MB).
//!
//! Sizes can be changed with `BENCH_CONVERSATIONS`, `BENCH_MESSAGES_TOTAL`; `BENCH_CLIENTS`
//! clients (default 1) run the list and search requests at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::future::join_all;
use parley_tests::bench::{env_number, percentile, process_memory_mb, report};
use parley_tests::process::{free_port, ServerProcess};
use parley_tests::{TestApp, JWT_SECRET};
use serde_json::Value;

const OUR_NUMBER: &str = "+14165550100";
const LIST_LIMIT_MS: f64 = 100.0;
const SEARCH_LIMIT_MS: f64 = 200.0;
const EXPORT_GOAL_ROWS: f64 = 20_000.0;
const RSS_LIMIT_MB: f64 = 256.0;
/// Pages read down the `next_cursor` chain (of 50): 10,000 conversations deep.
const DEEP_PAGES: usize = 200;
const ROUNDS: usize = 10;
/// Contact name, full name, last name, company, phone digits (two fragments), nothing.
const SEARCH_TERMS: [&str; 7] = [
    "sarah",
    "olivia smith",
    "nguyen",
    "dental",
    "(416) 555",
    "604 79",
    "zebra",
];

/// The text of message `j` of a conversation: even ones the customer's, odd ones the
/// business's (an agent or the AI), greeting the customer by first name when known. A
/// function of the session (`pg_temp`), so the conversation's preview is its last message.
const TEXT_FUNCTION: &str = r#"
CREATE FUNCTION pg_temp.bench_text(i bigint, j bigint, first_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN j % 2 = 0 THEN (ARRAY[
    'Hi, can I book a cleaning for next Tuesday?',
    'What time do you open on Saturday?',
    'Is there parking near your office?',
    'I need to reschedule my appointment, something came up at work',
    'How much is a first consultation?',
    'Thanks, see you then!',
    'Running about 10 minutes late, sorry',
    'Do you take my insurance? It is through my employer',
    'Can you send me the address please',
    'Yes, that works for me',
    'Could someone call me back about the quote you sent?',
    'Is the 3pm slot on Friday still open?'
  ])[1 + (i + j * 3) % 12]
  ELSE replace((ARRAY[
    'Hi {name}, your appointment is confirmed for Tuesday at 3pm.',
    'We open at 9am on Saturdays and close at 2pm.',
    'Yes, there is free parking behind the building.',
    'No problem {name}, which day works best for you?',
    'A first consultation is $75, free for returning clients.',
    'See you soon, {name}!',
    'Thanks for letting us know, we will hold your spot.',
    'We accept most major insurance plans; bring your card along.',
    'Our address is 120 King St W, Suite 400. Reply STOP to opt out.',
    'Great, you are all set. Anything else we can help with?',
    'Sure {name}, someone from our team will call you within the hour.',
    'Friday at 3pm is open. Shall I book it for you?'
  ])[1 + (i * 5 + j) % 12], '{name}', coalesce(first_name, 'there'))
  END
$$;
"#;

/// One row per conversation (who, when, how many messages), then the conversations and a few
/// opt-outs. Phone numbers are distinct (`i * 7919` is one-to-one modulo 10^7), so the one
/// active conversation per customer holds. Placeholders: `{tenant}`, `{our_number}`,
/// `{conversations}`, `{spread}` (a conversation has 1 to `spread` messages).
const SEED_CONVERSATIONS: &str = r#"
CREATE TEMP TABLE bench_seed AS
SELECT i,
       gen_random_uuid() AS id,
       '+1' || (ARRAY['416', '647', '905', '212', '646', '415', '312', '617', '303', '604'])[1 + (i / 100) % 10]
            || lpad((i * 7919 % 10000000)::text, 7, '0') AS phone,
       CASE WHEN i % 10 < 7 THEN (ARRAY['Sarah', 'James', 'Maria', 'David', 'Emily', 'Michael', 'Olivia',
            'Daniel', 'Sophia', 'Liam', 'Ava', 'Noah', 'Isabella', 'Ethan', 'Mia', 'Lucas', 'Chloe', 'Mason',
            'Zoe', 'Logan', 'Priya', 'Arjun', 'Mei', 'Wei', 'Fatima', 'Omar', 'Elena', 'Mateo', 'Aisha', 'Kenji',
            'Hannah', 'Jacob', 'Grace', 'Samuel', 'Leah', 'Nathan', 'Ruby', 'Owen', 'Nora', 'Felix'])[1 + (i / 10) % 40]
       END AS first_name,
       (ARRAY['Chen', 'Smith', 'Garcia', 'Johnson', 'Brown', 'Nguyen', 'Patel', 'Williams', 'Jones', 'Miller',
            'Davis', 'Rodriguez', 'Martinez', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson',
            'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young',
            'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter',
            'Mitchell', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins',
            'Stewart'])[1 + (i / 7) % 50] AS last_name,
       CASE WHEN i % 5 < 2 THEN (ARRAY['Maple Dental', 'Northside Plumbing', 'Bright Smile Clinic',
            'Harbor Auto Repair', 'Lakeview Realty', 'Summit Fitness', 'Green Leaf Landscaping',
            'Cedar Vet Hospital', 'Riverside Bakery', 'Metro Movers', 'Pinecrest Law', 'Blue Sky Roofing',
            'Urban Yoga', 'Golden Gate Tutoring', 'Oakwood Pharmacy'])[1 + (i / 5) % 15]
       END AS company,
       t.created_at,
       t.created_at + (now() - t.created_at) * ((1 + i * 6151 % 999) / 1000.0) AS last_at,
       1 + i * 7 % {spread} AS messages
  FROM generate_series(1::bigint, {conversations}) i
 CROSS JOIN LATERAL (SELECT now() - (i * 104729 % (365 * 86400)) * interval '1 second' AS created_at) t;

INSERT INTO conversations (id, tenant_id, phone_number, tenant_phone_number, contact_name, company, status,
    qualification_status, channel, ai_enabled, identity, last_message_at, last_message_preview, last_read_at,
    unread_count, created_at, updated_at)
SELECT s.id, '{tenant}'::uuid, s.phone, '{our_number}', s.first_name || ' ' || s.last_name, s.company,
       CASE WHEN s.i % 7 = 0 THEN 'closed' ELSE 'active' END,
       (ARRAY['new', 'contacted', 'qualified', 'unqualified', 'customer', 'lost'])[1 + (s.i / 3) % 6],
       'sms', s.i % 5 <> 0,
       CASE WHEN s.first_name IS NOT NULL AND s.i % 3 = 0 THEN 'verified' ELSE 'unknown' END,
       s.last_at, pg_temp.bench_text(s.i, s.messages - 1, s.first_name),
       CASE WHEN u.unread = 0 THEN s.last_at END, u.unread, s.created_at, s.last_at
  FROM bench_seed s
 CROSS JOIN LATERAL (SELECT CASE WHEN (s.messages - 1) % 2 = 0 AND s.i % 3 <> 0 THEN 1 + s.i % 3 ELSE 0 END AS unread) u;

INSERT INTO opt_outs (tenant_id, phone_number, keyword, created_at)
SELECT '{tenant}'::uuid, s.phone, 'STOP', s.last_at FROM bench_seed s WHERE s.i % 500 = 0;
"#;

/// Each conversation's messages, spread from its start to its last activity (the last one is
/// its preview), customer and business taking turns.
const SEED_MESSAGES: &str = r#"
INSERT INTO messages (id, tenant_id, conversation_id, direction, author, text, encoding, segments, status,
    telnyx_message_id, created_at, sent_at, delivered_at, updated_at, ai_provider)
SELECT gen_random_uuid(), '{tenant}'::uuid, s.id,
       CASE WHEN j % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
       a.author, pg_temp.bench_text(s.i, j, s.first_name), 'GSM-7', 1,
       CASE WHEN j % 2 = 0 THEN 'received' ELSE 'delivered' END,
       gen_random_uuid()::text, t.at,
       CASE WHEN j % 2 = 1 THEN t.at END, CASE WHEN j % 2 = 1 THEN t.at + interval '3 seconds' END, t.at,
       CASE WHEN a.author = 'ai' THEN 'openai_compatible' END
  FROM bench_seed s
 CROSS JOIN LATERAL generate_series(0::bigint, s.messages - 1) j
 CROSS JOIN LATERAL (SELECT s.last_at - (s.last_at - s.created_at)
                            * ((s.messages - 1 - j)::float8 / greatest(s.messages - 1, 1)) AS at) t
 CROSS JOIN LATERAL (SELECT CASE WHEN j % 2 = 0 THEN 'customer' WHEN (s.i + j) % 4 = 1 THEN 'ai'
                            ELSE 'agent' END AS author) a;
"#;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 or p95 of request times, in milliseconds.
fn quantile_ms(times: &[Duration], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    ms(percentile(&sorted, p))
}

fn settings(pairs: &[(&str, String)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!(
        "Parley data bench ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let conversations = env_number("BENCH_CONVERSATIONS", 100_000).max(1);
    let messages = env_number("BENCH_MESSAGES_TOTAL", 1_000_000);
    let clients = env_number("BENCH_CLIENTS", 1).max(1);
    // The HTTP side only: no worker takes jobs while the figures run.
    let app = TestApp::spawn_with(settings(&[("PARLEY_WORKERS", "0".into())])).await;
    let tenant = app.create_tenant_with_number("Bench", OUR_NUMBER).await;
    let seeded = seed(&app, &tenant.tenant.id.to_string(), conversations, messages).await;
    let api = Api {
        http: reqwest::Client::new(),
        base: app.address.clone(),
        token: tenant.admin_token.clone(),
    };
    list(&api, &seeded, clients).await;
    search(&api, clients).await;
    export(&app, &tenant.admin_token, seeded.conversations).await;
}

struct Seeded {
    conversations: usize,
    messages: usize,
}

/// Seeds the tenant's conversations and about `messages` messages between them, then
/// VACUUM ANALYZE.
async fn seed(app: &TestApp, tenant: &str, conversations: usize, messages: usize) -> Seeded {
    let per_conversation = (messages / conversations).max(1);
    let fill = |sql: &str| {
        sql.replace("{tenant}", tenant)
            .replace("{our_number}", OUR_NUMBER)
            .replace("{conversations}", &conversations.to_string())
            .replace("{spread}", &(2 * per_conversation - 1).to_string())
    };
    // One session: the seed table and the text function are its own (`pg_temp`).
    let mut conn = AsyncPgConnection::establish(&app.db.url)
        .await
        .expect("a connection for seeding");
    let started = Instant::now();
    conn.batch_execute(TEXT_FUNCTION)
        .await
        .expect("the seed's text function");
    conn.batch_execute(&fill(SEED_CONVERSATIONS))
        .await
        .expect("seed conversations");
    let conversations_took = started.elapsed();
    conn.batch_execute(&fill(SEED_MESSAGES))
        .await
        .expect("seed messages");
    let seeding = started.elapsed();
    conn.batch_execute("VACUUM (ANALYZE) conversations, messages, opt_outs")
        .await
        .expect("VACUUM ANALYZE");
    let vacuum = started.elapsed() - seeding;
    let seeded = Seeded {
        conversations: app
            .count("SELECT count(*) AS count FROM conversations")
            .await as usize,
        messages: app.count("SELECT count(*) AS count FROM messages").await as usize,
    };
    let megabytes = |table: &str| {
        let sql = format!("SELECT pg_total_relation_size('{table}') AS count");
        async move { app.count(&sql).await as f64 / 1e6 }
    };
    println!(
        "\n0. Seeding: {} conversations ({:.0} MB with indexes), {} messages ({:.0} MB), one tenant",
        seeded.conversations,
        megabytes("conversations").await,
        seeded.messages,
        megabytes("messages").await
    );
    println!(
        "  in {:.1} s (conversations {:.1} s, messages {:.1} s); VACUUM ANALYZE {:.1} s",
        seeding.as_secs_f64(),
        conversations_took.as_secs_f64(),
        (seeding - conversations_took).as_secs_f64(),
        vacuum.as_secs_f64()
    );
    seeded
}

/// The API as one signed-in client.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// GETs `path` with `params`; answers the JSON body and the time until it was all read.
    async fn get(&self, path: &str, params: &[(&str, &str)]) -> (Value, Duration) {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), params)
            .expect("a request URL");
        let started = Instant::now();
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let took = started.elapsed();
        assert!(
            status.is_success(),
            "GET {path} {params:?}: {status}: {text}"
        );
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (body, took)
    }
}

/// Request times of the first page of a listing and of the pages after it.
#[derive(Default)]
struct Pages {
    first: Vec<Duration>,
    later: Vec<Duration>,
}

impl Pages {
    fn extend(&mut self, other: Pages) {
        self.first.extend(other.first);
        self.later.extend(other.later);
    }

    fn all(&self) -> Vec<Duration> {
        self.first.iter().chain(&self.later).copied().collect()
    }
}

/// Reads up to `pages` pages of the inbox with `params`, following `next_cursor`; answers the
/// times and the ids of the conversations listed.
async fn walk(api: &Api, params: &[(&str, &str)], pages: usize) -> (Pages, Vec<String>) {
    let mut times = Pages::default();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for page_number in 0..pages {
        let mut query = params.to_vec();
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.as_str()));
        }
        let (page, took) = api.get("/api/v1/conversations", &query).await;
        if page_number == 0 {
            times.first.push(took);
        } else {
            times.later.push(took);
        }
        ids.extend(
            page["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str().map(String::from)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    (times, ids)
}

/// What one client measures of the list.
#[derive(Default)]
struct ListTimes {
    first_page: Vec<Duration>,
    deep: Vec<Duration>,
    filtered: Vec<Duration>,
    messages: Vec<Duration>,
}

/// A day `days` ago, as the `from`/`to` filters take it.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn list_client(api: &Api) -> ListTimes {
    let mut times = ListTimes::default();
    for _ in 0..ROUNDS * 10 {
        let (pages, _) = walk(api, &[], 1).await;
        times.first_page.extend(pages.first);
    }
    let (pages, ids) = walk(api, &[], DEEP_PAGES).await;
    times.deep.extend(pages.later);
    let (month, quarter, two_months) = (days_ago(30), days_ago(90), days_ago(60));
    let filters: [Vec<(&str, &str)>; 5] = [
        vec![("status", "closed")],
        vec![("status", "active"), ("qualification_status", "qualified")],
        vec![("qualification_status", "customer")],
        vec![("from", month.as_str())],
        vec![("from", quarter.as_str()), ("to", two_months.as_str())],
    ];
    for _ in 0..ROUNDS {
        for filter in &filters {
            times.filtered.extend(walk(api, filter, 5).await.0.all());
        }
    }
    // Conversations from all along the list, most of them long untouched.
    let step = (ids.len() / 200).max(1);
    for id in ids.iter().step_by(step) {
        let (_, took) = api
            .get(&format!("/api/v1/conversations/{id}/messages"), &[])
            .await;
        times.messages.push(took);
    }
    times
}

async fn list(api: &Api, seeded: &Seeded, clients: usize) {
    let mut all = ListTimes::default();
    for times in join_all((0..clients).map(|_| list_client(api))).await {
        all.first_page.extend(times.first_page);
        all.deep.extend(times.deep);
        all.filtered.extend(times.filtered);
        all.messages.extend(times.messages);
    }
    println!(
        "\n1. List: {} conversations, {} messages; clients at once: {clients}",
        seeded.conversations, seeded.messages
    );
    let limit = "p95 under 100 ms";
    report(
        &format!("first page ({} requests): p50", all.first_page.len()),
        quantile_ms(&all.first_page, 0.5),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    report(
        "first page: p95",
        quantile_ms(&all.first_page, 0.95),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    report(
        &format!(
            "next_cursor pages to {} deep ({}): p95",
            DEEP_PAGES * 50,
            all.deep.len()
        ),
        quantile_ms(&all.deep, 0.95),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    report(
        &format!("filters, 5 pages each ({}): p95", all.filtered.len()),
        quantile_ms(&all.filtered, 0.95),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    report(
        &format!("a conversation's messages ({}): p95", all.messages.len()),
        quantile_ms(&all.messages, 0.95),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    let every: Vec<Duration> = [&all.first_page, &all.deep, &all.filtered, &all.messages]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    report(
        &format!("every list request ({}): p50", every.len()),
        quantile_ms(&every, 0.5),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
    report(
        "every list request: p95",
        quantile_ms(&every, 0.95),
        "ms",
        LIST_LIMIT_MS,
        limit,
    );
}

/// Each term's first page and up to three pages after it, `ROUNDS` times; answers the times
/// and how many conversations each term's first page found.
async fn search_client(api: &Api) -> (Pages, Vec<usize>) {
    let mut times = Pages::default();
    let mut found = vec![0; SEARCH_TERMS.len()];
    for _ in 0..ROUNDS {
        for (term, found) in SEARCH_TERMS.iter().zip(found.iter_mut()) {
            let (pages, ids) = walk(api, &[("q", *term)], 4).await;
            *found = ids.len();
            times.extend(pages);
        }
    }
    (times, found)
}

async fn search(api: &Api, clients: usize) {
    let mut times = Pages::default();
    let mut found = Vec::new();
    for (client_times, client_found) in join_all((0..clients).map(|_| search_client(api))).await {
        times.extend(client_times);
        found = client_found;
    }
    println!("\n2. Search: the list's `q` (contact name, company or phone digits)");
    let shown: Vec<String> = SEARCH_TERMS
        .iter()
        .zip(&found)
        .map(|(term, count)| format!("\"{term}\" {count}"))
        .collect();
    println!("  found in up to 4 pages: {}", shown.join(", "));
    assert!(
        found.iter().filter(|&&count| count > 0).count() >= SEARCH_TERMS.len() - 1,
        "every term but the last finds conversations: {found:?}"
    );
    let limit = "p95 under 200 ms";
    report(
        &format!("first page ({} requests): p50", times.first.len()),
        quantile_ms(&times.first, 0.5),
        "ms",
        SEARCH_LIMIT_MS,
        limit,
    );
    report(
        "first page: p95",
        quantile_ms(&times.first, 0.95),
        "ms",
        SEARCH_LIMIT_MS,
        limit,
    );
    report(
        &format!("pages after, by next_cursor ({}): p95", times.later.len()),
        quantile_ms(&times.later, 0.95),
        "ms",
        SEARCH_LIMIT_MS,
        limit,
    );
    report(
        "every search request: p95",
        quantile_ms(&times.all(), 0.95),
        "ms",
        SEARCH_LIMIT_MS,
        limit,
    );
}

/// The export from the release binary in a process of its own (on the same database, with
/// the same JWT secret as the in-process server), so its memory is the export's.
async fn export(app: &TestApp, token: &str, conversations: usize) {
    let port = free_port();
    let mut server = ServerProcess::start_release(
        port,
        &[
            ("DATABASE_URL", app.db.url.clone()),
            ("PARLEY_JWT_SECRET", JWT_SECRET.to_string()),
            ("PARLEY_WORKERS", "0".to_string()),
            ("RUST_LOG", "warn".to_string()),
        ],
    );
    server.wait_ready(Duration::from_secs(60)).await;
    let pid = server.pid().expect("parley serve is running");
    let resident_before = process_memory_mb(pid, "VmRSS").unwrap_or(0.0);
    let started = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/conversations/export.csv",
            server.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("export request");
    assert_eq!(response.status(), 200, "export: {}", server.logs());
    let mut first_byte = None;
    let mut bytes = 0usize;
    let mut lines = 0usize;
    while let Some(chunk) = response.chunk().await.expect("the export's body") {
        first_byte.get_or_insert_with(|| started.elapsed());
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&byte| byte == b'\n').count();
    }
    let elapsed = started.elapsed();
    let peak = process_memory_mb(pid, "VmHWM").unwrap_or(0.0);
    let resident_after = process_memory_mb(pid, "VmRSS").unwrap_or(0.0);
    // Every line ends in CRLF and no cell holds a line break; the first is the header.
    let rows = lines.saturating_sub(1);
    println!(
        "\n3. CSV export of every conversation, release binary in its own process (pid {pid})"
    );
    println!(
        "  rows: {rows} of {conversations}; {:.1} MB in {:.1} s; first bytes after {:.0} ms",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        first_byte.map_or(0.0, ms)
    );
    println!(
        "  resident memory: {resident_before:.1} MB before the export, {resident_after:.1} MB after"
    );
    if rows != conversations {
        println!("  the export is short: {rows} rows of {conversations}");
    }
    report(
        "rows/s",
        rows as f64 / elapsed.as_secs_f64(),
        "/s",
        EXPORT_GOAL_ROWS,
        "goal: 20,000 rows/s",
    );
    report(
        "server's peak RSS (VmHWM)",
        peak,
        "MB",
        RSS_LIMIT_MB,
        "256 MB",
    );
}
