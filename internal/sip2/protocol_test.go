package sip2_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// withChecksumOnly adds AZ<checksum> and no sequence number, as a 96 or
// 97 is framed when error detection is on.
func withChecksumOnly(msg string) string {
	s := msg + "AZ"
	return s + hex4(sip2.Checksum([]byte(s)))
}

// TestResendRequestHasNoSequenceNumber proves a 96 never carries a
// sequence number (SIP2 2.00): "96" alone without error detection, and
// "96AZxxxx" with it, whether the request it answers had a bad checksum,
// an unknown identifier with a good one, or came without one on a
// connection that has been using them. A 97 with nothing to resend gets
// the same.
func TestResendRequestHasNoSequenceNumber(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	checked := withChecksumOnly("96")

	plain := l.kiosk()
	if got := plain.do("42abc"); got.raw != "96" {
		t.Errorf("unknown message without error detection: %q, want 96", got.raw)
	}

	c := l.kiosk()
	for _, tt := range []struct{ name, req string }{
		{"bad checksum", "9900302.00AY4AZ0000"},
		{"unknown message", withChecksum("42abc", 5)},
		{"unknown message, checksum and no sequence number", withChecksumOnly("42abc")},
		{"line without error detection after lines with it", "42abc"},
	} {
		if got := c.do(tt.req); got.raw != checked {
			t.Errorf("%s: %q, want %q", tt.name, got.raw, checked)
		}
	}
	if got := l.dial().do(withChecksumOnly("97")); got.raw != checked {
		t.Errorf("97 with nothing to resend: %q, want %q", got.raw, checked)
	}
	// Other replies still echo the sequence number.
	if got := c.do(withChecksum("9900302.00", 6)); !strings.Contains(got.raw, "|AY6AZ") {
		t.Errorf("98: %q, want AY6", got.raw)
	}
}

// TestLongFieldsCut proves variable-length fields go out at most 255
// characters long, as SIP2 allows: a 334-character title, a 300-character
// barcode echoed from the request, and a title of two-byte characters,
// which in UTF-8 is cut at 255 bytes without splitting a character. In
// code page 850 a character is a byte: 255 of them.
func TestLongFieldsCut(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	long := strings.Repeat("T", 334)
	accents := strings.Repeat("é", 200) // 400 bytes in UTF-8
	l.item("B0001", long)
	l.item("B0002", accents)
	c := l.kiosk()
	info := func(c *client, barcode string) response {
		t.Helper()
		got := c.do("17" + sipDate() + "AO" + institution + "|AB" + barcode + "|")
		if got.code != "18" {
			t.Fatalf("%q", got.raw)
		}
		return got
	}
	got := info(c, "B0001")
	got.want(t, "AJ", long[:255])
	got = info(c, "B0002")
	if aj, _ := got.field("AJ"); aj != strings.Repeat("é", 127) || !utf8.ValidString(got.raw) {
		t.Errorf("AJ of %d bytes (%q), want 127 é: 254 bytes, no character cut", len(aj), aj)
	}
	barcode := strings.Repeat("X", 300)
	got = info(c, barcode)
	got.want(t, "AB", barcode[:255])

	setEncoding(t, l, library.SIPEncodingCP850)
	cp := l.kiosk()
	got = info(cp, "B0002")
	if aj, _ := got.field("AJ"); aj != strings.Repeat("\x82", 200) {
		t.Errorf("cp850 AJ %q, want 200 é in code page 850", aj)
	}
	l.item("B0003", strings.Repeat("é", 300))
	got = info(cp, "B0003")
	if aj, _ := got.field("AJ"); aj != strings.Repeat("\x82", 255) {
		t.Errorf("cp850 AJ of %d bytes, want 255 é", len(aj))
	}
}

// setEncoding sets the test kiosk's character set, as `carrel sip2 set
// kiosk1 --encoding` does; connections made from now on follow it.
func setEncoding(t *testing.T, l *testLibrary, enc string) {
	t.Helper()
	if _, err := l.svc.ChangeSIPAccount(l.ctx, kioskLogin, library.SIPAccountChange{Encoding: &enc}); err != nil {
		t.Fatal(err)
	}
}

