-- The AI agent's state on a conversation: paused by a human reply, its last failure, how
-- often it asked for the customer's name; which provider wrote an AI message.

ALTER TABLE tenants
    ADD COLUMN ai_idle_resume_minutes integer NOT NULL DEFAULT 60 CHECK (ai_idle_resume_minutes BETWEEN 1 AND 10080);

ALTER TABLE conversations
    ADD COLUMN ai_paused_until timestamptz,
    ADD COLUMN ai_error text,
    ADD COLUMN ai_error_at timestamptz,
    ADD COLUMN name_requests integer NOT NULL DEFAULT 0;

ALTER TABLE messages ADD COLUMN ai_provider text;
