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
