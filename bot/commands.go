package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/phrases"
)

// manageServer is the permission admin commands need by default.
const manageServer = int64(discordgo.PermissionManageGuild)

// fr gives a French localization.
func fr(s string) *map[discordgo.Locale]string {
	return &map[discordgo.Locale]string{discordgo.French: s}
}

// commands returns the slash commands the bot registers: /ask,
// /summarize and /sources for everyone, /ingest, /forget, /stats, /digest
// and /feeds for server managers, each only when its dependencies are
// configured.
func (b *Bot) commands() []*discordgo.ApplicationCommand {
	admin := manageServer
	noDM := false
	cmds := []*discordgo.ApplicationCommand{{
		Name:                     "ask",
		Description:              "Ask a question about the news archive",
		DescriptionLocalizations: fr("Poser une question sur les archives d’actualité"),
		Options: []*discordgo.ApplicationCommandOption{{
			Type:                     discordgo.ApplicationCommandOptionString,
			Name:                     "question",
			Description:              "Your question, in French, English or Arabic",
			DescriptionLocalizations: *fr("Votre question, en français, anglais ou arabe"),
			Required:                 true,
			MaxLength:                1000,
		}},
	}}
	if b.deps.Articles != nil && b.deps.Summarizer != nil {
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:                     "summarize",
			Description:              "Summarize an article of the archive",
			DescriptionLocalizations: fr("Résumer un article des archives"),
			Options:                  []*discordgo.ApplicationCommandOption{articleOption()},
		})
	}
	if b.deps.Articles != nil {
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:                     "sources",
			Description:              "List the articles ingested recently",
			DescriptionLocalizations: fr("Lister les articles ingérés récemment"),
		}, &discordgo.ApplicationCommand{
			Name:                     "forget",
			Description:              "Remove an article from the archive (admins)",
			DescriptionLocalizations: fr("Retirer un article des archives (admins)"),
			DefaultMemberPermissions: &admin,
			DMPermission:             &noDM,
			Options:                  []*discordgo.ApplicationCommandOption{articleOption()},
		})
	}
	if b.deps.Ingester != nil {
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:                     "ingest",
			Description:              "Add an article to the archive from a URL or a file (admins)",
			DescriptionLocalizations: fr("Ajouter un article aux archives depuis une URL ou un fichier (admins)"),
			DefaultMemberPermissions: &admin,
			DMPermission:             &noDM,
			Options: []*discordgo.ApplicationCommandOption{{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     "url",
				Description:              "The article's web address",
				DescriptionLocalizations: *fr("L’adresse web de l’article"),
			}, {
				Type:                     discordgo.ApplicationCommandOptionAttachment,
				Name:                     "file",
				Description:              "A .txt, .md or .html file",
				DescriptionLocalizations: *fr("Un fichier .txt, .md ou .html"),
			}},
		})
	}
	if b.deps.Stats != nil {
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:                     "stats",
			Description:              "Show the archive's size and health (admins)",
			DescriptionLocalizations: fr("Afficher la taille et l’état des archives (admins)"),
			DefaultMemberPermissions: &admin,
			DMPermission:             &noDM,
		})
	}
	if b.deps.Digests != nil {
		cmds = append(cmds, digestCommand(&admin, &noDM))
	}
	if b.deps.Feeds != nil {
		cmds = append(cmds, feedsCommand(&admin, &noDM))
	}
	return cmds
}

// register overwrites the application's commands in each configured
// guild, or globally when there are none.
func (b *Bot) register(ctx context.Context) error {
	app := b.appID()
	guilds := b.cfg.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	cmds := b.commands()
	for _, g := range guilds {
		if _, err := b.s.ApplicationCommandBulkOverwrite(app, g, cmds, discordgo.WithContext(ctx)); err != nil {
			where := "globally"
			if g != "" {
				where = "in guild " + g
			}
			return fmt.Errorf("register slash commands %s: %w", where, err)
		}
	}
	b.log.Info("registered slash commands", "count", len(cmds), "guilds", b.cfg.GuildIDs)
	return nil
}

