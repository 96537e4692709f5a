package library

// The blocklist is the "passwords" dictionary of the npm package
// @zxcvbn-ts/language-common 4.1.3 (src/passwords.json), MIT licence,
// copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc. and (c) 2021
// @zxcvbn-ts; compiled from leaked-password frequency lists. Its 49,233
// entries, lower-cased, de-duplicated and in their original order (most
// common first), one per line, are blocklist.txt.gz. To refresh it:
//
//	npm pack @zxcvbn-ts/language-common && tar xzf zxcvbn-ts-language-common-*.tgz
//	python3 -c 'import json; print("\n".join(dict.fromkeys(p.strip().lower() for p in json.load(open("package/src/passwords.json")) if p.strip())))' | gzip -9n > blocklist.txt.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:embed blocklist.txt.gz
var blocklistGz []byte

// commonPINs is the blocklist, sorted for binary search. It is loaded on
// first use, so programs that never check a new PIN (the SIP2 service, an
// import) do not pay for it, and it is never changed after.
var commonPINs = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(blocklistGz))
	if err != nil {
		panic("library: embedded blocklist: " + err.Error()) // a broken build, not a run-time condition
	}
	var list []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); w != "" {
			list = append(list, w)
		}
	}
	if err := sc.Err(); err != nil {
		panic("library: embedded blocklist: " + err.Error())
	}
	slices.Sort(list)
	return slices.Compact(list)
})

// IsCommonPIN reports whether pin, after NFKC and ignoring case, is on the
// blocklist of common passwords.
func IsCommonPIN(pin string) bool {
	_, found := slices.BinarySearch(commonPINs(), strings.ToLower(NormalizePIN(pin)))
	return found
}

// BlocklistSize returns the number of entries on the blocklist.
func BlocklistSize() int { return len(commonPINs()) }
