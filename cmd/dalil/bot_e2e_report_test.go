package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/eval"
	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// askAs sends /ask question as the member userID and returns the answer
// once rendered.
func (h *harness) askAs(question, userID string) *discordgo.Message {
	h.t.Helper()
	in := h.srv.SendInteraction(&discordgo.Interaction{
		Member: &discordgo.Member{User: &discordgo.User{ID: userID, Username: "m" + userID}, Permissions: discordtest.DefaultPermissions},
		Data: discordgo.ApplicationCommandInteractionData{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: question,
		}}},
	})
	h.wait(editOf(in, hasButtons))
	return h.srv.Original(in.Token)
}

// hasButtons is an edit that adds the vote buttons: the answer, stored.
func hasButtons(m map[string]any) bool { c, _ := m["components"].([]any); return len(c) > 0 }

// cli runs a dalil command over the harness's database, as an admin
// would next to the running bot, and returns its stdout and stderr.
func (h *harness) cli(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	a := &app{cfg: h.wired.cfg, stdout: &out, stderr: &errOut, log: h.wired.log, store: h.store}
	err := a.Run(context.Background(), args)
	return out.String(), errOut.String(), err
}

// TestReportFromDiscord fills the database through the bot's own paths —
// questions asked with /ask and a mention in the fake Discord, votes
// clicked — then reads it back as admins do: `dalil report`, `dalil
// feedback export --jsonl` (read back by eval.ReadQuestions, as `dalil
// eval --questions` reads it) and /stats in Discord.
func TestReportFromDiscord(t *testing.T) {
	h := start(t, setup{bot: func(c *bot.Config) { c.UserPerMinute, c.UserBurst = 60, 60 }})
	const (
		cous1   = "Quelle est la recette du couscous aux sept légumes ?"
		cous2   = "Comment préparer le couscous aux sept légumes ?"
		cous3   = "quelle est la RECETTE du couscous aux sept legumes"
		hostile = "<script>alert(1)</script> @everyone \x1b]0;pwned\x07\x1b[2J"
		port    = "What did the port of Casablanca open on Thursday?"
	)
	ia := h.askAs(askIA, "1400000000000000001")
	c1 := h.askAs(cous1, "1400000000000000002")
	c2 := h.askAs(cous2, "1400000000000000003")
	h.askAs(cous3, "1400000000000000002")
	h.askAs(hostile, "1400000000000000003")
	pt := h.askAs(port, "1400000000000000001")
	// A 4,000-character question, as a mention can carry.
	long := strings.Repeat("Pourquoi la bibliothèque numérique ferme-t-elle ? ", 80)[:4000]
	h.srv.SendMessage(&discordgo.Message{Author: &discordgo.User{ID: "1400000000000000004", Username: "m4"}, Content: "<@" + discordtest.AppID + "> " + long})
	h.wait(func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/") && hasButtons(m)
	})
	h.vote(ia, 0) // 👍 on an answer from the archive: an answerable case
	h.vote(c1, 0) // 👍 on "not found": an unanswerable case
	h.vote(c2, 1) // 👎 on "not found": for review, never exported
	h.vote(pt, 1) // 👎 on an answer from the archive: exported with --down only

	out, errOut, err := h.cli("report", "--json")
	if err != nil {
		t.Fatalf("report --json: %v\n%s", err, errOut)
	}
	var r insights.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	today := time.Now().In(h.wired.cfg.TimeZone).Format(time.DateOnly)
	type figures struct{ Asked, Answered, NotFound, Members, Days, Up, Down int }
	if d := cmp.Diff(figures{7, 2, 5, 4, 8, 2, 2}, figures{r.Asked, r.Answered, r.NotFound, r.Members, len(r.Days), r.VotesUp, r.VotesDown}); d != "" {
		t.Errorf("report figures (-want +got):\n%s", d)
	}
	if last := r.Days[len(r.Days)-1]; last.Date != today || last.Asked != 7 {
		t.Errorf("last day = %+v, want today (%s) with the 7 questions", last, today)
	}
	if len(r.Unanswered) != 3 || r.Unanswered[0].Count != 3 || !strings.Contains(strings.ToLower(r.Unanswered[0].Question), "couscous") ||
		len(r.Unanswered[0].Variants) != 2 || !slices.Contains(r.Unanswered[0].Langs, "fr") {
		t.Errorf("unanswered = %+v, want the three couscous questions merged first, then the hostile and the long one", r.Unanswered)
	}
	if len(r.TopArticles) != 2 || r.TopArticles[0].Answers != 1 || r.LatencyP95ms < r.LatencyP50ms || r.LatencyP50ms <= 0 {
		t.Errorf("articles %+v, latency %d/%d ms: want the two fixtures once each, positive latencies", r.TopArticles, r.LatencyP50ms, r.LatencyP95ms)
	}
	if len(r.Disliked) != 2 || r.Disliked[0].Question != port || !r.Disliked[0].Found || r.Disliked[0].Lang != "en" ||
		len(r.Disliked[0].Citations) != 1 || r.Disliked[1].Question != cous2 || r.Disliked[1].Found || r.Disliked[1].Lang != "fr" {
		t.Errorf("disliked = %+v, want the 👎 on the port answer, then on the couscous one, with their languages", r.Disliked)
	}

	t.Run("text", func(t *testing.T) {
		out, _, err := h.cli("report", "--since", "1d")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"asked      7", "answered   2 (29%)", "also: ", "<script>alert(1)</script> @everyone",
			"Disliked answers (👎)", "Q: " + port, "Members appear only as keyed hashes. Answers and votes are kept 90 days"} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("report prints a member's terminal escapes:\n%q", out)
		}
		for _, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > 400 {
				t.Errorf("a line of %d characters: the 4,000-character question is not cut", n)
			}
		}
	})

	t.Run("export", func(t *testing.T) {
		read := func(args ...string) ([]eval.Question, string) {
			t.Helper()
			out, errOut, err := h.cli(append([]string{"feedback", "export", "--jsonl"}, args...)...)
			if err != nil {
				t.Fatalf("feedback export: %v\n%s", err, errOut)
			}
			path := filepath.Join(t.TempDir(), "feedback.jsonl")
			if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			qs, err := eval.ReadQuestions(path)
			if err != nil {
				t.Fatalf("the export does not read back: %v\n%s", err, out)
			}
			return qs, errOut
		}
		type brief struct{ Kind, Lang, Question, URLs string }
		briefs := func(qs []eval.Question) []brief {
			var out []brief
			for _, q := range qs {
				out = append(out, brief{q.Kind, q.Lang, q.Text, strings.Join(q.ExpectedURLs, " ")})
				if !strings.HasPrefix(q.ID, "feedback-") {
					t.Errorf("question id %q", q.ID)
				}
			}
			return out
		}
		qs, summary := read()
		want := []brief{{insights.KindFeedbackNone, "fr", cous1, ""}, {insights.KindFeedback, "fr", askIA, fixtures[0].URL}}
		if d := cmp.Diff(want, briefs(qs)); d != "" {
			t.Errorf("export (-want +got):\n%s", d)
		}
		if !strings.Contains(summary, "exported 2 questions") || !strings.Contains(summary, "skipped 2 more 👎 than 👍") {
			t.Errorf("summary: %q", summary)
		}
		qs, _ = read("--down", "--since", "7d")
		want = append([]brief{{insights.KindFeedbackDown, "en", port, ""}}, want...)
		if d := cmp.Diff(want, briefs(qs)); d != "" {
			t.Errorf("export --down (-want +got):\n%s", d)
		}
	})

	t.Run("stats", func(t *testing.T) {
		in := h.srv.SendInteraction(&discordgo.Interaction{
			Member: &discordgo.Member{Permissions: discordgo.PermissionAdministrator},
			Data:   discordgo.ApplicationCommandInteractionData{Name: "stats"},
		})
		cb := h.wait(callbackOf(in))
		var resp discordgo.InteractionResponse
		if err := cb.Decode(&resp); err != nil || cb.Status != 204 || len(resp.Data.Embeds) != 2 {
			t.Fatalf("stats response %d: %s", cb.Status, cb.Body)
		}
		if resp.Data.Embeds[0].Fields[0].Value != "2" {
			t.Errorf("archive articles = %q, want the archive's stats first", resp.Data.Embeds[0].Fields[0].Value)
		}
		week := resp.Data.Embeds[1]
		values := map[string]string{}
		for _, f := range week.Fields {
			values[f.Name] = f.Value
		}
		if week.Title != "Questions, last 7 days" || values["Asked"] != "7" || values["Answered from the archive"] != "2 (29 %)" {
			t.Errorf("last week's embed = %s", cb.Body)
		}
		unanswered := values["Most asked, not in the archive"]
		lines := strings.Split(unanswered, "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "**3×** ") || !strings.Contains(unanswered, `\<script\>alert(1)\</script\> @`+"\u200b"+`everyone`) {
			t.Errorf("unanswered field, want the couscous topic first and the hostile question escaped:\n%s", unanswered)
		}
		if cited := values["Most cited articles"]; !strings.Contains(cited, "**1×** [") || strings.Count(cited, "\n") != 1 {
			t.Errorf("cited articles field:\n%s", cited)
		}
	})
}

