package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// How many patrons the demo library has, named demo patrons included.
const (
	numPatrons = 300
	numStaff   = 50 // of them; the rest are students
)

// emailDomain is under .example (RFC 2606), so that mail notices sent by a
// demo server can never reach a real person.
const emailDomain = "college.example"

// The most common Hong Kong surnames in their usual English romanisation,
// each listed about as often as it occurs.
var surnames = strings.Fields(`
	Chan Chan Chan Chan Chan Chan Wong Wong Wong Wong Wong Lee Lee Lee Lee
	Cheung Cheung Cheung Lau Lau Lau Leung Leung Leung Lam Lam Lam Ho Ho Ng Ng
	Tsang Tsang Yip Yip Tang Tang Chow Chow Fung Kwok Lo Cheng Cheng Yeung Yeung
	Mak Tse Choi Siu Law Poon Kwan Chu Tam Tam So Yuen Wu Hui Tsui Ma Lui Ko
	Chiu Au Kong Tong Wan Lai Kwong Sin Shum Fong`)

// Given names are two syllables; these pairs of lists make names that read
// like real ones ("Ka Yan", "Chun Kit") rather than random syllables.
var (
	givenFemale1 = strings.Fields("Ka Wing Hoi Mei Pui Man Sze Hiu Lok Tsz Yan Shuk Wai Suet Ching Oi Yuk Sum")
	givenFemale2 = strings.Fields("Yan Sze Yee Ling Shan Wan Ting Tung Lam Yi Man Kei Ying Kwan Wai Ching")
	givenMale1   = strings.Fields("Tai Chi Ka Chun Siu Ho Tsz Kwok Wai Pak Cheuk Long Man Wing Kin Hon Chung Yat")
	givenMale2   = strings.Fields("Man Ho Lok Kit Fung Kin Hei Yin Hin Keung Wai Chung Ming Lun Him Fai Tung Yiu")
	// Many young people in Hong Kong also go by an English name.
	englishFemale = strings.Fields("Karen Michelle Jessica Winnie Cherry Ivy Carmen Vivian Joyce Heidi Angel Chloe Natalie Fiona")
	englishMale   = strings.Fields("Jason Kelvin Calvin Ivan Kenneth Eric Alex Raymond Jacky Marcus Ryan Henry Brian Terence")
	// Staff and students not of Chinese descent, as in any Hong Kong college.
	otherNames = []string{
		"Sarah Thompson", "David Miller", "Priya Sharma", "James O'Connor", "Anjali Gurung",
		"Muhammad Ali Khan", "Maria Santos", "Thomas Becker", "Emily Clarke", "Rajesh Patel",
	}
	// Two-digit programme codes inside student numbers.
	programmes = []string{"01", "02", "03", "05", "06", "08", "11", "12", "13", "15", "21", "22", "31"}
)

// patron is a patron being planned: the record to store and what Fill must
// work out before storing it.
type patron struct {
	library.Patron
	kind Kind // "" for the unnamed patrons
	// pin is a chosen PIN to hash; preset a legacy HKID preset to hash.
	pin, preset string
	// openLoans counts the current loans planned, to keep within the category's limit.
	openLoans int
}

// active reports whether the patron may borrow on day d.
func (p *patron) active(d library.Date) bool {
	return p.Registered() && !p.RegisteredOn.After(d) && !p.Expired(d) && p.BlockedReason == ""
}

