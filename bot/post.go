package bot

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/digest"
)

var _ digest.Poster = (*Bot)(nil)

// Render writes d as the messages Post sends: RenderDigest.
func (b *Bot) Render(d digest.Digest) []string { return RenderDigest(d) }

// Post sends a digest's parts to a channel, in order, with mentions
// disabled and link previews suppressed, and returns the IDs of the
// messages created. When it fails after creating some, it returns their
// IDs with the error.
func (b *Bot) Post(ctx context.Context, channelID string, parts []string) ([]string, error) {
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n == 0 || n > maxContent {
			return nil, fmt.Errorf("post in channel %s: part %d of %d has %d characters (1 to %d allowed)", channelID, i+1, len(parts), n, maxContent)
		}
	}
	var ids []string
	for i, p := range parts {
		m, err := b.s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds,
		}, discordgo.WithContext(ctx))
		if err != nil {
			return ids, fmt.Errorf("post part %d of %d in channel %s: %w", i+1, len(parts), channelID, err)
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}
