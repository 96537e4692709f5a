package web

import (
	"context"
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// checkinPage is the data of the check-in desk.
type checkinPage struct {
	base
	Lines   []scanView
	Encoded string
}

// staffCheckinPage shows the check-in desk.
func (s *Server) staffCheckinPage(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	return s.renderCheckin(w, r, v, nil)
}

// staffCheckin takes back the scanned item: it charges any overdue fine
// and says, at the top of the list, when the item must go to the hold
// shelf and for whom. An item scanned twice is not on loan the second
// time, so nothing is charged or trapped twice.
func (s *Server) staffCheckin(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	lines := readScanLines(r.PostForm.Get("lines"))
	line, err := s.checkinLine(r.Context(), v, library.NormalizeBarcode(r.PostForm.Get("item")))
	if err != nil {
		return err
	}
	lines, _ = addScanLine(lines, line)
	return s.renderCheckin(w, r, v, lines)
}

// checkinLine carries out one check-in and returns its answer.
func (s *Server) checkinLine(ctx context.Context, v *staffVisit, barcode string) (scanLine, error) {
	line := scanLine{Item: barcode}
	if barcode == "" {
		line.Kind = scanEmpty
		return line, nil
	}
	// Read first, for the title and the borrower whose fine it is.
	st, err := s.svc.ItemStatusByBarcode(ctx, barcode)
	if library.IsCode(err, library.ENOTFOUND) {
		line.Kind = scanNoItem
		return line, nil
	}
	if err != nil {
		return line, err
	}
	line.Title, line.Item, line.Patron = st.Item.Title, st.Item.Barcode, st.PatronBarcode
	ret, err := s.svc.DeskCheckin(ctx, v.by, barcode)
	if library.IsCode(err, library.ENOTFOUND) {
		line.Kind, line.Patron = scanNotOnLoan, ""
		f, err := s.svc.ItemFile(ctx, v.by, st.Item.ID)
		if err != nil {
			return line, err
		}
		if len(f.Holds) > 0 && f.Holds[0].State == library.HoldTrapped {
			h := f.Holds[0]
			line.HoldName, line.HoldBar, line.HoldBy = h.PatronName, h.PatronBarcode, s.dayString(h.PickupBy)
		}
		return line, nil
	}
	if err != nil {
		return line, err
	}
	line.Kind, line.Amount = scanReturned, int64(ret.Charged)
	if h := ret.Trapped; h != nil {
		line.HoldName, line.HoldBar, line.HoldBy = h.PatronName, h.PatronBarcode, s.dayString(h.PickupBy)
	}
	return line, nil
}

func (s *Server) renderCheckin(w http.ResponseWriter, r *http.Request, v *staffVisit, lines []scanLine) error {
	p := &checkinPage{base: s.staffBase(r, v, "staff_checkin", m("desk.title.checkin"))}
	p.DeskScript = true
	p.Lines, p.Encoded = s.scanViews(lines), encodeScanLines(lines)
	return s.render(w, r, http.StatusOK, "staff_checkin", p)
}
