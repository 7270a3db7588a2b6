package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's JSON error codes the fake answers with.
const (
	codeUnknownChannel      = 10003
	codeUnknownMessage      = 10008
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeUnknownCommand      = 10063
	codeMissingAccess       = 50001
	codeOtherAuthor         = 50005
	codeEmptyMessage        = 50006
	codeWrongChannelType    = 50024
	codeInvalidForm         = 50035
	codeInvalidJSON         = 50109
	codeAlreadyAcknowledged = 40060
	codeThreadExists        = 160004
)

// Message flags the fake sets itself.
const (
	flagHasThread = 1 << 5
	flagLoading   = 1 << 7
)

// requestKey carries the decoded Request to handlers through the context.
type requestKey struct{}

// handler answers a decoded REST request with a status and a JSON value
// (nil for no body, rawBody for non-JSON).
type handler func(r *http.Request, req Request) (int, any)

// rawBody is a non-JSON response body.
type rawBody struct {
	contentType string
	data        []byte
}

// ServeHTTP implements http.Handler.
func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body := h(r, r.Context().Value(requestKey{}).(Request))
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body any) {
	switch b := body.(type) {
	case nil:
		w.WriteHeader(status)
	case rawBody:
		w.Header().Set("Content-Type", b.contentType)
		w.WriteHeader(status)
		w.Write(b.data)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			status, data = http.StatusInternalServerError, fmt.Appendf(nil, `{"message":%q,"code":0}`, "discordtest: encode response: "+err.Error())
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(data)
	}
}

// apiError is Discord's JSON error body.
func apiError(status, code int, message string) (int, any) {
	return status, map[string]any{"message": message, "code": code}
}

// recorder buffers a response so the request is recorded before the client sees the answer.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, b...)
	return len(b), nil
}

// routes returns the fake's HTTP handler: the gateway websocket, then REST
// requests, each recorded with its answer.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.Handle("GET /api/v9/gateway", handler(s.gatewayURL))
	api.Handle("GET /api/v9/gateway/bot", handler(s.gatewayURL))
	api.Handle("GET /api/v9/users/@me", handler(func(*http.Request, Request) (int, any) { return http.StatusOK, s.BotUser() }))
	api.Handle("GET /api/v9/oauth2/applications/@me", handler(func(*http.Request, Request) (int, any) { return http.StatusOK, s.application() }))

	for _, base := range []string{"/api/v9/applications/{app}/commands", "/api/v9/applications/{app}/guilds/{guild}/commands"} {
		api.Handle("GET "+base, handler(s.listCommands))
		api.Handle("PUT "+base, handler(s.overwriteCommands))
		api.Handle("POST "+base, handler(s.createCommand))
		api.Handle("GET "+base+"/{cmd}", handler(s.command))
		api.Handle("PATCH "+base+"/{cmd}", handler(s.command))
		api.Handle("DELETE "+base+"/{cmd}", handler(s.command))
	}

	api.Handle("POST /api/v9/interactions/{id}/{token}/callback", handler(s.interactionCallback))
	api.Handle("POST /api/v9/webhooks/{app}/{token}", handler(s.followup))
	api.Handle("GET /api/v9/webhooks/{app}/{token}/messages/{mid}", handler(s.webhookMessage))
	api.Handle("PATCH /api/v9/webhooks/{app}/{token}/messages/{mid}", handler(s.webhookMessage))
	api.Handle("DELETE /api/v9/webhooks/{app}/{token}/messages/{mid}", handler(s.webhookMessage))

	api.Handle("GET /api/v9/channels/{cid}", handler(s.channel))
	api.Handle("POST /api/v9/channels/{cid}/messages", handler(s.createChannelMessage))
	api.Handle("GET /api/v9/channels/{cid}/messages/{mid}", handler(s.channelMessage))
	api.Handle("PATCH /api/v9/channels/{cid}/messages/{mid}", handler(s.channelMessage))
	api.Handle("DELETE /api/v9/channels/{cid}/messages/{mid}", handler(s.channelMessage))
	api.Handle("POST /api/v9/channels/{cid}/messages/{mid}/threads", handler(s.startThread))
	api.Handle("POST /api/v9/channels/{cid}/threads", handler(s.startThread))

	api.Handle("GET /attachments/", handler(s.attachment))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gateway-ws" || r.URL.Path == "/gateway-ws/" {
			s.serveGateway(w, r)
			return
		}
		req, err := readRequest(r)
		rec := &recorder{header: http.Header{}}
		s.mu.Lock()
		fail, failed := s.takeFailureLocked(r)
		s.mu.Unlock()
		_, pattern := api.Handler(r)
		if err == nil && req.JSON != nil && pattern != "" {
			req.Violations = s.spec.checkBody(pattern, req.JSON)
		}
		switch {
		case err != nil:
			writeBody(rec, http.StatusBadRequest, map[string]any{"message": "The request body contains invalid JSON.", "code": codeInvalidJSON, "detail": err.Error()})
		case failed:
			if fail.status == http.StatusTooManyRequests {
				rec.Header().Set("X-RateLimit-Scope", "user")
			}
			writeBody(rec, fail.status, rawBody{contentType: "application/json", data: []byte(fail.body)})
		case pattern == "":
			writeBody(rec, http.StatusNotFound, map[string]any{"message": "Unknown route", "code": 0})
		case needsAuth(r.URL.Path) && !validAuth(r.Header.Get("Authorization")):
			writeBody(rec, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		case len(req.Violations) > 0:
			status, body := specError(req.Violations)
			writeBody(rec, status, body)
		default:
			// ServeHTTP, not the matched handler, so that PathValue works.
			api.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
		}
		req.Status, req.Response = rec.status, rec.body
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.notifyLocked()
		s.mu.Unlock()
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body)
	})
}

