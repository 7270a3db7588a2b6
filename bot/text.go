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

		"digest_usage":         "Use `/digest channel`, `/digest time`, `/digest now`, `/digest preview` or `/digest off`.",
		"digest_bad_channel":   "The digest can go to a text or announcement channel only.",
		"digest_bad_schedule":  "❌ Invalid schedule `%s`: %s",
		"digest_on":            "📰 <#%s> will receive the daily digest at `%s` (%s), language %s. Next digest: %s.",
		"digest_time":          "🕗 The digest of <#%s> is now posted at `%s` (%s), language %s. Next digest: %s.",
		"digest_none":          "This channel receives no digest. Turn it on with `/digest channel`.",
		"digest_nothing":       "Nothing new since the last digest: nothing posted.",
		"digest_posted":        "✅ Digest posted: %d stories in %d messages.",
		"digest_preview_empty": "Nothing new since the last digest: nothing would be posted.",
		"digest_preview_more":  "(and %d more messages)",
		"digest_off":           "🔕 The digest of <#%s> is off. `/digest channel` turns it back on with the same settings.",
		"feeds_usage":          "Use `/feeds add`, `/feeds list` or `/feeds remove`.",
		"feed_bad":             "❌ Cannot add the feed %s: %s.",
		"feed_exists":          "Feed %d is already followed: %s; its interval is now %s.",
		"feed_added":           "✅ Feed %d added: %s (polled every %s).",
		"feed_soon":            "It will be polled within a few minutes; see `/feeds list`.",
		"feed_polling":         "⏳ Polling it now…",
		"feed_poll_failed":     "⚠️ The first poll failed: %s. It will be retried; see `/feeds list`.",
		"feed_polled":          "First poll: %d items read, %d new articles (this backlog is never announced in a digest).",
		"feed_due":             "due now",
		"feed_state":           "%d items · last success %s · next poll %s",
		"feed_last_error":      "↳ last error: %s",
		"feeds_none":           "No feeds yet. Add one with `/feeds add`.",
		"feeds_more":           "… and %d more (`dalil feeds list` shows them all).",
		"feeds_title":          "Feeds",
		"feed_counts":          "%d ok · %d failing · %d unhealthy",
		"feed_counts_new":      " · %d not polled yet",
		"feed_unknown":         "No feed matches `%s`.",
		"feed_removed":         "🗑️ Feed %d removed: %s (its articles stay).",
		"feeds":                "Feeds",
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

		"digest_usage":         "Utilisez `/digest channel`, `/digest time`, `/digest now`, `/digest preview` ou `/digest off`.",
		"digest_bad_channel":   "Le résumé ne peut aller que dans un salon textuel ou d’annonces.",
		"digest_bad_schedule":  "❌ Horaire `%s` invalide : %s",
		"digest_on":            "📰 <#%s> recevra le résumé quotidien à `%s` (%s), langue %s. Prochain résumé : %s.",
		"digest_time":          "🕗 Le résumé de <#%s> est désormais publié à `%s` (%s), langue %s. Prochain résumé : %s.",
		"digest_none":          "Ce salon ne reçoit pas de résumé. Activez-le avec `/digest channel`.",
		"digest_nothing":       "Rien de nouveau depuis le dernier résumé : rien n’a été publié.",
		"digest_posted":        "✅ Résumé publié : %d sujets en %d messages.",
		"digest_preview_empty": "Rien de nouveau depuis le dernier résumé : rien ne serait publié.",
		"digest_preview_more":  "(et %d autres messages)",
		"digest_off":           "🔕 Le résumé de <#%s> est arrêté. `/digest channel` le relance avec les mêmes réglages.",
		"feeds_usage":          "Utilisez `/feeds add`, `/feeds list` ou `/feeds remove`.",
		"feed_bad":             "❌ Impossible d’ajouter le flux %s : %s.",
		"feed_exists":          "Le flux %d est déjà suivi : %s ; son intervalle est maintenant de %s.",
		"feed_added":           "✅ Flux %d ajouté : %s (lu toutes les %s).",
		"feed_soon":            "Il sera lu d’ici quelques minutes ; voir `/feeds list`.",
		"feed_polling":         "⏳ Lecture en cours…",
		"feed_poll_failed":     "⚠️ La première lecture a échoué : %s. Elle sera retentée ; voir `/feeds list`.",
		"feed_polled":          "Première lecture : %d éléments lus, %d nouveaux articles (cet historique n’est jamais annoncé dans un résumé).",
		"feed_due":             "à lire maintenant",
		"feed_state":           "%d éléments · dernier succès %s · prochaine lecture %s",
		"feed_last_error":      "↳ dernière erreur : %s",
		"feeds_none":           "Aucun flux pour l’instant. Ajoutez-en un avec `/feeds add`.",
		"feeds_more":           "… et %d autres (`dalil feeds list` les montre tous).",
		"feeds_title":          "Flux",
		"feed_counts":          "%d ok · %d en échec · %d hors service",
		"feed_counts_new":      " · %d pas encore lus",
		"feed_unknown":         "Aucun flux ne correspond à `%s`.",
		"feed_removed":         "🗑️ Flux %d retiré : %s (ses articles restent).",
		"feeds":                "Flux",
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
