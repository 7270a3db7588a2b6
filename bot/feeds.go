package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// Bounds of /feeds add's options.
const (
	maxFeedURL     = 2048
	minFeedEvery   = time.Minute
	maxFeedEvery   = 7 * 24 * time.Hour
	maxFeedLineErr = 200
)

// feedsCommand defines /feeds and its subcommands.
func feedsCommand(admin *int64, noDM *bool) *discordgo.ApplicationCommand {
	str := func(name, en, fr string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: name, Required: required, MaxLength: maxFeedURL,
			Description: en, DescriptionLocalizations: map[discordgo.Locale]string{discordgo.French: fr},
		}
	}
	sub := func(name, en, fr string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Options: opts,
			Description: en, DescriptionLocalizations: map[discordgo.Locale]string{discordgo.French: fr},
		}
	}
	return &discordgo.ApplicationCommand{
		Name:                     "feeds",
		Description:              "Manage the RSS/Atom feeds the archive follows (admins)",
		DescriptionLocalizations: fr("Gérer les flux RSS/Atom que suivent les archives (admins)"),
		DefaultMemberPermissions: admin,
		DMPermission:             noDM,
		Options: []*discordgo.ApplicationCommandOption{
			sub("add", "Follow a feed", "Suivre un flux",
				str("url", "The feed's web address (http or https)", "L’adresse web du flux (http ou https)", true),
				str("interval", "Time between polls, e.g. 30m or 2h (default 30m)", "Temps entre deux lectures, par ex. 30m ou 2h (30m par défaut)", false)),
			sub("list", "List the feeds and their health", "Lister les flux et leur état"),
			sub("remove", "Stop following a feed (its articles stay)", "Ne plus suivre un flux (ses articles restent)",
				str("feed", "The feed's id or URL", "L’id ou l’URL du flux", true)),
		},
	}
}

// handleFeeds answers /feeds add|list|remove.
func (b *Bot) handleFeeds(ctx context.Context, r *request, data discordgo.ApplicationCommandInteractionData) {
	sub := subcommand(data)
	if sub == nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedsUsage), true))
		return
	}
	switch sub.Name {
	case "add":
		b.feedAdd(ctx, r, optionString(sub.Options, "url"), optionString(sub.Options, "interval"))
	case "list":
		b.feedList(ctx, r)
	case "remove":
		b.feedRemove(ctx, r, optionString(sub.Options, "feed"))
	default:
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedsUsage), true))
	}
}

// feedURL checks that raw is an http or https URL and normalizes it as
// stored URLs are.
func (b *Bot) feedURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if utf8.RuneCountInString(raw) > maxFeedURL {
		return "", fmt.Errorf("URL longer than %d characters", maxFeedURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", errors.New("not an http or https URL")
	}
	if b.deps.CanonicalURL == nil {
		return raw, nil
	}
	return b.deps.CanonicalURL(raw)
}

// feedInterval parses /feeds add's interval ("" for the default).
func (b *Bot) feedInterval(s string) (time.Duration, error) {
	if s == "" {
		return b.cfg.FeedInterval, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < minFeedEvery || d > maxFeedEvery {
		return 0, fmt.Errorf("interval %q: want a duration from %s to %s, such as 30m or 2h", nlp.Truncate(s, 50), minFeedEvery, maxFeedEvery)
	}
	return d, nil
}

// feedAdd answers /feeds add: with a FeedPoller, the feed is checked
// (fetched and parsed once: an HTML page, a 404 or malformed XML is
// refused), stored, then polled at once (its backlog is not announced);
// without one it is stored as given.
func (b *Bot) feedAdd(ctx context.Context, r *request, raw, every string) {
	u, err := b.feedURL(raw)
	if err != nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedBad, "<"+escapeMarkdown(nlp.Truncate(raw, 300))+">", escapeMarkdown(nlp.Truncate(err.Error(), 300))), true))
		return
	}
	interval, err := b.feedInterval(every)
	if err != nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedBad, "<"+escapeMarkdown(nlp.Truncate(u, 300))+">", escapeMarkdown(err.Error())), true))
		return
	}
	reply := r.respond
	if b.deps.FeedPoller != nil {
		if err := r.deferReply(ctx, true); err != nil {
			b.report(ctx, err)
			return
		}
		reply = func(ctx context.Context, content string, _ bool) error { return r.edit(ctx, message{Content: content}) }
		if err := b.deps.FeedPoller.CheckFeed(ctx, u); err != nil {
			b.report(ctx, reply(ctx, phrases.Text(r.lang, phrases.FeedBad, "<"+escapeMarkdown(nlp.Truncate(u, 300))+">", escapeMarkdown(nlp.Truncate(err.Error(), 300))), true))
			return
		}
	}
	f, created, err := b.deps.Feeds.AddFeed(ctx, u, interval)
	if err != nil {
		b.adminFailed(ctx, r, "add feed", err)
		return
	}
	b.log.Info("feed added from Discord", "feed", f.ID, "url", f.URL, "created", created, "user", r.userID(), "guild", r.i.GuildID)
	link := "<" + nlp.Truncate(f.URL, 300) + ">"
	if !created {
		b.report(ctx, reply(ctx, phrases.Text(r.lang, phrases.FeedExists, f.ID, link, nlp.ShortDuration(f.Interval)), true))
		return
	}
	added := phrases.Text(r.lang, phrases.FeedAdded, f.ID, link, nlp.ShortDuration(f.Interval))
	if b.deps.FeedPoller == nil {
		b.report(ctx, r.respond(ctx, added+"\n"+phrases.Text(r.lang, phrases.FeedSoon), true))
		return
	}
	if err := reply(ctx, added+"\n"+phrases.Text(r.lang, phrases.FeedPolling), true); err != nil {
		b.report(ctx, err)
		return
	}
	res, err := b.deps.FeedPoller.PollFeed(ctx, f)
	if err != nil {
		b.log.Warn("first poll of a feed failed", "feed", f.ID, "url", f.URL, "err", err)
		b.report(ctx, r.edit(ctx, message{Content: added + "\n" + phrases.Text(r.lang, phrases.FeedPollFailed, escapeMarkdown(nlp.Truncate(err.Error(), 500)))}))
		return
	}
	b.report(ctx, r.edit(ctx, message{Content: added + "\n" + phrases.Text(r.lang, phrases.FeedPolled, res.Items, res.New)}))
}

