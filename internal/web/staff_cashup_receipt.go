package web

import (
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// receiptPage is the data of a payment's printable receipt.
type receiptPage struct {
	base
	R      library.Receipt
	Method msg
	By     msg
	When   string
}

// staffReceipt shows the receipt of a payment, to print for the patron,
// the first time or again; a ledger entry that is no payment is not found.
func (s *Server) staffReceipt(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rc, err := s.svc.PaymentReceipt(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	p := &receiptPage{base: s.staffBase(r, v, "staff_receipt", m("desk.title.receipt", "receipt", rc.Entry.Receipt)), R: rc,
		Method: methodMsg(rc.Entry.Method), By: accountMsg(rc.Entry.TakenBy), When: when(s.printer(r), rc.Entry.CreatedAt, s.cfg.Location())}
	p.DeskScript = true
	return s.render(w, r, http.StatusOK, "staff_receipt", p)
}
