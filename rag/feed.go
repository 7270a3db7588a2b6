package rag

import "time"

// Feed is an RSS or Atom feed dalil polls, with its polling state.
type Feed struct {
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	// ETag and LastModified are the validators of the last 200 response,
	// sent back for a conditional GET.
	ETag         string `json:"-"`
	LastModified string `json:"-"`
	// Interval is the time between two polls when the feed is healthy.
	Interval time.Duration `json:"interval"`
	// LastPolled, LastOK and NextPoll are zero when not yet known.
	LastPolled time.Time `json:"last_polled"`
	LastOK     time.Time `json:"last_ok"`
	NextPoll   time.Time `json:"next_poll"`
	// Failures counts consecutive failed polls; LastError is the latest one.
	Failures  int       `json:"failures"`
	LastError string    `json:"last_error,omitempty"`
	Items     int       `json:"items"` // items recorded from this feed
	CreatedAt time.Time `json:"created_at"`
}

// FeedHealth is a feed's state for `dalil feeds list` and /stats.
type FeedHealth string

// The states of a feed.
const (
	FeedNew       FeedHealth = "new"       // never polled successfully nor failed
	FeedOK        FeedHealth = "ok"        // the last poll succeeded
	FeedFailing   FeedHealth = "failing"   // recent polls failed, fewer than the threshold
	FeedUnhealthy FeedHealth = "unhealthy" // maxFailures or more consecutive failures
)

// Health classifies f: unhealthy after maxFailures consecutive failures.
func (f Feed) Health(maxFailures int) FeedHealth {
	switch {
	case f.Failures >= maxFailures:
		return FeedUnhealthy
	case f.Failures > 0:
		return FeedFailing
	case f.LastOK.IsZero():
		return FeedNew
	}
	return FeedOK
}
