package sip2

import (
	"bufio"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// The SIP2 codec on its own, without network or database: decoding the
// requests a self-check kiosk sends most (63, 11, 09, with sequence numbers
// and checksums) and encoding their replies (64, 12, 10). The end-to-end
// benchmarks over TCP are in bench_test.go.

// benchRequests are the common requests, one of each, as a kiosk with
// error detection on sends them (without the terminating CR). Their
// checksums were worked out independently of Carrel.
var benchRequests = []struct {
	name string
	line []byte
	tags []string // the fields the handler reads
}{
	{"63_patron_information", []byte("63001" + "20261128    100000" + "  Y       " + "AOHKCT|AA21034567|ADcorrect horse|BP1|BQ5|AY3AZEB67"),
		[]string{"AA", "AD", "BP", "BQ"}},
	{"11_checkout", []byte("11YN" + "20261128    100000" + "                  " + "AOHKCT|AA21034567|AB30000012345|ACkiosk-secret-1|ADcorrect horse|BON|BIN|AY4AZE110"),
		[]string{"AA", "AB", "AD", "BI"}},
	{"09_checkin", []byte("09N" + "20261128    100000" + "20261128    100000" + "APMAIN-1F|AOHKCT|AB30000012345|ACkiosk-secret-1|BIN|AY5AZE7BD"),
		[]string{"AB"}},
}

// BenchmarkDecode parses each request, checksum checked, and reads the
// fields its handler reads.
func BenchmarkDecode(b *testing.B) {
	for _, bm := range benchRequests {
		var m Message
		if err := Parse(bm.line, &m); err != nil || !m.Checked || m.Seq < 0 {
			b.Fatalf("%s: Parse: %v (checked %v, seq %d)", bm.name, err, m.Checked, m.Seq)
		}
		for _, tag := range bm.tags {
			if _, ok := m.Field(tag); !ok {
				b.Fatalf("%s: no %s", bm.name, tag)
			}
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.line)))
			for b.Loop() {
				if err := Parse(bm.line, &m); err != nil {
					b.Fatal(err)
				}
				for _, tag := range bm.tags {
					m.Field(tag)
				}
			}
		})
	}
}

// benchConn is a connection as it stands when a handler builds its reply:
// logged in, the request parsed, replies written to nowhere. Its service
// has no store: encoding reads only the clock and the configuration.
func benchConn(b *testing.B, request []byte) *conn {
	b.Helper()
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, nil, nil)
	now := library.NewDate(2026, time.November, 28).Time(cfg.Location()).Add(10 * time.Hour)
	svc.SetClock(func() time.Time { return now })
	srv, err := New(svc, Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := &conn{srv: srv, w: bufio.NewWriterSize(io.Discard, 4096), lang: srv.en,
		out: reply{b: make([]byte, 0, 512), loc: cfg.Location()}}
	c.bind(library.SIPAccount{Login: "kiosk1", Institution: "HKCT", Location: "MAIN-1F"})
	if err := Parse(request, &c.req); err != nil {
		b.Fatal(err)
	}
	return c
}

// benchRecord is the borrowing record of a registered student with five
// current loans, one of them overdue by three days, and a fine balance.
func benchRecord(cfg *library.Config) library.Record {
	loc := cfg.Location()
	student, _ := cfg.Category("student")
	rec := library.Record{
		Patron:      library.Patron{ID: 7, Barcode: "21034567", Category: "student", Name: "CHAN Tai Man", RegisteredOn: library.NewDate(2024, 9, 1)},
		Category:    student,
		Today:       library.NewDate(2026, time.November, 28),
		FineBalance: 1250,
	}
	for i := range 5 {
		due := library.NewDate(2026, time.November, 25+i*3).EndOf(loc)
		line := library.LoanLine{Loan: library.Loan{ID: int64(100 + i), PatronID: 7, DueAt: due,
			Item: library.Item{ID: int64(200 + i), Barcode: fmt.Sprintf("3000001234%d", i), Title: "Loaned title"}}}
		if i == 0 {
			line.OverdueDays, line.FineAccruing = 3, 300
			rec.OverdueCount, rec.AccruingTotal = 1, 300
		}
		rec.Loans = append(rec.Loans, line)
	}
	return rec
}

