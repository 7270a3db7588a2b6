-- 0003_feeds_digests: feed polling state and items, which articles a digest
-- may announce, per-channel digest settings and the digests posted.

-- announce is false for articles that must never appear in a digest: the
-- backlog of a feed at subscription time.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS announce boolean NOT NULL DEFAULT true;

ALTER TABLE feeds ADD COLUMN IF NOT EXISTS next_poll_at timestamptz;
CREATE INDEX IF NOT EXISTS feeds_next_poll_at_idx ON feeds (next_poll_at);

-- feed_items remembers every item seen in a feed, by GUID (or link), so
-- that an item is fetched and ingested once.
CREATE TABLE IF NOT EXISTS feed_items (
	feed_id    bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	guid       text NOT NULL,
	url        text NOT NULL DEFAULT '',
	article_id bigint REFERENCES articles (id) ON DELETE SET NULL,
	seen_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (feed_id, guid)
);
CREATE INDEX IF NOT EXISTS feed_items_article_id_idx ON feed_items (article_id);

CREATE TABLE IF NOT EXISTS digest_channels (
	channel_id text PRIMARY KEY CHECK (channel_id <> ''),
	guild_id   text NOT NULL DEFAULT '',
	schedule   text NOT NULL DEFAULT '08:00',
	time_zone  text NOT NULL DEFAULT 'Africa/Casablanca',
	lang       text NOT NULL DEFAULT '',
	feed_ids   bigint[] NOT NULL DEFAULT '{}',
	publishers text[] NOT NULL DEFAULT '{}',
	empty_note boolean NOT NULL DEFAULT false,
	enabled    boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- digests records each channel's digest per period, exactly once: a pending
-- row is written before posting and marked posted (with the Discord message
-- ids) after, in one transaction.
CREATE TABLE IF NOT EXISTS digests (
	id          bigserial PRIMARY KEY,
	channel_id  text NOT NULL,
	period      timestamptz NOT NULL,
	status      text NOT NULL CHECK (status IN ('pending', 'posted', 'empty', 'failed', 'skipped', 'unknown')),
	since       timestamptz,
	until       timestamptz,
	parts       jsonb NOT NULL DEFAULT '[]'::jsonb,
	message_ids text[] NOT NULL DEFAULT '{}',
	note        text NOT NULL DEFAULT '',
	attempts    integer NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (channel_id, period)
);
CREATE INDEX IF NOT EXISTS digests_pending_idx ON digests (status) WHERE status = 'pending';
