package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/rag"
)

// cli runs dalil's run with the given environment and returns stdout,
// stderr and the error.
type cli struct {
	t   *testing.T
	env map[string]string
}

func (c cli) run(args ...string) (string, string, error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return c.env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func newCLI(t *testing.T) cli {
	return cli{t: t, env: map[string]string{"DATABASE_URL": pgtest.NewDatabase(t)}}
}

func TestCLIIngestSearchAsk(t *testing.T) {
	c := newCLI(t)
	out, errOut, err := c.run("ingest", "--jsonl", "../../examples/wikipedia-sample.jsonl", "../../examples/articles")
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "ingested 17 articles") || !strings.Contains(out, "17 created") {
		t.Errorf("first ingest summary:\n%s", out)
	}
	out, _, err = c.run("ingest", "--quiet", "--jsonl", "../../examples/wikipedia-sample.jsonl", "../../examples/articles")
	if err != nil || !strings.Contains(out, "17 unchanged") || strings.Contains(out, "created ") {
		t.Errorf("second ingest must change nothing (err %v):\n%s", err, out)
	}

	out, _, err = c.run("search", "--json", "--k", "3", "What is Morocco's homemade AI?")
	if err != nil {
		t.Fatal(err)
	}
	var sr struct {
		Results []struct {
			Rank    int         `json:"rank"`
			ChunkID string      `json:"chunk_id"`
			Text    string      `json:"text"`
			Article jsonArticle `json:"article"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &sr); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if len(sr.Results) == 0 || sr.Results[0].Rank != 1 || sr.Results[0].ChunkID == "" || !strings.Contains(sr.Results[0].Article.Title, "Mezzour") {
		t.Errorf("search --json: want the Mezzour article first, got %+v", sr.Results)
	}

	out, _, err = c.run("ask", "What is Morocco's homemade AI?", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ar struct {
		Question  string `json:"question"`
		Found     bool   `json:"found"`
		Answer    string `json:"answer"`
		Citations []struct {
			N       int         `json:"n"`
			Article jsonArticle `json:"article"`
			Quote   string      `json:"quote"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &ar); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	if !ar.Found || !strings.Contains(ar.Answer, "Maha Gmira") || len(ar.Citations) != 1 {
		t.Fatalf("ask --json: %+v", ar)
	}
	got := ar.Citations[0].Article
	if got.Publisher != "L'opinion" || got.Published != "2023-10-24" || got.Lang != "fr" || got.ID == "" {
		t.Errorf("citation article %+v: want L'opinion, 2023-10-24, fr, an id", got)
	}

	out, _, err = c.run("ask", "Quel est le prix du tramway à Rabat ?")
	if err != nil || strings.TrimSpace(out) != "Les archives ne disent rien à ce sujet." {
		t.Errorf("unanswerable question: %v %q", err, out)
	}
}

func TestCLIIngestBadInputs(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.txt", nil)
	binary := write("binary.txt", []byte("\x00\x01\x02PK\x03\x04\x00\x00"))
	latin1 := write("latin1.txt", []byte("Le ministre a d\xe9clar\xe9 que l'\xe9cole ouvrirait."))
	good := write("good.md", []byte("# Le port de Tanger\n\nLe port de Tanger Med a battu un record de trafic en 2024, selon son directeur."))
	badJSONL := write("bad.jsonl", []byte("{\"title\":\"ok\",\"url\":\"https://x.example/a\",\"text\":\"Un texte valide pour un article de test.\"}\nnot json\n{\"title\":\"no text\"}\n"))
	_, errOut, err := c.run("ingest", "--jsonl", badJSONL, empty, binary, latin1, good, filepath.Join(dir, "missing.txt"), "http://127.0.0.1:1/page")
	if !errors.Is(err, errReported) {
		t.Fatalf("ingest with bad inputs: %v, want the failures reported", err)
	}
	for _, want := range []string{"empty.txt", "binary.txt", "latin1.txt", "missing.txt", "bad.jsonl:2", "bad.jsonl:3", "http://127.0.0.1:1/page"} {
		if !strings.Contains(errOut, "error: ") || !strings.Contains(errOut, want) {
			t.Errorf("stderr does not name %s:\n%s", want, errOut)
		}
	}
	if lines := strings.Count(errOut, "\n"); lines != 7 {
		t.Errorf("want one line per bad input (7), got %d:\n%s", lines, errOut)
	}
	out, _, _ := c.run("search", "--json", "Tanger record de trafic")
	if !strings.Contains(out, "Tanger Med") {
		t.Errorf("the good inputs must be stored despite the bad ones; search found:\n%s", out)
	}
}

// TestCLIIngestRepeats ingests an archive that repeats itself: however
// the worker batches it, each line's outcome is that of ingesting the lines
// one by one.
func TestCLIIngestRepeats(t *testing.T) {
	c := newCLI(t)
	line := func(url, text string) string {
		b, err := json.Marshal(map[string]string{"title": url, "url": "https://x.example/" + url, "text": text})
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	const text = "Le port de Tanger Med a battu un record de trafic en 2024, selon son directeur."
	var jsonl strings.Builder
	for range 40 { // more than a batch
		jsonl.WriteString(line("tanger", text))
	}
	jsonl.WriteString(line("mirror", text))
	jsonl.WriteString(line("tanger", text+" Il vise davantage en 2025."))
	jsonl.WriteString(line("rif", "La saison des pluies commence tôt dans le Rif cette année."))
	// A later line of the same URL that is no article supersedes nothing.
	jsonl.WriteString(`{"url": "https://x.example/rif", "text": "Plus de pluie.", "published": "yesterday"}` + "\n")
	path := filepath.Join(t.TempDir(), "repeats.jsonl")
	if err := os.WriteFile(path, []byte(jsonl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := c.run("ingest", "--workers", "1", "--jsonl", path)
	if err == nil || !strings.Contains(errOut, "repeats.jsonl:44: line 44: bad published date") {
		t.Errorf("ingest: %v, stderr %q; want line 44's failure reported", err, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.Fields(l)[0])
	}
	// The last line of a URL wins: tanger's 40 first lines are superseded,
	// so mirror's text is new.
	var want []string
	for range 40 {
		want = append(want, "superseded")
	}
	want = append(want, "created", "created", "created", "ingested")
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("outcomes, one a line (-want +got):\n%s\n%s", d, out)
	}
	if !strings.Contains(out, "ingested 3 articles") || !strings.Contains(out, "3 created, 0 updated, 0 unchanged, 0 duplicate, 1 failed, 40 superseded") {
		t.Errorf("summary:\n%s", out)
	}
}

// TestCLIAskLLM points the CLI at a local OpenAI-compatible server that
// cites a source that exists and one that does not.
func TestCLIAskLLM(t *testing.T) {
	srv := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		if req.Authorization != "Bearer sk-test" {
			openaitest.WriteError(w, http.StatusBadRequest, "unexpected request")
			return
		}
		openaitest.WriteReply(w, r, req, openaitest.Reply{
			Text:  "Maha Gmira introduced a homemade AI for Morocco [1][7]. It was invented by aliens [7].",
			Usage: openaitest.Usage{PromptTokens: 10, CompletionTokens: 5},
		})
	}})
	c := newCLI(t)
	if _, errOut, err := c.run("ingest", "../../examples/articles"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	c.env["OPENAI_BASE_URL"] = srv.URL
	c.env["OPENAI_API_KEY"] = "sk-test"
	c.env["CHAT_MODEL"] = "m"
	out, errOut, err := c.run("ask", "What is Morocco's homemade AI?")
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, errOut)
	}
	want := "Maha Gmira introduced a homemade AI for Morocco [1].\n\nSources:\n[1] Intelligence Artificielle : Mezzour annonce une instance nationale dédiée à l'IA — L'opinion, 2023-10-24"
	if !strings.HasPrefix(out, want) || strings.Contains(out, "aliens") || strings.Contains(out, "[7]") {
		t.Errorf("ask with an LLM:\n%s\nwant it to start with:\n%s", out, want)
	}
	if strings.Contains(errOut, "sk-test") {
		t.Errorf("the API key reached the logs:\n%s", errOut)
	}
}