// isAdmin reports whether the member who sent an interaction may run admin
// commands: Manage Server or Administrator, or one of the admin roles.
func isAdmin(m *discordgo.Member, adminRoles []string) bool {
	if m == nil {
		return false
	}
	if m.Permissions&(manageServer|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, r := range m.Roles {
		if slices.Contains(adminRoles, r) {
			return true
		}
	}
	return false
}

// request is one interaction being handled, with its language, where its
// first response goes, whether it has been acknowledged yet, and its claim
// (which the answer it queues holds until it is posted).
type request struct {
	b     *Bot
	i     *discordgo.Interaction
	lang  string
	first responder
	acked bool
	claim *claim
}

// localeLang maps a Discord locale to a language of the bot's phrases.
// Discord has no Arabic locale: Arabic comes from the question's language.
func localeLang(l discordgo.Locale) string {
	if l == discordgo.French {
		return "fr"
	}
	return "en"
}

func (r *request) userID() string {
	if r.i.Member != nil && r.i.Member.User != nil {
		return r.i.Member.User.ID
	}
	if r.i.User != nil {
		return r.i.User.ID
	}
	return ""
}

// respond answers the interaction with a message (ephemeral or not).
func (r *request) respond(ctx context.Context, content string, ephemeral bool) error {
	data := &discordgo.InteractionResponseData{Content: content, AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return r.callback(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data})
}

// deferReply acknowledges the interaction; the answer comes by editing
// the original response.
func (r *request) deferReply(ctx context.Context, ephemeral bool) error {
	data := &discordgo.InteractionResponseData{AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return r.callback(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data})
}

// callback sends the first response to the interaction, through the
// transport it came by; when the transport has already deferred it, the
// response goes through the webhook instead (afterDeferral).
func (r *request) callback(ctx context.Context, resp *discordgo.InteractionResponse) error {
	err := r.first.respond(ctx, r.i, resp)
	if errors.Is(err, errDeferred) {
		r.acked = true
		return r.afterDeferral(ctx, resp)
	}
	if err != nil {
		return fmt.Errorf("respond to interaction %s: %w", r.i.ID, err)
	}
	r.acked = true
	return nil
}

// edit replaces the original response, with a deadline of its own (see
// replyContext).
func (r *request) edit(ctx context.Context, m message) error {
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := m.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	ctx, cancel := r.b.replyContext(ctx)
	defer cancel()
	_, err := r.b.s.InteractionResponseEdit(r.i, &discordgo.WebhookEdit{
		Content: &m.Content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("edit the response to interaction %s: %w", r.i.ID, err)
	}
	return nil
}

// followUp sends another message after the original response, with a
// deadline of its own (see replyContext).
func (r *request) followUp(ctx context.Context, m message) (*discordgo.Message, error) {
	ctx, cancel := r.b.replyContext(ctx)
	defer cancel()
	msg, err := r.b.s.FollowupMessageCreate(r.i, true, &discordgo.WebhookParams{
		Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("send a follow-up to interaction %s: %w", r.i.ID, err)
	}
	return msg, nil
}

// say answers with a short text: a new ephemeral message before the
// acknowledgement, an edit of the original response after it.
func (r *request) say(ctx context.Context, content string) error {
	if !r.acked {
		return r.respond(ctx, content, true)
	}
	return r.edit(ctx, message{Content: content})
}

// onInteraction handles an interaction from the gateway: its first
// response is a REST callback, sent as soon as the handler gives it; a
// handler that gives none within ackWait (a slow database, a busy
// replica) finds the interaction deferred, as the interactions endpoint
// does, since Discord fails an interaction not acknowledged within 3 s.
func (b *Bot) onInteraction(s *discordgo.Session, ev *discordgo.InteractionCreate) {
	i := ev.Interaction
	if i == nil {
		return
	}
	rest := restResponder{s}
	if !b.admit() {
		// Stopping. Another replica answers when there are several
		// (Deps.Claims); a lone bot tells the member it restarts.
		if b.deps.Claims == nil {
			r := &request{b: b, i: i, lang: localeLang(i.Locale), first: rest}
			b.report(b.replies, r.respond(b.replies, phrases.Text(r.lang, phrases.Stopping), true))
		}
		return
	}
	h, handled := b.startInteraction(i)
	defer h.release(nil)
	resp, why := h.await(b.replies, b.ackWait, handled)
	ctx, cancel := context.WithTimeout(b.replies, callbackTimeout)
	defer cancel()
	switch {
	case resp != nil:
		h.written <- rest.respond(ctx, i, resp)
	case isClosed(handled) || !errors.Is(why, errDeferred):
		// Claimed by another replica, or past the shutdown deadline.
	default:
		b.log.Warn("interaction deferred: no first response in time", "interaction", i.ID, "wait", b.ackWait)
		if err := rest.respond(ctx, i, deferral(i)); err != nil {
			// The handler reports it: it has no response to edit.
			h.release(fmt.Errorf("defer interaction %s: %w", i.ID, err))
		}
	}
}

// handleInteraction claims every interaction, routes the ones this replica
// won to their handler, and recovers from a handler's panic with an
// apology; first sends its first response (gateway or HTTP), and
// everything after goes through the interaction's webhook.
func (b *Bot) handleInteraction(i *discordgo.Interaction, first responder) {
	ctx, cancel := context.WithTimeout(b.work, b.cfg.IngestTimeout)
	defer cancel()
	c := b.claim(ctx, "i:"+i.ID, kindInteraction, newInteractionClaim(i))
	if c == nil {
		return
	}
	defer c.release()
	r := &request{b: b, i: i, lang: localeLang(i.Locale), first: first, claim: c}
	defer b.recoverInteraction(ctx, r)
	if b.stopping.Load() {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.Stopping), true))
		return
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		switch data.Name {
		case "ask":
			b.handleAsk(ctx, r, optionString(data.Options, "question"))
		case "summarize":
			b.handleSummarize(ctx, r, optionString(data.Options, "article"))
		case "sources":
			b.handleSources(ctx, r, 0, false)
		case "ingest", "forget", "stats", "digest", "feeds":
			if !b.checkAdmin(ctx, r) {
				return
			}
			switch data.Name {
			case "ingest":
				b.handleIngest(ctx, r, data)
			case "forget":
				b.handleForget(ctx, r, optionString(data.Options, "article"))
			case "stats":
				b.handleStats(ctx, r)
			case "digest":
				b.handleDigest(ctx, r, data)
			case "feeds":
				b.handleFeeds(ctx, r, data)
			}
		}
	case discordgo.InteractionMessageComponent:
		id := i.MessageComponentData().CustomID
		switch {
		case strings.HasPrefix(id, votePrefix):
			b.handleVote(ctx, r, id)
		case strings.HasPrefix(id, sourcesPrefix):
			b.handleSourcesPage(ctx, r, id)
		default:
			// A button the bot no longer knows: acknowledged, its message
			// unchanged, rather than "This interaction failed".
			b.report(ctx, r.callback(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}))
		}
	}
}

