ALTER TABLE messages DROP COLUMN ai_provider;
ALTER TABLE conversations
    DROP COLUMN name_requests,
    DROP COLUMN ai_error_at,
    DROP COLUMN ai_error,
    DROP COLUMN ai_paused_until;
ALTER TABLE tenants DROP COLUMN ai_idle_resume_minutes;
