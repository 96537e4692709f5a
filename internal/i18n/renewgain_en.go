package i18n

// englishRenewGain is the English catalogue of renewals refused because
// they would gain nothing (the due date would not move later) or come too
// early, and of renewal summaries that are not all successes.
var englishRenewGain = map[string]string{
	"reason.nothing_to_gain":      "already due {date}: nothing to gain by renewing now",
	"reason.too_early":            "renewable from {date}",
	"desk.reason.nothing_to_gain": "already due {date}: renewing now would not move the due date later",
	"desk.reason.too_early":       "renewable from {date} (the category allows renewing only shortly before the due date)",

	"renew.summary_refused": "Renewed {renewed} of {total}: {refused} could not be renewed",
	"account.renew_none":    "None of your loans can be renewed now: each one says why.",
	"desk.renew.none":       "None of the patron's loans can be renewed now: each one says why.",
}
