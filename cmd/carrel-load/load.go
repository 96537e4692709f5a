package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// floorCommand runs the floor's bare net/http server in a child process.
const floorCommand = "floor"

// loadScenarios are the scenarios of `carrel-load run`, in the order they run.
var loadScenarios = []string{"sign-in", "record", "sip2-info", "sip2-circ", "import"}

// loadOptions are the flags of `carrel-load run`.
type loadOptions struct {
	db        string // the SQLite file of the library
	postgres  string
	keep      bool
	duration  time.Duration
	clients   int // web clients
	sipConns  int // SIP2 connections of the Patron Information scenario
	circConns int // SIP2 connections of the circulation scenario
	scenarios []string
	importN   int
	demo      []string // extra arguments of `carrel demo`
}

// runLoad is `carrel-load run`.
func runLoad(ctx context.Context, args []string) error {
	return loadMain(ctx, args, os.Stdout, os.Stderr)
}

// parseLoadFlags reads the flags of `carrel-load run`.
func parseLoadFlags(args []string, stderr io.Writer) (loadOptions, error) {
	var o loadOptions
	fs := flag.NewFlagSet("carrel-load run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.db, "db", filepath.Join(os.TempDir(), "carrel-load-large.db"), "the library's SQLite file (built with carrel demo --size large unless --keep finds it)")
	fs.StringVar(&o.postgres, "postgres", "", "a PostgreSQL URL: build the library in a fresh schema of this database (dropped after) instead of a SQLite file")
	fs.BoolVar(&o.keep, "keep", false, "keep the library after the run, and reuse it if --db already holds one")
	fs.DurationVar(&o.duration, "duration", 12*time.Second, "how long each scenario and each floor runs")
	fs.IntVar(&o.clients, "clients", 16, "concurrent web clients (sign-in, borrowing record)")
	fs.IntVar(&o.sipConns, "sip2-conns", 32, "SIP2 connections of the Patron Information scenario")
	fs.IntVar(&o.circConns, "circ-conns", 8, "SIP2 connections of the Checkout+Checkin scenario")
	sc := fs.String("scenarios", strings.Join(loadScenarios, ","), "scenarios to run, comma-separated")
	fs.IntVar(&o.importN, "import-patrons", 100_000, "patrons in the import scenario's CSV file")
	demo := fs.String("demo", "", "extra arguments of carrel demo for a smaller library, e.g. \"--patrons 2000 --items 20000\"")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: carrel-load run [flags]\n\nScenarios against a real carrel serve over loopback, each beside its floor\nmeasured in the same run (see BENCHMARKS.md).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("run takes no arguments, only flags (got %q)", fs.Arg(0))
	}
	for _, s := range strings.Split(*sc, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(loadScenarios, s) {
			return o, fmt.Errorf("--scenarios: no scenario %q (there are %s)", s, strings.Join(loadScenarios, ", "))
		}
		o.scenarios = append(o.scenarios, s)
	}
	if len(o.scenarios) == 0 {
		return o, errors.New("--scenarios: give at least one")
	}
	if o.duration <= 0 || o.clients < 1 || o.sipConns < 1 || o.circConns < 1 || o.importN < 1 {
		return o, errors.New("--duration, --clients, --sip2-conns, --circ-conns and --import-patrons must be above zero")
	}
	if o.postgres != "" && o.keep {
		return o, errors.New("--keep is for a SQLite library; with --postgres each run builds a fresh schema")
	}
	o.demo = strings.Fields(*demo)
	return o, nil
}

// loadLine is one line of the report.
type loadLine struct {
	Name         string
	Res          loadResult
	Floor        float64 // ops/s; 0 for none
	FloorNote    string  // what the floor column shows when not a rate
	ServerCPU    float64 // the server's CPU use during the scenario, in cores
	Target       string
	Busy, Refuse int64
}

// String is the line as printed.
func (l loadLine) String() string {
	floor, ratio := "-", "-"
	if l.Floor > 0 {
		floor = fmt.Sprintf("%.0f", l.Floor)
		ratio = fmt.Sprintf("%.2f", l.Res.rate()/l.Floor)
	}
	if l.FloorNote != "" {
		floor = l.FloorNote
	}
	cpu := "-"
	if l.ServerCPU > 0 {
		cpu = fmt.Sprintf("%.2f", l.ServerCPU)
	}
	s := fmt.Sprintf("%-10s %9.1f %10s %10s %10s %12s %6s  cpu %s  n %d  errors %d  (target: %s)",
		l.Name, l.Res.rate(), msText(l.Res.percentile(50)), msText(l.Res.percentile(95)), msText(l.Res.percentile(99)),
		floor, ratio, cpu, l.Res.Ops, l.Res.Errors, l.Target)
	if l.Res.FirstErr != nil {
		s += "\n           first error: " + l.Res.FirstErr.Error()
	}
	return s
}

