-- 0002_feedback_feeds: votes on answers and the RSS/Atom feeds to poll.

CREATE TABLE IF NOT EXISTS feedback (
	id         bigserial PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now(),
	guild_id   text NOT NULL DEFAULT '',
	channel_id text NOT NULL DEFAULT '',
	message_id text NOT NULL,
	user_id    text NOT NULL,
	question   text NOT NULL DEFAULT '',
	answer     text NOT NULL DEFAULT '',
	citations  jsonb NOT NULL DEFAULT '[]'::jsonb,
	vote       smallint NOT NULL CHECK (vote IN (-1, 1)),
	UNIQUE (message_id, user_id)
);
CREATE INDEX IF NOT EXISTS feedback_created_at_idx ON feedback (created_at);

CREATE TABLE IF NOT EXISTS feeds (
	id               bigserial PRIMARY KEY,
	url              text NOT NULL UNIQUE,
	title            text NOT NULL DEFAULT '',
	etag             text NOT NULL DEFAULT '',
	last_modified    text NOT NULL DEFAULT '',
	interval_seconds integer NOT NULL DEFAULT 3600 CHECK (interval_seconds > 0),
	last_polled_at   timestamptz,
	last_ok_at       timestamptz,
	failures         integer NOT NULL DEFAULT 0,
	last_error       text NOT NULL DEFAULT '',
	created_at       timestamptz NOT NULL DEFAULT now()
);
