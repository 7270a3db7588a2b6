-- 0008_answers: the answers the bot gives, which follow-ups and vote
-- buttons refer to after a restart and on every replica; the key of the
-- members' keyed hashes; votes keyed by that hash instead of the member's
-- Discord ID.

CREATE TABLE IF NOT EXISTS answers (
	id          bigserial PRIMARY KEY,
	created_at  timestamptz NOT NULL DEFAULT now(),
	question    text NOT NULL,
	answer      text NOT NULL,
	citations   jsonb NOT NULL DEFAULT '[]'::jsonb,
	mode        text NOT NULL DEFAULT '',
	found       boolean NOT NULL,
	latency_ms  integer NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
	guild_id    text NOT NULL DEFAULT '',
	-- where the question was asked, and the conversation the answer
	-- belongs to: the bot's thread, or the thread or DM it answered in
	-- ('' for none, as for /ask)
	channel_id  text NOT NULL DEFAULT '',
	thread_id   text NOT NULL DEFAULT '',
	-- HMAC-SHA256 of the member's Discord ID, hex; never the ID
	member_hash text NOT NULL,
	lang        text NOT NULL DEFAULT ''
);
-- A conversation's last answers; the purge by age.
CREATE INDEX IF NOT EXISTS answers_thread_idx ON answers (thread_id, id);
CREATE INDEX IF NOT EXISTS answers_created_at_idx ON answers (created_at);

-- Secrets dalil makes for itself, such as the member hash key when
-- MEMBER_HASH_KEY is unset: inserted once if absent, so that every
-- replica reads the same.
CREATE TABLE IF NOT EXISTS secrets (
	name       text PRIMARY KEY,
	value      bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Votes keep the member's keyed hash in place of the Discord ID. The IDs
-- of votes cast before this migration are hashed by Store.Migrate (the key
-- is not known to SQL); one vote per member and message still holds.
ALTER TABLE feedback RENAME COLUMN user_id TO member_hash;
ALTER TABLE feedback RENAME CONSTRAINT feedback_message_id_user_id_key TO feedback_message_id_member_hash_key;