// loadHeader heads the table.
const loadHeader = "scenario       ops/s        p50        p95        p99  floor ops/s  ratio"

var (
	itemRangeLine = regexp.MustCompile(`items: barcodes (\S+) to (\S+) \(consecutive\)`)
	studentsLine  = regexp.MustCompile(`load-test patrons: \d+ students, barcodes (\S+) to (\S+) \(consecutive\), PIN (\S+)`)
	kioskLine     = regexp.MustCompile(`SIP2 kiosk: login (\S+), password (\S+), institution (\S+)`)
)

// library is the generated library the scenarios run against.
type loadLibrary struct {
	Target   string
	Students []string
	PIN      string
	Items    []string // candidate items for the circulation scenario
	Kiosk    sipKiosk
	drop     func() error
}

// loadMain is runLoad with its output streams given.
func loadMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	database := "SQLite " + o.db
	if o.postgres != "" {
		database = "PostgreSQL (a fresh schema)"
	}
	fmt.Fprintf(stdout, "carrel-load run: %s, kernel %s, database %s\n", scaleMachine(ctx, o.postgres), kernel(), database)
	fmt.Fprintf(stdout, "%s per scenario and per floor; %d web clients, %d SIP2 connections (%d for circulation)\n",
		o.duration, o.clients, o.sipConns, o.circConns)

	dir, err := os.MkdirTemp("", "carrel-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var lines []loadLine
	emit := func(l loadLine) {
		if len(lines) == 0 {
			fmt.Fprintln(stdout, loadHeader)
		}
		lines = append(lines, l)
		fmt.Fprintln(stdout, l)
	}
	needLibrary := slices.ContainsFunc(o.scenarios, func(s string) bool { return s != "import" })
	if needLibrary {
		lib, err := buildLoadLibrary(ctx, o, stderr)
		if err != nil {
			return err
		}
		defer lib.drop()
		if err := runServerScenarios(ctx, o, lib, emit, stdout, stderr); err != nil {
			return err
		}
	}
	if slices.Contains(o.scenarios, "import") {
		fmt.Fprintf(stderr, "carrel-load: import of %s patrons\n", groupDigits(o.importN))
		c, f, err := runImport(ctx, o.postgres, dir, o.importN, stderr)
		if err != nil {
			return err
		}
		l := loadLine{Name: "import", Res: c, Floor: f.rate(), Target: "100,000 patrons in under 5 s"}
		emit(l)
		fmt.Fprintf(stdout, "           import: %s rows in %s; bare INSERT floor %s\n", groupDigits(o.importN),
			c.Elapsed.Round(time.Millisecond), f.Elapsed.Round(time.Millisecond))
	}
	if ld := loadAverage("load average %s at the end"); ld != "" {
		fmt.Fprintln(stdout, ld)
	}
	return nil
}

// kernel is the running kernel's release.
func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return strings.TrimSpace(string(b))
}

