package i18n

// traditionalChineseRenewGain is the Traditional Chinese (Hong Kong)
// catalogue of renewals refused because they would gain nothing (the due
// date would not move later) or come too early, and of renewal summaries
// that are not all successes.
var traditionalChineseRenewGain = map[string]string{
	"reason.nothing_to_gain":      "已於{date}到期：現在續借不會延後到期日",
	"reason.too_early":            "{date}起可續借",
	"desk.reason.nothing_to_gain": "已於{date}到期：現在續借不會延後到期日",
	"desk.reason.too_early":       "{date}起可續借（此類別只可在到期日前不久續借）",

	"renew.summary_refused": "已續借 {renewed} 項（共 {total} 項）：{refused} 項未能續借",
	"account.renew_none":    "你的借閱項目現時都不能續借，原因見各項。",
	"desk.renew.none":       "該讀者的借閱項目現時都不能續借，原因見各項。",
}
