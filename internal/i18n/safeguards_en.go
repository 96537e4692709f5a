package i18n

// englishSafeguards is the English catalogue of the desk's safeguards:
// the longest search the desk takes, and the two-factor set-up whose
// secret travels sealed in its form.
var englishSafeguards = map[string]string{
	"desk.search.too_long": "A search can be at most {max} characters long. Shorten it and search again.",

	"desk.enrol.setup_gone": "That set-up had expired or could not be read, so nothing was changed. Below is a new secret key: add it to your app in place of the one you just added, and enter the code it shows.",
}
