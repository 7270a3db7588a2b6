package rag

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dalil-news/dalil/prompts"
)

// archiveLangsTTL is how long the archive's languages are trusted before
// they are read again.
const archiveLangsTTL = 10 * time.Minute

// langCache keeps the archive's languages for archiveLangsTTL.
type langCache struct {
	mu    sync.Mutex
	langs []string
	at    time.Time
}

// targetLangs returns the archive's languages other than lang, in
// archiveLangs' order: all of them without Config.ArchiveLanguages.
func (s *Service) targetLangs(ctx context.Context, lang string) ([]string, error) {
	langs := archiveLangs
	if s.cfg.ArchiveLanguages != nil {
		s.langs.mu.Lock()
		defer s.langs.mu.Unlock()
		if now := s.cfg.Now(); s.langs.langs == nil || now.Sub(s.langs.at) > archiveLangsTTL {
			got, err := s.cfg.ArchiveLanguages(ctx)
			if err != nil {
				return nil, err
			}
			s.langs.langs, s.langs.at = append([]string{}, got...), now
		}
		langs = s.langs.langs
	}
	var out []string
	for _, l := range archiveLangs {
		if l != lang && slices.Contains(langs, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// llmTranslations asks the chat model for the question in the archive's
// other languages (one bounded call, cached per question), for extra search
// legs. It returns nothing without a chat model, with NoChatTranslation,
// or when the archive holds no other language. A failed or timed-out call
// costs the question its translated legs, not its answer: only the
// caller's own cancellation is an error.
func (s *Service) llmTranslations(ctx context.Context, query, lang string) (map[string]string, error) {
	if s.chat == nil || s.cfg.NoChatTranslation {
		return nil, nil
	}
	targets, err := s.targetLangs(ctx, lang)
	if err != nil || len(targets) == 0 {
		return nil, err
	}
	key := lang + "\x00" + strings.Join(targets, ",") + "\x00" + query
	if texts, ok := s.translated.Get(key); ok {
		return texts, nil
	}
	msgs, err := prompts.Translate(prompts.TranslateInput{Question: query, Lang: lang, Targets: targets})
	if err != nil {
		return nil, nil // nothing the model could translate into
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.ChatTranslationTimeout)
	defer cancel()
	comp, err := s.chat.Complete(cctx, ChatRequest{Messages: msgs, MaxTokens: chatTranslationTokens}, nil)
	if err != nil {
		return nil, ctx.Err()
	}
	texts := prompts.ParseTranslations(comp.Text, targets)
	s.translated.Put(key, texts)
	return texts, nil
}

// chatTranslationTokens bounds the chat model's translations of a question.
const chatTranslationTokens = 300
