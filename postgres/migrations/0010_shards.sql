-- 0010_shards: gateway shard leases for automatic sharding (package shard).
-- A replica of `dalil serve` holds one row while it runs its shard and
-- renews expires_at on a heartbeat; a row whose expires_at has passed is
-- free, and the next claimer takes it over. shard_count is the count the
-- fleet identified with, so that replicas started later adopt it.
CREATE TABLE IF NOT EXISTS shard_leases (
	shard_id    integer PRIMARY KEY CHECK (shard_id >= 0),
	shard_count integer NOT NULL CHECK (shard_count > shard_id),
	owner       text NOT NULL CHECK (owner <> ''),
	expires_at  timestamptz NOT NULL,
	claimed_at  timestamptz NOT NULL DEFAULT now()
);
