-- 0005_deferred_counts: bulk loads may defer the BM25 statistics.
--
-- Keeping the lexeme counts exact costs an upsert of every distinct lexeme
-- of every stored article, about half of a bulk load's time. A session
-- that sets dalil.defer_counts to 'on' (a custom setting any role may set)
-- skips that upkeep; it marks text_stats.stale first, and recounts
-- everything when it ends (postgres.Store.DeferTextStats and
-- RecountTextStats). A load killed in between leaves stale set, and the next
-- dalil command recounts.
--
-- Every upkeep now first locks the text_stats row, which it updated last
-- before: concurrent saves then count their lexemes one transaction at a
-- time. A replacement locks lexemes in two rounds (its DELETE, then its
-- COPY), and two concurrent replacements deadlocked on them.

ALTER TABLE text_stats ADD COLUMN IF NOT EXISTS stale boolean NOT NULL DEFAULT false;

-- dalil_counts_begin starts an upkeep: false when the session defers it,
-- else true once the text_stats row is locked.
CREATE OR REPLACE FUNCTION dalil_counts_begin() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('dalil.defer_counts', true) = 'on' THEN
		RETURN false;
	END IF;
	PERFORM 1 FROM text_stats FOR UPDATE;
	RETURN true;
END $$;

CREATE OR REPLACE FUNCTION dalil_lexemes_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

-- An UPDATE that changes tsv (a new heading or text) moves the counts from
-- the old lexemes to the new ones; reindexing, which only rewrites
-- embeddings, changes nothing.
CREATE OR REPLACE FUNCTION dalil_lexemes_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT dalil_counts_begin() THEN
		RETURN NULL;
	END IF;
	WITH changed AS (
		SELECT o.tsv AS old_tsv, n.tsv AS new_tsv
		FROM dalil_old o JOIN dalil_new n ON n.id = o.id
		WHERE o.tsv IS DISTINCT FROM n.tsv
	), delta AS (
		SELECT u.lexeme, sum(u.d) AS d FROM (
			SELECT x.lexeme, -1 AS d FROM changed, unnest(changed.old_tsv) x
			UNION ALL
			SELECT x.lexeme, 1 FROM changed, unnest(changed.new_tsv) x
		) u GROUP BY u.lexeme HAVING sum(u.d) <> 0 ORDER BY u.lexeme
	)
	INSERT INTO lexemes (word, ndoc) SELECT lexeme, d FROM delta
	ON CONFLICT (word) DO UPDATE SET ndoc = lexemes.ndoc + EXCLUDED.ndoc;
	UPDATE text_stats SET total_len = total_len + s.len
	FROM (SELECT coalesce(sum(length(n.tsv) - length(o.tsv)), 0) AS len
	      FROM dalil_old o JOIN dalil_new n ON n.id = o.id) s;
	RETURN NULL;
END $$;
