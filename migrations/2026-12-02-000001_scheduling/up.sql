-- Send later, business hours, quiet hours and the opt-out law.

-- The tenant's settings. Business hours are a JSON week ({"mon": [["09:00", "17:00"]], …});
-- quiet hours are off until an admin sets them (both ends, or neither).
ALTER TABLE tenants
    ADD COLUMN time_zone text NOT NULL DEFAULT 'America/New_York',
    ADD COLUMN business_hours jsonb NOT NULL DEFAULT
        '{"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]], "sat": [], "sun": []}',
    ADD COLUMN away_message text,
    ADD COLUMN ai_answers_after_hours boolean NOT NULL DEFAULT true,
    ADD COLUMN quiet_hours_start time,
    ADD COLUMN quiet_hours_end time,
    ADD COLUMN help_message text,
    ADD COLUMN keyword_replies text NOT NULL DEFAULT 'parley' CHECK (keyword_replies IN ('parley', 'carrier')),
    ADD CONSTRAINT tenants_quiet_hours_both CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL));

-- A message sent later: when it is due (`scheduled_at`), when quiet hours release it
-- (`held_until`), and whether quiet hours apply to it at all (messages that start a
-- conversation and scheduled ones; an admin's "send now" lifts it).
ALTER TABLE messages
    ADD COLUMN scheduled_at timestamptz,
    ADD COLUMN held_until timestamptz,
    ADD COLUMN quiet_hours_apply boolean NOT NULL DEFAULT false,
    -- The answer to STOP, START or HELP: the one text that may go to a number that opted out.
    ADD COLUMN compliance_reply boolean NOT NULL DEFAULT false;
CREATE INDEX messages_scheduled_idx ON messages (tenant_id, conversation_id)
    WHERE status IN ('scheduled', 'held_quiet_hours');

-- The closed period (its start) whose away message this conversation got: once per period.
ALTER TABLE conversations ADD COLUMN away_sent_for timestamptz;
