-- Event bus, version 3: a webhook subscription records the platform stream's next sequence when it is made,
-- and its durable consumer starts there whenever and on whichever instance it is created, so events
-- published between the 201 and the consumer's creation are delivered too. Null for subscriptions made
-- before: their consumers exist and keep their positions.
alter table ${schema}.bus_subscription add column start_seq bigint;
