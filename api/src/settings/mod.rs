//! The tenant's settings and the rules they make: when the business is open, whether a
//! customer writing now gets the away message or the AI, when quiet hours release a message
//! to a recipient, and what STOP, START and HELP are answered with.

pub mod routes;
pub mod storage;

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::hours::{HoursError, Quiet, Week};
use crate::ids::TenantId;
use crate::phone_zones;
use crate::realtime::events;
use crate::sms;
use crate::state::AppState;
use crate::wire::{BusinessHours, FeedPayload, KeywordReplies, Settings, UpdateSettings};
use storage::{SettingsChanges, SettingsRow};

/// The longest away or HELP message: ten segments of GSM-7.
pub const MAX_REPLY_CHARS: usize = 1530;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("`{0}` is not an IANA time zone (like America/New_York or Europe/London).")]
    TimeZone(String),
    #[error("{}", .0.message)]
    BusinessHours(HoursError),
    #[error("{}", .0.message)]
    QuietHours(HoursError),
    #[error("{message}")]
    Text {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<SettingsError> for ApiError {
    fn from(error: SettingsError) -> Self {
        let message = error.to_string();
        match error {
            SettingsError::TimeZone(_) => {
                ApiError::invalid("invalid_time_zone", "time_zone", message)
            }
            SettingsError::BusinessHours(error) => {
                ApiError::invalid("invalid_business_hours", &error.field, message)
            }
            SettingsError::QuietHours(error) => {
                ApiError::invalid("invalid_quiet_hours", &error.field, message)
            }
            SettingsError::Text { field, .. } => ApiError::invalid("invalid_field", field, message),
            SettingsError::Database(error) => error.into(),
            SettingsError::Api(error) => error,
        }
    }
}

/// A tenant's settings, read into rules.
#[derive(Debug, Clone)]
pub struct TenantSettings {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub zone: Tz,
    pub week: Week,
    pub business_hours: BusinessHours,
    pub away_message: Option<String>,
    pub ai_answers_after_hours: bool,
    pub quiet: Option<Quiet>,
    pub help_message: Option<String>,
    pub keyword_replies: KeywordReplies,
    pub auto_assign_on_reply: bool,
}

impl TenantSettings {
    /// Reads the stored row; a value that no longer parses (a zone the database renamed)
    /// falls back to the defaults rather than stopping the tenant's messages.
    pub fn from_row(row: SettingsRow) -> TenantSettings {
        let zone = crate::hours::parse_zone(&row.time_zone).unwrap_or(chrono_tz::America::New_York);
        let business_hours: BusinessHours =
            serde_json::from_value(row.business_hours).unwrap_or_default();
        let week = Week::parse(&business_hours).unwrap_or_else(|_| Week::closed());
        let quiet = match (row.quiet_hours_start, row.quiet_hours_end) {
            (Some(start), Some(end)) => Quiet::from_minutes(minutes_of(start), minutes_of(end)),
            _ => None,
        };
        TenantSettings {
            tenant_id: row.id,
            tenant_name: row.name,
            zone,
            week,
            business_hours,
            away_message: row.away_message,
            ai_answers_after_hours: row.ai_answers_after_hours,
            quiet,
            help_message: row.help_message,
            keyword_replies: row.keyword_replies,
            auto_assign_on_reply: row.auto_assign_on_reply,
        }
    }

    pub fn to_wire(&self) -> Settings {
        Settings {
            time_zone: self.zone.name().to_string(),
            business_hours: self.business_hours.clone(),
            away_message: self.away_message.clone(),
            ai_answers_after_hours: self.ai_answers_after_hours,
            quiet_hours: self.quiet.map(Quiet::to_wire),
            help_message: self.help_message.clone(),
            keyword_replies: self.keyword_replies,
            auto_assign_on_reply: self.auto_assign_on_reply,
        }
    }

    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.week.is_open(self.zone, at)
    }

    /// The away message a customer writing at `at` gets, with the closed period it belongs
    /// to (sent once per conversation per period): none while open, when there is no away
    /// message, or when the AI answers after hours instead.
    pub fn away_reply(&self, at: DateTime<Utc>) -> Option<(&str, DateTime<Utc>)> {
        if self.ai_answers_after_hours {
            return None;
        }
        let text = self.away_message.as_deref()?;
        let period = self.week.closed_since(self.zone, at)?;
        Some((text, period))
    }

    /// Whether the AI answers a customer at `at`.
    pub fn ai_answers_at(&self, at: DateTime<Utc>) -> bool {
        self.ai_answers_after_hours || self.is_open(at)
    }

    /// When a message due at `at` may leave for `recipient` under quiet hours (in their own
    /// zones by their number, else the tenant's); `None` when it may leave now.
    pub fn quiet_release(&self, recipient: &str, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let quiet = self.quiet?;
        let zones = phone_zones::zones_of(recipient).unwrap_or_else(|| vec![self.zone]);
        quiet.release_at(&zones, at)
    }

    /// The answer to HELP and INFO.
    pub fn help_reply(&self) -> String {
        self.help_message.clone().unwrap_or_else(|| {
            format!(
                "{}: reply to this message and our team will help. Msg & data rates may apply. Reply STOP to opt out.",
                self.tenant_name
            )
        })
    }

    /// The one confirmation of an opt-out (CTIA's wording: who, that nothing more comes, how
    /// to come back).
    pub fn opt_out_reply(&self) -> String {
        format!(
            "{}: you are unsubscribed and will receive no more messages. Reply START to resubscribe.",
            self.tenant_name
        )
    }

    /// The confirmation of an opt-in after an opt-out.
    pub fn opt_in_reply(&self) -> String {
        format!(
            "{}: you are subscribed again. Reply STOP to opt out, HELP for help.",
            self.tenant_name
        )
    }

    /// Whether Parley answers keywords (rather than the carrier's auto-replies).
    pub fn answers_keywords(&self) -> bool {
        self.keyword_replies == KeywordReplies::Parley
    }
}

