package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/phrases"
)

// Interactions come over the gateway (INTERACTION_CREATE) or, when the
// application has an Interactions Endpoint URL, as signed HTTP requests;
// Discord uses one or the other, never both. Both go through
// handleInteraction: only the first response differs (a REST callback, or
// the body of the HTTP reply), and everything after it goes through the
// interaction's webhook, which any replica can reach with the token.

// responder sends an interaction's first response, which Discord needs
// within 3 s.
type responder interface {
	// respond sends resp. The error wraps errDeferred when the transport
	// has already acknowledged the interaction with a deferral.
	respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error
}

// restResponder answers interactions over REST (POST
// /interactions/{id}/{token}/callback): the gateway's, once their handler
// gives a first response (onInteraction), and those refused while stopping.
type restResponder struct{ s *discordgo.Session }

func (r restResponder) respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	return r.s.InteractionRespond(i, resp, discordgo.WithContext(ctx))
}

// errDeferred says that the transport deferred the interaction itself:
// its handler gave no first response within ackWait.
var errDeferred = errors.New("the interaction was deferred before its first response")

// Limits of the interactions endpoint.
const (
	// maxInteractionBytes bounds a request's body: an interaction carries
	// at most one message and the objects its options resolve.
	maxInteractionBytes = 1 << 20
	// ackDeadline is how long the HTTP reply, or the gateway's handler,
	// waits for the handler's first response before it defers the
	// interaction itself: Discord waits 3 s from when it sent it.
	ackDeadline = 2 * time.Second
	// callbackTimeout bounds a REST callback, the gateway's first
	// response: past Discord's 3 s it fails anyway.
	callbackTimeout = 5 * time.Second
	// signatureMaxAge is how far from now a request's signed timestamp may
	// be. An interaction's token lasts 15 minutes, so nothing that could
	// still be answered is refused unless the clock is off by more; a
	// replay within the window repeats an interaction ID the bot has seen
	// (seenSet remembers IDs longer), so it is not handled twice.
	signatureMaxAge = 15 * time.Minute
)

// InteractionsHandler returns the handler of the application's
// Interactions Endpoint URL, POST /interactions: it checks the request's
// Ed25519 signature with Config.PublicKey (401 when it is missing, wrong
// or more than 15 minutes from now), answers PING with PONG, and hands
// application commands and component clicks to the same handlers as the
// gateway. The first response is the body of the HTTP reply, sent as soon
// as the handler gives it; if it takes longer than about 2 s, the reply
// defers the interaction and the response follows through the webhook.
// The work goes on after the reply, within the bot's worker pool and
// shutdown. Run serves it on Config.InteractionsAddr; a test may serve it
// itself.
func (b *Bot) InteractionsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/interactions", b.serveInteraction)
	return mux
}

func (b *Bot) serveInteraction(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxInteractionBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if !b.signed(req, body) {
		b.log.Debug("interaction refused: bad or missing signature", "remote", req.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "the body is not an interaction", http.StatusBadRequest)
		return
	}
	switch i.Type {
	case discordgo.InteractionPing:
		b.writeReply(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent:
	default:
		http.Error(w, fmt.Sprintf("interaction type %d is not handled", i.Type), http.StatusBadRequest)
		return
	}
	if !b.admit() {
		b.writeReply(w, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: phrases.Text(localeLang(i.Locale), phrases.Stopping), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions(),
			},
		})
		return
	}
	h, handled := b.startInteraction(&i)
	defer h.release(nil)
	resp, why := h.await(req.Context(), b.ackWait, handled)
	switch {
	case resp != nil:
		h.written <- b.writeReply(w, resp)
	case !errors.Is(why, errDeferred):
		b.log.Warn("interaction request ended before a response", "interaction", i.ID, "err", why)
	case isClosed(handled):
		http.Error(w, "the interaction was not handled", http.StatusBadRequest)
	default:
		b.log.Warn("interaction deferred: no first response in time", "interaction", i.ID, "wait", b.ackWait)
		if err := b.writeReply(w, deferral(&i)); err != nil {
			h.release(fmt.Errorf("defer interaction %s: %w", i.ID, err))
		}
	}
}

