package digest

import (
	"context"
	"errors"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// Poster turns digests into messages and posts them to a channel; the bot
// implements it for Discord. The Scheduler records the messages Render
// returns before Post sends them, so Render must be a pure function of d.
type Poster interface {
	// Render writes d as the messages to post, in order; none when d has
	// nothing to post.
	Render(d Digest) []string
	// Post sends parts in order, with mentions disabled, and returns the
	// ids of the messages it created. It returns an error with no ids only
	// when no message was created; when it fails after creating some, it
	// returns their ids with the error.
	Post(ctx context.Context, channelID string, parts []string) (messageIDs []string, err error)
}

// Reconciler is implemented by a Poster that can tell, after a crash,
// whether a pending digest reached its channel (for example by reading the
// bot's recent messages in the channel and comparing them with the parts).
// found is false only when it is sure the messages were not posted; err is
// not nil when it could not tell.
type Reconciler interface {
	FindPosted(ctx context.Context, rec Record) (messageIDs []string, found bool, err error)
}

// Status is the state of one channel's digest for one period.
type Status string

// The states of a digest record. Posted, Empty, Unknown and Pending
// consume the articles of their period; Skipped and Failed do not (the
// next digest includes them).
const (
	Pending Status = "pending" // recorded before posting
	Posted  Status = "posted"  // posted, message ids recorded
	Empty   Status = "empty"   // nothing new, nothing posted
	Failed  Status = "failed"  // posting failed with no message created; retried within the grace window
	Skipped Status = "skipped" // missed by more than the grace window
	Unknown Status = "unknown" // pending found after a crash and not reconciled: never reposted
)

// Record is one row of the digests table: a channel's digest for one
// scheduled period.
type Record struct {
	ChannelID string
	// Period is the scheduled time (or the time of a /digest now).
	Period time.Time
	Status Status
	// Since and Until bound the ingestion times of the articles included
	// (Since exclusive, Until inclusive).
	Since, Until time.Time
	// Parts are the messages as the Poster rendered them; MessageIDs the
	// ids of those posted.
	Parts      []string
	MessageIDs []string
	// Note says why a record has its status (a failure, a skip).
	Note string
	// Attempts counts the posts of the period (a failed one is retried).
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrExists is returned by Store.BeginDigest when the channel already has
// a digest for the period that is not a retryable failure.
var ErrExists = errors.New("digest already recorded for this period")

// Query selects the articles of a digest.
type Query struct {
	// Since (exclusive) and Until (inclusive) bound the ingestion time.
	Since, Until time.Time
	// PublishedAfter leaves out articles published before it (undated
	// articles are kept); zero keeps all.
	PublishedAfter time.Time
	// FeedIDs and Publishers, when not empty, keep only articles from
	// those feeds or those publishers (either matches).
	FeedIDs    []int64
	Publishers []string
	// Limit bounds the articles returned.
	Limit int
}

// Store is what the Scheduler needs from the database (*postgres.Store is
// one). Methods return rag.ErrNotFound (wrapped) for a missing channel.
type Store interface {
	// DigestChannels returns every configured channel.
	DigestChannels(ctx context.Context) ([]Channel, error)
	// DigestChannel returns one channel's settings.
	DigestChannel(ctx context.Context, channelID string) (Channel, error)
	// SetDigestChannel creates or replaces a channel's settings and returns
	// them as stored; the error wraps rag.ErrNotFound for a feed id that
	// names no feed.
	SetDigestChannel(ctx context.Context, c Channel) (Channel, error)
	// DigestArticles returns, with their text, the announceable articles
	// matching q, oldest ingested first.
	DigestArticles(ctx context.Context, q Query) ([]rag.Article, error)
	// CountPublishedBefore counts the announceable articles DigestArticles
	// leaves out of q for their age: those matching q but published before
	// q.PublishedAfter.
	CountPublishedBefore(ctx context.Context, q Query) (int, error)
	// LockDigest tries to take the channel's advisory lock without
	// waiting; ok is false when another process holds it. release frees it.
	LockDigest(ctx context.Context, channelID string) (release func(), ok bool, err error)
	// LastDigest returns the channel's latest record that consumed its
	// articles (posted, empty, unknown or pending); ok is false when none.
	LastDigest(ctx context.Context, channelID string) (rec Record, ok bool, err error)
	// DigestRecord returns the channel's record for period.
	DigestRecord(ctx context.Context, channelID string, period time.Time) (rec Record, ok bool, err error)
	// PendingDigests returns every pending record.
	PendingDigests(ctx context.Context) ([]Record, error)
	// BeginDigest inserts rec (its Status is Pending, Empty or Skipped), or
	// replaces a Failed record for the same period, adding one attempt. It
	// returns ErrExists when another record holds the period.
	BeginDigest(ctx context.Context, rec Record) error
	// FinishDigest sets the status, message ids and note of the pending
	// record for rec's channel and period, in one transaction; it fails
	// when that record is not pending.
	FinishDigest(ctx context.Context, rec Record) error
}
