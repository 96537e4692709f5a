package csvimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// patronColumns are the columns of a patron file (DESIGN section 5).
var patronColumns = []string{"barcode", "category", "name", "email", "registered_on", "expires_on", "hkid"}

// Positions of the patron columns in a row.
const (
	pBarcode = iota
	pCategory
	pName
	pEmail
	pRegistered
	pExpires
	pHKID
)

// patronRow is a checked row of a patron file. It never holds the HKID
// number: only the six-character preset derived from it, until hashed.
type patronRow struct {
	line int
	p    library.Patron // every field but the PIN, as the file gives them
	// rule is the preset rule for the registration day: PresetHKID,
	// PresetBarcode, or "" for a card holder or a day no rule covers.
	rule   string
	preset string // the legacy preset, when rule is PresetHKID and the file gave an HKID
	hash   string // the argon2id hash of preset, once computed
}

func importPatrons(ctx context.Context, svc *library.Service, r io.Reader, m *meter) (Summary, error) {
	var probs problems
	rows, err := readCSV(r, patronColumns, &probs)
	if err != nil {
		return Summary{}, err
	}
	pats := checkPatrons(svc.Config(), rows, &probs)
	if err := probs.err(); err != nil {
		return Summary{}, err
	}

	// argon2id takes about 45 ms a hash, so the legacy presets are hashed
	// before the write transaction (which would otherwise hold the write
	// lock for minutes), in parallel, and only where the import will store
	// them: a re-import leaves most presets as they are.
	need, err := presetsToHash(ctx, svc, pats)
	if err != nil {
		return Summary{}, err
	}
	m.start(len(need) + len(pats))
	if err := hashPresets(ctx, svc.Hasher(), need, m); err != nil {
		return Summary{}, err
	}

	var sum Summary
	err = svc.Store().Update(ctx, func(tx library.Tx) error {
		sum = Summary{}
		existing, err := loadPatrons(tx)
		if err != nil {
			return err
		}
		now := svc.Now()
		var added newPatrons
		for i := range pats {
			if err := applyPatron(ctx, tx, svc.Hasher(), &pats[i], existing, now, &sum, &added); err != nil {
				return err
			}
			m.step(1)
		}
		if err := added.create(tx); err != nil {
			return err
		}
		return audit(tx, svc, Patrons, sum)
	})
	if err != nil {
		return Summary{}, err
	}
	m.finish()
	return sum, nil
}

// checkPatrons checks every row of a patron file, adding what is wrong to probs.
func checkPatrons(cfg *library.Config, rows []row, probs *problems) []patronRow {
	pats := make([]patronRow, 0, len(rows))
	barcodes := make(seen, len(rows))
	categories := strings.Join(cfg.CategoryNames(), ", ")
	for _, rw := range rows {
		f, line := rw.fields, rw.line
		pr := patronRow{line: line}
		bad := len(*probs)

		barcode := library.NormalizeBarcode(f[pBarcode])
		catName, cat, catOK := category(cfg, f[pCategory])
		switch {
		case barcode == "":
			probs.add(line, "barcode", "is empty")
		case catOK && !cat.ValidBarcode(barcode):
			probs.add(line, "barcode", "%s is not a %s barcode (%s)", barcode, catName, cat.BarcodeHint)
		}
		if barcode != "" {
			if first := barcodes.dup(barcode, line); first != 0 {
				probs.add(line, "barcode", "%s is already on line %d", barcode, first)
			}
		}
		switch {
		case f[pCategory] == "":
			probs.add(line, "category", "is empty (want one of %s)", categories)
		case !catOK:
			probs.add(line, "category", "unknown category %q (want one of %s)", f[pCategory], categories)
		}

		if f[pName] == "" {
			probs.add(line, "name", "is empty")
		}
		if e := f[pEmail]; e != "" && !plausibleEmail(e) {
			// The address is personal data; the line and column find it.
			probs.add(line, "email", "is not a plausible email address (want one like name@example.edu.hk)")
		}

		registered, regErr := library.ParseDate(f[pRegistered])
		if regErr != nil {
			probs.add(line, "registered_on", "%s", reason(regErr))
		}
		expires, err := library.ParseDate(f[pExpires])
		if err != nil {
			probs.add(line, "expires_on", "%s", reason(err))
		} else if !expires.IsZero() && expires.Before(registered) {
			probs.add(line, "expires_on", "%s is before registered_on %s", expires, registered)
		}

		if regErr == nil && !registered.IsZero() {
			pr.rule = cfg.PresetRuleFor(registered)
		}
		// The HKID is read only for a legacy patron, and only to derive the
		// preset; for anyone else it is ignored, never checked or kept.
		if raw := f[pHKID]; pr.rule == library.PresetHKID && raw != "" {
			preset, err := library.HKIDPreset(raw)
			if err != nil {
				probs.add(line, "hkid", "%s", hkidReason(err, raw))
			}
			pr.preset = preset
		}

		if len(*probs) > bad {
			continue
		}
		pr.p = library.Patron{
			Barcode:      barcode,
			Category:     catName,
			Name:         f[pName],
			Email:        f[pEmail],
			RegisteredOn: registered,
			ExpiresOn:    expires,
		}
		pats = append(pats, pr)
	}
	return pats
}

// category finds a category by name, allowing "Student" for "student":
// college systems export names in all sorts of case.
func category(cfg *library.Config, name string) (string, library.Category, bool) {
	if cat, ok := cfg.Category(name); ok {
		return name, cat, true
	}
	lower := strings.ToLower(name)
	cat, ok := cfg.Category(lower)
	return lower, cat, ok
}

