package discordtest

import (
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// AddGuild makes a guild known to the fake, as a guild the bot is in: a
// session that identifies afterwards gets it in READY, unavailable, then a
// GUILD_CREATE with the guild and its channels known at that time
// (AddChannel, or those a test's events were sent in), as Discord sends
// when a session starts; sessions connected already get the GUILD_CREATE
// at once, as when the bot joins a guild. Either way only the sessions of
// the guild's shard get it (see WithShards). Without AddGuild, READY lists
// no guilds and no GUILD_CREATE is sent.
func (s *Server) AddGuild(g *discordgo.Guild) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *g
	s.guilds[g.ID] = &c
	for _, sess := range s.sessions {
		if !sess.invalid && sess.receives(g.ID) {
			s.dispatchLocked(sess, "GUILD_CREATE", s.guildCreateLocked(g.ID))
		}
	}
}

// readyGuildsLocked returns READY's guilds for sess: those of its shard,
// unavailable until their GUILD_CREATE. s.mu must be held.
func (s *Server) readyGuildsLocked(sess *gwSession) []any {
	out := []any{}
	for _, id := range s.shardGuildsLocked(sess) {
		out = append(out, map[string]any{"id": id, "unavailable": true})
	}
	return out
}

// createGuildsLocked sends sess a GUILD_CREATE for each guild of its
// shard. s.mu must be held.
func (s *Server) createGuildsLocked(sess *gwSession) {
	for _, id := range s.shardGuildsLocked(sess) {
		s.dispatchLocked(sess, "GUILD_CREATE", s.guildCreateLocked(id))
	}
}

// shardGuildsLocked returns the IDs of the known guilds whose events sess
// receives, sorted. s.mu must be held.
func (s *Server) shardGuildsLocked(sess *gwSession) []string {
	var ids []string
	for id := range s.guilds {
		if sess.receives(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// guildCreateLocked is the GUILD_CREATE payload of a known guild: the
// guild, available, with its known channels other than threads, sorted
// by ID. s.mu must be held.
func (s *Server) guildCreateLocked(id string) *discordgo.Guild {
	g := *s.guilds[id]
	g.Unavailable = false
	g.Channels = nil
	for _, ch := range s.channels {
		if ch.GuildID == id && !ch.IsThread() {
			c := *ch
			g.Channels = append(g.Channels, &c)
		}
	}
	slices.SortFunc(g.Channels, func(a, b *discordgo.Channel) int { return strings.Compare(a.ID, b.ID) })
	return &g
}
