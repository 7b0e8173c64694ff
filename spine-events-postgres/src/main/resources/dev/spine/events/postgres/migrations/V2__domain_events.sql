-- The PostgreSQL event bus (SPINE_EVENT_BUS=postgres): events, subscriber groups, per-group deliveries.
CREATE TABLE ${schema}.domain_events (
    id          bigserial   PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,   -- dedupe: the same event is stored once
    event_type  text        NOT NULL,
    topic       text        NOT NULL,          -- 'key:<partitionKey>', or 'type:<eventType>' without one
    payload     bytea       NOT NULL,          -- the envelope as the codec encodes it
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per durable name; patterns are event types or domain.* (empty: every event).
CREATE TABLE ${schema}.domain_event_groups (
    group_name  text        PRIMARY KEY,
    patterns    text[]      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- What each group still has to handle. A group's workers take one topic at a time under an advisory
-- lock, so events of a topic (one partition key, or one type) are handled in order, topics in parallel.
CREATE TABLE ${schema}.domain_event_deliveries (
    group_name  text        NOT NULL,
    event_row   bigint      NOT NULL REFERENCES ${schema}.domain_events (id) ON DELETE CASCADE,
    topic       text        NOT NULL,
    state       text        NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'done', 'dead')),
    attempts    integer     NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL DEFAULT now(),
    last_error  text,
    finished_at timestamptz,
    PRIMARY KEY (group_name, event_row)
);
CREATE INDEX domain_event_deliveries_todo
    ON ${schema}.domain_event_deliveries (group_name, topic, event_row) WHERE state = 'available';
CREATE INDEX domain_event_deliveries_dead
    ON ${schema}.domain_event_deliveries (group_name, event_row) WHERE state = 'dead';
