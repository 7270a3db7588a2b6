package discordtest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSpecCheckBody(t *testing.T) {
	sp, err := parseSpec()
	if err != nil {
		t.Fatal(err)
	}
	const (
		create   = "POST /api/v9/channels/{cid}/messages"
		edit     = "PATCH /api/v9/webhooks/{app}/{token}/messages/{mid}"
		callback = "POST /api/v9/interactions/{id}/{token}/callback"
		commands = "PUT /api/v9/applications/{app}/guilds/{guild}/commands"
	)
	tests := []struct {
		name, route, body string
		want              string // a violation containing this; "" for none
	}{
		{"message", create, `{"content":"hi","allowed_mentions":{"parse":[]}}`, ""},
		{"message with embed and buttons", create, `{"content":"a","embeds":[{"description":"d"}],"components":[{"type":1,"components":[{"type":2,"style":2,"label":"👍","custom_id":"vote:up:1"}]}]}`, ""},
		{"content too long (the spec allows 4,000; the fake's own check, 2,000)", create, `{"content":"` + strings.Repeat("é", 4001) + `"}`, "content: 4001 characters, at most 4000"},
		{"allowed mentions misspelt", create, `{"content":"a","allowed_mentions":{"parse":["everybody"]}}`, "allowed_mentions"},
		{"button without a style", create, `{"components":[{"type":1,"components":[{"type":2,"custom_id":"x"}]}]}`, "components[0]"},
		{"edit with a bad type", edit, `{"content":7}`, "content: is integer, want"},
		{"deferred reply", callback, `{"type":5}`, ""},
		{"reply of an unknown type", callback, `{"type":42}`, "matches none of"},
		{"commands, permissions as a digit string", commands, `[{"name":"ask","description":"Ask","default_member_permissions":"32","options":[{"type":3,"name":"question","description":"q","required":true}]}]`, ""},
		{"command name too long", commands, `[{"name":"` + strings.Repeat("a", 33) + `","description":"d"}]`, "name: 33 characters, at most 32"},
		{"route without a body schema", "GET /api/v9/channels/{cid}", `{"anything":true}`, ""},
	}
	for _, tt := range tests {
		var body any
		if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := strings.Join(sp.checkBody(tt.route, body), "\n")
		switch {
		case tt.want == "" && got != "":
			t.Errorf("%s: violations\n%s\nwant none", tt.name, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("%s: violations\n%s\nwant one containing %q", tt.name, got, tt.want)
		}
	}
}

// TestSpecCoversRoutes: every route of the fake that takes a body has its
// schema in the embedded spec, so that no body goes unchecked.
func TestSpecCoversRoutes(t *testing.T) {
	sp, err := parseSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{
		"PUT /api/v9/applications/{app}/commands",
		"POST /api/v9/applications/{app}/commands",
		"PATCH /api/v9/applications/{app}/commands/{cmd}",
		"PUT /api/v9/applications/{app}/guilds/{guild}/commands",
		"POST /api/v9/applications/{app}/guilds/{guild}/commands",
		"PATCH /api/v9/applications/{app}/guilds/{guild}/commands/{cmd}",
		"POST /api/v9/interactions/{id}/{token}/callback",
		"POST /api/v9/webhooks/{app}/{token}",
		"PATCH /api/v9/webhooks/{app}/{token}/messages/{mid}",
		"POST /api/v9/channels/{cid}/messages",
		"PATCH /api/v9/channels/{cid}/messages/{mid}",
		"POST /api/v9/channels/{cid}/messages/{mid}/threads",
		"POST /api/v9/channels/{cid}/threads",
	} {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := sp.bodies[routeKey(method, path)]; !ok {
			t.Errorf("%s: no request body schema in the spec", route)
		}
	}
}
