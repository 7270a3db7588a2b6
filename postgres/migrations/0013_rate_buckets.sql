-- 0013_rate_buckets: the rate limits' token buckets, shared by the
-- replicas on one database (bot.RateLimits): one row a member or guild,
-- keyed by a keyed hash of its name (no Discord ID is stored), with the
-- tokens it held at updated_at. A bucket idle long enough to be full again
-- is the same as none, and is purged.

CREATE TABLE IF NOT EXISTS rate_buckets (
	key        text PRIMARY KEY,
	tokens     double precision NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS rate_buckets_updated ON rate_buckets (updated_at);
