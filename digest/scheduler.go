package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// SchedulerConfig tunes a Scheduler. Zero fields take the defaults noted,
// except ParseSchedule, which is required.
type SchedulerConfig struct {
	// ParseSchedule parses a five-field cron expression or descriptor (as
	// CronSpec returns) into a Schedule: cron.ParseStandard from
	// github.com/robfig/cron/v3.
	ParseSchedule func(spec string) (Schedule, error)
	// Now returns the current time (default time.Now); tests inject a clock.
	Now func() time.Time
	// Tick is how often Run checks for due digests (default 30s).
	Tick time.Duration
	// Grace is how late a missed digest may still be posted (default 3h);
	// a later one is recorded as skipped and its articles go to the next.
	Grace time.Duration
	// MaxAttempts bounds the posts of one period that failed without
	// creating a message (default 3).
	MaxAttempts int
	// MaxAge leaves out articles published longer than this before the
	// digest (default 72h; undated articles are kept), so that importing
	// an archive does not flood the next digest; Digest.TooOld counts them.
	// dalil sets it from DIGEST_MAX_AGE.
	MaxAge time.Duration
	// MaxArticles bounds the articles read for one digest (default 500).
	MaxArticles int
	// MaxStories caps the stories of a digest (default 12).
	MaxStories int
}

// Scheduler posts each channel's digest once per scheduled period, even
// with several replicas or after a crash: a per-channel advisory lock, a
// pending record written before posting, the posted record (with message
// ids) written after, and reconciliation of pending records at start.
type Scheduler struct {
	comp   *Composer
	store  Store
	poster Poster
	log    *slog.Logger
	cfg    SchedulerConfig
}

