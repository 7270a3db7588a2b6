package synth

// domain is one field of news with parallel French and English nouns
// (fr[i] translates en[i]) and verb phrases.
type domain struct {
	fr, en           []string
	verbsFR, verbsEN []string
}

var domains = []domain{
	{ // economy
		fr:      []string{"l'inflation", "le chômage", "la croissance", "les exportations", "le budget", "la dette publique", "les salaires", "les prix de l'énergie", "la banque centrale", "les investissements", "le déficit commercial", "la bourse"},
		en:      []string{"inflation", "unemployment", "growth", "exports", "the budget", "public debt", "wages", "energy prices", "the central bank", "investment", "the trade deficit", "the stock market"},
		verbsFR: []string{"a augmenté", "a reculé", "s'est stabilisé", "a dépassé les prévisions"},
		verbsEN: []string{"rose", "fell", "held steady", "beat forecasts"},
	},
	{ // politics
		fr:      []string{"le gouvernement", "le parlement", "les élections", "la réforme", "le projet de loi", "l'opposition", "le scrutin", "la coalition", "le ministre", "la constitution", "le sénat", "les sondages"},
		en:      []string{"the government", "parliament", "the elections", "the reform", "the bill", "the opposition", "the vote", "the coalition", "the minister", "the constitution", "the senate", "the polls"},
		verbsFR: []string{"a été adopté", "a été rejeté", "a provoqué un débat", "a divisé la majorité"},
		verbsEN: []string{"was passed", "was rejected", "sparked a debate", "split the majority"},
	},
	{ // health
		fr:      []string{"l'hôpital", "le vaccin", "l'épidémie", "les médecins", "les patients", "le ministère de la santé", "les urgences", "le traitement", "la recherche médicale", "les infirmières", "la campagne de dépistage", "les médicaments"},
		en:      []string{"the hospital", "the vaccine", "the epidemic", "doctors", "patients", "the health ministry", "emergency rooms", "the treatment", "medical research", "nurses", "the screening campaign", "medicines"},
		verbsFR: []string{"a été saturé", "a montré des résultats", "a inquiété les autorités", "a été prolongé"},
		verbsEN: []string{"was overwhelmed", "showed results", "worried the authorities", "was extended"},
	},
	{ // sport
		fr:      []string{"le championnat", "l'équipe nationale", "l'entraîneur", "le match", "la finale", "les supporters", "le stade", "le transfert", "la coupe", "le gardien", "le tournoi", "la médaille"},
		en:      []string{"the league", "the national team", "the coach", "the match", "the final", "the fans", "the stadium", "the transfer", "the cup", "the goalkeeper", "the tournament", "the medal"},
		verbsFR: []string{"a remporté le titre", "a été éliminé", "a créé la surprise", "a battu un record"},
		verbsEN: []string{"won the title", "was knocked out", "caused an upset", "broke a record"},
	},
	{ // climate
		fr:      []string{"la sécheresse", "les inondations", "les émissions de carbone", "la canicule", "les énergies renouvelables", "le barrage", "les réserves d'eau", "la forêt", "les agriculteurs", "la pollution", "le littoral", "les incendies"},
		en:      []string{"the drought", "the floods", "carbon emissions", "the heatwave", "renewable energy", "the dam", "water reserves", "the forest", "farmers", "pollution", "the coastline", "the wildfires"},
		verbsFR: []string{"a frappé la région", "a atteint un niveau record", "a menacé les récoltes", "a mobilisé les secours"},
		verbsEN: []string{"hit the region", "reached a record level", "threatened the harvest", "mobilised rescuers"},
	},
	{ // technology
		fr:      []string{"l'intelligence artificielle", "la start-up", "le réseau mobile", "les données personnelles", "la cybersécurité", "le logiciel", "les semi-conducteurs", "la fibre optique", "le cloud", "les développeurs", "la plateforme", "le satellite"},
		en:      []string{"artificial intelligence", "the start-up", "the mobile network", "personal data", "cybersecurity", "the software", "semiconductors", "fibre optics", "the cloud", "developers", "the platform", "the satellite"},
		verbsFR: []string{"a levé des fonds", "a été piraté", "a lancé un nouveau service", "a été racheté"},
		verbsEN: []string{"raised funds", "was hacked", "launched a new service", "was acquired"},
	},
	{ // culture
		fr:      []string{"le festival", "le film", "l'exposition", "le musée", "le roman", "le concert", "la chanteuse", "le théâtre", "le prix littéraire", "la série", "le patrimoine", "l'orchestre"},
		en:      []string{"the festival", "the film", "the exhibition", "the museum", "the novel", "the concert", "the singer", "the theatre", "the literary prize", "the series", "heritage", "the orchestra"},
		verbsFR: []string{"a attiré des milliers de visiteurs", "a été salué par la critique", "a été annulé", "a ouvert ses portes"},
		verbsEN: []string{"drew thousands of visitors", "was praised by critics", "was cancelled", "opened its doors"},
	},
	{ // justice
		fr:      []string{"le tribunal", "le procès", "l'avocat", "le juge", "l'enquête", "la police", "le verdict", "la prison", "la plainte", "la cour d'appel", "les témoins", "la corruption"},
		en:      []string{"the court", "the trial", "the lawyer", "the judge", "the investigation", "the police", "the verdict", "prison", "the complaint", "the appeals court", "the witnesses", "corruption"},
		verbsFR: []string{"a été condamné", "a été relaxé", "a ouvert une enquête", "a fait appel"},
		verbsEN: []string{"was convicted", "was acquitted", "opened an inquiry", "appealed"},
	},
	{ // education
		fr:      []string{"l'école", "les enseignants", "l'université", "les élèves", "le baccalauréat", "la rentrée scolaire", "les bourses", "le programme", "les étudiants", "la formation professionnelle", "les examens", "la cantine"},
		en:      []string{"the school", "teachers", "the university", "pupils", "the baccalaureate", "the new school year", "scholarships", "the curriculum", "students", "vocational training", "the exams", "the canteen"},
		verbsFR: []string{"a fait grève", "a été réformé", "a accueilli plus d'inscrits", "a manqué de moyens"},
		verbsEN: []string{"went on strike", "was reformed", "enrolled more students", "lacked resources"},
	},
	{ // transport
		fr:      []string{"le train", "l'aéroport", "le métro", "l'autoroute", "le port", "la compagnie aérienne", "le tramway", "les camions", "la ligne à grande vitesse", "les taxis", "le carburant", "les bus"},
		en:      []string{"the train", "the airport", "the metro", "the motorway", "the port", "the airline", "the tramway", "lorries", "the high-speed line", "taxis", "fuel", "buses"},
		verbsFR: []string{"a été inauguré", "a subi des retards", "a été paralysé", "a augmenté ses tarifs"},
		verbsEN: []string{"was inaugurated", "suffered delays", "was brought to a halt", "raised its fares"},
	},
}

