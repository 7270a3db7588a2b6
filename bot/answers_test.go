package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

func TestHistory(t *testing.T) {
	recs := []rag.AnswerRecord{{Question: "q1", Answer: "a1"}, {Question: "q2", Answer: "a2"}}
	user := func(c string) prompts.Message { return prompts.Message{Role: prompts.RoleUser, Content: c} }
	bot := func(c string) prompts.Message { return prompts.Message{Role: prompts.RoleAssistant, Content: c} }
	tests := []struct {
		name  string
		recs  []rag.AnswerRecord
		turns int
		want  []prompts.Message
	}{
		{"none", nil, 8, []prompts.Message{}},
		{"all", recs, 8, []prompts.Message{user("q1"), bot("a1"), user("q2"), bot("a2")}},
		{"last turns", recs, 3, []prompts.Message{bot("a1"), user("q2"), bot("a2")}},
		{"one", recs, 1, []prompts.Message{bot("a2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, history(tt.recs, tt.turns), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("history (-want +got):\n%s", d)
			}
		})
	}
}
