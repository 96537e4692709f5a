package csvimport_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// patronFile returns n patrons registered after the cut-over (barcode
// preset: nothing to hash), as the yearly intake from the college is.
func patronFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString(patronHeader)
	for i := range n {
		fmt.Fprintf(&b, "%08d,student,Student Number %d,s%d@example.edu.hk,2024-09-01,2028-08-31,\n", 20000000+i, i, i)
	}
	return b.Bytes()
}

// The design's target: 100,000 patrons in under 5 s on the 2-core machine.
func BenchmarkImportPatrons100k(b *testing.B) {
	const n = 100_000
	file := patronFile(n)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		b.StopTimer()
		svc := newService(b)
		b.StartTimer()
		sum, err := csvimport.Import(context.Background(), svc, csvimport.Patrons, bytes.NewReader(file), nil)
		if err != nil || sum.Added != n {
			b.Fatalf("import: %+v, %v", sum, err)
		}
	}
}

// A re-import of the same 100,000 patrons: every row compared, none written.
func BenchmarkReimportPatrons100k(b *testing.B) {
	const n = 100_000
	file := patronFile(n)
	svc := newService(b)
	if _, err := csvimport.Import(context.Background(), svc, csvimport.Patrons, bytes.NewReader(file), nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sum, err := csvimport.Import(context.Background(), svc, csvimport.Patrons, bytes.NewReader(file), nil)
		if err != nil || sum.Unchanged != n {
			b.Fatalf("re-import: %+v, %v", sum, err)
		}
	}
}

// The same import into PostgreSQL (skipped without CARREL_TEST_POSTGRES).
func BenchmarkImportPatrons100kPostgres(b *testing.B) {
	const n = 100_000
	file := patronFile(n)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		b.StopTimer()
		svc := serviceOn(b, storagetest.NewPostgres(b))
		b.StartTimer()
		sum, err := csvimport.Import(context.Background(), svc, csvimport.Patrons, bytes.NewReader(file), nil)
		if err != nil || sum.Added != n {
			b.Fatalf("import: %+v, %v", sum, err)
		}
	}
}
