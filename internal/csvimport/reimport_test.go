package csvimport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
)

// setPIN stores a PIN record for the patron, as sign-in or staff would.
func setPIN(t *testing.T, svc *library.Service, barcode string, pin library.PINRecord) {
	t.Helper()
	id := patron(t, svc, barcode).ID
	err := svc.Store().Update(context.Background(), func(tx library.Tx) error { return tx.SetPIN(id, pin) })
	if err != nil {
		t.Fatal(err)
	}
}

// verifies reports whether the patron's stored PIN hash matches pin.
func verifies(t *testing.T, svc *library.Service, p library.Patron, pin string) bool {
	t.Helper()
	if p.PIN.Hash == "" {
		return false
	}
	ok, err := svc.Hasher().Verify(context.Background(), p.PIN.Hash, pin)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestReimportPatrons(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		svc := newService(t)
		sum := mustImport(t, svc, csvimport.Patrons, patronHeader+
			"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n"+
			"20240002,student,Wong Siu Ming,,2024-09-01,2028-08-31,C668668(9)\n"+
			"20240003,student,Lee Ka Yan,,,,\n"+
			"S1001,staff,Ho Wing Sze,,2019-01-10,,\n"+
			"20150001,student,Legacy One,,2015-09-01,2027-08-31,a123456(3)\n"+
			"20150002,student,Legacy Two,,2015-09-01,2027-08-31,\n")
		want := csvimport.Summary{Kind: csvimport.Patrons, Added: 6, NoHKID: 1}
		if sum != want {
			t.Errorf("first import: %+v, want %+v", sum, want)
		}

		// What the first import gave each kind of patron.
		for _, tt := range []struct {
			barcode string
			kind    library.PINKind
			hashed  bool
		}{
			{"20240001", library.PINPreset, false}, // barcode rule: derived, nothing stored
			{"20240002", library.PINPreset, false}, // its HKID ignored: not a legacy patron
			{"20240003", library.PINNone, false},   // card holder
			{"S1001", library.PINPreset, false},
			{"20150001", library.PINPreset, true}, // legacy: the hash of the HKID preset
			{"20150002", library.PINNone, false},  // legacy without HKID: staff reset it
		} {
			p := patron(t, svc, tt.barcode)
			if p.PIN.Kind != tt.kind || (p.PIN.Hash != "") != tt.hashed {
				t.Errorf("patron %s: PIN %s hashed=%v, want %s hashed=%v", tt.barcode, p.PIN.Kind, p.PIN.Hash != "", tt.kind, tt.hashed)
			}
		}
		legacy := patron(t, svc, "20150001")
		if !verifies(t, svc, legacy, "A12345") {
			t.Error("legacy preset does not verify with A12345")
		}

		// Patrons sign in and choose a PIN, or staff set a temporary one.
		chosenHash, err := svc.Hasher().Hash(context.Background(), "a PIN of my own choosing")
		if err != nil {
			t.Fatal(err)
		}
		chosen := library.PINRecord{Kind: library.PINChosen, Hash: chosenHash, SetAt: now.Add(-time.Hour)}
		setPIN(t, svc, "20240001", chosen)
		temporary := library.PINRecord{Kind: library.PINTemporary, Hash: chosenHash, SetAt: now.Add(-time.Hour), ExpiresAt: now.Add(24 * time.Hour)}
		setPIN(t, svc, "S1001", temporary)

		second := patronHeader +
			"20240001,student,Chan Tai-man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n" + // new name
			"20240002,student,Wong Siu Ming,,2024-09-01,2028-08-31,\n" + // as before
			"20240003,student,Lee Ka Yan,,2026-11-02,2030-08-31,\n" + // now registered
			"S1001,staff,Ho Wing Sze,w.ho@example.edu.hk,2019-01-10,,\n" + // new email
			"20150001,student,Legacy One,,2015-09-01,2027-08-31,A123456(3)\n" + // as before
			"20150002,student,Legacy Two,,2015-09-01,2027-08-31,XA987654(2)\n" + // HKID now known
			"20260001,student,New Student,,2026-09-01,2030-08-31,\n" // new
		sum = mustImport(t, svc, csvimport.Patrons, second)
		want = csvimport.Summary{Kind: csvimport.Patrons, Added: 1, Updated: 4, Unchanged: 2}
		if sum != want {
			t.Errorf("re-import: %+v, want %+v", sum, want)
		}

		if p := patron(t, svc, "20240001"); p.Name != "Chan Tai-man" || p.PIN.Kind != chosen.Kind || p.PIN.Hash != chosen.Hash || !p.PIN.SetAt.Equal(chosen.SetAt) {
			t.Errorf("patron with a chosen PIN: %q %+v, want the new name and the PIN untouched", p.Name, p.PIN)
		}
		if p := patron(t, svc, "S1001"); p.Email != "w.ho@example.edu.hk" || p.PIN.Kind != temporary.Kind || p.PIN.Hash != temporary.Hash {
			t.Errorf("patron with a temporary PIN: %q %+v, want the new email and the PIN untouched", p.Email, p.PIN)
		}
		if p := patron(t, svc, "20240003"); !p.Registered() || p.PIN.Kind != library.PINPreset || p.PIN.Hash != "" {
			t.Errorf("card holder now registered: registered=%v PIN %+v, want the barcode preset", p.Registered(), p.PIN)
		}
		if p := patron(t, svc, "20150001"); p.PIN.Hash != legacy.PIN.Hash {
			t.Error("legacy preset re-hashed on an unchanged re-import")
		}
		if p := patron(t, svc, "20150002"); p.PIN.Kind != library.PINPreset || !verifies(t, svc, p, "A98765") {
			t.Errorf("legacy patron given an HKID: PIN %s, want a preset that verifies with A98765", p.PIN.Kind)
		}

		sum = mustImport(t, svc, csvimport.Patrons, second)
		want = csvimport.Summary{Kind: csvimport.Patrons, Unchanged: 7}
		if sum != want {
			t.Errorf("third import of the same file: %+v, want %+v", sum, want)
		}
	})
}

