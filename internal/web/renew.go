package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/carrel-library/carrel/internal/library"
)

// renewResults is what a renewal did, item by item.
type renewResults struct {
	Summary msg // "Renewed 2 of 3: 1 could not be renewed"
	// Refused is how many chosen loans were not renewed: the summary is
	// shown as a success only when it is 0.
	Refused int
	Lines   []renewLine
	More    *msg // the outcomes not listed one by one, counted
}

// maxRenewLines is how many outcomes a renewal lists one by one: beyond
// it the rest are counted in one line, so that Renew all on a thousand
// loans answers with a readable page whose size does not grow with them.
const maxRenewLines = loansPerPage

// renewLine is the outcome for one loan.
type renewLine struct {
	Title   string // empty when the loan was not one of the patron's
	Renewed bool
	Msg     msg
	Charged *msg // an overdue fine charged at renewal
}

// renew renews the selected loans (checkboxes named loan) or, with the
// button named all, every current loan, and shows the borrowing record
// with an outcome per item. The page is the POST's answer rather than a
// redirect: the outcomes exist only for this answer, and keeping them
// server-side for a following GET would need storage for little gain.
func (s *Server) renew(w http.ResponseWriter, r *http.Request, v *visit) error {
	var ids []int64 // nil renews every current loan
	if !r.PostForm.Has("all") {
		ids = []int64{}
		for _, f := range r.PostForm["loan"] {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return errBadRequest
			}
			// A loan ticked twice is renewed once.
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if ids != nil && len(ids) == 0 {
		return s.renderRecord(w, r, v, http.StatusUnprocessableEntity, func(p *accountPage) {
			field := "loans"
			for _, l := range p.Loans {
				if l.CanRenew {
					field = "loan-" + strconv.FormatInt(l.ID, 10)
					break
				}
			}
			p.Errors = formErrors{{field, m("account.none_selected")}}
		})
	}
	outcomes, err := s.svc.Renew(r.Context(), v.patron.ID, ids, "patron")
	if err != nil {
		return err
	}
	return s.renderRecord(w, r, v, http.StatusOK, func(p *accountPage) {
		p.Results = s.renewResults(outcomes)
	})
}

// renderRecord shows the borrowing record as it is now, with edit applied.
func (s *Server) renderRecord(w http.ResponseWriter, r *http.Request, v *visit, status int, edit func(*accountPage)) error {
	rec, err := s.record(r, v)
	if err != nil {
		return err
	}
	p := s.newAccountPage(r, v, rec)
	edit(p)
	return s.render(w, r, status, "account", p)
}

// renewResults words each outcome for the patron and sums them up.
func (s *Server) renewResults(outcomes []library.RenewOutcome) *renewResults {
	return s.wordRenewals(outcomes, s.reasonMsg, "renew.charged")
}

// wordRenewals words each renewal outcome, refusals by reason and a fine
// charged by chargedKey, and sums them up: the patron's page and the
// desk's say the same things in their own words.
func (s *Server) wordRenewals(outcomes []library.RenewOutcome, reason func(*library.Refusal) msg, chargedKey string) *renewResults {
	res := &renewResults{}
	renewed := 0
	for _, o := range outcomes {
		line := renewLine{Title: o.Item.Title, Renewed: o.Renewed}
		if o.Renewed {
			renewed++
			line.Msg = m("renew.renewed", "date", library.DateOf(o.NewDue, s.cfg.Location()))
		} else {
			line.Msg = m("renew.not_renewed", "reason", reason(o.Refusal))
		}
		if o.Charged > 0 {
			line.Charged = &msg{Key: chargedKey, Args: []any{"amount", o.Charged}}
		}
		res.Lines = append(res.Lines, line)
	}
	res.Refused = len(outcomes) - renewed
	res.Summary = m("renew.summary", "renewed", grouped(renewed), "total", grouped(len(outcomes)), "n", len(outcomes))
	if res.Refused > 0 {
		res.Summary = m("renew.summary_refused", "renewed", grouped(renewed), "total", grouped(len(outcomes)),
			"refused", grouped(res.Refused))
	}
	// What the patron must act on comes first: refusals, then fines
	// charged, then plain renewals.
	slices.SortStableFunc(res.Lines, func(a, b renewLine) int { return renewRank(a) - renewRank(b) })
	if len(res.Lines) > maxRenewLines {
		rest, ok := res.Lines[maxRenewLines:], 0
		for _, l := range rest {
			if l.Renewed {
				ok++
			}
		}
		res.More = &msg{Key: "renew.more", Args: []any{"count", grouped(len(rest)), "renewed", grouped(ok), "refused", grouped(len(rest) - ok)}}
		res.Lines = res.Lines[:maxRenewLines]
	}
	return res
}

// renewRank orders renewal outcomes: refusals first, then fines charged.
func renewRank(l renewLine) int {
	switch {
	case !l.Renewed:
		return 0
	case l.Charged != nil:
		return 1
	}
	return 2
}
