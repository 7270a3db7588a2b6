package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
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

// allow takes a token from the member's and the guild's buckets (guild ""
// for direct messages: only the member's). When either is empty it takes
// none and returns how long until one is available.
func (l *limiter) allow(userID, guildID string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ru := l.take(l.users, userID, l.user, l.ub, now)
	wait := ru.DelayFrom(now)
	var rg *rate.Reservation
	if guildID != "" {
		rg = l.take(l.guilds, guildID, l.guild, l.gb, now)
		wait = max(wait, rg.DelayFrom(now))
	}
	if wait > 0 {
		ru.CancelAt(now)
		if rg != nil {
			rg.CancelAt(now)
		}
		return false, wait
	}
	return true, 0
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
