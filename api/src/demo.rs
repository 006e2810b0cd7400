//! Demo data for `make run`: a tenant, a number and an admin, and a living inbox that shows
//! every feature at once (a new lead asked for a name, a known client verified by name, an
//! opted-out number, a failed delivery with the carrier's error, a lead with an AI guide).
//! Created once: seeding again changes nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::assistants::storage::{self as assistant_storage, AssistantRow};
use crate::auth::password::Passwords;
use crate::clients::storage::{self as client_storage, ClientRow};
use crate::conversations::storage::{self as conversation_storage, ConversationRow};
use crate::db::DbPool;
use crate::ids::{AssistantId, ClientId, ConversationId, InteractionId, MessageId, TenantId};
use crate::messages::storage::{self as message_storage, MessageRow};
use crate::wire::{
    AiProvider, Author, Channel, ConversationStatus, Direction, Identity, MessageStatus,
    QualificationStatus,
};
use crate::wire::{Role, Tenant};
use crate::{interactions, opt_outs, phone_numbers, sms, tenants, users};
use diesel_async::AsyncPgConnection;

/// Fixed so that seeding twice finds the first seed.
pub const DEMO_TENANT_ID: TenantId =
    TenantId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_d001));
pub const DEMO_EMAIL: &str = "admin@demo.parley.test";
/// The demo admin's name, as the team sees it on messages and notes.
pub const DEMO_NAME: &str = "Jordan Lee";
pub const DEMO_PASSWORD: &str = "parley-demo";
pub const DEMO_NUMBER: &str = "+14165550100";

