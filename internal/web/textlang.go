package web

import (
	"strings"
	"unicode"
)

// textLang is the language to mark a piece of text with, such as a title
// or an author, when it is not in the page's language (WCAG 3.1.2), so
// that a screen reader reads it with the right voice: "zh-Hant" for text
// with Chinese characters on a page that is not in Chinese, "en" for text
// of Latin letters with no Chinese on a Chinese page, and "" for text in
// the page's language or with no letters at all (digits, punctuation).
// Latin letters on a Chinese page are taken to be English, as they almost
// always are in the catalogue of a Hong Kong library.
func textLang(pageLang, s string) string {
	han, latin := false, false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	chinesePage := strings.HasPrefix(pageLang, "zh")
	switch {
	case han && !chinesePage:
		return "zh-Hant"
	case latin && !han && chinesePage:
		return "en"
	}
	return ""
}
