package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dalil-news/dalil/phrases"
)

// limiter holds a token bucket per member and per guild.
type limiter struct {
	mu     sync.Mutex
	user   rate.Limit
	ub     int
	guild  rate.Limit
	gb     int
	users  map[string]*bucket
	guilds map[string]*bucket
	now    func() time.Time
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
	r := refusal{wait: ru.DelayFrom(now)}
	var rg *rate.Reservation
	if guildID != "" {
		rg = l.take(l.guilds, guildID, l.guild, l.gb, now)
		if gw := rg.DelayFrom(now); gw > r.wait {
			r = refusal{wait: gw, guild: r.wait == 0}
		}
	}
	if r.wait > 0 {
		ru.CancelAt(now)
		if rg != nil {
			rg.CancelAt(now)
		}
		return false, r
	}
	return true, refusal{}
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
