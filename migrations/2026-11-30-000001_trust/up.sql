-- Sends whose outcome is unknown, and assistants' reply length.

-- When the last hand-over of a message to Telnyx began without our learning how it ended
-- (the process died, or the request timed out after it went out). While set, the message may
-- have reached Telnyx: the outbox waits for Telnyx's receipt before sending it again.
ALTER TABLE messages ADD COLUMN send_started_at timestamptz;

-- The longest reply an assistant may send, in SMS segments (Telnyx refuses more than 10).
ALTER TABLE assistants
    ADD COLUMN max_segments integer NOT NULL DEFAULT 3 CHECK (max_segments BETWEEN 1 AND 10);
