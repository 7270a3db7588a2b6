package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// handleIngest answers /ingest url|file: fetch or download, extract,
// embed and store, reporting each stage by editing the reply.
func (b *Bot) handleIngest(ctx context.Context, r *request, data discordgo.ApplicationCommandInteractionData) {
	rawURL := optionString(data.Options, "url")
	var att *discordgo.MessageAttachment
	for _, o := range data.Options {
		if o.Name == "file" && o.Type == discordgo.ApplicationCommandOptionAttachment && data.Resolved != nil {
			id, _ := o.Value.(string)
			att = data.Resolved.Attachments[id]
		}
	}
	if (rawURL == "") == (att == nil) {
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.IngestUsage), true))
		return
	}
	if err := r.deferReply(ctx, true); err != nil {
		b.report(ctx, err)
		return
	}
	progress := func(key phrases.Key, args ...any) {
		b.report(ctx, r.edit(ctx, message{Content: phrases.Text(r.lang, key, args...)}))
	}
	source := rawURL
	var a rag.Article
	var err error
	if att != nil {
		source = att.Filename
		progress(phrases.Downloading, "`"+escapeMarkdown(nlp.Truncate(att.Filename, 100))+"`")
		var body []byte
		body, err = b.download(ctx, att)
		if err == nil {
			progress(phrases.Extracting)
			a, err = b.deps.Extractor.ExtractFile(att.Filename, attachmentURL(att.URL), att.ContentType, body)
		}
	} else {
		progress(phrases.Fetching, "<"+nlp.Truncate(rawURL, 300)+">")
		a, err = b.deps.Extractor.FetchURL(ctx, rawURL)
	}
	var res rag.IngestResult
	if err == nil {
		progress(phrases.Storing, escapeMarkdown(nlp.Truncate(a.Title, 150)))
		res, err = b.deps.Ingester.Ingest(ctx, a)
	}
	if err != nil {
		b.metrics.ingests.WithLabelValues("failed").Inc()
		b.log.Warn("ingest from Discord failed", "source", source, "user", r.userID(), "guild", r.i.GuildID, "err", err)
		progress(phrases.IngestFailed, "`"+escapeMarkdown(nlp.Truncate(source, 200))+"`", nlp.Truncate(err.Error(), 1500))
		return
	}
	b.metrics.ingests.WithLabelValues(string(res.Status)).Inc()
	b.log.Info("ingested from Discord", "source", source, "status", res.Status, "article", res.ArticleID, "user", r.userID(), "guild", r.i.GuildID)
	progress(phrases.Ingested, res.Status, escapeMarkdown(nlp.Truncate(a.Title, 300)), res.ArticleID, res.Chunks)
}

// download reads an attachment from Discord's CDN, within the size cap.
func (b *Bot) download(ctx context.Context, att *discordgo.MessageAttachment) ([]byte, error) {
	limit := b.cfg.MaxAttachmentBytes
	if int64(att.Size) > limit {
		return nil, errors.New(phrases.Text("en", phrases.TooLarge, limit))
	}
	u, err := url.Parse(att.URL)
	if err != nil || !attachmentAllowed(u, b.cfg.AttachmentHosts) {
		return nil, fmt.Errorf("attachment %s: URL %q is not on Discord's CDN (or another of the attachment hosts)", att.Filename, att.URL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, att.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("download attachment %s: %w", att.Filename, err)
	}
	resp, err := b.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("download attachment %s: %w", att.Filename, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download attachment %s: HTTP %d", att.Filename, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download attachment %s: %w", att.Filename, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("attachment %s: %s", att.Filename, phrases.Text("en", phrases.TooLarge, limit))
	}
	return body, nil
}

// attachmentAllowed reports whether u is on one of hosts (see
// Config.AttachmentHosts): a host name over https, on any port, or an
// origin scheme://host[:port] exactly.
func attachmentAllowed(u *url.URL, hosts []string) bool {
	for _, h := range hosts {
		if scheme, host, ok := strings.Cut(h, "://"); ok {
			if u.Scheme == scheme && strings.EqualFold(u.Host, host) {
				return true
			}
		} else if u.Scheme == "https" && (strings.EqualFold(u.Host, h) || strings.EqualFold(u.Hostname(), h)) {
			return true
		}
	}
	return false
}

// attachmentURL drops the expiring signature from an attachment URL, so
// that the stored URL names the file rather than one download of it.
func attachmentURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = ""
	return u.String()
}

// handleForget answers /forget article: by id, URL or "latest".
func (b *Bot) handleForget(ctx context.Context, r *request, ref string) {
	a, err := rag.ResolveArticle(ctx, b.deps.Articles, ref, b.deps.CanonicalURL)
	if err == nil {
		err = b.deps.Articles.DeleteArticle(ctx, a.ID)
	}
	switch {
	case errors.Is(err, rag.ErrNotFound):
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.UnknownArticle, escapeMarkdown(nlp.Truncate(ref, 200))), true))
	case err != nil:
		b.adminFailed(ctx, r, "forget", err)
	default:
		b.log.Info("article forgotten", "article", a.ID, "url", a.URL, "user", r.userID(), "guild", r.i.GuildID)
		b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.Forgot, escapeMarkdown(nlp.Truncate(a.Title, 300)), a.ID), true))
	}
}

