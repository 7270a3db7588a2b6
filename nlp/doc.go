// Package nlp holds the text processing that dalil's other packages share,
// for French, English and Arabic: sentence spans, folding (case, accents,
// Arabic letter variants), digits in any script, content terms and term
// sets, stemming, stop words, language detection, and the truncation of
// text for one-line displays. It imports nothing but the standard library
// and golang.org/x/text.
package nlp
