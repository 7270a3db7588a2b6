package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// texts are the page's words in one language. Formats say their
// arguments in their comments; every language's takes the same verbs.
type texts struct {
	Lang, Dir, Name string // ISO 639-1 code, "ltr" or "rtl", the language's own name
	Decimal         string // the decimal separator

	Title       string
	Range       string // the period: %s from, %s to (dates)
	Unavailable string // a section that could not be read: %s the error

	Questions, PerDay          string
	Asked, Answered, NotFound  string
	LatencyP50, LatencyP95     string
	NoQuestions                string
	Unanswered, NoneUnanswered string
	Question, Times, Languages string
	Cited, NoneCited           string
	Article, Citations         string

	Feeds, NoFeeds                                  string
	Feed, Health, Failures, Items, LastOK, NextPoll string
	LastError, Interval                             string
	Healths                                         map[string]string // rag.FeedHealth values

	Digests, NoDigests                         string
	Channel, Scheduled, Status, Messages, Note string
	Statuses                                   map[string]string // digest.Status values

	Archive, ArchiveEmpty, Undated string
	ByPublisher, ByLang, ByMonth   string
	Articles, NoKey                string
	Earlier                        string // months left out of the chart: %s the first shown, %d articles before it

	Privacy, PrivacyMembers string
	PrivacyRetention        string // %s how long answers are kept
	PrivacyForever          string
	Clamped                 string // the period was shortened: %s its start (a date)

	days func(n int) string // "7 days"
}

// languages are the page's languages, in the order of its links; the
// first is the default.
var languages = []*texts{&en, &fr, &ar}

var en = texts{
	Lang: "en", Dir: "ltr", Name: "English", Decimal: ".",
	Title:       "dalil — admin",
	Range:       "From %s to %s",
	Unavailable: "Unavailable: %s",

	Questions: "Questions", PerDay: "Questions per day",
	Asked: "Asked", Answered: "Answered", NotFound: "Not found in the archive",
	LatencyP50: "Median answer time", LatencyP95: "95th percentile",
	NoQuestions: "No questions yet in this period.",
	Unanswered:  "Unanswered questions", NoneUnanswered: "Every question of the period found an answer.",
	Question: "Question", Times: "Times asked", Languages: "Languages",
	Cited: "Most cited articles", NoneCited: "No article was cited in this period.",
	Article: "Article", Citations: "Citations",

	Feeds: "Feeds", NoFeeds: "No feeds: add one with dalil feeds add URL.",
	Feed: "Feed", Health: "Health", Failures: "Failures", Items: "Items", LastOK: "Last success",
	NextPoll: "Next poll", LastError: "Last error", Interval: "Every",
	Healths: map[string]string{"new": "new", "ok": "ok", "failing": "failing", "unhealthy": "unhealthy"},

	Digests: "Digests", NoDigests: "No digest in this period.",
	Channel: "Channel", Scheduled: "Scheduled", Status: "Status", Messages: "Messages", Note: "Note",
	Statuses: map[string]string{"pending": "pending", "posted": "posted", "empty": "nothing new",
		"failed": "failed", "skipped": "skipped", "unknown": "unknown (after a crash)"},

	Archive: "Archive", ArchiveEmpty: "The archive is empty.", Undated: "Undated",
	ByPublisher: "By publisher", ByLang: "By language", ByMonth: "By month of publication",
	Articles: "Articles", NoKey: "(none)", Earlier: "Before %s: %d articles.",

	Privacy:          "Privacy",
	PrivacyMembers:   "Members appear in the database only as keyed hashes (HMAC-SHA256 of their Discord ID, under MEMBER_HASH_KEY), never by ID or name; this page shows none.",
	PrivacyRetention: "Answers and votes are kept %s (ANSWERS_RETENTION), then deleted: every view of this page stops there.",
	PrivacyForever:   "Answers and votes are kept forever (ANSWERS_RETENTION=0).",
	Clamped:          "The period starts on %s: older answers have been deleted (ANSWERS_RETENTION).",

	days: func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	},
}

var fr = texts{
	Lang: "fr", Dir: "ltr", Name: "Français", Decimal: ",",
	Title:       "dalil — administration",
	Range:       "Du %s au %s",
	Unavailable: "Indisponible : %s",

	Questions: "Questions", PerDay: "Questions par jour",
	Asked: "Posées", Answered: "Avec réponse", NotFound: "Absentes des archives",
	LatencyP50: "Temps de réponse médian", LatencyP95: "95ᵉ centile",
	NoQuestions: "Aucune question pour l’instant sur cette période.",
	Unanswered:  "Questions sans réponse", NoneUnanswered: "Toutes les questions de la période ont trouvé une réponse.",
	Question: "Question", Times: "Fois", Languages: "Langues",
	Cited: "Articles les plus cités", NoneCited: "Aucun article cité sur cette période.",
	Article: "Article", Citations: "Citations",

	Feeds: "Flux", NoFeeds: "Aucun flux : ajoutez-en un avec dalil feeds add URL.",
	Feed: "Flux", Health: "État", Failures: "Échecs", Items: "Éléments", LastOK: "Dernier succès",
	NextPoll: "Prochaine lecture", LastError: "Dernière erreur", Interval: "Tous les",
	Healths: map[string]string{"new": "nouveau", "ok": "ok", "failing": "en échec", "unhealthy": "hors service"},

	Digests: "Revues de presse", NoDigests: "Aucune revue de presse sur cette période.",
	Channel: "Salon", Scheduled: "Prévue", Status: "État", Messages: "Messages", Note: "Remarque",
	Statuses: map[string]string{"pending": "en cours", "posted": "publiée", "empty": "rien de neuf",
		"failed": "échec", "skipped": "sautée", "unknown": "inconnue (après un arrêt brutal)"},

	Archive: "Archives", ArchiveEmpty: "Les archives sont vides.", Undated: "Sans date",
	ByPublisher: "Par éditeur", ByLang: "Par langue", ByMonth: "Par mois de publication",
	Articles: "Articles", NoKey: "(aucun)", Earlier: "Avant %s : %d articles.",

	Privacy:          "Confidentialité",
	PrivacyMembers:   "Les membres n’apparaissent dans la base que sous forme d’empreintes à clé (HMAC-SHA256 de leur identifiant Discord, sous MEMBER_HASH_KEY), jamais par identifiant ni par nom ; cette page n’en montre aucune.",
	PrivacyRetention: "Les réponses et les votes sont gardés %s (ANSWERS_RETENTION), puis effacés : chaque vue de cette page s’arrête là.",
	PrivacyForever:   "Les réponses et les votes sont gardés sans limite (ANSWERS_RETENTION=0).",
	Clamped:          "La période commence le %s : les réponses plus anciennes ont été effacées (ANSWERS_RETENTION).",

	days: func(n int) string {
		if n == 1 {
			return "1 jour"
		}
		return strconv.Itoa(n) + " jours"
	},
}