fn minutes_of(time: NaiveTime) -> u16 {
    (time.hour() * 60 + time.minute()) as u16
}

fn time_of(minutes: u16) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)
}

/// The zone a new tenant of `region` starts with (an admin changes it in the settings).
pub fn zone_of_region(region: &str) -> &'static str {
    match region {
        "CA" => "America/Toronto",
        "GB" => "Europe/London",
        "IE" => "Europe/Dublin",
        "AU" => "Australia/Sydney",
        "NZ" => "Pacific/Auckland",
        "DE" => "Europe/Berlin",
        "FR" => "Europe/Paris",
        "ES" => "Europe/Madrid",
        "IT" => "Europe/Rome",
        "NL" => "Europe/Amsterdam",
        "MX" => "America/Mexico_City",
        "BR" => "America/Sao_Paulo",
        "IN" => "Asia/Kolkata",
        _ => "America/New_York",
    }
}

/// The tenant's settings, for a rule to follow (inside any transaction).
pub async fn of_tenant(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> diesel::QueryResult<TenantSettings> {
    storage::find(conn, tenant_id)
        .await?
        .map(TenantSettings::from_row)
        .ok_or(diesel::result::Error::NotFound)
}

pub async fn get(state: &AppState, caller: &Caller) -> Result<Settings, SettingsError> {
    let mut conn = state.db().await?;
    Ok(of_tenant(&mut conn, caller.tenant_id).await?.to_wire())
}

/// A checked text setting: `None` clears it; blank is refused (null says "none").
fn reply_text(value: Option<String>, field: &'static str) -> Result<Option<String>, SettingsError> {
    let Some(text) = value else {
        return Ok(None);
    };
    if text.trim().is_empty() {
        return Err(SettingsError::Text {
            field,
            message: format!("`{field}` is blank; send null to have none."),
        });
    }
    let segments = sms::analyze(&text).segments;
    if text.chars().count() > MAX_REPLY_CHARS || segments > sms::MAX_SEGMENTS {
        return Err(SettingsError::Text {
            field,
            message: format!(
                "`{field}` needs {segments} SMS segments; the limit is {} (1,530 GSM-7 or 670 Unicode characters).",
                sms::MAX_SEGMENTS
            ),
        });
    }
    Ok(Some(text))
}

/// The change asked for, checked field by field into columns.
pub fn changes_of(update: UpdateSettings) -> Result<SettingsChanges, SettingsError> {
    let mut changes = SettingsChanges::default();
    if let Some(name) = update.time_zone {
        let zone =
            crate::hours::parse_zone(name.trim()).ok_or(SettingsError::TimeZone(name.clone()))?;
        changes.time_zone = Some(zone.name().to_string());
    }
    if let Some(hours) = update.business_hours {
        Week::parse(&hours).map_err(SettingsError::BusinessHours)?;
        changes.business_hours = Some(
            serde_json::to_value(&hours)
                .map_err(|error| ApiError::internal(format!("business hours: {error}")))?,
        );
    }
    if let Some(away) = update.away_message {
        changes.away_message = Some(reply_text(away, "away_message")?);
    }
    if let Some(help) = update.help_message {
        changes.help_message = Some(reply_text(help, "help_message")?);
    }
    if let Some(quiet) = update.quiet_hours {
        let quiet = quiet
            .map(|hours| Quiet::parse(&hours))
            .transpose()
            .map_err(SettingsError::QuietHours)?;
        changes.quiet_hours_start = Some(quiet.and_then(|q| time_of(q.start())));
        changes.quiet_hours_end = Some(quiet.and_then(|q| time_of(q.end())));
    }
    changes.ai_answers_after_hours = update.ai_answers_after_hours;
    changes.keyword_replies = update.keyword_replies;
    changes.auto_assign_on_reply = update.auto_assign_on_reply;
    Ok(changes)
}

/// An admin changes the settings; every inbox of the tenant hears of it.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    update: UpdateSettings,
) -> Result<Settings, SettingsError> {
    caller.require_admin()?;
    let changes = changes_of(update)?;
    let now = state.clock.now();
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let settings = conn
        .transaction::<_, SettingsError, _>(async |conn| {
            let current = storage::find_for_update(conn, tenant_id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let row = if changes.is_empty() {
                current
            } else {
                storage::update(conn, tenant_id, &changes).await?
            };
            let settings = TenantSettings::from_row(row).to_wire();
            events::record(
                conn,
                tenant_id,
                FeedPayload::SettingsUpdated(settings.clone()),
                now,
            )
            .await?;
            Ok(settings)
        })
        .await?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::QuietHours;

    fn settings() -> TenantSettings {
        TenantSettings::from_row(SettingsRow {
            id: TenantId::random(),
            name: "Acme Plumbing".into(),
            time_zone: "America/New_York".into(),
            business_hours: serde_json::json!({
                "mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],
                "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
                "fri": [["09:00", "17:00"]], "sat": [], "sun": []
            }),
            away_message: Some("We're closed; we'll answer in the morning.".into()),
            ai_answers_after_hours: false,
            quiet_hours_start: time_of(21 * 60),
            quiet_hours_end: time_of(8 * 60),
            help_message: None,
            keyword_replies: KeywordReplies::Parley,
            auto_assign_on_reply: true,
        })
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_away_message_belongs_to_a_closed_period_and_yields_to_the_ai() {
        let mut settings = settings();
        // Saturday noon in New York.
        let saturday = utc("2026-12-05T17:00:00Z");
        let (text, period) = settings.away_reply(saturday).expect("closed");
        assert!(text.contains("closed"));
        assert_eq!(period, utc("2026-12-04T22:00:00Z"));
        assert!(!settings.ai_answers_at(saturday));
        // Monday 10:00: open, no away message, the AI answers.
        let monday = utc("2026-12-07T15:00:00Z");
        assert!(settings.away_reply(monday).is_none());
        assert!(settings.ai_answers_at(monday));
        settings.ai_answers_after_hours = true;
        assert!(settings.away_reply(saturday).is_none());
        assert!(settings.ai_answers_at(saturday));
    }

    #[test]
    fn quiet_hours_use_the_recipients_zone_else_the_tenants() {
        let settings = settings();
        // 02:00 UTC: 21:00 in New York (quiet), 18:00 in Los Angeles (not).
        let at = utc("2026-12-08T02:00:00Z");
        assert_eq!(
            settings.quiet_release("+12125550123", at),
            Some(utc("2026-12-08T13:00:00Z"))
        );
        assert_eq!(settings.quiet_release("+14155550123", at), None);
        // 555 is no area code: the tenant's zone (New York) decides.
        assert_eq!(
            settings.quiet_release("+15555550123", at),
            Some(utc("2026-12-08T13:00:00Z"))
        );
    }

    #[test]
    fn changes_are_checked_field_by_field() {
        let bad_zone = changes_of(UpdateSettings {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        });
        assert!(matches!(bad_zone, Err(SettingsError::TimeZone(_))));
        let bad_quiet = changes_of(UpdateSettings {
            quiet_hours: Some(Some(QuietHours {
                start: "9pm".into(),
                end: "08:00".into(),
            })),
            ..Default::default()
        });
        assert!(matches!(bad_quiet, Err(SettingsError::QuietHours(_))));
        let blank = changes_of(UpdateSettings {
            away_message: Some(Some("  ".into())),
            ..Default::default()
        });
        assert!(matches!(
            blank,
            Err(SettingsError::Text {
                field: "away_message",
                ..
            })
        ));
        let off = changes_of(UpdateSettings {
            quiet_hours: Some(None),
            away_message: Some(None),
            ..Default::default()
        })
        .expect("clearing");
        assert_eq!(off.quiet_hours_start, Some(None));
        assert_eq!(off.away_message, Some(None));
        assert!(changes_of(UpdateSettings::default())
            .expect("empty")
            .is_empty());
    }

    #[test]
    fn keyword_replies_name_the_business() {
        let settings = settings();
        assert!(settings.help_reply().starts_with("Acme Plumbing:"));
        assert!(settings.help_reply().contains("STOP"));
        assert!(settings.opt_out_reply().contains("START"));
        assert!(settings.answers_keywords());
    }
}