// buildLoadLibrary builds the large demo library, or reuses the one at
// --db with --keep.
func buildLoadLibrary(ctx context.Context, o loadOptions, stderr io.Writer) (*loadLibrary, error) {
	lib := &loadLibrary{Target: o.db, drop: func() error { return nil }}
	signins := o.db + ".signins.txt"
	var out string
	if o.postgres == "" && o.keep {
		if b, err := os.ReadFile(signins); err == nil {
			if _, err := os.Stat(o.db); err == nil {
				out = string(b)
				fmt.Fprintf(stderr, "carrel-load: reusing the library in %s\n", o.db)
			}
		}
	}
	if out == "" {
		if o.postgres != "" {
			target, drop, err := freshPostgresSchema(ctx, o.postgres)
			if err != nil {
				return nil, err
			}
			lib.Target, lib.drop = target, drop
		} else {
			for _, s := range []string{"", "-wal", "-shm", ".signins.txt"} {
				os.Remove(o.db + s)
			}
			if !o.keep {
				lib.drop = func() error {
					for _, s := range []string{"", "-wal", "-shm", ".signins.txt"} {
						os.Remove(o.db + s)
					}
					return nil
				}
			}
		}
		fmt.Fprintf(stderr, "carrel-load: building the library (carrel demo --size large %s)\n", strings.Join(o.demo, " "))
		d := &demoOutput{progress: stderr}
		start := time.Now()
		args := append([]string{"demo", "--size", "large", "--db", lib.Target}, o.demo...)
		if err := carrelRun(ctx, d, args...); err != nil {
			lib.drop()
			return nil, fmt.Errorf("%w\n%s", err, d.String())
		}
		fmt.Fprintf(stderr, "carrel-load: built in %s\n", time.Since(start).Round(100*time.Millisecond))
		out = d.String()
		if o.postgres == "" {
			os.WriteFile(signins, []byte(out), 0o600)
		}
	}
	m := studentsLine.FindStringSubmatch(out)
	k := kioskLine.FindStringSubmatch(out)
	it := itemRangeLine.FindStringSubmatch(out)
	if m == nil || k == nil || it == nil {
		lib.drop()
		return nil, fmt.Errorf("carrel demo did not print the load-test students, items and SIP2 kiosk:\n%s", out)
	}
	var err error
	if lib.Students, err = barcodeRange(m[1], m[2], 0); err != nil {
		lib.drop()
		return nil, err
	}
	// Items from the top of the range, where the current loans are fewest;
	// 40 candidates a connection are plenty.
	if lib.Items, err = barcodeRange(it[1], it[2], 40*o.circConns+200); err != nil {
		lib.drop()
		return nil, err
	}
	lib.PIN, lib.Kiosk = m[3], sipKiosk{Login: k[1], Password: k[2], Institution: k[3]}
	// The Patron Information scenario is a kiosk that shows a patron's
	// account after a card scan, without a PIN: the demo kiosk requires
	// the PIN, as every new account does, so it is set as such a kiosk is.
	var set strings.Builder
	if err := carrelRun(ctx, &set, "sip2", "set", lib.Kiosk.Login, "--no-require-pin", "--db", lib.Target); err != nil {
		lib.drop()
		return nil, fmt.Errorf("%w\n%s", err, set.String())
	}
	return lib, nil
}

// barcodeRange lists the barcodes from first to last, consecutive numbers
// after a common prefix; with limit above zero, only the last limit.
func barcodeRange(first, last string, limit int) ([]string, error) {
	split := func(s string) (string, int, int, error) {
		i := len(s)
		for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
			i--
		}
		n, err := strconv.Atoi(s[i:])
		return s[:i], n, len(s) - i, err
	}
	p1, a, w, err1 := split(first)
	p2, b, _, err2 := split(last)
	if err1 != nil || err2 != nil || p1 != p2 || b < a {
		return nil, fmt.Errorf("barcodes %q to %q are not a range", first, last)
	}
	if limit > 0 && b-a+1 > limit {
		a = b - limit + 1
	}
	out := make([]string, 0, b-a+1)
	for n := a; n <= b; n++ {
		out = append(out, fmt.Sprintf("%s%0*d", p1, w, n))
	}
	return out, nil
}

