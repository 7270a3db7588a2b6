package bot

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Config{UserPerMinute: 6, UserBurst: 2, GuildPerMinute: 60, GuildBurst: 3})
	l.now = func() time.Time { return now }
	type call struct {
		user, guild string
		advance     time.Duration
		ok          bool
		wait        time.Duration
	}
	calls := []call{
		{"alice", "g1", 0, true, 0},
		{"alice", "g1", 0, true, 0},
		{"alice", "g1", 0, false, 10 * time.Second}, // alice's burst of 2 is spent; 6/min = one per 10 s
		{"bob", "g1", 0, true, 0},                   // the guild's 3rd token
		{"carol", "g1", 0, false, time.Second},      // the guild's burst is spent; 60/min = one per second
		{"carol", "", 0, true, 0},                   // a DM has no guild bucket
		{"alice", "g1", 10 * time.Second, true, 0},  // refilled
		{"dave", "g2", 0, true, 0},
	}
	for i, c := range calls {
		now = now.Add(c.advance)
		ok, no := l.allow(c.user, c.guild)
		if wait := no.wait; ok != c.ok || wait.Round(time.Millisecond) != c.wait {
			t.Errorf("call %d (%s in %q): allow = %v, %v; want %v, %v", i, c.user, c.guild, ok, wait, c.ok, c.wait)
		}
	}
}

func TestLimiterRefusalTakesNoToken(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Config{UserPerMinute: 60, UserBurst: 1, GuildPerMinute: 1, GuildBurst: 1})
	l.now = func() time.Time { return now }
	if ok, _ := l.allow("bob", "g"); !ok {
		t.Fatal("first call refused")
	}
	// The guild is empty: erin is refused, and her own bucket stays full.
	if ok, _ := l.allow("erin", "g"); ok {
		t.Fatal("call in an empty guild allowed")
	}
	if ok, _ := l.allow("erin", ""); !ok {
		t.Error("erin's refused call took her token")
	}
}

// TestLimiterRefusalText checks that a member refused because the whole
// server asks too often is not told they ask too fast, and that waits are
// worded with the right plural.
func TestLimiterRefusalText(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Config{UserPerMinute: 1, UserBurst: 1, GuildPerMinute: 60, GuildBurst: 1})
	l.now = func() time.Time { return now }
	type call struct {
		user, guild, lang string
		want              string
	}
	calls := []call{
		{"bob", "g", "en", ""},
		{"erin", "g", "en", "🐢 This server is asking more questions than I can read right now. Please try again in 1 second."},
		{"erin", "g", "ar", "🐢 يطرح هذا الخادم أسئلة أكثر مما أستطيع قراءته الآن. يُرجى المحاولة بعد ثانية واحدة."},
		{"bob", "", "en", "🐢 You're asking faster than I can read. Please wait 60 seconds."},
		{"bob", "g", "fr", "🐢 Vous posez des questions plus vite que je ne lis. Attendez 60 secondes."},
	}
	for i, c := range calls {
		ok, no := l.allow(c.user, c.guild)
		got := ""
		if !ok {
			got = no.text(c.lang)
		}
		if got != c.want {
			t.Errorf("call %d (%s in %q): refusal %q, want %q", i, c.user, c.guild, got, c.want)
		}
	}
}
