package i18n

// traditionalChineseSafeguards is the Traditional Chinese (Hong Kong)
// catalogue of the desk's safeguards: the longest search the desk takes,
// the two-factor set-up whose secret travels sealed in its form, and the
// audit log's words for sealing the secrets and for removing every
// account's codes.
var traditionalChineseSafeguards = map[string]string{
	"desk.search.too_long": "搜尋字詞最多 {max} 個字元，請縮短後再搜尋。",

	"audit.staff.totp.sealed":    "雙重認證密鑰已以伺服器密鑰加密",
	"audit.staff.totp.reset_all": "已移除所有帳戶的雙重認證碼",

	"desk.enrol.setup_gone": "該設定已逾時或無法讀取，因此未有作出任何更改。下方是新的密鑰：請在應用程式中以它取代剛才加入的項目，並輸入其顯示的認證碼。",
}
