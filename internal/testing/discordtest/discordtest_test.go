package discordtest

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
)

const testIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// openSession opens a real discordgo session against srv.
func openSession(t *testing.T, srv *Server, intents discordgo.Intent, compress bool) *discordgo.Session {
	t.Helper()
	sess := srv.Session(t, "secret")
	sess.Identify.Intents = intents
	sess.Compress = compress
	if err := sess.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return sess
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// receive returns the next value from ch or fails after 5 s.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		var zero T
		t.Fatalf("no %T received within 5s", zero)
		return zero
	}
}

// restCode returns the Discord JSON error code of a discordgo REST error, or -1.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return -1
}

func TestOpen(t *testing.T) {
	t.Parallel()
	for _, compress := range []bool{true, false} {
		name := map[bool]string{true: "zlib frames", false: "text frames"}[compress]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := New(t, WithHeartbeatInterval(200*time.Millisecond))
			sess := openSession(t, srv, testIntents, compress)

			if got, want := sess.State.User.ID, AppID; got != want {
				t.Errorf("State.User.ID = %q, want %q", got, want)
			}
			if got, want := sess.State.Application.ID, AppID; got != want {
				t.Errorf("State.Application.ID = %q, want %q", got, want)
			}
			ids := srv.Identifies()
			if len(ids) != 1 {
				t.Fatalf("got %d IDENTIFY payloads, want 1", len(ids))
			}
			got := []any{ids[0].Intents, ids[0].Token, ids[0].Compress}
			if diff := cmp.Diff([]any{testIntents, "Bot secret", compress}, got); diff != "" {
				t.Errorf("IDENTIFY intents, token, compress (-want +got):\n%s", diff)
			}
			// Heartbeats every 200 ms must be acknowledged: discordgo reconnects
			// after five intervals without an ack, which would show up as a RESUME.
			sess.RLock()
			firstAck := sess.LastHeartbeatAck
			sess.RUnlock()
			time.Sleep(700 * time.Millisecond)
			sess.RLock()
			lastAck := sess.LastHeartbeatAck
			sess.RUnlock()
			if !lastAck.After(firstAck) {
				t.Errorf("no heartbeat ack in 700ms at a 200ms interval")
			}
			if n := len(srv.Identifies()) + len(srv.Resumes()); n != 1 {
				t.Errorf("got %d IDENTIFY and RESUME payloads after heartbeats, want 1", n)
			}
		})
	}
}

