// Package feeds polls RSS (0.9x, 1.0, 2.0) and Atom feeds with conditional
// GETs, backs off from failing feeds and marks them unhealthy, and turns
// new items into articles: an item holding only an excerpt has its page
// fetched and extracted; items are deduplicated by GUID, canonical URL and
// content hash; the backlog found at subscription is ingested but never
// announced in a digest.
package feeds

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// Store is what the poller needs from the database.
type Store interface {
	// ClaimDueFeed takes, for this poller alone, the most overdue feed
	// whose next poll is at or before now: it moves the feed's next poll
	// to now+lease, so that no poller (of any replica) takes it again
	// until this one saves its state or the lease runs out. ok is false
	// when no feed is due.
	ClaimDueFeed(ctx context.Context, now time.Time, lease time.Duration) (f rag.Feed, ok bool, err error)
	// Feeds returns every feed.
	Feeds(ctx context.Context) ([]rag.Feed, error)
	Finder
	// UpdateFeedState saves a feed's polling state.
	UpdateFeedState(ctx context.Context, f rag.Feed) error
	// FeedItemSeen reports whether the feed already recorded item guid.
	FeedItemSeen(ctx context.Context, feedID int64, guid string) (bool, error)
	// RecordFeedItem remembers that item guid became article articleID.
	RecordFeedItem(ctx context.Context, feedID int64, guid, url string, articleID int64) error
	// SetAnnounce sets whether a digest may announce an article.
	SetAnnounce(ctx context.Context, articleID int64, announce bool) error
	// Lookup finds an article by canonical URL or content hash.
	Lookup(ctx context.Context, url, contentHash string) (rag.Existing, bool, error)
}

// Finder finds one feed; the errors wrap rag.ErrNotFound when there is
// none.
type Finder interface {
	Feed(ctx context.Context, id int64) (rag.Feed, error)
	FeedByURL(ctx context.Context, url string) (rag.Feed, error)
}

// Find returns the feed ref names: its id, or its URL (canonicalized).
func Find(ctx context.Context, store Finder, ref string) (rag.Feed, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return store.Feed(ctx, id)
	}
	u, err := ingest.CanonicalURL(ref)
	if err != nil {
		return rag.Feed{}, err
	}
	return store.FeedByURL(ctx, u)
}

// Ingester stores an article (rag.Service does).
type Ingester interface {
	Ingest(ctx context.Context, a rag.Article) (rag.IngestResult, error)
}

// PageFetcher downloads an item's page (ingest.Fetcher does, safely).
type PageFetcher interface {
	Fetch(ctx context.Context, rawURL string) (*ingest.Document, error)
}

// Config tunes a Poller. Zero fields take the defaults noted.
type Config struct {
	// Client fetches the feeds themselves (default: ingest's SSRF-safe
	// client, which refuses private and loopback addresses). Item pages go
	// through the PageFetcher.
	Client *http.Client
	// MaxBytes caps a feed's body (default 5 MiB).
	MaxBytes int64
	// MaxItems bounds the items read from one poll (default 100).
	MaxItems int
	// MaxFailures is the number of consecutive failures after which a feed
	// is unhealthy (default 5); it is still polled, at MaxBackoff.
	MaxFailures int
	// MaxBackoff caps the delay before polling a failing feed again
	// (default 24h); the delay doubles with each failure from the feed's
	// interval.
	MaxBackoff time.Duration
	// MinText is the length (characters) under which an item's content is
	// taken for an excerpt and its page is fetched (default 600).
	MinText int
	// Tick is how often Run looks for due feeds (default 1m).
	Tick time.Duration
	// Lease is how long a feed claimed for a poll is kept from the other
	// pollers (default 30m): a poll is cut at half of it, so that it never
	// meets another replica's poll of the same feed, and the feed of a
	// replica that died while polling it waits that long.
	Lease time.Duration
	// UserAgent is sent with feed requests (default ingest.DefaultUserAgent).
	UserAgent string
	// Now returns the current time (default time.Now).
	Now func() time.Time
}

// Poller polls the due feeds and ingests their new items.
type Poller struct {
	store Store
	ing   Ingester
	pages PageFetcher
	log   *slog.Logger
	cfg   Config
}