// feedIcon marks a health in /feeds list.
func feedIcon(h rag.FeedHealth) string {
	switch h {
	case rag.FeedOK:
		return "🟢"
	case rag.FeedFailing:
		return "🟠"
	case rag.FeedUnhealthy:
		return "🔴"
	}
	return "⚪"
}

// feedLines renders one feed for /feeds list: id, health, title, URL,
// items, last success, next poll and last error.
func (b *Bot) feedLines(f rag.Feed, lang string) string {
	h := f.Health(b.cfg.FeedMaxFailures)
	var s strings.Builder
	fmt.Fprintf(&s, "`%d` %s **%s**", f.ID, feedIcon(h), h)
	if t := strings.TrimSpace(f.Title); t != "" {
		fmt.Fprintf(&s, " · %s", escapeMarkdown(nlp.Truncate(t, 100)))
	}
	fmt.Fprintf(&s, " · <%s>\n", nlp.Truncate(f.URL, 300))
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return fmt.Sprintf("<t:%d:R>", t.Unix())
	}
	next := when(f.NextPoll)
	if f.NextPoll.IsZero() {
		next = phrases.Text(lang, phrases.FeedDue)
	}
	s.WriteString(phrases.Text(lang, phrases.FeedState, f.Items, when(f.LastOK), next))
	if f.LastError != "" {
		s.WriteString("\n" + phrases.Text(lang, phrases.FeedLastError, escapeMarkdown(nlp.Truncate(nlp.Collapse(f.LastError), maxFeedLineErr))))
	}
	return s.String()
}

// feedList answers /feeds list with every feed that fits in an embed.
func (b *Bot) feedList(ctx context.Context, r *request) {
	fl, err := b.deps.Feeds.Feeds(ctx)
	if err != nil {
		b.adminFailed(ctx, r, "list feeds", err)
		return
	}
	if len(fl) == 0 {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedsNone), true))
		return
	}
	var desc strings.Builder
	shown := 0
	for _, f := range fl {
		line := b.feedLines(f, r.lang)
		// Keep room for the "and N more" line.
		if utf8.RuneCountInString(desc.String())+utf8.RuneCountInString(line)+2 > maxEmbedDesc-80 {
			break
		}
		if shown > 0 {
			desc.WriteString("\n\n")
		}
		desc.WriteString(line)
		shown++
	}
	if more := len(fl) - shown; more > 0 {
		desc.WriteString("\n\n" + phrases.Text(r.lang, phrases.FeedsMore, more))
	}
	embed := &discordgo.MessageEmbed{
		Title:       phrases.Text(r.lang, phrases.FeedsTitle),
		Description: desc.String(),
		Color:       embedColor,
		Footer:      &discordgo.MessageEmbedFooter{Text: b.feedHealthCounts(fl, r.lang)},
	}
	b.report(ctx, r.callback(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{embed}, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	}))
}

// feedHealthCounts counts feeds by health: "2 ok · 1 failing · 0 unhealthy"
// (and the feeds never polled yet, if any).
func (b *Bot) feedHealthCounts(fl []rag.Feed, lang string) string {
	n := map[rag.FeedHealth]int{}
	for _, f := range fl {
		n[f.Health(b.cfg.FeedMaxFailures)]++
	}
	s := phrases.Text(lang, phrases.FeedCounts, n[rag.FeedOK], n[rag.FeedFailing], n[rag.FeedUnhealthy])
	if n[rag.FeedNew] > 0 {
		s += phrases.Text(lang, phrases.FeedCountsNew, n[rag.FeedNew])
	}
	return s
}

// resolveFeed finds the feed an admin named by id or URL. The error wraps
// rag.ErrNotFound when there is none.
func (b *Bot) resolveFeed(ctx context.Context, ref string) (rag.Feed, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return b.deps.Feeds.Feed(ctx, id)
	}
	u, err := b.feedURL(ref)
	if err != nil {
		return rag.Feed{}, fmt.Errorf("feed %q: %w: %w", nlp.Truncate(ref, 100), rag.ErrNotFound, err)
	}
	return b.deps.Feeds.FeedByURL(ctx, u)
}

// feedRemove answers /feeds remove: the feed is no longer polled; its
// articles stay in the archive.
func (b *Bot) feedRemove(ctx context.Context, r *request, ref string) {
	f, err := b.resolveFeed(ctx, ref)
	if err == nil {
		err = b.deps.Feeds.RemoveFeed(ctx, f.ID)
	}
	switch {
	case errors.Is(err, rag.ErrNotFound):
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedUnknown, escapeMarkdown(nlp.Truncate(ref, 200))), true))
	case err != nil:
		b.adminFailed(ctx, r, "remove feed", err)
	default:
		b.log.Info("feed removed from Discord", "feed", f.ID, "url", f.URL, "user", r.userID(), "guild", r.i.GuildID)
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.FeedRemoved, f.ID, "<"+nlp.Truncate(f.URL, 300)+">"), true))
	}
}