// checkAdmin refuses, ephemerally, an admin command from someone else, or
// from a guild outside Config.GuildIDs when it is set.
func (b *Bot) checkAdmin(ctx context.Context, r *request) bool {
	if r.i.Member == nil {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.ServerOnly), true))
		return false
	}
	// With GuildIDs set, the archive is theirs: a manager of another
	// guild (reached by commands once registered globally) is no admin.
	if !isAdmin(r.i.Member, b.cfg.AdminRoleIDs) || len(b.cfg.GuildIDs) > 0 && !slices.Contains(b.cfg.GuildIDs, r.i.GuildID) {
		b.log.Info("admin command refused", "user", r.userID(), "guild", r.i.GuildID, "command", r.i.ApplicationCommandData().Name)
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.NotAdmin), true))
		return false
	}
	return true
}

// recoverInteraction turns a handler's panic into a log entry with an
// error id and an apology to the member.
func (b *Bot) recoverInteraction(ctx context.Context, r *request) {
	v := recover()
	if v == nil {
		return
	}
	id := newErrorID()
	b.metrics.errors.WithLabelValues("panic").Inc()
	b.log.Error("handler panicked", "error_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()),
		"interaction", r.i.ID, "user", r.userID(), "guild", r.i.GuildID)
	b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.Apology, id)))
}

// replyTimeout bounds one message to Discord sent with replyContext.
const replyTimeout = 15 * time.Second

// replyContext returns the context of a message to Discord: ctx's values,
// and a deadline of its own, replyTimeout within the shutdown window
// (b.replies), since ctx's deadline may be what ran out and the message
// the one that says so.
func (b *Bot) replyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	stop := context.AfterFunc(b.replies, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// report logs a failure to talk to Discord.
func (b *Bot) report(ctx context.Context, err error) {
	if err == nil {
		return
	}
	b.metrics.errors.WithLabelValues("discord").Inc()
	b.log.ErrorContext(ctx, "Discord request failed", "err", err)
}

// optionString returns the string value of the named option, "" if absent
// or not a string (StringValue would panic, before any recover: the claim
// reads the question first).
func optionString(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o.Name == name && o.Type == discordgo.ApplicationCommandOptionString {
			s, _ := o.Value.(string)
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// articleOption is the required "article" option of /summarize and /forget.
func articleOption() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type:                     discordgo.ApplicationCommandOptionString,
		Name:                     "article",
		Description:              "The article's id or URL, or \"latest\"",
		DescriptionLocalizations: *fr("L’id ou l’URL de l’article, ou « latest »"),
		Required:                 true,
	}
}
