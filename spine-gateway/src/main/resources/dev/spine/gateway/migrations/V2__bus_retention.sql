-- Event bus, version 2: the event store keeps events for SPINE_BUS_RETENTION after they were stored (the
-- event's own timestamp is the publisher's word and may lie in the past).
alter table ${schema}.bus_event add column stored_at timestamptz not null default now();
create index bus_event_stored on ${schema}.bus_event (stored_at);
create index bus_receipt_accepted on ${schema}.bus_receipt (accepted_at);