// TestSession runs the REST and gateway flows a bot uses over one session.
func TestSession(t *testing.T) {
	t.Parallel()
	srv := New(t)
	sess := openSession(t, srv, testIntents, true)
	interactions := make(chan *discordgo.InteractionCreate, 8)
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) { interactions <- e })
	messages := make(chan *discordgo.MessageCreate, 8)
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) { messages <- e })

	t.Run("bulk overwrite commands", func(t *testing.T) {
		cmds := []*discordgo.ApplicationCommand{
			{Name: "ask", Description: "Ask the news"},
			{Name: "sources", Description: "List sources"},
		}
		got, err := sess.ApplicationCommandBulkOverwrite(sess.State.Application.ID, GuildID, cmds)
		if err != nil {
			t.Fatalf("ApplicationCommandBulkOverwrite: %v", err)
		}
		if len(got) != 2 || got[0].ID == "" || got[0].ApplicationID != AppID || got[1].Name != "sources" {
			t.Errorf("returned commands = %+v, want both with IDs and the app ID", got)
		}
		req, err := srv.WaitFor(waitCtx(t), Route("PUT", "/api/v9/applications/"+AppID+"/guilds/"+GuildID+"/commands"))
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization"); got != "Bot secret" {
			t.Errorf("Authorization = %q, want %q", got, "Bot secret")
		}
		if n := len(req.JSON.([]any)); n != 2 {
			t.Errorf("recorded body has %d commands, want 2", n)
		}
		again, err := sess.ApplicationCommandBulkOverwrite(AppID, GuildID, cmds[:1])
		if err != nil {
			t.Fatalf("second ApplicationCommandBulkOverwrite: %v", err)
		}
		if again[0].ID != got[0].ID || len(srv.Commands(GuildID)) != 1 {
			t.Errorf("overwrite kept ID %q (want %q) and %d commands (want 1)", again[0].ID, got[0].ID, len(srv.Commands(GuildID)))
		}
		_, err = sess.ApplicationCommandBulkOverwrite(AppID, "", []*discordgo.ApplicationCommand{{Name: "Ask", Description: "x"}})
		if code := restCode(err); code != codeInvalidForm {
			t.Errorf("upper-case command name: code %d (%v), want %d", code, err, codeInvalidForm)
		}
	})

	t.Run("interaction deferred then edited", func(t *testing.T) {
		sent := srv.SendInteraction(&discordgo.Interaction{
			Data: discordgo.ApplicationCommandInteractionData{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "who won?"}}},
		})
		got := receive(t, interactions)
		if diff := cmp.Diff(
			[]any{sent.ID, AppID, sent.Token, GuildID, ChannelID, UserID, int64(DefaultPermissions), int64(DefaultPermissions), "who won?"},
			[]any{got.ID, got.AppID, got.Token, got.GuildID, got.ChannelID, got.Member.User.ID, got.Member.Permissions, got.AppPermissions,
				got.ApplicationCommandData().Options[0].StringValue()}); diff != "" {
			t.Errorf("received interaction (-want +got):\n%s", diff)
		}

		if err := sess.InteractionRespond(got.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
			t.Fatalf("InteractionRespond: %v", err)
		}
		req, err := srv.WaitFor(waitCtx(t), Route("POST", "/api/v9/interactions/"+sent.ID+"/"+sent.Token+"/callback"))
		if err != nil {
			t.Fatal(err)
		}
		if req.Status != http.StatusNoContent {
			t.Errorf("callback status = %d, want 204", req.Status)
		}
		if orig := srv.Original(sent.Token); orig == nil || orig.Flags&flagLoading == 0 {
			t.Errorf("deferred original = %+v, want a loading message", orig)
		}
		err = sess.InteractionRespond(got.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		if code := restCode(err); code != codeAlreadyAcknowledged {
			t.Errorf("second InteractionRespond: code %d (%v), want %d", code, err, codeAlreadyAcknowledged)
		}

		content := "An answer [1]"
		msg, err := sess.InteractionResponseEdit(got.Interaction, &discordgo.WebhookEdit{Content: &content,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
		if err != nil {
			t.Fatalf("InteractionResponseEdit: %v", err)
		}
		if _, err := srv.WaitFor(waitCtx(t), Route("PATCH", "/api/v9/webhooks/"+AppID+"/"+sent.Token+"/messages/@original")); err != nil {
			t.Fatal(err)
		}
		orig := srv.Original(sent.Token)
		if diff := cmp.Diff([]any{msg.ID, content, discordgo.MessageFlags(0)}, []any{orig.ID, orig.Content, orig.Flags}); diff != "" {
			t.Errorf("original after edit (-want +got):\n%s", diff)
		}

		follow, err := sess.FollowupMessageCreate(got.Interaction, true, &discordgo.WebhookParams{Content: "more", Flags: discordgo.MessageFlagsEphemeral})
		if err != nil {
			t.Fatalf("FollowupMessageCreate: %v", err)
		}
		if stored := srv.Message(follow.ID); stored == nil || stored.Content != "more" || stored.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("stored follow-up = %+v, want ephemeral %q", stored, "more")
		}
	})

	t.Run("interaction answered with a message", func(t *testing.T) {
		sent := srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{Name: "sources"}})
		got := receive(t, interactions)
		err := sess.InteractionRespond(got.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "three sources"}})
		if err != nil {
			t.Fatalf("InteractionRespond: %v", err)
		}
		fetched, err := sess.InteractionResponse(got.Interaction)
		if err != nil {
			t.Fatalf("InteractionResponse: %v", err)
		}
		if fetched.Content != "three sources" || srv.Original(sent.Token).ID != fetched.ID {
			t.Errorf("original = %+v, want %q", fetched, "three sources")
		}
	})

	t.Run("component interaction updates its message", func(t *testing.T) {
		msg, err := sess.ChannelMessageSend(ChannelID, "page 1")
		if err != nil {
			t.Fatalf("ChannelMessageSend: %v", err)
		}
		srv.SendInteraction(&discordgo.Interaction{Type: discordgo.InteractionMessageComponent, Message: msg,
			Data: discordgo.MessageComponentInteractionData{CustomID: "next", ComponentType: discordgo.ButtonComponent}})
		got := receive(t, interactions)
		if id := got.MessageComponentData().CustomID; id != "next" {
			t.Errorf("custom ID = %q, want %q", id, "next")
		}
		err = sess.InteractionRespond(got.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "page 2"}})
		if err != nil {
			t.Fatalf("InteractionRespond: %v", err)
		}
		if got := srv.Message(msg.ID).Content; got != "page 2" {
			t.Errorf("message content = %q, want %q", got, "page 2")
		}
	})

	t.Run("webhook before the callback is unknown", func(t *testing.T) {
		srv.SendInteraction(&discordgo.Interaction{})
		got := receive(t, interactions)
		content := "too early"
		_, err := sess.InteractionResponseEdit(got.Interaction, &discordgo.WebhookEdit{Content: &content})
		if code := restCode(err); code != codeUnknownWebhook {
			t.Errorf("edit before callback: code %d (%v), want %d", code, err, codeUnknownWebhook)
		}
	})

	t.Run("channel message with empty allowed mentions", func(t *testing.T) {
		msg, err := sess.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{
			Content:         "hello @everyone",
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		})
		if err != nil {
			t.Fatalf("ChannelMessageSendComplex: %v", err)
		}
		route := Route("POST", "/api/v9/channels/"+ChannelID+"/messages")
		req, err := srv.WaitFor(waitCtx(t), func(r Request) bool { return route(r) && field(r.JSON, "content") == "hello @everyone" })
		if err != nil {
			t.Fatal(err)
		}
		if parse, ok := field(field(req.JSON, "allowed_mentions"), "parse").([]any); !ok || len(parse) != 0 {
			t.Errorf("body %s: allowed_mentions.parse is not []", req.Body)
		}
		if stored := srv.Message(msg.ID); stored == nil || stored.Content != "hello @everyone" || stored.Author.ID != AppID {
			t.Errorf("stored message = %+v", stored)
		}

		newContent := "edited"
		if _, err := sess.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: msg.ID, Channel: ChannelID, Content: &newContent}); err != nil {
			t.Fatalf("ChannelMessageEditComplex: %v", err)
		}
		fetched, err := sess.ChannelMessage(ChannelID, msg.ID)
		if err != nil {
			t.Fatalf("ChannelMessage: %v", err)
		}
		if fetched.Content != newContent || fetched.EditedTimestamp == nil {
			t.Errorf("fetched = %+v, want edited %q", fetched, newContent)
		}
	})

	t.Run("message limits", func(t *testing.T) {
		long := strings.Repeat("é", 2001)
		tests := []struct {
			name string
			send *discordgo.MessageSend
			want int
		}{
			{"content of 2000 characters", &discordgo.MessageSend{Content: long[:4000]}, 0},
			{"content of 2001 characters", &discordgo.MessageSend{Content: long}, codeInvalidForm},
			{"empty", &discordgo.MessageSend{}, codeEmptyMessage},
			{"11 embeds", &discordgo.MessageSend{Embeds: make([]*discordgo.MessageEmbed, 11)}, codeInvalidForm},
			{"field value of 1025", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: strings.Repeat("x", 1025)}}}}}, codeInvalidForm},
			{"embeds over 6000 in all", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("x", 4000)}, {Description: strings.Repeat("x", 2001)}}}, codeInvalidForm},
			{"parse users with a user list", &discordgo.MessageSend{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{
				Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{UserID}}}, codeInvalidForm},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for i := range tt.send.Embeds {
					if tt.send.Embeds[i] == nil {
						tt.send.Embeds[i] = &discordgo.MessageEmbed{Title: "t"}
					}
				}
				_, err := sess.ChannelMessageSendComplex(ChannelID, tt.send)
				got := 0
				if err != nil {
					got = restCode(err)
				}
				if got != tt.want {
					t.Errorf("error code = %d (%v), want %d", got, err, tt.want)
				}
			})
		}
	})

	t.Run("thread from a message", func(t *testing.T) {
		msg, err := sess.ChannelMessageSend(ChannelID, "question")
		if err != nil {
			t.Fatalf("ChannelMessageSend: %v", err)
		}
		th, err := sess.MessageThreadStartComplex(ChannelID, msg.ID, &discordgo.ThreadStart{Name: "answers", AutoArchiveDuration: 60})
		if err != nil {
			t.Fatalf("MessageThreadStartComplex: %v", err)
		}
		want := []any{msg.ID, discordgo.ChannelTypeGuildPublicThread, ChannelID, GuildID, "answers"}
		if diff := cmp.Diff(want, []any{th.ID, th.Type, th.ParentID, th.GuildID, th.Name}); diff != "" {
			t.Errorf("thread (-want +got):\n%s", diff)
		}
		if _, err := sess.ChannelMessageSend(th.ID, "in thread"); err != nil {
			t.Errorf("send in thread: %v", err)
		}
		if got := srv.ChannelMessages(th.ID); len(got) != 1 || got[0].Content != "in thread" {
			t.Errorf("thread messages = %+v, want one %q", got, "in thread")
		}
		_, err = sess.MessageThreadStartComplex(ChannelID, msg.ID, &discordgo.ThreadStart{Name: "again"})
		if code := restCode(err); code != codeThreadExists {
			t.Errorf("second thread: code %d (%v), want %d", code, err, codeThreadExists)
		}
		ch, err := sess.Channel(th.ID)
		if err != nil || ch.Type != discordgo.ChannelTypeGuildPublicThread {
			t.Errorf("Channel(thread) = %+v, %v", ch, err)
		}
	})

	t.Run("files and attachments", func(t *testing.T) {
		msg, err := sess.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{
			Files: []*discordgo.File{{Name: "answer.txt", ContentType: "text/plain", Reader: strings.NewReader("full answer")}},
		})
		if err != nil {
			t.Fatalf("send file: %v", err)
		}
		req, err := srv.WaitFor(waitCtx(t), func(r Request) bool { return len(r.Files) > 0 })
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]File{{Field: "files[0]", Name: "answer.txt", ContentType: "text/plain", Data: []byte("full answer")}}, req.Files); diff != "" {
			t.Errorf("recorded files (-want +got):\n%s", diff)
		}
		if len(msg.Attachments) != 1 {
			t.Fatalf("message attachments = %+v, want 1", msg.Attachments)
		}
		for _, tt := range []struct{ url, want string }{
			{msg.Attachments[0].URL, "full answer"},
			{srv.AddAttachment("feed.xml", []byte("<rss/>")), "<rss/>"},
		} {
			resp, err := sess.Client.Get(tt.url)
			if err != nil {
				t.Fatalf("GET %s: %v", tt.url, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != tt.want || !strings.HasPrefix(tt.url, "https://cdn.discordapp.com/attachments/") {
				t.Errorf("GET %s = %q, want %q from the CDN host", tt.url, body, tt.want)
			}
		}
	})

	t.Run("other hosts are refused", func(t *testing.T) {
		for _, url := range []string{"https://example.com/", "http://127.0.0.1:1/", "https://gateway.discord.gg/"} {
			resp, err := sess.Client.Get(url)
			if err == nil {
				resp.Body.Close()
				t.Errorf("GET %s succeeded, want refusal", url)
			}
		}
	})

	t.Run("unknown route and injected failures", func(t *testing.T) {
		_, err := sess.Request("GET", discordgo.EndpointAPI+"nowhere", nil)
		var re *discordgo.RESTError
		if !errors.As(err, &re) || re.Response.StatusCode != http.StatusNotFound {
			t.Errorf("unknown route: %v, want 404", err)
		}
		if _, err := srv.WaitFor(waitCtx(t), Route("GET", "/api/v9/nowhere")); err != nil {
			t.Errorf("unknown route not recorded: %v", err)
		}

		_, err = sess.RequestRaw("POST", discordgo.EndpointChannelMessages(ChannelID), "application/json", []byte(`{"content":`), "", 0)
		if code := restCode(err); code != codeInvalidJSON {
			t.Errorf("malformed JSON body: code %d (%v), want %d", code, err, codeInvalidJSON)
		}

		srv.FailNext("POST", "/api/v9/channels/", http.StatusTooManyRequests, "")
		if _, err := sess.ChannelMessageSend(ChannelID, "after a 429"); err != nil {
			t.Errorf("send after 429: %v (discordgo should retry)", err)
		}
		srv.FailNext("", "/api/v9/channels/", http.StatusInternalServerError, "")
		_, err = sess.ChannelMessageSend(ChannelID, "after a 500")
		if !errors.As(err, &re) || re.Response.StatusCode != http.StatusInternalServerError {
			t.Errorf("send with injected 500: %v, want HTTP 500", err)
		}
		var statuses []int
		for _, r := range srv.Requests() {
			if body, _ := r.JSON.(map[string]any); body["content"] == "after a 429" || body["content"] == "after a 500" {
				statuses = append(statuses, r.Status)
			}
		}
		if diff := cmp.Diff([]int{429, 200, 500}, statuses); diff != "" {
			t.Errorf("recorded statuses (-want +got):\n%s", diff)
		}
	})

	t.Run("message create follows intents", func(t *testing.T) {
		tests := []struct {
			name, content, guild, want string
		}{
			{"guild message without MESSAGE_CONTENT is blanked", "plain", GuildID, ""},
			{"mention of the bot keeps content", "<@" + AppID + "> hi", GuildID, "<@" + AppID + "> hi"},
			{"direct message keeps content", "dm", "", "dm"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				channel := ChannelID
				if tt.guild == "" {
					channel = "1300000000000000099"
				}
				sent := srv.SendMessage(&discordgo.Message{ChannelID: channel, GuildID: tt.guild, Content: tt.content})
				got := receive(t, messages)
				if got.ID != sent.ID || got.Content != tt.want {
					t.Errorf("received %q (id %s), want %q (id %s)", got.Content, got.ID, tt.want, sent.ID)
				}
				if stored := srv.Message(sent.ID); stored == nil || stored.Content != tt.content {
					t.Errorf("stored = %+v, want content %q", stored, tt.content)
				}
			})
		}
	})
}