// NewScheduler returns a Scheduler that composes digests with comp from
// the articles in store and posts them through poster, which may be nil
// for previews only. It fails when cfg.ParseSchedule is nil.
func NewScheduler(comp *Composer, store Store, poster Poster, log *slog.Logger, cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.ParseSchedule == nil {
		return nil, errors.New("digest scheduler: ParseSchedule is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 30 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 3 * time.Hour
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 72 * time.Hour
	}
	if cfg.MaxArticles <= 0 {
		cfg.MaxArticles = 500
	}
	if cfg.MaxStories <= 0 {
		cfg.MaxStories = 12
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{comp: comp, store: store, poster: poster, log: log, cfg: cfg}, nil
}

// Run reconciles pending digests, then posts due digests every Tick until
// ctx is cancelled; it returns nil then. Errors of one round are logged
// and the next round goes on.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.poster == nil {
		return errors.New("digest scheduler: no poster to post with")
	}
	if err := s.Reconcile(ctx); err != nil {
		s.log.Error("reconcile pending digests", "err", err)
	}
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("post due digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ChannelSchedule parses a channel's schedule in its time zone.
func (s *Scheduler) ChannelSchedule(ch Channel) (Schedule, *time.Location, error) {
	loc, err := ch.Location()
	if err != nil {
		return nil, nil, err
	}
	spec, err := CronSpec(ch.Schedule)
	if err != nil {
		return nil, nil, fmt.Errorf("channel %s: %w", ch.ChannelID, err)
	}
	sched, err := s.cfg.ParseSchedule(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("channel %s: schedule %q: %w", ch.ChannelID, ch.Schedule, err)
	}
	return sched, loc, nil
}

// RunDue posts, for every enabled channel, the digest of its latest due
// period if that period has no record yet (or a retryable failure): within
// Grace of its time, else it is recorded as skipped and logged. The first
// error is returned after every channel was tried.
func (s *Scheduler) RunDue(ctx context.Context) error {
	chans, err := s.store.DigestChannels(ctx)
	if err != nil {
		return fmt.Errorf("digest channels: %w", err)
	}
	var first error
	for _, ch := range chans {
		if !ch.Enabled {
			continue
		}
		if err := s.runChannel(ctx, ch); err != nil {
			if first == nil {
				first = err
			}
			s.log.Error("digest", "channel", ch.ChannelID, "err", err)
		}
	}
	return first
}

// runChannel handles one channel's latest due period.
func (s *Scheduler) runChannel(ctx context.Context, ch Channel) error {
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	last, hasLast, err := s.store.LastDigest(ctx, ch.ChannelID)
	if err != nil {
		return err
	}
	after := ch.CreatedAt
	if hasLast && last.Period.After(after) {
		after = last.Period
	}
	due, ok := LatestDue(sched, loc, after, now)
	if !ok {
		return nil
	}
	// Cheap check before locking; repeated under the lock.
	if rec, ok, err := s.store.DigestRecord(ctx, ch.ChannelID, due); err != nil {
		return err
	} else if ok && !s.retryable(rec) {
		return nil
	}
	release, locked, err := s.store.LockDigest(ctx, ch.ChannelID)
	if err != nil {
		return err
	}
	if !locked {
		return nil // another replica is on it
	}
	defer release()
	rec, exists, err := s.store.DigestRecord(ctx, ch.ChannelID, due)
	if err != nil {
		return err
	}
	if exists && !s.retryable(rec) {
		return nil
	}
	if late := now.Sub(due); late > s.cfg.Grace {
		s.log.Warn("digest missed beyond the grace window: skipped, its articles go to the next digest",
			"channel", ch.ChannelID, "period", due, "late", late.Round(time.Second), "grace", s.cfg.Grace)
		err := s.store.BeginDigest(ctx, Record{ChannelID: ch.ChannelID, Period: due, Status: Skipped,
			Note: fmt.Sprintf("missed by %s (grace %s)", late.Round(time.Second), s.cfg.Grace)})
		if errors.Is(err, ErrExists) {
			return nil
		}
		return err
	}
	_, err = s.post(ctx, ch, loc, due, s.since(sched, loc, last, hasLast, due))
	return err
}

// retryable says whether a record's period may be posted again.
func (s *Scheduler) retryable(rec Record) bool {
	return rec.Status == Failed && rec.Attempts < s.cfg.MaxAttempts
}

// since is where a digest for due starts: the end of the channel's last
// digest, else one period before due.
func (s *Scheduler) since(sched Schedule, loc *time.Location, last Record, hasLast bool, due time.Time) time.Time {
	if hasLast && last.Until.Before(due) {
		return last.Until
	}
	return previousDue(sched, loc, due)
}

// compose builds the digest of ch's articles ingested in (since, until].
func (s *Scheduler) compose(ctx context.Context, ch Channel, loc *time.Location, since, until time.Time) (Digest, error) {
	q := Query{
		Since: since, Until: until, PublishedAfter: until.Add(-s.cfg.MaxAge),
		FeedIDs: ch.FeedIDs, Publishers: ch.Publishers, Limit: s.cfg.MaxArticles,
	}
	arts, err := s.store.DigestArticles(ctx, q)
	if err != nil {
		return Digest{}, fmt.Errorf("articles for channel %s: %w", ch.ChannelID, err)
	}
	tooOld, err := s.store.CountPublishedBefore(ctx, q)
	if err != nil {
		return Digest{}, fmt.Errorf("articles for channel %s: %w", ch.ChannelID, err)
	}
	d, err := s.comp.Compose(ctx, arts, Options{
		Lang: ch.Lang, Day: until.In(loc), MaxStories: s.cfg.MaxStories, EmptyNote: ch.EmptyNote,
	})
	if err != nil {
		return Digest{}, fmt.Errorf("digest for channel %s: %w", ch.ChannelID, err)
	}
	d.ChannelID, d.Period, d.Since, d.Until, d.TooOld = ch.ChannelID, until, since, until, tooOld
	return d, nil
}

// post composes and posts ch's digest for period, exactly once: the caller
// holds the channel's lock. A pending record (with the parts) is written
// first; the posted record with the message ids after.
func (s *Scheduler) post(ctx context.Context, ch Channel, loc *time.Location, period, since time.Time) (Digest, error) {
	d, err := s.compose(ctx, ch, loc, since, period)
	if err != nil {
		return Digest{}, err
	}
	var parts []string
	if len(d.Stories) > 0 || d.EmptyNote {
		parts = s.poster.Render(d)
	}
	rec := Record{ChannelID: ch.ChannelID, Period: period, Since: since, Until: period, Parts: parts}
	if len(parts) == 0 {
		rec.Status = Empty
		if err := s.store.BeginDigest(ctx, rec); err != nil && !errors.Is(err, ErrExists) {
			return Digest{}, err
		}
		s.log.Info("digest: nothing new, nothing posted", "channel", ch.ChannelID, "period", period)
		return d, nil
	}
	rec.Status = Pending
	if err := s.store.BeginDigest(ctx, rec); err != nil {
		return Digest{}, fmt.Errorf("record pending digest for channel %s: %w", ch.ChannelID, err)
	}
	ids, postErr := s.poster.Post(ctx, ch.ChannelID, parts)
	rec.MessageIDs = ids
	switch {
	case postErr == nil:
		rec.Status = Posted
	case len(ids) > 0:
		rec.Status, rec.Note = Posted, fmt.Sprintf("posted %d of %d messages: %v", len(ids), len(parts), postErr)
	default:
		rec.Status, rec.Note = Failed, postErr.Error()
	}
	// Record even when ctx was cancelled during the post: the messages
	// exist and must not be posted again.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.FinishDigest(fctx, rec); err != nil {
		return d, fmt.Errorf("record posted digest for channel %s (messages %v): %w", ch.ChannelID, ids, err)
	}
	if postErr != nil {
		return d, fmt.Errorf("post digest to channel %s: %w", ch.ChannelID, postErr)
	}
	s.log.Info("digest posted", "channel", ch.ChannelID, "period", period, "stories", len(d.Stories), "messages", len(ids))
	return d, nil
}

// Reconcile settles the pending records left by a crash between posting
// and recording. With a Reconciler poster, a digest found in the
// channel is marked posted and one surely absent failed (so it is retried
// within the grace window); otherwise the record becomes unknown and is
// never posted again: a missed digest is better than a double one.
// Channels locked by another process are left alone.
func (s *Scheduler) Reconcile(ctx context.Context) error {
	pend, err := s.store.PendingDigests(ctx)
	if err != nil {
		return fmt.Errorf("pending digests: %w", err)
	}
	rc, canCheck := s.poster.(Reconciler)
	for _, rec := range pend {
		if err := s.reconcile(ctx, rec, rc, canCheck); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scheduler) reconcile(ctx context.Context, rec Record, rc Reconciler, canCheck bool) error {
	release, locked, err := s.store.LockDigest(ctx, rec.ChannelID)
	if err != nil {
		return err
	}
	if !locked {
		return nil
	}
	defer release()
	cur, ok, err := s.store.DigestRecord(ctx, rec.ChannelID, rec.Period)
	if err != nil || !ok || cur.Status != Pending {
		return err
	}
	if !canCheck {
		cur.Status, cur.Note = Unknown, "found pending at start: it may have been posted, so it is not posted again"
		s.log.Warn("digest found pending at start and not reposted", "channel", rec.ChannelID, "period", rec.Period)
		return s.store.FinishDigest(ctx, cur)
	}
	ids, found, err := rc.FindPosted(ctx, cur)
	if err != nil {
		s.log.Warn("digest pending: cannot check the channel; left pending", "channel", rec.ChannelID, "period", rec.Period, "err", err)
		return nil
	}
	if found {
		cur.Status, cur.MessageIDs, cur.Note = Posted, ids, "reconciled at start: found in the channel"
	} else {
		cur.Status, cur.Note = Failed, "reconciled at start: not found in the channel"
	}
	s.log.Info("digest reconciled", "channel", rec.ChannelID, "period", rec.Period, "status", cur.Status)
	return s.store.FinishDigest(ctx, cur)
}

// PostNow posts ch's digest of everything since its last digest, now (for
// /digest now), recorded like a scheduled one so that the next scheduled
// digest starts after it, and returns it (a digest with nothing to post
// when there was nothing new). It fails when another process is posting
// for the channel.
func (s *Scheduler) PostNow(ctx context.Context, channelID string) (Digest, error) {
	if s.poster == nil {
		return Digest{}, errors.New("digest now: no poster to post with")
	}
	ch, err := s.store.DigestChannel(ctx, channelID)
	if err != nil {
		return Digest{}, err
	}
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return Digest{}, err
	}
	release, locked, err := s.store.LockDigest(ctx, ch.ChannelID)
	if err != nil {
		return Digest{}, err
	}
	if !locked {
		return Digest{}, fmt.Errorf("digest now: a digest for channel %s is being posted right now", ch.ChannelID)
	}
	defer release()
	now := s.cfg.Now().Truncate(time.Microsecond)
	last, hasLast, err := s.store.LastDigest(ctx, ch.ChannelID)
	if err != nil {
		return Digest{}, err
	}
	return s.post(ctx, ch, loc, now, s.since(sched, loc, last, hasLast, now))
}

// Preview composes, without posting or recording, the digest ch would get
// now: the articles since its last digest. ch need not be stored (a dry
// run with default settings).
func (s *Scheduler) Preview(ctx context.Context, ch Channel) (Digest, error) {
	sched, loc, err := s.ChannelSchedule(ch)
	if err != nil {
		return Digest{}, err
	}
	now := s.cfg.Now().Truncate(time.Microsecond)
	last, hasLast := Record{}, false
	if ch.ChannelID != "" {
		if last, hasLast, err = s.store.LastDigest(ctx, ch.ChannelID); err != nil {
			return Digest{}, err
		}
	}
	return s.compose(ctx, ch, loc, s.since(sched, loc, last, hasLast, now), now)
}
