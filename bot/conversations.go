package bot

import "github.com/dalil-news/dalil/rag"

// conversations remembers the last turns of each thread the bot answers in.
type conversations struct {
	turns int
	c     *lru[[]rag.Message]
}

func newConversations(max, turns int) *conversations {
	return &conversations{turns: turns, c: newLRU[[]rag.Message](max)}
}

// history returns the turns of a conversation and whether it exists.
func (c *conversations) history(channelID string) ([]rag.Message, bool) {
	h, ok := c.c.get(channelID)
	return append([]rag.Message(nil), h...), ok
}

// start makes channelID a conversation (with no turns yet).
func (c *conversations) start(channelID string) {
	if _, ok := c.c.get(channelID); !ok {
		c.c.put(channelID, nil)
	}
}

// add appends a question and its answer, keeping the last turns.
func (c *conversations) add(channelID, question, answer string) {
	h, _ := c.c.get(channelID)
	h = append(append([]rag.Message(nil), h...),
		rag.Message{Role: rag.RoleUser, Content: question},
		rag.Message{Role: rag.RoleAssistant, Content: answer})
	if len(h) > c.turns {
		h = h[len(h)-c.turns:]
	}
	c.c.put(channelID, h)
}
