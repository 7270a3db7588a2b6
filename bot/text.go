package bot

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// texts holds the bot's own phrases in English and French; other
// languages fall back to English.
var texts = map[string]map[string]string{
	"en": {
		"thinking":      "🔎 Searching the archive…",
		"queued":        "⏳ Many questions right now: yours is number %d in line.",
		"queue_full":    "😓 Too many questions right now. Please try again in a minute.",
		"stopping":      "🔄 The bot is restarting. Please ask again in a minute.",
		"rate_limited":  "🐢 You're asking faster than I can read. Please wait %d seconds.",
		"apology":       "😔 Sorry, something went wrong while answering. (error id `%s`)",
		"timeout":       "⌛ Sorry, that took too long. Please try again. (error id `%s`)",
		"empty":         "Ask me a question about the news, e.g. `/ask question: What did the minister announce?`",
		"empty_answer":  "The archive does not say.",
		"sources":       "Sources",
		"more_sources":  "and %d more",
		"not_admin":     "🔒 This command is for server managers (Manage Server, or an admin role).",
		"no_dm":         "This command works in a server only.",
		"vote_up":       "Thanks for the 👍 — noted.",
		"vote_down":     "Thanks for the 👎 — noted; it helps improve the answers.",
		"vote_expired":  "This answer is too old to vote on.",
		"fetching":      "⏳ Fetching %s…",
		"downloading":   "⏳ Downloading %s…",
		"extracting":    "⏳ Extracting the article…",
		"storing":       "⏳ Embedding and storing “%s”…",
		"ingested":      "✅ %s: **%s** (id %d, %d chunks)",
		"ingest_failed": "❌ Could not ingest %s: %s",
		"ingest_usage":  "Give a `url` or attach a `file`.",
		"too_large":     "the file is larger than %d bytes",
		"forgot":        "🗑️ Forgot **%s** (id %d).",
		"unknown":       "No article matches `%s`.",
		"stats_title":   "Archive",
		"articles":      "Articles",
		"chunks":        "Passages",
		"embedder":      "Embedder",
		"db_size":       "Database",
		"newest":        "Last ingest",
		"uptime":        "Bot uptime",
		"no_sources":    "The archive is empty.",
		"recent":        "Recently ingested",
		"page":          "Page %d",
	},
	"fr": {
		"thinking":      "🔎 Je cherche dans les archives…",
		"queued":        "⏳ Beaucoup de questions en ce moment : la vôtre est la %dᵉ dans la file.",
		"queue_full":    "😓 Trop de questions en ce moment. Réessayez dans une minute.",
		"stopping":      "🔄 Le bot redémarre. Reposez la question dans une minute.",
		"rate_limited":  "🐢 Vous posez des questions plus vite que je ne lis. Attendez %d secondes.",
		"apology":       "😔 Désolé, un problème est survenu pendant la réponse. (identifiant d’erreur `%s`)",
		"timeout":       "⌛ Désolé, c’était trop long. Réessayez. (identifiant d’erreur `%s`)",
		"empty":         "Posez-moi une question sur l’actualité, par ex. `/ask question: Qu’a annoncé le ministre ?`",
		"empty_answer":  "Les archives ne disent rien à ce sujet.",
		"sources":       "Sources",
		"more_sources":  "et %d autres",
		"not_admin":     "🔒 Cette commande est réservée aux gestionnaires du serveur (Gérer le serveur, ou un rôle d’admin).",
		"no_dm":         "Cette commande ne fonctionne que sur un serveur.",
		"vote_up":       "Merci pour le 👍, c’est noté.",
		"vote_down":     "Merci pour le 👎, c’est noté : cela aide à améliorer les réponses.",
		"vote_expired":  "Cette réponse est trop ancienne pour être notée.",
		"fetching":      "⏳ Téléchargement de %s…",
		"downloading":   "⏳ Téléchargement de %s…",
		"extracting":    "⏳ Extraction de l’article…",
		"storing":       "⏳ Indexation de « %s »…",
		"ingested":      "✅ %s : **%s** (id %d, %d passages)",
		"ingest_failed": "❌ Impossible d’ingérer %s : %s",
		"ingest_usage":  "Donnez une `url` ou joignez un `file`.",
		"too_large":     "le fichier dépasse %d octets",
		"forgot":        "🗑️ **%s** (id %d) est oublié.",
		"unknown":       "Aucun article ne correspond à `%s`.",
		"stats_title":   "Archives",
		"articles":      "Articles",
		"chunks":        "Passages",
		"embedder":      "Embeddings",
		"db_size":       "Base de données",
		"newest":        "Dernière ingestion",
		"uptime":        "Bot actif depuis",
		"no_sources":    "Les archives sont vides.",
		"recent":        "Ingérés récemment",
		"page":          "Page %d",
	},
}

// tr returns the phrase key in lang (English when missing), formatted
// with args.
func tr(lang, key string, args ...any) string {
	s, ok := texts[lang][key]
	if !ok {
		s = texts["en"][key]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// localeLang maps a Discord locale to a language of the bot's phrases.
func localeLang(l discordgo.Locale) string {
	if l == discordgo.French {
		return "fr"
	}
	return "en"
}
