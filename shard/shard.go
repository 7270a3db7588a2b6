// Package shard decides which gateway shard a `dalil serve` replica runs,
// so that each guild's events reach one replica.
//
// Discord splits a bot's guilds into shards by (guild_id >> 22) % count; a
// gateway session that identifies as shard [id, count] receives the events
// of its guilds only, and guild-less events and DMs reach shard 0. The
// Runner sets a discordgo Session's ShardID and ShardCount before the bot
// opens it, in one of three modes (Config):
//
//   - unsharded (the default, one replica): today's single session, which
//     receives every event;
//   - fixed: the operator gives each replica its id and the count;
//   - automatic: the replica asks Discord (GET /gateway/bot) for the
//     recommended shard count and the identify concurrency, then claims a
//     free shard id through a Store (PostgreSQL: a lease table with an
//     expiry, renewed by a heartbeat and released on shutdown). When every
//     shard is leased, the replica waits as a standby and claims the first
//     shard whose lease expires: a replica that dies is replaced within a
//     lease's lifetime. Replicas adopt the count of the leases still live,
//     so that a fleet never mixes two counts; a new recommended count takes
//     effect once every lease has ended (restart all replicas).
//
// Discord lets a bot identify max_concurrency sessions per 5 seconds, in
// buckets keyed by shard_id % max_concurrency. Sharded replicas identify
// while holding their bucket's lock (Store.LockIdentify, a PostgreSQL
// advisory lock) until 5 seconds after the session is connected, so that
// replicas starting at once queue instead of being refused. discordgo's own
// reconnections identify without that lock when they cannot resume; they
// are rare and spread out by its backoff.
//
// A replica that cannot renew its lease before it expires closes its
// gateway at once and stops its bot (Run returns an error): another
// replica may own the shard by then, and two sessions on one shard would
// receive its events twice. A supervisor (systemd, the container runtime)
// restarts it, and it claims a shard afresh.
package shard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Lease is a shard this replica holds: its id among Count shards.
type Lease struct {
	ID    int
	Count int
}

// Store keeps the shard leases and the identify locks shared by the
// replicas; *postgres.Store is one. Every method fails only when the store
// cannot be reached, with an error saying what was being done.
type Store interface {
	// ClaimShard atomically leases to owner, until ttl from now, the
	// lowest shard id that no live lease holds, and returns it. The count
	// is that of the live leases when there are any, else count. ok is
	// false when every shard is leased.
	ClaimShard(ctx context.Context, owner string, count int, ttl time.Duration) (l Lease, ok bool, err error)
	// RenewShard extends owner's lease on shard id to ttl from now; held
	// is false when owner no longer holds it.
	RenewShard(ctx context.Context, owner string, id int, ttl time.Duration) (held bool, err error)
	// ReleaseShard ends owner's lease on shard id; it does nothing when
	// owner holds none.
	ReleaseShard(ctx context.Context, owner string, id int) error
	// LockIdentify waits, until ctx ends, for the lock of an identify
	// bucket, which replicas share, and returns its release.
	LockIdentify(ctx context.Context, bucket int) (release func(), err error)
}

// Config chooses the mode. The zero Config runs unsharded.
type Config struct {
	// Auto claims a shard through the Store, with the count Discord
	// recommends; ID and Count must then be zero.
	Auto bool
	// ID and Count fix the shard (0 <= ID < Count); Count 0 is unsharded.
	ID    int
	Count int
	// Owner names this replica in the leases (default: host name, process
	// id and a random suffix).
	Owner string
	// LeaseTTL is how long a lease lives without renewal (default 30s);
	// it is renewed every third of it.
	LeaseTTL time.Duration
	// Retry is the wait between two claims while every shard is leased
	// (default LeaseTTL/2).
	Retry time.Duration
	// IdentifyWindow is how long a bucket's lock is held after the
	// session connected (default 5s, Discord's).
	IdentifyWindow time.Duration
}

