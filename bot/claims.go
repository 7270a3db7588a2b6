package bot

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/replica"
)

// Claims records, in a database the replicas share, which replica handles
// each event, and lets the live replicas take over the work of dead ones;
// *postgres.Store is one. Errors wrap rag.ErrUnavailable when the
// database cannot be reached.
type Claims interface {
	// Claim records that replicaID handles the event key, with what
	// another replica needs to finish it (kind, payload: JSON); won is
	// false when the key was claimed before, finished or not.
	Claim(ctx context.Context, key, replicaID, kind string, payload []byte) (won bool, err error)
	// UpdateClaim replaces the payload of an open claim replicaID holds.
	UpdateClaim(ctx context.Context, key, replicaID string, payload []byte) error
	// FinishClaim marks a claim done if replicaID holds it.
	FinishClaim(ctx context.Context, key, replicaID string) error
	// Heartbeat records that replicaID is alive.
	Heartbeat(ctx context.Context, replicaID string) error
	// TakeOver gives replicaID up to limit open claims of replicas silent
	// for deadAfter; each claim goes to one replica only.
	TakeOver(ctx context.Context, replicaID string, deadAfter time.Duration, limit int) ([]replica.Claim, error)
	// PurgeClaims deletes the claims finished more than age ago.
	PurgeClaims(ctx context.Context, age time.Duration) (int64, error)
}

const (
	// The kinds of claims.
	kindMention     = "mention"
	kindInteraction = "interaction"
	// claimTimeout bounds claiming an event: an interaction must be
	// acknowledged within 3 s, claim included, and a database that slow
	// is taken for unreachable.
	claimTimeout = time.Second
	// maxTakeovers gives up work that was taken over this many times: it
	// may be what kills the replicas that try it.
	maxTakeovers = 3
	// interactionTokenLife is how long Discord accepts an interaction's
	// token; a claim taken over with less than a minute left is lost.
	interactionTokenLife = 15 * time.Minute
	// finishedClaimsKept is how long a finished claim keeps its key from
	// being handled again, far longer than a gateway replay reaches back;
	// claimsPurgeEvery is how often each replica purges older ones.
	finishedClaimsKept = time.Hour
	claimsPurgeEvery   = 10 * time.Minute
)

// mentionClaim is a question asked by a mention or in a conversation, as
// claimed: what another replica needs to answer it. No member id is kept.
type mentionClaim struct {
	MessageID string `json:"message_id"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id,omitempty"`
	Question  string `json:"question"`
	Mentioned bool   `json:"mentioned,omitempty"`
	InConv    bool   `json:"in_conversation,omitempty"`
	// AnswerChannel and Placeholder name the message the answer replaces,
	// once it is posted; Conv is the conversation the answer extends, ""
	// for none.
	AnswerChannel string `json:"answer_channel,omitempty"`
	Conv          string `json:"conversation,omitempty"`
	Placeholder   string `json:"placeholder,omitempty"`
}

// message is the question's message as far as replies need it.
func (p mentionClaim) message() *discordgo.Message {
	return &discordgo.Message{ID: p.MessageID, ChannelID: p.ChannelID, GuildID: p.GuildID}
}

// interactionClaim is an interaction as claimed: what another replica
// needs to finish it through the interaction's webhook while the token
// lasts, and to answer it again when it is an /ask.
type interactionClaim struct {
	ID        string           `json:"id"`
	AppID     string           `json:"application_id"`
	Token     string           `json:"token"`
	GuildID   string           `json:"guild_id,omitempty"`
	ChannelID string           `json:"channel_id,omitempty"`
	Locale    discordgo.Locale `json:"locale,omitempty"`
	Command   string           `json:"command,omitempty"`
	Question  string           `json:"question,omitempty"`
}

