package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dalil-news/dalil/cite"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
)

// Poster posts a digest's messages to a Discord channel (the bot implements
// it). Post sends parts in order, with mentions disabled, and returns the
// ids of the messages it created. It returns an error with no ids only when
// no message was created; when it fails after creating some, it returns
// their ids with the error.
type Poster interface {
	Post(ctx context.Context, channelID string, parts []string) (messageIDs []string, err error)
}

// DigestReconciler is implemented by a Poster that can tell, after a crash,
// whether a pending digest reached its channel (for example by reading the
// bot's recent messages in the channel and comparing them with the parts).
// found is false only when it is sure the messages were not posted.
type DigestReconciler interface {
	FindPosted(ctx context.Context, rec DigestRecord) (messageIDs []string, found bool, err error)
}

// Defaults of digest settings.
const (
	DefaultDigestSchedule = "08:00"
	DefaultDigestTimeZone = "Africa/Casablanca"
)

// DigestChannel is one channel's digest settings.
type DigestChannel struct {
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id,omitempty"`
	// Schedule is a time of day ("08:00") or a five-field cron expression
	// ("30 7 * * 1-5"), in TimeZone (an IANA name).
	Schedule string `json:"schedule"`
	TimeZone string `json:"time_zone"`
	// Lang is the digest's language (fr, en, ar; "" for English headings
	// and an LLM opening in the stories' language).
	Lang string `json:"lang,omitempty"`
	// FeedIDs and Publishers, when not empty, keep only articles from those
	// feeds or those publishers (either matches).
	FeedIDs    []int64  `json:"feed_ids,omitempty"`
	Publishers []string `json:"publishers,omitempty"`
	// EmptyNote posts a one-line note on a day with nothing new instead of
	// posting nothing.
	EmptyNote bool      `json:"empty_note"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Location loads the channel's time zone (default Africa/Casablanca).
func (c DigestChannel) Location() (*time.Location, error) {
	tz := c.TimeZone
	if tz == "" {
		tz = DefaultDigestTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("channel %s: time zone %q is not an IANA name such as Africa/Casablanca", c.ChannelID, tz)
	}
	return loc, nil
}

// Schedule is a recurring time: Next returns the first activation strictly
// after t, in t's location, or the zero time when there is none. A
// github.com/robfig/cron/v3 Schedule satisfies it.
type Schedule interface {
	Next(t time.Time) time.Time
}

// timeOfDay matches "8:00", "08:00" and "08h00".
var timeOfDay = regexp.MustCompile(`^([01]?\d|2[0-3])[:hH]([0-5]\d)$`)

// CronSpec turns a digest schedule into a five-field cron expression: a time
// of day ("08:00", "8h30") becomes "M H * * *"; a cron expression or a
// descriptor (@daily) is returned trimmed. It checks only the form; the
// cron parser checks the fields.
func CronSpec(schedule string) (string, error) {
	s := strings.Join(strings.Fields(schedule), " ")
	if s == "" {
		s = DefaultDigestSchedule
	}
	if m := timeOfDay.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%d %d * * *", mi, h), nil
	}
	if strings.Contains(strings.ToUpper(s), "TZ=") {
		return "", fmt.Errorf("schedule %q: give the time zone separately, not as TZ=", schedule)
	}
	if strings.HasPrefix(s, "@") || len(strings.Fields(s)) == 5 {
		return s, nil
	}
	return "", fmt.Errorf("schedule %q: want a time of day such as 08:00 or a five-field cron expression such as \"0 8 * * 1-5\"", schedule)
}

// DigestStatus is the state of one channel's digest for one period.
type DigestStatus string

// The states of a digest record. Posted, Empty, Unknown and Pending
// consume the articles of their period; Skipped and Failed do not (the
// next digest includes them).
const (
	DigestPending DigestStatus = "pending" // recorded before posting
	DigestPosted  DigestStatus = "posted"  // posted, message ids recorded
	DigestEmpty   DigestStatus = "empty"   // nothing new, nothing posted
	DigestFailed  DigestStatus = "failed"  // posting failed with no message created; retried within the grace window
	DigestSkipped DigestStatus = "skipped" // missed by more than the grace window
	DigestUnknown DigestStatus = "unknown" // pending found after a crash and not reconciled: never reposted
)

// DigestRecord is one row of the digests table: a channel's digest for one
// scheduled period.
type DigestRecord struct {
	ChannelID string
	// Period is the scheduled time (or the time of a /digest now).
	Period time.Time
	Status DigestStatus
	// Since and Until bound the ingestion times of the articles included
	// (Since exclusive, Until inclusive).
	Since, Until time.Time
	Parts        []string
	MessageIDs   []string
	Note         string
	Attempts     int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ErrDigestExists is returned by DigestStore.BeginDigest when the channel
// already has a digest for the period that is not a retryable failure.
var ErrDigestExists = errors.New("digest already recorded for this period")

// DigestQuery selects the articles of a digest.
type DigestQuery struct {
	// Since (exclusive) and Until (inclusive) bound the ingestion time.
	Since, Until time.Time
	// PublishedAfter leaves out articles published before it (undated
	// articles are kept); zero keeps all.
	PublishedAfter time.Time
	FeedIDs        []int64
	Publishers     []string
	Limit          int
}

// DigestStore is what the digest scheduler needs from the database.
// Methods return ErrNotFound (wrapped) for a missing channel.
type DigestStore interface {
	// DigestChannels returns every configured channel.
	DigestChannels(ctx context.Context) ([]DigestChannel, error)
	// DigestChannel returns one channel's settings.
	DigestChannel(ctx context.Context, channelID string) (DigestChannel, error)
	// DigestArticles returns, with their text, the announceable articles
	// matching q, oldest ingested first.
	DigestArticles(ctx context.Context, q DigestQuery) ([]Article, error)
	// LockDigest tries to take the channel's advisory lock without
	// waiting; ok is false when another process holds it. release frees it.
	LockDigest(ctx context.Context, channelID string) (release func(), ok bool, err error)
	// LastDigest returns the channel's latest record that consumed its
	// articles (posted, empty, unknown or pending); ok is false when none.
	LastDigest(ctx context.Context, channelID string) (rec DigestRecord, ok bool, err error)
	// DigestRecord returns the channel's record for period.
	DigestRecord(ctx context.Context, channelID string, period time.Time) (rec DigestRecord, ok bool, err error)
	// PendingDigests returns every pending record.
	PendingDigests(ctx context.Context) ([]DigestRecord, error)
	// BeginDigest inserts rec (its Status is Pending, Empty or Skipped), or
	// replaces a Failed record for the same period, adding one attempt. It
	// returns ErrDigestExists when another record holds the period.
	BeginDigest(ctx context.Context, rec DigestRecord) error
	// FinishDigest sets the status, message ids and note of the pending
	// record for rec's channel and period, in one transaction; it fails
	// when that record is not pending.
	FinishDigest(ctx context.Context, rec DigestRecord) error
}

// Story is a group of articles on the same event, from one or more
// publishers.
type Story struct {
	N     int    `json:"n"`
	Title string `json:"title"`
	// Line is one sentence of the lead article (empty when none fits).
	Line string `json:"line,omitempty"`
	// Articles are the story's sources (without text), lead first.
	Articles []Article `json:"articles"`
	// Latest is the newest publication (or ingestion) time of its articles.
	Latest time.Time `json:"latest"`
}

// Publishers counts the story's distinct publishers.
func (s Story) Publishers() int {
	seen := map[string]bool{}
	for _, a := range s.Articles {
		seen[publisherKey(a)] = true
	}
	return len(seen)
}

// Digest is one channel's digest: its stories and the messages to post.
type Digest struct {
	ChannelID string    `json:"channel_id"`
	Period    time.Time `json:"period"`
	Since     time.Time `json:"since"`
	Until     time.Time `json:"until"`
	Lang      string    `json:"lang,omitempty"`
	Intro     string    `json:"intro,omitempty"`
	Stories   []Story   `json:"stories"`
	More      int       `json:"more"`     // stories left out by the cap
	Articles  int       `json:"articles"` // articles considered
	Parts     []string  `json:"parts"`    // Discord messages, in order
	Usage     Usage     `json:"usage"`
}

// DigestOptions tunes ComposeDigest.
type DigestOptions struct {
	// Lang is the digest's language (headings, LLM opening).
	Lang string
	// Day is the digest's date, in the channel's time zone.
	Day time.Time
	// MaxStories caps the stories listed (default 12).
	MaxStories int
	// EmptyNote composes a one-line note when there are no articles
	// (otherwise Parts is empty).
	EmptyNote bool
	// MessageLimit is the longest message in characters (default 2000,
	// Discord's limit).
	MessageLimit int
}

// Thresholds for grouping two articles into one story: the cosine
// similarity of their embeddings (title and lead) and the Dice overlap of
// their titles' terms. Measured on the offline embedder with
// rag/testdata/digest/articles.json: the same story from two publishers
// scores 0.70 and 0.78, different stories 0.04 to 0.19.
const (
	storyCosineAlone = 0.86 // enough on its own
	storyCosine      = 0.55 // enough with storyTitle
	storyTitle       = 0.25
)

// ComposeDigest groups articles into stories, orders them (more
// publishers, then more recent, first), writes one line per story, asks the
// chat model (when configured) for an opening paragraph citing stories as
// [n], and splits the result into Discord-sized messages.
func (s *Service) ComposeDigest(ctx context.Context, articles []Article, opt DigestOptions) (Digest, error) {
	if opt.MaxStories <= 0 {
		opt.MaxStories = 12
	}
	if opt.MessageLimit <= 0 {
		opt.MessageLimit = 2000
	}
	if opt.Day.IsZero() {
		opt.Day = s.cfg.Now()
	}
	d := Digest{Lang: opt.Lang, Articles: len(articles)}
	var usable []Article
	for _, a := range articles {
		if strings.TrimSpace(a.Title) != "" || strings.TrimSpace(a.Text) != "" {
			usable = append(usable, a)
		}
	}
	if len(usable) == 0 {
		if opt.EmptyNote {
			d.Parts = []string{emptyNote(opt.Lang, opt.Day)}
		}
		return d, nil
	}
	texts := make([]string, len(usable))
	for i, a := range usable {
		texts[i] = storyEmbeddingText(a)
	}
	vecs, err := s.embed(ctx, texts)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	stories := GroupStories(usable, vecs)
	if len(stories) > opt.MaxStories {
		d.More = len(stories) - opt.MaxStories
		stories = stories[:opt.MaxStories]
	}
	d.Stories = stories
	if s.chat != nil {
		intro, usage, err := s.digestIntro(ctx, stories, opt)
		if err != nil {
			return Digest{}, err
		}
		d.Intro, d.Usage = intro, usage
	}
	d.Parts = RenderDigest(d, opt.Day, opt.MessageLimit)
	return d, nil
}

// storyEmbeddingText is what represents an article when grouping: its
// title and the start of its text.
func storyEmbeddingText(a Article) string {
	lead := strings.TrimSpace(a.Text)
	if r := []rune(lead); len(r) > 600 {
		lead = string(r[:600])
	}
	return a.Title + "\n" + lead
}

// GroupStories groups articles (with text) whose embeddings vecs (one per
// article, same order) and titles are similar enough into stories, and
// orders the stories: more publishers first, then the most recent. Each
// story's lead is its earliest article; its Line is a sentence of the lead.
func GroupStories(articles []Article, vecs [][]float32) []Story {
	n := len(articles)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	titles := make([]nlp.TermSet, n)
	for i, a := range articles {
		titles[i] = nlp.NewTermSet(a.Title)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if SameStory(cosine(vecs[i], vecs[j]), titles[i].Dice(titles[j])) {
				parent[find(j)] = find(i)
			}
		}
	}
	groups := map[int][]Article{}
	var roots []int
	for i, a := range articles {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], a)
	}
	stories := make([]Story, 0, len(roots))
	for _, r := range roots {
		arts := groups[r]
		sort.SliceStable(arts, func(i, j int) bool { return articleTime(arts[i]).Before(articleTime(arts[j])) })
		st := Story{Title: oneLineText(arts[0].Title, 200), Line: leadSentence(arts[0])}
		for _, a := range arts {
			if t := articleTime(a); t.After(st.Latest) {
				st.Latest = t
			}
			st.Articles = append(st.Articles, withoutText(a))
		}
		if st.Title == "" {
			st.Title = st.Articles[0].URL
		}
		stories = append(stories, st)
	}
	sort.SliceStable(stories, func(i, j int) bool {
		pi, pj := stories[i].Publishers(), stories[j].Publishers()
		if pi != pj {
			return pi > pj
		}
		if !stories[i].Latest.Equal(stories[j].Latest) {
			return stories[i].Latest.After(stories[j].Latest)
		}
		return stories[i].Title < stories[j].Title
	})
	for i := range stories {
		stories[i].N = i + 1
	}
	return stories
}

// SameStory decides from the cosine similarity of two articles' embeddings
// and the Dice overlap of their titles' terms whether they report the same
// story.
func SameStory(cos, titleDice float64) bool {
	return cos >= storyCosineAlone || cos >= storyCosine && titleDice >= storyTitle
}

// articleTime is when an article appeared: its publication date, else its
// ingestion time.
func articleTime(a Article) time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.IngestedAt
}

// publisherKey identifies an article's publisher: its name, else its host.
func publisherKey(a Article) string {
	if p := strings.ToLower(strings.TrimSpace(a.Publisher)); p != "" {
		return p
	}
	host := a.URL
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	return strings.TrimPrefix(strings.ToLower(host), "www.")
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// leadSentence is the first sentence of a's text that says more than the
// title, between 40 and 300 characters, or "".
func leadSentence(a Article) string {
	title := nlp.NewTermSet(a.Title)
	for i, sp := range nlp.Sentences(a.Text) {
		if i >= 8 {
			break
		}
		s := a.Text[sp.Start:sp.End]
		n := utf8.RuneCountInString(s)
		if strings.HasPrefix(s, HeadingPrefix) || n < 40 || n > 300 {
			continue
		}
		terms := nlp.NewTermSet(s)
		if len(terms) > 0 && terms.Coverage(title) > 0.8 {
			continue
		}
		return strings.Join(strings.Fields(s), " ")
	}
	return ""
}

// oneLineText collapses white space and cuts s to at most n runes (with an
// ellipsis): for titles, never for quoted sentences.
func oneLineText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// citeMarker matches one canonical citation marker as cite.Check
// writes them.
var citeMarker = regexp.MustCompile(`\[(\d+)\]`)

// digestIntro asks the chat model for the opening paragraph. Citations are
// checked against the stories and kept with the stories' numbers; an
// opening with no valid citation is dropped.
func (s *Service) digestIntro(ctx context.Context, stories []Story, opt DigestOptions) (string, Usage, error) {
	srcs := make([]prompts.Source, len(stories))
	for i, st := range stories {
		text := st.Title
		if st.Line != "" {
			text += ". " + st.Line
		}
		lead := st.Articles[0]
		srcs[i] = prompts.Source{N: st.N, Title: st.Title, Publisher: lead.Publisher, Published: lead.Published, Text: text}
	}
	srcs = FitSources(srcs, s.cfg.ContextChars)
	if len(srcs) == 0 {
		return "", Usage{}, nil
	}
	msgs, err := prompts.DigestIntro(prompts.DigestInput{Lang: opt.Lang, Day: opt.Day, Stories: srcs})
	if err != nil {
		return "", Usage{}, fmt.Errorf("digest intro prompt: %w", err)
	}
	comp, err := s.chat.Complete(ctx, ChatRequest{Messages: FromPromptMessages(msgs), MaxTokens: 300}, nil)
	if err != nil {
		return "", Usage{}, fmt.Errorf("digest intro: %w", err)
	}
	checked := cite.Check(strings.Join(strings.Fields(comp.Text), " "), len(stories))
	if checked.Text == "" {
		return "", comp.Usage, nil
	}
	text := citeMarker.ReplaceAllStringFunc(checked.Text, func(m string) string {
		k, _ := strconv.Atoi(m[1 : len(m)-1])
		return fmt.Sprintf("[%d]", checked.Sources[k-1])
	})
	return oneLineText(text, 700), comp.Usage, nil
}

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// digestDate writes the day in the digest's language.
func digestDate(lang string, day time.Time) string {
	switch lang {
	case "fr":
		return fmt.Sprintf("%s %d %s %d", frDays[day.Weekday()], day.Day(), frMonths[day.Month()-1], day.Year())
	case "ar":
		return day.Format("2006-01-02")
	}
	return day.Format("Monday 2 January 2006")
}

// emptyNote is the one-line message of a day with nothing new.
func emptyNote(lang string, day time.Time) string {
	return fmt.Sprintf("**%s — %s** · %s", phrases.Text(lang, phrases.DigestTitle), digestDate(lang, day), phrases.Text(lang, phrases.DigestEmpty))
}

// RenderDigest writes d as Discord messages of at most limit characters:
// a heading and the opening paragraph, then each story as two lines (its
// number and title; its sentence and linked sources), split between
// stories, or between lines when a story alone is too long.
func RenderDigest(d Digest, day time.Time, limit int) []string {
	head := fmt.Sprintf("**%s — %s**", phrases.Text(d.Lang, phrases.DigestTitle), digestDate(d.Lang, day))
	if d.Intro != "" {
		head += "\n" + d.Intro
	}
	blocks := []string{head}
	for _, st := range d.Stories {
		var b strings.Builder
		fmt.Fprintf(&b, "**[%d] %s**\n", st.N, escapeMarkdown(st.Title))
		if st.Line != "" {
			b.WriteString(escapeMarkdown(st.Line) + " — ")
		}
		for i, a := range st.Articles {
			if i == 4 {
				fmt.Fprintf(&b, " · +%d", len(st.Articles)-4)
				break
			}
			if i > 0 {
				b.WriteString(" · ")
			}
			name := a.Publisher
			if name == "" {
				name = publisherKey(a)
			}
			fmt.Fprintf(&b, "[%s](<%s>)", escapeLinkText(name), a.URL)
		}
		blocks = append(blocks, b.String())
	}
	if d.More > 0 {
		blocks = append(blocks, phrases.Text(d.Lang, phrases.DigestMoreStories, d.More))
	}
	return SplitMessages(blocks, limit)
}

// markdownSpecial are the characters Discord reads as formatting.
var markdownSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "#", `\#`)

// escapeMarkdown keeps article text from being read as Discord formatting
// or as a mention.
func escapeMarkdown(s string) string {
	return strings.ReplaceAll(markdownSpecial.Replace(s), "@", "@\u200b")
}

// escapeLinkText also escapes the brackets that would end a link's text.
func escapeLinkText(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`).Replace(escapeMarkdown(s))
}

// SplitMessages packs blocks, in order and separated by blank lines, into
// messages of at most limit characters (runes). A block that does not fit
// in an empty message is split at line boundaries; a single line longer
// than limit is split at the last space before the limit (or at the limit).
func SplitMessages(blocks []string, limit int) []string {
	var out []string
	var cur strings.Builder
	size := 0
	flush := func() {
		if size > 0 {
			out = append(out, cur.String())
			cur.Reset()
			size = 0
		}
	}
	add := func(piece string, sep string) {
		n := utf8.RuneCountInString(piece)
		if size > 0 && size+utf8.RuneCountInString(sep)+n > limit {
			flush()
		}
		if size > 0 {
			cur.WriteString(sep)
			size += utf8.RuneCountInString(sep)
		}
		cur.WriteString(piece)
		size += n
	}
	for _, b := range blocks {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if utf8.RuneCountInString(b) <= limit {
			add(b, "\n\n")
			continue
		}
		flush()
		for _, line := range strings.Split(b, "\n") {
			for _, piece := range splitLine(line, limit) {
				add(piece, "\n")
			}
		}
		flush()
	}
	flush()
	return out
}

// splitLine cuts a line longer than limit runes at spaces.
func splitLine(line string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(line) > limit {
		r := []rune(line)
		cut := limit
		for i := limit; i > limit/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimSpace(string(r[:cut])))
		line = strings.TrimSpace(string(r[cut:]))
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// SchedulerConfig tunes a Scheduler. Zero fields take the defaults noted,
// except ParseSchedule, which is required.
type SchedulerConfig struct {
	// ParseSchedule parses a five-field cron expression or descriptor (as
	// CronSpec returns) into a Schedule: cron.ParseStandard from
	// github.com/robfig/cron/v3.
	ParseSchedule func(spec string) (Schedule, error)
	// Now returns the current time (default time.Now); tests inject a clock.
	Now func() time.Time
	// Tick is how often Run checks for due digests (default 30s).
	Tick time.Duration
	// Grace is how late a missed digest may still be posted (default 3h);
	// a later one is recorded as skipped and its articles go to the next.
	Grace time.Duration
	// MaxAttempts bounds the posts of one period that failed without
	// creating a message (default 3).
	MaxAttempts int
	// MaxAge leaves out articles published longer than this before the
	// digest (default 72h; undated articles are kept), so that importing
	// an archive does not flood the next digest.
	MaxAge time.Duration
	// MaxArticles bounds the articles read for one digest (default 500).
	MaxArticles int
	// MaxStories caps the stories of a digest (default 12).
	MaxStories int
}

// Scheduler posts each channel's digest once per scheduled period, even
// with several replicas or after a crash: a per-channel advisory lock, a
// pending record written before posting, the posted record (with message
// ids) written after, and reconciliation of pending records at start.
type Scheduler struct {
	svc    *Service
	store  DigestStore
	poster Poster
	log    *slog.Logger
	cfg    SchedulerConfig
}

// NewScheduler returns a Scheduler. poster may be nil for previews only.
func NewScheduler(svc *Service, store DigestStore, poster Poster, log *slog.Logger, cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.ParseSchedule == nil {
		return nil, errors.New("digest scheduler: ParseSchedule is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 30 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 3 * time.Hour
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 72 * time.Hour
	}
	if cfg.MaxArticles <= 0 {
		cfg.MaxArticles = 500
	}
	if cfg.MaxStories <= 0 {
		cfg.MaxStories = 12
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{svc: svc, store: store, poster: poster, log: log, cfg: cfg}, nil
}

// Run reconciles pending digests, then posts due digests every Tick until
// ctx is cancelled; it returns nil then. Errors of one round are logged
// and the next round goes on.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.poster == nil {
		return errors.New("digest scheduler: no poster to post with")
	}
	if err := s.Reconcile(ctx); err != nil {
		s.log.Error("reconcile pending digests", "err", err)
	}
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("post due digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ChannelSchedule parses a channel's schedule in its time zone.
func (s *Scheduler) ChannelSchedule(ch DigestChannel) (Schedule, *time.Location, error) {
	loc, err := ch.Location()
	if err != nil {
		return nil, nil, err
	}
	spec, err := CronSpec(ch.Schedule)
	if err != nil {
		return nil, nil, fmt.Errorf("channel %s: %w", ch.ChannelID, err)
	}
	sched, err := s.cfg.ParseSchedule(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("channel %s: schedule %q: %w", ch.ChannelID, ch.Schedule, err)
	}
	return sched, loc, nil
}

// scanLimit bounds the look-back when searching for the latest due time,
// so that a per-minute schedule after a long downtime stays cheap.
const scanLimit = 8 * 24 * time.Hour

// LatestDue returns the latest activation of sched (in loc) in (after,
// now]; ok is false when there is none. A wall-clock time repeated when
// clocks fall back activates once (cron fires at both); a time skipped when
// they spring forward does not activate that day.
func LatestDue(sched Schedule, loc *time.Location, after, now time.Time) (due time.Time, ok bool) {
	if floor := now.Add(-scanLimit); after.Before(floor) {
		after = floor
	}
	const wall = "2006-01-02 15:04"
	prev := after.In(loc).Format(wall)
	for t := sched.Next(after.In(loc)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		if w := t.In(loc).Format(wall); w != prev {
			due, ok, prev = t, true, w
		}
	}
	return due, ok
}

// previousDue returns the activation before due (within scanLimit), or
// due minus a day.
func previousDue(sched Schedule, loc *time.Location, due time.Time) time.Time {
	prev, ok := LatestDue(sched, loc, due.Add(-scanLimit), due.Add(-time.Nanosecond))
	if !ok {
		return due.Add(-24 * time.Hour)
	}
	return prev
}

// RunDue posts, for every enabled channel, the digest of its latest due
// period if that period has no record yet (or a retryable failure): within
// Grace of its time, else it is recorded as skipped and logged. The first
// error is returned after every channel was tried.
func (s *Scheduler) RunDue(ctx context.Context) error {
	chans, err := s.store.DigestChannels(ctx)
	if err != nil {
		return fmt.Errorf("digest channels: %w", err)
	}
	var first error
	for _, ch := range chans {
		if !ch.Enabled {
			continue
		}
		if err := s.runChannel(ctx, ch); err != nil {
			if first == nil {
				first = err
			}
			s.log.Error("digest", "channel", ch.ChannelID, "err", err)
		}
	}
	return first
}

// runChannel handles one channel's latest due period.
func (s *Scheduler) runChannel(ctx context.Context, ch DigestChannel) error {
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	last, hasLast, err := s.store.LastDigest(ctx, ch.ChannelID)
	if err != nil {
		return err
	}
	after := ch.CreatedAt
	if hasLast && last.Period.After(after) {
		after = last.Period
	}
	due, ok := LatestDue(sched, loc, after, now)
	if !ok {
		return nil
	}
	// Cheap check before locking; repeated under the lock.
	if rec, ok, err := s.store.DigestRecord(ctx, ch.ChannelID, due); err != nil {
		return err
	} else if ok && !s.retryable(rec) {
		return nil
	}
	release, locked, err := s.store.LockDigest(ctx, ch.ChannelID)
	if err != nil {
		return err
	}
	if !locked {
		return nil // another replica is on it
	}
	defer release()
	rec, exists, err := s.store.DigestRecord(ctx, ch.ChannelID, due)
	if err != nil {
		return err
	}
	if exists && !s.retryable(rec) {
		return nil
	}
	if late := now.Sub(due); late > s.cfg.Grace {
		s.log.Warn("digest missed beyond the grace window: skipped, its articles go to the next digest",
			"channel", ch.ChannelID, "period", due, "late", late.Round(time.Second), "grace", s.cfg.Grace)
		err := s.store.BeginDigest(ctx, DigestRecord{ChannelID: ch.ChannelID, Period: due, Status: DigestSkipped,
			Note: fmt.Sprintf("missed by %s (grace %s)", late.Round(time.Second), s.cfg.Grace)})
		if errors.Is(err, ErrDigestExists) {
			return nil
		}
		return err
	}
	_, err = s.post(ctx, ch, loc, due, s.since(sched, loc, last, hasLast, due))
	return err
}

// retryable says whether a record's period may be posted again.
func (s *Scheduler) retryable(rec DigestRecord) bool {
	return rec.Status == DigestFailed && rec.Attempts < s.cfg.MaxAttempts
}

// since is where a digest for due starts: the end of the channel's last
// digest, else one period before due.
func (s *Scheduler) since(sched Schedule, loc *time.Location, last DigestRecord, hasLast bool, due time.Time) time.Time {
	if hasLast && last.Until.Before(due) {
		return last.Until
	}
	return previousDue(sched, loc, due)
}

// compose builds the digest of ch's articles ingested in (since, until].
func (s *Scheduler) compose(ctx context.Context, ch DigestChannel, loc *time.Location, since, until time.Time) (Digest, error) {
	arts, err := s.store.DigestArticles(ctx, DigestQuery{
		Since: since, Until: until, PublishedAfter: until.Add(-s.cfg.MaxAge),
		FeedIDs: ch.FeedIDs, Publishers: ch.Publishers, Limit: s.cfg.MaxArticles,
	})
	if err != nil {
		return Digest{}, fmt.Errorf("articles for channel %s: %w", ch.ChannelID, err)
	}
	d, err := s.svc.ComposeDigest(ctx, arts, DigestOptions{
		Lang: ch.Lang, Day: until.In(loc), MaxStories: s.cfg.MaxStories, EmptyNote: ch.EmptyNote,
	})
	if err != nil {
		return Digest{}, fmt.Errorf("digest for channel %s: %w", ch.ChannelID, err)
	}
	d.ChannelID, d.Period, d.Since, d.Until = ch.ChannelID, until, since, until
	return d, nil
}

// post composes and posts ch's digest for period, exactly once: the caller
// holds the channel's lock. A pending record (with the parts) is written
// first; the posted record with the message ids after.
func (s *Scheduler) post(ctx context.Context, ch DigestChannel, loc *time.Location, period, since time.Time) (Digest, error) {
	d, err := s.compose(ctx, ch, loc, since, period)
	if err != nil {
		return Digest{}, err
	}
	rec := DigestRecord{ChannelID: ch.ChannelID, Period: period, Since: since, Until: period, Parts: d.Parts}
	if len(d.Parts) == 0 {
		rec.Status = DigestEmpty
		if err := s.store.BeginDigest(ctx, rec); err != nil && !errors.Is(err, ErrDigestExists) {
			return Digest{}, err
		}
		s.log.Info("digest: nothing new, nothing posted", "channel", ch.ChannelID, "period", period)
		return d, nil
	}
	rec.Status = DigestPending
	if err := s.store.BeginDigest(ctx, rec); err != nil {
		return Digest{}, fmt.Errorf("record pending digest for channel %s: %w", ch.ChannelID, err)
	}
	ids, postErr := s.poster.Post(ctx, ch.ChannelID, d.Parts)
	rec.MessageIDs = ids
	switch {
	case postErr == nil:
		rec.Status = DigestPosted
	case len(ids) > 0:
		rec.Status, rec.Note = DigestPosted, fmt.Sprintf("posted %d of %d messages: %v", len(ids), len(d.Parts), postErr)
	default:
		rec.Status, rec.Note = DigestFailed, postErr.Error()
	}
	// Record even when ctx was cancelled during the post: the messages
	// exist and must not be posted again.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.FinishDigest(fctx, rec); err != nil {
		return d, fmt.Errorf("record posted digest for channel %s (messages %v): %w", ch.ChannelID, ids, err)
	}
	if postErr != nil {
		return d, fmt.Errorf("post digest to channel %s: %w", ch.ChannelID, postErr)
	}
	s.log.Info("digest posted", "channel", ch.ChannelID, "period", period, "stories", len(d.Stories), "messages", len(ids))
	return d, nil
}

// Reconcile settles the pending records left by a crash between posting
// and recording. With a DigestReconciler poster, a digest found in the
// channel is marked posted and one surely absent failed (so it is retried
// within the grace window); otherwise the record becomes unknown and is
// never posted again: a missed digest is better than a double one.
// Channels locked by another process are left alone.
func (s *Scheduler) Reconcile(ctx context.Context) error {
	pend, err := s.store.PendingDigests(ctx)
	if err != nil {
		return fmt.Errorf("pending digests: %w", err)
	}
	rc, canCheck := s.poster.(DigestReconciler)
	for _, rec := range pend {
		if err := s.reconcile(ctx, rec, rc, canCheck); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scheduler) reconcile(ctx context.Context, rec DigestRecord, rc DigestReconciler, canCheck bool) error {
	release, locked, err := s.store.LockDigest(ctx, rec.ChannelID)
	if err != nil {
		return err
	}
	if !locked {
		return nil
	}
	defer release()
	cur, ok, err := s.store.DigestRecord(ctx, rec.ChannelID, rec.Period)
	if err != nil || !ok || cur.Status != DigestPending {
		return err
	}
	if !canCheck {
		cur.Status, cur.Note = DigestUnknown, "found pending at start: it may have been posted, so it is not posted again"
		s.log.Warn("digest found pending at start and not reposted", "channel", rec.ChannelID, "period", rec.Period)
		return s.store.FinishDigest(ctx, cur)
	}
	ids, found, err := rc.FindPosted(ctx, cur)
	if err != nil {
		s.log.Warn("digest pending: cannot check the channel; left pending", "channel", rec.ChannelID, "period", rec.Period, "err", err)
		return nil
	}
	if found {
		cur.Status, cur.MessageIDs, cur.Note = DigestPosted, ids, "reconciled at start: found in the channel"
	} else {
		cur.Status, cur.Note = DigestFailed, "reconciled at start: not found in the channel"
	}
	s.log.Info("digest reconciled", "channel", rec.ChannelID, "period", rec.Period, "status", cur.Status)
	return s.store.FinishDigest(ctx, cur)
}

// PostNow posts ch's digest of everything since its last digest, now (for
// /digest now), recorded like a scheduled one so that the next scheduled
// digest starts after it. It fails when another process is posting for the
// channel.
func (s *Scheduler) PostNow(ctx context.Context, channelID string) (Digest, error) {
	if s.poster == nil {
		return Digest{}, errors.New("digest now: no poster to post with")
	}
	ch, err := s.store.DigestChannel(ctx, channelID)
	if err != nil {
		return Digest{}, err
	}
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return Digest{}, err
	}
	release, locked, err := s.store.LockDigest(ctx, ch.ChannelID)
	if err != nil {
		return Digest{}, err
	}
	if !locked {
		return Digest{}, fmt.Errorf("digest now: a digest for channel %s is being posted right now", ch.ChannelID)
	}
	defer release()
	now := s.cfg.Now().Truncate(time.Microsecond)
	last, hasLast, err := s.store.LastDigest(ctx, ch.ChannelID)
	if err != nil {
		return Digest{}, err
	}
	return s.post(ctx, ch, loc, now, s.since(sched, loc, last, hasLast, now))
}

// Preview composes, without posting or recording, the digest ch would get
// now: the articles since its last digest. ch need not be stored (a dry
// run with default settings).
func (s *Scheduler) Preview(ctx context.Context, ch DigestChannel) (Digest, error) {
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return Digest{}, err
	}
	now := s.cfg.Now().Truncate(time.Microsecond)
	last, hasLast := DigestRecord{}, false
	if ch.ChannelID != "" {
		if last, hasLast, err = s.store.LastDigest(ctx, ch.ChannelID); err != nil {
			return Digest{}, err
		}
	}
	return s.compose(ctx, ch, loc, s.since(sched, loc, last, hasLast, now), now)
}
