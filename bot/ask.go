package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

// replier is where an answer goes: the original response to an
// interaction and its follow-ups, or a message the bot posted in a channel
// and the messages after it.
type replier interface {
	// edit replaces the placeholder message.
	edit(ctx context.Context, m message) error
	// send posts another message after it.
	send(ctx context.Context, m message) error
}

func (r *request) send(ctx context.Context, m message) error {
	_, err := r.followUp(ctx, m)
	return err
}

// channelReply answers in a channel by editing a message the bot posted.
type channelReply struct {
	b         *Bot
	channelID string
	messageID string
}

func (c *channelReply) edit(ctx context.Context, m message) error {
	embeds, comps := m.Embeds, m.Components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	_, err := c.b.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: c.messageID, Channel: c.channelID, Content: &m.Content, Embeds: &embeds, Components: &comps,
		AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("edit message %s in channel %s: %w", c.messageID, c.channelID, err)
	}
	return nil
}

func (c *channelReply) send(ctx context.Context, m message) error {
	_, err := c.b.s.ChannelMessageSendComplex(c.channelID, &discordgo.MessageSend{
		Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("send a message in channel %s: %w", c.channelID, err)
	}
	return nil
}

// askJob is one question waiting for a worker.
type askJob struct {
	source   string // "slash" or "mention", for metrics
	question string
	lang     string // the question's language, "" when unknown
	uiLang   string // the language of the bot's own phrases
	history  []prompts.Message
	conv     string // the conversation (channel ID) to extend, "" for none
	userID   string
	guildID  string
	asked    string // the channel the question was asked in
	channel  string // the channel the answer goes to
	reply    replier
	start    time.Time
	// do answers; nil asks Deps.Answerer with the question and history.
	do func(ctx context.Context, onDelta func(string)) (rag.Answer, error)
	// claim is the event's, held until the job ends.
	claim *claim

	// mu orders the "you are number n in line" edit before the answer.
	mu      sync.Mutex
	started bool
}

// handleAsk answers /ask: rate limit, deferred response within Discord's
// deadline, then the answer from a worker.
func (b *Bot) handleAsk(ctx context.Context, r *request, question string) {
	if question == "" {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.AskHint), true))
		return
	}
	if ok, no := b.allow(ctx, r.userID(), r.i.GuildID); !ok {
		b.metrics.questions.WithLabelValues("slash", "rate_limited").Inc()
		b.report(ctx, r.respond(ctx, no.text(r.lang), true))
		return
	}
	start := time.Now()
	if err := r.deferReply(ctx, false); err != nil {
		b.report(ctx, err)
		return
	}
	b.askDeferred(ctx, r, question, start)
}

// askDeferred queues the answer to an acknowledged /ask, asked at start;
// the worker edits the original response.
func (b *Bot) askDeferred(ctx context.Context, r *request, question string, start time.Time) {
	lang, ui := b.languages(question, r.lang)
	b.enqueue(ctx, &askJob{
		source: "slash", question: question, lang: lang, uiLang: ui,
		userID: r.userID(), guildID: r.i.GuildID, asked: r.i.ChannelID, channel: r.i.ChannelID, reply: r, start: start, claim: r.claim,
	})
}

// languages returns the question's language as it is searched
// (nlp.SearchLang: Darija is nlp.LangDarija, which rag.Service.Ask
// searches as Darija) and the language for the bot's own phrases: the
// one its answer is framed in (nlp.AskerLang: Arabic for Darija in Arabic
// script, French in Latin script) when dalil has phrases in it, else
// fallback, the member's Discord locale.
func (b *Bot) languages(question, fallback string) (string, string) {
	ui := nlp.AskerLang(question)
	if !phrases.Has(ui) {
		ui = fallback
	}
	return nlp.SearchLang(question), ui
}

// seconds rounds a wait up to whole seconds, at least 1.
func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// enqueue gives j to the worker pool and tells the member when it waits.
// The job holds its claim until it ends.
func (b *Bot) enqueue(ctx context.Context, j *askJob) {
	j.claim.hold()
	place, err := b.pool.submit(job{
		run: func(wctx context.Context) {
			defer j.claim.release()
			b.answer(wctx, j)
		},
		drop: func() {
			defer j.claim.release()
			// Dropped at the shutdown deadline, after the handler's
			// context ended.
			dctx, cancel := context.WithTimeout(b.replies, 10*time.Second)
			defer cancel()
			b.restarting(dctx, j)
		},
	})
	if err != nil {
		j.claim.release()
	}
	switch {
	case errors.Is(err, errQueueFull):
		b.metrics.questions.WithLabelValues(j.source, "queue_full").Inc()
		b.report(ctx, j.reply.edit(ctx, message{Content: phrases.Text(j.uiLang, phrases.QueueFull)}))
	case err != nil:
		b.restarting(ctx, j)
	case place > 0:
		j.mu.Lock()
		if !j.started {
			b.report(ctx, j.reply.edit(ctx, message{Content: phrases.Text(j.uiLang, phrases.Queued, place)}))
		}
		j.mu.Unlock()
	}
}

