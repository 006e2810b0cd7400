-- Sign-in attempts in the current window, per email and per client address, shared by every
-- instance. Keys are SHA-256 digests: no emails or addresses are kept. Rows of windows that
-- have passed are pruned.
CREATE TABLE login_attempts (
    scope text NOT NULL CHECK (scope IN ('email', 'address')),
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    attempts integer NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_attempts_window_idx ON login_attempts (window_start);

-- A request whose signature failed keeps its row (time, error) but no body.
ALTER TABLE webhook_deliveries ALTER COLUMN body DROP NOT NULL;

-- What the retention pass deletes by age.
CREATE INDEX jobs_finished_idx ON jobs (updated_at) WHERE status IN ('done', 'failed');
CREATE INDEX ai_generations_created_idx ON ai_generations (created_at);
CREATE INDEX processed_webhook_events_processed_idx ON processed_webhook_events (processed_at);
