// Package discordtest is a test-only fake of Discord's gateway and REST API
// that a real github.com/bwmarrin/discordgo Session connects to.
//
// New starts a loopback server speaking Discord's wire protocol (gateway v9
// over a websocket, REST under /api/v9, attachments under /attachments), and
// Server.Session returns a discordgo Session whose HTTP client and websocket
// dialer reach only that server: requests for any other host fail, so a test
// can never touch the internet. The fake records every REST request, keeps the
// messages the bot creates and edits, and enforces the Discord rules a bot most
// often trips over: the interaction callback answers 204 once and only within
// the deadline, message content and embeds have length limits, an empty
// message is refused, MESSAGE_CREATE follows the identified intents. Every
// JSON request body, and every reply to an HTTP interaction, is also
// checked against Discord's own OpenAPI specification (openapi.go): what it
// refuses is answered 400 Invalid Form Body, as Discord would, and listed by
// Server.Violations.
//
// A typical test:
//
//	srv := discordtest.New(t)
//	sess := srv.Session(t, "token")
//	sess.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { ... })
//	if err := sess.Open(); err != nil {
//		t.Fatal(err)
//	}
//	in := srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{Name: "ask"}})
//	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//	defer cancel()
//	req, err := srv.WaitFor(ctx, discordtest.Route("PATCH", "/api/v9/webhooks/*/*/messages/@original"))
//	...
//	got := srv.Original(in.Token).Content
//
// An application with an Interactions Endpoint URL gets its interactions over
// HTTP instead: Server.PostInteraction signs one with the application's key
// (Server.PublicKey), posts it to the bot's endpoint and takes the HTTP reply
// as its first response; the interaction's webhook then works as above.
//
// The Session is closed by a cleanup registered by Server.Session; CloseSession
// shows the shutdown order discordgo needs.
//
// Several sessions may connect at once, as several replicas of a bot do. A
// session that identifies with a shard [id, count] receives only the events
// of the guilds on its shard, (guild_id >> 22) % count, and shard 0 the
// guild-less ones (DMs); a session without a shard receives everything.
// WithShards sets what GET /gateway/bot recommends (shards and
// max_concurrency), and IdentifyBursts counts the identifies that broke
// Discord's identify rate limit. AddGuild makes a guild known, sent to the
// sessions of its shard in READY and GUILD_CREATE, so that their
// discordgo State holds it and its channels. The fake is plain HTTP on loopback: a
// process that is not handed Server.Client (dalil serve) reaches it by
// its URL, with WithLocalAttachments for the files it downloads.
package discordtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Default identifiers the fake uses when a test does not choose its own.
const (
	// AppID is the default application ID, which is also the bot user's ID.
	AppID = "1100000000000000001"
	// BotName is the default bot user name.
	BotName = "dalil"
	// GuildID is the default guild; the default channel belongs to it.
	GuildID = "1200000000000000001"
	// ChannelID is the default guild text channel, known to the fake from the start.
	ChannelID = "1300000000000000001"
	// UserID is the default human user who sends messages and interactions.
	UserID = "1400000000000000001"
	// UserName is the default human user's name.
	UserName = "reader"
)

// DefaultPermissions is what the fake grants the default member and the app
// in a channel when a test does not set permissions: view, send, embed, attach,
// read history, create public threads and send in threads.
const DefaultPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionSendMessagesInThreads

// maxBody bounds a REST request body, as Discord's upload limit does.
const maxBody = 25 << 20

// Option configures a Server.
type Option func(*config)

type config struct {
	appID               string
	botName             string
	heartbeatInterval   time.Duration
	interactionDeadline time.Duration
	shards              int  // recommended by GET /gateway/bot
	maxConcurrency      int  // identifies per 5 s bucket
	localAttachments    bool // attachment URLs on the fake's own address
}

// WithApplication sets the application ID (also the bot user's ID) and the bot's user name.
func WithApplication(appID, botName string) Option {
	return func(c *config) { c.appID, c.botName = appID, botName }
}

