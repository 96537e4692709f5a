package web_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// longCallNumber has no space to break at: only overflow-wrap can keep it
// inside a 320 px screen.
const longCallNumber = "PL2658.E8WANGANSHIYIJIANQUANJIXUBIANJUANSHIER.2026"

// phonePatron is a patron with six loans: one overdue, one at its renewal
// limit, one with a long call number and one with a Chinese title.
type phonePatron struct {
	*testLibrary
	p                   library.Patron
	overdue, limit, cjk library.Loan
	long                library.Loan
}

func newPhonePatron(t *testing.T) phonePatron {
	t.Helper()
	l := newLibrary(t, nil)
	f := phonePatron{testLibrary: l, p: l.patron("24031588", "Wong Ka Yan", nil)}
	l.loan(f.p, "30000001", "Introduction to Algorithms", today.AddDays(-11), today.AddDays(3), 0)
	f.overdue = l.loan(f.p, "30000002", "Gödel, Escher, Bach", today.AddDays(-16), today.AddDays(-2), 1)
	f.limit = l.loan(f.p, "30000003", "The Art of Computer Programming", today.AddDays(-30), today.AddDays(5), 2)
	f.long = l.loan(f.p, "30000004", "Collected Works, Supplementary Volume", today.AddDays(-10), today.AddDays(4), 0)
	f.long.Item.CallNumber = longCallNumber
	l.update(func(tx library.Tx) error { return tx.UpdateItem(f.long.Item) })
	f.cjk = l.loan(f.p, "30000005", "紅樓夢", today.AddDays(-9), today.AddDays(6), 0)
	f.cjk.Item.Author = "曹雪芹"
	l.update(func(tx library.Tx) error { return tx.UpdateItem(f.cjk.Item) })
	l.loan(f.p, "30000006", "Structure and Interpretation of Computer Programs", today.AddDays(-8), today.AddDays(7), 0)
	l.chosenPIN(f.p, "reading-room-7")
	return f
}

// phoneLayout is what a test measures of the borrowing record in the
// viewport it is shown in.
type phoneLayout struct {
	Height      float64 `json:"height"`      // the viewport's height
	Rows        int     `json:"rows"`        // loan rows on the page
	RowsVisible int     `json:"rowsVisible"` // loan rows wholly above the fold
	RenewTop    float64 `json:"renewTop"`    // where the first Renew selected button ends, from the top
	ScrollWidth int     `json:"scrollWidth"`
	ClientWidth int     `json:"clientWidth"`
	Boxes       []struct {
		W float64 `json:"w"`
		H float64 `json:"h"`
	} `json:"boxes"` // each row checkbox's size
}

const measurePhone = `(() => {
	const renew = document.querySelector("#loans button[name=selected]");
	const h = window.innerHeight;
	const rows = [...document.querySelectorAll("table.loans tbody tr")];
	return JSON.stringify({
		height: window.innerHeight,
		rows: rows.length,
		rowsVisible: rows.filter(r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= h; }).length,
		renewTop: renew ? renew.getBoundingClientRect().bottom : -1,
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
		boxes: [...document.querySelectorAll("input[name=loan]")].map(b => { const r = b.getBoundingClientRect(); return {w: r.width, h: r.height}; }),
	});
})()`

