package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
)

// postAsk posts /ask question to the bot's interactions endpoint, as
// Discord would, from the member userID ("" for the default member), and
// returns the interaction and the HTTP reply the fake took as its first
// response.
func (h *harness) postAsk(question, userID string) (*discordgo.Interaction, *discordgo.InteractionResponse, error) {
	in := askAs(question, userID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := h.srv.PostInteraction(ctx, h.endpoint, in)
	return in, resp, err
}

// askAs is the /ask interaction of member userID ("" for the default member).
func askAs(question, userID string) *discordgo.Interaction {
	in := &discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{
		Name: "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: question,
		}},
	}}
	if userID != "" {
		in.Member = &discordgo.Member{User: &discordgo.User{ID: userID, Username: "member" + userID}, Permissions: discordtest.DefaultPermissions}
	}
	return in
}

// manyAsks lets n members ask at once, round after round: neither the
// rate limits nor the queue refuse any of them.
func manyAsks(n int) func(*bot.Config) {
	return func(c *bot.Config) {
		c.QueueSize = 2 * n
		c.UserPerMinute, c.UserBurst = 1000, 1000
		c.GuildPerMinute, c.GuildBurst = 1000*n, 1000*n
	}
}

// checkAnswer checks that the original response to in is the cited answer to askIA.
func (h *harness) checkAnswer(in *discordgo.Interaction) {
	h.t.Helper()
	msg := h.srv.Original(in.Token)
	if !strings.Contains(msg.Content, "[1]") || !strings.Contains(msg.Content, "instance nationale") || len(msg.Embeds) != 1 ||
		!strings.Contains(msg.Embeds[0].Description, fixtures[0].URL) || len(msg.Components) != 1 {
		h.t.Errorf("answer to %s = %q with %d embeds and %d component rows, want the quote cited [1], its source and the vote buttons",
			in.ID, msg.Content, len(msg.Embeds), len(msg.Components))
	}
}

func TestHTTPAsk(t *testing.T) {
	h := start(t, setup{http: true})
	in, resp, err := h.postAsk(askIA, "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || resp.Data == nil || resp.Data.Flags != 0 {
		t.Fatalf("HTTP reply %+v, want a public deferral", resp)
	}
	h.wait(editOf(in, final))
	h.checkAnswer(in)
	for _, r := range h.srv.Requests() {
		if callbackOf(in)(r) {
			t.Errorf("%s: an interaction that came over HTTP was answered over REST too", r)
		}
	}
}

func TestHTTPVote(t *testing.T) {
	h := start(t, setup{http: true})
	in, _, err := h.postAsk(askIA, "")
	if err != nil {
		t.Fatal(err)
	}
	h.wait(editOf(in, final))
	answer := h.srv.Original(in.Token)
	up := answer.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.Button)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := h.srv.PostInteraction(ctx, h.endpoint, &discordgo.Interaction{
		Type:    discordgo.InteractionMessageComponent,
		Message: answer,
		Data:    discordgo.MessageComponentInteractionData{CustomID: up.CustomID, ComponentType: discordgo.ButtonComponent},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral ||
		!strings.Contains(resp.Data.Content, "👍") {
		t.Errorf("vote reply %+v, want ephemeral thanks", resp)
	}
	fb, err := h.store.RecentFeedback(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Vote != 1 || fb[0].Question != askIA || fb[0].MessageID != answer.ID || len(fb[0].Citations) != 1 {
		t.Errorf("stored feedback = %+v, want one 👍 with the question and its citation", fb)
	}
}

func TestHTTPConcurrentAsks(t *testing.T) {
	const n = 50
	h := start(t, setup{http: true, bot: manyAsks(n)})
	ins := make([]*discordgo.Interaction, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			var resp *discordgo.InteractionResponse
			ins[k], resp, errs[k] = h.postAsk(askIA, fmt.Sprint(1400000000000001000+k))
			if errs[k] == nil && resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				errs[k] = fmt.Errorf("HTTP reply %+v, want a deferral", resp)
			}
		})
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("question %d: %v", k, err)
		}
	}
	for _, in := range ins {
		h.wait(editOf(in, final))
		h.checkAnswer(in)
	}
}

// BenchmarkAckLatency measures how long Discord waits for the first
// response when 50 members ask at once: over HTTP, from posting the signed
// interaction to having the reply; over the gateway, from dispatching it to
// receiving the callback. Each round waits for the 50 answers, untimed.
func BenchmarkAckLatency(b *testing.B) {
	const n = 50
	for _, transport := range []string{"http", "gateway"} {
		b.Run(transport, func(b *testing.B) {
			h := start(b, setup{http: transport == "http", bot: manyAsks(n)})
			h.wired.dicts.Pairs() // as dalil serve does at start: not on the first question
			var lat []time.Duration
			var mu sync.Mutex
			for b.Loop() {
				ins, sent := make([]*discordgo.Interaction, n), make([]time.Time, n)
				var wg sync.WaitGroup
				for k := range n {
					wg.Go(func() {
						user := fmt.Sprint(1400000000000001000 + k)
						began := time.Now()
						var took time.Duration
						if transport == "http" {
							in, _, err := h.postAsk(askIA, user)
							if err != nil {
								b.Error(err)
								return
							}
							ins[k], took = in, time.Since(began)
						} else {
							// The callback's arrival is read from the fake's
							// log afterwards: 50 goroutines waiting on the log
							// would take the CPU the bot needs.
							ins[k], sent[k] = h.srv.SendInteraction(askAs(askIA, user)), began
							return
						}
						mu.Lock()
						lat = append(lat, took)
						mu.Unlock()
					})
				}
				wg.Wait()
				if transport == "gateway" {
					for k, in := range ins {
						lat = append(lat, h.wait(callbackOf(in)).Time.Sub(sent[k]))
					}
				}
				b.StopTimer()
				for _, in := range ins {
					if in != nil {
						h.wait(editOf(in, final))
					}
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			if len(lat) == 0 {
				return
			}
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
			b.ReportMetric(q(0.5), "ack-p50-ms")
			b.ReportMetric(q(0.99), "ack-p99-ms")
		})
	}
}
