package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// statsDays is the period of the questions /stats shows, statsTop the
// topics and articles it lists, statsQuestionRunes where it cuts a
// member's question; an article's URL longer than statsLinkRunes is not
// linked.
const (
	statsDays          = 7
	statsTop           = 3
	statsQuestionRunes = 200
	statsLinkRunes     = 300
)

// insightsEmbed shows what members asked in a report's period: questions,
// the share answered, latency, the most asked unanswered topics and the
// most cited articles, members' text escaped and cut within Discord's
// field limits.
func insightsEmbed(rep insights.Report, lang string) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: phrases.Text(lang, phrases.StatsQuestionsTitle, statsDays), Color: embedColor}
	if rep.Asked == 0 {
		e.Description = phrases.Text(lang, phrases.StatsNoQuestions)
		return e
	}
	field := func(key phrases.Key, v string, inline bool) {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: phrases.Text(lang, key), Value: v, Inline: inline})
	}
	field(phrases.StatsAsked, fmt.Sprint(rep.Asked), true)
	field(phrases.StatsAnswered, fmt.Sprintf("%d (%.0f %%)", rep.Answered, 100*rep.AnsweredShare()), true)
	field(phrases.StatsLatency, insights.FormatMillis(rep.LatencyP50ms)+" · "+insights.FormatMillis(rep.LatencyP95ms), true)
	var lines []string
	for _, t := range rep.Unanswered[:min(statsTop, len(rep.Unanswered))] {
		line := fmt.Sprintf("**%d×** %s", t.Count, escapeMarkdown(nlp.OneLine(t.Question, statsQuestionRunes)))
		if len(t.Langs) > 0 {
			line += " (" + strings.Join(t.Langs, ", ") + ")"
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		field(phrases.StatsUnanswered, fieldLines(lines), false)
	}
	lines = nil
	for _, a := range rep.TopArticles[:min(statsTop, len(rep.TopArticles))] {
		art := rag.Article{Title: a.Title, URL: a.URL, Publisher: a.Publisher}
		if utf8.RuneCountInString(art.URL) > statsLinkRunes {
			art.URL = "" // the title alone, rather than a link filling the field
		}
		art.Published, _ = time.Parse(time.DateOnly, a.Published) // "" stays zero: no date
		lines = append(lines, fmt.Sprintf("**%d×** %s", a.Answers, articleLine(art)))
	}
	if len(lines) > 0 {
		field(phrases.StatsTopArticles, fieldLines(lines), false)
	}
	return e
}

// fieldLines joins, in order, the lines that fit an embed field's value
// (those that would overflow it are left out); the first line cut to fit
// when none does.
func fieldLines(lines []string) string {
	out := ""
	for _, l := range lines {
		if utf8.RuneCountInString(out)+utf8.RuneCountInString(l) <= maxFieldValue {
			out += l + "\n"
		}
	}
	if out == "" {
		return nlp.Truncate(lines[0], maxFieldValue)
	}
	return strings.TrimSuffix(out, "\n")
}
