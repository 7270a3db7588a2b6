package discordtest

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// replayLimit bounds the events kept per gateway session for RESUME.
const replayLimit = 1000

// writeTimeout bounds one websocket write, so a stuck client cannot hang a test.
const writeTimeout = 5 * time.Second

// Gateway close codes the fake uses.
const (
	closeUnknownOpcode    = 4001
	closeDecodeError      = 4002
	closeNotAuthenticated = 4003
	closeAuthFailed       = 4004
	closeAlreadyAuthed    = 4005
	closeInvalidShard     = 4010
	closeInvalidVersion   = 4012
)

// Resume is a RESUME (op 6) the fake received.
type Resume struct {
	// SessionID is the session the client asked to resume.
	SessionID string
	// Seq is the last sequence number the client had seen.
	Seq int64
	// OK reports whether the fake resumed it; otherwise it answered Invalid Session (op 9).
	OK bool
}

// gwSession is a gateway session: created by IDENTIFY, survives dropped
// connections, ended by a normal close or a failed resume.
type gwSession struct {
	id       string
	identify discordgo.Identify
	seq      int64
	log      []logged
	conn     *gwConn // nil while disconnected
	invalid  bool
}

type logged struct {
	seq   int64
	frame []byte
}

// gwConn is one websocket connection.
type gwConn struct {
	ws       *websocket.Conn
	wmu      sync.Mutex
	compress bool
	session  *gwSession
	// zw and zbuf compress frames, reused: a new zlib writer a frame
	// allocated a megabyte, and the garbage slowed the bot under test.
	zw   *zlib.Writer
	zbuf bytes.Buffer
}

// write sends one payload, zlib-compressed in a binary frame if the session
// asked for compression in IDENTIFY, as Discord does.
func (c *gwConn) write(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if !c.compress {
		return c.ws.WriteMessage(websocket.TextMessage, frame)
	}
	c.zbuf.Reset()
	if c.zw == nil {
		c.zw = zlib.NewWriter(&c.zbuf)
	} else {
		c.zw.Reset(&c.zbuf)
	}
	c.zw.Write(frame)
	if err := c.zw.Close(); err != nil {
		return fmt.Errorf("compress gateway frame: %w", err)
	}
	return c.ws.WriteMessage(websocket.BinaryMessage, c.zbuf.Bytes())
}

// closeWith sends a close frame with code and reason and closes the connection.
func (c *gwConn) closeWith(code int, reason string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
	c.ws.Close()
}

// serveGateway runs one gateway connection: HELLO, then IDENTIFY or RESUME,
// heartbeats, and whatever the test dispatches.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client.
	}
	ws.SetReadLimit(1 << 20) // Discord closes on far smaller payloads; this only bounds a runaway client.
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		if c.session != nil && c.session.conn == c {
			c.session.conn = nil
		}
		s.mu.Unlock()
		ws.Close()
		s.wg.Done()
	}()

	q := r.URL.Query()
	if v := q.Get("v"); v != "9" && v != "10" {
		c.closeWith(closeInvalidVersion, "Invalid API version")
		return
	}
	if q.Get("encoding") != "json" {
		c.closeWith(closeDecodeError, "Only encoding=json is faked")
		return
	}
	hello := fmt.Appendf(nil, `{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":%d}}`, s.cfg.heartbeatInterval.Milliseconds())
	if c.write(hello) != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
				s.mu.Lock()
				if c.session != nil {
					c.session.invalid = true
				}
				s.mu.Unlock()
			}
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			c.closeWith(closeDecodeError, "Error while decoding payload")
			return
		}
		s.mu.Lock()
		authed := c.session != nil
		s.mu.Unlock()
		switch {
		case p.Op == 1:
			if c.write([]byte(`{"op":11,"s":null,"t":null,"d":null}`)) != nil {
				return
			}
		case (p.Op == 2 || p.Op == 6) && authed:
			c.closeWith(closeAlreadyAuthed, "Already authenticated")
			return
		case p.Op == 2:
			// Presence is left out: discordgo's Activity does not decode what it encodes.
			var raw struct {
				Token          string                       `json:"token"`
				Properties     discordgo.IdentifyProperties `json:"properties"`
				Compress       bool                         `json:"compress"`
				LargeThreshold int                          `json:"large_threshold"`
				Shard          *[2]int                      `json:"shard"`
				Intents        discordgo.Intent             `json:"intents"`
			}
			if err := json.Unmarshal(p.D, &raw); err != nil {
				c.closeWith(closeDecodeError, "Error while decoding IDENTIFY")
				return
			}
			id := discordgo.Identify{Token: raw.Token, Properties: raw.Properties, Compress: raw.Compress,
				LargeThreshold: raw.LargeThreshold, Shard: raw.Shard, Intents: raw.Intents}
			if strings.TrimSpace(strings.TrimPrefix(id.Token, "Bot ")) == "" {
				c.closeWith(closeAuthFailed, "Authentication failed")
				return
			}
			if sh := id.Shard; sh != nil && (sh[1] < 1 || sh[0] < 0 || sh[0] >= sh[1]) {
				c.closeWith(closeInvalidShard, "Invalid shard")
				return
			}
			s.identify(c, id)
		case p.Op == 6:
			var rp struct {
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			if err := json.Unmarshal(p.D, &rp); err != nil {
				c.closeWith(closeDecodeError, "Error while decoding RESUME")
				return
			}
			s.resume(c, rp.SessionID, rp.Seq)
		case !authed:
			c.closeWith(closeNotAuthenticated, "Not authenticated")
			return
		case p.Op == 3 || p.Op == 4 || p.Op == 8:
			// Presence, voice state and member requests are accepted and ignored.
		default:
			c.closeWith(closeUnknownOpcode, "Unknown opcode")
			return
		}
	}
}