// namedPatrons plans the patrons of Cases, with dates relative to today so
// that each stays in its case whatever the day the demo is filled.
func (g *gen) namedPatrons() {
	t := g.today
	reg := func(k Kind, category string, registered, expires library.Date) *patron {
		c := CaseOf(k)
		p := &patron{kind: k, Patron: library.Patron{
			Barcode: c.Barcode, Category: category, Name: c.Name, Email: g.email(category, c.Barcode, c.Name),
			RegisteredOn: registered, ExpiresOn: expires,
		}}
		if c.PIN != "" && k != PresetStudent && k != LegacyHKID {
			p.pin = c.PIN
		}
		g.named[k] = p
		g.patrons = append(g.patrons, p)
		return p
	}
	fourYears := func(d library.Date) library.Date { return library.NewDate(d.Year()+4, time.August, 31) }

	p := reg(PresetStudent, "student", t.AddDays(-40), fourYears(t.AddDays(-40)))
	p.PIN = library.PINRecord{Kind: library.PINPreset, SetAt: g.at(p.RegisteredOn, 10*60)}

	p = reg(LegacyHKID, "staff", library.NewDate(2014, time.September, 1), t.AddDays(400))
	p.preset = CaseOf(LegacyHKID).PIN

	p = reg(CardHolder, "student", library.Date{}, library.Date{})
	p.PIN = library.PINRecord{Kind: library.PINNone}
	reg(Staff, "staff", t.AddDays(-3*365), t.AddDays(365))
	p = reg(Blocked, "student", t.AddDays(-500), fourYears(t.AddDays(-500)))
	p.BlockedReason = "Lost item not yet replaced: please see the Circulation Counter"
	// Graduated three weeks ago with a book still out.
	reg(Expired, "student", t.AddDays(-21-4*365), t.AddDays(-21))
	reg(Fines, "student", t.AddDays(-800), fourYears(t.AddDays(-800)))
	reg(Renew, "student", t.AddDays(-400), fourYears(t.AddDays(-400)))
	// Finishing a course: the card expires within the warning period.
	reg(ExpiresSoon, "student", t.AddDays(-2*365), t.AddDays(12))
	for _, p := range g.patrons {
		g.barcodes[p.Barcode] = true
		g.names[p.Name] = true
	}
}

// randomPatrons plans the unnamed patrons: students of past and present
// intakes (most registered, some card holders, older ones expired) and staff.
func (g *gen) randomPatrons() {
	for len(g.patrons) < numPatrons-numStaff {
		g.patrons = append(g.patrons, g.student())
	}
	for len(g.patrons) < numPatrons {
		g.patrons = append(g.patrons, g.staff())
	}
	// A couple of blocked patrons besides the named one, so the staff
	// desk's list of blocks is not a list of one.
	reasons := []string{
		"Damaged item returned: please see the Circulation Counter",
		"Replacement cost of a lost item unpaid",
	}
	for _, p := range g.patrons {
		if len(reasons) == 0 {
			break
		}
		if p.kind == "" && p.Category == "student" && p.active(g.today) && g.rng.IntN(10) == 0 {
			p.BlockedReason, reasons = reasons[0], reasons[1:]
		}
	}
}

// academicYear is the year the current academic year began (September).
func (g *gen) academicYear() int {
	if g.today.Month() >= time.September {
		return g.today.Year()
	}
	return g.today.Year() - 1
}

func (g *gen) student() *patron {
	ay := g.academicYear()
	// Most students are from the last four intakes; the rest are alumni
	// back to 2012, whose accounts have expired.
	var year int
	switch r := g.rng.IntN(100); {
	case r < 22:
		year = ay
	case r < 42:
		year = ay - 1
	case r < 60:
		year = ay - 2
	case r < 74:
		year = ay - 3
	default:
		year = 2012 + g.rng.IntN(max(ay-4-2012+1, 1))
	}
	var barcode string
	for barcode == "" || g.barcodes[barcode] {
		barcode = fmt.Sprintf("%02d%s%04d", year%100, programmes[g.rng.IntN(len(programmes))], g.rng.IntN(10000))
	}
	g.barcodes[barcode] = true
	name := g.name(g.rng.IntN(60) == 0)
	p := &patron{Patron: library.Patron{Barcode: barcode, Category: "student", Name: name, Email: g.email("student", barcode, name)}}
	// Some of each new intake have not registered yet; a few older
	// students never did.
	if (year == ay && g.rng.IntN(8) == 0) || g.rng.IntN(50) == 0 {
		p.PIN = library.PINRecord{Kind: library.PINNone}
		return p
	}
	p.RegisteredOn = library.NewDate(year, time.September, 1).AddDays(g.rng.IntN(21))
	if !p.RegisteredOn.Before(g.today) {
		p.RegisteredOn = g.today.AddDays(-1 - g.rng.IntN(3))
	}
	// Higher diplomas take two years, degrees four.
	years := 4
	if g.rng.IntN(5) < 2 {
		years = 2
	}
	p.ExpiresOn = library.NewDate(year+years, time.August, 31)
	p.PIN = g.presetPIN(p.RegisteredOn)
	return p
}