func newInteractionClaim(i *discordgo.Interaction) interactionClaim {
	p := interactionClaim{ID: i.ID, AppID: i.AppID, Token: i.Token, GuildID: i.GuildID, ChannelID: i.ChannelID, Locale: i.Locale}
	if i.Type == discordgo.InteractionApplicationCommand {
		data := i.ApplicationCommandData()
		p.Command = data.Name
		if p.Command == "ask" {
			p.Question = optionString(data.Options, "question")
		}
	}
	return p
}

// interaction rebuilds what the webhook calls need of the interaction.
func (p interactionClaim) interaction() *discordgo.Interaction {
	return &discordgo.Interaction{
		ID: p.ID, AppID: p.AppID, Token: p.Token, Type: discordgo.InteractionApplicationCommand,
		GuildID: p.GuildID, ChannelID: p.ChannelID, Locale: p.Locale,
	}
}

// claim is an event this replica handles. Its work may outlive the
// handler that claimed it (a queued answer): each holder releases it, and
// the last release finishes it. A nil claim is a no-op.
type claim struct {
	b      *Bot
	key    string
	stored bool // recorded in Deps.Claims, to be finished there
	refs   atomic.Int32
}

func (b *Bot) newClaim(key string, stored bool) *claim {
	c := &claim{b: b, key: key, stored: stored}
	c.refs.Store(1)
	return c
}

// hold keeps the claim open until a matching release.
func (c *claim) hold() {
	if c != nil {
		c.refs.Add(1)
	}
}

// release ends a hold; the last one finishes the claim.
func (c *claim) release() {
	if c != nil && c.refs.Add(-1) == 0 && c.stored {
		c.b.finish(c.key)
	}
}

// update records how far the work went, for a replica that takes it over.
func (c *claim) update(ctx context.Context, payload any) {
	if c == nil || !c.stored {
		return
	}
	p, _ := json.Marshal(payload) // the claims' types always marshal
	if err := c.b.deps.Claims.UpdateClaim(ctx, c.key, c.b.cfg.ReplicaID, p); err != nil {
		c.b.log.Warn("cannot record the progress of a claim", "key", c.key, "err", err)
	}
}

// claim claims the event key before any work on it and returns the claim,
// or nil when the event is not this replica's to handle: seen already by
// this process (a gateway replay), or claimed by another replica.
//
// When the database cannot record the claim within claimTimeout, the
// event is handled anyway, claimed in this process only: if another
// replica can still reach the database it may answer too, but a member
// answered twice is better off than one never answered, and with a single
// replica, or all of them cut off, this is the only answer (an apology, if
// the archive is down too).
func (b *Bot) claim(ctx context.Context, key, kind string, payload any) *claim {
	if !b.seen.first(key) {
		return nil
	}
	if b.deps.Claims == nil {
		return b.newClaim(key, false)
	}
	p, _ := json.Marshal(payload) // the claims' types always marshal
	ctx, cancel := context.WithTimeout(ctx, claimTimeout)
	defer cancel()
	won, err := b.deps.Claims.Claim(ctx, key, b.cfg.ReplicaID, kind, p)
	switch {
	case err != nil:
		b.metrics.errors.WithLabelValues("claims").Inc()
		b.log.Warn("cannot claim an event in the database: handling it anyway", "key", key, "err", err)
		// Finished like a stored claim: the insert may have gone through
		// after the timeout, and an open claim of this replica would be
		// answered again once it stops (FinishClaim ends only its own).
		return b.newClaim(key, true)
	case !won:
		b.log.Debug("event claimed by another replica", "key", key)
		return nil
	}
	return b.newClaim(key, true)
}

// finish marks a claim done, even during a shutdown; a failure is retried
// after the next heartbeat, as an open claim would be answered again by
// whoever takes it over once this replica stops.
func (b *Bot) finish(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.deps.Claims.FinishClaim(ctx, key, b.cfg.ReplicaID); err != nil {
		b.metrics.errors.WithLabelValues("claims").Inc()
		b.log.Warn("cannot finish a claim: retrying after the next heartbeat", "key", key, "err", err)
		b.unfinished.add(key)
	}
}