// encodePatronInformation builds a 64 from a record the way
// patronInformation does after its look-up (for a record without holds).
// patronInformation does the look-up and the reply in one function, so
// its reply half is repeated here; the golden reply in BenchmarkEncode
// keeps the two in step.
func (c *conn) encodePatronInformation(p *patron) {
	m := &c.req
	lang, summary := m.Fixed[0:3], m.Fixed[21:31]
	aa, _ := m.Field("AA")
	flags := flagsFor(&p.rec)
	var overdue, fines int
	for i := range p.rec.Loans {
		if p.rec.Loans[i].OverdueDays > 0 {
			overdue++
			if p.rec.Loans[i].FineAccruing > 0 {
				fines++
			}
		}
	}
	c.out.start("64")
	c.out.b = append(c.out.b, flags[:]...)
	c.out.b = append(c.out.b, lang...)
	c.out.date(c.srv.svc.Now())
	c.out.count(0)
	c.out.count(overdue)
	c.out.count(len(p.rec.Loans))
	c.out.count(fines)
	c.out.count(0)
	c.out.count(0)
	c.patronIdentity(aa, p)
	c.out.fieldCount("BZ", p.rec.Category.MaxHolds)
	c.out.fieldCount("CB", p.rec.Category.MaxLoans)
	c.patronValidity(p)
	c.out.fieldMoney("CC", c.srv.cfg.FineThreshold)
	c.itemLists(&p.rec, summary)
	c.finish()
}

// BenchmarkEncode builds each reply, sequence number and checksum
// included, into the connection's reused buffer, and hands it to the
// connection's writer. Each reply is checked once against the bytes a
// kiosk must receive, checksum worked out independently of Carrel.
func BenchmarkEncode(b *testing.B) {
	aa, ab := []byte("21034567"), []byte("30000012345")
	for _, bm := range []struct {
		name    string
		request []byte
		// encoder returns the work of one reply; what it prepares (the
		// record, the loan) is made once, as the look-up before it would.
		encoder func(c *conn) func()
		want    string
	}{
		{"64_patron_information", benchRequests[0].line, func(c *conn) func() {
			p := patron{found: true, rec: benchRecord(c.srv.cfg), pin: pinCheck{sent: true, verdict: library.PINRight}}
			return func() { c.encodePatronInformation(&p) }
		}, "64              00120261128    100000000000010005000100000000" +
			"AOHKCT|AA21034567|AECHAN Tai Man|BZ0005|CB0010|BLY|CQY|BHHKD|BV12.50|CC50.00|" +
			"AU30000012340|AU30000012341|AU30000012342|AU30000012343|AU30000012344|AY3AZCE7D\r"},
		{"12_checkout", benchRequests[1].line, func(c *conn) func() {
			loan := library.Loan{ID: 100, PatronID: 7, DueAt: library.NewDate(2026, time.December, 12).EndOf(c.srv.cfg.Location()),
				Item: library.Item{ID: 200, Barcode: string(ab), Title: "The Library Book"}}
			return func() { c.checkoutReply(true, false, aa, ab, &loan, "Due back 12 Dec 2026.") }
		}, "121NUY20261128    100000AOHKCT|AA21034567|AB30000012345|AJThe Library Book|AH20261212    235959|AFDue back 12 Dec 2026.|AY4AZE028\r"},
		{"10_checkin", benchRequests[2].line, func(c *conn) func() {
			it := library.Item{ID: 200, Barcode: string(ab), Title: "The Library Book", Location: "MAIN-3F"}
			return func() { c.checkinReply(true, false, ab, &it, "Thank you: the item is returned.") }
		}, "101YUN20261128    100000AOHKCT|AB30000012345|AQMAIN-3F|AJThe Library Book|AFThank you: the item is returned.|AY5AZDE46\r"},
	} {
		c := benchConn(b, bm.request)
		encode := bm.encoder(c)
		encode()
		if got := string(c.last); got != bm.want {
			b.Fatalf("%s:\n got  %q\n want %q", bm.name, got, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.want)))
			for b.Loop() {
				encode()
			}
		})
	}
}

// BenchmarkScreenMessage translates the screen message (AF) of a checkout,
// as checkout does for every loan it makes, in English and in Chinese.
func BenchmarkScreenMessage(b *testing.B) {
	c := benchConn(b, benchRequests[1].line)
	due := library.NewDate(2026, time.December, 12)
	for _, bm := range []struct {
		name, lang, want string
	}{
		{"en", "000", "Due back 12 Dec 2026."},
		{"zh", langChinese, "到期日：2026年12月12日。"},
	} {
		c.setLanguage([]byte(bm.lang))
		if got := c.t("sip2.checked_out", "date", due); got != bm.want {
			b.Fatalf("%s: %q, want %q", bm.name, got, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.t("sip2.checked_out", "date", due)
			}
		})
	}
}
