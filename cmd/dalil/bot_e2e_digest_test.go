package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/rag"
)

// manager is a member with the Manage Server permission.
func manager() *discordgo.Member {
	return &discordgo.Member{Permissions: discordtest.DefaultPermissions | discordgo.PermissionManageGuild}
}

// strOpt is a string option of a slash command.
func strOpt(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// runSub sends /name sub [opts] as member.
func (h *harness) runSub(member *discordgo.Member, name, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return h.srv.SendInteraction(&discordgo.Interaction{Member: member, Data: discordgo.ApplicationCommandInteractionData{
		Name: name,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts,
		}},
	}})
}

// reply waits for the interaction's first response and returns it,
// failing unless it is an ephemeral message (deferred or not).
func (h *harness) reply(in *discordgo.Interaction) discordgo.InteractionResponse {
	h.t.Helper()
	cb := h.wait(callbackOf(in))
	var resp discordgo.InteractionResponse
	if err := cb.Decode(&resp); err != nil {
		h.t.Fatalf("callback %s: %v", cb.Body, err)
	}
	if resp.Data == nil || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		h.t.Errorf("response = %s, want an ephemeral one", cb.Body)
	}
	return resp
}

// postsIn returns the messages the bot created in a channel over REST.
func (h *harness) postsIn(channelID string) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range h.srv.Requests() {
		if r.Method == "POST" && r.Path == "/api/v9/channels/"+channelID+"/messages" {
			out = append(out, r)
		}
	}
	return out
}

