package i18n

// englishSafeguards is the English catalogue of the desk's safeguards:
// the longest search the desk takes, and the two-factor set-up whose
// secret travels sealed in its form.
var englishSafeguards = map[string]string{
	"desk.search.too_long": "A search can be at most {max} characters long. Shorten it and search again.",
}
