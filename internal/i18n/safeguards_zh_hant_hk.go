package i18n

// traditionalChineseSafeguards is the Traditional Chinese (Hong Kong)
// catalogue of the desk's safeguards: the longest search the desk takes,
// and the two-factor set-up whose secret travels sealed in its form.
var traditionalChineseSafeguards = map[string]string{
	"desk.search.too_long": "搜尋字詞最多 {max} 個字元，請縮短後再搜尋。",
}
