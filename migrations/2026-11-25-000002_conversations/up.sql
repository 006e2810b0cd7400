-- Conversations and messages, their AI guides and assistants, client records, opt-outs,
-- the durable job table (outbox), Telnyx webhook deliveries and the event log the
-- real-time feed reads. Every tenant-owned table leads its indexes with tenant_id.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE clients (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    first_name text,
    last_name text,
    phone_number text CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    company text,
    email text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX clients_phone_key ON clients (tenant_id, phone_number) WHERE phone_number IS NOT NULL;
CREATE INDEX clients_tenant_idx ON clients (tenant_id, created_at DESC, id);

CREATE TABLE assistants (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    system_prompt text NOT NULL,
    model text,
    temperature real NOT NULL DEFAULT 0.4 CHECK (temperature BETWEEN 0 AND 2),
    channel text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms')),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- One default assistant per tenant and channel.
CREATE UNIQUE INDEX assistants_default_key ON assistants (tenant_id, channel) WHERE is_default;
CREATE INDEX assistants_tenant_idx ON assistants (tenant_id, created_at);

CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    phone_number text NOT NULL CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    tenant_phone_number text NOT NULL,
    contact_name text,
    company text,
    client_id uuid REFERENCES clients (id) ON DELETE SET NULL,
    assistant_id uuid REFERENCES assistants (id) ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    qualification_status text NOT NULL DEFAULT 'new',
    channel text NOT NULL DEFAULT 'sms',
    ai_enabled boolean NOT NULL DEFAULT true,
    identity text NOT NULL DEFAULT 'unknown' CHECK (identity IN ('unknown', 'pending', 'verified', 'declined')),
    last_message_at timestamptz,
    last_message_preview text,
    last_read_at timestamptz,
    unread_count integer NOT NULL DEFAULT 0,
    previous_conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- A customer has at most one active conversation per tenant: concurrent starts cannot make two.
CREATE UNIQUE INDEX conversations_one_active_key ON conversations (tenant_id, phone_number) WHERE status = 'active';
CREATE INDEX conversations_activity_idx ON conversations (tenant_id, (coalesce(last_message_at, created_at)) DESC, id DESC);
CREATE INDEX conversations_phone_idx ON conversations (tenant_id, phone_number, created_at DESC);

CREATE TABLE conversation_guides (
    conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    text text NOT NULL,
    updated_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    author text NOT NULL CHECK (author IN ('customer', 'agent', 'ai', 'system')),
    author_user_id uuid,
    text text NOT NULL,
    encoding text NOT NULL,
    segments integer NOT NULL,
    status text NOT NULL,
    error_code text,
    error_title text,
    error_detail text,
    telnyx_message_id text,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    delivered_at timestamptz,
    updated_at timestamptz NOT NULL
);
-- Telnyx's message id identifies a message for every later webhook, and makes inbound idempotent.
CREATE UNIQUE INDEX messages_telnyx_id_key ON messages (telnyx_message_id) WHERE telnyx_message_id IS NOT NULL;
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, created_at, id);

CREATE TABLE opt_outs (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    phone_number text NOT NULL,
    keyword text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, phone_number)
);

-- The durable job table: the outbox and every other background step.
CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    run_at timestamptz NOT NULL,
    locked_until timestamptz,
    locked_by text,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX jobs_ready_idx ON jobs (kind, run_at) WHERE status IN ('pending', 'running');

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    event_id text,
    event_type text,
    telnyx_message_id text,
    signature_ok boolean NOT NULL,
    outcome text NOT NULL,
    error text,
    attempt integer,
    body text NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_tenant_idx ON webhook_deliveries (tenant_id, received_at DESC);
CREATE INDEX webhook_deliveries_recent_idx ON webhook_deliveries (received_at DESC);

-- Telnyx may deliver an event more than once: its id is processed once.
CREATE TABLE processed_webhook_events (
    event_id text PRIMARY KEY,
    processed_at timestamptz NOT NULL
);

-- What the real-time feed shows, written in the same transaction as the change.
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type text NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX events_tenant_idx ON events (tenant_id, id);
