package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"unicode/utf8"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/internal/cliflags"
)

const digestSynopsis = `--dry-run [--channel ID] | set CHANNEL [flags] | list

--dry-run prints exactly the messages the channel's digest would post now
(the articles since its last digest), or, without --channel, a digest with
the default settings. Posting needs Discord: 'dalil serve' posts each
channel's digest on its schedule.
'set' configures a channel, changing only the settings given: --time 08:00
or --cron "0 8 * * 1-5", --tz, --lang, --feeds 1,2, --publishers "Le Monde,BBC",
--empty-note, --disable (--disable=false enables). Times are labelled with
their zone; articles published more than DIGEST_MAX_AGE before a digest are
left out (the dry run says how many).`

func cmdDigest(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "digest", digestSynopsis)
	dry := fs.Bool("dry-run", false, "print what would be posted, post nothing")
	channel := fs.String("channel", "", "Discord channel id (dry run)")
	fs.String("time", "", "time of day of the digest, e.g. 08:00 (set; default 08:00)")
	fs.String("cron", "", "five-field cron expression instead of --time (set)")
	fs.String("tz", "", "IANA time zone of the schedule (set; default "+digest.DefaultTimeZone+")")
	fs.String("lang", "", "language of the digest: fr, en or ar (set)")
	fs.String("feeds", "", "comma-separated feed ids to keep (set)")
	fs.String("publishers", "", "comma-separated publishers to keep (set)")
	fs.Bool("empty-note", false, "post a one-line note when there is nothing new (set)")
	fs.Bool("disable", false, "stop the channel's digest (set)")
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	verb := ""
	if len(pos) > 0 {
		verb = pos[0]
	}
	switch {
	case verb == "" && !*dry:
		return errors.New("digest: posting needs Discord, which only 'dalil serve' connects to; it posts each channel's digest on schedule (and /digest now posts at once). Use 'dalil digest --dry-run' to see what would be posted")
	case verb == "" && len(pos) == 0:
	case verb == "set" && len(pos) == 2:
	case verb == "list" && len(pos) == 1:
	default:
		return cliflags.UsageError(fs, "digest: unexpected arguments %q (set takes one channel id)", pos)
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	sched, err := a.newScheduler(nil)
	if err != nil {
		return err
	}
	switch verb {
	case "set":
		settings := map[string]string{}
		fs.Visit(func(f *flag.Flag) { settings[f.Name] = f.Value.String() })
		ch, err := sched.Configure(ctx, pos[1], settings)
		if err != nil {
			return fmt.Errorf("digest set: %w", err)
		}
		fmt.Fprintf(a.stdout, "channel %s: digest at %q (%s), language %q, enabled %v\n", ch.ChannelID, ch.Schedule, ch.TimeZone, ch.Lang, ch.Enabled)
		return nil
	case "list":
		return digest.WriteChannels(ctx, a.stdout, a.store)
	}
	ch := digest.Channel{Schedule: digest.DefaultSchedule, TimeZone: digest.DefaultTimeZone}
	if *channel != "" {
		if ch, err = a.store.DigestChannel(ctx, *channel); err != nil {
			return err
		}
	}
	d, err := sched.Preview(ctx, ch)
	if err != nil {
		return err
	}
	parts := bot.RenderDigest(d)
	loc, _ := ch.Location() // Preview checked it
	fmt.Fprintf(a.stderr, "dry run: %s ingested %s – %s, %s, %s; nothing posted\n", count(d.Articles, "article", "articles"),
		digest.FormatTime(d.Since, loc), digest.FormatTime(d.Until, loc), count(len(d.Stories), "story", "stories"), count(len(parts), "message", "messages"))
	if d.TooOld > 0 {
		fmt.Fprintf(a.stderr, "left out %s ingested then but published more than %s earlier (DIGEST_MAX_AGE)\n", count(d.TooOld, "article", "articles"), a.cfg.DigestMaxAge)
	}
	if len(parts) == 0 {
		fmt.Fprintln(a.stdout, "(nothing new: nothing would be posted)")
	}
	for i, p := range parts {
		fmt.Fprintf(a.stdout, "----- message %d of %d (%d characters) -----\n%s\n", i+1, len(parts), utf8.RuneCountInString(p), p)
	}
	return nil
}
