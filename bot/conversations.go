package bot

import (
	"github.com/dalil-news/dalil/internal/lru"
	"github.com/dalil-news/dalil/prompts"
)

// conversations remembers the last turns of each thread the bot answers in.
type conversations struct {
	turns int
	c     *lru.Cache[[]prompts.Message]
}

func newConversations(max, turns int) *conversations {
	return &conversations{turns: turns, c: lru.New[[]prompts.Message](max)}
}

// history returns the turns of a conversation and whether it exists.
func (c *conversations) history(channelID string) ([]prompts.Message, bool) {
	h, ok := c.c.Get(channelID)
	return append([]prompts.Message(nil), h...), ok
}

// start makes channelID a conversation (with no turns yet).
func (c *conversations) start(channelID string) {
	if _, ok := c.c.Get(channelID); !ok {
		c.c.Put(channelID, nil)
	}
}

// add appends a question and its answer, keeping the last turns.
func (c *conversations) add(channelID, question, answer string) {
	h, _ := c.c.Get(channelID)
	h = append(append([]prompts.Message(nil), h...),
		prompts.Message{Role: prompts.RoleUser, Content: question},
		prompts.Message{Role: prompts.RoleAssistant, Content: answer})
	if len(h) > c.turns {
		h = h[len(h)-c.turns:]
	}
	c.c.Put(channelID, h)
}
