-- Pictures and files (MMS). A `media` row is one item of a tenant: uploaded by the team, or
-- received from a customer (fetched from Telnyx's short-lived URL by a job). Its bytes live in
-- the object store under their SHA-256, once per content whoever holds them. `message_media`
-- links a message to its items in order.

ALTER TABLE messages ADD COLUMN message_type text NOT NULL DEFAULT 'SMS';

CREATE TABLE media (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- `stored` (the bytes are in the store), `pending` (an inbound item being fetched) or
    -- `unavailable` (an inbound item whose fetch failed for good).
    status text NOT NULL,
    content_type text NOT NULL,
    -- Bytes; for a pending or unavailable item, what Telnyx declared (0 when it did not).
    size bigint NOT NULL,
    -- Lowercase hex; null until the bytes are stored.
    sha256 text,
    -- Inbound: Telnyx's URL and what it declared, kept until the fetch settles.
    source_url text,
    declared_sha256 text,
    error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK (status IN ('stored', 'pending', 'unavailable')),
    CHECK (status <> 'stored' OR sha256 IS NOT NULL)
);

CREATE INDEX media_sha256 ON media (sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX media_tenant_created ON media (tenant_id, created_at);

CREATE TABLE message_media (
    message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    media_id uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, position)
);

CREATE INDEX message_media_media ON message_media (media_id);
