package main

import (
	"context"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// The bot declares what it consumes; these small types translate, so that
// bot, postgres, ingest and feeds never import each other.
var (
	_ bot.StatsReader   = storeStats{}
	_ bot.FeedbackStore = (*postgres.Store)(nil)
	_ bot.Extractor     = ingest.Extractor{}
	_ bot.DigestControl = digestControl{}
	_ bot.FeedStore     = (*postgres.Store)(nil)
	_ bot.FeedPoller    = feedPoller{}
)

// storeStats reports a store's contents to the bot.
type storeStats struct{ store *postgres.Store }

// Stats implements bot.StatsReader.
func (s storeStats) Stats(ctx context.Context) (bot.Stats, error) {
	st, err := s.store.Stats(ctx)
	if err != nil {
		return bot.Stats{}, err
	}
	return bot.Stats{
		Articles: st.Articles, Chunks: st.Chunks, Embedder: st.Embedder, Dimensions: st.Dimensions,
		DatabaseBytes: st.DatabaseBytes, NewestIngest: st.NewestIngest,
	}, nil
}

// digestControl gives the bot the store's digest settings (DigestChannel,
// SetDigestChannel) and the scheduler's schedules, posts and previews
// (ChannelSchedule, PostNow, Preview).
type digestControl struct {
	*postgres.Store
	*digest.Scheduler
}

// feedPoller polls the feeds added from Discord with a feeds.Poller.
type feedPoller struct{ poller *feeds.Poller }

// CheckFeed implements bot.FeedPoller.
func (p feedPoller) CheckFeed(ctx context.Context, url string) error {
	_, err := p.poller.Check(ctx, url)
	return err
}

// PollFeed implements bot.FeedPoller.
func (p feedPoller) PollFeed(ctx context.Context, f rag.Feed) (bot.FeedPollResult, error) {
	res, err := p.poller.Poll(ctx, f)
	return bot.FeedPollResult{Items: res.Items, New: res.New}, err
}