// plausibleEmail accepts a bare address such as a@b.hk, not "Name <a@b.hk>":
// notices go to exactly what is stored.
func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

// hkidReason explains a bad HKID number. The domain's messages never repeat
// the number; the check here keeps it that way should one ever do so.
func hkidReason(err error, raw string) string {
	msg := reason(err)
	if strings.Contains(strings.ToUpper(msg), strings.ToUpper(raw)) {
		return "is not a valid HKID number"
	}
	return msg
}

// loadPatrons reads every patron once, so that a file of 100,000 rows costs
// one query instead of 100,000 lookups.
func loadPatrons(tx library.Tx) (map[string]library.Patron, error) {
	existing := make(map[string]library.Patron)
	err := tx.EachPatron(func(p library.Patron) error {
		existing[p.Barcode] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("csvimport: load patrons: %w", err)
	}
	return existing, nil
}

// keepsPIN reports whether a re-import leaves an existing patron's PIN as
// it is: always for a PIN the patron chose or staff set, and for a preset
// still derived the way the row would derive it (same registration day,
// same rule).
func (r *patronRow) keepsPIN(old library.Patron) bool {
	switch old.PIN.Kind {
	case library.PINChosen, library.PINTemporary:
		return true
	case library.PINPreset:
		stored := library.PresetBarcode
		if old.PIN.Hash != "" {
			stored = library.PresetHKID
		}
		return old.Registered() && sameDay(old.RegisteredOn, r.p.RegisteredOn) && stored == r.rule
	default:
		return false // no PIN yet: the row may give one (a card holder now registered)
	}
}

// needsHash reports whether the row's legacy preset will be stored, and so
// must be hashed; found is false for a new patron.
func (r *patronRow) needsHash(old library.Patron, found bool) bool {
	return r.preset != "" && r.hash == "" && (!found || !r.keepsPIN(old))
}

// newPIN is the PIN the row gives a patron whose PIN is not kept: the
// preset of the registration day's rule, or none when there is nothing to
// derive it from (a card holder; a legacy patron without an HKID; a day no
// rule covers), which staff then reset at the desk.
func (r *patronRow) newPIN(now time.Time) library.PINRecord {
	switch {
	case r.p.RegisteredOn.IsZero():
		return library.PINRecord{Kind: library.PINNone}
	case r.rule == library.PresetBarcode:
		return library.PINRecord{Kind: library.PINPreset, SetAt: now}
	case r.rule == library.PresetHKID && r.hash != "":
		return library.PINRecord{Kind: library.PINPreset, Hash: r.hash, SetAt: now}
	default:
		return library.PINRecord{Kind: library.PINNone}
	}
}

// newPatrons are the patrons an import adds, written together at the end
// (on PostgreSQL a thousand a round trip), with the line of each.
type newPatrons struct {
	ps    []*library.Patron
	lines []int
}

// add notes p, from the given line of the file, to be created.
func (n *newPatrons) add(p library.Patron, line int) {
	n.ps = append(n.ps, &p)
	n.lines = append(n.lines, line)
}

// create stores the patrons noted; a refusal names the line of the patron
// refused, as creating it alone would.
func (n *newPatrons) create(tx library.Tx) error {
	if len(n.ps) == 0 {
		return nil
	}
	err := tx.CreatePatrons(n.ps)
	var be *library.BatchError
	if errors.As(err, &be) && be.Index >= 0 && be.Index < len(n.lines) {
		return fmt.Errorf("csvimport: line %d: %w", n.lines[be.Index], be.Err)
	}
	if err != nil {
		return fmt.Errorf("csvimport: %w", err)
	}
	return nil
}

// applyPatron updates the row's patron, or notes it in added to be
// created, and counts the outcome.
func applyPatron(ctx context.Context, tx library.Tx, h *library.Hasher, r *patronRow,
	existing map[string]library.Patron, now time.Time, sum *Summary, added *newPatrons) error {
	old, found := existing[r.p.Barcode]
	if r.needsHash(old, found) {
		// The patron changed between the look before hashing and this
		// transaction (staff at the desk, another import): rare enough to
		// hash here, under the write lock.
		if err := hashPresets(ctx, h, []*patronRow{r}, &meter{}); err != nil {
			return err
		}
	}
	pin := old.PIN
	if !found || !r.keepsPIN(old) {
		pin = r.newPIN(now)
	}
	if pin.Kind == library.PINNone && r.p.Registered() {
		if r.rule == library.PresetHKID {
			sum.NoHKID++
		} else {
			sum.NoRule++
		}
	}

	if !found {
		p := r.p
		p.PIN = pin
		added.add(p, r.line)
		sum.Added++
		return nil
	}

	changed := false
	if old.Category != r.p.Category || old.Name != r.p.Name || old.Email != r.p.Email ||
		!sameDay(old.RegisteredOn, r.p.RegisteredOn) || !sameDay(old.ExpiresOn, r.p.ExpiresOn) {
		upd := old // keeps what the file does not carry: the block, the PIN
		upd.Category, upd.Name, upd.Email = r.p.Category, r.p.Name, r.p.Email
		upd.RegisteredOn, upd.ExpiresOn = r.p.RegisteredOn, r.p.ExpiresOn
		if err := tx.UpdatePatron(upd); err != nil {
			return fmt.Errorf("csvimport: line %d: %w", r.line, err)
		}
		changed = true
	}
	if pin.Kind != old.PIN.Kind || pin.Hash != old.PIN.Hash {
		if err := tx.SetPIN(old.ID, pin); err != nil {
			return fmt.Errorf("csvimport: line %d: %w", r.line, err)
		}
		changed = true
	}
	if changed {
		sum.Updated++
	} else {
		sum.Unchanged++
	}
	return nil
}