var ar = texts{
	Lang: "ar", Dir: "rtl", Name: "العربية", Decimal: "٫",
	Title:       "دليل — الإدارة",
	Range:       "من %s إلى %s",
	Unavailable: "غير متاح: %s",

	Questions: "الأسئلة", PerDay: "الأسئلة في اليوم",
	Asked: "المطروحة", Answered: "المُجاب عنها", NotFound: "غير موجودة في الأرشيف",
	LatencyP50: "الزمن الوسيط للإجابة", LatencyP95: "المئين 95",
	NoQuestions: "لا أسئلة بعد في هذه الفترة.",
	Unanswered:  "أسئلة بلا إجابة", NoneUnanswered: "وجدت كل أسئلة الفترة إجابة.",
	Question: "السؤال", Times: "عدد المرات", Languages: "اللغات",
	Cited: "المقالات الأكثر استشهادًا", NoneCited: "لم يُستشهد بأي مقال في هذه الفترة.",
	Article: "المقال", Citations: "الاستشهادات",

	Feeds: "الخلاصات", NoFeeds: "لا توجد خلاصات: أضف واحدة بالأمر dalil feeds add URL.",
	Feed: "الخلاصة", Health: "الحالة", Failures: "الإخفاقات", Items: "العناصر", LastOK: "آخر نجاح",
	NextPoll: "القراءة التالية", LastError: "آخر خطأ", Interval: "كل",
	Healths: map[string]string{"new": "جديدة", "ok": "سليمة", "failing": "متعثرة", "unhealthy": "معطلة"},

	Digests: "موجزات الأخبار", NoDigests: "لا موجز في هذه الفترة.",
	Channel: "القناة", Scheduled: "الموعد", Status: "الحالة", Messages: "الرسائل", Note: "ملاحظة",
	Statuses: map[string]string{"pending": "قيد النشر", "posted": "نُشر", "empty": "لا جديد",
		"failed": "فشل", "skipped": "تُخطّي", "unknown": "مجهول (بعد توقف مفاجئ)"},

	Archive: "الأرشيف", ArchiveEmpty: "الأرشيف فارغ.", Undated: "بلا تاريخ",
	ByPublisher: "حسب الناشر", ByLang: "حسب اللغة", ByMonth: "حسب شهر النشر",
	Articles: "المقالات", NoKey: "(بلا)", Earlier: "قبل %s: %d مقالات.",

	Privacy:          "الخصوصية",
	PrivacyMembers:   "لا يظهر الأعضاء في قاعدة البيانات إلا في صورة بصمات مفتاحية (HMAC-SHA256 لمعرّفهم في Discord بالمفتاح MEMBER_HASH_KEY)، لا بمعرّفاتهم ولا بأسمائهم؛ ولا تعرض هذه الصفحة أيًّا منها.",
	PrivacyRetention: "تُحفظ الإجابات والتصويتات لمدة %s (ANSWERS_RETENTION) ثم تُحذف: وتقف عند ذلك كل عروض هذه الصفحة.",
	PrivacyForever:   "تُحفظ الإجابات والتصويتات بلا حد (ANSWERS_RETENTION=0).",
	Clamped:          "تبدأ الفترة في %s: فقد حُذفت الإجابات الأقدم (ANSWERS_RETENTION).",

	days: func(n int) string {
		switch {
		case n == 1:
			return "يوم واحد"
		case n == 2:
			return "يومين"
		case n >= 3 && n <= 10:
			return strconv.Itoa(n) + " أيام"
		}
		return strconv.Itoa(n) + " يومًا"
	},
}

// language picks the page's language: ?lang= when it names one, else the
// first of the request's Accept-Language that the page speaks (by
// quality, then order), else English.
func language(r *http.Request) *texts {
	if t := byCode(r.URL.Query().Get("lang")); t != nil {
		return t
	}
	var best *texts
	bestQ := 0.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(tag, "-")
		if t := byCode(primary); t != nil && q > bestQ {
			best, bestQ = t, q
		}
	}
	if best == nil {
		return languages[0]
	}
	return best
}

// byCode is the language of an ISO 639-1 code, nil when the page does
// not speak it.
func byCode(code string) *texts {
	for _, t := range languages {
		if strings.EqualFold(code, t.Lang) {
			return t
		}
	}
	return nil
}

// number formats f with one decimal, in the language's way.
func (t *texts) number(f float64) string {
	return strings.Replace(fmt.Sprintf("%.1f", f), ".", t.Decimal, 1)
}