// WithHeartbeatInterval sets the heartbeat interval announced in HELLO
// (Discord's is 41.25 s; discordgo reconnects after five missed acks).
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithInteractionDeadline sets how long after dispatch an interaction may
// still be acknowledged (Discord's is 3 s); later callbacks get 404 Unknown interaction.
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// Server is a fake Discord. All methods are safe for concurrent use.
type Server struct {
	tb   testing.TB
	cfg  config
	http *httptest.Server
	host string            // host:port of the listener
	rt   *rewriteTransport // shared by every client the fake hands out
	ids  atomic.Int64
	wg   sync.WaitGroup // websocket goroutines
	// key is the application's Ed25519 key, which signs the interactions
	// PostInteraction sends.
	key ed25519.PrivateKey
	// spec checks request bodies against Discord's OpenAPI specification.
	spec *spec

	mu           sync.Mutex
	closed       bool
	changed      chan struct{} // closed and replaced on every recorded change
	requests     []Request
	failures     []failure
	messages     map[string]map[string]any // message ID → message object as Discord returns it
	order        []string                  // message IDs in creation order
	channels     map[string]*discordgo.Channel
	interactions map[string]*interaction // by interaction ID
	byToken      map[string]*interaction
	commands     map[string][]*discordgo.ApplicationCommand // by guild ID, "" for global
	attachments  map[string]attachment                      // by URL path
	sessions     map[string]*gwSession
	guilds       map[string]*discordgo.Guild // AddGuild's, by ID
	conns        map[*gwConn]struct{}
	identifies   []discordgo.Identify
	lastIdentify map[int]time.Time // by identify bucket
	bursts       int               // identifies within 5 s of another in their bucket
	resumes      []Resume
	handshakes   int
}

type attachment struct {
	contentType string
	data        []byte
}

type interaction struct {
	token, channelID string
	messageID        string // message a component sits on, if any
	sentAt           time.Time
	acked            bool
	original         string // ID of the original response message
	// replied is closed once the HTTP reply to an interaction sent by
	// PostInteraction has been taken (or refused); nil for the gateway's.
	replied chan struct{}
}

type failure struct {
	method, prefix string
	status         int
	body           string
}

// New starts a fake Discord on loopback and stops it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{
		appID:               AppID,
		botName:             BotName,
		heartbeatInterval:   41250 * time.Millisecond,
		interactionDeadline: 3 * time.Second,
		shards:              1,
		maxConcurrency:      1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		tb:           tb,
		cfg:          cfg,
		changed:      make(chan struct{}),
		messages:     map[string]map[string]any{},
		channels:     map[string]*discordgo.Channel{},
		interactions: map[string]*interaction{},
		byToken:      map[string]*interaction{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		attachments:  map[string]attachment{},
		sessions:     map[string]*gwSession{},
		guilds:       map[string]*discordgo.Guild{},
		conns:        map[*gwConn]struct{}{},
		lastIdentify: map[int]time.Time{},
	}
	s.channels[ChannelID] = &discordgo.Channel{ID: ChannelID, GuildID: GuildID, Name: "general", Type: discordgo.ChannelTypeGuildText}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("discordtest: generate the application key: %v", err)
	}
	s.key = key
	if s.spec, err = parseSpec(); err != nil {
		tb.Fatal(err)
	}
	s.http = httptest.NewServer(s.routes())
	s.host = strings.TrimPrefix(s.http.URL, "http://")
	s.rt = &rewriteTransport{server: s, base: &http.Transport{DialContext: s.dialOnly, MaxIdleConnsPerHost: 8}}
	tb.Cleanup(s.close)
	return s
}

// close drops every gateway connection, waits for their goroutines and stops the server.
func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.ws.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.rt.CloseIdleConnections()
	s.http.Close()
}

// URL returns the fake's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.http.URL }

// AppID returns the application ID, which is also the bot user's ID.
func (s *Server) AppID() string { return s.cfg.appID }

// BotUser returns the bot user the fake announces in READY and uses as author.
func (s *Server) BotUser() *discordgo.User {
	return &discordgo.User{ID: s.cfg.appID, Username: s.cfg.botName, Bot: true}
}

// Session returns a real discordgo Session for token ("Bot " is prepended)
// that reaches only this server, not yet opened. Its Client is Server.Client,
// its Dialer dials only the fake, and ShouldReconnectOnError stays on so it
// resumes after DropConnection. A cleanup closes it the way CloseSession does;
// closing it earlier is harmless.
func (s *Server) Session(tb testing.TB, token string) *discordgo.Session {
	tb.Helper()
	sess, err := discordgo.New("Bot " + token)
	if err != nil {
		tb.Fatalf("discordtest: new session: %v", err)
	}
	sess.Client = s.Client()
	sess.Dialer = &websocket.Dialer{NetDialContext: s.dialOnly, HandshakeTimeout: 5 * time.Second}
	tb.Cleanup(func() {
		if err := CloseSession(sess); err != nil {
			tb.Errorf("discordtest: close session: %v", err)
		}
	})
	return sess
}

// Client returns an HTTP client that reaches this server for Discord's hosts
// (discord.com, cdn.discordapp.com, media.discordapp.net) and refuses any
// other host; give it to code that downloads attachments itself.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.rt, Timeout: 20 * time.Second}
}

