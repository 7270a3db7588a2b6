package embeddings

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// offlineVersion is part of Offline.Name: bump it whenever the features,
// weights or text normalization change, so that stores built with the old
// algorithm are reindexed.
const offlineVersion = "v1"

// Limits and default of OfflineConfig.Dimensions.
const (
	DefaultOfflineDimensions = 384
	MinOfflineDimensions     = 64
	MaxOfflineDimensions     = 4096
)

// OfflineConfig configures an Offline embedder.
type OfflineConfig struct {
	// Dimensions is the vector length: 0 means DefaultOfflineDimensions;
	// otherwise it must lie in [MinOfflineDimensions, MaxOfflineDimensions].
	Dimensions int
}

// Offline is a deterministic embedder that needs no network and no model
// files: it hashes normalized words, word pairs and character n-grams of the
// text (French, English and Arabic aware) into a signed, L2-normalized
// vector. Similar wording gives similar vectors; it does not know synonyms
// or translations. It is safe for concurrent use.
type Offline struct {
	dim      int
	wordDims int // dimensions [0, wordDims) hold word features, the rest n-grams
	w        offlineWeights
	pool     sync.Pool
	name     string
}

// offlineWeights are the relative weights of the feature kinds.
type offlineWeights struct {
	word, number, bigram float64
	minGram, maxGram     int
	// wordShare is the fraction of dimensions given to word features,
	// wordMass the fraction of the squared norm they carry.
	wordShare, wordMass float64
	// upper multiplies the weight of capitalized words (names).
	upper float64
}

// defaultWeights were tuned on testdata (see QUALITY.md).
func defaultWeights() offlineWeights {
	return offlineWeights{word: 1, number: 2, bigram: 0.3, minGram: 3, maxGram: 4, wordShare: 0.3, wordMass: 0.3, upper: 1.5}
}

// Feature kinds, stored in the low bits of a feature id.
const (
	featWord = iota
	featNumber
	featBigram
	featGram
	featKinds
)

// scratch holds the reusable buffers of one Embed call on one text.
type scratch struct {
	text  []byte  // folded tokens, back to back
	toks  []token // token spans in text
	feats []feature
	spare []feature // radix sort's second buffer
	runes []rune    // one word with boundary markers, for n-grams
	acc   []float64
}

type token struct {
	start, end int
	number     bool
	upper      bool // starts with a capital letter: likely a name
}

// feature is a hashed feature (its kind in the low bits) and its weight.
type feature struct {
	id uint64
	w  float64
}

var _ rag.Embedder = (*Offline)(nil)

// NewOffline returns an Offline embedder. It panics if cfg.Dimensions is out
// of range, a programming or configuration error that cmd/dalil validates
// first with ValidateOfflineConfig.
func NewOffline(cfg OfflineConfig) *Offline {
	if err := ValidateOfflineConfig(cfg); err != nil {
		panic(err)
	}

	w := defaultWeights()
	dim := cfg.Dimensions
	if dim == 0 {
		dim = DefaultOfflineDimensions
	}
	o := &Offline{
		dim:      dim,
		wordDims: int(math.Round(float64(dim) * w.wordShare)),
		w:        w,
		name:     fmt.Sprintf("offline-%s-%d", offlineVersion, dim),
	}
	o.pool.New = func() any { return &scratch{acc: make([]float64, dim)} }
	return o
}

// ValidateOfflineConfig reports whether cfg is usable by NewOffline.
func ValidateOfflineConfig(cfg OfflineConfig) error {
	if cfg.Dimensions != 0 && (cfg.Dimensions < MinOfflineDimensions || cfg.Dimensions > MaxOfflineDimensions) {
		return fmt.Errorf("offline embedder: dimensions %d out of range [%d, %d]", cfg.Dimensions, MinOfflineDimensions, MaxOfflineDimensions)
	}
	return nil
}

// Name identifies the algorithm version and dimension, e.g. "offline-v1-384".
func (o *Offline) Name() string { return o.name }

// Dimensions is the length of every vector Embed returns.
func (o *Offline) Dimensions() int { return o.dim }

