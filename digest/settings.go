package digest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dalil-news/dalil/rag"
)

// Languages are the languages a channel's digest may be set to; "" leaves
// the headings in English and the opening in the stories' language.
var Languages = []string{"fr", "en", "ar"}

// Set changes one of c's settings, named as the flags of 'dalil digest
// set': "time" or "cron" (Schedule), "tz" (TimeZone), "lang", "feeds"
// (comma-separated feed ids), "publishers" (comma-separated), "empty-note"
// and "disable" (true or false). The other settings keep their values, so
// that changing one setting never resets another. It fails on an unknown
// name or a value of the wrong form; Validate checks the whole channel.
func (c *Channel) Set(name, value string) error {
	value = strings.TrimSpace(value)
	var err error
	switch name {
	case "time", "cron":
		c.Schedule = value
		_, err = CronSpec(value)
	case "tz":
		c.TimeZone = value
	case "lang":
		c.Lang = value
	case "feeds":
		c.FeedIDs = []int64{}
		for _, f := range splitList(value) {
			id, perr := strconv.ParseInt(f, 10, 64)
			if perr != nil || id <= 0 {
				return fmt.Errorf("feeds: %q is not a feed id (see 'dalil feeds list')", f)
			}
			c.FeedIDs = append(c.FeedIDs, id)
		}
	case "publishers":
		c.Publishers = splitList(value)
	case "empty-note", "disable":
		b, perr := strconv.ParseBool(value)
		if perr != nil {
			return fmt.Errorf("%s: want true or false, not %q", name, value)
		}
		if name == "disable" {
			c.Enabled = !b
		} else {
			c.EmptyNote = b
		}
	default:
		return fmt.Errorf("%q is not a digest setting", name)
	}
	return err
}

// Validate checks c's channel id (a Discord snowflake: digits), language
// (one of Languages, or none) and time zone. The schedule needs the
// scheduler's parser (Scheduler.ChannelSchedule); the feeds, the store.
func (c Channel) Validate() error {
	if _, err := strconv.ParseUint(c.ChannelID, 10, 64); err != nil {
		return fmt.Errorf("channel %q: want a Discord channel id, digits such as 123456789012345678", c.ChannelID)
	}
	if c.Lang != "" && !slices.Contains(Languages, c.Lang) {
		return fmt.Errorf("channel %s: language %q: want one of %s, or none", c.ChannelID, c.Lang, strings.Join(Languages, ", "))
	}
	_, err := c.Location()
	return err
}

// splitList splits a comma-separated list, trimmed, without empty items.
func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Configure changes the settings of channelID's digest named in settings
// (see Channel.Set; the others keep their stored values, a new channel
// starts enabled with the defaults), checks them all and stores them. The
// store refuses feed ids that name no feed.
func (s *Scheduler) Configure(ctx context.Context, channelID string, settings map[string]string) (Channel, error) {
	ch, err := s.store.DigestChannel(ctx, channelID)
	if errors.Is(err, rag.ErrNotFound) {
		ch, err = Channel{ChannelID: channelID, Schedule: DefaultSchedule, TimeZone: DefaultTimeZone, Enabled: true}, nil
	}
	for name, v := range settings {
		if err == nil {
			err = ch.Set(name, v)
		}
	}
	if err == nil {
		err = ch.Validate()
	}
	if err == nil {
		_, _, err = s.ChannelSchedule(ch)
	}
	if err != nil {
		return Channel{}, err
	}
	return s.store.SetDigestChannel(ctx, ch)
}

// WriteChannels prints every configured channel's settings and its last
// digest (its time and status), one row a channel, as 'dalil digest list'
// does.
func WriteChannels(ctx context.Context, w io.Writer, store Store) error {
	chans, err := store.DigestChannels(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tSCHEDULE\tTIME ZONE\tLANG\tFEEDS\tPUBLISHERS\tEMPTY NOTE\tENABLED\tLAST DIGEST")
	for _, c := range chans {
		loc, err := c.Location()
		if err != nil {
			return err
		}
		last := "-"
		if rec, ok, err := store.LastDigest(ctx, c.ChannelID); err != nil {
			return err
		} else if ok {
			last = fmt.Sprintf("%s %s", FormatTime(rec.Period, loc), rec.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%q\t%v\t%q\t%v\t%v\t%s\n", c.ChannelID, c.Schedule, c.TimeZone, c.Lang,
			c.FeedIDs, c.Publishers, c.EmptyNote, c.Enabled, last)
	}
	return tw.Flush()
}