// CloseSession closes sess without letting a racing heartbeat or read error
// start a reconnect loop: it clears ShouldReconnectOnError under the session
// lock, then calls Close (which sleeps about a second while connected).
//
// discordgo's reconnect reads ShouldReconnectOnError without the lock, so the
// flag is written only when it is still set: a second CloseSession, or one
// after a heartbeat already gave up, writes nothing the race detector could
// pair with that read.
func CloseSession(sess *discordgo.Session) error {
	sess.Lock()
	if sess.ShouldReconnectOnError {
		sess.ShouldReconnectOnError = false
	}
	sess.Unlock()
	if err := sess.Close(); err != nil {
		return fmt.Errorf("close discordgo session: %w", err)
	}
	return nil
}

// discordHosts are the hosts the fake stands in for.
var discordHosts = map[string]bool{
	"discord.com":          true,
	"cdn.discordapp.com":   true,
	"media.discordapp.net": true,
	"discordapp.com":       true,
}

// rewriteTransport sends requests for Discord's hosts to the fake and refuses the rest.
type rewriteTransport struct {
	server *Server
	base   *http.Transport
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if !discordHosts[host] && req.URL.Host != t.server.host {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("discordtest: refusing request to %s: only Discord hosts are faked", req.URL.Redacted())
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = "http"
	out.URL.Host = t.server.host
	out.Host = req.URL.Host
	return t.base.RoundTrip(out)
}

// CloseIdleConnections closes the transport's idle keep-alive connections.
func (t *rewriteTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// dialOnly dials the fake's listener and nothing else: the transport has
// rewritten Discord's hosts to it, and the websocket dialer only ever gets the
// URL the fake's /gateway answered.
func (s *Server) dialOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != s.host {
		return nil, fmt.Errorf("discordtest: refusing to dial %s: only the fake at %s is reachable", addr, s.host)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// newID returns a fresh snowflake whose timestamp is now.
func (s *Server) newID() string {
	const discordEpochMS = 1420070400000
	for {
		last := s.ids.Load()
		next := (time.Now().UnixMilli() - discordEpochMS) << 22
		if next <= last {
			next = last + 1
		}
		if s.ids.CompareAndSwap(last, next) {
			return fmt.Sprint(next)
		}
	}
}

// newToken returns a random interaction token.
func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "itok_" + hex.EncodeToString(b)
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// AddChannel makes a channel known to the fake (GET /channels/{id}, posting
// into it); the default ChannelID is known from the start.
func (s *Server) AddChannel(ch *discordgo.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *ch
	s.channels[ch.ID] = &c
}

// Channel returns a known channel (including threads the bot created), or nil.
func (s *Server) Channel(id string) *discordgo.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		return nil
	}
	c := *ch
	return &c
}

// AddAttachment serves content at a cdn.discordapp.com attachment URL, which
// it returns; Server.Session's client and Server.Client fetch it from the
// fake. With WithLocalAttachments the URL is on the fake's own address.
func (s *Server) AddAttachment(name string, content []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAttachmentLocked(ChannelID, name, "", content)
}

func (s *Server) addAttachmentLocked(channelID, name, contentType string, content []byte) string {
	if contentType == "" {
		contentType = http.DetectContentType(content)
	}
	path := "/attachments/" + channelID + "/" + s.newID() + "/" + name
	s.attachments[path] = attachment{contentType: contentType, data: append([]byte(nil), content...)}
	if s.cfg.localAttachments {
		return s.http.URL + path
	}
	return "https://cdn.discordapp.com" + path
}

// Message returns a message by ID as Discord would serve it, or nil.
func (s *Server) Message(id string) *discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messageLocked(id)
}

func (s *Server) messageLocked(id string) *discordgo.Message {
	obj, ok := s.messages[id]
	if !ok {
		return nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		s.tb.Errorf("discordtest: encode message %s: %v", id, err)
		return nil
	}
	var m discordgo.Message
	if err := json.Unmarshal(b, &m); err != nil {
		s.tb.Errorf("discordtest: decode message %s: %v", id, err)
		return nil
	}
	return &m
}

// ChannelMessages returns the live messages of a channel in creation order,
// both the bot's and those sent with SendMessage.
func (s *Server) ChannelMessages(channelID string) []*discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*discordgo.Message
	for _, id := range s.order {
		if obj, ok := s.messages[id]; ok && obj["channel_id"] == channelID {
			out = append(out, s.messageLocked(id))
		}
	}
	return out
}

// Original returns the original response to the interaction with this token,
// or nil if the interaction has not been answered with a message or deferral.
func (s *Server) Original(token string) *discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.byToken[token]
	if !ok || in.original == "" {
		return nil
	}
	return s.messageLocked(in.original)
}

// Commands returns the application commands registered for a guild ("" for global).
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*discordgo.ApplicationCommand, len(s.commands[guildID]))
	copy(out, s.commands[guildID])
	return out
}
