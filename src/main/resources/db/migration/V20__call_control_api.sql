-- Issue 6, call-control API for applications.

-- Who asked for a mode change through the API (digits and codes name no credential).
ALTER TABLE supervision_mode_change
    ADD COLUMN credential_id       BIGINT,
    ADD COLUMN credential_username VARCHAR(128);

-- Idempotency-Key of join/update requests, per customer: the first response is stored and replayed.
CREATE TABLE api_idempotency_key (
    customer_id  BIGINT       NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    idem_key     VARCHAR(255) NOT NULL,
    -- method and path the key was first used with, and a hash of the request body
    operation    VARCHAR(512) NOT NULL,
    fingerprint  VARCHAR(64)  NOT NULL,
    -- null while the first request is still being processed
    status       INTEGER,
    body         TEXT,
    location     VARCHAR(512),
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, idem_key)
);
CREATE INDEX api_idempotency_key_created_idx ON api_idempotency_key (created_at);
