package discordtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// PublicKey returns the application's Ed25519 public key (the developer
// portal's "Public Key"), whose private half signs what PostInteraction
// and Sign send.
func (s *Server) PublicKey() ed25519.PublicKey {
	return s.key.Public().(ed25519.PublicKey)
}

// application is the application object of GET /oauth2/applications/@me.
func (s *Server) application() map[string]any {
	return map[string]any{
		"id":          s.cfg.appID,
		"name":        s.cfg.botName,
		"description": "",
		"bot_public":  true,
		"verify_key":  hex.EncodeToString(s.PublicKey()),
		"flags":       0,
		"bot":         s.BotUser(),
	}
}

// Sign sets the X-Signature-Ed25519 and X-Signature-Timestamp headers of a
// request to an Interactions Endpoint URL as Discord does: the
// application's key signs the timestamp (Unix seconds) followed by body.
func (s *Server) Sign(req *http.Request, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(s.key, append([]byte(ts), body...))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
}

// PostInteraction delivers an interaction the way Discord does to an
// application with an Interactions Endpoint URL: it fills i as
// SendInteraction does (a PING, Type discordgo.InteractionPing, only with
// its id, application, token and version) and POSTs it, signed, to
// endpoint, which must be on loopback. The reply must come within the
// interaction deadline as a 200 with a JSON interaction response, which
// is then taken as the interaction's first response with the checks of the
// callback route (a PING must get a PONG, nothing else may); only then do
// the interaction's webhook routes answer, as Discord's do once it has the
// response. It returns the reply, or an error saying what was wrong with it.
func (s *Server) PostInteraction(ctx context.Context, endpoint string, i *discordgo.Interaction) (*discordgo.InteractionResponse, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("discordtest: endpoint %q: %w", endpoint, err)
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return nil, fmt.Errorf("discordtest: refusing to post an interaction to %s: only loopback endpoints", u.Redacted())
	}
	s.mu.Lock()
	in := s.addInteractionLocked(i)
	in.replied = make(chan struct{})
	s.mu.Unlock()
	defer close(in.replied)

	payload, err := json.Marshal(i)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encode interaction %s: %w", i.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("discordtest: post interaction %s: %w", i.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	s.Sign(req, payload, time.Now())
	client := &http.Client{Timeout: s.cfg.interactionDeadline}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discordtest: post interaction %s to %s (Discord waits %v): %w", i.ID, endpoint, s.cfg.interactionDeadline, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("discordtest: read the reply to interaction %s: %w", i.ID, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discordtest: interaction %s: reply %d %s, want 200", i.ID, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return nil, fmt.Errorf("discordtest: interaction %s: reply Content-Type %q, want application/json", i.ID, resp.Header.Get("Content-Type"))
	}
	var body map[string]any
	var out discordgo.InteractionResponse
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, fmt.Errorf("discordtest: interaction %s: reply %s is not a JSON object: %w", i.ID, raw, err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("discordtest: interaction %s: reply %s is not an interaction response: %w", i.ID, raw, err)
	}
	if (i.Type == discordgo.InteractionPing) != (out.Type == discordgo.InteractionResponsePong) {
		return nil, fmt.Errorf("discordtest: interaction %s of type %d: reply of type %d (PONG answers a PING, and only it)", i.ID, i.Type, out.Type)
	}
	if v := s.spec.checkBody("POST /api/v9/interactions/{id}/{token}/callback", body); len(v) > 0 {
		return nil, fmt.Errorf("discordtest: interaction %s: Discord's OpenAPI spec refuses the reply: %s", i.ID, strings.Join(v, "; "))
	}
	s.mu.Lock()
	status, refusal := s.respondLocked(in, body, nil)
	s.mu.Unlock()
	if status != http.StatusNoContent {
		return nil, fmt.Errorf("discordtest: interaction %s: reply %s refused: %d %v", i.ID, raw, status, refusal)
	}
	return &out, nil
}

// awaitReply waits, for an interaction sent by PostInteraction, until its
// HTTP reply has been taken (at most the interaction deadline).
func (s *Server) awaitReply(token string) {
	s.mu.Lock()
	in, ok := s.byToken[token]
	s.mu.Unlock()
	if !ok || in.replied == nil {
		return
	}
	select {
	case <-in.replied:
	case <-time.After(s.cfg.interactionDeadline):
	}
}