// keySet is a set of claim keys to finish again.
type keySet struct {
	mu   sync.Mutex
	keys []string
}

func (s *keySet) add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

func (s *keySet) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys
	s.keys = nil
	return k
}

// startKeeper runs keep until the returned function is called, which
// waits for it to end. Run stops it after the shutdown, so that the
// heartbeat covers the answers still in flight.
func (b *Bot) startKeeper() (stop func()) {
	if b.deps.Claims == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.keep(ctx)
	}()
	return func() {
		cancel()
		<-done
		for _, k := range b.unfinished.take() { // a last try: open, they would be answered again
			b.finish(k)
		}
	}
}

// keep beats the replica's heartbeat every Config.HeartbeatInterval until
// ctx ends. After each beat that succeeds it finishes the claims whose
// finish failed, takes over the open claims of replicas silent for
// Config.ReplicaTimeout (unless the bot is stopping), and now and then
// purges the claims finished long ago.
func (b *Bot) keep(ctx context.Context) {
	t := time.NewTicker(b.cfg.HeartbeatInterval)
	defer t.Stop()
	var purged time.Time
	failing := false
	for {
		beat, cancel := context.WithTimeout(ctx, b.cfg.HeartbeatInterval)
		err := b.deps.Claims.Heartbeat(beat, b.cfg.ReplicaID)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			b.metrics.errors.WithLabelValues("claims").Inc()
			b.log.Warn("heartbeat failed: other replicas take over this one's work if it lasts", "timeout", b.cfg.ReplicaTimeout, "err", err)
		case err == nil && failing:
			b.log.Info("heartbeat restored")
		}
		failing = err != nil
		if !failing {
			for _, k := range b.unfinished.take() {
				b.finish(k)
			}
			if !b.stopping.Load() {
				b.takeOver(ctx)
			}
			if time.Since(purged) >= claimsPurgeEvery {
				purged = time.Now()
				purge, cancel := context.WithTimeout(ctx, b.cfg.HeartbeatInterval)
				n, err := b.deps.Claims.PurgeClaims(purge, finishedClaimsKept)
				cancel()
				if err != nil {
					b.log.Warn("cannot purge old claims", "err", err)
				} else if n > 0 {
					b.log.Debug("purged old claims", "count", n)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// takeOver takes over, at most a worker's worth at a time, the open
// claims of dead replicas and resumes each.
func (b *Bot) takeOver(ctx context.Context) {
	if !b.admit() {
		return
	}
	defer b.inflight.Done()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.HeartbeatInterval) // shutdown waits for it
	defer cancel()
	cs, err := b.deps.Claims.TakeOver(ctx, b.cfg.ReplicaID, b.cfg.ReplicaTimeout, b.cfg.Workers)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("cannot take over the claims of dead replicas", "err", err)
		}
		return
	}
	for _, rc := range cs {
		b.inflight.Add(1)
		go b.resume(rc)
	}
}

// resume finishes the work of a claim taken over from a dead replica,
// through the handlers' own paths: a mention is answered where its
// placeholder is (or as a new mention is, if the dead replica posted
// none); an /ask is answered by editing the original response, and any
// other interaction is told that the bot restarted. A placeholder or an
// original response that shows an answer already is left as it is: the
// dead replica died between posting it and finishing the claim. Work that
// cannot be finished is reported lost; either way the claim is finished.
func (b *Bot) resume(rc replica.Claim) {
	defer b.inflight.Done()
	if b.stopping.Load() {
		// Left open: a live replica takes it over once this one stops beating.
		b.log.Info("stopping: leaving a taken-over claim to another replica", "key", rc.Key)
		return
	}
	ctx, cancel := context.WithTimeout(b.work, 30*time.Second)
	defer cancel()
	c := b.newClaim(rc.Key, true)
	defer c.release()
	b.log.Info("taking over the claim of a dead replica", "key", rc.Key, "kind", rc.Kind, "from", rc.From,
		"claimed_at", rc.ClaimedAt, "takeovers", rc.Takeovers)
	if rc.Takeovers >= maxTakeovers {
		b.lost(rc, "taken over too many times", nil)
		return
	}
	switch rc.Kind {
	case kindMention:
		var p mentionClaim
		if err := json.Unmarshal(rc.Payload, &p); err != nil {
			b.lost(rc, "unreadable payload", err)
			return
		}
		if p.Placeholder != "" {
			ph, err := b.s.ChannelMessage(p.AnswerChannel, p.Placeholder, discordgo.WithContext(ctx))
			if err == nil && rendered(ph) {
				b.answeredBefore(rc)
				return
			}
		}
		b.metrics.takeovers.WithLabelValues(rc.Kind, "resumed").Inc()
		history, _ := b.conversation(p.ChannelID)
		b.handleMention(ctx, c, p, history, "")
	case kindInteraction:
		var p interactionClaim
		if err := json.Unmarshal(rc.Payload, &p); err != nil {
			b.lost(rc, "unreadable payload", err)
			return
		}
		b.resumeInteraction(ctx, c, rc, p)
	default:
		b.lost(rc, "unknown kind", nil)
	}
}

// resumeInteraction finishes an interaction a dead replica acknowledged,
// while its token is valid.
func (b *Bot) resumeInteraction(ctx context.Context, c *claim, rc replica.Claim, p interactionClaim) {
	created, err := discordgo.SnowflakeTimestamp(p.ID)
	if err != nil || time.Since(created) > interactionTokenLife-time.Minute {
		b.lost(rc, "the interaction's token has expired", err)
		return
	}
	r := &request{b: b, i: p.interaction(), lang: localeLang(p.Locale), acked: true, claim: c}
	// Unacknowledged, the interaction failed in Discord already and has no
	// response to edit.
	original, err := b.s.InteractionResponse(r.i, discordgo.WithContext(ctx))
	if err != nil {
		b.lost(rc, "the interaction was never acknowledged", err)
		return
	}
	ask := p.Command == "ask" && p.Question != ""
	// Any text ends another command (a vote's thanks, /forget's
	// confirmation); an /ask's text may be its stream, cut short.
	if rendered(original) || (!ask && original.Content != "") {
		b.answeredBefore(rc)
		return
	}
	b.metrics.takeovers.WithLabelValues(rc.Kind, "resumed").Inc()
	defer b.recoverInteraction(ctx, r)
	if ask {
		b.askDeferred(ctx, r, p.Question, time.Now())
		return
	}
	// Other commands (an ingest, a vote) may have had their effect: they
	// are not run again.
	b.report(ctx, r.edit(ctx, message{Content: phrases.Text(r.lang, phrases.Stopping)}))
}

// rendered reports whether a placeholder or an original response shows
// an answer already: its sources or its buttons, which neither the
// placeholder, the place in line nor the streamed text have.
func rendered(m *discordgo.Message) bool {
	return len(m.Embeds) > 0 || len(m.Components) > 0
}

// answeredBefore reports a claim whose answer the dead replica posted
// before it could finish the claim: answering again would answer twice.
func (b *Bot) answeredBefore(rc replica.Claim) {
	b.metrics.takeovers.WithLabelValues(rc.Kind, "answered").Inc()
	b.log.Info("claim taken over: the dead replica had answered already", "key", rc.Key, "kind", rc.Kind, "from", rc.From)
}

// lost reports claimed work that no replica will finish.
func (b *Bot) lost(rc replica.Claim, why string, err error) {
	b.metrics.takeovers.WithLabelValues(rc.Kind, "lost").Inc()
	attrs := []any{"key", rc.Key, "kind", rc.Kind, "from", rc.From, "claimed_at", rc.ClaimedAt, "why", why}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	b.log.Warn("claimed work lost with its replica", attrs...)
}
