// Package nlp holds the text processing that dalil's other packages share,
// for French, English and Arabic: sentence spans, folding (case, accents,
// Arabic letter variants), digits in any script, content terms and term
// sets, stemming, stop words and language detection. It imports nothing
// but the standard library and golang.org/x/text.
package nlp
