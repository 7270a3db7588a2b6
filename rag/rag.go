// Package rag holds dalil's domain: articles, chunks, passages, answers and
// feeds; the Service that ingests (chunking, embedding, storing), searches
// (glossary expansion, fusion of the search legs), gates and answers (with
// an LLM over numbered sources, or extractively) and summarizes; and the
// small interfaces it consumes (Embedder, Store, Chat). Text processing is
// in nlp, date phrases in when, citation checking in cite.
//
// Adapters (postgres, embeddings, llm, ingest, bot) depend on rag; rag depends
// on none of them.
package rag

import (
	"context"
	"errors"
	"time"

	"github.com/dalil-news/dalil/lexicon"
)

// Sentinel errors shared by the adapters. Check them with errors.Is.
var (
	// ErrNotFound means the requested article or record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrEmptyInput means an input had no usable text.
	ErrEmptyInput = errors.New("empty input")
	// ErrEmbedderMismatch means the database index was built by another
	// embedder or with another dimension; `dalil reindex` fixes it.
	ErrEmbedderMismatch = errors.New("embedder mismatch")
	// ErrUnavailable means an outside service (LLM, embedding API) failed
	// after retries.
	ErrUnavailable = errors.New("service unavailable")
)

// Article is one news article, cleaned. Text holds the body as paragraphs
// separated by blank lines; a section heading is a paragraph of its own that
// starts with "## ". Chunk offsets and citation quotes index into Text.
type Article struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"` // canonical URL; file:// for local files
	Publisher   string    `json:"publisher"`
	Published   time.Time `json:"published"` // zero when unknown
	Lang        string    `json:"lang"`      // ISO 639-1: fr, en, ar, or "" when unknown
	Text        string    `json:"text,omitempty"`
	ContentHash string    `json:"content_hash,omitempty"` // hex SHA-256 of the normalized Text
	IngestedAt  time.Time `json:"ingested_at"`
}

// HeadingPrefix marks a heading paragraph in Article.Text.
const HeadingPrefix = "## "

