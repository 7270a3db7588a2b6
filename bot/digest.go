package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// maxPreviewParts is the number of a digest's messages /digest preview
// shows; a note counts the others.
const maxPreviewParts = 3

// maxScheduleLen bounds the schedule and time zone given to /digest time.
const maxScheduleLen = 100

// digestCommand defines /digest and its subcommands.
func digestCommand(admin *int64, noDM *bool) *discordgo.ApplicationCommand {
	sub := func(name, en, fr string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: name,
			Description: en, DescriptionLocalizations: map[discordgo.Locale]string{discordgo.French: fr},
			Options: opts,
		}
	}
	return &discordgo.ApplicationCommand{
		Name:                     "digest",
		Description:              "Configure, preview or post the daily news digest of a channel (admins)",
		DescriptionLocalizations: fr("Configurer, prévisualiser ou publier le résumé quotidien d’un salon (admins)"),
		DefaultMemberPermissions: admin,
		DMPermission:             noDM,
		Options: []*discordgo.ApplicationCommandOption{
			sub("channel", "Send the daily digest to this channel or another one", "Envoyer le résumé quotidien dans ce salon ou un autre",
				&discordgo.ApplicationCommandOption{
					Type:                     discordgo.ApplicationCommandOptionChannel,
					Name:                     "channel",
					Description:              "The channel (default: this one)",
					DescriptionLocalizations: *fr("Le salon (par défaut : celui-ci)"),
					ChannelTypes:             []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews},
				}),
			sub("time", "Change when this channel's digest is posted", "Changer l’heure du résumé de ce salon",
				&discordgo.ApplicationCommandOption{
					Type:                     discordgo.ApplicationCommandOptionString,
					Name:                     "time",
					Description:              "A time of day such as 08:00, or a cron expression such as \"0 8 * * 1-5\"",
					DescriptionLocalizations: *fr("Une heure comme 08:00, ou une expression cron comme « 0 8 * * 1-5 »"),
					Required:                 true,
					MaxLength:                maxScheduleLen,
				},
				&discordgo.ApplicationCommandOption{
					Type:                     discordgo.ApplicationCommandOptionString,
					Name:                     "timezone",
					Description:              "An IANA time zone such as Africa/Casablanca (default: unchanged)",
					DescriptionLocalizations: *fr("Un fuseau horaire IANA comme Africa/Casablanca (par défaut : inchangé)"),
					MaxLength:                maxScheduleLen,
				}),
			sub("now", "Post this channel's digest now", "Publier maintenant le résumé de ce salon"),
			sub("preview", "Show only to you what this channel's digest would post now", "Vous montrer ce que le résumé de ce salon publierait maintenant"),
			sub("off", "Stop this channel's digest", "Arrêter le résumé de ce salon"),
		},
	}
}

// subcommand returns the subcommand of a command's data, or nil.
func subcommand(data discordgo.ApplicationCommandInteractionData) *discordgo.ApplicationCommandInteractionDataOption {
	if len(data.Options) == 0 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return nil
	}
	return data.Options[0]
}

// handleDigest answers /digest channel|time|now|preview|off.
func (b *Bot) handleDigest(ctx context.Context, r *request, data discordgo.ApplicationCommandInteractionData) {
	sub := subcommand(data)
	if sub == nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestUsage), true))
		return
	}
	switch sub.Name {
	case "channel":
		b.digestChannel(ctx, r, sub, data.Resolved)
	case "time":
		b.digestTime(ctx, r, optionString(sub.Options, "time"), optionString(sub.Options, "timezone"))
	case "now":
		b.digestNow(ctx, r)
	case "preview":
		b.digestPreview(ctx, r)
	case "off":
		b.digestOff(ctx, r)
	default:
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestUsage), true))
	}
}

// guildLang is the digest language of a guild's locale: fr, en or "".
func guildLang(i *discordgo.Interaction) string {
	if i.GuildLocale == nil {
		return ""
	}
	switch *i.GuildLocale {
	case discordgo.French:
		return "fr"
	case discordgo.EnglishUS, discordgo.EnglishGB:
		return "en"
	}
	return ""
}

