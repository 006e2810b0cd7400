-- How fast Telnyx lets each number send: its kind decides the default, an admin may set the
-- rate its campaign was granted (10DLC throughput is per campaign).
ALTER TABLE phone_numbers
    ADD COLUMN number_type text NOT NULL DEFAULT 'long_code'
        CHECK (number_type IN ('long_code', 'toll_free', 'short_code')),
    ADD COLUMN messages_per_second double precision
        CHECK (messages_per_second IS NULL OR (messages_per_second > 0 AND messages_per_second <= 10000));

-- The next free sending slot of each sender and of the Telnyx account (GCRA): every instance
-- reserves slots here, so several instances together keep within the limits.
CREATE TABLE send_pacing (
    key text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- The slot a message reserved; when it comes, the outbox sends without reserving again.
ALTER TABLE messages ADD COLUMN send_slot_at timestamptz;
