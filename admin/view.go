package admin

import (
	"context"
	"time"
)

// Source gives the admin page its data, read once a request; since is
// the start of the period the page shows (the period ends now). An error
// leaves its section of the page empty, with the error, and the others
// shown. Implementations must be safe for concurrent use.
type Source interface {
	// Report summarizes the questions asked since since.
	Report(ctx context.Context, since time.Time) (Report, error)
	Records
}

// Records are what the page shows besides the report, read from the store
// (postgres.AdminSource); NewSource adds the insights report to them.
type Records interface {
	// Feeds lists the feeds that are polled, with their health.
	Feeds(ctx context.Context) ([]Feed, error)
	// Digests lists the digests recorded since since, newest first.
	Digests(ctx context.Context, since time.Time) ([]Digest, error)
	// Archive counts the articles of the archive.
	Archive(ctx context.Context) (Archive, error)
}

// Report is the insights report of a period: what members asked, what the
// archive could not answer, and how fast.
type Report struct {
	// Days are the days with questions, oldest first, each at its
	// midnight in the page's time zone (Options.Location: the page reads
	// the date as written); the page shows the others as days without.
	Days []Day
	// Asked counts the questions of the period; NotFound those the archive
	// could not answer.
	Asked, NotFound int
	// LatencyP50 and LatencyP95 are the median and the 95th percentile of
	// the time taken to answer.
	LatencyP50, LatencyP95 time.Duration
	// Unanswered are the questions not answered, grouped by topic, most
	// asked first.
	Unanswered []Topic
	// Articles are the articles cited most, most cited first.
	Articles []ArticleCount
}

// Day counts the questions of one day.
type Day struct {
	Date            time.Time
	Asked, NotFound int
}

// Topic is a group of questions asked alike: one of them (Question), how
// many were asked and in which languages (ISO 639-1 codes).
type Topic struct {
	Question string
	Count    int
	Langs    []string
}

// ArticleCount is an article and how many answers cited it.
type ArticleCount struct {
	Title, URL string
	Count      int
}

// Feed is a polled feed as `dalil feeds list` shows it.
type Feed struct {
	ID         int64
	URL, Title string
	// Health is rag.FeedHealth's value: new, ok, failing or unhealthy.
	Health string
	// Failures counts the consecutive failed polls; Items the items
	// recorded from the feed.
	Failures, Items int
	Interval        time.Duration
	// LastOK and NextPoll are zero when not yet known.
	LastOK, NextPoll time.Time
	LastError        string
}

// Digest is one digest of a channel.
type Digest struct {
	ChannelID string
	// Period is the digest's scheduled time.
	Period time.Time
	// Status is digest.Status's value: pending, posted, empty, failed,
	// skipped or unknown.
	Status string
	// Messages counts the messages posted.
	Messages int
	// Note says why a digest has its status (a failure, a skip).
	Note string
}

// Archive counts the archive's articles in all and by publisher, by
// language and by month of publication.
type Archive struct {
	// Articles counts every article; Undated those without a
	// publication date, which ByMonth leaves out.
	Articles, Undated int
	// ByPublisher has the largest publishers first; a Key "" stands for
	// articles without one, as in ByLang.
	ByPublisher, ByLang []Count
	// ByMonth has keys "2006-01", in the page's time zone, oldest first;
	// the page shows months missing between two as months without.
	ByMonth []Count
}

// Count is how many articles have a key (a publisher, a language, a month).
type Count struct {
	Key string
	N   int
}
