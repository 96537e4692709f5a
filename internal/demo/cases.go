package demo

// Kind names one of the demo patrons printed by PrintSignIn, each showing
// one case a library meets at the sign-in page.
type Kind string

// The named demo patrons.
const (
	PresetStudent Kind = "preset_student" // registered after the cut-over, still on the barcode preset
	LegacyHKID    Kind = "legacy_hkid"    // registered before the cut-over, on an HKID preset
	CardHolder    Kind = "card_holder"    // has a card but has not registered: cannot sign in
	Staff         Kind = "staff"          // a member of staff with a PIN of their own
	Blocked       Kind = "blocked"        // blocked by staff: signs in and sees a notice
	Expired       Kind = "expired"        // account past its expiry date
	Fines         Kind = "fines"          // overdue loans and unpaid fines over the threshold
	Renew         Kind = "renew"          // several current loans, good for trying Renew
	ExpiresSoon   Kind = "expires_soon"   // card expires within the warning period
)

// Case is a demo patron whose sign-in details PrintSignIn prints. Tests of
// any package may use it to sign in to a demo library.
type Case struct {
	Kind    Kind
	Name    string
	Barcode string
	// PIN is what to type; empty for the card holder, who cannot sign in.
	PIN string
	// Shows says what signing in as this patron demonstrates.
	Shows string
	// Note is printed after the PIN, in brackets.
	Note string
}

// legacyHKID is the made-up Hong Kong ID number the legacy patron's preset
// is derived from (check digit valid). Only the hash of its preset is
// stored, as Carrel does with real ones, and it is never printed: the
// output of `carrel serve` may end up in a log.
const legacyHKID = "K625193(5)"

// cases are the named demo patrons. The barcodes are fixed, not drawn, so
// that what PrintSignIn prints is true of every fresh demo database.
var cases = []Case{
	{Kind: PresetStudent, Name: "Wong Ka Yan", Barcode: "24031588", PIN: "24031588",
		Shows: "Student on the barcode preset", Note: "must choose a new PIN"},
	{Kind: LegacyHKID, Name: "Lee Wing Sze", Barcode: "S0873", PIN: "K62519",
		Shows: "Staff on a legacy HKID preset", Note: "HKID letter + first 5 digits; registered 2014"},
	{Kind: CardHolder, Name: "Lam Chi Ho", Barcode: "25017342",
		Shows: "Card holder, not registered", Note: "sign-in fails: contact library staff"},
	{Kind: Staff, Name: "Cheung Mei Ling", Barcode: "S2231", PIN: "harbour-lights-1997",
		Shows: "Staff member", Note: "28-day loans"},
	{Kind: Blocked, Name: "Ho Ka Lok", Barcode: "23045126", PIN: "bamboo-scaffold-8",
		Shows: "Blocked patron", Note: "sees a notice; cannot borrow or renew"},
	{Kind: Expired, Name: "Tsang Hoi Yee", Barcode: "21018834", PIN: "star-ferry-crossing",
		Shows: "Expired account", Note: "sees a notice; one book still out"},
	{Kind: Fines, Name: "Leung Chun Kit", Barcode: "22056710", PIN: "dim-sum-sunday-11",
		Shows: "Overdue loans and fines", Note: "HKD 58.00 unpaid: renewing refused"},
	{Kind: Renew, Name: "Chan Tai Man", Barcode: "24062953", PIN: "reading-room-7",
		Shows: "Student with loans to renew", Note: "one due soon, one at its renewal limit; a hold ready at the desk"},
	{Kind: ExpiresSoon, Name: "Kwok Hiu Tung", Barcode: "22047719", PIN: "lantau-peak-sunrise",
		Shows: "Card expiring soon", Note: "expires in 12 days: sees a reminder"},
}

// Cases returns the named demo patrons in the order PrintSignIn prints them.
func Cases() []Case {
	out := make([]Case, len(cases))
	copy(out, cases)
	return out
}

// CaseOf returns the named demo patron of kind k, or the zero Case.
func CaseOf(k Kind) Case {
	for _, c := range cases {
		if c.Kind == k {
			return c
		}
	}
	return Case{}
}