func TestDigestAndFeedsRegistered(t *testing.T) {
	h := start(t, setup{})
	type option struct {
		Name    string
		Options []string
	}
	got := map[string][]option{}
	for _, c := range h.srv.Commands(discordtest.GuildID) {
		if c.Name != "digest" && c.Name != "feeds" {
			continue
		}
		if c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild || c.DMPermission == nil || *c.DMPermission {
			t.Errorf("/%s: default permissions %v, DM %v; want Manage Server and no DMs", c.Name, c.DefaultMemberPermissions, c.DMPermission)
		}
		for _, o := range c.Options {
			sub := option{Name: o.Name}
			if o.Type != discordgo.ApplicationCommandOptionSubCommand || o.DescriptionLocalizations[discordgo.French] == "" {
				t.Errorf("/%s %s: want a subcommand with a French description", c.Name, o.Name)
			}
			for _, so := range o.Options {
				sub.Options = append(sub.Options, so.Name)
			}
			got[c.Name] = append(got[c.Name], sub)
		}
	}
	want := map[string][]option{
		"digest": {{"channel", []string{"channel"}}, {"time", []string{"time", "timezone"}}, {"now", nil}, {"preview", nil}, {"off", nil}},
		"feeds":  {{"add", []string{"url", "interval"}}, {"list", nil}, {"remove", []string{"feed"}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("subcommands (-want +got):\n%s", d)
	}
}

func TestDigestCommands(t *testing.T) {
	h := start(t, setup{})
	ctx := context.Background()
	// The fixtures are too old for a digest (older than 72 h): two fresh articles.
	now := time.Now()
	for _, a := range []rag.Article{{
		Title: "Rabat inaugure une ligne de tramway vers Salé", URL: "https://news.example/today/tram",
		Publisher: "Le Journal de Test", Published: now.Add(-time.Hour), Lang: "fr",
		Text: "La nouvelle ligne de tramway relie Rabat à Salé en vingt minutes.\n\nElle transportera cinquante mille voyageurs par jour.",
	}, {
		Title: "Agadir hosts a surfing championship", URL: "https://news.example/today/surf",
		Publisher: "Harbour Daily", Published: now.Add(-2 * time.Hour), Lang: "en",
		Text: "Agadir welcomed two hundred surfers for the national championship on Sunday.\n\nThe event drew large crowds to the beach.",
	}} {
		if _, err := h.svc.Ingest(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("refused to a member", func(t *testing.T) {
		in := h.runSub(&discordgo.Member{Permissions: discordtest.DefaultPermissions}, "digest", "now")
		if resp := h.reply(in); !strings.Contains(resp.Data.Content, "🔒") {
			t.Errorf("response = %q, want a refusal", resp.Data.Content)
		}
		if n := len(h.postsIn(discordtest.ChannelID)); n != 0 {
			t.Errorf("%d messages posted for a refused /digest now", n)
		}
	})
	t.Run("now before channel", func(t *testing.T) {
		in := h.runSub(manager(), "digest", "now")
		h.wait(editOf(in, func(m map[string]any) bool { return strings.Contains(content(m), "/digest channel") }))
	})
	t.Run("channel", func(t *testing.T) {
		gl := discordgo.French
		in := h.srv.SendInteraction(&discordgo.Interaction{Member: manager(), GuildLocale: &gl, Data: discordgo.ApplicationCommandInteractionData{
			Name: "digest", Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "channel", Type: discordgo.ApplicationCommandOptionSubCommand}},
		}})
		resp := h.reply(in)
		if want := "<#" + discordtest.ChannelID + "> will receive the daily digest at `08:00` (Africa/Casablanca), language fr"; !strings.Contains(resp.Data.Content, want) {
			t.Errorf("response = %q, want it to contain %q", resp.Data.Content, want)
		}
		ch, err := h.store.DigestChannel(ctx, discordtest.ChannelID)
		if err != nil {
			t.Fatal(err)
		}
		got := []any{ch.Schedule, ch.TimeZone, ch.Lang, ch.GuildID, ch.Enabled}
		if d := cmp.Diff([]any{"08:00", "Africa/Casablanca", "fr", discordtest.GuildID, true}, got); d != "" {
			t.Errorf("stored settings (-want +got):\n%s", d)
		}
	})
	t.Run("time", func(t *testing.T) {
		for _, tc := range []struct {
			name, time, tz, reply string
			wantSchedule          string
		}{
			{"hour out of range", "25:00", "", "Invalid schedule `25:00`", "08:00"},
			{"bad cron field", "0 8 * * funday", "", "Invalid schedule", "08:00"},
			{"bad time zone", "07:30", "Mars/Olympus", "Mars/Olympus", "08:00"},
			{"cron and zone", "0 7 * * 1-5", "Europe/Paris", "is now posted at `0 7 * * 1-5` (Europe/Paris)", "0 7 * * 1-5"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				opts := []*discordgo.ApplicationCommandInteractionDataOption{strOpt("time", tc.time)}
				if tc.tz != "" {
					opts = append(opts, strOpt("timezone", tc.tz))
				}
				resp := h.reply(h.runSub(manager(), "digest", "time", opts...))
				if !strings.Contains(resp.Data.Content, tc.reply) {
					t.Errorf("response = %q, want it to contain %q", resp.Data.Content, tc.reply)
				}
				ch, err := h.store.DigestChannel(ctx, discordtest.ChannelID)
				if err != nil {
					t.Fatal(err)
				}
				if ch.Schedule != tc.wantSchedule {
					t.Errorf("stored schedule = %q, want %q", ch.Schedule, tc.wantSchedule)
				}
			})
		}
	})
	t.Run("preview", func(t *testing.T) {
		in := h.runSub(manager(), "digest", "preview")
		if resp := h.reply(in); resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
			t.Errorf("response type %d, want a deferred ephemeral message", resp.Type)
		}
		h.wait(editOf(in, func(m map[string]any) bool { return content(m) != "" }))
		ch, err := h.store.DigestChannel(ctx, discordtest.ChannelID)
		if err != nil {
			t.Fatal(err)
		}
		d, err := h.sched.Preview(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		parts := bot.RenderDigest(d)
		if len(parts) != 1 || d.Articles != 2 {
			t.Fatalf("the scheduler's preview: %d articles in %d parts, want both articles in one message", d.Articles, len(parts))
		}
		if got := h.srv.Original(in.Token).Content; got != parts[0] {
			t.Errorf("preview shown:\n%s\nwant what the bot renders:\n%s", got, parts[0])
		}
		if n := len(h.postsIn(discordtest.ChannelID)); n != 0 {
			t.Errorf("%d messages posted by a preview", n)
		}
	})
	t.Run("now twice posts once", func(t *testing.T) {
		first := h.runSub(manager(), "digest", "now")
		h.wait(editOf(first, func(m map[string]any) bool {
			return strings.HasPrefix(content(m), "✅ Digest posted — stories: 2, messages: 1")
		}))
		posts := h.postsIn(discordtest.ChannelID)
		if len(posts) != 1 {
			t.Fatalf("%d messages posted, want 1", len(posts))
		}
		body, _ := posts[0].JSON.(map[string]any)
		am, _ := body["allowed_mentions"].(map[string]any)
		if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
			t.Errorf("posted allowed_mentions = %v, want {parse: []}", body["allowed_mentions"])
		}
		if c := content(body); !strings.Contains(c, "Rabat inaugure une ligne de tramway") || !strings.Contains(c, "https://news.example/today/surf") {
			t.Errorf("posted digest = %q, want both stories with their links", c)
		}

		second := h.runSub(manager(), "digest", "now")
		h.wait(editOf(second, func(m map[string]any) bool { return strings.HasPrefix(content(m), "Nothing new since the last digest") }))
		if n := len(h.postsIn(discordtest.ChannelID)); n != 1 {
			t.Errorf("%d messages posted after a second /digest now, want still 1", n)
		}
		recs, err := h.store.Digests(ctx, discordtest.ChannelID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []digest.Status
		for _, r := range recs {
			statuses = append(statuses, r.Status)
		}
		if d := cmp.Diff([]digest.Status{digest.Empty, digest.Posted}, statuses); d != "" {
			t.Errorf("digest records, newest first (-want +got):\n%s", d)
		}
	})
	t.Run("off", func(t *testing.T) {
		resp := h.reply(h.runSub(manager(), "digest", "off"))
		if !strings.Contains(resp.Data.Content, "is off") {
			t.Errorf("response = %q", resp.Data.Content)
		}
		ch, err := h.store.DigestChannel(ctx, discordtest.ChannelID)
		if err != nil || ch.Enabled || ch.Schedule != "0 7 * * 1-5" {
			t.Errorf("after /digest off: %+v, %v; want the settings kept, disabled", ch, err)
		}
	})
}

// testFeed is an RSS 2.0 feed written for these tests; its items hold
// their full text, so no page is fetched.
func testFeed() string {
	item := func(n int, title string) string {
		text := strings.Repeat(fmt.Sprintf("Le port de Tanger Med a annoncé une hausse de %d %% de son trafic de conteneurs cette année. ", n), 12)
		return fmt.Sprintf(`<item><title>%s</title><link>https://news.example/feed/%d</link><guid>item-%d</guid>
<pubDate>%s</pubDate><description><![CDATA[<p>%s</p>]]></description></item>`, title, n, n, time.Now().Add(-time.Hour).Format(time.RFC1123Z), text)
	}
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Le Fil de Test</title>
<link>https://news.example/</link><description>Test feed</description>` +
		item(1, "Tanger Med : le trafic progresse") + item(2, "Tanger Med accueille un nouveau terminal") + `</channel></rss>`
}

func TestFeedsCommands(t *testing.T) {
	h := start(t, setup{})
	ctx := context.Background()
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, testFeed())
	}))
	t.Cleanup(feedSrv.Close)
	feedURL := feedSrv.URL + "/feed.xml"

	t.Run("refused to a member", func(t *testing.T) {
		in := h.runSub(&discordgo.Member{Permissions: discordtest.DefaultPermissions}, "feeds", "add", strOpt("url", feedURL))
		if resp := h.reply(in); !strings.Contains(resp.Data.Content, "🔒") {
			t.Errorf("response = %q, want a refusal", resp.Data.Content)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct{ name, url, interval, want string }{
			{"ftp", "ftp://news.example/feed", "", "not an http or https URL"},
			{"no host", "https:///feed", "", "not an http or https URL"},
			{"interval too short", feedURL, "5s", `interval "5s"`},
			{"interval not a duration", feedURL, "often", `interval "often"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				opts := []*discordgo.ApplicationCommandInteractionDataOption{strOpt("url", tc.url)}
				if tc.interval != "" {
					opts = append(opts, strOpt("interval", tc.interval))
				}
				resp := h.reply(h.runSub(manager(), "feeds", "add", opts...))
				if !strings.Contains(resp.Data.Content, tc.want) {
					t.Errorf("response = %q, want it to contain %q", resp.Data.Content, tc.want)
				}
			})
		}
		if fl, err := h.store.Feeds(ctx); err != nil || len(fl) != 0 {
			t.Errorf("feeds after bad input: %v, %v; want none", fl, err)
		}
	})
	t.Run("not a feed is refused", func(t *testing.T) {
		in := h.runSub(manager(), "feeds", "add", strOpt("url", feedSrv.URL+"/page.html"))
		h.reply(in)
		edit := h.wait(editOf(in, func(m map[string]any) bool { return strings.Contains(content(m), "not a feed dalil can read") }))
		if c := content(edit.JSON.(map[string]any)); !strings.Contains(c, "404") {
			t.Errorf("reply = %q, want the reason (404)", c)
		}
		if fl, err := h.store.Feeds(ctx); err != nil || len(fl) != 0 {
			t.Errorf("feeds after a page that is not a feed: %v, %v; want none", fl, err)
		}
	})
	t.Run("add polls once", func(t *testing.T) {
		in := h.runSub(manager(), "feeds", "add", strOpt("url", feedURL), strOpt("interval", "2h"))
		h.reply(in)
		edit := h.wait(editOf(in, func(m map[string]any) bool { return strings.Contains(content(m), "First poll") }))
		if c := content(edit.JSON.(map[string]any)); !strings.Contains(c, "(polled every 2h)") || !strings.Contains(c, "2 items read, 2 new articles") {
			t.Errorf("reply = %q, want the interval and the first poll's counts", c)
		}
		f, err := h.store.FeedByURL(ctx, feedURL)
		if err != nil {
			t.Fatal(err)
		}
		if f.Interval != 2*time.Hour || f.LastOK.IsZero() || f.Items != 2 {
			t.Errorf("stored feed = %+v, want polled once with 2 items every 2h", f)
		}
		if _, err := h.store.ArticleByURL(ctx, "https://news.example/feed/1"); err != nil {
			t.Errorf("the feed's item is not in the archive: %v", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		resp := h.reply(h.runSub(manager(), "feeds", "list"))
		if len(resp.Data.Embeds) != 1 {
			t.Fatalf("list = %+v, want one embed", resp.Data)
		}
		e := resp.Data.Embeds[0]
		if !strings.Contains(e.Description, "🟢 **ok** · Le Fil de Test · <"+feedURL+">") || !strings.Contains(e.Description, "2 items · last success <t:") {
			t.Errorf("list = %q, want the feed healthy with its items", e.Description)
		}
		if e.Footer == nil || e.Footer.Text != "1 ok · 0 failing · 0 unhealthy" {
			t.Errorf("footer = %+v, want the health counts", e.Footer)
		}
	})
	t.Run("stats counts feeds", func(t *testing.T) {
		in := h.srv.SendInteraction(&discordgo.Interaction{Member: manager(), Data: discordgo.ApplicationCommandInteractionData{Name: "stats"}})
		resp := h.reply(in)
		fields := resp.Data.Embeds[0].Fields
		if last := fields[len(fields)-1]; last.Name != "Feeds" || last.Value != "1 ok · 0 failing · 0 unhealthy" {
			t.Errorf("last stats field = %+v, want the feed health counts", last)
		}
	})
	t.Run("remove", func(t *testing.T) {
		f, err := h.store.FeedByURL(ctx, feedURL)
		if err != nil {
			t.Fatal(err)
		}
		resp := h.reply(h.runSub(manager(), "feeds", "remove", strOpt("feed", fmt.Sprint(f.ID))))
		if want := fmt.Sprintf("Feed %d removed: <%s>", f.ID, feedURL); !strings.Contains(resp.Data.Content, want) {
			t.Errorf("response = %q, want it to contain %q", resp.Data.Content, want)
		}
		if fl, err := h.store.Feeds(ctx); err != nil || len(fl) != 0 {
			t.Errorf("feeds after remove: %v, %v; want none", fl, err)
		}
		if _, err := h.store.ArticleByURL(ctx, "https://news.example/feed/1"); err != nil {
			t.Errorf("the feed's article went with the feed: %v", err)
		}
		again := h.reply(h.runSub(manager(), "feeds", "remove", strOpt("feed", feedURL)))
		if !strings.Contains(again.Data.Content, "No feed matches") {
			t.Errorf("second remove = %q, want no feed found", again.Data.Content)
		}
	})
}
