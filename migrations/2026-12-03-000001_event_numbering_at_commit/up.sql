-- Events are numbered when their transaction commits, not when they are written.
--
-- A transaction writes its events to pending_events; a deferred trigger moves them into
-- events as the transaction commits, taking the next numbers from the tenant's counter. The
-- counter row is then locked only for the commit itself, inside the server with no round
-- trip to the application, instead of from the transaction's last statement to its commit:
-- under a burst, one tenant's writers queued on that lock (the first wait in
-- pg_stat_activity). Ids still commit in order: the lock is held until the commit is done,
-- so a reader that has seen id N never later finds a committed N-1.

-- Rows live only inside the transaction that writes them (the trigger deletes them before
-- its commit), so the table needs no WAL.
CREATE UNLOGGED TABLE pending_events (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    tenant_id uuid NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- The trigger runs once per writing statement, not once per event.
    first_of_statement boolean NOT NULL
);
CREATE INDEX pending_events_xact_idx ON pending_events (xact);

-- The feed's channel ('parley_events', realtime::events::CHANNEL) carries
-- "<tenant id>:<first new id>"; listeners read the table from that id on.
CREATE FUNCTION number_pending_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    writer record;
    base bigint;
BEGIN
    -- Tenants in a fixed order, so two transactions never wait on each other's counters.
    FOR writer IN
        SELECT p.tenant_id, count(*) AS events FROM pending_events p
         WHERE p.xact = pg_current_xact_id()
         GROUP BY p.tenant_id ORDER BY p.tenant_id
    LOOP
        INSERT INTO tenant_event_counters AS c (tenant_id, last_id)
             VALUES (writer.tenant_id, writer.events)
        ON CONFLICT (tenant_id) DO UPDATE SET last_id = c.last_id + writer.events
          RETURNING c.last_id - writer.events INTO base;
        INSERT INTO events (tenant_id, id, type, data, occurred_at)
             SELECT p.tenant_id, base + row_number() OVER (ORDER BY p.seq), p.type, p.data,
                    p.occurred_at
               FROM pending_events p
              WHERE p.xact = pg_current_xact_id() AND p.tenant_id = writer.tenant_id;
        PERFORM pg_notify('parley_events', writer.tenant_id::text || ':' || (base + 1)::text);
    END LOOP;
    -- Later statements' triggers in the same commit find nothing left.
    DELETE FROM pending_events WHERE xact = pg_current_xact_id();
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER number_events_at_commit
    AFTER INSERT ON pending_events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.first_of_statement)
    EXECUTE FUNCTION number_pending_events();