// digestChannel answers /digest channel [channel]: the channel receives
// the digest, with its earlier settings or the defaults.
func (b *Bot) digestChannel(ctx context.Context, r *request, sub *discordgo.ApplicationCommandInteractionDataOption, res *discordgo.ApplicationCommandInteractionDataResolved) {
	target := r.i.ChannelID
	for _, o := range sub.Options {
		if o.Name != "channel" || o.Type != discordgo.ApplicationCommandOptionChannel {
			continue
		}
		id, _ := o.Value.(string)
		var ch *discordgo.Channel
		if res != nil {
			ch = res.Channels[id]
		}
		if ch == nil || (ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews) {
			b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestBadChannel), true))
			return
		}
		target = ch.ID
	}
	ch, err := b.deps.Digests.DigestChannel(ctx, target)
	switch {
	case errors.Is(err, rag.ErrNotFound):
		ch = digest.Channel{
			ChannelID: target, GuildID: r.i.GuildID, Lang: guildLang(r.i),
			Schedule: digest.DefaultSchedule, TimeZone: digest.DefaultTimeZone,
		}
	case err != nil:
		b.adminFailed(ctx, r, "digest channel", err)
		return
	}
	ch.Enabled = true
	b.saveDigestChannel(ctx, r, ch, phrases.DigestOn)
}

// digestTime answers /digest time: a new schedule (and time zone) for
// this channel, checked as `dalil digest set` checks it.
func (b *Bot) digestTime(ctx context.Context, r *request, spec, tz string) {
	reason := ""
	switch {
	case spec == "":
		reason = "empty"
	case utf8.RuneCountInString(spec) > maxScheduleLen || utf8.RuneCountInString(tz) > maxScheduleLen:
		reason = fmt.Sprintf("over %d characters", maxScheduleLen)
	}
	if reason != "" {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestBadSchedule, inCode(nlp.Truncate(spec, maxScheduleLen)), reason), true))
		return
	}
	ch, ok := b.thisDigestChannel(ctx, r)
	if !ok {
		return
	}
	ch.Schedule = spec
	if tz != "" {
		ch.TimeZone = tz
	}
	b.saveDigestChannel(ctx, r, ch, phrases.DigestTime)
}

// thisDigestChannel returns the settings of the interaction's channel,
// telling the member when it has none.
func (b *Bot) thisDigestChannel(ctx context.Context, r *request) (digest.Channel, bool) {
	ch, err := b.deps.Digests.DigestChannel(ctx, r.i.ChannelID)
	switch {
	case errors.Is(err, rag.ErrNotFound):
		b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.DigestNone)))
		return digest.Channel{}, false
	case err != nil:
		b.adminFailed(ctx, r, "digest settings", err)
		return digest.Channel{}, false
	}
	return ch, true
}

// saveDigestChannel checks ch's schedule, stores ch and confirms with the
// phrase key and the next digest's time.
func (b *Bot) saveDigestChannel(ctx context.Context, r *request, ch digest.Channel, key phrases.Key) {
	sched, loc, err := b.deps.Digests.ChannelSchedule(ch)
	if err != nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestBadSchedule, inCode(nlp.Truncate(ch.Schedule, maxScheduleLen)), escapeMarkdown(nlp.Truncate(err.Error(), 500))), true))
		return
	}
	ch, err = b.deps.Digests.SetDigestChannel(ctx, ch)
	if err != nil {
		b.adminFailed(ctx, r, "set digest channel", err)
		return
	}
	next := "—"
	if t := sched.Next(time.Now().In(loc)); !t.IsZero() {
		next = fmt.Sprintf("<t:%d:F>", t.Unix())
	}
	lang := ch.Lang
	if lang == "" {
		lang = "—"
	}
	b.log.Info("digest settings changed", "channel", ch.ChannelID, "schedule", ch.Schedule, "time_zone", ch.TimeZone, "enabled", ch.Enabled, "user", r.userID(), "guild", r.i.GuildID)
	b.report(ctx, r.respond(ctx, phrases.Text(r.lang, key, ch.ChannelID, inCode(ch.Schedule), escapeMarkdown(ch.TimeZone), lang, next), true))
}

