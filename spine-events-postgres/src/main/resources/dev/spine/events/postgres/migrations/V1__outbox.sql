-- The transactional outbox: rows written in the caller's transaction, published by the relay.
-- payload holds the envelope exactly as the codec encodes it (bytea: byte-exact, unlike jsonb).
CREATE TABLE ${schema}.outbox (
    id              bigserial PRIMARY KEY,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    partition_key   text,
    payload         bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    sent_at         timestamptz
);
-- what the relay reads: unsent rows in id order; small, since sent rows leave it
CREATE INDEX outbox_unsent ON ${schema}.outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON ${schema}.outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Which (handler, key) pairs ran: the idempotency middleware's log.
CREATE TABLE ${schema}.processing_log (
    handler      text        NOT NULL,
    key          text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('running', 'done')),
    lease_until  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handler, key)
);

-- Optional: what each handler did with each delivery.
CREATE TABLE ${schema}.event_history (
    id              bigserial   PRIMARY KEY,
    handler         text        NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    correlation_id  uuid        NOT NULL,
    delivered_count bigint      NOT NULL,
    outcome         text        NOT NULL,
    took_micros     bigint      NOT NULL,
    error           text,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_history_event ON ${schema}.event_history (event_id);