// identify starts a gateway session on c and sends READY.
func (s *Server) identify(c *gwConn, id discordgo.Identify) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := &gwSession{id: strings.TrimPrefix(newToken(), "itok_"), identify: id, conn: c}
	s.sessions[sess.id] = sess
	s.identifies = append(s.identifies, id)
	s.countIdentifyLocked(id.Shard)
	c.session, c.compress = sess, id.Compress
	ready := map[string]any{
		"v":                  9,
		"session_id":         sess.id,
		"resume_gateway_url": "ws://" + s.host + "/gateway-ws",
		"user":               s.BotUser(),
		"application":        map[string]any{"id": s.cfg.appID, "flags": 0},
		"guilds":             s.readyGuildsLocked(sess),
		"private_channels":   []any{},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	s.dispatchLocked(sess, "READY", ready)
	s.createGuildsLocked(sess)
	s.handshakes++
	s.notifyLocked()
}

// resume reattaches a session to c, replays the events it missed and sends
// RESUMED, or answers Invalid Session (op 9, not resumable).
func (s *Server) resume(c *gwConn, sessionID string, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	ok = ok && !sess.invalid && (len(sess.log) == 0 || sess.log[0].seq <= seq+1)
	s.resumes = append(s.resumes, Resume{SessionID: sessionID, Seq: seq, OK: ok})
	defer s.notifyLocked()
	if !ok {
		c.write([]byte(`{"op":9,"s":null,"t":null,"d":false}`))
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.ws.Close()
	}
	sess.conn, c.session, c.compress = c, sess, sess.identify.Compress
	for _, e := range sess.log {
		if e.seq > seq {
			if c.write(e.frame) != nil {
				return
			}
		}
	}
	s.dispatchLocked(sess, "RESUMED", map[string]any{})
	s.handshakes++
}

// dispatchLocked sends a dispatch (op 0) to one session, logging it for
// RESUME; s.mu must be held.
func (s *Server) dispatchLocked(sess *gwSession, t string, d any) {
	data, err := json.Marshal(d)
	if err != nil {
		s.tb.Errorf("discordtest: encode %s payload: %v", t, err)
		return
	}
	sess.seq++
	frame := fmt.Appendf(nil, `{"op":0,"t":%q,"s":%d,"d":%s}`, t, sess.seq, data)
	sess.log = append(sess.log, logged{seq: sess.seq, frame: frame})
	if len(sess.log) > replayLimit {
		sess.log = slices.Delete(sess.log, 0, len(sess.log)-replayLimit)
	}
	if sess.conn != nil {
		// A failed write means the connection is gone: the event stays in the
		// log for the client's RESUME.
		sess.conn.write(frame)
	}
}

