ALTER TABLE conversations DROP COLUMN away_sent_for;
DROP INDEX messages_scheduled_idx;
ALTER TABLE messages DROP COLUMN scheduled_at, DROP COLUMN held_until, DROP COLUMN quiet_hours_apply, DROP COLUMN compliance_reply;
ALTER TABLE tenants
    DROP CONSTRAINT tenants_quiet_hours_both,
    DROP COLUMN time_zone, DROP COLUMN business_hours, DROP COLUMN away_message,
    DROP COLUMN ai_answers_after_hours, DROP COLUMN quiet_hours_start, DROP COLUMN quiet_hours_end,
    DROP COLUMN help_message, DROP COLUMN keyword_replies;
