package nlp

import "strings"

// Stop words of French, English and Arabic, folded at start-up with the
// same normalization as the text (so accents and Arabic letter variants here
// do not matter). Single letters are dropped anyway.

const stopFrench = `
au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous
c d j l m n s t y
ete etee etees etes etant suis es est sommes etes sont serai sera serons seront serait seraient etais etait etions etiez etaient fus fut furent sois soit soient fusse
ai as avons avez ont aurai aura aurons auront aurait auraient avais avait avions aviez avaient eut eurent eu eue eus ayant
ceci cela celà celui celle ceux celles ici tout tous toute toutes autre autres aussi alors ainsi apres avant donc dont lors lorsque puis quand quel quelle quels quelles quoi sans selon sous tres trop plus moins peu bien encore deja entre vers chez comme comment depuis pendant parmi car si ni non oui
`

const stopEnglish = `
a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves
also did does many much may might must shall upon within without
`

const stopArabic = `
في من على إلى عن مع هذا هذه ذلك تلك التي الذي الذين اللذان اللتان اللواتي هو هي هم هن أنا نحن أنت أنتم كان كانت كانوا يكون تكون لم لن لا ما ماذا متى أين كيف كم هل قد ثم أو أم بل لكن إن أن إذا إذ حتى عند بعد قبل بين كل بعض غير أي أيضا فقط حيث منذ خلال ضد نحو لدى لقد وقد وفي ومن وعلى وهو وهي وكان وكانت وأن وإن وما ولا فيه فيها منه منها عليه عليها إليه إليها به بها له لها لهم عنه عنها ذا التى
`

// stopWords holds the folded stop words of the three lists.
var stopWords = func() map[string]struct{} {
	m := make(map[string]struct{}, 512)
	var buf []byte
	for _, list := range []string{stopFrench, stopEnglish, stopArabic} {
		for _, word := range strings.Fields(list) {
			buf = buf[:0]
			for _, r := range word {
				buf = AppendFold(buf, r)
			}
			m[string(buf)] = struct{}{}
		}
	}
	return m
}()

// IsStopWord reports whether the folded word (see Fold) is a French, English
// or Arabic stop word, too common to tell texts apart.
func IsStopWord(word []byte) bool {
	_, ok := stopWords[string(word)]
	return ok
}
