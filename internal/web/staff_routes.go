package web

import (
	"net/http"
	"path"
	"strings"
)

// staffRoute is one route of the staff desk and who may use it.
type staffRoute struct {
	pattern string
	access  access
	handler staffHandler
}

// staffRoutes lists every route of the staff desk. routes registers them
// from here and nowhere else, and the authorization tests walk this list,
// so a route cannot be added without its access being tested.
var staffRoutes = []staffRoute{
	// Signing in and out.
	{"GET /staff/login", accessOpen, (*Server).staffLoginForm},
	{"POST /staff/login", accessOpen, (*Server).staffLogin},
	{"POST /staff/logout", accessOpen, (*Server).staffLogout},
	{"GET /staff/login/code", accessPending, (*Server).staffCodeForm},
	{"POST /staff/login/code", accessPending, (*Server).staffCode},
	{"GET /staff/login/enrol", accessPending, (*Server).staffEnrolForm},
	{"POST /staff/login/enrol", accessPending, (*Server).staffEnrol},
	{"GET /staff/two-factor", accessDesk, (*Server).staffEnrolForm},
	{"POST /staff/two-factor", accessDesk, (*Server).staffEnrol},

	// Patrons.
	{"GET /staff", accessDesk, (*Server).staffHome},
	{"GET /staff/patrons", accessDesk, (*Server).staffPatronSearch},
	{"GET /staff/patrons/{id}", accessDesk, (*Server).staffPatron},
	{"POST /staff/patrons/{id}/register", accessDesk, (*Server).staffRegister},
	{"POST /staff/patrons/{id}/reset-pin", accessDesk, (*Server).staffResetPIN},
	{"POST /staff/patrons/{id}/unlock", accessDesk, (*Server).staffUnlock},
	{"POST /staff/patrons/{id}/block", accessDesk, (*Server).staffBlock},
	{"POST /staff/patrons/{id}/unblock", accessDesk, (*Server).staffUnblock},
	{"POST /staff/patrons/{id}/expiry", accessDesk, (*Server).staffExpiry},
	{"POST /staff/patrons/{id}/card", accessDesk, (*Server).staffReplaceCard},
	{"GET /staff/patrons/{id}/edit", accessDesk, (*Server).staffPatronEditForm},
	{"POST /staff/patrons/{id}/edit", accessDesk, (*Server).staffPatronEdit},
	{"POST /staff/patrons/{id}/renew", accessDesk, (*Server).staffRenew},
	{"POST /staff/patrons/{id}/payment", accessDesk, (*Server).staffPayment},
	{"POST /staff/patrons/{id}/waiver", accessAdmin, (*Server).staffWaiver},
	{"POST /staff/patrons/{id}/holds", accessDesk, (*Server).staffPatronHold},

	// Circulation.
	{"GET /staff/checkout", accessDesk, (*Server).staffCheckoutPage},
	{"POST /staff/checkout", accessDesk, (*Server).staffCheckout},
	{"POST /staff/checkout/override", accessAdmin, (*Server).staffOverride},
	{"GET /staff/checkin", accessDesk, (*Server).staffCheckinPage},
	{"POST /staff/checkin", accessDesk, (*Server).staffCheckin},

	// Items and holds.
	{"GET /staff/items", accessDesk, (*Server).staffItemSearch},
	{"POST /staff/items", accessDesk, (*Server).staffItemAdd},
	{"GET /staff/items/new", accessDesk, (*Server).staffItemNew},
	{"GET /staff/items/{id}", accessDesk, (*Server).staffItem},
	{"GET /staff/items/{id}/edit", accessDesk, (*Server).staffItemEditForm},
	{"POST /staff/items/{id}/edit", accessDesk, (*Server).staffItemEdit},
	{"POST /staff/items/{id}/withdraw", accessDesk, (*Server).staffItemWithdraw},
	{"POST /staff/items/{id}/holds", accessDesk, (*Server).staffItemHold},
	{"GET /staff/holds", accessDesk, (*Server).staffHoldShelf},
	{"POST /staff/holds/{id}/cancel", accessDesk, (*Server).staffHoldCancel},

	// The audit log.
	{"GET /staff/audit", accessDesk, (*Server).staffAudit},

	// Payments: the cash-up of a desk account's day, and a payment's receipt.
	{"GET /staff/cashup", accessDesk, (*Server).staffCashUp},
	{"GET /staff/receipts/{id}", accessDesk, (*Server).staffReceipt},
}

// staffGetPaths are the staff pages that answer a POST at their own path
// and are also shown by a GET there.
var staffGetPaths = map[string]bool{
	"/staff/login": true, "/staff/login/code": true, "/staff/login/enrol": true, "/staff/two-factor": true,
	"/staff/checkout": true, "/staff/checkin": true, "/staff/items": true,
}

// staffGetPath gives the page a request's answer stands for, for the
// language switch, which returns there with a GET: the path itself for a
// GET, the page a POST-only action belongs to otherwise.
func staffGetPath(p, method string) string {
	switch {
	case method == http.MethodGet || method == http.MethodHead || staffGetPaths[p] || strings.HasSuffix(p, "/edit"):
		return p
	case p == "/staff/logout":
		return staffLoginPath
	case p == "/staff/checkout/override":
		return "/staff/checkout"
	case strings.HasPrefix(p, "/staff/holds/"):
		return "/staff/holds"
	}
	return path.Dir(p)
}
