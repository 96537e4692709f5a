package i18n

import "github.com/carrel-library/carrel/internal/library"

// BlockWords returns the words of block reason r in p's language: the
// library's own words for that language when its configuration has them,
// else Carrel's catalogue's for a reason of its own, else the
// configuration's English. args are the message arguments of the
// catalogue's words (phone, email).
func (p *Printer) BlockWords(r library.BlockReason, args ...any) library.BlockWords {
	mine, en := r.Words[p.code], r.Words[English]
	key := "block." + r.Key + "."
	pick := func(own, english, field string) string {
		switch {
		case own != "":
			return own
		case r.BuiltIn() && p.Has(key+field):
			return p.T(key+field, args...)
		}
		return english
	}
	return library.BlockWords{
		Name:    pick(mine.Name, en.Name, "name"),
		Message: pick(mine.Message, en.Message, "message"),
		WayOut:  pick(mine.WayOut, en.WayOut, "way_out"),
	}
}
