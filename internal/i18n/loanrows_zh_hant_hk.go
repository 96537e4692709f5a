package i18n

// traditionalChineseLoanRows is the Traditional Chinese (Hong Kong)
// catalogue of the compact loan rows of the borrowing record and the desk.
var traditionalChineseLoanRows = map[string]string{
	"loan.author":           "作者",
	"loan.due_on":           "到期日 {date}",
	"loan.fine_so_far":      "至今罰款 {amount}",
	"loan.renewals_none":    "已沒有續借次數",
	"loan.renewals_blocked": "現時不能續借",
}