// TestBrowserAccountPhone shows a borrowing record of six loans in real
// Chromium at a phone's 390 × 844 and a small phone's 320 × 568: most
// loans are above the fold as one compact row each, the renew button is
// on the first screen, checkboxes are at least 24 × 24 px, a loan's
// details open from its summary, and nothing scrolls sideways at 320 px,
// not even a long call number.
func TestBrowserAccountPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	f := newPhonePatron(t)
	ctx := newBrowser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	measure := func() phoneLayout {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](measurePhone))
		if err != nil {
			t.Fatal(err)
		}
		var m phoneLayout
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	do("sign in",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(f.url+"/account/login"),
		chromedp.WaitVisible(chromedp.ID("barcode")),
		chromedp.SendKeys(chromedp.ID("barcode"), f.p.Barcode),
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-7"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS("table.loans")),
	)

	for _, vp := range []struct {
		w, h    int64
		visible int
	}{{390, 844, 4}, {320, 568, 0}} {
		do("open the record",
			chromedp.EmulateViewport(vp.w, vp.h),
			chromedp.Navigate(f.url+"/account"),
			chromedp.WaitVisible(chromedp.CSS("table.loans")),
		)
		m := measure()
		t.Logf("at %d × %d: %d of %d loan rows wholly above the fold; Renew selected ends %.0f px down; page %d px wide in %d",
			vp.w, vp.h, m.RowsVisible, m.Rows, m.RenewTop, m.ScrollWidth, m.ClientWidth)
		if m.Rows != 6 {
			t.Fatalf("at %d px: %d loan rows, want 6", vp.w, m.Rows)
		}
		if m.RowsVisible < vp.visible {
			t.Errorf("at %d × %d: %d loan rows wholly above the fold, want at least %d", vp.w, vp.h, m.RowsVisible, vp.visible)
		}
		if m.RenewTop < 0 || m.RenewTop > m.Height {
			t.Errorf("at %d × %d: Renew selected ends %.0f px down, below the first screen", vp.w, vp.h, m.RenewTop)
		}
		if len(m.Boxes) != 5 {
			t.Errorf("at %d px: %d checkboxes, want 5 (one loan is at its renewal limit)", vp.w, len(m.Boxes))
		}
		for i, b := range m.Boxes {
			if b.W < 24 || b.H < 24 {
				t.Errorf("at %d px: checkbox %d is %.1f × %.1f px, under 24 × 24", vp.w, i+1, b.W, b.H)
			}
		}
		if m.ScrollWidth > m.ClientWidth {
			t.Errorf("at %d px, details closed: the page is %d px wide, it scrolls sideways", vp.w, m.ScrollWidth)
		}
		checkAxe(t, ctx, "the borrowing record at "+strconv.FormatInt(vp.w, 10)+" px")

		// A loan's details open from its summary, and its long call
		// number wraps rather than widening the page.
		row := "#row-" + id(f.long)
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+row+` details").open`))
		if err != nil {
			t.Fatalf("at %d px: no details in the long call number's row: %v", vp.w, err)
		}
		if open {
			t.Errorf("at %d px: the details are open before a click", vp.w)
		}
		do("open the details", chromedp.Click(chromedp.CSS(row+" details summary")))
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const d = document.querySelector("`+row+` details");
			const c = [...d.querySelectorAll("dd")].find(e => e.textContent.includes("`+longCallNumber[:10]+`"));
			return d.open + " " + (c ? c.getBoundingClientRect().height > 0 : "missing");
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if shown != "true true" {
			t.Errorf("at %d px: after a click on the summary, open and call number shown: %s", vp.w, shown)
		}
		m = measure()
		if m.ScrollWidth > m.ClientWidth {
			t.Errorf("at %d px, details open: the page is %d px wide in %d, it scrolls sideways", vp.w, m.ScrollWidth, m.ClientWidth)
		}
		checkAxe(t, ctx, "the borrowing record at "+strconv.FormatInt(vp.w, 10)+" px with a loan's details open")
	}
	do("back to the desktop", chromedp.EmulateViewport(1280, 900))
	shoot(t, ctx, f.url+"/account", "account-phone")
}

// TestAccountDetailsWithoutScript reads the borrowing record as a browser
// without JavaScript: each loan's details are in a <details> element of
// its row, which opens with no script, and the page loads none.
func TestAccountDetailsWithoutScript(t *testing.T) {
	f := newPhonePatron(t)
	c := f.client()
	c.mustSignIn(f.p.Barcode, "reading-room-7", "/account")
	page := c.get("/account").body
	if strings.Contains(page, "<script") {
		t.Error("the borrowing record loads a script")
	}
	row := regexp.MustCompile(`(?s)<tr[^>]*id="row-` + id(f.long) + `".*?</tr>`).FindString(page)
	details := regexp.MustCompile(`(?s)<details[^>]*>\s*<summary[^>]*>.*?</summary>(.*?)</details>`).FindStringSubmatch(row)
	if details == nil {
		t.Fatalf("no <details> with a <summary> in the loan's row:\n%s", row)
	}
	mustContain(t, text(details[1]), "Author of Collected Works", longCallNumber, "30000004", "Renewals left", "Borrowed")
	if strings.Contains(row, "<details open") {
		t.Error("the details are open from the start")
	}
}
