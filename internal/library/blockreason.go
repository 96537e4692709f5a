package library

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// BlockReason is a reason for a block that staff choose from at the desk,
// with what the patron is told and the way out: "A lost item is not yet
// replaced" and "Replace or pay for it at the Circulation Counter".
type BlockReason struct {
	// Key names the reason in the database and the configuration.
	Key string `json:"key"`
	// Words are the reason's words by language ("en", "zh-Hant-HK"). A
	// reason of Carrel's own (BuiltInBlockReasons) may leave them out, or
	// leave out a language: Carrel's catalogue has its words. Another
	// reason needs at least the English; other languages fall back to it.
	Words map[string]BlockWords `json:"words,omitempty"`
}

// BlockWords are the words of a block reason in one language.
type BlockWords struct {
	Name    string `json:"name"`    // for staff, in the list they choose from
	Message string `json:"message"` // for the patron: what is wrong
	WayOut  string `json:"way_out"` // for the patron: what to do about it
}

// The block reasons Carrel has words for in its catalogue.
const (
	BlockLostItem  = "lost_item" // a lost item not yet replaced or paid for
	BlockCardLost  = "card_lost" // the card was reported lost or stolen
	BlockConduct   = "conduct"   // conduct: the patron must see the library
	BlockCardKept  = "card_kept" // a self-service machine kept the card
	BlockDocuments = "documents" // a document the library needs is missing
)

// BuiltInBlockReasons are the keys of the block reasons whose words are
// in Carrel's catalogue.
var BuiltInBlockReasons = []string{BlockLostItem, BlockCardLost, BlockConduct, BlockCardKept, BlockDocuments}

// DefaultBlockReasons are the block reasons a library has unless its
// configuration lists its own.
func DefaultBlockReasons() []BlockReason {
	out := make([]BlockReason, len(BuiltInBlockReasons))
	for i, k := range BuiltInBlockReasons {
		out[i] = BlockReason{Key: k}
	}
	return out
}

// BuiltIn reports whether the reason's words are in Carrel's catalogue.
func (r BlockReason) BuiltIn() bool {
	for _, k := range BuiltInBlockReasons {
		if r.Key == k {
			return true
		}
	}
	return false
}

var blockKeyPattern = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// prepareBlockReasons checks the configured block reasons.
func (c *Config) prepareBlockReasons() error {
	seen := map[string]bool{}
	for _, r := range c.BlockReasons {
		if !blockKeyPattern.MatchString(r.Key) {
			return Errorf(EINVALID, "block_reasons: key %q: want 1 to 40 lower-case letters, digits or _", r.Key)
		}
		if seen[r.Key] {
			return Errorf(EINVALID, "block_reasons: key %q is listed twice", r.Key)
		}
		seen[r.Key] = true
		en := r.Words["en"]
		if !r.BuiltIn() && (strings.TrimSpace(en.Name) == "" || strings.TrimSpace(en.Message) == "") {
			return Errorf(EINVALID, "block_reasons: %q needs English words: a name and a message", r.Key)
		}
		for lang, w := range r.Words {
			if utf8.RuneCountInString(w.Name+w.Message+w.WayOut) > MaxBlockText {
				return Errorf(EINVALID, "block_reasons: %q (%s): the words are longer than %d characters", r.Key, lang, MaxBlockText)
			}
		}
	}
	return nil
}

// BlockReason returns the configured block reason with the given key.
func (c *Config) BlockReason(key string) (BlockReason, bool) {
	for _, r := range c.BlockReasons {
		if r.Key == key {
			return r, true
		}
	}
	return BlockReason{}, false
}

// MaxBlockText is the longest block reason or message staff may write, in
// characters.
const MaxBlockText = 500

// BlockNotice is what a blocked patron is told: the words of a configured
// reason (Reason), or words staff wrote (Text), and whether the patron
// sees them at all. Not shown, the patron reads only that the account is
// blocked and to contact library staff; staff see the notice either way.
type BlockNotice struct {
	Reason string // key of a configured BlockReason; "" for staff's own words
	Text   string // staff's own words for the patron, when Reason is ""
	Shown  bool   // the patron sees the notice on My Account and at machines
}

// IsZero reports whether the notice says nothing.
func (n BlockNotice) IsZero() bool { return n.Reason == "" && n.Text == "" }

// Visible reports whether the patron is to see the notice.
func (n BlockNotice) Visible() bool { return n.Shown && !n.IsZero() }

// Block is what staff give when they block a patron: the reason staff
// see, and the notice for the patron.
type Block struct {
	Reason string
	Notice BlockNotice
}

// check trims the block and checks it against the configuration.
func (c *Config) checkBlock(b Block) (Block, error) {
	b.Reason = strings.TrimSpace(b.Reason)
	b.Notice.Text = strings.TrimSpace(b.Notice.Text)
	switch {
	case b.Reason == "":
		return b, Errorf(EINVALID, "a block needs a reason")
	case strings.ContainsAny(b.Reason+b.Notice.Text, "\r\n"):
		return b, Errorf(EINVALID, "a block's reason and message must be on one line")
	case utf8.RuneCountInString(b.Reason) > MaxBlockText || utf8.RuneCountInString(b.Notice.Text) > MaxBlockText:
		return b, Errorf(EINVALID, "a block's reason or message is longer than %d characters", MaxBlockText)
	case b.Notice.Reason != "" && b.Notice.Text != "":
		return b, Errorf(EINVALID, "a block's message is a configured reason or staff's own words, not both")
	}
	if b.Notice.Reason != "" {
		if _, ok := c.BlockReason(b.Notice.Reason); !ok {
			return b, Errorf(EINVALID, "no block reason %q is configured", b.Notice.Reason)
		}
	}
	if b.Notice.IsZero() {
		b.Notice.Shown = false
	}
	return b, nil
}
