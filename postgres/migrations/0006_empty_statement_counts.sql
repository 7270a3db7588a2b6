-- 0006_empty_statement_counts: a statement that stores or removes no chunk
-- leaves the BM25 statistics alone.
--
-- SaveArticle sends an article in one round trip, and so always deletes the
-- article's old chunks, even for a new article that has none. The upkeep
-- triggers of migration 0005 would still lock text_stats and write a new
-- version of its row for that empty DELETE; they now return at once when
-- their transition table is empty.

CREATE OR REPLACE FUNCTION dalil_lexemes_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM dalil_new) THEN
		RETURN NULL;
	END IF;
	IF NOT dalil_counts_begin() THEN
		RETURN NULL;
	END IF;
	INSERT INTO lexemes (word, ndoc)
	SELECT u.lexeme, count(*) FROM dalil_new c, unnest(c.tsv) u
	GROUP BY u.lexeme ORDER BY u.lexeme
	ON CONFLICT (word) DO UPDATE SET ndoc = lexemes.ndoc + EXCLUDED.ndoc;
	UPDATE text_stats SET chunks = chunks + s.n, total_len = total_len + s.len
	FROM (SELECT count(*) AS n, coalesce(sum(length(tsv)), 0) AS len FROM dalil_new) s;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dalil_lexemes_remove() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM dalil_old) THEN
		RETURN NULL;
	END IF;
	IF NOT dalil_counts_begin() THEN
		RETURN NULL;
	END IF;
	UPDATE lexemes l SET ndoc = l.ndoc - d.n
	FROM (SELECT u.lexeme, count(*) AS n FROM dalil_old c, unnest(c.tsv) u
	      GROUP BY u.lexeme ORDER BY u.lexeme) d
	WHERE l.word = d.lexeme;
	UPDATE text_stats SET chunks = chunks - s.n, total_len = total_len - s.len
	FROM (SELECT count(*) AS n, coalesce(sum(length(tsv)), 0) AS len FROM dalil_old) s;
	RETURN NULL;
END $$;
