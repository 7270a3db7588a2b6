-- 0009_claims: replicas of `dalil serve` sharing one database claim each
-- event (a mention, an interaction) before working on it, so that one
-- replica handles it; the open claims of a replica whose heartbeat stopped
-- are taken over by a live one.

-- replicas has one row per running process, its heartbeat refreshed every
-- few seconds (the database's clock decides, not the replicas').
CREATE TABLE IF NOT EXISTS replicas (
	id           text PRIMARY KEY CHECK (id <> ''),
	started_at   timestamptz NOT NULL DEFAULT now(),
	heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- claims has one row per event, inserted if absent: the replica whose
-- insert succeeded handles it. payload is what another replica needs to
-- finish the work if this one dies (question, channel, placeholder,
-- interaction token); it is emptied when the claim is done. takeovers
-- counts the times a claim changed replica.
CREATE TABLE IF NOT EXISTS claims (
	key        text PRIMARY KEY CHECK (key <> ''),
	replica    text NOT NULL,
	kind       text NOT NULL,
	payload    jsonb NOT NULL DEFAULT '{}'::jsonb,
	claimed_at timestamptz NOT NULL DEFAULT now(),
	done_at    timestamptz,
	takeovers  integer NOT NULL DEFAULT 0
);
-- Takeovers look for open claims; purges for claims done long ago.
CREATE INDEX IF NOT EXISTS claims_open_idx ON claims (replica) WHERE done_at IS NULL;
CREATE INDEX IF NOT EXISTS claims_done_at_idx ON claims (done_at) WHERE done_at IS NOT NULL;
