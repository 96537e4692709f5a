package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// loanRow returns the row of the loans table that holds title.
func loanRow(t *testing.T, page, title string) string {
	t.Helper()
	for _, row := range regexp.MustCompile(`(?s)<tr[ >].*?</tr>`).FindAllString(page, -1) {
		if strings.Contains(row, ">"+title+"<") {
			return row
		}
	}
	t.Fatalf("no row for %q", title)
	return ""
}

const noneLeft = `<span aria-hidden="true">—</span><span class="vh">none left</span>`

// TestRenewalsLeftAtTheDesk proves the desk counts renewals left, as the
// patron's record does, and shows a dash (with words for a screen reader)
// for a loan at its renewal limit, on both pages.
func TestRenewalsLeftAtTheDesk(t *testing.T) {
	f := newPhonePatron(t)
	desk := f.staffClient(f.staff("desk1", library.RoleDesk))
	page := desk.get("/staff/patrons/" + idOf(f.p.ID)).body
	mustContain(t, page, `<th scope="col" class="num">Renewals left</th>`)
	mustNotContain(t, page, `>Renewals</th>`)
	// The student category allows 2 renewals: one used leaves 1.
	if row := loanRow(t, page, f.overdue.Item.Title); !regexp.MustCompile(`data-label="Renewals left">1<`).MatchString(row) {
		t.Errorf("a loan renewed once shows no 1 renewal left:\n%s", row)
	}
	if row := loanRow(t, page, f.limit.Item.Title); !strings.Contains(row, `data-label="Renewals left">`+noneLeft) {
		t.Errorf("desk: a loan at its limit shows no dash:\n%s", row)
	}
	c := f.client()
	c.mustSignIn(f.p.Barcode, "reading-room-7", "/account")
	account := c.get("/account").body
	if row := loanRow(t, account, f.limit.Item.Title); !strings.Contains(row, noneLeft) {
		t.Errorf("record: a loan at its limit shows no dash:\n%s", row)
	}
}

// TestTitlesInTheirLanguage proves a Chinese title or author on an English
// page is marked lang="zh-Hant", and an English title on a Chinese page
// lang="en" (WCAG 3.1.2); a title in the page's language is not marked.
func TestTitlesInTheirLanguage(t *testing.T) {
	f := newPhonePatron(t)
	c := f.client()
	c.mustSignIn(f.p.Barcode, "reading-room-7", "/account")
	en := c.get("/account").body
	mustContain(t, en, `<span class="title" lang="zh-Hant">紅樓夢</span>`, `<dd lang="zh-Hant">曹雪芹</dd>`,
		`<span class="title">Introduction to Algorithms</span>`)
	c.header.Set("Accept-Language", "zh-Hant-HK")
	zh := c.get("/account").body
	mustContain(t, zh, `<span class="title">紅樓夢</span>`, `<span class="title" lang="en">Introduction to Algorithms</span>`)

	desk := f.staffClient(f.staff("desk1", library.RoleDesk))
	page := desk.get("/staff/patrons/" + idOf(f.p.ID)).body
	mustContain(t, page, `lang="zh-Hant">紅樓夢</a>`, `<span class="author" lang="zh-Hant">曹雪芹</span>`)
	mustNotContain(t, page, `lang="zh-Hant">Introduction`, `lang="en">Introduction`)
}

// TestOverpaymentSentence proves the desk's refusal of a payment larger
// than the balance is a sentence, starting with a capital letter.
func TestOverpaymentSentence(t *testing.T) {
	f := newPhonePatron(t)
	f.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: f.p.ID, Kind: library.FineCharge, Amount: 500, Note: "overdue", CreatedAt: f.now})
	})
	desk := f.staffClient(f.staff("desk1", library.RoleDesk))
	path := "/staff/patrons/" + idOf(f.p.ID)
	page := desk.get(path).body
	res := desk.post(path+"/payment", with(form(t, page, path+"/payment"), "pay_amount", "10.00", "pay_method", "cash"))
	mustContain(t, text(res.body), "The amount is more than the HKD 5.00 owed.")
	if f.balance(f.p) != 500 {
		t.Errorf("balance %v after a refused payment", f.balance(f.p))
	}
}
