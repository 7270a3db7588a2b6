package bot

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactTokens(t *testing.T) {
	tests := map[string]string{
		`Patch "https://discord.com/api/v9/webhooks/2/aW50ZXJh.Y3Rpb24-6_x/messages/@original": context canceled`: `Patch "https://discord.com/api/v9/webhooks/2/***/messages/@original": context canceled`,
		`Post "https://discord.com/api/v9/interactions/123/tok3n_Value/callback": EOF`:                            `Post "https://discord.com/api/v9/interactions/123/***/callback": EOF`,
		`HTTP 404 Not Found, {"message": "Unknown Channel"}`:                                                      `HTTP 404 Not Found, {"message": "Unknown Channel"}`,
	}
	for in, want := range tests {
		if got := redactTokens(in); got != want {
			t.Errorf("redactTokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenRedactor(t *testing.T) {
	const token = "SECRET-INTERACTION-TOKEN"
	url := "https://discord.com/api/v9/webhooks/2/" + token + "/messages/@original"
	var buf bytes.Buffer
	log := slog.New(tokenRedactor{slog.NewJSONHandler(&buf, nil)})
	log.With("first", url).WithGroup("g").Error("edit "+url,
		"err", fmt.Errorf("edit the response: %w", errors.New(url)),
		"url", url,
		slog.Group("req", "url", url),
		"n", 3)
	out := buf.String()
	if strings.Contains(out, token) {
		t.Errorf("the token reached the log: %s", out)
	}
	if strings.Count(out, "/webhooks/2/***/messages") != 5 || !strings.Contains(out, `"n":3`) {
		t.Errorf("log line lost its content: %s", out)
	}
}