// NewPoller returns a Poller. log may be nil (nothing logged).
func NewPoller(store Store, ing Ingester, pages PageFetcher, log *slog.Logger, cfg Config) *Poller {
	if cfg.Client == nil {
		cfg.Client = ingest.NewFetcher(ingest.Config{Timeout: 30 * time.Second}).Client()
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 5 << 20
	}
	if cfg.MaxItems <= 0 {
		cfg.MaxItems = 100
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 24 * time.Hour
	}
	if cfg.MinText <= 0 {
		cfg.MinText = 600
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Minute
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = ingest.DefaultUserAgent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poller{store: store, ing: ing, pages: pages, log: log, cfg: cfg}
}

// MaxFailures is the configured threshold for an unhealthy feed.
func (p *Poller) MaxFailures() int { return p.cfg.MaxFailures }

// Result counts what polls did.
type Result struct {
	Polled      int `json:"polled"`       // feeds fetched
	NotModified int `json:"not_modified"` // 304 answers
	FeedErrors  int `json:"feed_errors"`  // feeds that failed
	Items       int `json:"items"`        // items read
	New         int `json:"new"`          // articles created or updated
	Known       int `json:"known"`        // items already seen, or duplicates
	ItemErrors  int `json:"item_errors"`  // items that could not be ingested
}

// Err is nil when every feed polled succeeded, else an error saying how
// many of them failed.
func (r Result) Err() error {
	if r.FeedErrors == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d feeds failed", r.FeedErrors, r.Polled)
}

// Add adds o's counts to r.
func (r *Result) Add(o Result) {
	r.Polled += o.Polled
	r.NotModified += o.NotModified
	r.FeedErrors += o.FeedErrors
	r.Items += o.Items
	r.New += o.New
	r.Known += o.Known
	r.ItemErrors += o.ItemErrors
}

// Run polls due feeds every Tick until ctx is cancelled, then returns nil.
// Failures are logged and recorded on the feed.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Tick)
	defer t.Stop()
	for {
		res, err := p.PollDue(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("poll feeds", "err", err)
		case res.Polled > 0:
			p.log.Info("feeds polled", "feeds", res.Polled, "not_modified", res.NotModified, "failed", res.FeedErrors,
				"new", res.New, "known", res.Known, "item_errors", res.ItemErrors)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PollDue polls every feed that is due, one after the other, each claimed
// before its poll (Store.ClaimDueFeed), so that the pollers of several
// replicas share the due feeds and never poll one twice in a period. A
// feed's failure is recorded on it and does not stop the others; the
// error is only for the store failing or ctx ending.
func (p *Poller) PollDue(ctx context.Context) (Result, error) {
	var total Result
	for ctx.Err() == nil {
		f, ok, err := p.store.ClaimDueFeed(ctx, p.cfg.Now(), p.cfg.Lease)
		if err != nil || !ok {
			return total, err
		}
		if err := p.poll(ctx, f, &total); err != nil {
			return total, err
		}
	}
	return total, ctx.Err()
}

// PollNow polls the feeds refs name (ids or URLs, see Find), or every
// feed when refs is empty, now, even those backing off after failures.
func (p *Poller) PollNow(ctx context.Context, refs []string) (Result, error) {
	fl, err := p.store.Feeds(ctx)
	if len(refs) > 0 {
		fl = make([]rag.Feed, len(refs))
	}
	for i := 0; err == nil && i < len(refs); i++ {
		fl[i], err = Find(ctx, p.store, refs[i])
	}
	if err != nil {
		return Result{}, err
	}
	return p.PollFeeds(ctx, fl)
}

// PollFeeds polls fl now, one after the other, due or not: a feed backing
// off after a failure is polled too (for 'dalil feeds poll ID|--all').
// Failures are recorded and counted as in PollDue.
func (p *Poller) PollFeeds(ctx context.Context, fl []rag.Feed) (Result, error) {
	var total Result
	for _, f := range fl {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		if err := p.poll(ctx, f, &total); err != nil {
			return total, err
		}
	}
	return total, nil
}

// poll polls f, adds what it did to total and logs its failure; the error
// is only for the store failing.
func (p *Poller) poll(ctx context.Context, f rag.Feed, total *Result) error {
	res, err := p.Poll(ctx, f)
	total.Add(res)
	if err != nil {
		p.log.Warn("feed poll failed", "feed", f.URL, "failures", f.Failures+1, "err", err)
	}
	if errors.Is(err, errStore) {
		return err
	}
	return nil
}

// Checked is what Check found at a feed's URL.
type Checked struct {
	Title string `json:"title"`
	Items int    `json:"items"`
}

// Check fetches and parses the feed at rawURL once, storing nothing, so
// that an admin is told at once when a URL is not a feed: the error says
// why (an HTTP status, an HTML page, malformed XML, a refused address).
func (p *Poller) Check(ctx context.Context, rawURL string) (Checked, error) {
	f := rag.Feed{URL: rawURL}
	parsed, _, err := p.fetch(ctx, &f)
	if err != nil {
		return Checked{}, fmt.Errorf("%s is not a feed dalil can read: %w", rawURL, err)
	}
	return Checked{Title: f.Title, Items: len(parsed.Items)}, nil
}

// errStore marks errors of the store, which stop PollDue.
var errStore = errors.New("feed store")

// Poll fetches one feed (conditionally), ingests its new items and saves
// its state: on success the validators and the next poll after Interval;
// on failure one more failure and the next poll after a doubling backoff.
// The error names the feed.
func (p *Poller) Poll(ctx context.Context, f rag.Feed) (Result, error) {
	res := Result{Polled: 1}
	now := p.cfg.Now()
	f.LastPolled = now
	// A poll ends within half the lease, so that no other poller claims
	// the feed while it runs; the items left wait for the next poll.
	pollCtx, cancel := context.WithTimeout(ctx, p.cfg.Lease/2)
	defer cancel()
	etag, modified := f.ETag, f.LastModified
	parsed, notModified, err := p.fetch(pollCtx, &f)
	if err == nil && !notModified {
		// The backlog at subscription is stored, not announced.
		announce := !f.LastOK.IsZero()
		err = p.items(pollCtx, f, parsed, announce, &res)
	}
	if err != nil {
		// The validators of a failed poll (a store failure too) are not
		// kept: the next one fetches the feed whole and retries what
		// failed.
		f.ETag, f.LastModified = etag, modified
	}
	if err != nil && !errors.Is(err, errStore) {
		res.FeedErrors++
		f.Failures++
		f.LastError = nlp.OneLine(err.Error(), 500)
		f.NextPoll = now.Add(p.backoff(f))
	} else if err == nil {
		if notModified {
			res.NotModified++
		}
		f.Failures, f.LastError, f.LastOK = 0, "", now
		f.NextPoll = now.Add(f.Interval)
	}
	// Saved even when the poll ran out of time or is stopped.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	if uerr := p.store.UpdateFeedState(sctx, f); uerr != nil {
		return res, fmt.Errorf("%w: feed %s: %w", errStore, f.URL, uerr)
	}
	if err != nil {
		return res, fmt.Errorf("feed %s: %w", f.URL, err)
	}
	return res, nil
}

// backoff is the wait after f's latest failure: the interval doubled for
// each consecutive failure after the first, at most MaxBackoff.
func (p *Poller) backoff(f rag.Feed) time.Duration {
	d := max(f.Interval, time.Minute)
	for i := 1; i < f.Failures && d < p.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.cfg.MaxBackoff)
}

// fetch GETs the feed with its validators and parses it. notModified is
// true on 304. f's validators and title are updated on 200.
func (p *Poller) fetch(ctx context.Context, f *rag.Feed) (*gofeed.Feed, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, false, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", p.cfg.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
	if f.ETag != "" {
		req.Header.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		req.Header.Set("If-Modified-Since", f.LastModified)
	}
	resp, err := p.cfg.Client.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		// The URL is the feed's, known to every reader of the error: the
		// cause comes first ("dial tcp …: connection refused").
		err = ue.Err
	}
	if err != nil {
		return nil, false, fmt.Errorf("fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, true, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, false, fmt.Errorf("fetch: HTTP status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.cfg.MaxBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > p.cfg.MaxBytes {
		return nil, false, fmt.Errorf("%w: feed larger than %d bytes", ingest.ErrTooLarge, p.cfg.MaxBytes)
	}
	parsed, err := gofeed.NewParser().Parse(strings.NewReader(string(body)))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, false, fmt.Errorf("parse feed: neither RSS nor Atom (the server sent %s)", describe(resp.Header.Get("Content-Type"), body))
	}
	if err != nil {
		return nil, false, fmt.Errorf("parse feed: %w", err)
	}
	scrub(parsed)
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if t := nlp.OneLine(parsed.Title, 300); t != "" {
		f.Title = t
	}
	return parsed, false, nil
}

// scrub makes the texts of the feed that dalil stores valid UTF-8 without
// NUL bytes, which PostgreSQL refuses: a JSON feed may write "\u0000", and
// one such id or title must not fail the feed's other items or its state.
func scrub(feed *gofeed.Feed) {
	clean := func(s *string) {
		*s = strings.ToValidUTF8(strings.ReplaceAll(*s, "\x00", ""), "\uFFFD")
	}
	clean(&feed.Title)
	clean(&feed.Language)
	for _, it := range feed.Items {
		for _, s := range []*string{&it.GUID, &it.Link, &it.Title, &it.Description, &it.Content} {
			clean(s)
		}
	}
}

// describe names what a server sent instead of a feed: an HTML page, or
// its content type.
func describe(ctype string, body []byte) string {
	head := strings.ToLower(string(body[:min(len(body), 512)]))
	if strings.Contains(ctype, "html") || strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") {
		return "an HTML page"
	}
	if ctype == "" {
		ctype = "no content type"
	}
	return fmt.Sprintf("%d bytes of %s", len(body), ctype)
}

