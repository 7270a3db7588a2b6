package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dalil-news/dalil/phrases"
)

// RateLimits keeps the rate limits' token buckets in a database the
// replicas share, so that a member asking each replica in turn gets no
// more questions than from one; *postgres.Store is one.
type RateLimits interface {
	// TakeTokens takes a token from each of the buckets keys names, or
	// none when one of them holds less than one; waits[i] is then how
	// long until bucket i holds one. Bucket i starts full, with bursts[i]
	// tokens, and refills at perSecond[i] tokens a second.
	TakeTokens(ctx context.Context, keys []string, perSecond []float64, bursts []int) (waits []time.Duration, err error)
	// PurgeRateBuckets deletes the buckets untouched for idle.
	PurgeRateBuckets(ctx context.Context, idle time.Duration) (int64, error)
}

const (
	// sharedLimitTimeout bounds taking a question's tokens from the
	// database: an interaction must be acknowledged within 3 s.
	sharedLimitTimeout = time.Second
	// sharedLimitPause is how long a replica counts alone after the
	// database failed to give a question's tokens, so that an outage does
	// not cost every question the timeout.
	sharedLimitPause = 30 * time.Second
)

// allow lets a question from userID in guildID through the rate limits:
// the replicas' shared ones (Deps.RateLimits), or this replica's own when
// there are none or the database does not answer.
func (b *Bot) allow(ctx context.Context, userID, guildID string) (bool, refusal) {
	rl := b.deps.RateLimits
	if rl == nil || b.limiter.sharedPaused() {
		return b.limiter.allow(userID, guildID)
	}
	ok, no, err := b.limiter.shared(ctx, rl, userID, guildID)
	if err != nil {
		b.metrics.errors.WithLabelValues("rate_limits").Inc()
		b.log.Warn("shared rate limits unavailable: this replica counts alone for a while", "pause", sharedLimitPause, "err", err)
		return b.limiter.allow(userID, guildID)
	}
	return ok, no
}

// limiter holds a token bucket per member and per guild.
type limiter struct {
	mu sync.Mutex
	// sharedFailed is when the shared buckets last failed (see shared).
	sharedFailed time.Time
	user         rate.Limit
	ub           int
	guild        rate.Limit
	gb           int
	users        map[string]*bucket
	guilds       map[string]*bucket
	now          func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// maxBuckets bounds each map; idle buckets are dropped beyond it.
const maxBuckets = 10000

func newLimiter(cfg Config) *limiter {
	return &limiter{
		user:   rate.Limit(float64(cfg.UserPerMinute) / 60),
		ub:     cfg.UserBurst,
		guild:  rate.Limit(float64(cfg.GuildPerMinute) / 60),
		gb:     cfg.GuildBurst,
		users:  map[string]*bucket{},
		guilds: map[string]*bucket{},
		now:    time.Now,
	}
}

// refusal says why and for how long a question is refused; its zero value
// lets it through.
type refusal struct {
	wait time.Duration
	// guild is true when the member's own bucket had a token and the
	// guild's did not: the member may never have asked before.
	guild bool
}

// refusalOf is the refusal for the waits of the member's and the guild's
// buckets (0: a token was there): the longer one, marked the guild's when
// the member's bucket had a token.
func refusalOf(user, guild time.Duration) refusal {
	if guild > user {
		return refusal{wait: guild, guild: user == 0}
	}
	return refusal{wait: user}
}

// text is the refusal's message to the member in lang.
func (r refusal) text(lang string) string {
	key := phrases.RateLimited
	if r.guild {
		key = phrases.ServerRateLimited
	}
	return phrases.Text(lang, key, phrases.Seconds(lang, seconds(r.wait)))
}

// allow takes a token from the member's and the guild's buckets (guild ""
// for direct messages: only the member's). When either is empty it takes
// none and returns ok false with how long until one is available and
// whose bucket was empty.
func (l *limiter) allow(userID, guildID string) (bool, refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ru := l.take(l.users, userID, l.user, l.ub, now)
	var rg *rate.Reservation
	var gw time.Duration
	if guildID != "" {
		rg = l.take(l.guilds, guildID, l.guild, l.gb, now)
		gw = rg.DelayFrom(now)
	}
	if r := refusalOf(ru.DelayFrom(now), gw); r.wait > 0 {
		ru.CancelAt(now)
		if rg != nil {
			rg.CancelAt(now)
		}
		return false, r
	}
	return true, refusal{}
}

// shared takes the question's tokens from rl's buckets: the member's
// ("u:" and the ID) and the guild's ("g:", none for direct messages).
func (l *limiter) shared(ctx context.Context, rl RateLimits, userID, guildID string) (bool, refusal, error) {
	keys, rates, bursts := []string{"u:" + userID}, []float64{float64(l.user)}, []int{l.ub}
	if guildID != "" {
		keys, rates, bursts = append(keys, "g:"+guildID), append(rates, float64(l.guild)), append(bursts, l.gb)
	}
	ctx, cancel := context.WithTimeout(ctx, sharedLimitTimeout)
	defer cancel()
	waits, err := rl.TakeTokens(ctx, keys, rates, bursts)
	if err == nil && len(waits) != len(keys) {
		err = fmt.Errorf("take tokens: %d waits for %d buckets", len(waits), len(keys))
	}
	if err != nil {
		l.mu.Lock()
		l.sharedFailed = l.now()
		l.mu.Unlock()
		return false, refusal{}, err
	}
	var gw time.Duration
	if len(waits) > 1 {
		gw = waits[1]
	}
	r := refusalOf(waits[0], gw)
	return r.wait == 0, r, nil
}

// sharedPaused reports whether the shared buckets failed less than
// sharedLimitPause ago.
func (l *limiter) sharedPaused() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.sharedFailed.IsZero() && l.now().Sub(l.sharedFailed) < sharedLimitPause
}

// refillTime is how long an empty bucket, the member's or the guild's,
// takes to be full again: one idle that long is as good as none.
func (l *limiter) refillTime() time.Duration {
	secs := max(float64(l.ub)/float64(l.user), float64(l.gb)/float64(l.guild))
	return time.Duration(secs * float64(time.Second))
}

func (l *limiter) take(m map[string]*bucket, key string, r rate.Limit, burst int, now time.Time) *rate.Reservation {
	b, ok := m[key]
	if !ok {
		if len(m) >= maxBuckets {
			for k, old := range m {
				// A bucket idle long enough to be full again is the same as a new one.
				if now.Sub(old.used) > time.Duration(float64(burst)/float64(r)*float64(time.Second)) {
					delete(m, k)
				}
			}
		}
		b = &bucket{lim: rate.NewLimiter(r, burst)}
		m[key] = b
	}
	b.used = now
	return b.lim.ReserveN(now, 1)
}
