package i18n

// englishDeskSafety is the English catalogue of the desk's confirmation
// steps (reset a PIN, complete a registration) and its date fields.
var englishDeskSafety = map[string]string{
	"desk.title.confirm_reset":        "Reset the PIN of {name}?",
	"desk.title.confirm_register":     "Complete the registration of {name}?",
	"desk.confirm.reset.heading":      "Reset the PIN of {name} ({barcode})?",
	"desk.confirm.reset.body":         "The PIN they have now stops working at once, and they are signed out everywhere: every browser and every self-service machine. A temporary PIN is then shown once, on a slip to give them.",
	"desk.confirm.reset.submit":       "Yes, reset the PIN",
	"desk.confirm.register.heading":   "Complete the registration of {name} ({barcode})?",
	"desk.confirm.register.body":      "Today, {today}, becomes the registration date, which decides the first PIN. The account will be valid until {expires}.",
	"desk.confirm.register.no_expiry": "Today, {today}, becomes the registration date, which decides the first PIN. The account will have no expiry date.",
	"desk.confirm.register.submit":    "Yes, complete registration",
	"desk.confirm.cancel":             "Cancel",
	"desk.confirm.check":              "Check who the patron is before you confirm. Cancel changes nothing.",
	"desk.register.expiry_label":      "Account valid until",
	"desk.register.expiry_hint":       "Type it as {format}, e.g. {example}. Left empty, the {category} category's default applies: {default}.",
	"desk.register.expiry_hint_none":  "Type it as {format}, e.g. {example}. Left empty, the account has no expiry date.",
	"desk.register.expiry_past":       "The expiry date {date} has already passed: type today or a later date",
}
