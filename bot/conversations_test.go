package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/prompts"
)

func TestConversations(t *testing.T) {
	c := newConversations(2, 4)
	if _, ok := c.history("t1"); ok {
		t.Fatal("unknown thread is a conversation")
	}
	c.start("t1")
	c.add("t1", "q1", "a1")
	c.add("t1", "q2", "a2")
	c.add("t1", "q3", "a3")
	got, ok := c.history("t1")
	want := []prompts.Message{{Role: "user", Content: "q2"}, {Role: "assistant", Content: "a2"}, {Role: "user", Content: "q3"}, {Role: "assistant", Content: "a3"}}
	if d := cmp.Diff(want, got); !ok || d != "" {
		t.Errorf("history keeps the last turns (-want +got):\n%s", d)
	}
	c.start("t2")
	c.start("t3") // evicts t1, the least recently used
	if _, ok := c.history("t1"); ok {
		t.Error("t1 still remembered beyond the bound")
	}
}
