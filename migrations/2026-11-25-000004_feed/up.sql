-- The feed's ids increase per tenant and commit in order: each event takes the next number
-- from its tenant's counter row, whose lock is held until the transaction commits, so a
-- reader that has seen id N never later finds a committed N-1.

CREATE TABLE tenant_event_counters (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_id bigint NOT NULL
);

DROP TABLE events;
CREATE TABLE events (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id bigint NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Pruning by age.
CREATE INDEX events_occurred_idx ON events (occurred_at);