// startInteraction runs the handler of i, which admit counted in flight,
// in a goroutine of its own; handled is closed when it returns. Its first
// response reaches the caller through h (see firstReply.await).
func (b *Bot) startInteraction(i *discordgo.Interaction) (h *firstReply, handled <-chan struct{}) {
	h = newFirstReply()
	done := make(chan struct{})
	go func() {
		defer b.inflight.Done()
		defer close(done)
		b.handleInteraction(i, h)
	}()
	return h, done
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// signed reports whether the request bears the application's signature
// over its timestamp and body, with a timestamp within signatureMaxAge.
func (b *Bot) signed(req *http.Request, body []byte) bool {
	if len(b.cfg.PublicKey) != ed25519.PublicKeySize {
		return false
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(req, b.cfg.PublicKey) {
		return false
	}
	sec, err := strconv.ParseInt(req.Header.Get("X-Signature-Timestamp"), 10, 64)
	return err == nil && time.Since(time.Unix(sec, 0)).Abs() <= signatureMaxAge
}

// writeReply writes resp as the HTTP reply and sends it at once. It fails
// only when the client has gone; the error matters to a handler waiting to
// know whether its first response was sent.
func (b *Bot) writeReply(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	body, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "cannot encode the response", http.StatusInternalServerError)
		return fmt.Errorf("encode the HTTP reply: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write the HTTP reply: %w", err)
	}
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("send the HTTP reply: %w", err)
	}
	return nil
}

// deferral is the reply that acknowledges an interaction whose handler is
// slow to give its first response: a component's message stays as it is;
// a command's response is a "thinking…" message, public for the commands
// whose answers are public, else ephemeral.
func deferral(i *discordgo.Interaction) *discordgo.InteractionResponse {
	if i.Type == discordgo.InteractionMessageComponent {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	data := &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsEphemeral}
	if name := i.ApplicationCommandData().Name; name == "ask" || name == "summarize" {
		data.Flags = 0
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}
}

