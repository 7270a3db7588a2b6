package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/insights"
)

func TestInsightsEmbed(t *testing.T) {
	hostile := insights.Report{
		Asked: 7, Answered: 3, NotFound: 4, LatencyP50ms: 850, LatencyP95ms: 2345,
		Unanswered: []insights.Topic{
			{Question: "<script>alert(1)</script> @everyone **gras** <@123> [lien](https://evil.example)", Count: 3, Langs: []string{"en", "fr"}},
			{Question: strings.Repeat("Pourquoi ", 500), Count: 2, Langs: []string{"fr"}},
			{Question: "ما هو سعر الذهب؟", Count: 1, Langs: []string{"ar"}},
			{Question: "a fourth topic, not shown", Count: 1},
		},
		TopArticles: []insights.CitedArticle{
			{Source: insights.Source{Title: "Mezzour annonce une instance *IA*", URL: "https://news.example/ia", Publisher: "L'Opinion", Published: "2023-10-24"}, Answers: 5},
			{Source: insights.Source{Title: "@here " + strings.Repeat("long ", 100), URL: "https://news.example/" + strings.Repeat("x", 2000)}, Answers: 2},
			{Source: insights.Source{Title: "Notes", URL: "file:///notes.txt"}, Answers: 1},
		},
	}
	tests := []struct {
		name string
		rep  insights.Report
		lang string
	}{
		{"hostile", hostile, "fr"},
		{"none", insights.Report{}, "ar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := insightsEmbed(tt.rep, tt.lang)
			checkMessages(t, []message{{Content: "-", Embeds: []*discordgo.MessageEmbed{e}}})
			got, err := json.MarshalIndent(e, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"<script", "@everyone", "@here", "<@123>", "**gras**", "fourth topic"} {
				if strings.Contains(string(got), bad) {
					t.Errorf("the embed has %q as is:\n%s", bad, got)
				}
			}
			golden(t, "render/stats-"+tt.name+".golden", append(got, '\n'))
		})
	}
}

func TestFieldLines(t *testing.T) {
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"all fit", []string{"a", "b"}, "a\nb"},
		{"one left out", []string{long, long, "c"}, long + "\nc"},
		{"none fits", []string{strings.Repeat("y", 2000)}, strings.Repeat("y", 1023) + "…"},
	}
	for _, tt := range tests {
		if got := fieldLines(tt.lines); got != tt.want {
			t.Errorf("%s: fieldLines = %q (%d runes), want %d runes", tt.name, got[:min(len(got), 40)], len([]rune(got)), len([]rune(tt.want)))
		}
	}
}