// needsAuth reports whether a path needs the bot token: interaction
// callbacks, interaction webhooks, the gateway URL and the CDN do not.
func needsAuth(path string) bool {
	for _, p := range []string{"/api/v9/interactions/", "/api/v9/webhooks/", "/api/v9/gateway", "/attachments/"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// validAuth accepts "Bot <token>" with a non-empty token.
func validAuth(v string) bool {
	token, ok := strings.CutPrefix(v, "Bot ")
	return ok && strings.TrimSpace(token) != ""
}

func (s *Server) gatewayURL(r *http.Request, _ Request) (int, any) {
	url := "ws://" + s.host + "/gateway-ws"
	if strings.HasSuffix(r.URL.Path, "/bot") {
		return http.StatusOK, map[string]any{"url": url, "shards": s.cfg.shards, "session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": s.cfg.maxConcurrency}}
	}
	return http.StatusOK, map[string]any{"url": url}
}

func (s *Server) attachment(r *http.Request, _ Request) (int, any) {
	s.mu.Lock()
	a, ok := s.attachments[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		return http.StatusNotFound, rawBody{contentType: "text/plain", data: []byte("Not Found")}
	}
	return http.StatusOK, rawBody{contentType: a.contentType, data: a.data}
}

// ---- application commands

func (s *Server) checkApp(r *http.Request) (int, any, bool) {
	if r.PathValue("app") != s.cfg.appID {
		status, body := apiError(http.StatusForbidden, codeMissingAccess, "Missing Access")
		return status, body, false
	}
	return 0, nil, true
}

func (s *Server) listCommands(r *http.Request, _ Request) (int, any) {
	if status, body, ok := s.checkApp(r); !ok {
		return status, body
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return http.StatusOK, append([]*discordgo.ApplicationCommand{}, s.commands[r.PathValue("guild")]...)
}

func (s *Server) overwriteCommands(r *http.Request, req Request) (int, any) {
	if status, body, ok := s.checkApp(r); !ok {
		return status, body
	}
	var cmds []*discordgo.ApplicationCommand
	if err := req.Decode(&cmds); err != nil {
		return formError("_root", "BASE_TYPE_ARRAY", "Must be an array of application commands: "+err.Error())
	}
	if len(cmds) > 100 {
		return formError("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
		if status, body, ok := validateCommand(fmt.Sprint(i), c); !ok {
			return status, body
		}
		key := fmt.Sprint(c.Type, c.Name)
		if seen[key] {
			return formError(fmt.Sprint(i, ".name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.commands[guild]
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, c := range cmds {
		id := s.newID()
		for _, o := range old {
			if o.Name == c.Name && o.Type == c.Type {
				id = o.ID
			}
		}
		out = append(out, s.stampCommand(c, id, guild))
	}
	s.commands[guild] = out
	return http.StatusOK, out
}

func (s *Server) createCommand(r *http.Request, req Request) (int, any) {
	if status, body, ok := s.checkApp(r); !ok {
		return status, body
	}
	var c discordgo.ApplicationCommand
	if err := req.Decode(&c); err != nil {
		return formError("_root", "BASE_TYPE_OBJECT", "Must be an application command: "+err.Error())
	}
	if status, body, ok := validateCommand("", &c); !ok {
		return status, body
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	stamped := s.stampCommand(&c, "", guild)
	for i, o := range s.commands[guild] {
		if o.Name == stamped.Name && o.Type == stamped.Type {
			stamped.ID = o.ID
			s.commands[guild][i] = stamped
			return http.StatusOK, stamped
		}
	}
	stamped.ID = s.newID()
	s.commands[guild] = append(s.commands[guild], stamped)
	return http.StatusCreated, stamped
}

func (s *Server) command(r *http.Request, req Request) (int, any) {
	if status, body, ok := s.checkApp(r); !ok {
		return status, body
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.commands[guild], func(c *discordgo.ApplicationCommand) bool { return c.ID == r.PathValue("cmd") })
	if i < 0 {
		return apiError(http.StatusNotFound, codeUnknownCommand, "Unknown application command")
	}
	switch r.Method {
	case http.MethodDelete:
		s.commands[guild] = slices.Delete(s.commands[guild], i, i+1)
		return http.StatusNoContent, nil
	case http.MethodPatch:
		c := *s.commands[guild][i]
		if err := req.Decode(&c); err != nil {
			return formError("_root", "BASE_TYPE_OBJECT", "Must be an application command: "+err.Error())
		}
		if status, body, ok := validateCommand("", &c); !ok {
			return status, body
		}
		s.commands[guild][i] = s.stampCommand(&c, c.ID, guild)
	}
	return http.StatusOK, s.commands[guild][i]
}

// stampCommand returns a copy of c as Discord stores it.
func (s *Server) stampCommand(c *discordgo.ApplicationCommand, id, guild string) *discordgo.ApplicationCommand {
	out := *c
	out.ID, out.ApplicationID, out.GuildID, out.Version = id, s.cfg.appID, guild, s.newID()
	if out.Type == 0 {
		out.Type = discordgo.ChatApplicationCommand
	}
	return &out
}

// validateCommand applies Discord's naming rules to one command (at index path).
func validateCommand(path string, c *discordgo.ApplicationCommand) (int, any, bool) {
	at := func(field string) string { return strings.TrimPrefix(path+"."+field, ".") }
	chat := c.Type == 0 || c.Type == discordgo.ChatApplicationCommand
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > 32 || (chat && !validCommandName(c.Name)) {
		status, body := formError(at("name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		return status, body, false
	}
	if n := utf8.RuneCountInString(c.Description); chat && (n < 1 || n > 100) {
		status, body := formError(at("description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		return status, body, false
	}
	if len(c.Options) > 25 {
		status, body := formError(at("options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		return status, body, false
	}
	return 0, nil, true
}

// validCommandName reports whether a chat command name is lower case letters, digits, '-' and '_'.
func validCommandName(name string) bool {
	for _, r := range name {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && strings.ToLower(string(r)) == string(r)) {
			return false
		}
	}
	return true
}

// ---- interactions and their webhooks

func (s *Server) interactionCallback(r *http.Request, req Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("id")]
	if !ok || in.token != r.PathValue("token") || time.Since(in.sentAt) > s.cfg.interactionDeadline {
		return apiError(http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
	}
	body, _ := req.JSON.(map[string]any)
	return s.respondLocked(in, body, req.Files)
}

// respondLocked takes body as the first response to in, from the callback
// route or from the HTTP reply to PostInteraction, and answers as the
// callback route does. s.mu must be held.
func (s *Server) respondLocked(in *interaction, body map[string]any, files []File) (int, any) {
	if in.acked {
		return apiError(http.StatusBadRequest, codeAlreadyAcknowledged, "Interaction has already been acknowledged.")
	}
	typ, _ := body["type"].(float64)
	data, _ := body["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	switch discordgo.InteractionResponseType(typ) {
	case discordgo.InteractionResponsePong, discordgo.InteractionApplicationCommandAutocompleteResult, discordgo.InteractionResponseModal:
	case discordgo.InteractionResponseDeferredMessageUpdate:
		// A component's original response is the message it sits on.
		in.original = in.messageID
	case discordgo.InteractionResponseChannelMessageWithSource:
		if status, body, ok := validateMessage(data, len(files), true); !ok {
			return status, body
		}
		in.original = s.createMessageLocked(in.channelID, data, files, s.cfg.appID)["id"].(string)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		flags, _ := data["flags"].(float64)
		in.original = s.createMessageLocked(in.channelID, map[string]any{"flags": int(flags) | flagLoading}, nil, s.cfg.appID)["id"].(string)
	case discordgo.InteractionResponseUpdateMessage:
		if status, body, ok := validateMessage(data, len(files), false); !ok {
			return status, body
		}
		if obj, ok := s.messages[in.messageID]; ok {
			s.editMessageLocked(obj, data, files)
		}
		in.original = in.messageID
	default:
		return formError("type", "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of {1, 4, 5, 6, 7, 8, 9}, not %v.", body["type"]))
	}
	in.acked = true
	s.notifyLocked()
	return http.StatusNoContent, nil
}

// webhookLocked finds the acknowledged interaction whose webhook is app/token.
func (s *Server) webhookLocked(r *http.Request) (*interaction, int, any) {
	in, ok := s.byToken[r.PathValue("token")]
	if r.PathValue("app") != s.cfg.appID || !ok || !in.acked {
		status, body := apiError(http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook")
		return nil, status, body
	}
	return in, 0, nil
}

func (s *Server) followup(r *http.Request, req Request) (int, any) {
	s.awaitReply(r.PathValue("token"))
	s.mu.Lock()
	defer s.mu.Unlock()
	in, status, body := s.webhookLocked(r)
	if in == nil {
		return status, body
	}
	data, _ := req.JSON.(map[string]any)
	if status, body, ok := validateMessage(data, len(req.Files), true); !ok {
		return status, body
	}
	msg := s.createMessageLocked(in.channelID, data, req.Files, s.cfg.appID)
	// Interaction follow-ups always answer with the message ("wait" is implied).
	return http.StatusOK, msg
}

func (s *Server) webhookMessage(r *http.Request, req Request) (int, any) {
	s.awaitReply(r.PathValue("token"))
	s.mu.Lock()
	defer s.mu.Unlock()
	in, status, body := s.webhookLocked(r)
	if in == nil {
		return status, body
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = in.original
	}
	obj, ok := s.messages[id]
	if !ok || (obj["webhook_id"] != s.cfg.appID && id != in.messageID) || obj["channel_id"] != in.channelID {
		return apiError(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
	}
	return s.messageOpLocked(r.Method, id, obj, req)
}

// ---- channels, messages and threads

func (s *Server) channel(r *http.Request, _ Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("cid")]
	if !ok {
		return apiError(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
	}
	return http.StatusOK, ch
}

func (s *Server) createChannelMessage(r *http.Request, req Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := r.PathValue("cid")
	if _, ok := s.channels[cid]; !ok {
		return apiError(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
	}
	data, _ := req.JSON.(map[string]any)
	if status, body, ok := validateMessage(data, len(req.Files), true); !ok {
		return status, body
	}
	if ref, ok := data["message_reference"].(map[string]any); ok {
		refID, _ := ref["message_id"].(string)
		if _, known := s.messages[refID]; !known && ref["fail_if_not_exists"] != false {
			return formError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	return http.StatusOK, s.createMessageLocked(cid, data, req.Files, "")
}

func (s *Server) channelMessage(r *http.Request, req Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid, mid := r.PathValue("cid"), r.PathValue("mid")
	if _, ok := s.channels[cid]; !ok {
		return apiError(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
	}
	obj, ok := s.messages[mid]
	if !ok || obj["channel_id"] != cid {
		return apiError(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
	}
	if author, _ := obj["author"].(map[string]any); r.Method == http.MethodPatch && author["id"] != s.cfg.appID {
		return apiError(http.StatusForbidden, codeOtherAuthor, "Cannot edit a message authored by another user")
	}
	return s.messageOpLocked(r.Method, mid, obj, req)
}

// messageOpLocked deletes (DELETE) or edits (PATCH) a stored message, or
// returns it (GET). The caller holds s.mu and has checked the route.
func (s *Server) messageOpLocked(method, id string, obj map[string]any, req Request) (int, any) {
	switch method {
	case http.MethodDelete:
		s.deleteMessageLocked(id)
		return http.StatusNoContent, nil
	case http.MethodPatch:
		data, _ := req.JSON.(map[string]any)
		if status, body, ok := validateMessage(data, len(req.Files), false); !ok {
			return status, body
		}
		s.editMessageLocked(obj, data, req.Files)
	}
	return http.StatusOK, obj
}

// startThread creates a thread from a message (its ID is the message's, as on
// Discord) or, without a message, a standalone thread.
func (s *Server) startThread(r *http.Request, req Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid, mid := r.PathValue("cid"), r.PathValue("mid")
	parent, ok := s.channels[cid]
	if !ok {
		return apiError(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
	}
	if parent.Type != discordgo.ChannelTypeGuildText && parent.Type != discordgo.ChannelTypeGuildNews {
		return apiError(http.StatusBadRequest, codeWrongChannelType, "Cannot execute action on this channel type")
	}
	var body discordgo.ThreadStart
	if err := req.Decode(&body); err != nil {
		return formError("_root", "BASE_TYPE_OBJECT", "Must be a thread: "+err.Error())
	}
	if n := utf8.RuneCountInString(body.Name); n < 1 || n > 100 {
		return formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	id, typ := s.newID(), body.Type
	if typ == 0 {
		typ = discordgo.ChannelTypeGuildPrivateThread
	}
	if mid != "" {
		msg, ok := s.messages[mid]
		if !ok || msg["channel_id"] != cid {
			return apiError(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		}
		if _, exists := s.channels[mid]; exists {
			return apiError(http.StatusBadRequest, codeThreadExists, "A thread has already been created for this message")
		}
		id, typ = mid, discordgo.ChannelTypeGuildPublicThread
		if parent.Type == discordgo.ChannelTypeGuildNews {
			typ = discordgo.ChannelTypeGuildNewsThread
		}
	}
	archive := body.AutoArchiveDuration
	if archive == 0 {
		archive = 4320
	}
	th := &discordgo.Channel{
		ID: id, GuildID: parent.GuildID, ParentID: cid, Name: body.Name, Type: typ, OwnerID: s.cfg.appID,
		RateLimitPerUser: body.RateLimitPerUser, MemberCount: 1,
		ThreadMetadata: &discordgo.ThreadMetadata{AutoArchiveDuration: archive, Invitable: body.Invitable},
	}
	s.channels[id] = th
	if mid != "" {
		msg := s.messages[mid]
		msg["thread"] = th
		flags, _ := msg["flags"].(int)
		msg["flags"] = flags | flagHasThread
	}
	return http.StatusCreated, th
}

// requestOnly are request fields that are not part of the stored message.
var requestOnly = []string{"allowed_mentions", "sticker_ids", "nonce", "enforce_nonce", "attachments", "username", "avatar_url", "thread_name", "payload_json"}

// createMessageLocked stores a new message in channelID built from a request
// body and returns it; webhookID is the app ID for interaction messages, ""
// for bot messages. s.mu must be held.
func (s *Server) createMessageLocked(channelID string, body map[string]any, files []File, webhookID string) map[string]any {
	obj := map[string]any{}
	for k, v := range body {
		if !slices.Contains(requestOnly, k) {
			obj[k] = v
		}
	}
	id := s.newID()
	obj["id"] = id
	obj["channel_id"] = channelID
	if ch, ok := s.channels[channelID]; ok && ch.GuildID != "" {
		obj["guild_id"] = ch.GuildID
	}
	obj["author"] = map[string]any{"id": s.cfg.appID, "username": s.cfg.botName, "bot": true}
	if webhookID != "" {
		obj["webhook_id"] = webhookID
	}
	obj["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	obj["edited_timestamp"] = nil
	obj["type"] = discordgo.MessageTypeDefault
	if obj["message_reference"] != nil {
		obj["type"] = discordgo.MessageTypeReply
	}
	if _, ok := obj["content"].(string); !ok {
		obj["content"] = ""
	}
	flags, _ := obj["flags"].(float64)
	if f, ok := obj["flags"].(int); ok {
		flags = float64(f)
	}
	obj["flags"] = int(flags)
	for _, k := range []string{"embeds", "components", "mentions", "mention_roles"} {
		if obj[k] == nil {
			obj[k] = []any{}
		}
	}
	obj["attachments"] = s.uploadLocked(channelID, files)
	s.messages[id] = obj
	s.order = append(s.order, id)
	return obj
}

// editMessageLocked applies a PATCH body to a stored message. s.mu must be held.
func (s *Server) editMessageLocked(obj, body map[string]any, files []File) {
	for k, v := range body {
		if slices.Contains(requestOnly, k) || k == "id" || k == "channel_id" || k == "author" {
			continue
		}
		if v == nil && (k == "embeds" || k == "components") {
			v = []any{}
		}
		obj[k] = v
	}
	if f, ok := obj["flags"].(float64); ok {
		obj["flags"] = int(f)
	}
	flags, _ := obj["flags"].(int)
	obj["flags"] = flags &^ flagLoading
	if kept, ok := body["attachments"].([]any); ok || len(files) > 0 {
		if !ok {
			kept, _ = obj["attachments"].([]any)
		}
		old, _ := obj["attachments"].([]any)
		var next []any
		for _, k := range kept {
			km, _ := k.(map[string]any)
			for _, o := range old {
				if om, _ := o.(map[string]any); om["id"] == km["id"] {
					next = append(next, o)
				}
			}
		}
		obj["attachments"] = append(append([]any{}, next...), s.uploadLocked(obj["channel_id"].(string), files)...)
	}
	obj["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
}

// uploadLocked serves uploaded files as attachments and returns their objects. s.mu must be held.
func (s *Server) uploadLocked(channelID string, files []File) []any {
	out := []any{}
	for _, f := range files {
		url := s.addAttachmentLocked(channelID, f.Name, f.ContentType, f.Data)
		out = append(out, map[string]any{
			"id": s.newID(), "filename": f.Name, "size": len(f.Data), "url": url, "proxy_url": url, "content_type": f.ContentType,
		})
	}
	return out
}

func (s *Server) deleteMessageLocked(id string) {
	delete(s.messages, id)
	s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id })
}
