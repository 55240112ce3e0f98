-- Issue 15: the live event stream across replicas. Every live event is written in the transaction
-- that made the change; every replica LISTENs and streams the rows it has not delivered yet, so a
-- console on any replica sees every event, and Last-Event-ID replays a bounded window (the rows
-- not yet pruned).
CREATE TABLE live_event (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id BIGINT      NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX live_event_customer_idx ON live_event (customer_id, id);
CREATE INDEX live_event_created_idx ON live_event (created_at);

-- The highest id pruned so far: a Last-Event-ID at or below it may have missed events.
CREATE TABLE live_event_horizon (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    pruned_upto BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO live_event_horizon DEFAULT VALUES;

-- One notification per inserting statement, delivered at commit: the replicas wake up and read.
CREATE FUNCTION live_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('callsup_live_event', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER live_event_notify AFTER INSERT ON live_event
    FOR EACH STATEMENT EXECUTE FUNCTION live_event_notify();
