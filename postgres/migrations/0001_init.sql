-- 0001_init: articles, chunks, the embedder binding and full-text search.
--
-- The embedding column starts without a dimension: EnsureEmbedder (or
-- Reindex) sets vector(dim) and builds the HNSW index for the embedder the
-- index is bound to, recorded in index_meta.

CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Text search configurations, created idempotently: dropping one WITH
-- CASCADE would silently drop whatever uses it.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'dalil_fr' AND cfgnamespace = current_schema()::regnamespace) THEN
		CREATE TEXT SEARCH CONFIGURATION dalil_fr (COPY = pg_catalog.french);
		ALTER TEXT SEARCH CONFIGURATION dalil_fr
			ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'dalil_en' AND cfgnamespace = current_schema()::regnamespace) THEN
		CREATE TEXT SEARCH CONFIGURATION dalil_en (COPY = pg_catalog.english);
		ALTER TEXT SEARCH CONFIGURATION dalil_en
			ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'dalil_ar' AND cfgnamespace = current_schema()::regnamespace) THEN
		CREATE TEXT SEARCH CONFIGURATION dalil_ar (COPY = pg_catalog.arabic);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'dalil_simple' AND cfgnamespace = current_schema()::regnamespace) THEN
		CREATE TEXT SEARCH CONFIGURATION dalil_simple (COPY = pg_catalog.simple);
		ALTER TEXT SEARCH CONFIGURATION dalil_simple
			ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
	END IF;
END
$$;

-- dalil_ts_config chooses the text search configuration for a language code.
CREATE OR REPLACE FUNCTION dalil_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE lang
		WHEN 'fr' THEN 'dalil_fr'::regconfig
		WHEN 'en' THEN 'dalil_en'::regconfig
		WHEN 'ar' THEN 'dalil_ar'::regconfig
		ELSE 'dalil_simple'::regconfig
	END
$$;

CREATE TABLE IF NOT EXISTS articles (
	id           bigserial PRIMARY KEY,
	url          text NOT NULL UNIQUE,
	title        text NOT NULL DEFAULT '',
	publisher    text NOT NULL DEFAULT '',
	published    timestamptz,
	lang         text NOT NULL DEFAULT '',
	text         text NOT NULL,
	content_hash text NOT NULL DEFAULT '',
	ingested_at  timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS articles_content_hash_idx ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_published_idx ON articles (published);
CREATE INDEX IF NOT EXISTS articles_ingested_at_idx ON articles (ingested_at);

CREATE TABLE IF NOT EXISTS chunks (
	id         bigserial PRIMARY KEY,
	article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	idx        integer NOT NULL,
	heading    text NOT NULL DEFAULT '',
	text       text NOT NULL,
	start_off  integer NOT NULL,
	end_off    integer NOT NULL,
	lang       text NOT NULL DEFAULT '',
	embedding  vector,
	tsv        tsvector NOT NULL DEFAULT ''::tsvector,
	UNIQUE (article_id, idx)
);
-- Keep vectors in line: out-of-line vectors make exact and filtered scans
-- several times slower.
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX IF NOT EXISTS chunks_tsv_idx ON chunks USING gin (tsv);

-- chunks_tsv fills chunks.tsv from the article title (weight A), the heading
-- (B) and the text, in the configuration of the chunk's language. A trigger
-- rather than a generated column because the title lives in articles.
CREATE OR REPLACE FUNCTION dalil_chunks_tsv() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cfg regconfig := dalil_ts_config(NEW.lang);
	article_title text;
BEGIN
	SELECT a.title INTO article_title FROM articles a WHERE a.id = NEW.article_id;
	NEW.tsv := setweight(to_tsvector(cfg, coalesce(article_title, '')), 'A')
		|| setweight(to_tsvector(cfg, NEW.heading), 'B')
		|| to_tsvector(cfg, NEW.text);
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS chunks_tsv ON chunks;
CREATE TRIGGER chunks_tsv BEFORE INSERT OR UPDATE OF heading, text, lang ON chunks
	FOR EACH ROW EXECUTE FUNCTION dalil_chunks_tsv();

-- index_meta binds the vector index to one embedder: a single row.
CREATE TABLE IF NOT EXISTS index_meta (
	only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	embedder   text NOT NULL,
	dimensions integer NOT NULL CHECK (dimensions > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);
