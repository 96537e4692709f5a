package i18n

// englishPager is the English catalogue of long lists of loans, on My
// Account and on the desk's page of a patron: their page numbers, and the
// outcomes of renewing many at once.
var englishPager = map[string]string{
	"pager.account_label": "Pages of your loans",
	"pager.desk_label":    "Pages of the patron's loans",
	"pager.loans_range":   "Loans {from}–{to} of {total}",
	"pager.page":          "Page {n}",
	"pager.prev":          "Previous",
	"pager.next":          "Next",

	"pager.renew_all_hint":      "Renew all renews every one of your {total} loans, on every page. Renew selected renews the loans you tick on this page.",
	"pager.desk_renew_all_hint": "Renew all renews every one of the patron's {total} loans, on every page. Renew selected renews the loans ticked on this page.",

	"renew.more": "…and {count} more, not listed here: {renewed} renewed, {refused} not renewed. The list of loans shows each one's due date.",
}
