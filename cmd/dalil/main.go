// Command dalil ingests news articles into PostgreSQL with pgvector and
// answers questions from them with citations, on the command line and in
// Discord.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dalil-news/dalil/internal/buildinfo"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/config"
)

const usage = `dalil — grounded answers and daily digests from a news archive.

Usage:
  dalil ingest [--jsonl FILE] [--bulk] PATH|URL ...    ingest files, directories (recursive), URLs
  dalil search [--k N] [--json] QUESTION             ranked passages
  dalil ask [--json] [--mode llm|extractive] QUESTION  answer with citations
  dalil eval --questions FILE [--ingest PATH] [--k N] [--json]
  dalil summarize [--lang L] [--json] ID|URL|latest  summarize an article
  dalil feeds add|list|remove|poll [URL|ID]          RSS/Atom feeds to ingest
  dalil digest --dry-run [--channel ID] | set | list print or configure the daily digest
  dalil serve                                        the Discord bot, its admin page, /healthz, /readyz, /metrics
  dalil feedback [--limit N] [--json]                recent 👍/👎 votes on the bot's answers
  dalil feedback export --jsonl [--since D] [--down] voted questions as evaluation questions
  dalil report [--since 7d] [--json]                 what members asked, what the archive lacks
  dalil migrate                                      apply database migrations
  dalil reindex                                      re-embed every chunk with the configured embedder
  dalil version                                      module version, VCS revision, Go version
  dalil help                                         this text

Configuration comes from environment variables and a .env file in the
current directory; .env.example lists every one. Without DATABASE_URL, dalil
uses the local database that 'make demo' provisions (scripts/devdb.sh).
Run 'dalil COMMAND --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errReported) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dalil:", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(1)
	}
}

// errReported is returned when the failure was already printed (e.g. some
// inputs of an ingest failed); main only sets the exit status.
var errReported = errors.New("failures reported above")

// command is one subcommand.
type command func(ctx context.Context, a *app, args []string) error

// run is the whole program, with its dependencies explicit so that tests
// can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if args[0] == "version" { // needs no configuration
		_, err := fmt.Fprint(stdout, buildinfo.Read())
		return err
	}
	if _, ok := commands[args[0]]; !ok {
		return fmt.Errorf("unknown command %q; run 'dalil help'", args[0])
	}
	cfg, dotenv, err := config.LoadWithDotEnv(getenv, ".env")
	if err != nil && cliflags.AsksHelp(args[1:]) { // a bad setting must not hide the help
		fmt.Fprintln(stderr, "dalil: (the help shows the defaults)", err)
		cfg, err = config.Load(func(string) string { return "" })
	}
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, stdout: stdout, stderr: stderr, log: cfg.Logger(stderr)}
	if dotenv != "" {
		a.log.Info("settings read from .env (the environment wins)", "path", dotenv)
	}
	defer a.Close()
	return a.Run(ctx, args)
}