// items ingests the feed's new items, oldest first. Item failures are
// counted and logged, not returned, unless every item failed; store
// failures are returned.
func (p *Poller) items(ctx context.Context, f rag.Feed, parsed *gofeed.Feed, announce bool, res *Result) error {
	var first error
	items := parsed.Items
	if len(items) > p.cfg.MaxItems {
		items = items[:p.cfg.MaxItems]
	}
	for i := len(items) - 1; i >= 0; i-- {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res.Items++
		created, err := p.item(ctx, f, parsed, items[i], announce)
		switch {
		case errors.Is(err, errStore):
			return err
		case err != nil:
			res.ItemErrors++
			first = cmp.Or(first, err)
			p.log.Warn("feed item not ingested", "feed", f.URL, "item", nlp.OneLine(items[i].Title, 100), "err", err)
		case created:
			res.New++
		default:
			res.Known++
		}
	}
	if res.ItemErrors > 0 && res.ItemErrors == res.Items {
		// Not one item went in: an outage (the embedder, the pages) more
		// likely than a feed of bad items. The poll fails, so its items
		// are retried, and a first poll's backlog stays unannounced.
		return fmt.Errorf("none of its %d items could be ingested; the first: %w", res.Items, first)
	}
	return nil
}

// item turns one item into an article. created is true when an article was
// created or updated.
func (p *Poller) item(ctx context.Context, f rag.Feed, feed *gofeed.Feed, it *gofeed.Item, announce bool) (created bool, err error) {
	link, err := itemLink(f.URL, it)
	if err != nil {
		return false, err
	}
	guid := strings.TrimSpace(it.GUID)
	if guid == "" {
		guid = link
	}
	if seen, err := p.store.FeedItemSeen(ctx, f.ID, guid); err != nil {
		return false, fmt.Errorf("%w: %w", errStore, err)
	} else if seen {
		return false, nil
	}
	if e, ok, err := p.store.Lookup(ctx, link, ""); err != nil {
		return false, fmt.Errorf("%w: %w", errStore, err)
	} else if ok {
		return false, p.record(ctx, f.ID, guid, link, e.ID)
	}
	a, err := p.article(ctx, feed, it, link)
	if err != nil {
		return false, fmt.Errorf("item %s: %w", link, err)
	}
	r, err := p.ing.Ingest(ctx, a)
	if err != nil {
		return false, fmt.Errorf("item %s: %w", link, err)
	}
	if r.Status == rag.Created && !announce {
		if err := p.store.SetAnnounce(ctx, r.ArticleID, false); err != nil {
			return false, fmt.Errorf("%w: %w", errStore, err)
		}
	}
	if err := p.record(ctx, f.ID, guid, link, r.ArticleID); err != nil {
		return false, err
	}
	return r.Status == rag.Created || r.Status == rag.Updated, nil
}