// in writes UTF-8 text in a single-byte character set, as a kiosk would.
func in(t *testing.T, cs *charmap.Charmap, s string) string {
	t.Helper()
	b, err := cs.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAccountEncoding proves, on both databases, that a kiosk account set
// to code page 850 or Latin-1 is read and answered in it: a PIN with é
// typed on such a kiosk is the patron's PIN (CQY), a wrong one is a wrong
// PIN (CQN), not an unreadable message (96); names go out in the
// kiosk's set, a character it lacks as '?'; checksums cover the bytes as
// sent. The same bytes to a UTF-8 account are not UTF-8: 96. A legacy
// kiosk that never logs in is read in its account's set from its first
// request.
func TestAccountEncoding(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			zoe := l.patron("20240001", "Zoë Ng", nil)
			l.chosenPIN(zoe, "crème brûlée")
			l.patron("20240002", "陳大文", nil)
			utf := l.kiosk()

			setEncoding(t, l, library.SIPEncodingCP850)
			cp := l.kiosk()
			cp.seq = 1
			pin850 := in(t, charmap.CodePage850, "crème brûlée")
			got := cp.do(patronInfoReq("001", "          ", zoe.Barcode, "AC|AD"+pin850+"|"))
			got.want(t, "CQ", "Y")
			got.want(t, "AE", "Zo\x89 Ng")
			if sum := sip2.Checksum([]byte(got.raw[:len(got.raw)-4])); got.raw[len(got.raw)-4:] != hex4(sum) {
				t.Errorf("checksum %s, want %s over the bytes sent", got.raw[len(got.raw)-4:], hex4(sum))
			}
			got = cp.do(patronInfoReq("001", "          ", zoe.Barcode, "AC|AD"+in(t, charmap.CodePage850, "crème brûlé!")+"|"))
			if got.code != "64" {
				t.Fatalf("wrong PIN with é from a cp850 kiosk: %q, want a 64", got.raw)
			}
			got.want(t, "CQ", "N")
			got.want(t, "AF", "The patron barcode or PIN is not right.")
			cp.do(patronStatusReq("20240002", "")).want(t, "AE", "???")

			if got := utf.do(patronInfoReq("001", "          ", zoe.Barcode, "AC|AD"+pin850+"|")); got.raw != "96" {
				t.Errorf("cp850 bytes to a UTF-8 account: %q, want 96", got.raw)
			}
			utf.do(patronStatusReq("20240002", "")).want(t, "AE", "陳大文")

			setEncoding(t, l, library.SIPEncodingLatin1)
			latin := l.kiosk()
			got = latin.do(patronInfoReq("001", "          ", zoe.Barcode, "AC|AD"+in(t, charmap.ISO8859_1, "crème brûlée")+"|"))
			got.want(t, "CQ", "Y")
			got.want(t, "AE", "Zo\xeb Ng")
			// 0x85 is a control character in Latin-1 (NEL): unreadable.
			if got := latin.do(patronStatusReq(zoe.Barcode, "AC\x85|")); got.raw != "96" {
				t.Errorf("a C1 control in Latin-1: %q, want 96", got.raw)
			}

			legacy := legacyAccount()
			legacy.Encoding = library.SIPEncodingCP850
			if _, err := l.svc.AddSIPAccount(l.ctx, legacy, "legacy-secret"); err != nil {
				t.Fatal(err)
			}
			got = l.dial().do("2300120261128    100000AOLEGACY|AA" + zoe.Barcode + "|AD" + pin850 + "|")
			got.want(t, "CQ", "Y")
			got.want(t, "AE", "Zo\x89 Ng")
		})
	}
}

// TestOverpaymentMessage proves the screen message of a payment larger
// than the balance is a sentence: it begins with a capital letter.
func TestOverpaymentMessage(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 750, Note: "overdue"})
	})
	got := l.kiosk().do("37" + sipDate() + "0100HKDBV9.00|AO" + institution + "|AA20240001|BKtx-1|")
	if got.code != "38" || got.fixed[0] != 'N' {
		t.Fatalf("overpayment: %q", got.raw)
	}
	got.want(t, "AF", "The payment is more than the HKD 7.50 you owe.")
}
