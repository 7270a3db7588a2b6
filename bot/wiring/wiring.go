// Package wiring connects the Discord bot to dalil's other adapters: the
// PostgreSQL store (statistics, feedback, digest settings), the ingest
// package (URLs and uploaded files), the digest scheduler and the feed
// poller. The bot declares what it consumes; these small types
// translate, so that bot and postgres never import each other. cmd/dalil
// and the bot's end-to-end tests use the same wiring.
package wiring

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

var (
	_ bot.StatsReader   = Stats{}
	_ bot.FeedbackStore = (*postgres.Store)(nil)
	_ bot.Extractor     = Extractor{}
	_ bot.DigestControl = (*Digests)(nil)
	_ bot.FeedStore     = (*postgres.Store)(nil)
	_ bot.FeedPoller    = FeedPoller{}
)

// Stats reports a store's contents to the bot.
type Stats struct{ Store *postgres.Store }

// Stats implements bot.StatsReader.
func (s Stats) Stats(ctx context.Context) (bot.Stats, error) {
	st, err := s.Store.Stats(ctx)
	if err != nil {
		return bot.Stats{}, err
	}
	return bot.Stats{
		Articles: st.Articles, Chunks: st.Chunks, Embedder: st.Embedder, Dimensions: st.Dimensions,
		DatabaseBytes: st.DatabaseBytes, NewestIngest: st.NewestIngest,
	}, nil
}

// Extractor fetches URLs with an ingest.Fetcher and extracts articles
// from pages and uploaded files.
type Extractor struct {
	Fetcher *ingest.Fetcher
}

// FetchURL implements bot.Extractor.
func (e Extractor) FetchURL(ctx context.Context, rawURL string) (rag.Article, error) {
	doc, err := e.Fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return rag.Article{}, err
	}
	return ingest.Extract(doc)
}

// ExtractFile implements bot.Extractor. The article's URL is where Discord
// serves the file; its publisher is left empty rather than named after
// Discord's CDN.
func (e Extractor) ExtractFile(name, fileURL, contentType string, body []byte) (rag.Article, error) {
	u, err := url.Parse(fileURL)
	if err != nil || u.Host == "" {
		return rag.Article{}, fmt.Errorf("file %s: invalid URL %q", name, fileURL)
	}
	a, err := ingest.Extract(&ingest.Document{Source: name, URL: fileURL, ContentType: contentType, Body: body})
	if err != nil {
		return rag.Article{}, err
	}
	if a.Publisher == u.Hostname() {
		a.Publisher = ""
	}
	return a, nil
}

// Digests gives the bot a store's digest settings and a scheduler's posts
// and previews. The scheduler posts through the bot, so it is made after
// the bot: give the bot a *Digests and set Scheduler before the bot runs.
type Digests struct {
	Store     *postgres.Store
	Scheduler *digest.Scheduler
}

// DigestChannel implements bot.DigestControl.
func (d *Digests) DigestChannel(ctx context.Context, channelID string) (digest.Channel, error) {
	return d.Store.DigestChannel(ctx, channelID)
}

// SetDigestChannel implements bot.DigestControl.
func (d *Digests) SetDigestChannel(ctx context.Context, c digest.Channel) (digest.Channel, error) {
	return d.Store.SetDigestChannel(ctx, c)
}

// ChannelSchedule implements bot.DigestControl.
func (d *Digests) ChannelSchedule(c digest.Channel) (digest.Schedule, *time.Location, error) {
	return d.Scheduler.ChannelSchedule(c)
}

// PostNow implements bot.DigestControl.
func (d *Digests) PostNow(ctx context.Context, channelID string) (digest.Digest, error) {
	return d.Scheduler.PostNow(ctx, channelID)
}

// Preview implements bot.DigestControl.
func (d *Digests) Preview(ctx context.Context, c digest.Channel) (digest.Digest, error) {
	return d.Scheduler.Preview(ctx, c)
}

// FeedPoller polls the feeds added from Discord with a feeds.Poller.
type FeedPoller struct{ Poller *feeds.Poller }

// PollFeed implements bot.FeedPoller.
func (p FeedPoller) PollFeed(ctx context.Context, f rag.Feed) (bot.FeedPollResult, error) {
	res, err := p.Poller.Poll(ctx, f)
	return bot.FeedPollResult{Items: res.Items, New: res.New}, err
}