// A preset follows the registration day when the college corrects it; a
// chosen PIN does not.
func TestReimportRegistrationDayChanged(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		svc := newService(t)
		mustImport(t, svc, csvimport.Patrons, patronHeader+
			"20240001,student,Chan Tai Man,,2024-09-01,2028-08-31,\n"+
			"20240002,student,Wong Siu Ming,,2024-09-01,2028-08-31,\n"+
			"20150001,student,Legacy One,,2015-09-01,2027-08-31,A123456(3)\n")
		chosenHash, err := svc.Hasher().Hash(context.Background(), "a PIN of my own choosing")
		if err != nil {
			t.Fatal(err)
		}
		setPIN(t, svc, "20240001", library.PINRecord{Kind: library.PINChosen, Hash: chosenHash, SetAt: now})

		sum := mustImport(t, svc, csvimport.Patrons, patronHeader+
			"20240001,student,Chan Tai Man,,2017-09-01,2028-08-31,K123456(0)\n"+ // chosen PIN: kept
			"20240002,student,Wong Siu Ming,,2018-07-31,2028-08-31,K123456(0)\n"+ // barcode rule -> HKID rule
			"20150001,student,Legacy One,,2018-08-01,2027-08-31,A123456(3)\n") // HKID rule -> barcode rule
		want := csvimport.Summary{Kind: csvimport.Patrons, Updated: 3}
		if sum != want {
			t.Errorf("re-import: %+v, want %+v", sum, want)
		}
		if p := patron(t, svc, "20240001"); p.PIN.Kind != library.PINChosen || p.PIN.Hash != chosenHash {
			t.Errorf("chosen PIN changed: %+v", p.PIN)
		}
		if p := patron(t, svc, "20240002"); p.PIN.Kind != library.PINPreset || !verifies(t, svc, p, "K12345") {
			t.Errorf("patron now under the HKID rule: PIN %s, want a preset that verifies with K12345", p.PIN.Kind)
		}
		if p := patron(t, svc, "20150001"); p.PIN.Kind != library.PINPreset || p.PIN.Hash != "" {
			t.Errorf("patron now under the barcode rule: PIN %s hashed=%v, want the barcode preset, the old hash gone", p.PIN.Kind, p.PIN.Hash != "")
		}
	})
}