// Chunk is a bounded piece of an article's text, with the nearest heading
// and its byte offsets in Article.Text (Text == article.Text[Start:End]).
type Chunk struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"article_id"`
	Index     int       `json:"index"`
	Text      string    `json:"text"`
	Heading   string    `json:"heading,omitempty"`
	Start     int       `json:"start"`
	End       int       `json:"end"`
	Embedding []float32 `json:"-"`
}

// EmbeddingText is what gets embedded for a chunk: the article title and the
// nearest heading give context to a passage that may not name its subject.
func (c Chunk) EmbeddingText(title string) string {
	s := title
	if c.Heading != "" {
		s += " — " + c.Heading
	}
	if s != "" {
		s += "\n"
	}
	return s + c.Text
}

// Passage is a chunk returned by a search, with its article (without text)
// and the evidence of its relevance.
type Passage struct {
	Chunk   Chunk   `json:"chunk"`
	Article Article `json:"article"`
	// Score is the reciprocal-rank-fusion score of the two legs.
	Score float64 `json:"score"`
	// Similarity is the cosine similarity of the chunk to the question
	// (0 when the chunk came only from the full-text leg).
	Similarity float64 `json:"similarity"`
	// VectorRank and TextRank are 1-based ranks in each leg, 0 when absent.
	VectorRank int `json:"vector_rank"`
	TextRank   int `json:"text_rank"`
}

// SearchQuery asks a Store for passages.
type SearchQuery struct {
	Text   string    // the question, for the full-text leg
	Lang   string    // the question's language (fr, en, ar), "" when unknown
	Vector []float32 // the question's embedding, for the vector leg
	// Groups, when set, replace Text's words in an undated full-text leg
	// (a structured query, see QueryPart): each group is one word of the
	// question, and its parts are its forms in one language each (the
	// word itself, its translations into another language).
	Groups [][]QueryPart
	// TextOnly ranks by the full-text leg alone; Vector, when set, then
	// only gives each passage its similarity.
	TextOnly bool
	// K is the number of passages wanted after fusion; each leg fetches
	// Candidates rows (at least K).
	K          int
	Candidates int
	// PerArticle caps passages from one article (0: no cap).
	PerArticle int
	// Since and Until filter on the publication date when non-zero
	// (Since inclusive, Until exclusive). Undated articles are excluded
	// when either is set.
	Since, Until time.Time
}

// QueryPart is one language's forms of a word of a structured query
// (SearchQuery.Groups): the word as the question has it, or its
// translations into Lang ("" when unknown), space-separated in Words. A
// part scores as one term (Pirkola's structured query): a chunk holding
// any of its words holds it, and it is as rare as all of them together
// in Lang's chunks; a group scores in a chunk as its best part there.
type QueryPart = lexicon.Part

// SaveStatus says what SaveArticle did.
type SaveStatus string

// The outcomes of SaveArticle.
const (
	Created   SaveStatus = "created"   // a new article
	Updated   SaveStatus = "updated"   // same URL, new content: old chunks replaced
	Unchanged SaveStatus = "unchanged" // same URL and same content
	Duplicate SaveStatus = "duplicate" // same content already stored under another URL
)

// Existing describes an article already stored under a URL or a content hash.
type Existing struct {
	ID          int64
	URL         string
	ContentHash string
}

// LookupKey names an article to look up: by canonical URL or, failing
// that, by content hash.
type LookupKey struct {
	URL         string
	ContentHash string
}

// Embedder turns texts into vectors of a fixed dimension.
// Embed returns one vector per input, in order, or an error that names what
// failed; it never returns a partial result.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Dimensions is the length of every vector Embed returns.
	Dimensions() int
	// Name identifies the model (e.g. "offline-v1", "openai:text-embedding-3-small")
	// so that the store can refuse vectors from another one.
	Name() string
}

// Store keeps articles and chunks and searches them.
// Methods return ErrNotFound (wrapped) for missing records and
// ErrEmbedderMismatch when the index was built by another embedder.
type Store interface {
	// LookupMany finds, for each key in order, the article stored under
	// its URL or, failing that, with its content hash (ignored when
	// empty), in one round trip. found[i].ID is 0 when there is none.
	LookupMany(ctx context.Context, keys []LookupKey) (found []Existing, err error)
	// SaveArticle stores an article and its embedded chunks in one
	// transaction, replacing the chunks of an article with the same URL,
	// and returns what it did, decided inside that transaction so that
	// concurrent saves store one content once: Created, Updated, or,
	// writing nothing, Unchanged (same URL and content) or Duplicate (a
	// new URL whose content is stored under another). It sets a.ID to the
	// stored article's.
	SaveArticle(ctx context.Context, a *Article, chunks []Chunk) (SaveStatus, error)
	// Search runs the hybrid search.
	Search(ctx context.Context, q SearchQuery) ([]Passage, error)
	// Article returns one article with its text.
	Article(ctx context.Context, id int64) (Article, error)
}

// Feedback is one member's vote on one answer the bot posted.
type Feedback struct {
	ID        int64
	CreatedAt time.Time // when the vote was last cast or changed
	GuildID   string
	ChannelID string
	MessageID string // the message carrying the vote buttons
	AnswerID  int64  // the stored answer voted on (AnswerRecord.ID); 0 when unknown
	// UserID is the voter's Discord ID, given to the store, which keeps
	// only its keyed hash: reads return that, MemberHash.
	UserID, MemberHash string
	Question           string
	Answer             string
	// Citations are the answer's sources; article texts are not stored.
	Citations []Citation
	Vote      int // +1 or -1
}

// AnswerRecord is an answer the bot gave, as stored for its conversation's
// follow-ups and the votes on it: like Feedback, saved with the member's
// UserID and read back with its keyed hash only. UserID is "" when the
// member is not known (a question taken over from a dead replica, whose
// claim keeps no member ID); its hash is then "".
type AnswerRecord struct {
	ID                 int64
	CreatedAt          time.Time
	Question, Answer   string
	Citations          []Citation // without the articles' texts
	Mode               string     // ModeExtractive or ModeLLM
	Found              bool
	Latency            time.Duration // from the question to the answer, queueing included
	GuildID, ChannelID string        // ChannelID: where the question was asked
	ThreadID           string        // the conversation (thread or DM) it belongs to; "" for none
	UserID, MemberHash string        // both "" when the member is unknown (an answer taken over from a dead replica)
	Lang               string        // the question's language, "" when unknown
}
