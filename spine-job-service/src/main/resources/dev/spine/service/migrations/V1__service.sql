-- Job service tables, version 1 (beside spine-jobs' tables in the same schema).

-- Events that could not be materialised (malformed, invalid): kept with their raw bytes and the reason,
-- and terminated on the stream, so they are never lost and never retried forever.
create table ${schema}.rejected_event (
    id          bigint generated always as identity primary key,
    received_at timestamptz not null,
    stream      text,
    stream_seq  bigint,
    subject     text not null,
    headers     jsonb,
    raw         bytea not null,
    code        text not null,
    field       text,
    reason      text not null
);
create index rejected_event_received on ${schema}.rejected_event (received_at);
