package web

import "strings"

// A session keeps only a coarse label of the device it was opened on,
// worked out here from the User-Agent at sign-in: a browser and a system
// from the short lists below, or "kiosk". The User-Agent itself, which
// can single a person out, is never stored, and nor is the address.

// userAgentMark is a word of the lists and the User-Agent fragments that
// give it away.
type userAgentMark struct {
	word  string
	marks []string
}

// browserMarks are tried in order: Edge, Opera and Samsung Internet say
// Chrome as well, and Chrome says Safari.
var browserMarks = []userAgentMark{
	{"edge", []string{"Edg/", "EdgA/", "EdgiOS/", "Edge/"}},
	{"opera", []string{"OPR/", "Opera"}},
	{"samsung", []string{"SamsungBrowser/"}},
	{"firefox", []string{"Firefox/", "FxiOS/"}},
	{"chrome", []string{"Chrome/", "CriOS/", "Chromium/"}},
	{"safari", []string{"Safari/"}},
}

// systemMarks are tried in order: an iPhone says "like Mac OS X", Android
// says Linux.
var systemMarks = []userAgentMark{
	{"iphone", []string{"iPhone", "iPod"}},
	{"ipad", []string{"iPad"}},
	{"android", []string{"Android"}},
	{"windows", []string{"Windows"}},
	{"chromeos", []string{"CrOS"}},
	{"macos", []string{"Macintosh", "Mac OS X"}},
	{"linux", []string{"Linux", "X11"}},
}

// kioskMarks are what self-check machines that show My Account in a
// browser put in their User-Agent, compared without case.
var kioskMarks = []string{"kiosk", "selfcheck", "self-check"}

// deviceLabel returns the coarse label of the device a User-Agent names:
// "browser/system", either part empty when unknown ("firefox/",
// "/android"), "kiosk", or "" when nothing is recognised.
func deviceLabel(userAgent string) string {
	lower := strings.ToLower(userAgent)
	for _, k := range kioskMarks {
		if strings.Contains(lower, k) {
			return "kiosk"
		}
	}
	browser, system := firstMark(userAgent, browserMarks), firstMark(userAgent, systemMarks)
	if browser == "" && system == "" {
		return ""
	}
	return browser + "/" + system
}

// firstMark returns the word of the first entry whose mark ua contains.
func firstMark(ua string, marks []userAgentMark) string {
	for _, m := range marks {
		for _, s := range m.marks {
			if strings.Contains(ua, s) {
				return m.word
			}
		}
	}
	return ""
}

// deviceWords is a stored device label in the patron's language: "Firefox
// on Windows", "A browser on Android", "A self-check kiosk", "An unknown
// device". A word the catalogue does not know counts as unknown.
func (s *Server) deviceWords(label string) msg {
	if label == "kiosk" {
		return m("sessions.device.kiosk")
	}
	browser, system, _ := strings.Cut(label, "/")
	b, sys := "sessions.browser."+browser, "sessions.system."+system
	hasB, hasSys := browser != "" && s.cat.Has(b), system != "" && s.cat.Has(sys)
	switch {
	case hasB && hasSys:
		return m("sessions.device.browser_on_system", "browser", msg{Key: b}, "system", msg{Key: sys})
	case hasB:
		return m("sessions.device.browser", "browser", msg{Key: b})
	case hasSys:
		return m("sessions.device.system", "system", msg{Key: sys})
	}
	return m("sessions.device.unknown")
}