// Embed returns one unit vector per text, in order. A blank text is an error
// naming its index (rag.ErrEmptyInput). Large batches are spread over
// GOMAXPROCS goroutines.
func (o *Offline) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	slab := make([]float32, len(texts)*o.dim)
	workers := min(runtime.GOMAXPROCS(0), len(texts)/parallelMin)
	if workers <= 1 {
		if err := o.embedRange(ctx, texts, out, slab, 0, len(texts)); err != nil {
			return nil, err
		}
		return out, nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(texts) + workers - 1) / workers
	for w := range workers {
		wg.Go(func() {
			errs[w] = o.embedRange(ctx, texts, out, slab, w*per, min((w+1)*per, len(texts)))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// parallelMin is the fewest texts per goroutine worth starting one for.
const parallelMin = 32

// embedRange embeds texts[from:to] into out, backed by slab.
func (o *Offline) embedRange(ctx context.Context, texts []string, out [][]float32, slab []float32, from, to int) error {
	s := o.pool.Get().(*scratch)
	defer o.pool.Put(s)
	for i := from; i < to; i++ {
		if (i-from)%64 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("offline embed: %w", err)
			}
		}
		v := slab[i*o.dim : (i+1)*o.dim : (i+1)*o.dim]
		if !o.embed(s, texts[i], v) {
			return fmt.Errorf("offline embed input %d: blank text: %w", i, rag.ErrEmptyInput)
		}
		out[i] = v
	}
	return nil
}

// embed writes the vector of text into v and reports whether the text was
// not blank.
func (o *Offline) embed(s *scratch, text string, v []float32) bool {
	if norm.NFKC.QuickSpanString(text) != len(text) {
		text = norm.NFKC.String(text)
	}
	o.tokenize(s, text)
	o.features(s)
	if len(s.feats) == 0 {
		// Only stop words, single letters or symbols: fall back on the
		// words, else on the whole text.
		for _, tk := range s.toks {
			s.feats = append(s.feats, feature{hashBytes(s.text[tk.start:tk.end], featWord), o.w.word})
		}
		if len(s.toks) == 0 {
			trimmed := strings.TrimSpace(text)
			if trimmed == "" {
				return false
			}
			s.text = append(s.text[:0], trimmed...)
			s.feats = append(s.feats, feature{hashBytes(s.text, featWord), o.w.word})
		}
	}
	s.feats, s.spare = sortFeatures(s.feats, s.spare)
	acc := s.acc
	clear(acc)
	// Word features and character n-grams hash into separate blocks, each
	// normalized to its share of the mass, so that the many n-grams do not
	// drown word matches in collisions.
	split := o.wordDims
	for i := 0; i < len(s.feats); {
		f := s.feats[i].id
		w := s.feats[i].w
		j := i + 1
		for ; j < len(s.feats) && s.feats[j].id == f; j++ {
			w = max(w, s.feats[j].w)
		}
		kind := int(f & (featKinds - 1))
		if j-i > 1 { // 1 + log(1) is 1: most features occur once
			w *= 1 + math.Log(float64(j-i))
		}
		h := mix(f)
		if h&1 == 1 {
			w = -w
		}
		if kind == featGram {
			acc[split+int((h>>1)%uint64(o.dim-split))] += w
		} else {
			acc[int((h>>1)%uint64(split))] += w
		}
		i = j
	}
	scaleBlock(acc[:split], o.w.wordMass)
	scaleBlock(acc[split:], 1-o.w.wordMass)
	var sum float64
	for _, x := range acc {
		sum += x * x
	}
	inv := 1 / math.Sqrt(sum)
	if sum == 0 {
		// Every feature cancelled out: practically impossible, but a
		// zero vector has no cosine.
		inv, acc[0] = 1, 1
	}
	for k, x := range acc {
		v[k] = float32(x * inv)
	}
	return true
}

// sortFeatures sorts fs by id with a least-significant-digit radix sort
// through spare, and returns the sorted slice and the other buffer for
// reuse. Comparison sorting was 60% of an embedding's time; equal ids are
// only grouped, so the order among them does not matter.
func sortFeatures(fs, spare []feature) (sorted, buf []feature) {
	if len(fs) < 2 {
		return fs, spare
	}
	spare = slices.Grow(spare[:0], len(fs))[:len(fs)]
	src, dst := fs, spare
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, f := range src {
			count[byte(f.id>>shift)]++
		}
		if count[byte(src[0].id>>shift)] == len(src) {
			continue // every id has this digit
		}
		pos := 0
		for d, c := range count {
			count[d] = pos
			pos += c
		}
		for _, f := range src {
			d := byte(f.id >> shift)
			dst[count[d]] = f
			count[d]++
		}
		src, dst = dst, src
	}
	return src, dst
}