func TestInteractionDeadline(t *testing.T) {
	t.Parallel()
	srv := New(t, WithInteractionDeadline(time.Millisecond))
	sess := openSession(t, srv, testIntents, true)
	in := srv.SendInteraction(&discordgo.Interaction{})
	time.Sleep(5 * time.Millisecond)
	err := sess.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if code := restCode(err); code != codeUnknownInteraction {
		t.Errorf("late callback: code %d (%v), want %d", code, err, codeUnknownInteraction)
	}
}

func TestReconnect(t *testing.T) {
	t.Parallel()
	srv := New(t)
	sess := openSession(t, srv, testIntents, true)
	messages := make(chan *discordgo.MessageCreate, 8)
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) { messages <- e })

	srv.DropConnection()
	missed := srv.SendMessage(&discordgo.Message{Content: "<@" + AppID + "> while away"})
	if got := receive(t, messages); got.ID != missed.ID {
		t.Errorf("first event after reconnect = %s, want the missed %s", got.ID, missed.ID)
	}
	if err := srv.WaitHandshakes(waitCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	if resumes := srv.Resumes(); len(resumes) == 0 || !resumes[0].OK {
		t.Errorf("resumes = %+v, want a successful RESUME first", resumes)
	}

	// discordgo may still close the resumed connection and identify again
	// (see Dispatch), so a later event is retried until one arrives.
	deadline := time.After(10 * time.Second)
	for delivered := false; !delivered; {
		later := srv.SendMessage(&discordgo.Message{Content: "<@" + AppID + "> later"})
		retry := time.After(1500 * time.Millisecond)
		for waiting := true; waiting && !delivered; {
			select {
			case got := <-messages:
				delivered = got.ID == later.ID && got.Content == later.Content
			case <-retry:
				waiting = false
			case <-deadline:
				t.Fatal("no event delivered after reconnecting")
			}
		}
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	srv := New(t)
	sess := openSession(t, srv, testIntents, true)
	// A normal close ends the gateway session: reopening tries RESUME, gets
	// Invalid Session and identifies again.
	if err := CloseSession(sess); err != nil {
		t.Fatal(err)
	}
	if err := sess.Open(); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if err := srv.WaitHandshakes(waitCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	resumes := srv.Resumes()
	if len(resumes) != 1 || resumes[0].OK || len(srv.Identifies()) != 2 {
		t.Errorf("resumes = %+v with %d identifies, want one refused RESUME and two IDENTIFY", resumes, len(srv.Identifies()))
	}
}

// TestNoLeaks is not parallel: parallel tests wait until it ends, so the
// goroutines it finds after its server and session are closed are its own.
func TestNoLeaks(t *testing.T) {
	t.Run("session", func(t *testing.T) {
		srv := New(t)
		sess := openSession(t, srv, testIntents, true)
		srv.SendInteraction(&discordgo.Interaction{})
		if _, err := sess.ChannelMessageSend(ChannelID, "bye"); err != nil {
			t.Fatal(err)
		}
	})
	deadline := time.Now().Add(3 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "bwmarrin/discordgo") || strings.Contains(g, "discordtest.(*") || strings.Contains(g, "net/http.(*persistConn)") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after close:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPostInteraction posts interactions to endpoints that verify them as a
// bot must and reply in various ways.
func TestPostInteraction(t *testing.T) {
	t.Parallel()
	srv := New(t, WithInteractionDeadline(500*time.Millisecond))
	sess := srv.Session(t, "secret")
	// reply verifies the request and answers with status, Content-Type and body after pause.
	reply := func(status int, contentType, body string, pause time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !discordgo.VerifyInteraction(r, srv.PublicKey()) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			time.Sleep(pause)
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	const deferred = `{"type":5,"data":{"flags":64}}`
	tests := []struct {
		name     string
		in       *discordgo.Interaction
		endpoint http.HandlerFunc
		wantErr  string
	}{
		{"deferred", &discordgo.Interaction{}, reply(200, "application/json", deferred, 0), ""},
		{"PING", &discordgo.Interaction{Type: discordgo.InteractionPing}, reply(200, "application/json; charset=utf-8", `{"type":1}`, 0), ""},
		{"PING not answered with PONG", &discordgo.Interaction{Type: discordgo.InteractionPing}, reply(200, "application/json", deferred, 0), "PONG answers a PING"},
		{"PONG to a command", &discordgo.Interaction{}, reply(200, "application/json", `{"type":1}`, 0), "PONG answers a PING"},
		{"refused", &discordgo.Interaction{}, reply(401, "text/plain", "no", 0), "reply 401 no, want 200"},
		{"not JSON", &discordgo.Interaction{}, reply(200, "text/plain", deferred, 0), "want application/json"},
		{"too slow", &discordgo.Interaction{}, reply(200, "application/json", deferred, time.Second), "Discord waits 500ms"},
		{"message too long", &discordgo.Interaction{}, reply(200, "application/json", `{"type":4,"data":{"content":"`+strings.Repeat("x", 2001)+`"}}`, 0), "data.content: 2001 characters, at most 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.endpoint)
			defer ts.Close()
			resp, err := srv.PostInteraction(waitCtx(t), ts.URL, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("PostInteraction: %+v, %v; want an error containing %q", resp, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.in.Type == discordgo.InteractionPing {
				return
			}
			if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || srv.Original(tt.in.Token) == nil {
				t.Fatalf("reply %+v, original %+v; want a deferral", resp, srv.Original(tt.in.Token))
			}
			if _, err := sess.InteractionResponseEdit(tt.in, &discordgo.WebhookEdit{Content: ptr("done")}); err != nil {
				t.Fatal(err)
			}
			if got := srv.Original(tt.in.Token); got.Content != "done" || got.Flags != discordgo.MessageFlagsEphemeral {
				t.Errorf("original %+v, want the ephemeral edit", got)
			}
		})
	}
	t.Run("webhook waits for the reply", func(t *testing.T) {
		in := &discordgo.Interaction{}
		edited := make(chan error, 1)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// An edit sent before the reply is answered once Discord has the reply.
			go func() {
				_, err := sess.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: ptr("early")})
				edited <- err
			}()
			time.Sleep(100 * time.Millisecond)
			reply(200, "application/json", deferred, 0)(w, r)
		}))
		defer ts.Close()
		if _, err := srv.PostInteraction(waitCtx(t), ts.URL, in); err != nil {
			t.Fatal(err)
		}
		if err := receive(t, edited); err != nil {
			t.Fatalf("edit sent before the reply: %v", err)
		}
		if got := srv.Original(in.Token); got.Content != "early" {
			t.Errorf("original %q, want the edit", got.Content)
		}
	})
	t.Run("loopback only", func(t *testing.T) {
		if _, err := srv.PostInteraction(waitCtx(t), "https://example.com/interactions", &discordgo.Interaction{}); err == nil || !strings.Contains(err.Error(), "only loopback") {
			t.Errorf("PostInteraction to example.com: %v, want a refusal", err)
		}
	})
	t.Run("application", func(t *testing.T) {
		app, err := sess.Application("@me")
		if err != nil {
			t.Fatal(err)
		}
		if app.ID != AppID || app.VerifyKey != hex.EncodeToString(srv.PublicKey()) {
			t.Errorf("application %s with key %s, want %s with the fake's key", app.ID, app.VerifyKey, AppID)
		}
	})
}

func ptr[T any](v T) *T { return &v }
