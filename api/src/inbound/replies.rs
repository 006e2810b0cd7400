//! What Parley answers on its own to a customer's message: the one confirmation of an
//! opt-out (and of coming back with START), the HELP text, and the away message outside
//! business hours (once per conversation per closed period).

use chrono::{DateTime, Utc};

use crate::opt_outs::keywords::Keyword;
use crate::settings::TenantSettings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoReply {
    pub text: String,
    /// The answer to STOP or HELP: sent even though the number opted out.
    pub compliance: bool,
    /// For an away message, the closed period it answers for.
    pub away_period: Option<DateTime<Utc>>,
}

/// The automatic answer to a customer's message, if any. `changed` says whether the keyword
/// changed the customer's opt-out (a second STOP gets no second confirmation); `away_sent_for`
/// is the closed period whose away message the conversation already got.
pub fn automatic_reply(
    settings: &TenantSettings,
    keyword: Option<Keyword>,
    changed: bool,
    opted_out: bool,
    away_sent_for: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<AutoReply> {
    let compliance = |text: String| AutoReply {
        text,
        compliance: true,
        away_period: None,
    };
    match keyword {
        // The carrier answers keywords itself when the tenant says so.
        Some(_) if !settings.answers_keywords() => None,
        Some(Keyword::OptOut) => changed.then(|| compliance(settings.opt_out_reply())),
        Some(Keyword::OptIn) => changed.then(|| compliance(settings.opt_in_reply())),
        Some(Keyword::Help) => Some(compliance(settings.help_reply())),
        None if opted_out => None,
        None => {
            let (text, period) = settings.away_reply(now)?;
            (away_sent_for != Some(period)).then(|| AutoReply {
                text: text.to_string(),
                compliance: false,
                away_period: Some(period),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use crate::settings::storage::SettingsRow;
    use crate::wire::KeywordReplies;

    fn settings(keyword_replies: KeywordReplies) -> TenantSettings {
        TenantSettings::from_row(SettingsRow {
            id: TenantId::random(),
            name: "Acme".into(),
            time_zone: "America/New_York".into(),
            business_hours: serde_json::json!({"mon": [["09:00", "17:00"]]}),
            away_message: Some("Closed now; back Monday 9:00.".into()),
            ai_answers_after_hours: false,
            quiet_hours_start: None,
            quiet_hours_end: None,
            help_message: Some("Acme help: call 555-0100.".into()),
            keyword_replies,
            auto_assign_on_reply: true,
        })
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn one_confirmation_per_opt_out_and_help_always() {
        let settings = settings(KeywordReplies::Parley);
        let now = utc("2026-12-07T15:00:00Z");
        let stop = automatic_reply(&settings, Some(Keyword::OptOut), true, true, None, now)
            .expect("confirmation");
        assert!(stop.compliance && stop.text.contains("START"));
        assert_eq!(
            automatic_reply(&settings, Some(Keyword::OptOut), false, true, None, now),
            None,
            "a second STOP"
        );
        let help = automatic_reply(&settings, Some(Keyword::Help), false, true, None, now)
            .expect("help even when opted out");
        assert_eq!(help.text, "Acme help: call 555-0100.");
        let carrier = settings_with_carrier();
        assert_eq!(
            automatic_reply(&carrier, Some(Keyword::OptOut), true, true, None, now),
            None
        );
        assert_eq!(
            automatic_reply(&carrier, Some(Keyword::Help), false, false, None, now),
            None
        );
    }

    fn settings_with_carrier() -> TenantSettings {
        settings(KeywordReplies::Carrier)
    }

    #[test]
    fn the_away_message_once_per_closed_period() {
        let settings = settings(KeywordReplies::Parley);
        // Monday 18:00 in New York: closed since 17:00.
        let evening = utc("2026-12-07T23:00:00Z");
        let away = automatic_reply(&settings, None, false, false, None, evening).expect("away");
        assert_eq!(away.away_period, Some(utc("2026-12-07T22:00:00Z")));
        assert!(!away.compliance);
        assert_eq!(
            automatic_reply(&settings, None, false, false, away.away_period, evening),
            None,
            "already sent in this period"
        );
        // Next Monday evening is another closed period.
        let next = utc("2026-12-14T23:00:00Z");
        assert!(automatic_reply(&settings, None, false, false, away.away_period, next).is_some());
        // Open: nothing; opted out: nothing.
        assert_eq!(
            automatic_reply(
                &settings,
                None,
                false,
                false,
                None,
                utc("2026-12-07T15:00:00Z")
            ),
            None
        );
        assert_eq!(
            automatic_reply(&settings, None, false, true, None, evening),
            None
        );
    }
}
