package i18n

// traditionalChinesePager is the Traditional Chinese (Hong Kong) catalogue
// of long lists of loans, on My Account and on the desk's page of a
// patron: their page numbers, and the outcomes of renewing many at once.
var traditionalChinesePager = map[string]string{
	"pager.account_label": "你的借閱項目頁數",
	"pager.desk_label":    "讀者借閱項目頁數",
	"pager.loans_range":   "借閱項目第 {from}–{to} 項（共 {total} 項）",
	"pager.page":          "第 {n} 頁",
	"pager.prev":          "上一頁",
	"pager.next":          "下一頁",

	"pager.renew_all_hint":      "「全部續借」會續借你全部 {total} 項借閱，包括其他頁的項目；「續借所選項目」只續借你在本頁剔選的項目。",
	"pager.desk_renew_all_hint": "「全部續借」會續借該讀者全部 {total} 項借閱，包括其他頁的項目；「續借所選項目」只續借在本頁剔選的項目。",

	"renew.more": "……另有 {count} 項未在此列出：{renewed} 項已續借，{refused} 項未能續借。各項的到期日見借閱清單。",
}
