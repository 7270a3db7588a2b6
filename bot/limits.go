package bot

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dalil-news/dalil/rag"
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

// errQueueFull is returned by pool.submit when every worker is busy and the
// queue is full; errStopping when the bot is shutting down.
var (
	errQueueFull = errors.New("the question queue is full")
	errStopping  = errors.New("the bot is shutting down")
)

// job is one queued question: run answers it; drop tells the member it
// was not answered because the bot is stopping.
type job struct {
	run  func(ctx context.Context)
	drop func()
}

// pool is a bounded set of workers with a FIFO queue.
type pool struct {
	workers int
	jobs    chan job
	mu      sync.Mutex
	closed  bool
	waiting int // queued, not started
	busy    int
	wg      sync.WaitGroup
	ran     chan struct{} // closed when run has started the workers
}

func newPool(workers, queue int) *pool {
	return &pool{workers: workers, jobs: make(chan job, queue), ran: make(chan struct{})}
}

// run starts the workers; they stop when close is called and the queue is
// drained (queued jobs are dropped once closed).
func (p *pool) run(ctx context.Context) {
	p.wg.Add(p.workers)
	for range p.workers {
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				p.mu.Lock()
				p.waiting--
				closed := p.closed
				if !closed {
					p.busy++
				}
				p.mu.Unlock()
				if closed {
					j.drop()
					continue
				}
				j.run(ctx)
				p.mu.Lock()
				p.busy--
				p.mu.Unlock()
			}
		}()
	}
	close(p.ran)
}

// submit queues j and returns its place in line: 0 when a worker is free,
// 1 when it is next, and so on.
func (p *pool) submit(j job) (place int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errStopping
	}
	place = max(0, p.waiting+p.busy-p.workers+1)
	select {
	case p.jobs <- j:
		p.waiting++
		return place, nil
	default:
		return 0, errQueueFull
	}
}

// close stops taking jobs; jobs still queued are dropped.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
}

// wait waits for the workers to finish after close.
func (p *pool) wait() {
	select {
	case <-p.ran:
		p.wg.Wait()
	default:
		// run never started: drop what was queued.
		for j := range p.jobs {
			j.drop()
		}
	}
}

// seenSet remembers IDs (interactions, messages) for a while so that an
// event delivered twice, as after a gateway resume, is handled once.
type seenSet struct {
	mu  sync.Mutex
	ttl time.Duration
	at  map[string]time.Time
	now func() time.Time
}

func newSeenSet(ttl time.Duration) *seenSet {
	return &seenSet{ttl: ttl, at: map[string]time.Time{}, now: time.Now}
}

// first records id and reports whether it was not seen within the TTL.
func (s *seenSet) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if t, ok := s.at[id]; ok && now.Sub(t) < s.ttl {
		return false
	}
	if len(s.at) > 10000 {
		for k, t := range s.at {
			if now.Sub(t) >= s.ttl {
				delete(s.at, k)
			}
		}
	}
	s.at[id] = now
	return true
}

// lru is a bounded map that evicts the least recently used entry.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *lruEntry[V], most recent first
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).val, true
}

func (c *lru[V]) put(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry[V]).val = val
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry[V]{key, val})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry[V]).key)
	}
}

// conversations remembers the last turns of each thread the bot answers in.
type conversations struct {
	turns int
	c     *lru[[]rag.Message]
}

func newConversations(max, turns int) *conversations {
	return &conversations{turns: turns, c: newLRU[[]rag.Message](max)}
}

// history returns the turns of a conversation and whether it exists.
func (c *conversations) history(channelID string) ([]rag.Message, bool) {
	h, ok := c.c.get(channelID)
	return append([]rag.Message(nil), h...), ok
}

// start makes channelID a conversation (with no turns yet).
func (c *conversations) start(channelID string) {
	if _, ok := c.c.get(channelID); !ok {
		c.c.put(channelID, nil)
	}
}

// add appends a question and its answer, keeping the last turns.
func (c *conversations) add(channelID, question, answer string) {
	h, _ := c.c.get(channelID)
	h = append(append([]rag.Message(nil), h...),
		rag.Message{Role: rag.RoleUser, Content: question},
		rag.Message{Role: rag.RoleAssistant, Content: answer})
	if len(h) > c.turns {
		h = h[len(h)-c.turns:]
	}
	c.c.put(channelID, h)
}

// answerRecord is what a vote is stored with.
type answerRecord struct {
	question  string
	answer    string
	citations []rag.Citation
}

// answerCache keeps recent answers by the reference their vote buttons carry.
type answerCache = lru[answerRecord]

func newAnswerCache(max int) *answerCache { return newLRU[answerRecord](max) }
