package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
)

// threadArchiveMinutes is how long an idle answer thread stays open.
const threadArchiveMinutes = 1440

// onMessage answers a message that mentions the bot in a new thread, and
// any later message in a conversation: a thread or DM the bot has answered
// in, as its AnswerStore says.
func (b *Bot) onMessage(s *discordgo.Session, ev *discordgo.MessageCreate) {
	m := ev.Message
	botID := b.botUserID()
	if m == nil || m.Author == nil || m.Author.Bot || m.Author.ID == botID || botID == "" {
		return
	}
	mentioned := mentionsUser(m, botID)
	if !mentioned && (m.Content == "" || !b.mayConverse(m)) {
		// Nothing to answer: without MESSAGE_CONTENT all but mentions come
		// empty, and a channel that is not a thread or a DM holds no
		// conversation; neither costs a query.
		return
	}
	history, inConv := b.conversation(m.ChannelID)
	if !mentioned && !inConv {
		return
	}
	if !b.admit() { // stopping
		return
	}
	defer b.inflight.Done()
	ctx, cancel := context.WithTimeout(b.work, 30*time.Second)
	defer cancel()
	p := mentionClaim{
		MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID,
		Question: stripMention(m.Content, botID), Mentioned: mentioned, InConv: inConv,
	}
	c := b.claim(ctx, "m:"+m.ID, kindMention, p)
	if c == nil {
		return
	}
	defer c.release()
	b.handleMention(ctx, c, p, history, m.Author.ID)
}

// handleMention answers a claimed mention: in a new thread, or where it
// was asked, by a placeholder that a worker edits into the answer.
// authorID is the member to rate limit, "" when the question was taken
// over from a dead replica (which counted it); p then tells whether the
// placeholder is posted already.
func (b *Bot) handleMention(ctx context.Context, c *claim, p mentionClaim, history []prompts.Message, authorID string) {
	m := p.message()
	defer func() {
		if v := recover(); v != nil {
			id := newErrorID()
			b.metrics.errors.WithLabelValues("panic").Inc()
			b.log.Error("message handler panicked", "error_id", id, "panic", fmt.Sprint(v), "message", m.ID, "channel", m.ChannelID)
			b.report(ctx, b.replyTo(ctx, m, phrases.Text("en", phrases.Apology, id)))
		}
	}()

	question := p.Question
	lang, ui := b.languages(question, "en")
	if question == "" {
		if p.Mentioned {
			b.report(ctx, b.replyTo(ctx, m, phrases.Text(ui, phrases.AskHint)))
		}
		return
	}
	if authorID != "" {
		if ok, no := b.allow(ctx, authorID, m.GuildID); !ok {
			b.metrics.questions.WithLabelValues("mention", "rate_limited").Inc()
			b.report(ctx, b.replyTo(ctx, m, no.text(ui)))
			return
		}
	}
	start := time.Now()
	if p.Placeholder == "" {
		var err error
		if p.AnswerChannel, p.Conv, p.Placeholder, err = b.postPlaceholder(ctx, m, question, ui, p.InConv); err != nil {
			b.report(ctx, err)
			return
		}
		c.update(ctx, p)
	}
	b.enqueue(ctx, &askJob{
		source: "mention", question: question, lang: lang, uiLang: ui, history: history, conv: p.Conv,
		userID: authorID, guildID: m.GuildID, asked: m.ChannelID, channel: p.AnswerChannel, start: start,
		reply: &channelReply{b: b, channelID: p.AnswerChannel, messageID: p.Placeholder}, claim: c,
	})
}

// postPlaceholder posts the message that the answer to m will replace: in
// a new thread for a new conversation, else where m was asked, as a reply.
// It returns the channel, the conversation the answer extends ("" when it
// is given in place in a channel that cannot hold a thread) and the
// message.
func (b *Bot) postPlaceholder(ctx context.Context, m *discordgo.Message, question, ui string, inConv bool) (channel, conv, id string, err error) {
	channel, conv = m.ChannelID, m.ChannelID
	if !inConv && m.GuildID != "" && !b.isThread(ctx, m.ChannelID) {
		// A new conversation gets its own thread; inside a thread (Discord
		// refuses a thread in a thread) or a channel without threads, the
		// answer stays where it was asked.
		th, err := b.s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
			Name: threadName(question), AutoArchiveDuration: threadArchiveMinutes,
		}, discordgo.WithContext(ctx))
		var rest *discordgo.RESTError
		switch {
		case err == nil:
			channel, conv = th.ID, th.ID
		case errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == discordgo.ErrCodeThreadAlreadyCreatedForThisMessage:
			// Started already, as by a replica that died before posting
			// its placeholder: a message's thread has the message's ID.
			channel, conv = m.ID, m.ID
		default:
			// The channel's other messages are not for the bot: no
			// conversation, and a follow-up needs a mention.
			conv = ""
			b.log.Info("answering in place: cannot start a thread", "channel", m.ChannelID, "err", err)
		}
	}
	placeholder := &discordgo.MessageSend{Content: phrases.Text(ui, phrases.Thinking), AllowedMentions: noMentions()}
	if channel == m.ChannelID {
		placeholder.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}
	}
	ph, err := b.s.ChannelMessageSendComplex(channel, placeholder, discordgo.WithContext(ctx))
	if err != nil {
		return "", "", "", fmt.Errorf("post the placeholder in channel %s: %w", channel, err)
	}
	return channel, conv, ph.ID, nil
}

// mayConverse reports whether m's channel may be a conversation: a DM, a
// thread, or a channel the session's state does not know.
func (b *Bot) mayConverse(m *discordgo.Message) bool {
	if m.GuildID == "" {
		return true
	}
	ch, err := b.s.State.Channel(m.ChannelID)
	return err != nil || ch.IsThread()
}

// isThread reports whether channel id is a thread: from the session's state
// (the GUILDS intent keeps it up to date with the guilds' channels and
// threads), else from Discord, whose answer the state then keeps. A channel
// that cannot be looked up is taken for a channel that is not a thread.
func (b *Bot) isThread(ctx context.Context, id string) bool {
	if ch, err := b.s.State.Channel(id); err == nil {
		return ch.IsThread()
	}
	ch, err := b.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Info("cannot look up the channel of a mention", "channel", id, "err", err)
		return false
	}
	_ = b.s.State.ChannelAdd(ch) // fails only when the state lacks the guild
	return ch.IsThread()
}

// replyTo answers a message with a short text, as a reply.
func (b *Bot) replyTo(ctx context.Context, m *discordgo.Message, content string) error {
	_, err := b.s.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Content:         content,
		AllowedMentions: noMentions(),
		Reference:       &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reply to message %s in channel %s: %w", m.ID, m.ChannelID, err)
	}
	return nil
}

// mentionsUser reports whether m mentions the user id.
func mentionsUser(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+id+">") || strings.Contains(m.Content, "<@!"+id+">")
}

// stripMention removes the mentions of the user id from content.
func stripMention(content, id string) string {
	content = strings.ReplaceAll(content, "<@!"+id+">", " ")
	content = strings.ReplaceAll(content, "<@"+id+">", " ")
	return nlp.Collapse(content)
}

// threadName makes a thread name (1 to 100 characters) from a question.
func threadName(q string) string {
	return nlp.Truncate(q, 100)
}