// runServerScenarios serves the library and runs the scenarios that need
// the server, each followed by its floor.
func runServerScenarios(ctx context.Context, o loadOptions, lib *loadLibrary, emit func(loadLine), stdout, stderr io.Writer) error {
	srv, err := startCarrel(ctx, lib.Target)
	if err != nil {
		return err
	}
	stopped := false
	stop := func() {
		if !stopped {
			srv.Stop()
			stopped = true
		}
	}
	defer stop()
	fmt.Fprintf(stderr, "carrel-load: carrel serve (pid %d) at %s, SIP2 %s\n", srv.Pid(), srv.URL, srv.SIP2)
	startUsage := readProcUsage(srv.Pid())
	measure := func(run func() loadResult) (loadResult, float64) {
		before := readProcUsage(srv.Pid())
		res := run()
		after := readProcUsage(srv.Pid())
		return res, (after.CPU - before.CPU).Seconds() / res.Elapsed.Seconds()
	}
	has := func(s string) bool { return slices.Contains(o.scenarios, s) }

	var sess *sessions
	if has("sign-in") || has("record") {
		fmt.Fprintln(stderr, "carrel-load: sign-in")
		d := o.duration
		if !has("sign-in") {
			d = min(d, 5*time.Second) // only to get sessions for the record
		}
		res, cpu := measure(func() loadResult {
			var r loadResult
			r, sess = runSignIns(ctx, srv.URL, lib.Students, lib.PIN, o.clients, d)
			return r
		})
		if has("sign-in") {
			fmt.Fprintln(stderr, "carrel-load: floor: argon2id on every core")
			f := argonFloor(ctx, lib.PIN, o.duration)
			emit(loadLine{Name: "sign-in", Res: res, Floor: f.rate(), ServerCPU: cpu,
				Target: "at least 0.90 of argon2id's rate", Busy: sess.busy.Load(), Refuse: sess.refused.Load()})
			if b, r := sess.busy.Load(), sess.refused.Load(); b+r > 0 {
				fmt.Fprintf(stdout, "           sign-ins answered busy (503): %d, refused otherwise: %d\n", b, r)
			}
		}
		if len(sess.signedIn()) == 0 {
			return fmt.Errorf("no student could sign in: %v", res.FirstErr)
		}
	}
	if has("record") {
		fmt.Fprintf(stderr, "carrel-load: borrowing record of %d signed-in students\n", len(sess.signedIn()))
		res, cpu := measure(func() loadResult { return runRecords(ctx, srv.URL, sess, o.clients, o.duration) })
		fmt.Fprintln(stderr, "carrel-load: floor: the same queries from a bare net/http server")
		fl, err := startFloor(ctx, lib.Target)
		if err != nil {
			return err
		}
		f := runFloorRecords(ctx, fl.URL, sess.signedIn(), o.clients, o.duration)
		fl.Stop()
		if f.Errors > 0 {
			return fmt.Errorf("floor server: %d errors, the first: %v", f.Errors, f.FirstErr)
		}
		emit(loadLine{Name: "record", Res: res, Floor: f.rate(), ServerCPU: cpu, Target: "at least 0.50 of the floor; p99 under 20 ms"})
	}
	if has("sip2-info") {
		fmt.Fprintf(stderr, "carrel-load: SIP2 Patron Information on %d connections\n", o.sipConns)
		conns, err := openSIP(ctx, srv.SIP2, o.sipConns, &lib.Kiosk)
		if err != nil {
			return fmt.Errorf("SIP2: %w", err)
		}
		res, cpu := measure(func() loadResult { return runPatronInfo(ctx, conns, lib.Kiosk, lib.Students, o.duration, false) })
		closeSIP(conns)
		fmt.Fprintln(stderr, "carrel-load: floor: a TCP echo server, same requests and connections")
		fl, err := startFloor(ctx, lib.Target)
		if err != nil {
			return err
		}
		econns, err := openSIP(ctx, fl.Echo, o.sipConns, nil)
		if err != nil {
			fl.Stop()
			return err
		}
		f := runPatronInfo(ctx, econns, lib.Kiosk, lib.Students, o.duration, true)
		closeSIP(econns)
		fl.Stop()
		emit(loadLine{Name: "sip2-info", Res: res, Floor: f.rate(), ServerCPU: cpu, Target: "at least 10,000 a second; the floor is loopback TCP echo"})
	}
	var lanes []*circLane
	if has("sip2-circ") {
		fmt.Fprintf(stderr, "carrel-load: SIP2 Checkout+Checkin on %d connections\n", o.circConns)
		conns, err := openSIP(ctx, srv.SIP2, o.circConns, &lib.Kiosk)
		if err != nil {
			return fmt.Errorf("SIP2: %w", err)
		}
		// Students from the end of the range lend; those signed in on the
		// web are the same people, which does not matter to either.
		patrons := slices.Clone(lib.Students)
		slices.Reverse(patrons)
		lanes, err = prepareLanes(conns, lib.Kiosk, patrons, lib.Items)
		if err != nil {
			closeSIP(conns)
			return err
		}
		res, cpu := measure(func() loadResult { return runCirculation(ctx, conns, lib.Kiosk, lanes, o.duration) })
		closeSIP(conns)
		end := readProcUsage(srv.Pid())
		stop()
		fmt.Fprintln(stderr, "carrel-load: floor: the same transactions straight on the database")
		f, err := runCirculationFloor(ctx, lib.Target, lanes, o.duration)
		if err != nil {
			return err
		}
		if f.Errors > 0 {
			return fmt.Errorf("circulation floor: %d errors, the first: %v", f.Errors, f.FirstErr)
		}
		emit(loadLine{Name: "sip2-circ", Res: res, Floor: f.rate(), ServerCPU: cpu, Target: "at least 0.50 of the floor"})
		printUsage(stdout, startUsage, end)
		return nil
	}
	end := readProcUsage(srv.Pid())
	printUsage(stdout, startUsage, end)
	return nil
}

// printUsage writes the server's peak memory and CPU time.
func printUsage(w io.Writer, start, end procUsage) {
	fmt.Fprintf(w, "server: peak RSS %.0f MiB (VmHWM), CPU %.1f s during the scenarios\n",
		float64(end.PeakKB)/1024, (end.CPU - start.CPU).Seconds())
}
