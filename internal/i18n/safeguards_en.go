package i18n

// englishSafeguards is the English catalogue of the desk's safeguards:
// the longest search the desk takes, the two-factor set-up whose secret
// travels sealed in its form, and the audit log's words for sealing the
// secrets and for removing every account's codes.
var englishSafeguards = map[string]string{
	"desk.search.too_long": "A search can be at most {max} characters long. Shorten it and search again.",

	"audit.staff.totp.sealed":    "Two-factor secrets sealed with the secret key",
	"audit.staff.totp.reset_all": "Every account's two-factor codes removed",

	"desk.enrol.setup_gone": "That set-up had expired or could not be read, so nothing was changed. Below is a new secret key: add it to your app in place of the one you just added, and enter the code it shows.",
}
