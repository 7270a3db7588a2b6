-- 0012_skeletons: the consonant skeleton of a Latin-script word, to find
-- the archive's spelling of a name an Arabic question writes in Arabic
-- script (مزور → m-s-r → Mezzour). Both sides map to one consonant
-- alphabet: b (b p), f (f v), t (t th), d (d dh), s (s z sh ch), k (k c q
-- g j kh gh ck qu), l, m, n, r; x is ks; vowels, h, w and y are dropped,
-- and repeated consonants count once. lexicon.ArabicSkeleton is the
-- Arabic side. The index serves groupedLegSQL's lookup of a skeleton.

CREATE OR REPLACE FUNCTION dalil_skeleton(w text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(regexp_replace(translate(
		regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
			translate(lower(w), 'àáâäãåçèéêëìíîïñòóôöõùúûüýÿ', 'aaaaaaceeeeiiiinooooouuuuyy'),
			'ph', 'f', 'g'), 'dh', 'd', 'g'), 'th', 't', 'g'), '(ch|sh)', 's', 'g'), '(kh|gh|ck|qu)', 'k', 'g'), 'x', 'ks', 'g'),
		'cqgjpvzhaeiouyw', 'kkkkbfs'), '[^a-z]', '', 'g'), '(.)\1+', '\1', 'g')
$$;

CREATE INDEX IF NOT EXISTS lexemes_skeleton ON lexemes (dalil_skeleton(word)) WHERE word ~ '^[a-z]';
