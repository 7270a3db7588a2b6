// Package digest is dalil's daily digest: it groups a channel's new
// articles into stories, writes one line per story and (with a chat model)
// an opening paragraph citing them, and posts each channel's digest once
// per scheduled period through a Poster, recording it in a Store so that
// several replicas or a restart never post it twice. It knows nothing of
// Discord: the Poster (the bot) renders a Digest as messages.
package digest

import (
	"fmt"
	"strings"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// Defaults of digest settings.
const (
	// DefaultSchedule is the time of day of a channel's digest.
	DefaultSchedule = "08:00"
	// DefaultTimeZone is the time zone of a channel's schedule.
	DefaultTimeZone = "Africa/Casablanca"
)

// Channel is one channel's digest settings.
type Channel struct {
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
	EmptyNote bool `json:"empty_note"`
	// Enabled is false for a channel whose digest was turned off.
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Location loads the channel's time zone (default Africa/Casablanca).
func (c Channel) Location() (*time.Location, error) {
	tz := c.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("channel %s: time zone %q is not an IANA name such as Africa/Casablanca", c.ChannelID, tz)
	}
	return loc, nil
}

// Story is a group of articles on the same event, from one or more
// publishers.
type Story struct {
	// N numbers the story in its digest, from 1; the opening cites it as [N].
	N     int    `json:"n"`
	Title string `json:"title"`
	// Line is one sentence of the lead article (empty when none fits).
	Line string `json:"line,omitempty"`
	// Articles are the story's sources (without text), lead first.
	Articles []rag.Article `json:"articles"`
	// Latest is the newest publication (or ingestion) time of its articles.
	Latest time.Time `json:"latest"`
}

// Publishers counts the story's distinct publishers.
func (s Story) Publishers() int {
	seen := map[string]bool{}
	for _, a := range s.Articles {
		seen[PublisherKey(a)] = true
	}
	return len(seen)
}

// PublisherKey identifies an article's publisher: its name in lower case,
// else its URL's host without "www.".
func PublisherKey(a rag.Article) string {
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

// Digest is one channel's digest for one period: what it says, as
// structured content; a Poster renders it as messages. A digest with no
// stories posts nothing, or a one-line note when EmptyNote is set.
type Digest struct {
	ChannelID string    `json:"channel_id"`
	Period    time.Time `json:"period"`
	Since     time.Time `json:"since"` // ingestion times of the articles considered:
	Until     time.Time `json:"until"` // Since exclusive, Until inclusive
	Day       time.Time `json:"day"`   // the digest's date, in the channel's time zone
	Lang      string    `json:"lang,omitempty"`
	Intro     string    `json:"intro,omitempty"` // opening paragraph citing stories as [n]; none without a chat model
	Stories   []Story   `json:"stories"`
	More      int       `json:"more"`                 // stories left out by the cap
	Articles  int       `json:"articles"`             // articles considered
	TooOld    int       `json:"too_old,omitempty"`    // articles ingested in the period, left out as published more than MaxAge before Until
	EmptyNote bool      `json:"empty_note,omitempty"` // a one-line note when there are no stories
	Usage     rag.Usage `json:"usage"`                // what the opening cost
}

// FormatTime writes t for people, in loc and labelled with its offset and
// zone, as every time shown next to a digest's dates is:
// "2026-12-05 08:00 +01:00 (Africa/Casablanca)"; "-" for the zero time.
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04 -07:00") + " (" + loc.String() + ")"
}