func (p *Poller) record(ctx context.Context, feedID int64, guid, link string, articleID int64) error {
	if err := p.store.RecordFeedItem(ctx, feedID, guid, link, articleID); err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	return nil
}

// itemLink is the item's canonical link (its link, else a URL GUID),
// resolved against the feed's URL.
func itemLink(feedURL string, it *gofeed.Item) (string, error) {
	raw := strings.TrimSpace(it.Link)
	if raw == "" && (strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://")) {
		raw = strings.TrimSpace(it.GUID)
	}
	if raw == "" {
		return "", fmt.Errorf("item %q has no link", nlp.OneLine(it.Title, 100))
	}
	base, err := url.Parse(feedURL)
	if err != nil {
		return "", fmt.Errorf("feed URL %q: %w", feedURL, err)
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("item %q: link %q: %w", nlp.OneLine(it.Title, 100), raw, err)
	}
	return ingest.CanonicalURL(base.ResolveReference(ref).String())
}

// article builds the item's article: from the item's content when it is
// long enough, else from its page (falling back to the excerpt when the
// page cannot be had).
func (p *Poller) article(ctx context.Context, feed *gofeed.Feed, it *gofeed.Item, link string) (rag.Article, error) {
	content := it.Content
	if strings.TrimSpace(content) == "" {
		content = it.Description
	}
	text := HTMLText(content)
	a := rag.Article{URL: link, Text: text}
	if isExcerpt(text, p.cfg.MinText) {
		page, err := p.page(ctx, link)
		switch {
		case err == nil:
			a = page
		case text == "":
			return rag.Article{}, err
		}
	}
	if t := nlp.OneLine(it.Title, 500); t != "" {
		a.Title = t
	}
	if a.Publisher == "" || a.Publisher == hostOf(a.URL) {
		if t := nlp.OneLine(feed.Title, 200); t != "" {
			a.Publisher = t
		} else {
			a.Publisher = hostOf(a.URL)
		}
	}
	if it.PublishedParsed != nil {
		a.Published = it.PublishedParsed.UTC()
	} else if it.UpdatedParsed != nil && a.Published.IsZero() {
		a.Published = it.UpdatedParsed.UTC()
	}
	if a.Lang == "" {
		a.Lang = nlp.ChooseLang(feed.Language, a.Title+"\n"+a.Text)
	}
	return a, nil
}