// scaleBlock scales b to the norm sqrt(mass), leaving a zero block alone.
func scaleBlock(b []float64, mass float64) {
	var sum float64
	for _, x := range b {
		sum += x * x
	}
	if sum == 0 {
		return
	}
	f := math.Sqrt(mass / sum)
	for i := range b {
		b[i] *= f
	}
}

// tokenize fills s.text and s.toks with the folded words and numbers of text.
func (o *Offline) tokenize(s *scratch, text string) {
	s.text, s.toks = s.text[:0], s.toks[:0]
	in := false
	cur := token{}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch {
		case nlp.IsIgnorable(r): // tatweel, tashkeel, accents
			continue
		case nlp.Digit(r) >= 0:
			if !in {
				cur, in = token{start: len(s.text), number: true}, true
			}
			s.text = append(s.text, byte('0'+nlp.Digit(r)))
			continue
		case unicode.IsLetter(r):
			if !in {
				cur, in = token{start: len(s.text), upper: unicode.IsUpper(r)}, true
			}
			cur.number = false
			s.text = nlp.AppendFold(s.text, r)
			continue
		case (r == '.' || r == ',' || r == 0x66B) && in && cur.number && i < len(text):
			// A decimal or thousands separator inside a number: 2.373, 14,2.
			if next, _ := utf8.DecodeRuneInString(text[i:]); nlp.Digit(next) >= 0 {
				s.text = append(s.text, '.')
				continue
			}
		}
		if in {
			cur.end = len(s.text)
			s.toks = append(s.toks, cur)
			in = false
		}
	}
	if in {
		cur.end = len(s.text)
		s.toks = append(s.toks, cur)
	}
}

// features fills s.feats from s.toks.
func (o *Offline) features(s *scratch) {
	s.feats = s.feats[:0]
	var prev uint64
	havePrev := false
	for _, tk := range s.toks {
		word := s.text[tk.start:tk.end]
		if tk.number {
			s.feats = append(s.feats, feature{hashBytes(word, featNumber), o.w.number})
			prev, havePrev = hashBytes(word, featBigram), true
			continue
		}
		n := utf8.RuneCount(word)
		if n < 2 {
			continue
		}
		if nlp.IsStopWord(word) {
			continue
		}
		boost := 1.0
		if tk.upper {
			boost = o.w.upper
		}
		stem := nlp.Stem(word)
		s.feats = append(s.feats, feature{hashBytes(stem, featWord), o.w.word * boost})
		hb := hashBytes(stem, featBigram)
		if havePrev && o.w.bigram > 0 {
			s.feats = append(s.feats, feature{(mix(prev*0x9E3779B97F4A7C15^hb) &^ (featKinds - 1)) | featBigram, o.w.bigram * boost})
		}
		prev, havePrev = hb, true
		o.appendGrams(s, word, boost)
	}
}

// appendGrams appends the character n-grams of word, with ^ and $ as
// boundary markers.
func (o *Offline) appendGrams(s *scratch, word []byte, boost float64) {
	s.runes = append(s.runes[:0], '^')
	for len(word) > 0 {
		r, n := utf8.DecodeRune(word)
		s.runes = append(s.runes, r)
		word = word[n:]
	}
	s.runes = append(s.runes, '$')
	rs := s.runes
	for n := o.w.minGram; n <= o.w.maxGram; n++ {
		for i := 0; i+n <= len(rs); i++ {
			h := uint64(14695981039346656037) ^ uint64(n)
			for _, r := range rs[i : i+n] {
				h = (h ^ uint64(r)) * 1099511628211
			}
			s.feats = append(s.feats, feature{(mix(h) &^ (featKinds - 1)) | featGram, boost})
		}
	}
}

// hashBytes is FNV-1a of b, finalized, with kind in the low bits.
func hashBytes(b []byte, kind uint64) uint64 {
	h := uint64(14695981039346656037) ^ (kind + 1)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return (mix(h) &^ (featKinds - 1)) | kind
}

// mix is the SplitMix64 finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}
