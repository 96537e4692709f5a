package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// holdShelfPage is the data of the hold shelf: the items waiting for their
// patrons, the ones to clear first at the top.
type holdShelfPage struct {
	base
	Holds []holdRow
	Flash *msg
	Now   time.Time
}

// staffHoldShelf lists the items on the hold shelf.
func (s *Server) staffHoldShelf(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	holds, err := s.svc.HoldShelf(r.Context(), v.by)
	if err != nil {
		return err
	}
	p := &holdShelfPage{base: s.staffBase(r, v, "staff_holds", m("desk.title.holds"))}
	p.DeskScript = true
	now := s.svc.Now()
	for _, h := range holds {
		p.Holds = append(p.Holds, s.holdRow(h, now))
	}
	p.Flash = doneMsg(r)
	return s.render(w, r, http.StatusOK, "staff_holds", p)
}

// staffHoldCancel cancels an open hold and returns to the page it was
// cancelled from. A hold on the hold shelf passes its item to the next
// patron in the queue, if any. Cancelling again (a stale page, the form
// sent twice) changes nothing and says so.
func (s *Server) staffHoldCancel(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	back := localPath(r.PostForm.Get("back"))
	if !staffPath(back) || strings.HasPrefix(back, staffLoginPath) {
		back = "/staff/holds"
	}
	next, err := s.svc.CancelHold(r.Context(), v.by, id, r.PostForm.Get("cancel_reason"))
	if rf, ok := library.AsRefusal(err); ok && rf.Reason == library.ReasonHoldClosed {
		return redirect(w, r, back+"?done=hold_closed")
	}
	if err != nil {
		return err
	}
	done := "hold_cancelled"
	if next != nil {
		done = "hold_cancelled_next"
	}
	return redirect(w, r, back+"?done="+done)
}