// Check validates the mode: a clear error for a bad id or count.
func (c Config) Check() error {
	switch {
	case c.Auto && (c.ID != 0 || c.Count != 0):
		return errors.New("shard: automatic sharding chooses the shard id and count itself; set neither")
	case c.Count < 0 || c.ID < 0:
		return fmt.Errorf("shard: id %d and count %d must not be negative", c.ID, c.Count)
	case c.Count > 0 && c.ID >= c.Count:
		return fmt.Errorf("shard: id %d is not below the count %d (ids run from 0 to count-1)", c.ID, c.Count)
	case c.Count == 0 && c.ID != 0:
		return fmt.Errorf("shard: id %d without a count", c.ID)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.Retry <= 0 {
		c.Retry = c.LeaseTTL / 2
	}
	if c.IdentifyWindow <= 0 {
		c.IdentifyWindow = 5 * time.Second
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		c.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return c
}

// Runner runs a bot on this replica's shard. Create it with New.
type Runner struct {
	session *discordgo.Session
	store   Store
	log     *slog.Logger
	cfg     Config
}

// New returns a Runner for session, which must not be open yet. store may
// be nil when cfg is not automatic (then fixed shards identify without
// the shared lock); log may be nil.
func New(session *discordgo.Session, store Store, log *slog.Logger, cfg Config) (*Runner, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.Auto && store == nil {
		return nil, errors.New("shard: automatic sharding needs a store")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{session: session, store: store, log: log, cfg: cfg.withDefaults()}, nil
}

// Run runs run, which opens the session and serves until its context ends
// (bot.Run), on this replica's shard, and returns its error. Unsharded, it
// only calls run. Fixed, it sets the session's shard first. Automatic, it
// first claims a shard, waiting while every shard is leased, keeps the
// lease renewed while run runs and releases it after run returned: its
// error wraps ErrLeaseLost when the lease could not be renewed in time (run
// is stopped then, and the gateway closed at once, so that the replica
// that takes the shard over is the only one receiving its events). Sharded
// sessions identify holding their bucket's lock.
func (r *Runner) Run(ctx context.Context, run func(context.Context) error) error {
	switch {
	case r.cfg.Auto:
		return r.runAuto(ctx, run)
	case r.cfg.Count > 0:
		r.setShard(Lease{ID: r.cfg.ID, Count: r.cfg.Count})
		r.log.Info("running a fixed gateway shard", "shard", r.cfg.ID, "shards", r.cfg.Count)
		if r.store == nil {
			return run(ctx)
		}
		// Without GET /gateway/bot's max_concurrency, one bucket: always safe.
		return r.identifyThenRun(ctx, 0, run)
	default:
		return run(ctx)
	}
}

// ErrLeaseLost is wrapped by Run's error when the replica could not renew
// its shard's lease before it expired.
var ErrLeaseLost = errors.New("shard lease lost")

func (r *Runner) setShard(l Lease) {
	r.session.Lock()
	r.session.ShardID, r.session.ShardCount = l.ID, l.Count
	r.session.Unlock()
}

func (r *Runner) runAuto(ctx context.Context, run func(context.Context) error) error {
	gb, err := r.session.GatewayBot()
	if err != nil {
		return fmt.Errorf("shard: ask Discord for the recommended shard count (GET /gateway/bot): %w", err)
	}
	count, concurrency := max(gb.Shards, 1), max(gb.SessionStartLimit.MaxConcurrency, 1)
	l, err := r.claim(ctx, count)
	if err != nil || ctx.Err() != nil {
		return err // nil when ctx ended while waiting: nothing ran
	}
	r.setShard(l)
	r.log.Info("claimed a gateway shard", "shard", l.ID, "shards", l.Count, "recommended", count,
		"max_concurrency", concurrency, "owner", r.cfg.Owner)

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// Renew until run has returned, not until ctx ends: the bot drains
	// for up to SHUTDOWN_TIMEOUT with the gateway open.
	keepCtx, stopKeep := context.WithCancel(context.WithoutCancel(ctx))
	defer stopKeep()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		if err := r.keep(keepCtx, l); err != nil {
			r.log.Error("lost the shard lease: closing the gateway and stopping", "shard", l.ID, "err", err)
			r.closeGateway()
			stop(err)
		}
	}()
	runErr := r.identifyThenRun(runCtx, l.ID%concurrency, run)
	stopKeep()
	<-renewed
	if cause := context.Cause(runCtx); errors.Is(cause, ErrLeaseLost) {
		runErr = errors.Join(cause, runErr)
	}
	r.release(ctx, l)
	return runErr
}

// release gives the lease up, even once ctx has ended.
func (r *Runner) release(ctx context.Context, l Lease) {
	release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.store.ReleaseShard(release, r.cfg.Owner, l.ID); err != nil {
		r.log.Warn("could not release the shard lease; it expires by itself", "shard", l.ID, "ttl", r.cfg.LeaseTTL, "err", err)
	} else {
		r.log.Info("released the gateway shard", "shard", l.ID)
	}
}

// closeGateway closes the session without letting discordgo reconnect;
// the bot's own shutdown closes it again, harmlessly. discordgo reads
// ShouldReconnectOnError without the lock: it is written only when set.
func (r *Runner) closeGateway() {
	r.session.Lock()
	if r.session.ShouldReconnectOnError {
		r.session.ShouldReconnectOnError = false
	}
	r.session.Unlock()
	if err := r.session.Close(); err != nil {
		r.log.Warn("close the gateway", "err", err)
	}
}

// claim claims a shard, retrying every Config.Retry while all are leased,
// until ctx ends (then it returns a zero Lease and no error).
func (r *Runner) claim(ctx context.Context, count int) (Lease, error) {
	for waits := 0; ; waits++ {
		l, ok, err := r.store.ClaimShard(ctx, r.cfg.Owner, count, r.cfg.LeaseTTL)
		if ctx.Err() != nil {
			if ok && err == nil { // claimed as ctx ended: free it now, not at its expiry
				r.release(ctx, l)
			}
			return Lease{}, nil
		}
		if err != nil {
			return Lease{}, fmt.Errorf("shard: claim a shard: %w", err)
		}
		if ok {
			return l, nil
		}
		msg := "every gateway shard is leased by another replica: waiting as a standby for one to be released or to expire"
		if waits == 0 {
			r.log.Warn(msg, "shards", count, "retry", r.cfg.Retry)
		} else {
			r.log.Debug(msg, "shards", count, "retry", r.cfg.Retry)
		}
		select {
		case <-ctx.Done():
			return Lease{}, nil
		case <-time.After(r.cfg.Retry):
		}
	}
}

// keep renews the lease every third of its lifetime until ctx ends; it
// returns an error wrapping ErrLeaseLost when another replica took the
// lease or when the lease ran out without a successful renewal.
func (r *Runner) keep(ctx context.Context, l Lease) error {
	every := r.cfg.LeaseTTL / 3
	deadline := time.Now().Add(r.cfg.LeaseTTL - every/2)
	t := time.NewTicker(every)
	defer t.Stop()
	lastErr := errors.New("no renewal answered in time")
	for {
		expiry := time.NewTimer(time.Until(deadline))
		select {
		case <-ctx.Done():
			expiry.Stop()
			return nil
		case <-expiry.C:
			return fmt.Errorf("%w: shard %d could not be renewed before it expired: %w", ErrLeaseLost, l.ID, lastErr)
		case <-t.C:
		}
		expiry.Stop()
		start := time.Now()
		renew, cancel := context.WithDeadline(ctx, deadline)
		held, err := r.store.RenewShard(renew, r.cfg.Owner, l.ID, r.cfg.LeaseTTL)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil && !held:
			return fmt.Errorf("%w: shard %d is leased by another replica now", ErrLeaseLost, l.ID)
		case err == nil:
			deadline = start.Add(r.cfg.LeaseTTL - every/2)
		case !time.Now().Before(deadline):
			return fmt.Errorf("%w: shard %d could not be renewed before it expired: %w", ErrLeaseLost, l.ID, err)
		default:
			lastErr = err
			r.log.Warn("could not renew the shard lease; retrying", "shard", l.ID, "expires_in", time.Until(deadline).Round(time.Second), "err", err)
		}
	}
}

// identifyThenRun starts run holding the identify lock of bucket, and
// releases the lock IdentifyWindow after the session connected (or after
// run returned, if it did first).
func (r *Runner) identifyThenRun(ctx context.Context, bucket int, run func(context.Context) error) error {
	release, err := r.store.LockIdentify(ctx, bucket)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting: nothing ran
		}
		return fmt.Errorf("shard: take the identify lock of bucket %d: %w", bucket, err)
	}
	connected := make(chan struct{})
	var once sync.Once
	remove := r.session.AddHandlerOnce(func(*discordgo.Session, *discordgo.Connect) { once.Do(func() { close(connected) }) })
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	var runErr error
	finished := false
	select {
	case <-connected:
	case runErr = <-done:
		finished = true
	}
	remove()
	select {
	case <-time.After(r.cfg.IdentifyWindow):
	case <-ctx.Done():
	}
	release()
	if finished {
		return runErr
	}
	return <-done
}