func TestCLIConfigErrors(t *testing.T) {
	c := cli{t: t, env: map[string]string{"LOG_LEVEL": "loud", "FETCH_TIMEOUT": "soon", "DALIL_TIMEZONE": "Mars/Olympus"}}
	_, _, err := c.run("ask", "anything")
	if err == nil {
		t.Fatal("want a configuration error")
	}
	for _, want := range []string{"LOG_LEVEL", "FETCH_TIMEOUT", "DALIL_TIMEZONE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if _, _, err := c.run("frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}

// TestCLIArgumentErrors checks that a mistake in a command's arguments is
// one line naming it (main prints the error), with no usage dump, and that
// --help prints the usage on stdout even when a setting is bad. None of
// these reaches the database.
func TestCLIArgumentErrors(t *testing.T) {
	c := cli{t: t, env: map[string]string{"DATABASE_URL": "postgres://dalil@127.0.0.1:1/none?connect_timeout=1"}}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ask", "--bogus", "Q"}, "ask: flag provided but not defined: -bogus (see 'dalil ask --help')"},
		{[]string{"ask"}, "ask: give a question"},
		{[]string{"search", "--k", "0", "Q"}, "search: --k 0: want 1 or more"},
		{[]string{"ingest"}, "ingest: nothing to ingest"},
		{[]string{"feeds", "frob"}, `feeds: unknown action "frob"`},
		{[]string{"feeds", "add"}, "feeds add: give the feed's URL"},
		{[]string{"feeds", "remove", "1", "2"}, `feeds remove: unexpected arguments ["2"]`},
		{[]string{"migrate", "extra"}, `migrate: unexpected arguments ["extra"]`},
		{[]string{"reindex", "foo"}, `reindex: unexpected arguments ["foo"]`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, err := c.run(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, tt.want)
			}
			if out != "" || errOut != "" {
				t.Errorf("printed %q and %q besides the error", out, errOut)
			}
		})
	}

	bad := cli{t: t, env: map[string]string{"DIGEST_MAX_AGE": "0", "SEARCH_K": "3"}}
	out, errOut, err := bad.run("migrate", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Applies the migrations") || !strings.Contains(errOut, "DIGEST_MAX_AGE") {
		t.Errorf("migrate --help with a bad setting: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
	good := cli{t: t, env: map[string]string{"SEARCH_K": "3"}}
	if out, _, err := good.run("search", "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "(default 3)") {
		t.Errorf("search --help: %v\n%s; want SEARCH_K as --k's default", err, out)
	}
}

// TestCLIIngestBulk loads without the vector index and checks it is there
// again afterwards, with the articles searchable.
func TestCLIIngestBulk(t *testing.T) {
	c := newCLI(t)
	c.env["HNSW_M"], c.env["HNSW_EF_CONSTRUCTION"] = "24", "100"
	out, errOut, err := c.run("ingest", "--bulk", "--quiet", "--jsonl", "../../examples/wikipedia-sample.jsonl", "../../examples/articles")
	if err != nil || !strings.Contains(out, "17 created") || !strings.Contains(errOut, "building the vector index") {
		t.Fatalf("ingest --bulk: %v\n%s\n%s", err, out, errOut)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var has bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('chunks_embedding_hnsw') IS NOT NULL").Scan(&has); err != nil {
		t.Fatal(err)
	}
	if !has {
		t.Error("the HNSW index is missing after ingest --bulk")
	}
	var opts []string
	if err := conn.QueryRow(ctx, "SELECT reloptions FROM pg_class WHERE relname = 'chunks_embedding_hnsw'").Scan(&opts); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"m=24", "ef_construction=100"}, opts); d != "" {
		t.Errorf("HNSW_M and HNSW_EF_CONSTRUCTION not applied to the rebuilt index (-want +got):\n%s", d)
	}
	var stale, countsOK bool
	err = conn.QueryRow(ctx, `SELECT stale, chunks = (SELECT count(*) FROM chunks) AND chunks > 0 AND NOT EXISTS (
			SELECT u.lexeme, count(*) FROM chunks c, unnest(c.tsv) u GROUP BY u.lexeme
			EXCEPT SELECT word, ndoc FROM lexemes)
		FROM text_stats`).Scan(&stale, &countsOK)
	if err != nil {
		t.Fatal(err)
	}
	if stale || !countsOK {
		t.Errorf("after ingest --bulk the word counts are stale (%v) or wrong (right: %v)", stale, countsOK)
	}

	// A bulk load killed before its end leaves them stale; the next
	// command recounts.
	if _, err := conn.Exec(ctx, "UPDATE text_stats SET stale = true, chunks = 0"); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := c.run("search", "Maha Gmira"); err != nil || !strings.Contains(errOut, "counting words") {
		t.Fatalf("search after an interrupted bulk load: %v\n%s", err, errOut)
	}
	if err := conn.QueryRow(ctx, "SELECT stale, chunks = (SELECT count(*) FROM chunks) FROM text_stats").Scan(&stale, &countsOK); err != nil {
		t.Fatal(err)
	}
	if stale || !countsOK {
		t.Errorf("after the recount: stale %v, chunk count right %v", stale, countsOK)
	}
}

// TestCLIAskLLMWithoutChatModel checks that the CLI, not rag, names the
// setting a missing chat model needs.
func TestCLIAskLLMWithoutChatModel(t *testing.T) {
	c := newCLI(t)
	_, _, err := c.run("ask", "--mode", "llm", "What is Morocco's homemade AI?")
	if !errors.Is(err, rag.ErrNoChat) || !strings.HasSuffix(err.Error(), "(set CHAT_MODEL)") {
		t.Errorf("ask --mode llm without CHAT_MODEL: %v, want rag.ErrNoChat naming CHAT_MODEL", err)
	}
}