#[derive(Debug, Serialize)]
pub struct DemoLogin {
    pub tenant_id: TenantId,
    pub url: String,
    pub email: String,
    pub password: String,
    pub phone_number: String,
}

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    PhoneNumber(#[from] phone_numbers::PhoneNumberError),
    #[error(transparent)]
    User(#[from] users::UserError),
    #[error(transparent)]
    Hash(#[from] crate::auth::password::HashError),
}

pub async fn seed(
    pool: &DbPool,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<DemoLogin, DemoError> {
    let mut conn = pool.get().await?;
    let tenant = Tenant {
        id: DEMO_TENANT_ID,
        name: "Maple Dental (demo)".to_string(),
        default_region: "CA".to_string(),
        resume_window_days: tenants::DEFAULT_RESUME_WINDOW_DAYS,
        ai_idle_resume_minutes: tenants::DEFAULT_AI_IDLE_RESUME_MINUTES,
        auto_assign_on_reply: true,
        created_at: now,
    };
    tenants::storage::insert(&mut conn, &tenant).await?;
    let number = crate::wire::CreatePhoneNumber {
        number: DEMO_NUMBER.into(),
        messaging_profile_id: None,
        number_type: None,
        messages_per_second: None,
    };
    match phone_numbers::add(&mut conn, DEMO_TENANT_ID, number, now).await {
        Ok(_) | Err(phone_numbers::PhoneNumberError::Taken(_)) => {}
        Err(error) => return Err(error.into()),
    }
    if users::storage::find_for_login(&mut conn, DEMO_EMAIL)
        .await?
        .is_none()
    {
        let passwords = Arc::new(Passwords::new()?);
        let admin = users::NewUser {
            tenant_id: DEMO_TENANT_ID,
            name: Some(DEMO_NAME.to_string()),
            email: DEMO_EMAIL.to_string(),
            password: DEMO_PASSWORD.to_string(),
            role: Role::Admin,
        };
        match users::create(&mut conn, passwords, admin, now).await {
            Ok(_) | Err(users::UserError::EmailTaken(_)) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if conversation_storage::latest_for_phone(&mut conn, DEMO_TENANT_ID, NEW_LEAD)
        .await?
        .is_none()
    {
        seed_inbox(&mut conn, now).await?;
    }
    Ok(DemoLogin {
        tenant_id: DEMO_TENANT_ID,
        url: public_url.to_string(),
        email: DEMO_EMAIL.to_string(),
        password: DEMO_PASSWORD.to_string(),
        phone_number: DEMO_NUMBER.to_string(),
    })
}

const NEW_LEAD: &str = "+14165550111";
const KNOWN_CLIENT: &str = "+14165550122";
const OPTED_OUT: &str = "+14165550133";
/// The carrier simulator fails deliveries to numbers ending in 0000.
const UNREACHABLE: &str = "+14165550000";
const GUIDED: &str = "+14165550144";

struct Line<'a> {
    author: Author,
    text: &'a str,
    minutes_ago: i64,
    status: MessageStatus,
}

fn line(author: Author, text: &str, minutes_ago: i64) -> Line<'_> {
    let status = if author == Author::Customer {
        MessageStatus::Received
    } else {
        MessageStatus::Delivered
    };
    Line {
        author,
        text,
        minutes_ago,
        status,
    }
}

struct DemoConversation<'a> {
    phone: &'a str,
    contact_name: Option<&'a str>,
    company: Option<&'a str>,
    qualification: QualificationStatus,
    identity: Identity,
    client_id: Option<ClientId>,
    name_requests: i32,
    unread: i32,
    lines: Vec<Line<'a>>,
}

async fn insert_conversation(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    assistant: AssistantId,
    demo: DemoConversation<'_>,
) -> diesel::QueryResult<ConversationId> {
    let first = demo.lines.iter().map(|l| l.minutes_ago).max().unwrap_or(0);
    let last = demo.lines.iter().min_by_key(|l| l.minutes_ago);
    let last_outbound = demo
        .lines
        .iter()
        .filter(|l| l.author != Author::Customer)
        .min_by_key(|l| l.minutes_ago);
    let at = |minutes: i64| now - chrono::Duration::minutes(minutes);
    let row = ConversationRow {
        id: ConversationId::random(),
        tenant_id: DEMO_TENANT_ID,
        phone_number: demo.phone.into(),
        tenant_phone_number: DEMO_NUMBER.into(),
        contact_name: demo.contact_name.map(str::to_string),
        company: demo.company.map(str::to_string),
        client_id: demo.client_id,
        assistant_id: Some(assistant),
        status: ConversationStatus::Active,
        qualification_status: demo.qualification,
        channel: Channel::Sms,
        ai_enabled: true,
        identity: demo.identity,
        last_message_at: last.map(|l| at(l.minutes_ago)),
        last_message_preview: last.map(|l| conversation_storage::preview(l.text)),
        last_read_at: None,
        unread_count: demo.unread,
        previous_conversation_id: None,
        created_at: at(first),
        updated_at: at(0),
        ai_paused_until: None,
        ai_error: None,
        ai_error_at: None,
        name_requests: demo.name_requests,
        assignee_id: None,
        needs_human: false,
        handoff_reason: None,
        last_message_author: last.map(|l| l.author),
        last_customer_preview: demo
            .lines
            .iter()
            .filter(|l| l.author == Author::Customer)
            .min_by_key(|l| l.minutes_ago)
            .map(|l| conversation_storage::preview(l.text)),
        delivery_failed: last_outbound.is_some_and(|l| l.status == MessageStatus::DeliveryFailed),
        away_sent_for: None,
    };
    conversation_storage::insert(conn, &row).await?;
    for line in demo.lines.iter() {
        let info = sms::analyze(line.text);
        let inbound = line.author == Author::Customer;
        let failed = line.status == MessageStatus::DeliveryFailed;
        let when = at(line.minutes_ago);
        message_storage::insert(
            conn,
            &MessageRow {
                id: MessageId::random(),
                tenant_id: DEMO_TENANT_ID,
                conversation_id: row.id,
                direction: if inbound {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
                author: line.author,
                author_user_id: None,
                text: line.text.into(),
                encoding: info.encoding,
                segments: info.segments as i32,
                status: line.status,
                error_code: failed.then(|| "40008".to_string()),
                error_title: failed.then(|| "Undeliverable".to_string()),
                error_detail: failed.then(|| {
                    "The carrier could not deliver the message to this handset.".to_string()
                }),
                telnyx_message_id: Some(Uuid::new_v4().to_string()),
                created_at: when,
                sent_at: (!inbound).then_some(when),
                delivered_at: (!inbound && !failed).then_some(when + chrono::Duration::seconds(3)),
                updated_at: when,
                ai_provider: (line.author == Author::Ai).then_some(AiProvider::OfflineDemo),
                send_started_at: None,
                send_slot_at: None,
                author_name: (line.author == Author::Agent).then(|| DEMO_NAME.to_string()),
                retry_of: None,
                message_type: crate::wire::MessageType::Sms,
                scheduled_at: None,
                held_until: None,
                quiet_hours_apply: false,
                compliance_reply: false,
            },
        )
        .await?;
    }
    // Each demo user has read all but the conversation's `unread` latest customer messages.
    let mut inbound: Vec<i64> = demo
        .lines
        .iter()
        .filter(|line| line.author == Author::Customer)
        .map(|line| line.minutes_ago)
        .collect();
    inbound.sort_unstable();
    let read_at = match usize::try_from(demo.unread).unwrap_or(0) {
        0 => now,
        unread => inbound
            .get(unread - 1)
            .map(|&minutes| at(minutes) - chrono::Duration::seconds(1))
            .unwrap_or(at(first) - chrono::Duration::seconds(1)),
    };
    for user in users::storage::list(conn, DEMO_TENANT_ID).await? {
        conversation_storage::mark_read_by(conn, DEMO_TENANT_ID, row.id, user.id, read_at).await?;
    }
    Ok(row.id)
}

async fn seed_inbox(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> diesel::QueryResult<()> {
    let assistant = AssistantRow {
        id: AssistantId::random(),
        tenant_id: DEMO_TENANT_ID,
        name: "Front desk".into(),
        system_prompt:
            "You are the front desk of Maple Dental, a family dental clinic in Toronto. \
            Help patients book, move or cancel appointments and answer questions about cleanings, \
            whitening and emergencies. Hours: Mon-Fri 8am-6pm, Sat 9am-1pm."
                .into(),
        model: None,
        temperature: 0.4,
        channel: Channel::Sms,
        is_default: true,
        max_segments: crate::assistants::DEFAULT_MAX_SEGMENTS,
        created_at: now,
        updated_at: now,
    };
    assistant_storage::insert(conn, &assistant).await?;
    let sarah = ClientRow {
        id: ClientId::random(),
        tenant_id: DEMO_TENANT_ID,
        first_name: Some("Sarah".into()),
        last_name: Some("Lee".into()),
        phone_number: Some(KNOWN_CLIENT.into()),
        company: None,
        email: Some("sarah.lee@example.com".into()),
        created_at: now - chrono::Duration::days(400),
        updated_at: now - chrono::Duration::days(400),
    };
    client_storage::insert(conn, &sarah).await?;
    interactions::storage::insert(
        conn,
        DEMO_TENANT_ID,
        &crate::wire::Interaction {
            id: InteractionId::random(),
            client_id: Some(sarah.id),
            phone_number: Some(KNOWN_CLIENT.into()),
            channel: "voice".into(),
            summary: "Called to ask whether her cleaning can move to a Saturday.".into(),
            occurred_at: now - chrono::Duration::days(3),
            created_at: now - chrono::Duration::days(3),
        },
    )
    .await?;

    let a = assistant.id;
    insert_conversation(
        conn,
        now,
        a,
        DemoConversation {
            phone: NEW_LEAD,
            contact_name: None,
            company: None,
            qualification: QualificationStatus::New,
            identity: Identity::Unknown,
            client_id: None,
            name_requests: 1,
            unread: 1,
            lines: vec![
                line(
                    Author::Customer,
                    "Hi, do you do teeth whitening? How much is it?",
                    12,
                ),
                line(
                    Author::Ai,
                    "Hi! Before we continue, could I get your name?",
                    12,
                ),
            ],
        },
    )
    .await?;
    insert_conversation(
        conn,
        now,
        a,
        DemoConversation {
            phone: KNOWN_CLIENT,
            contact_name: Some("Sarah Lee"),
            company: None,
            qualification: QualificationStatus::Customer,
            identity: Identity::Verified,
            client_id: Some(sarah.id),
            name_requests: 0,
            unread: 0,
            lines: vec![
                line(
                    Author::Customer,
                    "Hello, I need to move my cleaning next week",
                    95,
                ),
                line(
                    Author::Ai,
                    "Hi! I think we've spoken before - is this Sarah?",
                    95,
                ),
                line(Author::Customer, "Yes that's me", 90),
                line(
                    Author::Ai,
                    "Thanks, Sarah! Which day works better for you? We have Saturday morning open.",
                    90,
                ),
            ],
        },
    )
    .await?;
    insert_conversation(
        conn,
        now,
        a,
        DemoConversation {
            phone: OPTED_OUT,
            contact_name: Some("Dev Patel"),
            company: None,
            qualification: QualificationStatus::Unqualified,
            identity: Identity::Unknown,
            client_id: None,
            name_requests: 0,
            unread: 0,
            lines: vec![
                line(
                    Author::Agent,
                    "Hi Dev, a reminder of your appointment tomorrow at 3pm. Reply C to confirm.",
                    60 * 26,
                ),
                line(Author::Customer, "STOP", 60 * 25),
            ],
        },
    )
    .await?;
    opt_outs::storage::insert(
        conn,
        DEMO_TENANT_ID,
        OPTED_OUT,
        "STOP",
        now - chrono::Duration::hours(25),
    )
    .await?;
    let mut failed = line(
        Author::Agent,
        "Hi Olivia, your crown is ready. Call us to book the fitting.",
        60 * 5,
    );
    failed.status = MessageStatus::DeliveryFailed;
    insert_conversation(
        conn,
        now,
        a,
        DemoConversation {
            phone: UNREACHABLE,
            contact_name: Some("Olivia Brown"),
            company: None,
            qualification: QualificationStatus::Customer,
            identity: Identity::Unknown,
            client_id: None,
            name_requests: 0,
            unread: 0,
            lines: vec![failed],
        },
    )
    .await?;
    let guided = insert_conversation(
        conn,
        now,
        a,
        DemoConversation {
            phone: GUIDED,
            contact_name: Some("Marcus Chen"),
            company: Some("Chen Logistics"),
            qualification: QualificationStatus::Qualified,
            identity: Identity::Unknown,
            client_id: None,
            name_requests: 0,
            unread: 2,
            lines: vec![
                line(
                    Author::Customer,
                    "Hi, this is Marcus from Chen Logistics. Do you offer corporate plans?",
                    40,
                ),
                line(
                    Author::Ai,
                    "Hi Marcus! We do. How many people would the plan cover?",
                    39,
                ),
                line(
                    Author::Customer,
                    "About 40 employees. What would it cost per person?",
                    5,
                ),
                line(Author::Customer, "And can people book evenings?", 4),
            ],
        },
    )
    .await?;
    conversation_storage::upsert_guide(
        conn,
        DEMO_TENANT_ID,
        guided,
        "Interested in a corporate plan for 40 employees. Focus on ROI and scheduling flexibility; offer a call with our office manager.",
        None,
        now,
    )
    .await?;
    Ok(())
}