// Dispatch sends a gateway event of type t with payload d to every live
// gateway session of the event's shard (see WithShards; its guild is d's
// guild_id, or id for GUILD_* events), queuing it for sessions that are
// reconnecting (replayed on RESUME). Sessions ended by a normal close or a
// refused RESUME lose it, as on Discord. Dispatching before any session has
// identified fails the test.
//
// discordgo can close a freshly resumed connection with code 1000 when both its
// read and heartbeat goroutines saw the drop, then identify again: an event
// dispatched in that window is lost, so tests of reconnection should retry.
func (s *Server) Dispatch(t string, d any) {
	s.dispatch(t, s.guildOf(t, d), func(*gwSession) (any, bool) { return d, true })
}

// dispatch sends what payload returns for each live session of guildID's
// shard (nothing when it returns false).
func (s *Server) dispatch(t, guildID string, payload func(*gwSession) (any, bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.invalid || !sess.receives(guildID) {
			continue
		}
		if d, ok := payload(sess); ok {
			s.dispatchLocked(sess, t, d)
		}
	}
	if len(s.sessions) == 0 {
		s.tb.Errorf("discordtest: dispatch %s: no gateway session has identified; call Open first", t)
	}
}

// defaultUser is the human the fake's interactions and messages come from.
func defaultUser() *discordgo.User { return &discordgo.User{ID: UserID, Username: UserName} }

// knowChannelLocked registers channelID if unknown: in guildID, or a DM without one. s.mu must be held.
func (s *Server) knowChannelLocked(channelID, guildID string) {
	if _, ok := s.channels[channelID]; ok {
		return
	}
	ch := &discordgo.Channel{ID: channelID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText, Name: "channel-" + channelID}
	if guildID == "" {
		ch.Type, ch.Name, ch.Recipients = discordgo.ChannelTypeDM, "", []*discordgo.User{defaultUser()}
	}
	s.channels[channelID] = ch
}

// placeLocked defaults an event's channel and guild: the default channel and
// guild when both are empty, else the guild of a known channel. s.mu must be held.
func (s *Server) placeLocked(channelID, guildID *string) {
	if *channelID == "" {
		*channelID = ChannelID
		if *guildID == "" {
			*guildID = GuildID
		}
	}
	if ch, ok := s.channels[*channelID]; ok && *guildID == "" {
		*guildID = ch.GuildID
	}
	s.knowChannelLocked(*channelID, *guildID)
}

// SendInteraction dispatches INTERACTION_CREATE after filling what Discord
// always sends and i leaves empty: id, application_id, a fresh token, type
// (application command), version, locale, channel and guild (ChannelID in
// GuildID), member with the default user and DefaultPermissions in a guild or
// user in a DM, and app_permissions (DefaultPermissions). It fills i in place
// and returns it; the interaction can be acknowledged for the deadline.
func (s *Server) SendInteraction(i *discordgo.Interaction) *discordgo.Interaction {
	s.mu.Lock()
	s.addInteractionLocked(i)
	s.mu.Unlock()
	s.Dispatch("INTERACTION_CREATE", i)
	return i
}

// addInteractionLocked fills i as SendInteraction documents (a PING gets
// only its id, application, token and version) and registers it, so that
// its callback and webhook routes accept it. s.mu must be held.
func (s *Server) addInteractionLocked(i *discordgo.Interaction) *interaction {
	if i.ID == "" {
		i.ID = s.newID()
	}
	if i.AppID == "" {
		i.AppID = s.cfg.appID
	}
	if i.Token == "" {
		i.Token = newToken()
	}
	if i.Type == 0 {
		i.Type = discordgo.InteractionApplicationCommand
	}
	if i.Version == 0 {
		i.Version = 1
	}
	if i.Type != discordgo.InteractionPing {
		s.fillInteractionLocked(i)
	}
	in := &interaction{token: i.Token, channelID: i.ChannelID, sentAt: time.Now()}
	if i.Message != nil {
		in.messageID = i.Message.ID
	}
	s.interactions[i.ID] = in
	s.byToken[i.Token] = in
	return in
}

