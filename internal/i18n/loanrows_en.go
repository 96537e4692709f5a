package i18n

// englishLoanRows is the English catalogue of the compact loan rows of the
// borrowing record and the desk: the disclosure of a loan's details and
// the words for a loan that cannot be renewed.
var englishLoanRows = map[string]string{
	"loan.author":           "Author",
	"loan.due_on":           "Due {date}",
	"loan.fine_so_far":      "{amount} fine so far",
	"loan.renewals_none":    "none left",
	"loan.renewals_blocked": "cannot be renewed now",
}
