package discordtest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// identifyWindow is Discord's identify rate-limit window: max_concurrency
// identifies per bucket (shard id % max_concurrency) per 5 seconds.
const identifyWindow = 5 * time.Second

// WithShards sets what GET /gateway/bot recommends: the shard count and
// session_start_limit.max_concurrency (both 1 by default). Events go to
// the sessions of their guild's shard whatever the recommendation: a session
// that identified without a shard receives every event.
func WithShards(count, maxConcurrency int) Option {
	return func(c *config) { c.shards, c.maxConcurrency = max(count, 1), max(maxConcurrency, 1) }
}

// WithLocalAttachments makes AddAttachment and uploaded files answer URLs on
// the fake's own address (http://127.0.0.1:port/attachments/…) rather than
// cdn.discordapp.com, for a client the fake does not redirect, such as a
// `dalil serve` process pointed at it with DISCORD_API_BASE_URL and
// DISCORD_ATTACHMENT_HOSTS.
func WithLocalAttachments() Option {
	return func(c *config) { c.localAttachments = true }
}

// ShardOf returns the shard of a guild among count, as Discord computes
// it: (guild_id >> 22) % count. Guild-less events (DMs) go to shard 0.
func ShardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count < 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// receives reports whether the session gets the events of guildID: every
// event without a shard, else those of its shard.
func (sess *gwSession) receives(guildID string) bool {
	sh := sess.identify.Shard
	return sh == nil || ShardOf(guildID, sh[1]) == sh[0]
}

// guildOf returns the guild of an event payload: its guild_id, or its id
// for the GUILD_* events, whose payload is the guild.
func (s *Server) guildOf(t string, d any) string {
	data, err := json.Marshal(d)
	if err != nil {
		return "" // Dispatch reports it when it encodes the payload
	}
	var p struct {
		ID      string `json:"id"`
		GuildID string `json:"guild_id"`
	}
	json.Unmarshal(data, &p)
	if strings.HasPrefix(t, "GUILD_") && p.GuildID == "" {
		return p.ID
	}
	return p.GuildID
}

// countIdentifyLocked records an identify in its bucket, counting it as a
// burst when it comes within identifyWindow of the bucket's previous one.
// s.mu must be held.
func (s *Server) countIdentifyLocked(shard *[2]int) {
	bucket := 0
	if shard != nil {
		bucket = shard[0] % s.cfg.maxConcurrency
	}
	now := time.Now()
	if last, ok := s.lastIdentify[bucket]; ok && now.Sub(last) < identifyWindow {
		s.bursts++
	}
	s.lastIdentify[bucket] = now
}

// IdentifyBursts returns how many IDENTIFYs came less than 5 s after another
// in the same bucket (shard id % max_concurrency, see WithShards): Discord
// answers those Invalid Session. The fake accepts them, since discordgo
// would identify again at once and spin, and counts them for the test to check.
func (s *Server) IdentifyBursts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bursts
}
