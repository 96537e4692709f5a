package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestStaffAuditLog proves the audit log pages through its entries newest
// first and filters them by patron barcode, actor, action and dates.
func TestStaffAuditLog(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staff("dee", library.RoleDesk)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	other := l.patron("24062953", "Chan Tai Man", nil)
	l.update(func(tx library.Tx) error {
		for i := range 70 {
			e := library.AuditEntry{At: l.now.Add(time.Duration(i-70) * 24 * time.Hour), Actor: "staff:dee", PatronID: p.ID,
				Action: "loan.renew", Detail: fmt.Sprintf("entry %02d", i), Addr: "192.0.2.9"}
			if i%10 == 0 {
				e.PatronID, e.Actor, e.Action = other.ID, "cli", "pin.reset"
			}
			if err := tx.AddAudit(&e); err != nil {
				return err
			}
		}
		return nil
	})
	c := l.staffClient(desk)
	first := c.get("/staff/audit?patron=24031588")
	body := text(first.body)
	if n := strings.Count(body, "loan.renew"); n != 50 {
		t.Errorf("first page: %d entries, want 50", n)
	}
	mustContain(t, body, "entry 69", "Older entries")
	mustNotContain(t, body, "entry 00", "entry 10", "pin.reset", "Newest entries")
	older := regexpFind(t, first.body, `href="(/staff/audit\?[^"]*before=[0-9]+[^"]*)" rel="next"`)
	second := text(c.get(older).body)
	if n := strings.Count(second, "loan.renew"); n != 13 {
		t.Errorf("second page: %d entries, want 13", n)
	}
	mustContain(t, second, "entry 01", "Newest entries")
	mustNotContain(t, second, "Older entries", "entry 69")

	// Each entry names its patron by barcode, linked to the patron's page.
	mustContain(t, c.get("/staff/audit?action=pin.reset").body,
		fmt.Sprintf(`<a href="/staff/patrons/%d"><span class="mono">24062953</span></a>`, other.ID))

	// Dates: from and until, both days included, in the library's zone.
	q := url.Values{"action": {"pin."}, "actor": {"cli"}, "from": {today.AddDays(-40).String()}, "until": {today.AddDays(-20).String()}}
	dated := text(c.get("/staff/audit?" + q.Encode()).body)
	for _, want := range []string{"entry 30", "entry 40", "entry 50"} {
		mustContain(t, dated, want)
	}
	mustNotContain(t, dated, "entry 20", "entry 60", "loan.renew")
	// The actor typed as a username stands for the staff account.
	if n := strings.Count(text(c.get("/staff/audit?actor=DEE&action=loan.renew").body), "loan.renew"); n != 50 {
		t.Errorf("actor dee: %d entries on the first page", n)
	}
	// Bad filters are refused beside their fields.
	for _, bad := range []string{"from=28-11-2026", "until=2026-13-01", "from=2026-11-20&until=2026-11-10", "patron=99999999"} {
		res := c.get("/staff/audit?" + bad)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("audit filter %s: %d", bad, res.status)
		}
		mustContain(t, res.body, `class="error-summary"`)
	}
}

// TestCheckoutConcurrent sends 50 check-outs of one item at once through
// the desk, each its own form: the item is lent exactly once, and every
// other answer says why not.
func TestCheckoutConcurrent(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staff("dee", library.RoleDesk)
	var patrons []library.Patron
	for i := range 5 {
		patrons = append(patrons, l.patron(fmt.Sprintf("2403158%d", i), fmt.Sprintf("Patron %d", i), nil))
	}
	l.item("30000001", "Introduction to Algorithms")
	c := l.staffClient(desk)
	token := csrf(t, c.get("/staff").body)
	cookie := &http.Cookie{Name: "carrel_staff", Value: c.cookie("carrel_staff")}

	// A client of its own: its spare connections are closed before the
	// server shuts down, which would otherwise wait for them.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	const n = 50
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			form := url.Values{"csrf": {token}, "request": {library.NewRequestToken()}, "patron": {patrons[i%len(patrons)].Barcode}, "item": {"30000001"}}
			req, _ := http.NewRequest(http.MethodPost, l.url+"/staff/checkout", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			res, err := hc.Do(req)
			if err != nil {
				answers[i] = err.Error()
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			answers[i] = fmt.Sprint(res.StatusCode, " ", text(string(b)))
		})
	}
	wg.Wait()
	lent, refused := 0, 0
	for _, a := range answers {
		switch {
		case strings.Contains(a, "Lent: Introduction to Algorithms"):
			lent++
		case strings.Contains(a, "the item is already on loan"):
			refused++
		default:
			t.Errorf("answer: %.300s", a)
		}
	}
	if lent != 1 || refused != n-1 {
		t.Errorf("%d lent, %d refused; want 1 and %d", lent, refused, n-1)
	}
	total := 0
	for _, p := range patrons {
		total += len(l.openLoans(p))
	}
	if total != 1 {
		t.Errorf("%d loans of one item", total)
	}
}
