package discordtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestGuilds: each shard's session gets its guilds, with their channels,
// in READY and GUILD_CREATE, and a guild added later at once; the
// sessions' discordgo State then holds them.
func TestGuilds(t *testing.T) {
	t.Parallel()
	const count = 2
	srv := New(t, WithShards(count, 2))
	g0, g1 := guildOnShard(t, 0, count), guildOnShard(t, 1, count)
	srv.AddGuild(&discordgo.Guild{ID: g0, Name: "zero"})
	srv.AddGuild(&discordgo.Guild{ID: g1, Name: "one"})
	srv.AddChannel(&discordgo.Channel{ID: g0 + "1", GuildID: g0, Name: "général", Type: discordgo.ChannelTypeGuildText})
	srv.AddChannel(&discordgo.Channel{ID: g0 + "2", GuildID: g0, Name: "fil", Type: discordgo.ChannelTypeGuildPublicThread})

	created := make(chan *discordgo.GuildCreate, 4)
	var sessions [count]*discordgo.Session
	for i := range count {
		s := srv.Session(t, "secret")
		s.Identify.Intents = testIntents
		s.ShardID, s.ShardCount = i, count
		if i == 0 {
			s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { created <- g })
		}
		if err := s.Open(); err != nil {
			t.Fatalf("open shard %d: %v", i, err)
		}
		sessions[i] = s
	}
	select {
	case g := <-created:
		if g.ID != g0 || g.Name != "zero" || len(g.Channels) != 1 || g.Channels[0].ID != g0+"1" {
			t.Errorf("shard 0's GUILD_CREATE = %+v with channels %+v, want guild %s with its text channel only", g.Guild, g.Channels, g0)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shard 0 got no GUILD_CREATE")
	}
	ch, err := sessions[0].State.Channel(g0 + "1")
	if err != nil || ch.GuildID != g0 {
		t.Errorf("shard 0's state: channel %+v, %v; want the guild's channel", ch, err)
	}
	if _, err := sessions[0].State.Guild(g1); err == nil {
		t.Error("shard 0's state holds the guild of shard 1")
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, err := sessions[1].State.Guild(g1); err != nil; _, err = sessions[1].State.Guild(g1) {
		if time.Now().After(deadline) {
			t.Fatalf("shard 1's state lacks its guild: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	id, _ := strconv.ParseUint(g0, 10, 64)
	joined := strconv.FormatUint(id+count<<22, 10) // another guild of shard 0
	srv.AddGuild(&discordgo.Guild{ID: joined, Name: "joined"})
	select {
	case g := <-created:
		if g.ID != joined {
			t.Errorf("GUILD_CREATE of %s, want the guild joined, %s", g.ID, joined)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no GUILD_CREATE for a guild added while connected")
	}
}
