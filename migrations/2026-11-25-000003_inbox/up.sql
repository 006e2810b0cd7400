-- The inbox: ordering by last activity, search by phone digits, name or company, client
-- search, other channels' interactions, and usage by day.

CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Last activity, the list's order (newest first) and its cursor.
ALTER TABLE conversations
    ADD COLUMN activity_at timestamptz GENERATED ALWAYS AS (coalesce(last_message_at, created_at)) STORED;
DROP INDEX conversations_activity_idx;
CREATE INDEX conversations_activity_idx ON conversations (tenant_id, activity_at DESC, id DESC);

-- What `q` searches: contact name, company and the phone's digits, lower-cased.
ALTER TABLE conversations
    ADD COLUMN search_document text GENERATED ALWAYS AS (
        lower(coalesce(contact_name, '') || ' ' || coalesce(company, '') || ' ' || regexp_replace(phone_number, '[^0-9]', '', 'g'))
    ) STORED;
CREATE INDEX conversations_search_idx ON conversations USING gin (tenant_id, search_document gin_trgm_ops);

ALTER TABLE clients
    ADD COLUMN search_document text GENERATED ALWAYS AS (
        lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, '') || ' ' ||
              coalesce(email, '') || ' ' || regexp_replace(coalesce(phone_number, ''), '[^0-9]', '', 'g'))
    ) STORED;
CREATE INDEX clients_search_idx ON clients USING gin (tenant_id, search_document gin_trgm_ops);

-- Usage by day and the export's per-conversation counts.
CREATE INDEX messages_tenant_time_idx ON messages (tenant_id, created_at);

-- Interactions on other channels (calls, emails, web chats), for the AI's cross-channel context.
CREATE TABLE interactions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id uuid REFERENCES clients (id) ON DELETE CASCADE,
    phone_number text CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    channel text NOT NULL CHECK (length(channel) BETWEEN 1 AND 40),
    summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (client_id IS NOT NULL OR phone_number IS NOT NULL)
);
CREATE INDEX interactions_phone_idx ON interactions (tenant_id, phone_number, occurred_at DESC);
CREATE INDEX interactions_client_idx ON interactions (tenant_id, client_id, occurred_at DESC);

-- Every AI generation, for troubleshooting and usage: who asked, which model, tokens,
-- latency, outcome.
CREATE TABLE ai_generations (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
    assistant_id uuid REFERENCES assistants (id) ON DELETE SET NULL,
    purpose text NOT NULL,
    provider text NOT NULL,
    model text NOT NULL,
    prompt_tokens integer,
    completion_tokens integer,
    latency_ms integer NOT NULL,
    outcome text NOT NULL,
    error text,
    created_at timestamptz NOT NULL
);
CREATE INDEX ai_generations_tenant_idx ON ai_generations (tenant_id, created_at DESC);
