package bot

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/digest"
)

var _ digest.Poster = (*Poster)(nil)

// Poster posts digests to Discord channels through a session. It needs no
// Bot: a digest scheduler is given one, and the Bot that controls the
// scheduler (DigestControl) is made after it, over the same session.
type Poster struct{ s *discordgo.Session }

// NewPoster returns a Poster that posts through session.
func NewPoster(session *discordgo.Session) *Poster { return &Poster{s: session} }

// Render writes d as the messages Post sends: RenderDigest.
func (*Poster) Render(d digest.Digest) []string { return RenderDigest(d) }

// Post sends a digest's parts to a channel, in order, with mentions
// disabled and link previews suppressed, and returns the IDs of the
// messages created. When it fails after creating some, it returns their
// IDs with the error.
func (p *Poster) Post(ctx context.Context, channelID string, parts []string) ([]string, error) {
	for i, part := range parts {
		if n := utf8.RuneCountInString(part); n == 0 || n > maxContent {
			return nil, fmt.Errorf("post in channel %s: part %d of %d has %d characters (1 to %d allowed)", channelID, i+1, len(parts), n, maxContent)
		}
	}
	var ids []string
	for i, part := range parts {
		m, err := p.s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content: part, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds,
		}, discordgo.WithContext(ctx))
		if err != nil {
			return ids, fmt.Errorf("post part %d of %d in channel %s: %w", i+1, len(parts), channelID, err)
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}
