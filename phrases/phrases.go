// Package phrases holds everything dalil says to people in their language:
// the "not found" reply and the quotation marks of quoted answers, the
// digest's headings, and the Discord bot's own messages. Each language has
// one table, in a file of its own (en.go, fr.go, ar.go); English is the
// fallback. It imports only the standard library, so the domain (rag) and
// the adapters share it.
package phrases

import "fmt"

// Key names one phrase. Its comment says where it is shown and, when the
// phrase is a format, the arguments it takes, in order; every language's
// phrase takes the same verbs.
type Key int

// The phrases, grouped by where they are shown.
const (
	// Answers (rag).

	// NotFound is the reply when nothing in the archive answers a question.
	NotFound Key = iota
	// QuoteOpen opens a sentence quoted in an extractive answer.
	QuoteOpen
	// QuoteClose closes a sentence quoted in an extractive answer.
	QuoteClose
	// NoteUncitedAnswer explains quotes given instead of a model's answer
	// that cited no source.
	NoteUncitedAnswer
	// NoteWrongLanguage warns that the model answered in another language
	// than the question's.
	NoteWrongLanguage
	// NoteLongArticle explains a partial summary: %d parts summarized of
	// %d.
	NoteLongArticle
	// NoteUncitedSummary explains central sentences given instead of a
	// model's summary that cited nothing.
	NoteUncitedSummary
	// NoteSummaryLanguage warns that the model wrote a summary in another
	// language than the one asked for.
	NoteSummaryLanguage
	// NoteShortSummary explains central sentences given instead of a
	// model's summary with fewer than 3 points.
	NoteShortSummary
	// NoteExtractiveSummary explains a summary quoting the article in its
	// own language, without a language model.
	NoteExtractiveSummary

	// The daily digest.

	// DigestTitle heads a digest, before its date.
	DigestTitle
	// DigestEmpty is the line of a day with nothing new.
	DigestEmpty
	// DigestMoreStories follows the stories of a digest that had no room
	// for all: %d more stories.
	DigestMoreStories

	// The bot's questions and answers.

	// Thinking is shown while a question is answered.
	Thinking
	// Queued tells a member their question waits: %d is its place in line.
	Queued
	// QueueFull refuses a question when the queue is full.
	QueueFull
	// Stopping tells a member the bot restarts and did not answer.
	Stopping
	// RateLimited refuses a question of a member who asks too often: %s
	// is the wait, as Seconds words it.
	RateLimited
	// ServerRateLimited refuses a question when the whole server asks too
	// often (the member may not have asked before): %s is the wait, as
	// Seconds words it.
	ServerRateLimited
	// Apology reports a failed answer: %s is the error id in the logs.
	Apology
	// Timeout reports an answer that took too long: %s is the error id.
	Timeout
	// AskHint answers an empty question with an example.
	AskHint
	// Sources titles the list of an answer's sources.
	Sources
	// MoreSources ends a list of sources cut short: %d more.
	MoreSources
	// VoteUp thanks a member for a 👍.
	VoteUp
	// VoteDown thanks a member for a 👎.
	VoteDown

	// The bot's admin commands: permissions, ingest, forget, stats.

	// NotAdmin refuses an admin command to a member who is not one.
	NotAdmin
	// ServerOnly refuses a command sent in a direct message.
	ServerOnly
	// Fetching is the progress of an ingest: %s is the URL.
	Fetching
	// Downloading is the progress of an ingest: %s is the file name.
	Downloading
	// Extracting is the progress of an ingest while the text is extracted.
	Extracting
	// Storing is the progress of an ingest: %s is the article's title.
	Storing
	// Ingested reports an ingest: status %s, title %s, article id %d and
	// %d passages.
	Ingested
	// IngestFailed reports a failed ingest: the source %s and the reason %s.
	IngestFailed
	// IngestUsage explains /ingest when it has neither a URL nor a file.
	IngestUsage
	// TooLarge is the reason a file is refused: %d bytes at most.
	TooLarge
	// Forgot reports a removed article: title %s and id %d.
	Forgot
	// UnknownArticle says no article matches the reference %s.
	UnknownArticle
	// StatsTitle titles the archive's statistics.
	StatsTitle
	// Articles names the count of articles in the statistics.
	Articles
	// Passages names the count of passages (chunks) in the statistics.
	Passages
	// Embedder names the embedding model in the statistics.
	Embedder
	// DatabaseSize names the database's size in the statistics.
	DatabaseSize
	// LastIngest names the time of the newest ingest in the statistics.
	LastIngest
	// Uptime names the bot's uptime in the statistics.
	Uptime
	// ArchiveEmpty says the archive holds no article.
	ArchiveEmpty
	// Recent titles the list of recently ingested articles.
	Recent
	// Page numbers a page of a list: %d.
	Page

	// The bot's /digest command.

	// DigestUsage lists the /digest subcommands.
	DigestUsage
	// DigestBadChannel refuses a channel that cannot receive a digest.
	DigestBadChannel
	// DigestBadSchedule refuses the schedule %s for the reason %s.
	DigestBadSchedule
	// DigestOn confirms a digest channel: channel id %s, schedule %s, time
	// zone %s, language %s and the next digest's time %s.
	DigestOn
	// DigestTime confirms a new schedule, with DigestOn's arguments.
	DigestTime
	// DigestNone says the channel receives no digest.
	DigestNone
	// DigestNothing says /digest now found nothing new to post.
	DigestNothing
	// DigestPosted confirms /digest now: %d stories, %d messages (as
	// counts after a label, so that 1 reads right without plural forms).
	DigestPosted
	// DigestPreviewEmpty says a preview found nothing new.
	DigestPreviewEmpty
	// DigestPreviewMore ends a preview cut short: %d more messages.
	DigestPreviewMore
	// DigestOff confirms that the digest of channel %s is off.
	DigestOff

	// The bot's /feeds command.

	// FeedsUsage lists the /feeds subcommands.
	FeedsUsage
	// FeedBad refuses the feed %s for the reason %s.
	FeedBad
	// FeedExists says feed %d (URL %s) is already followed; its interval
	// is now %s.
	FeedExists
	// FeedAdded confirms feed %d, URL %s, polled every %s.
	FeedAdded
	// FeedSoon says a new feed will be polled soon.
	FeedSoon
	// FeedPolling says a new feed is being polled now.
	FeedPolling
	// FeedPollFailed reports a failed first poll: the reason %s.
	FeedPollFailed
	// FeedPolled reports a first poll: %d items read, %d new articles.
	FeedPolled
	// FeedDue stands for the next poll's time when it is due now.
	FeedDue
	// FeedState describes a feed: %d items, last success %s, next poll %s.
	FeedState
	// FeedLastError gives a feed's last error %s.
	FeedLastError
	// FeedsNone says no feed is followed.
	FeedsNone
	// FeedsMore ends a list of feeds cut short: %d more.
	FeedsMore
	// FeedsTitle titles the list of feeds.
	FeedsTitle
	// FeedCounts sums the feeds up: %d ok, %d failing, %d unhealthy.
	FeedCounts
	// FeedCountsNew adds to FeedCounts the %d feeds not polled yet.
	FeedCountsNew
	// FeedUnknown says no feed matches %s.
	FeedUnknown
	// FeedRemoved confirms feed %d (URL %s) is removed.
	FeedRemoved
	// Feeds names the count of feeds in the statistics.
	Feeds

	// What members asked, in /stats.

	// StatsQuestionsTitle titles what members asked in the last %d days.
	StatsQuestionsTitle
	// StatsAsked names the count of questions asked.
	StatsAsked
	// StatsAnswered names the count (and share) of questions answered from
	// the archive.
	StatsAnswered
	// StatsLatency names the median and 95th percentile of the time to answer.
	StatsLatency
	// StatsUnanswered names the list of the questions most asked that the
	// archive could not answer.
	StatsUnanswered
	// StatsTopArticles names the list of the articles answers cite most.
	StatsTopArticles
	// StatsNoQuestions says no question was asked in the period.
	StatsNoQuestions

	// Durations, chosen by Seconds from the count.

	// SecondOne is a duration of one second.
	SecondOne
	// SecondsTwo is a duration of two seconds (Arabic has a dual).
	SecondsTwo
	// SecondsFew is a duration of %d seconds, from 3 to 10 (Arabic's
	// plural of few).
	SecondsFew
	// SecondsMany is a duration of %d seconds, 0 or 11 and more.
	SecondsMany

	numKeys // the number of keys; keep last
)

// table holds one language's phrases, indexed by Key.
type table [numKeys]string

// tables holds every language's table by language code.
var tables = map[string]*table{"en": &en, "fr": &fr, "ar": &ar}

// Has reports whether lang (a code such as "fr") has phrases of its own;
// Text falls back to English for any other.
func Has(lang string) bool {
	_, ok := tables[lang]
	return ok
}

// Seconds words a duration of n seconds in lang with the form its count
// takes: "1 second", "2 seconds"; in Arabic "ثانية واحدة", "ثانيتين",
// "5 ثوانٍ", "15 ثانية".
func Seconds(lang string, n int) string {
	switch {
	case n == 1:
		return Text(lang, SecondOne)
	case n == 2:
		return Text(lang, SecondsTwo)
	case n >= 3 && n <= 10:
		return Text(lang, SecondsFew, n)
	default:
		return Text(lang, SecondsMany, n)
	}
}

// Text returns phrase k in lang, or in English when lang has no table,
// formatted with args when there are any.
func Text(lang string, k Key, args ...any) string {
	t, ok := tables[lang]
	if !ok {
		t = &en
	}
	if len(args) == 0 {
		return t[k]
	}
	return fmt.Sprintf(t[k], args...)
}
