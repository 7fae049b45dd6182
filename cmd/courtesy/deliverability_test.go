package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/doctor"
	"github.com/courtesyhq/courtesy/store"
)

// testShop is a configuration of the bakery in a directory of the test's own,
// with its data there too.
type testShop struct {
	t      *testing.T
	dir    string
	config string
	dbURL  string
}

// newShop writes courtesy.yaml: the bakery's, with extra appended (a dkim:
// block) and returnPath set when not empty, reading the bakery's campaigns
// and templates.
func newShop(t *testing.T, extra, returnPath string) *testShop {
	t.Helper()
	dir := t.TempDir()
	bakery, err := filepath.Abs(filepath.Join("..", "..", "examples", "bakery"))
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(filepath.Join(bakery, "courtesy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(yaml)
	s = strings.Replace(s, "campaigns_dir: campaigns", "campaigns_dir: "+filepath.Join(bakery, "campaigns"), 1)
	s = strings.Replace(s, "templates_dir: templates", "templates_dir: "+filepath.Join(bakery, "templates"), 1)
	s = strings.Replace(s, "data_dir: data", "data_dir: "+filepath.Join(dir, "data"), 1)
	if returnPath != "" {
		s = strings.Replace(s, "smtp:\n", "smtp:\n  return_path: "+returnPath+"\n", 1)
	}
	s += extra
	cfg := filepath.Join(dir, "courtesy.yaml")
	if err := os.WriteFile(cfg, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testShop{t: t, dir: dir, config: cfg, dbURL: "sqlite://" + filepath.Join(dir, "data", "courtesy.db")}
}

// run runs the command in-process, as main does, with stdin as given.
func (s *testShop) run(stdin string, args ...string) (code int, stdout, stderr string) {
	s.t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"COURTESY_CONFIG": s.config, "DATABASE_URL": s.dbURL}
	code = run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb},
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// db opens the shop's store for a look behind the command's back; the
// caller closes it before running another command.
func (s *testShop) db() *store.DB {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Join(s.dir, "data"), 0o700); err != nil {
		s.t.Fatal(err)
	}
	db, err := store.Open(context.Background(), s.dbURL)
	if err != nil {
		s.t.Fatal(err)
	}
	return db
}

func (s *testShop) suppressed(addr string) string {
	s.t.Helper()
	db := s.db()
	defer db.Close()
	ok, sup, err := db.Suppressed(context.Background(), addr)
	if err != nil {
		s.t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return sup.Reason + "/" + sup.Source
}

func testdataFile(t *testing.T, pkg, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", pkg, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// stubResolver serves TXT records from a map; a missing name is NXDOMAIN.
type stubResolver map[string][]string

func (r stubResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txts, ok := r[name]; ok {
		return txts, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func TestDoctor(t *testing.T) {
	key := testdataFile(t, "doctor", "test-rsa2048.pem")
	aligned := "dkim:\n  domain: crumb.example\n  selector: s2026\n  private_key_file: " + key + "\n"
	in := doctor.Input{From: "hello@crumb.example", DKIMDomain: "crumb.example", DKIMSelector: "s2026"}
	pem, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	in.DKIMKeyPEM = pem
	_, rec := doctor.Check(in)
	published := stubResolver{rec.DKIM.Name: {rec.DKIM.Value}, rec.SPF.Name: {rec.SPF.Value}, rec.DMARC.Name: {rec.DMARC.Value}}

	tests := []struct {
		name       string
		extra      string
		returnPath string
		args       []string
		resolver   doctor.Resolver
		wantCode   int
		want       []string // lines or parts of the output
		notWant    []string
	}{
		{name: "bakery as shipped: no DKIM is a warning",
			wantCode: 0,
			want: []string{"warning: dkim: DKIM is off", `crumb.example.	IN	TXT	"v=spf1 mx ~all"`,
				`_dmarc.crumb.example.	IN	TXT	"v=DMARC1; p=none; rua=mailto:hello@crumb.example"`},
			notWant: []string{"error:", "_domainkey"}},
		{name: "DKIM on another organisation's domain",
			extra:    "dkim:\n  domain: elsewhere.example\n  selector: s2026\n  private_key_file: " + key + "\n",
			wantCode: 1,
			want:     []string{"error: dkim-alignment: DKIM domain elsewhere.example is not aligned with the From domain crumb.example"}},
		{name: "missing key file",
			extra:    "dkim:\n  domain: crumb.example\n  selector: s2026\n  private_key_file: nowhere.pem\n",
			wantCode: 1,
			want:     []string{"error: dkim-key: dkim.private_key_file:"}},
		{name: "aligned DKIM, records printed",
			extra:    aligned,
			wantCode: 0,
			want:     []string{"s2026._domainkey.crumb.example.\tIN\tTXT\t(", "no problems found"}},
		{name: "return path on another domain, DKIM aligned",
			extra: aligned, returnPath: "bounce@mailer.example",
			wantCode: 0,
			want:     []string{"warning: spf-alignment: return path domain mailer.example"}},
		{name: "--dns with nothing published",
			extra: aligned, args: []string{"--dns"}, resolver: stubResolver{},
			wantCode: 1,
			want:     []string{"error: dns-dkim: no DKIM record at s2026._domainkey.crumb.example"}},
		{name: "--dns with the records published",
			extra: aligned, args: []string{"--dns"}, resolver: published,
			wantCode: 0,
			notWant:  []string{"dns-dkim", "dns-spf", "dns-dmarc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.resolver != nil {
				old := doctorResolver
				doctorResolver = tt.resolver
				t.Cleanup(func() { doctorResolver = old })
			}
			s := newShop(t, tt.extra, tt.returnPath)
			code, out, errOut := s.run("", append([]string{"doctor"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

// seedJo stores the customer and the sent message the hard-bounce fixture
// is about.
func (s *testShop) seedJo() {
	s.t.Helper()
	ctx := context.Background()
	db := s.db()
	defer db.Close()
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "jo", Email: "jo.baker@mail.example.net", CreatedAt: t0}}); err != nil || errs[0] != nil {
		s.t.Fatalf("seed: %v %v", err, errs)
	}
	key := courtesy.MessageKey("birthday-treat", "jo", "2026")
	if _, _, err := db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: "birthday-treat", CustomerID: "jo", CreatedAt: t0}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := db.Decide(ctx, store.DecisionUpdate{Key: key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
		MessageID: "<7f3c0a9e41b2d5c8@crumb.example>", At: t0}); err != nil {
		s.t.Fatal(err)
	}
}

func TestFeedbackCommand(t *testing.T) {
	hard := testdataFile(t, "feedback", "dsn-hard-5.1.1.eml")
	plain := testdataFile(t, "feedback", "plain.eml")

	t.Run("a malformed file among good ones changes nothing", func(t *testing.T) {
		s := newShop(t, "", "")
		s.seedJo()
		code, out, errOut := s.run("", "feedback", hard, plain)
		if code != exitUsage {
			t.Errorf("exit %d, want %d; stdout %q", code, exitUsage, out)
		}
		if !strings.Contains(errOut, "plain.eml: not a delivery status or feedback report") || !strings.Contains(errOut, "nothing was applied") {
			t.Errorf("stderr does not say what is wrong with which file: %q", errOut)
		}
		if got := s.suppressed("jo.baker@mail.example.net"); got != "" {
			t.Errorf("jo suppressed (%s) although the batch was refused", got)
		}
	})
	t.Run("a hard bounce from a file", func(t *testing.T) {
		s := newShop(t, "", "")
		s.seedJo()
		code, out, errOut := s.run("", "feedback", hard)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if want := "hard-bounce jo.baker@mail.example.net 5.1.1 → suppressed (birthday-treat)\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
		if got := s.suppressed("jo.baker@mail.example.net"); got != "hard-bounce/dsn" {
			t.Errorf("suppression = %q, want hard-bounce/dsn", got)
		}
		code, out, _ = s.run("", "log", "suppressions", "--format", "csv")
		if code != exitOK || !strings.Contains(out, ",hard-bounce,dsn,") {
			t.Errorf("log suppressions (exit %d) does not show the reason and source:\n%s", code, out)
		}
	})
	t.Run("a complaint on standard input", func(t *testing.T) {
		s := newShop(t, "", "")
		arf, err := os.ReadFile(testdataFile(t, "feedback", "arf-abuse.eml"))
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := s.run(string(arf), "feedback")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if want := "complaint Pat@mailbox.example abuse → suppressed (birthday-treat)\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
	})
	t.Run("empty standard input", func(t *testing.T) {
		s := newShop(t, "", "")
		if code, _, errOut := s.run("", "feedback"); code != exitUsage || !strings.Contains(errOut, "standard input: empty input") {
			t.Errorf("exit %d, stderr %q; want 2 naming the empty input", code, errOut)
		}
	})
}

func TestSuppressionLift(t *testing.T) {
	s := newShop(t, "", "")
	s.seedJo()
	if code, _, errOut := s.run("", "feedback", testdataFile(t, "feedback", "dsn-hard-5.1.1.eml")); code != exitOK {
		t.Fatalf("feedback: exit %d: %s", code, errOut)
	}
	for _, bad := range [][]string{
		{"suppression", "lift", "jo.baker@mail.example.net"},                      // no reason
		{"suppression", "lift", "not-an-address", "--reason", "x"},                // not an address
		{"suppression", "lift", "nobody@example.org", "--reason", "typo fixed"},   // not suppressed
		{"suppression", "drop", "jo.baker@mail.example.net", "--reason", "fixed"}, // not an action
	} {
		if code, _, _ := s.run("", bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	if got := s.suppressed("jo.baker@mail.example.net"); got == "" {
		t.Fatal("a refused lift lifted the suppression")
	}
	code, out, errOut := s.run("", "suppression", "lift", "Jo.Baker@Mail.Example.NET", "--reason", "address typo fixed at the till")
	if code != exitOK || !strings.HasPrefix(out, "lifted hard-bounce Jo.Baker@Mail.Example.NET") {
		t.Fatalf("lift: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := s.suppressed("jo.baker@mail.example.net"); got != "" {
		t.Errorf("still suppressed: %s", got)
	}
	db := s.db()
	sups, err := db.Suppressions(context.Background(), courtesy.Filter{})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 1 || sups[0].LiftReason != "address typo fixed at the till" || sups[0].LiftedAt.IsZero() {
		t.Errorf("suppressions after the lift = %+v; want one, lifted, with the reason kept", sups)
	}
}
