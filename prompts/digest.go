package prompts

import (
	"fmt"
	"time"
)

// DigestInput is what DigestIntro needs to open the daily digest.
type DigestInput struct {
	// Lang is the language of the digest: "fr", "en" or "ar" ("" lets the
	// model follow the stories' language).
	Lang string
	// Day is the digest's date.
	Day time.Time
	// Stories are the day's stories, one line each in Text, numbered by N
	// as the digest lists them, most important first.
	Stories []Source
}

// digestData is the view the digest templates render.
type digestData struct {
	DigestInput
	Language string
}

// DigestIntro renders the messages asking a model for a short opening
// paragraph on the day's main stories, citing them as [n], with the story
// lines fenced as untrusted data.
func DigestIntro(in DigestInput) ([]Message, error) {
	if in.Day.IsZero() {
		return nil, fmt.Errorf("digest intro prompt: Day is not set")
	}
	if err := checkSources(in.Stories); err != nil {
		return nil, fmt.Errorf("digest intro prompt: %w", err)
	}
	msgs, err := render("digest", digestData{DigestInput: in, Language: languageName(in.Lang)}, nil)
	if err != nil {
		return nil, fmt.Errorf("digest intro prompt: %w", err)
	}
	return msgs, nil
}
