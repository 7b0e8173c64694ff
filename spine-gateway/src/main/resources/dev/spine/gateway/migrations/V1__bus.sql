-- Event bus HTTP service tables, version 1 (component spine-bus, beside the job service's tables).

-- Services allowed to publish over HTTP: the event types they may publish and the SHA-256 of their API key
-- (the key itself is shown once, at registration, and never stored).
create table ${schema}.bus_publisher (
    id            uuid primary key,
    name          text not null unique,
    allowed_types text[] not null,
    key_hash      bytea not null unique,
    key_prefix    text not null,
    created_at    timestamptz not null
);

-- One receipt per accepted eventId: a retry of the same eventId gets the first receipt back, also after
-- JetStream's duplicate window has passed.
create table ${schema}.bus_receipt (
    event_id        uuid primary key,
    stream          text not null,
    stream_seq      bigint not null,
    event_timestamp timestamptz not null,
    publisher_id    uuid,
    accepted_at     timestamptz not null
);

-- The event store: every event of the platform stream, written by its own durable consumer.
create table ${schema}.bus_event (
    event_id       uuid primary key,
    stream         text not null,
    stream_seq     bigint not null,
    event_type     text not null,
    source         text not null,
    correlation_id uuid not null,
    partition_key  text,
    occurred_at    timestamptz not null,
    envelope       jsonb not null
);
create index bus_event_seq on ${schema}.bus_event (stream_seq);
create index bus_event_type on ${schema}.bus_event (event_type, stream_seq);
create index bus_event_source on ${schema}.bus_event (source, stream_seq);
create index bus_event_correlation on ${schema}.bus_event (correlation_id, stream_seq);
create index bus_event_partition on ${schema}.bus_event (partition_key, stream_seq) where partition_key is not null;
create index bus_event_time on ${schema}.bus_event (occurred_at);

create table ${schema}.bus_subscription (
    id           uuid primary key,
    name         text not null,
    event_types  text[] not null,
    filters      jsonb not null,
    mode         text not null check (mode in ('webhook', 'sse', 'websocket')),
    url          text,
    secret       text not null,
    guarantee    text not null check (guarantee in ('at-least-once', 'at-most-once')),
    max_attempts int not null,
    timeout_ms   int not null,
    created_at   timestamptz not null
);

-- Webhook deliveries that used up their attempts, per subscription, retriable by hand.
create table ${schema}.bus_dead_letter (
    id              bigint generated always as identity primary key,
    subscription_id uuid not null references ${schema}.bus_subscription (id) on delete cascade,
    event_id        uuid not null,
    stream_seq      bigint not null,
    envelope        jsonb not null,
    attempts        int not null,
    last_status     int,
    last_error      text not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);
create index bus_dead_letter_subscription on ${schema}.bus_dead_letter (subscription_id, id);

-- At-most-once subscriptions claim an event before the one delivery attempt: a redelivery finds the claim
-- and sends nothing. Claims older than the consumer's ack wait can no longer matter and are pruned.
create table ${schema}.bus_delivery_claim (
    subscription_id uuid not null references ${schema}.bus_subscription (id) on delete cascade,
    event_id        uuid not null,
    claimed_at      timestamptz not null,
    primary key (subscription_id, event_id)
);
create index bus_delivery_claim_age on ${schema}.bus_delivery_claim (claimed_at);