// TestCLIReportEmpty: the report and the export of an empty archive, and
// of a period without questions; bad arguments.
func TestCLIReportEmpty(t *testing.T) {
	c := newCLI(t)
	out, errOut, err := c.run("report")
	if err != nil || !strings.Contains(out, "no questions in this period") || !strings.Contains(out, "votes  0 👍, 0 👎") {
		t.Errorf("report on an empty archive: %v\n%s%s", err, out, errOut)
	}
	out, _, err = c.run("report", "--json", "--since", "2d")
	var r insights.Report
	if err == nil {
		err = json.Unmarshal([]byte(out), &r)
	}
	if err != nil || r.Asked != 0 || len(r.Days) != 3 || r.Unanswered == nil || r.TopArticles == nil || r.Disliked == nil ||
		!strings.Contains(out, `"unanswered": []`) {
		t.Errorf("report --json on an empty archive: %v\n%s", err, out)
	}
	out, errOut, err = c.run("feedback", "export", "--jsonl")
	if err != nil || out != "" || !strings.Contains(errOut, "exported 0 questions") {
		t.Errorf("export of no votes: %v, %q, %q", err, out, errOut)
	}

	// A month-old question: outside a week, inside two months.
	ctx := context.Background()
	store, err := postgres.Open(ctx, c.env["DATABASE_URL"], postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	id, err := store.SaveAnswer(ctx, rag.AnswerRecord{Question: "Old question?", Answer: "…", UserID: "1400000000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE answers SET created_at = now() - interval '30 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if out, _, err = c.run("report"); err != nil || !strings.Contains(out, "no questions in this period") {
		t.Errorf("report of a week without questions: %v\n%s", err, out)
	}
	if out, _, err = c.run("report", "--since", "60d"); err != nil || !strings.Contains(out, "asked      1") || !strings.Contains(out, "Old question?") {
		t.Errorf("report of two months: %v\n%s", err, out)
	}

	for _, args := range [][]string{
		{"report", "--since", "0d"},
		{"report", "--since", "a week"},
		{"report", "extra"},
		{"feedback", "export"},
		{"feedback", "export", "--jsonl", "--since", "-1d"},
	} {
		if _, _, err := c.run(args...); err == nil {
			t.Errorf("%q succeeded, want an error", args)
		}
	}
}