// page fetches and extracts the item's page.
func (p *Poller) page(ctx context.Context, link string) (rag.Article, error) {
	if p.pages == nil {
		return rag.Article{}, errors.New("the item holds only an excerpt and no page fetcher is configured")
	}
	doc, err := p.pages.Fetch(ctx, link)
	if err != nil {
		return rag.Article{}, err
	}
	return ingest.Extract(doc)
}

// isExcerpt says whether an item's text is only a teaser: shorter than
// minText, or ending with an ellipsis or a "read more" link.
func isExcerpt(text string, minText int) bool {
	if utf8.RuneCountInString(text) < minText {
		return true
	}
	tail := text
	if r := []rune(text); len(r) > 120 {
		tail = string(r[len(r)-120:])
	}
	tail = strings.ToLower(tail)
	for _, m := range []string{"…", "...", "read more", "continue reading", "lire la suite", "la suite", "اقرأ المزيد"} {
		if strings.Contains(tail, m) {
			return true
		}
	}
	return false
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// blockTags end a paragraph in HTMLText.
var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "table": true, "tr": true,
	"section": true, "article": true, "figure": true, "figcaption": true, "pre": true, "hr": true,
}

// HTMLText turns an item's HTML content or description into plain text:
// paragraphs separated by blank lines, white space collapsed, scripts,
// styles and images dropped, entities decoded. Plain text passes through.
func HTMLText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var paras []string
	var cur strings.Builder
	skip := 0
	flush := func() {
		if t := nlp.Collapse(cur.String()); t != "" {
			paras = append(paras, t)
		}
		cur.Reset()
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			flush()
			return strings.Join(paras, "\n\n")
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip++
			case blockTags[n]:
				flush()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip = max(skip-1, 0)
			case blockTags[n]:
				flush()
			}
		}
	}
}