// inCode makes s safe inside a `code span`, where Markdown escapes show.
func inCode(s string) string { return strings.ReplaceAll(s, "`", "ˋ") }

// digestNow answers /digest now: this channel's digest, posted at once
// and recorded like a scheduled one.
func (b *Bot) digestNow(ctx context.Context, r *request) {
	if err := r.deferReply(ctx, true); err != nil {
		b.report(ctx, err)
		return
	}
	d, err := b.deps.Digests.PostNow(ctx, r.i.ChannelID)
	parts := RenderDigest(d) // what PostNow posted
	switch {
	case errors.Is(err, rag.ErrNotFound):
		b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.DigestNone)))
	case err != nil:
		b.adminFailed(ctx, r, "digest now", err)
	case len(parts) == 0:
		b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.DigestNothing)))
	default:
		b.log.Info("digest posted on demand", "channel", r.i.ChannelID, "stories", len(d.Stories), "messages", len(parts), "user", r.userID(), "guild", r.i.GuildID)
		b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.DigestPosted, len(d.Stories), len(parts))))
	}
}

// digestPreview answers /digest preview: the messages this channel's
// digest would post now, exactly, shown only to the member (the first
// maxPreviewParts of them).
func (b *Bot) digestPreview(ctx context.Context, r *request) {
	if err := r.deferReply(ctx, true); err != nil {
		b.report(ctx, err)
		return
	}
	ch, err := b.deps.Digests.DigestChannel(ctx, r.i.ChannelID)
	if errors.Is(err, rag.ErrNotFound) {
		ch, err = digest.Channel{
			ChannelID: r.i.ChannelID, GuildID: r.i.GuildID, Lang: guildLang(r.i),
			Schedule: digest.DefaultSchedule, TimeZone: digest.DefaultTimeZone,
		}, nil
	}
	var d digest.Digest
	if err == nil {
		d, err = b.deps.Digests.Preview(ctx, ch)
	}
	if err != nil {
		b.adminFailed(ctx, r, "digest preview", err)
		return
	}
	parts := RenderDigest(d)
	if len(parts) == 0 {
		b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.DigestPreviewEmpty)))
		return
	}
	shown := parts[:min(len(parts), maxPreviewParts)]
	if err := r.edit(ctx, message{Content: shown[0]}); err != nil {
		b.report(ctx, err)
		return
	}
	for _, p := range shown[1:] {
		if err := b.ephemeralFollowUp(ctx, r, p); err != nil {
			b.report(ctx, err)
			return
		}
	}
	if more := len(parts) - len(shown); more > 0 {
		b.report(ctx, b.ephemeralFollowUp(ctx, r, phrases.Text(r.lang, phrases.DigestPreviewMore, more)))
	}
}

// ephemeralFollowUp sends a follow-up message only the member sees.
func (b *Bot) ephemeralFollowUp(ctx context.Context, r *request, content string) error {
	_, err := b.s.FollowupMessageCreate(r.i, true, &discordgo.WebhookParams{
		Content: content, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("send a follow-up to interaction %s: %w", r.i.ID, err)
	}
	return nil
}

// digestOff answers /digest off: the channel keeps its settings but gets
// no digest until /digest channel.
func (b *Bot) digestOff(ctx context.Context, r *request) {
	ch, ok := b.thisDigestChannel(ctx, r)
	if !ok {
		return
	}
	ch.Enabled = false
	if _, err := b.deps.Digests.SetDigestChannel(ctx, ch); err != nil {
		b.adminFailed(ctx, r, "digest off", err)
		return
	}
	b.log.Info("digest turned off", "channel", ch.ChannelID, "user", r.userID(), "guild", r.i.GuildID)
	b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.DigestOff, ch.ChannelID), true))
}