// answer runs in a worker: it asks with a deadline, streams the text as it
// comes, then renders the answer with its sources and vote buttons.
func (b *Bot) answer(ctx context.Context, j *askJob) {
	j.mu.Lock()
	j.started = true
	j.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.AskTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			id := newErrorID()
			b.metrics.errors.WithLabelValues("panic").Inc()
			b.metrics.questions.WithLabelValues(j.source, "error").Inc()
			b.log.Error("answer panicked", "error_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()),
				"user", j.userID, "guild", j.guildID, "channel", j.channel)
			rctx, rcancel := b.replyContext(ctx)
			defer rcancel()
			b.report(rctx, j.reply.edit(rctx, message{Content: phrases.Text(j.uiLang, phrases.Apology, id)}))
		}
	}()
	st := newStreamer(ctx, j.reply, b.cfg.StreamInterval, b.report)
	do := j.do
	if do == nil {
		do = func(ctx context.Context, onDelta func(string)) (rag.Answer, error) {
			return b.deps.Answerer.Ask(ctx, rag.Question{Text: j.question, Lang: j.lang, History: j.history, OnDelta: onDelta})
		}
	}
	ans, err := do(ctx, st.add)
	st.stop()
	b.metrics.latency.WithLabelValues(j.source).Observe(time.Since(j.start).Seconds())
	if err != nil {
		rctx, rcancel := b.replyContext(ctx)
		defer rcancel()
		if b.work.Err() != nil {
			// Cut off by the shutdown deadline: nothing went wrong.
			b.log.Warn("answer cancelled by shutdown", "err", err, "source", j.source,
				"user", j.userID, "guild", j.guildID, "channel", j.channel)
			b.restarting(rctx, j)
			return
		}
		b.fail(rctx, j, err)
		return
	}
	b.metrics.tokens.WithLabelValues("prompt").Add(float64(ans.Usage.PromptTokens))
	b.metrics.tokens.WithLabelValues("completion").Add(float64(ans.Usage.CompletionTokens))
	outcome := "answered"
	if !ans.Found {
		outcome = "not_found"
	}
	b.metrics.questions.WithLabelValues(j.source, outcome).Inc()
	rctx, rcancel := b.replyContext(ctx)
	defer rcancel()
	// Stored before the answer shows: a quick follow-up must find it.
	msgs := renderAnswer(ans, j.uiLang, b.saveAnswer(rctx, j, ans))
	if err := j.reply.edit(rctx, msgs[0]); err != nil {
		b.report(rctx, err)
		return
	}
	for _, m := range msgs[1:] {
		if err := j.reply.send(rctx, m); err != nil {
			b.report(rctx, err)
			return
		}
	}
	b.log.Info("answered", "source", j.source, "found", ans.Found, "mode", ans.Mode, "citations", len(ans.Citations),
		"messages", len(msgs), "seconds", time.Since(j.start).Seconds(), "user", j.userID, "guild", j.guildID)
}

// restarting tells the member the question is not answered because the bot
// is stopping.
func (b *Bot) restarting(ctx context.Context, j *askJob) {
	b.metrics.questions.WithLabelValues(j.source, "stopping").Inc()
	b.report(ctx, j.reply.edit(ctx, message{Content: phrases.Text(j.uiLang, phrases.Stopping)}))
}

// fail tells the member the question could not be answered, with an error
// id that the log has the detail under.
func (b *Bot) fail(ctx context.Context, j *askJob, err error) {
	if errors.Is(err, rag.ErrEmptyInput) {
		b.report(ctx, j.reply.edit(ctx, message{Content: phrases.Text(j.uiLang, phrases.AskHint)}))
		return
	}
	id := newErrorID()
	kind := errorKind(err)
	b.metrics.errors.WithLabelValues(kind).Inc()
	b.metrics.questions.WithLabelValues(j.source, "error").Inc()
	b.log.Error("answer failed", "error_id", id, "kind", kind, "err", err, "source", j.source,
		"user", j.userID, "guild", j.guildID, "channel", j.channel)
	key := phrases.Apology
	if kind == "timeout" {
		key = phrases.Timeout
	}
	b.report(ctx, j.reply.edit(ctx, message{Content: phrases.Text(j.uiLang, key, id)}))
}

// newErrorID returns a short random id that links a user-facing apology
// to its log entry.
func newErrorID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// streamer edits the placeholder with the answer text as it arrives, at
// most once per interval.
type streamer struct {
	mu      sync.Mutex
	text    strings.Builder
	dirty   bool
	done    chan struct{}
	stopped chan struct{}
}

func newStreamer(ctx context.Context, r replier, interval time.Duration, report func(context.Context, error)) *streamer {
	s := &streamer{done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				s.mu.Lock()
				text, dirty := s.text.String(), s.dirty
				s.dirty = false
				s.mu.Unlock()
				if dirty && strings.TrimSpace(text) != "" {
					report(ctx, r.edit(ctx, message{Content: preview(text)}))
				}
			}
		}
	}()
	return s
}

// add receives a piece of the answer (rag.Question.OnDelta).
func (s *streamer) add(delta string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text.WriteString(delta)
	s.dirty = true
}

// stop ends the edits; none is sent after it returns.
func (s *streamer) stop() {
	close(s.done)
	<-s.stopped
}
