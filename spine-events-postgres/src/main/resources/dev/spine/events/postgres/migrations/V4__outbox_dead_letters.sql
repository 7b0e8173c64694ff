-- Outbox rows the relay gave up on: after their attempts, or at once when the broker refused them for good.
-- A row leaves the outbox when it lands here, so the later events of its key go on; the dead letter names the
-- gap in that key's order. A retry moves it back into the outbox (as the newest row of its key).
CREATE TABLE ${schema}.outbox_dead_letters (
    id            bigserial   PRIMARY KEY,
    outbox_id     bigint      NOT NULL,          -- its id in the outbox, where its key's order was decided
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    partition_key text,
    payload       bytea       NOT NULL,          -- the envelope as the codec wrote it
    created_at    timestamptz NOT NULL,          -- when the event was written to the outbox
    attempts      integer     NOT NULL,
    last_error    text        NOT NULL,
    permanent     boolean     NOT NULL,          -- refused by the broker (retrying alone cannot help)
    dead_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_dead_letters_key ON ${schema}.outbox_dead_letters (partition_key, outbox_id);
