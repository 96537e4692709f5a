package i18n

// englishSessions is the English catalogue of the patron's list of
// signed-in devices.
var englishSessions = map[string]string{
	"title.sessions":      "Signed-in devices",
	"sessions.heading":    "Signed-in devices",
	"sessions.link":       "Signed-in devices",
	"sessions.link_hint":  "See where you are signed in, and sign out there.",
	"sessions.intro":      "These are the devices where you are signed in to My Account now. If you see one you do not know, or you left a library computer signed in, sign it out here.",
	"sessions.pin_advice": "If you think someone else knows your PIN, change it: that signs out every other device too.",
	"sessions.idle.one":   "A device that is not used for {n} minute is signed out on its own.",
	"sessions.idle.other": "A device that is not used for {n} minutes is signed out on its own.",

	"sessions.col.device":    "Device",
	"sessions.col.started":   "Signed in",
	"sessions.col.last_used": "Last used",
	"sessions.col.action":    "Sign out",
	"sessions.this_device":   "This device",
	"sessions.this_hint":     "To sign out here, use Log out.",
	"sessions.sign_out":      "Sign out",
	"sessions.sign_out_row":  "{device}, signed in {when}",

	"sessions.everywhere.title":  "Sign out everywhere",
	"sessions.everywhere.body":   "This signs you out on every device in the list, this one too. To use My Account again you sign in with your barcode and PIN.",
	"sessions.everywhere.button": "Sign out everywhere",

	"sessions.done.ended": "That device is signed out.",
	"sessions.done.gone":  "That device is not signed in to your account (it may have signed out or timed out already), so nothing changed.",

	"sessions.device.browser_on_system": "{browser} on {system}",
	"sessions.device.browser":           "{browser}",
	"sessions.device.system":            "A browser on {system}",
	"sessions.device.kiosk":             "A self-check kiosk",
	"sessions.device.unknown":           "An unknown device",

	"sessions.browser.edge":    "Edge",
	"sessions.browser.opera":   "Opera",
	"sessions.browser.samsung": "Samsung Internet",
	"sessions.browser.firefox": "Firefox",
	"sessions.browser.chrome":  "Chrome",
	"sessions.browser.safari":  "Safari",

	"sessions.system.windows":  "Windows",
	"sessions.system.macos":    "macOS",
	"sessions.system.iphone":   "iPhone",
	"sessions.system.ipad":     "iPad",
	"sessions.system.android":  "Android",
	"sessions.system.chromeos": "ChromeOS",
	"sessions.system.linux":    "Linux",

	"audit.signout.device":     "Signed out a device",
	"audit.signout.everywhere": "Signed out everywhere",
}