// fillInteractionLocked fills a command's or component's locale, place,
// member or user, and app permissions. s.mu must be held.
func (s *Server) fillInteractionLocked(i *discordgo.Interaction) {
	if i.Locale == "" {
		i.Locale = discordgo.EnglishUS
	}
	s.placeLocked(&i.ChannelID, &i.GuildID)
	if i.GuildID != "" {
		if i.Member == nil {
			i.Member = &discordgo.Member{GuildID: i.GuildID, Permissions: DefaultPermissions}
		}
		if i.Member.User == nil {
			i.Member.User = defaultUser()
		}
	} else if i.User == nil {
		i.User = defaultUser()
	}
	if i.AppPermissions == 0 {
		i.AppPermissions = DefaultPermissions
	}
}

// SendMessage stores m and dispatches MESSAGE_CREATE after filling id,
// channel and guild (as SendInteraction does), author (the default user),
// timestamp, and the bot in mentions when the content mentions it. Like
// Discord, it delivers the message only to sessions that identified with
// GUILD_MESSAGES (DIRECT_MESSAGES for a DM), and blanks content, embeds,
// attachments and components for sessions without MESSAGE_CONTENT unless the
// message is a DM or mentions the bot. It fills m in place and returns it.
func (s *Server) SendMessage(m *discordgo.Message) *discordgo.Message {
	s.mu.Lock()
	if m.ID == "" {
		m.ID = s.newID()
	}
	s.placeLocked(&m.ChannelID, &m.GuildID)
	if m.Author == nil {
		m.Author = defaultUser()
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC()
	}
	bot := s.cfg.appID
	mentionsBot := slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u != nil && u.ID == bot })
	if !mentionsBot && (strings.Contains(m.Content, "<@"+bot+">") || strings.Contains(m.Content, "<@!"+bot+">")) {
		m.Mentions = append(m.Mentions, s.BotUser())
		mentionsBot = true
	}
	full, err := json.Marshal(m)
	if err != nil {
		s.mu.Unlock()
		s.tb.Errorf("discordtest: encode message: %v", err)
		return m
	}
	var obj map[string]any
	json.Unmarshal(full, &obj)
	s.messages[m.ID] = obj
	s.order = append(s.order, m.ID)
	s.notifyLocked()
	s.mu.Unlock()

	need := discordgo.IntentsGuildMessages
	if m.GuildID == "" {
		need = discordgo.IntentsDirectMessages
	}
	withContent := m.GuildID == "" || mentionsBot || m.Author.ID == bot
	s.dispatch("MESSAGE_CREATE", m.GuildID, func(sess *gwSession) (any, bool) {
		intents := sess.identify.Intents
		if intents&need == 0 {
			return nil, false
		}
		if withContent || intents&discordgo.IntentsMessageContent != 0 {
			return json.RawMessage(full), true
		}
		blank := map[string]any{}
		for k, v := range obj {
			blank[k] = v
		}
		blank["content"], blank["embeds"], blank["attachments"], blank["components"] = "", []any{}, []any{}, []any{}
		return blank, true
	})
	return m
}

// DropConnection closes every gateway connection abruptly, without a close
// frame, as a network failure would; sessions stay resumable, and events
// dispatched meanwhile are replayed on RESUME.
func (s *Server) DropConnection() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.session != nil && c.session.conn == c {
			c.session.conn = nil
		}
		c.ws.Close()
	}
}

// Identifies returns the IDENTIFY payloads received, in order, without their presence.
func (s *Server) Identifies() []discordgo.Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]discordgo.Identify(nil), s.identifies...)
}

// Resumes returns the RESUME payloads received, in order.
func (s *Server) Resumes() []Resume {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Resume(nil), s.resumes...)
}

// WaitHandshakes waits until n gateway handshakes (READY or RESUMED sent)
// have completed since the server started.
func (s *Server) WaitHandshakes(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		done, changed := s.handshakes >= n, s.changed
		got := s.handshakes
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: waiting for %d gateway handshakes, got %d: %w", n, got, ctx.Err())
		}
	}
}
