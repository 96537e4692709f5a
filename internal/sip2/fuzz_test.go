package sip2

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// FuzzParse: whatever the bytes, Parse does not panic, allocates nothing,
// keeps at most maxFields fields, and what it accepts is consistent.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var m Message
		if n := testing.AllocsPerRun(1, func() { _ = Parse(line, &m) }); n != 0 {
			t.Fatalf("Parse allocated %v times", n)
		}
		err := Parse(line, &m)
		if m.n > maxFields {
			t.Fatalf("%d fields kept", m.n)
		}
		if err != nil {
			return
		}
		if m.Code < 0 || m.Code > 99 || len(m.Fixed) != fixedLen[m.Code] {
			t.Fatalf("code %d with %d fixed bytes", m.Code, len(m.Fixed))
		}
		if m.Seq < -1 || m.Seq > 9 {
			t.Fatalf("sequence %d", m.Seq)
		}
		// What is acted on is text: UTF-8 without control characters.
		if !utf8.Valid(line) || hasControl(line) {
			t.Fatalf("accepted %q, which is not text", line)
		}
	})
}

// fuzzSeeds are the committed corpus's lines too (testdata/fuzz).
var fuzzSeeds = []string{
	"9300CNkiosk1|COkiosk-secret-1|CPMAIN|",
	"9900302.00AY1AZFCA5",
	"2300120261128    100000AOHKCT|AA20240001|ADcorrect horse|",
	"6300120261128    100000  Y       AOHKCT|AA20240001|ADcorrect horse|BP1|BQ5|",
	"11NN20261128    10000020261128    100000AOHKCT|AA20240001|ABB0002|AC|",
	"09N20261128    10000020261128    100000APMAIN|AOHKCT|ABB0001|AC|",
	"3720261128    1000000100HKDBV1.00|AOHKCT|AA20240001|",
	"2300120261128    100000|AY2AZ",
	"11NN20261128    10000020261128    100000AOHKCT|AA2024\x000001|ABB0002|AC|",
	"01N20261128    100000AOHKCT|ALCard \x1b[2J retained|AA20240001|AC|",
	"9300CNkiosk1|COkiosk\u0085secret|CPMAIN|",
	"97",
}

// fuzzLibrary is one library shared by a fuzzing process's inputs.
var fuzzLibrary struct {
	once sync.Once
	srv  *Server
	acct library.SIPAccount
	p    library.Patron
}

// FuzzServer sends one line to a logged-in connection of a real server on
// a real database. A line that does not parse must get 96 and change
// nothing, and nothing that fails to parse may ever yield CQY.
func FuzzServer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	fl := &fuzzLibrary
	fl.once.Do(func() {
		cfg := library.DefaultConfig()
		svc := library.NewService(&cfg, storagetest.New(f), library.NewHasher(0))
		ctx := context.Background()
		var err error
		if fl.acct, err = svc.AddSIPAccount(ctx, library.SIPAccount{Login: "kiosk1", Institution: "HKCT", LoginRequired: true}, "kiosk-secret-1"); err != nil {
			f.Fatal(err)
		}
		fl.p = library.Patron{Barcode: "20240001", Category: "student", Name: "Chan Tai Man",
			RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINPreset}}
		h, _ := svc.Hasher().Hash(ctx, "correct horse")
		err = svc.Store().Update(ctx, func(tx library.Tx) error {
			if err := tx.CreatePatron(&fl.p); err != nil {
				return err
			}
			for _, b := range []string{"B0001", "B0002"} {
				it := library.Item{Barcode: b, Title: "Title " + b}
				if err := tx.CreateItem(&it); err != nil {
					return err
				}
			}
			return tx.SetPIN(fl.p.ID, library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: time.Now()})
		})
		if err != nil {
			f.Fatal(err)
		}
		if fl.srv, err = New(svc, Options{IdleTimeout: 5 * time.Second}); err != nil {
			f.Fatal(err)
		}
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		line := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, in)
		line = line[:min(len(line), maxLine)]
		if len(line) == 0 {
			return
		}
		var m Message
		parseErr := Parse(line, &m)
		before := fuzzState(t, fl.srv.svc, fl.p)

		client, server := net.Pipe()
		c := newConn(fl.srv, server)
		c.bind(fl.acct)
		done := make(chan struct{})
		go func() { c.serve(); close(done) }()
		client.SetDeadline(time.Now().Add(20 * time.Second))
		go client.Write(append(line, '\r'))
		reply, err := bufio.NewReader(client).ReadBytes('\r')
		client.Close()
		<-done
		if err != nil {
			t.Fatalf("no reply: %v", err)
		}
		if parseErr == nil {
			return
		}
		if !bytes.HasPrefix(reply, []byte("96")) {
			t.Fatalf("unparsable %q answered %q", line, reply)
		}
		if bytes.Contains(reply, []byte("CQY")) {
			t.Fatalf("unparsable %q answered CQY", line)
		}
		if after := fuzzState(t, fl.srv.svc, fl.p); after != before {
			t.Fatalf("unparsable %q changed the library: %+v to %+v", line, before, after)
		}
	})
}

// fuzzSnapshot is what a request could change.
type fuzzSnapshot struct {
	loans, audit int
	balance      library.Money
	blocked      string
}

func fuzzState(t *testing.T, svc *library.Service, p library.Patron) fuzzSnapshot {
	t.Helper()
	var s fuzzSnapshot
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var err error
		if s.loans, err = tx.CountOpenLoans(p.ID); err != nil {
			return err
		}
		es, err := tx.PatronAudit(p.ID, 1_000_000)
		if err != nil {
			return err
		}
		s.audit = len(es)
		if s.balance, err = tx.FineBalance(p.ID); err != nil {
			return err
		}
		cur, err := tx.PatronByID(p.ID)
		s.blocked = cur.BlockedReason
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