// afterDeferral sends through the webhook a first response that came after
// the transport deferred the interaction: a deferral has nothing left to
// do, a message update or a command's message becomes the original
// response, and a message answering a component (whose message the
// deferral left unchanged) a follow-up. An ephemeral message after a
// public deferral (/ask, /summarize: "article not found") would have made
// the member's mistake public: the public "thinking…" message is deleted
// and the message follows, ephemeral.
func (r *request) afterDeferral(ctx context.Context, resp *discordgo.InteractionResponse) error {
	d := resp.Data
	if d == nil {
		d = &discordgo.InteractionResponseData{}
	}
	m := message{Content: d.Content, Embeds: d.Embeds, Components: d.Components}
	switch resp.Type {
	case discordgo.InteractionResponseDeferredChannelMessageWithSource, discordgo.InteractionResponseDeferredMessageUpdate:
		return nil
	case discordgo.InteractionResponseUpdateMessage:
		return r.edit(ctx, m)
	case discordgo.InteractionResponseChannelMessageWithSource:
		if r.i.Type != discordgo.InteractionMessageComponent {
			if d.Flags&discordgo.MessageFlagsEphemeral == 0 || deferral(r.i).Data.Flags&discordgo.MessageFlagsEphemeral != 0 {
				return r.edit(ctx, m)
			}
			if err := r.b.s.InteractionResponseDelete(r.i, discordgo.WithContext(ctx)); err != nil {
				// Answered in public, as before, rather than not at all.
				return errors.Join(fmt.Errorf("delete the public deferral of interaction %s: %w", r.i.ID, err), r.edit(ctx, m))
			}
		}
		_, err := r.b.s.FollowupMessageCreate(r.i, true, &discordgo.WebhookParams{
			Content: m.Content, Embeds: m.Embeds, Components: m.Components, Flags: d.Flags, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("send a follow-up to interaction %s: %w", r.i.ID, err)
		}
		return nil
	}
	return fmt.Errorf("respond to interaction %s: a response of type %d cannot follow a deferral", r.i.ID, resp.Type)
}

// firstReply hands an interaction's first response from its handler to
// the transport that brought the interaction (the HTTP reply, or a REST
// callback for the gateway), which sends it, or a deferral of its own when
// the handler is slow.
type firstReply struct {
	mu     sync.Mutex
	resp   *discordgo.InteractionResponse // the handler's first response, once given
	closed error                          // why no response can be given any more
	// given is closed when resp is set; written then receives the result
	// of sending it. released is closed once the transport has sent what
	// it sends instead (a deferral), so that edits come after it.
	given    chan struct{}
	written  chan error
	released chan struct{}
	once     sync.Once
}

func newFirstReply() *firstReply {
	return &firstReply{given: make(chan struct{}), written: make(chan error, 1), released: make(chan struct{})}
}

// respond gives the first response to the transport and waits until it
// is sent, so that edits through the webhook come after it. Once the
// transport has stopped waiting for it, respond waits until the
// transport's own deferral is sent and fails with why the transport
// stopped (errDeferred: the response goes through the webhook,
// afterDeferral), or with the deferral's error.
func (h *firstReply) respond(ctx context.Context, _ *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	h.mu.Lock()
	switch {
	case h.closed != nil:
		h.mu.Unlock()
		// Not cut short by ctx: a command out of time still says so
		// (replyContext), and the transport releases within its own
		// deadline (ackWait, then callbackTimeout or the HTTP reply).
		<-h.released
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.closed
	case h.resp != nil:
		h.mu.Unlock()
		return errors.New("the interaction has already been answered")
	}
	h.resp = resp
	close(h.given)
	h.mu.Unlock()
	select {
	case err := <-h.written:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// await waits until the handler gives its first response, returns
// (handled is closed), d passes or ctx ends. It returns the response
// given, which the caller sends into h.written; else nil and why later
// responses are refused: errDeferred, or ctx's cause when ctx ended.
func (h *firstReply) await(ctx context.Context, d time.Duration, handled <-chan struct{}) (*discordgo.InteractionResponse, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	why := errDeferred
	select {
	case <-h.given:
	case <-handled:
	case <-timer.C:
	case <-ctx.Done():
		why = fmt.Errorf("no first response could be sent any more: %w", context.Cause(ctx))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.resp == nil {
		h.closed = why
	}
	return h.resp, h.closed
}

// release lets refused responses go on: the transport has sent its
// deferral, or will send nothing. A deferral that failed (err) is what
// they then fail with: there is no response to edit.
func (h *firstReply) release(err error) {
	h.once.Do(func() {
		if err != nil {
			h.mu.Lock()
			h.closed = err
			h.mu.Unlock()
		}
		close(h.released)
	})
}

// admit counts an interaction's handler in flight, unless the bot is
// stopping: shutdown sets stopping under the same lock before it waits, so
// that no handler starts while it waits.
func (b *Bot) admit() bool {
	b.admitting.Lock()
	defer b.admitting.Unlock()
	if b.stopping.Load() {
		return false
	}
	b.inflight.Add(1)
	return true
}

// serveInteractions looks the application up (its ID, for registering
// commands without the gateway, and its public key, which must be
// Config.PublicKey), then serves InteractionsHandler on
// Config.InteractionsAddr until closeInteractions.
func (b *Bot) serveInteractions(ctx context.Context) error {
	app, err := b.s.Application("@me")
	if err != nil {
		return fmt.Errorf("look up the Discord application: %w", err)
	}
	if key, err := hex.DecodeString(app.VerifyKey); err == nil && len(key) == ed25519.PublicKeySize && !bytes.Equal(key, b.cfg.PublicKey) {
		return fmt.Errorf("the configured public key is not application %s's (%s): interactions would all be refused", app.ID, app.VerifyKey)
	}
	b.restAppID = app.ID
	ln, err := net.Listen("tcp", b.cfg.InteractionsAddr)
	if err != nil {
		return fmt.Errorf("listen for interactions on %s: %w", b.cfg.InteractionsAddr, err)
	}
	b.endpoint = &http.Server{
		Handler:           b.InteractionsHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
	b.endpointErr = make(chan error, 1)
	go func() { b.endpointErr <- b.endpoint.Serve(ln) }()
	b.log.Info("serving interactions", "addr", ln.Addr().String(), "application", app.ID)
	return nil
}

// closeInteractions stops the interactions endpoint once the bot has
// stopped: its requests are answered within ackWait, so a few seconds do.
func (b *Bot) closeInteractions() {
	if b.endpoint == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.ackWait+time.Second)
	defer cancel()
	if err := b.endpoint.Shutdown(ctx); err != nil {
		b.log.Warn("close the interactions endpoint", "err", err)
	}
}
