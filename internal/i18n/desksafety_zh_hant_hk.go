package i18n

// traditionalChineseDeskSafety is the Traditional Chinese (Hong Kong)
// catalogue of the desk's confirmation steps and its date fields.
var traditionalChineseDeskSafety = map[string]string{
	"desk.title.confirm_reset":        "重設{name}的密碼？",
	"desk.title.confirm_register":     "完成{name}的登記？",
	"desk.confirm.reset.heading":      "重設{name}（{barcode}）的密碼？",
	"desk.confirm.reset.body":         "讀者現有的密碼會即時失效，並會在所有地方登出：每個瀏覽器及每部自助服務機。其後臨時密碼只會顯示一次，印在密碼單上交給讀者。",
	"desk.confirm.reset.submit":       "確定重設密碼",
	"desk.confirm.register.heading":   "完成{name}（{barcode}）的登記？",
	"desk.confirm.register.body":      "今天（{today}）即成為登記日期，並以此決定首次密碼。帳戶有效期至{expires}。",
	"desk.confirm.register.no_expiry": "今天（{today}）即成為登記日期，並以此決定首次密碼。帳戶將沒有到期日。",
	"desk.confirm.register.submit":    "確定完成登記",
	"desk.confirm.cancel":             "取消",
	"desk.confirm.check":              "確定前請先核實讀者身份。按「取消」不會作出任何更改。",
	"desk.register.expiry_label":      "帳戶有效期至",
	"desk.register.expiry_hint":       "請以 {format} 格式輸入，例如 {example}。如留空，即採用{category}類別的預設日期：{default}。",
	"desk.register.expiry_hint_none":  "請以 {format} 格式輸入，例如 {example}。如留空，帳戶將沒有到期日。",
	"desk.register.expiry_past":       "到期日 {date} 已過，請輸入今天或以後的日期",
}