func (g *gen) staff() *patron {
	var barcode string
	for barcode == "" || g.barcodes[barcode] {
		barcode = fmt.Sprintf("S%04d", 1000+g.rng.IntN(4000))
	}
	g.barcodes[barcode] = true
	name := g.name(g.rng.IntN(8) == 0)
	first := library.NewDate(2012, time.January, 3)
	reg := first.AddDays(g.rng.IntN(max(g.today.DaysSince(first)-7, 1)))
	// Staff accounts follow contracts: most run on past today, some
	// ended when the person left.
	exp := g.today.AddDays(30 + g.rng.IntN(1100))
	if left := g.today.DaysSince(reg) - 400; left > 10 && g.rng.IntN(9) == 0 {
		exp = reg.AddDays(365 + g.rng.IntN(left-10))
	}
	return &patron{Patron: library.Patron{
		Barcode: barcode, Category: "staff", Name: name, Email: g.email("staff", barcode, name),
		RegisteredOn: reg, ExpiresOn: exp, PIN: g.presetPIN(reg),
	}}
}

// presetPIN is the PIN record of a patron registered on day reg who has not
// chosen a PIN. The barcode rule needs nothing stored. An HKID preset would
// need the patron's HKID number and an argon2 hash each; the demo has
// neither for its unnamed legacy patrons, so they are left as accounts
// imported without a derivable PIN, which staff reset when asked (R5).
func (g *gen) presetPIN(reg library.Date) library.PINRecord {
	if g.cfg.PresetRuleFor(reg) == library.PresetBarcode {
		return library.PINRecord{Kind: library.PINPreset, SetAt: g.at(reg, 10*60)}
	}
	return library.PINRecord{Kind: library.PINNone}
}

// name draws a name not used yet, written as people in Hong Kong write
// theirs: surname first ("Chan Tai Man"), an English name, if any, before it.
func (g *gen) name(other bool) string {
	for {
		var n string
		if other {
			n = otherNames[g.rng.IntN(len(otherNames))]
		} else {
			female := g.rng.IntN(2) == 0
			first, second, english := givenMale1, givenMale2, englishMale
			if female {
				first, second, english = givenFemale1, givenFemale2, englishFemale
			}
			a, b := first[g.rng.IntN(len(first))], second[g.rng.IntN(len(second))]
			if a == b {
				continue
			}
			n = surnames[g.rng.IntN(len(surnames))] + " " + a + " " + b
			if g.rng.IntN(5) == 0 {
				n = english[g.rng.IntN(len(english))] + " " + n
			}
		}
		if !g.names[n] {
			g.names[n] = true
			return n
		}
		other = false // the short list of other names runs out
	}
}

// email gives students their college address by student number, as Hong
// Kong colleges do, and staff one made of their initials and surname.
func (g *gen) email(category, barcode, name string) string {
	if category == "student" {
		return barcode + "@stu." + emailDomain
	}
	parts := strings.Fields(strings.ReplaceAll(strings.ToLower(name), "'", ""))
	var local string
	switch {
	case slices.Contains(otherNames, name):
		// "Sarah Thompson" is sthompson.
		local = parts[0][:1] + parts[len(parts)-1]
	case len(parts) == 4:
		// "Kelvin Chan Chi Ho" goes by his English name: kelvin.chan.
		local = parts[0] + "." + parts[1]
	default:
		// "Cheung Mei Ling" is mlcheung.
		for _, given := range parts[1:] {
			local += given[:1]
		}
		local += parts[0]
	}
	for i := 1; ; i++ {
		addr := local + "@" + emailDomain
		if i > 1 {
			addr = fmt.Sprintf("%s%d@%s", local, i, emailDomain)
		}
		if !g.emails[addr] {
			g.emails[addr] = true
			return addr
		}
	}
}
