package i18n

// traditionalChineseSessions is the Traditional Chinese (Hong Kong)
// catalogue of the patron's list of signed-in devices.
var traditionalChineseSessions = map[string]string{
	"title.sessions":      "已登入的裝置",
	"sessions.heading":    "已登入的裝置",
	"sessions.link":       "已登入的裝置",
	"sessions.link_hint":  "查看你在哪些裝置登入，並可在這裡將其登出。",
	"sessions.intro":      "以下是你現時已登入「我的帳戶」的裝置。如發現不認識的裝置，或在圖書館電腦上忘記登出，可在這裡將其登出。",
	"sessions.pin_advice": "如你認為有人知道你的密碼（PIN），請更改密碼：更改後其他所有裝置亦會被登出。",
	"sessions.idle.one":   "裝置閒置 {n} 分鐘後會自動登出。",
	"sessions.idle.other": "裝置閒置 {n} 分鐘後會自動登出。",

	"sessions.col.device":    "裝置",
	"sessions.col.started":   "登入時間",
	"sessions.col.last_used": "最後使用",
	"sessions.col.action":    "登出",
	"sessions.this_device":   "此裝置",
	"sessions.this_hint":     "如要在此裝置登出，請按「登出」。",
	"sessions.sign_out":      "登出",
	"sessions.sign_out_row":  "{device}，於 {when} 登入",

	"sessions.everywhere.title":  "在所有裝置登出",
	"sessions.everywhere.body":   "這會將清單上所有裝置登出，包括此裝置。如要再使用「我的帳戶」，須以讀者條碼及密碼（PIN）重新登入。",
	"sessions.everywhere.button": "在所有裝置登出",

	"sessions.done.ended": "該裝置已登出。",
	"sessions.done.gone":  "該裝置並未登入你的帳戶（可能已登出或逾時），所以沒有任何改動。",

	"sessions.device.browser_on_system": "{system} 上的 {browser}",
	"sessions.device.browser":           "{browser}",
	"sessions.device.system":            "{system} 上的瀏覽器",
	"sessions.device.kiosk":             "自助服務機",
	"sessions.device.unknown":           "不明裝置",

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

	"audit.signout.device":     "登出一部裝置",
	"audit.signout.everywhere": "在所有裝置登出",
}