var syllables = []string{"ka", "ra", "mo", "li", "ben", "sa", "dor", "vi", "ta", "nu", "el", "fa", "zi", "ou", "mar", "ne", "lo", "ha", "di", "qua", "ber", "si", "ya", "ron", "te", "ma", "go", "ri", "la", "an"}

var orgPrefix = []string{"Groupe", "Fondation", "Banque", "Union", "Société", "Institut", "Agence", "Conseil"}

var publishers = []string{"Le Quotidien", "Daily Courier", "L'Observateur", "The Herald", "Médias 24", "Evening Post"}

var months = map[string][]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

var titles = map[string][]string{
	"fr": {"{place} : {noun} {verb}", "{person} et {noun} à {place}", "{org} face à {noun}", "Ce que {noun} change pour {place}", "{noun} : {org} tire la sonnette d'alarme"},
	"en": {"{place}: {noun} {verb}", "{person} and {noun} in {place}", "{org} confronts {noun}", "What {noun} means for {place}", "{noun}: {org} sounds the alarm"},
}

var headings = map[string][]string{
	"fr": {"Les réactions", "Le contexte à {place}", "Ce que dit {org}", "Et après {year} ?"},
	"en": {"Reactions", "The background in {place}", "What {org} says", "After {year}"},
}

var sentences = map[string][]string{
	"fr": {
		"Selon {org}, {noun} {verb} de {pct} % en {month} {year} à {place}.",
		"{person} a déclaré mardi que {noun} restait la priorité de {org}.",
		"À {place}, {noun} {verb} après des mois de tensions autour de {noun2}.",
		"Les chiffres publiés par {org} montrent que {noun} concerne désormais {num}000 personnes.",
		"« Nous ne pouvons pas ignorer {noun} », a insisté {person} devant la presse.",
		"Depuis {year}, {noun} et {noun2} dominent le débat public à {place}.",
		"{org} prévoit un plan de {num} millions d'euros pour {noun2} d'ici {year}.",
		"Plusieurs observateurs estiment que {noun} {verb} plus vite que prévu.",
		"Interrogé sur {noun2}, {person} a refusé de commenter la décision de {org}.",
		"La situation à {place} rappelle celle de {year}, quand {noun} {verb}.",
	},
	"en": {
		"According to {org}, {noun} {verb} by {pct} percent in {month} {year} in {place}.",
		"{person} said on Tuesday that {noun} remained the priority of {org}.",
		"In {place}, {noun} {verb} after months of tension over {noun2}.",
		"Figures released by {org} show that {noun} now affects {num},000 people.",
		"\"We cannot ignore {noun},\" {person} told reporters.",
		"Since {year}, {noun} and {noun2} have dominated public debate in {place}.",
		"{org} plans a {num} million dollar package for {noun2} by {year}.",
		"Several observers believe {noun} {verb} faster than expected.",
		"Asked about {noun2}, {person} declined to comment on the decision by {org}.",
		"The situation in {place} recalls {year}, when {noun} {verb}.",
	},
}

var questions = map[string][]string{
	"fr": {"Qu'a dit {person} sur {noun} ?", "Que s'est-il passé à {place} avec {noun} ?", "Quel plan {org} prévoit-il pour {noun} ?", "Pourquoi {noun} {verb} à {place} ?"},
	"en": {"What did {person} say about {noun}?", "What happened in {place} with {noun}?", "What plan does {org} have for {noun}?", "Why {noun} {verb} in {place}?"},
}