// handleStats answers /stats.
func (b *Bot) handleStats(ctx context.Context, r *request) {
	st, err := b.deps.Stats.Stats(ctx)
	if err != nil {
		b.adminFailed(ctx, r, "stats", err)
		return
	}
	newest := "—"
	if !st.NewestIngest.IsZero() {
		newest = fmt.Sprintf("<t:%d:R>", st.NewestIngest.Unix())
	}
	field := func(key phrases.Key, v string) *discordgo.MessageEmbedField {
		return &discordgo.MessageEmbedField{Name: phrases.Text(r.lang, key), Value: v, Inline: true}
	}
	embed := &discordgo.MessageEmbed{
		Title: phrases.Text(r.lang, phrases.StatsTitle),
		Color: embedColor,
		Fields: []*discordgo.MessageEmbedField{
			field(phrases.Articles, strconv.FormatInt(st.Articles, 10)),
			field(phrases.Passages, strconv.FormatInt(st.Chunks, 10)),
			field(phrases.Embedder, escapeMarkdown(nlp.Truncate(fmt.Sprintf("%s (%d)", st.Embedder, st.Dimensions), 200))),
			field(phrases.DatabaseSize, fmt.Sprintf("%.1f MB", float64(st.DatabaseBytes)/1e6)),
			field(phrases.LastIngest, newest),
			field(phrases.Uptime, time.Since(b.started).Round(time.Second).String()),
		},
	}
	if b.deps.Feeds != nil {
		fl, err := b.deps.Feeds.Feeds(ctx)
		if err != nil {
			b.adminFailed(ctx, r, "stats", err)
			return
		}
		embed.Fields = append(embed.Fields, field(phrases.Feeds, b.feedHealthCounts(fl, r.lang)))
	}
	embeds := []*discordgo.MessageEmbed{embed}
	if b.deps.Insights != nil {
		rep, err := b.deps.Insights.Report(ctx, insights.Last(statsDays*24*time.Hour, time.Now()))
		if err != nil {
			b.adminFailed(ctx, r, "stats", err)
			return
		}
		embeds = append(embeds, insightsEmbed(rep, r.lang))
	}
	err = r.callback(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: embeds, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	})
	b.report(ctx, err)
}

// adminFailed logs an admin command's failure and apologizes with its id.
func (b *Bot) adminFailed(ctx context.Context, r *request, what string, err error) {
	id := newErrorID()
	kind := errorKind(err)
	b.metrics.errors.WithLabelValues(kind).Inc()
	b.log.Error(what+" failed", "error_id", id, "kind", kind, "err", err, "user", r.userID(), "guild", r.i.GuildID)
	b.report(ctx, r.say(ctx, phrases.Text(r.lang, phrases.Apology, id)))
}

// sourcesPrefix starts the custom IDs of the /sources page buttons.
const sourcesPrefix = "src:"

// sourcesPageSize is the number of articles on a /sources page, and
// sourcesMaxPages the number of pages.
const (
	sourcesPageSize = 10
	sourcesMaxPages = 20
)

// handleSources answers /sources (update false) or a page button (update
// true) with one page of recently ingested articles.
func (b *Bot) handleSources(ctx context.Context, r *request, page int, update bool) {
	page = min(max(page, 0), sourcesMaxPages-1)
	arts, err := b.deps.Articles.RecentArticles(ctx, time.Time{}, (page+1)*sourcesPageSize+1)
	if err != nil {
		b.adminFailed(ctx, r, "list sources", err)
		return
	}
	start := min(page*sourcesPageSize, len(arts))
	more := len(arts) > (page+1)*sourcesPageSize && page+1 < sourcesMaxPages
	shown := arts[start:min(len(arts), start+sourcesPageSize)]
	data := &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsEphemeral}
	if len(shown) == 0 {
		data.Content = phrases.Text(r.lang, phrases.ArchiveEmpty)
		data.Embeds = []*discordgo.MessageEmbed{}
		data.Components = []discordgo.MessageComponent{}
	} else {
		var lines []string
		for _, a := range shown {
			lines = append(lines, fmt.Sprintf("`%d` %s", a.ID, articleLine(a)))
		}
		data.Embeds = []*discordgo.MessageEmbed{{
			Title:       phrases.Text(r.lang, phrases.Recent),
			Description: nlp.Truncate(strings.Join(lines, "\n"), maxEmbedDesc),
			Color:       embedColor,
			Footer:      &discordgo.MessageEmbedFooter{Text: phrases.Text(r.lang, phrases.Page, page+1)},
		}}
		data.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{CustomID: sourcesPrefix + strconv.Itoa(page-1), Emoji: &discordgo.ComponentEmoji{Name: "◀️"}, Style: discordgo.SecondaryButton, Disabled: page == 0},
			discordgo.Button{CustomID: sourcesPrefix + strconv.Itoa(page+1), Emoji: &discordgo.ComponentEmoji{Name: "▶️"}, Style: discordgo.SecondaryButton, Disabled: !more},
		}}}
	}
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if update {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	b.report(ctx, r.callback(ctx, &discordgo.InteractionResponse{Type: typ, Data: data}))
}

// handleSourcesPage answers a click on a /sources page button.
func (b *Bot) handleSourcesPage(ctx context.Context, r *request, customID string) {
	page, err := strconv.Atoi(strings.TrimPrefix(customID, sourcesPrefix))
	if err != nil || b.deps.Articles == nil {
		return
	}
	b.handleSources(ctx, r, page, true)
}
