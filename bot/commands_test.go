package bot

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestIsAdmin(t *testing.T) {
	tests := []struct {
		name string
		m    *discordgo.Member
		want bool
	}{
		{"no member (DM)", nil, false},
		{"plain member", &discordgo.Member{Permissions: discordgo.PermissionSendMessages}, false},
		{"manage server", &discordgo.Member{Permissions: discordgo.PermissionManageGuild}, true},
		{"administrator", &discordgo.Member{Permissions: discordgo.PermissionAdministrator}, true},
		{"admin role", &discordgo.Member{Roles: []string{"r1", "admins"}}, true},
		{"other role", &discordgo.Member{Roles: []string{"r1"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isAdmin(tt.m, []string{"admins"}); got != tt.want {
				t.Errorf("isAdmin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionString(t *testing.T) {
	opt := func(v any) []*discordgo.ApplicationCommandInteractionDataOption {
		return []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: v}}
	}
	tests := []struct {
		name string
		opts []*discordgo.ApplicationCommandInteractionDataOption
		want string
	}{
		{"string", opt("  Qui ?  "), "Qui ?"},
		{"absent", nil, ""},
		{"null", opt(nil), ""},
		{"a number where a string belongs", opt(42.0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := optionString(tt.opts, "question"); got != tt.want {
				t.Errorf("optionString = %q, want %q", got, tt.want)
			}
		})
	}
}
