DROP TABLE events;
DROP TABLE tenant_event_counters;
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type text NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX events_tenant_idx ON events (tenant_id, id);
