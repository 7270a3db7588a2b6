package digest

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dalil-news/dalil/cite"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

// ComposerConfig tunes a Composer. Zero fields take the defaults noted,
// which are rag.Config's.
type ComposerConfig struct {
	// EmbedBatch is how many texts go to the embedder at once (default 64).
	EmbedBatch int
	// ContextChars is the budget of story text given to the chat model
	// (default 6000).
	ContextChars int
}

// Composer writes digests: it groups articles into stories with an
// embedder and, when it has a chat model, asks it for an opening paragraph.
type Composer struct {
	emb  rag.Embedder
	chat rag.Chat
	cfg  ComposerConfig
}

// NewComposer returns a Composer. chat may be nil: digests then have no
// opening paragraph.
func NewComposer(emb rag.Embedder, chat rag.Chat, cfg ComposerConfig) *Composer {
	if cfg.ContextChars <= 0 {
		cfg.ContextChars = 6000
	}
	return &Composer{emb: emb, chat: chat, cfg: cfg}
}

// Options tunes Compose.
type Options struct {
	// Lang is the digest's language (headings, LLM opening).
	Lang string
	// Day is the digest's date, in the channel's time zone (default now).
	Day time.Time
	// MaxStories caps the stories listed (default 12).
	MaxStories int
	// EmptyNote asks for a one-line note when there are no articles
	// (otherwise such a digest posts nothing).
	EmptyNote bool
}

// Compose groups articles into stories, orders them (more publishers,
// then more recent, first), writes one line per story and asks the chat
// model (when there is one) for an opening paragraph citing stories as
// [n]. Articles with neither title nor text are left out. It fails when
// the embedder or the chat model fails.
func (c *Composer) Compose(ctx context.Context, articles []rag.Article, opt Options) (Digest, error) {
	if opt.MaxStories <= 0 {
		opt.MaxStories = 12
	}
	if opt.Day.IsZero() {
		opt.Day = time.Now()
	}
	d := Digest{Lang: opt.Lang, Day: opt.Day, EmptyNote: opt.EmptyNote, Articles: len(articles)}
	var usable []rag.Article
	for _, a := range articles {
		if strings.TrimSpace(a.Title) != "" || strings.TrimSpace(a.Text) != "" {
			usable = append(usable, a)
		}
	}
	if len(usable) == 0 {
		return d, nil
	}
	texts := make([]string, len(usable))
	for i, a := range usable {
		texts[i] = storyEmbeddingText(a)
	}
	vecs, err := rag.EmbedInBatches(ctx, c.emb, texts, c.cfg.EmbedBatch) // 0: rag's default
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	stories := GroupStories(usable, vecs)
	if len(stories) > opt.MaxStories {
		d.More = len(stories) - opt.MaxStories
		stories = stories[:opt.MaxStories]
	}
	d.Stories = stories
	if c.chat != nil {
		intro, usage, err := c.intro(ctx, stories, opt)
		if err != nil {
			return Digest{}, err
		}
		d.Intro, d.Usage = intro, usage
	}
	return d, nil
}

// storyEmbeddingText is what represents an article when grouping: its
// title and the start of its text.
func storyEmbeddingText(a rag.Article) string {
	lead := strings.TrimSpace(a.Text)
	if r := []rune(lead); len(r) > 600 {
		lead = string(r[:600])
	}
	return a.Title + "\n" + lead
}

// citeMarker matches one canonical citation marker as cite.Check
// writes them.
var citeMarker = regexp.MustCompile(`\[(\d+)\]`)

// intro asks the chat model for the opening paragraph. One in another
// language than the digest's is asked for again in it, as answers are
// (rag.InLanguage), and dropped when it still is. Citations are checked
// against the stories and kept with the stories' numbers; an opening with
// no valid citation is dropped.
func (c *Composer) intro(ctx context.Context, stories []Story, opt Options) (string, rag.Usage, error) {
	srcs := make([]prompts.Source, len(stories))
	for i, st := range stories {
		text := st.Title
		if st.Line != "" {
			text += ". " + st.Line
		}
		lead := st.Articles[0]
		srcs[i] = prompts.Source{N: st.N, Title: st.Title, Publisher: lead.Publisher, Published: lead.Published, Text: text}
	}
	srcs = prompts.Fit(srcs, c.cfg.ContextChars)
	if len(srcs) == 0 {
		return "", rag.Usage{}, nil
	}
	msgs, err := prompts.DigestIntro(prompts.DigestInput{Lang: opt.Lang, Day: opt.Day, Stories: srcs})
	if err != nil {
		return "", rag.Usage{}, fmt.Errorf("digest intro prompt: %w", err)
	}
	req := rag.ChatRequest{Messages: msgs, MaxTokens: 300}
	comp, err := c.chat.Complete(ctx, req, nil)
	if err != nil {
		return "", rag.Usage{}, fmt.Errorf("digest intro: %w", err)
	}
	comp, inLang, err := rag.InLanguage(ctx, c.chat, req, comp, opt.Lang)
	if err != nil {
		return "", comp.Usage, fmt.Errorf("digest intro: %w", err)
	}
	if !inLang {
		return "", comp.Usage, nil
	}
	checked := cite.Check(nlp.Collapse(comp.Text), len(stories))
	if checked.Text == "" {
		return "", comp.Usage, nil
	}
	text := citeMarker.ReplaceAllStringFunc(checked.Text, func(m string) string {
		k, _ := strconv.Atoi(m[1 : len(m)-1])
		return fmt.Sprintf("[%d]", checked.Sources[k-1])
	})
	return nlp.OneLine(text, 700), comp.Usage, nil
}