func TestReimportItems(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		svc := newService(t)
		mustImport(t, svc, csvimport.Items, itemHeader+
			"B0001,Dream of the Red Chamber,Cao Xueqin,PL2727 .S2,Main Library\n"+
			"B0002,Fortress Besieged,Qian Zhongshu,PL2747 .C4,Main Library\n")
		sum := mustImport(t, svc, csvimport.Items, itemHeader+
			"b-0001,Dream of the Red Chamber,Cao Xueqin,PL2727 .S2,Main Library\n"+
			"B0002,Fortress Besieged,Qian Zhongshu,PL2747 .C4,Short Loan Collection\n"+
			"B0003,The Book and the Sword,Jin Yong,PL2848 .Y8,Main Library\n")
		want := csvimport.Summary{Kind: csvimport.Items, Added: 1, Updated: 1, Unchanged: 1}
		if sum != want {
			t.Errorf("re-import: %+v, want %+v", sum, want)
		}
		err := svc.Store().View(context.Background(), func(tx library.Tx) error {
			it, err := tx.ItemByBarcode("B0002")
			if err == nil && it.Location != "Short Loan Collection" {
				t.Errorf("B0002 location %q, want the new one", it.Location)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestImportLoans(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		svc := newService(t)
		seed(t, svc)
		// 20240001 is a student (10 items at most): the old system's loans come
		// in as they are, past the limit, overdue or not.
		text := loanHeader
		var items string
		for i := range 12 {
			items += "L" + string(rune('A'+i)) + ",Title,,,\n"
			text += "20240001,L" + string(rune('A'+i)) + ",2026-10-01,2026-10-15\n"
		}
		mustImport(t, svc, csvimport.Items, itemHeader+items)
		before := countAll(t, svc)

		sum := mustImport(t, svc, csvimport.Loans, text)
		if want := (csvimport.Summary{Kind: csvimport.Loans, Added: 12}); sum != want {
			t.Errorf("import: %+v, want %+v", sum, want)
		}
		if got := countAll(t, svc); got.openLoans != before.openLoans+12 {
			t.Errorf("open loans %d, want %d", got.openLoans, before.openLoans+12)
		}

		loc := svc.Config().Location()
		var loans []library.Loan
		err := svc.Store().View(context.Background(), func(tx library.Tx) error {
			p, err := tx.PatronByBarcode("20240001")
			if err != nil {
				return err
			}
			loans, err = tx.OpenLoans(p.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		l := loans[0]
		if want := time.Date(2026, 10, 1, 0, 0, 0, 0, loc); !l.CheckedOutAt.Equal(want) {
			t.Errorf("checked out at %v, want %v", l.CheckedOutAt, want)
		}
		if want := time.Date(2026, 10, 15, 23, 59, 59, 0, loc); !l.DueAt.Equal(want) {
			t.Errorf("due at %v, want %v", l.DueAt, want)
		}

		// Run again, with one due date corrected: the loans are already there.
		text = text[:len(text)-len("2026-10-15\n")] + "2026-10-29\n"
		sum = mustImport(t, svc, csvimport.Loans, text)
		if want := (csvimport.Summary{Kind: csvimport.Loans, Updated: 1, Unchanged: 11}); sum != want {
			t.Errorf("second run: %+v, want %+v", sum, want)
		}
	})
}

// A file as spreadsheets write it: byte order mark, CRLF, columns in
// another order, spaces around fields, quoted commas.
func TestImportSpreadsheetFile(t *testing.T) {
	svc := newService(t)
	text := "\xEF\xBB\xBFName, Barcode ,category,hkid,email,registered_on,expires_on\r\n" +
		"\"Chan, Tai Man\", 2024 0001 ,Student,,tm.chan@example.edu.hk , 2024-09-01 ,2028-08-31\r\n" +
		"\r\n" +
		"Ho Wing Sze,s1001,staff,,,2019-01-10,\r\n"
	sum := mustImport(t, svc, csvimport.Patrons, text)
	if want := (csvimport.Summary{Kind: csvimport.Patrons, Added: 2}); sum != want {
		t.Errorf("import: %+v, want %+v", sum, want)
	}
	p := patron(t, svc, "20240001")
	if p.Name != "Chan, Tai Man" || p.Category != "student" || p.Email != "tm.chan@example.edu.hk" || p.RegisteredOn.String() != "2024-09-01" {
		t.Errorf("patron %+v", p)
	}
	patron(t, svc, "S1001")
}

func TestImportProgress(t *testing.T) {
	svc := newService(t)
	text := patronHeader +
		"20150001,student,Legacy One,,2015-09-01,2027-08-31,A123456(3)\n" +
		"20150002,student,Legacy Two,,2015-09-01,2027-08-31,XA987654(2)\n" +
		"20240001,student,Chan Tai Man,,2024-09-01,2028-08-31,\n"
	var calls [][2]int
	_, err := csvimport.Import(context.Background(), svc, csvimport.Patrons, strings.NewReader(text), func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two hashes and three rows.
	if len(calls) == 0 || calls[0] != [2]int{0, 5} || calls[len(calls)-1] != [2]int{5, 5} {
		t.Fatalf("progress calls %v, want from 0/5 to 5/5", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
}
