package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/rag"
)

// botAnswers returns the bot's messages in a channel, oldest first.
func (h *harness) botAnswers(channelID string) []*discordgo.Message {
	var out []*discordgo.Message
	for _, m := range h.srv.ChannelMessages(channelID) {
		if m.Author.ID == discordtest.AppID {
			out = append(out, m)
		}
	}
	return out
}

// vote clicks a vote button (0: 👍, 1: 👎) of the bot's message m and waits
// for the bot's reply.
func (h *harness) vote(m *discordgo.Message, button int) {
	h.t.Helper()
	if len(m.Components) == 0 {
		h.t.Fatalf("message %s has no vote buttons", m.ID)
	}
	b := m.Components[0].(*discordgo.ActionsRow).Components[button].(*discordgo.Button)
	in := h.srv.SendInteraction(&discordgo.Interaction{
		Type:      discordgo.InteractionMessageComponent,
		ChannelID: m.ChannelID,
		Message:   m,
		Data:      discordgo.MessageComponentInteractionData{CustomID: b.CustomID, ComponentType: discordgo.ButtonComponent},
	})
	if cb := h.wait(callbackOf(in)); cb.Status != 204 {
		h.t.Fatalf("vote callback: %s %s", cb, cb.Response)
	}
}

// TestRestartKeepsConversations restarts the bot over the same database,
// as a new process or another replica would start: a follow-up in the
// first bot's thread is answered with the conversation so far, and a vote
// on the first bot's answer is stored with its question and citations.
func TestRestartKeepsConversations(t *testing.T) {
	h := start(t, followUps())
	q := h.srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA})
	h.wait(discordtest.Route("POST", "/api/v9/channels/"+discordtest.ChannelID+"/messages/"+q.ID+"/threads"))
	thread := h.srv.Channel(q.ID)
	inThread := func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+thread.ID+"/messages/") && hasEmbeds(m)
	}
	h.wait(inThread)
	first := h.botAnswers(thread.ID)[0]

	h.restart()

	// A follow-up without a mention: the new bot knows the thread.
	h.srv.SendMessage(&discordgo.Message{ChannelID: thread.ID, Content: "Et quand sera-t-elle créée ?"})
	h.waitN(2, inThread)
	if answers := h.botAnswers(thread.ID); len(answers) != 2 || !strings.Contains(answers[1].Content, "2024 [1]") {
		t.Errorf("bot messages in the thread = %d, want the follow-up answered", len(answers))
	}
	h.checkRewrite("Mezzour", "Et quand sera-t-elle créée ?")

	// A vote on the answer the first bot gave.
	h.vote(first, 0)
	fb, err := h.store.RecentFeedback(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].MessageID != first.ID || fb[0].Vote != 1 || fb[0].Question != askIA ||
		len(fb[0].Citations) != 1 || fb[0].Citations[0].Article.URL != fixtures[0].URL {
		t.Errorf("stored feedback = %+v, want a 👍 on the first answer with its question and citation", fb)
	}
}

// TestAnswersPurged: answers older than the retention are purged when the
// bot starts, and a vote on a purged answer is stored with what its
// message shows.
func TestAnswersPurged(t *testing.T) {
	ctx := context.Background()
	h := start(t, setup{bot: func(c *bot.Config) { c.AnswersRetention = time.Millisecond }})
	in := h.ask(askIA)
	h.wait(editOf(in, final))
	msg := h.srv.Original(in.Token)
	ref := strings.TrimPrefix(msg.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.Button).CustomID, "vote:up:")
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		t.Fatalf("vote button reference %q is not an answer id", ref)
	}
	if a, err := h.store.Answer(ctx, id); err != nil || a.Question != askIA {
		t.Fatalf("stored answer %d = %+v, %v; want the question", id, a, err)
	}

	h.restart()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := h.store.Answer(ctx, id)
		if errors.Is(err, rag.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer %d after the restart: %v, want it purged", id, err)
		}
	}
	h.vote(msg, 1)
	fb, err := h.store.RecentFeedback(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Vote != -1 || fb[0].Question != "" || fb[0].Answer != msg.Content ||
		len(fb[0].Citations) != 1 || !strings.Contains(fb[0].Citations[0].Article.Title, fixtures[0].Title) {
		t.Errorf("stored feedback = %+v, want a 👎 with the message's text and source", fb)
	}
}

// TestAnswerInPlaceStartsNoConversation: where Discord refuses a thread
// (a voice channel's chat), the bot answers in the channel, which does not
// become a conversation: the channel's other messages are not for the bot.
func TestAnswerInPlaceStartsNoConversation(t *testing.T) {
	h := start(t, setup{bot: func(c *bot.Config) { c.MessageContent = true }})
	const voiceID = "1500000000000000077"
	h.srv.AddChannel(&discordgo.Channel{ID: voiceID, GuildID: discordtest.GuildID, Name: "salon vocal", Type: discordgo.ChannelTypeGuildVoice})
	answered := func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+voiceID+"/messages/") && hasEmbeds(m)
	}
	h.srv.SendMessage(&discordgo.Message{ChannelID: voiceID, Content: "<@" + discordtest.AppID + "> " + askIA})
	h.wait(answered)
	if conv, err := h.store.ThreadAnswers(context.Background(), voiceID, 5); err != nil || len(conv) != 0 {
		t.Errorf("the channel's stored conversation = %+v, %v; want none", conv, err)
	}
	h.srv.SendMessage(&discordgo.Message{ChannelID: voiceID, Content: "Et quand sera-t-elle créée ?"})
	h.srv.SendMessage(&discordgo.Message{ChannelID: voiceID, Content: "<@" + discordtest.AppID + "> Et le port de Casablanca ?"})
	h.waitN(2, answered)
	time.Sleep(300 * time.Millisecond) // time to answer the message without a mention, wrongly
	if n := len(h.botAnswers(voiceID)); n != 2 {
		t.Errorf("%d bot messages in the channel, want the two mentions answered and nothing else", n)
	}
}
